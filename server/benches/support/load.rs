//! Saturation and open-loop latency over keep-alive HTTP/1.1 connections, against the portal and against a raw axum
//! handler started in the same process, so that every figure has its reference from the same run on the same cores.

use axum::{routing::any, Router};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{client::conn::http1::SendRequest, header, Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use std::{
    net::SocketAddr,
    sync::Arc,
    time::{Duration, Instant},
};
use tokio::net::{TcpListener, TcpStream};

/// The options every load benchmark takes.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub postgres: bool,
    pub connections: usize,
    pub seconds: u64,
    pub rate: u64,
    /// Skips the saturation runs, e.g. to study latency alone.
    pub latency_only: bool,
    /// The server's database pool size (`PORTAL_DB_MAX_CONNECTIONS`); the default setting when absent.
    pub pool: Option<u32>,
    /// Arguments that are not load options, for the benchmark's own use.
    pub rest: Vec<String>,
}

impl LoadOptions {
    pub fn from_args(default_rate: u64) -> Self {
        let mut options = Self {
            postgres: false,
            connections: 64,
            seconds: 10,
            rate: default_rate,
            latency_only: false,
            pool: None,
            rest: Vec::new(),
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let mut number = || args.next().and_then(|value| value.parse::<u64>().ok());
            match arg.as_str() {
                "--postgres" => options.postgres = true,
                "--latency-only" => options.latency_only = true,
                "--connections" => options.connections = number().map_or(64, |n| n as usize),
                "--seconds" => options.seconds = number().unwrap_or(10),
                "--rate" => options.rate = number().unwrap_or(default_rate),
                "--pool" => options.pool = number().and_then(|n| u32::try_from(n).ok()),
                // cargo bench passes --bench.
                "--bench" => {}
                _ => options.rest.push(arg),
            }
        }
        options
    }

    pub fn backend_name(&self) -> &'static str {
        if self.postgres {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    }
}

/// What one measurement sends: where, how, with which headers, and the bodies it cycles through.
#[derive(Debug, Clone)]
pub struct Target {
    pub addr: SocketAddr,
    pub method: Method,
    pub path: String,
    pub headers: Vec<(header::HeaderName, String)>,
    pub bodies: Arc<Vec<Bytes>>,
}

impl Target {
    pub fn get(addr: SocketAddr, path: &str) -> Self {
        Self {
            addr,
            method: Method::GET,
            path: path.to_owned(),
            headers: Vec::new(),
            bodies: Arc::new(vec![Bytes::new()]),
        }
    }

    pub fn post(addr: SocketAddr, path: &str, bodies: Vec<Bytes>) -> Self {
        Self {
            method: Method::POST,
            bodies: Arc::new(bodies),
            ..Self::get(addr, path)
        }
    }

    pub fn with_header(mut self, name: header::HeaderName, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

/// A multi-threaded runtime whose threads carry `name`: the server's and the load generator's (`client`) are told
/// apart by it when CPU time is counted.
pub fn runtime(name: &str) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name(name)
        .build()
        .unwrap()
}

/// Starts a raw axum handler answering "hello" to any method on `/hello`, on the current runtime.
pub async fn start_hello() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hello = Router::new().route("/hello", any(|| async { "hello" }));
    tokio::spawn(async move { axum::serve(listener, hello).await });
    addr
}

pub async fn connect(addr: SocketAddr) -> SendRequest<Full<Bytes>> {
    let stream = TcpStream::connect(addr).await.unwrap();
    stream.set_nodelay(true).unwrap();
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    sender
}

/// One answer, read in full.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: hyper::HeaderMap,
    pub body: Bytes,
}

/// Sends one request and reads the whole answer, so that the connection can carry the next one.
pub async fn exchange(
    sender: &mut SendRequest<Full<Bytes>>,
    target: &Target,
    body: &Bytes,
) -> Result<Answer, String> {
    sender.ready().await.map_err(|e| e.to_string())?;
    let mut request = Request::builder()
        .method(target.method.clone())
        .uri(target.path.as_str())
        .header(header::HOST, target.addr.to_string());
    for (name, value) in &target.headers {
        request = request.header(name, value);
    }
    let request = request.body(Full::new(body.clone())).unwrap();
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Ok(Answer {
        status,
        headers,
        body,
    })
}

