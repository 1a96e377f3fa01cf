//! The SMTP sink of the mail tests: `support/smtp_sink.py` (aiosmtpd, installed by `.ci/setup`) in a child process
//! on a loopback port, storing what it accepts as files the tests read.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tempfile::TempDir;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/support/smtp_sink.py");

pub struct Sink {
    pub port: u16,
    dir: TempDir,
    child: Child,
}

impl Sink {
    /// A sink on a free port; `faults` are the script's options (`--fail-first N`, `--reject ADDRESS`).
    pub fn start(faults: &[&str]) -> Self {
        Self::start_on(0, faults)
    }

    pub fn start_on(port: u16, faults: &[&str]) -> Self {
        let dir = tempfile::tempdir().expect("sink directory");
        let mut child = Command::new("python3")
            .arg(SCRIPT)
            .arg(dir.path())
            .args(["--port", &port.to_string()])
            .args(faults)
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs the SMTP sink (install aiosmtpd: bash .ci/setup)");
        let stdout = child.stdout.take().expect("sink stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("sink output");
        let port = line
            .trim()
            .strip_prefix("READY ")
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| {
                panic!("the SMTP sink did not start (is aiosmtpd installed?): {line:?}")
            });
        Self { port, dir, child }
    }

    /// The messages received so far, oldest first, each starting with an `X-Sink-Rcpt:` line naming its recipients.
    pub fn messages(&self) -> Vec<String> {
        let mut names: Vec<_> = std::fs::read_dir(self.dir.path())
            .expect("sink directory")
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "eml"))
            .collect();
        names.sort();
        names
            .iter()
            .map(|path| std::fs::read_to_string(path).expect("message file"))
            .collect()
    }

    /// Waits until at least `count` messages arrived, at most `within`.
    pub async fn wait_for(&self, count: usize, within: Duration) -> Vec<String> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let messages = self.messages();
            if messages.len() >= count || tokio::time::Instant::now() > deadline {
                return messages;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The recipient a stored message was delivered to.
pub fn recipient(message: &str) -> &str {
    message
        .lines()
        .next()
        .and_then(|line| line.strip_prefix("X-Sink-Rcpt: "))
        .expect("the sink's recipient line")
}