/// As `exchange`, but anything but 200 is a failure.
pub async fn send(
    sender: &mut SendRequest<Full<Bytes>>,
    target: &Target,
    body: &Bytes,
) -> Result<Bytes, String> {
    let answer = exchange(sender, target, body).await?;
    if answer.status == StatusCode::OK {
        Ok(answer.body)
    } else {
        Err(format!(
            "{}: {}",
            answer.status,
            String::from_utf8_lossy(&answer.body)
        ))
    }
}

#[derive(Debug, Default)]
pub struct Saturation {
    pub answered: u64,
    pub failed: u64,
    pub per_second: f64,
    /// CPU time (user and system) of every thread but the load generator's, per answered request.
    pub server_cpu_micros: f64,
}

/// CPU seconds used so far by this process's threads, except the load generator's (named `client`): the server,
/// its database workers and the reference handler. From `/proc`, so 0 where there is none.
pub fn server_cpu_seconds() -> f64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0.0;
    };
    let ticks: u64 = tasks
        .filter_map(Result::ok)
        .filter_map(|task| std::fs::read_to_string(task.path().join("stat")).ok())
        .filter_map(|stat| {
            // `pid (comm) state ...`: the name may hold spaces, the fields after it do not.
            let (name, rest) = stat.split_once(" (")?.1.rsplit_once(") ")?;
            if name.starts_with("client") {
                return None;
            }
            let fields: Vec<&str> = rest.split(' ').collect();
            // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
            Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
        })
        .sum();
    // The kernel's USER_HZ, 100 on every Linux this runs on.
    ticks as f64 / 100.0
}

pub async fn saturate(target: &Target, connections: usize, length: Duration) -> Saturation {
    let deadline = Instant::now() + length;
    let started = Instant::now();
    let cpu_before = server_cpu_seconds();
    let workers: Vec<_> = (0..connections)
        .map(|worker| {
            let target = target.clone();
            tokio::spawn(async move {
                let mut sender = connect(target.addr).await;
                let (mut answered, mut failed) = (0_u64, 0_u64);
                let mut i = worker;
                while Instant::now() < deadline {
                    let body = &target.bodies[i % target.bodies.len()];
                    match send(&mut sender, &target, body).await {
                        Ok(_) => answered += 1,
                        Err(_) => {
                            failed += 1;
                            sender = connect(target.addr).await;
                        }
                    }
                    i += 1;
                }
                (answered, failed)
            })
        })
        .collect();
    let mut result = Saturation::default();
    for worker in workers {
        let (answered, failed) = worker.await.unwrap();
        result.answered += answered;
        result.failed += failed;
    }
    result.per_second = result.answered as f64 / started.elapsed().as_secs_f64();
    result.server_cpu_micros =
        (server_cpu_seconds() - cpu_before) * 1e6 / result.answered.max(1) as f64;
    result
}

#[derive(Debug, Default)]
pub struct Latencies {
    /// Microseconds from each request's scheduled time to its complete answer, sorted.
    pub micros: Vec<u64>,
    pub failed: u64,
}

impl Latencies {
    /// Milliseconds at `quantile` (0 to 1).
    pub fn at(&self, quantile: f64) -> f64 {
        if self.micros.is_empty() {
            return f64::NAN;
        }
        let index = ((self.micros.len() as f64 * quantile) as usize).min(self.micros.len() - 1);
        self.micros[index] as f64 / 1000.0
    }

    pub fn max(&self) -> f64 {
        self.micros.last().copied().unwrap_or_default() as f64 / 1000.0
    }
}

/// Open loop: request `n` is due at `start + n / rate`, worker `n % connections` sends it.
pub async fn fixed_rate(
    target: &Target,
    rate: u64,
    connections: usize,
    length: Duration,
) -> Latencies {
    let total = rate * length.as_secs();
    let gap = Duration::from_secs_f64(1.0 / rate as f64);
    let start = tokio::time::Instant::now() + Duration::from_millis(50);
    let workers: Vec<_> = (0..connections)
        .map(|worker| {
            let target = target.clone();
            tokio::spawn(async move {
                let mut sender = connect(target.addr).await;
                let mut latencies = Vec::new();
                let mut failed = 0;
                let mut n = worker as u64;
                while n < total {
                    let due = start + gap * u32::try_from(n).unwrap();
                    // A request sent late because the previous one on this connection was slow counts from when
                    // it was due; one sent late because the timer (millisecond-grained) woke late counts from
                    // when it left: that lateness is the client's, not the server's.
                    let since = if tokio::time::Instant::now() < due {
                        tokio::time::sleep_until(due).await;
                        tokio::time::Instant::now()
                    } else {
                        due
                    };
                    let body = &target.bodies[n as usize % target.bodies.len()];
                    if send(&mut sender, &target, body).await.is_err() {
                        failed += 1;
                        sender = connect(target.addr).await;
                    }
                    latencies.push(u64::try_from(since.elapsed().as_micros()).unwrap_or(u64::MAX));
                    n += connections as u64;
                }
                (latencies, failed)
            })
        })
        .collect();
    let mut result = Latencies::default();
    for worker in workers {
        let (latencies, failed) = worker.await.unwrap();
        result.micros.extend(latencies);
        result.failed += failed;
    }
    result.micros.sort_unstable();
    result
}

/// Warms up, saturates, then holds the fixed rate; prints both and returns them.
pub async fn measure(
    name: &str,
    target: &Target,
    options: &LoadOptions,
) -> (Saturation, Latencies) {
    // Warm-up: connections, caches, the database's pages.
    saturate(target, options.connections, Duration::from_secs(2)).await;
    let saturation = if options.latency_only {
        Saturation {
            per_second: f64::NAN,
            ..Saturation::default()
        }
    } else {
        saturate(
            target,
            options.connections,
            Duration::from_secs(options.seconds),
        )
        .await
    };
    println!(
        "{name}: saturation with {} connections over {} s: {:.0} req/s ({} answered, {} failed), server CPU {:.0} µs per request",
        options.connections,
        options.seconds,
        saturation.per_second,
        saturation.answered,
        saturation.failed,
        saturation.server_cpu_micros,
    );
    let latencies = fixed_rate(
        target,
        options.rate,
        options.connections,
        Duration::from_secs(options.seconds),
    )
    .await;
    println!(
        "{name}: {} req/s for {} s: {} answered, {} failed; p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        options.rate,
        options.seconds,
        latencies.micros.len(),
        latencies.failed,
        latencies.at(0.50),
        latencies.at(0.90),
        latencies.at(0.99),
        latencies.max(),
    );
    (saturation, latencies)
}

/// Sends `count` requests for `target`, 32 at a time, each on its own connection that is closed before the answer
/// is read, a random 0–4 ms after sending, as a browser that leaves mid-render does: the page's tasks must end
/// quietly when their request is gone.
pub async fn abandon(target: &Target, count: usize) {
    use tokio::io::AsyncWriteExt;
    let mut request = format!(
        "{} {} HTTP/1.1\r\nhost: {}\r\n",
        target.method, target.path, target.addr
    );
    for (name, value) in &target.headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    let request = Arc::new(request);
    let mut left = count;
    while left > 0 {
        let batch = left.min(32);
        left -= batch;
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..batch {
            let request = request.clone();
            let addr = target.addr;
            tasks.spawn(async move {
                let Ok(mut stream) = TcpStream::connect(addr).await else {
                    return;
                };
                if stream.write_all(request.as_bytes()).await.is_ok() {
                    let wait = rand::random::<u64>() % 4_000;
                    tokio::time::sleep(Duration::from_micros(wait)).await;
                }
                // A zero linger closes with a reset, as a closed tab does; tokio deprecates `set_linger` for the
                // blocking close a non-zero linger makes, which a zero one does not.
                #[allow(deprecated)]
                let _ = stream.set_linger(Some(Duration::ZERO));
            });
        }
        while tasks.join_next().await.is_some() {}
    }
}

/// The process's peak resident set size in MiB (`VmHWM`), or NaN where `/proc` does not say.
pub fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|rest| {
                    rest.trim()
                        .trim_end_matches("kB")
                        .trim()
                        .parse::<f64>()
                        .ok()
                })
        })
        .map_or(f64::NAN, |kib| kib / 1024.0)
}
