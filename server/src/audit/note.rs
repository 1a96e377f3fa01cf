//! Checkpoints of the audit log's Merkle tree as C2SP signed notes (c2sp.org/tlog-checkpoint): the origin line,
//! the tree size and the base64 root, signed twice with the operator's Ed25519 key under the origin's name — a
//! plain note signature (type 0x01), which every transparency-log tool checks, and a timestamped one in the
//! c2sp.org/tlog-cosignature form (type 0x04), which carries the time of signing.

use base64::{engine::general_purpose::STANDARD, Engine};
use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

use app::domain::merkle::Hash;

const ED25519: u8 = 0x01;
const TIMESTAMPED_ED25519: u8 = 0x04;

/// A checkpoint whose signatures were checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeCheckpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
    /// Whole seconds, as the timestamped signature carries it.
    pub signed_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("the checkpoint is not a signed note: {0}")]
    Malformed(&'static str),
    #[error("the checkpoint is for the log {found:?}, not {expected:?}")]
    OtherLog { expected: String, found: String },
    #[error("the checkpoint has no valid signature by the given key")]
    NotSigned,
}

/// The note's signed body: origin, size and root, each on its line.
pub fn body(origin: &str, size: u64, root: &Hash) -> String {
    format!("{origin}\n{size}\n{}\n", STANDARD.encode(root))
}

fn key_id(name: &str, kind: u8, key: &VerifyingKey) -> [u8; 4] {
    let mut hasher = Sha256::new();
    hasher.update(name.as_bytes());
    hasher.update(b"\n");
    hasher.update([kind]);
    hasher.update(key.as_bytes());
    let digest = hasher.finalize();
    [digest[0], digest[1], digest[2], digest[3]]
}

/// The key as a signed-note verifier key (`name+keyid+base64(type ‖ key)`), the form transparency-log tools read.
pub fn verifier_key(name: &str, key: &VerifyingKey) -> String {
    let mut typed = vec![ED25519];
    typed.extend_from_slice(key.as_bytes());
    format!(
        "{name}+{}+{}",
        hex::encode(key_id(name, ED25519, key)),
        STANDARD.encode(typed)
    )
}

fn timestamped_message(seconds: u64, body: &str) -> String {
    format!("cosignature/v1\ntime {seconds}\n{body}")
}

/// The whole signed note for the tree of `size` leaves with `root`, signed now.
pub fn sign(key: &SigningKey, origin: &str, size: u64, root: &Hash, now: DateTime<Utc>) -> String {
    let body = body(origin, size, root);
    let public = key.verifying_key();
    let mut plain = key_id(origin, ED25519, &public).to_vec();
    plain.extend_from_slice(&key.sign(body.as_bytes()).to_bytes());
    let seconds = now.timestamp().max(0) as u64;
    let mut stamped = key_id(origin, TIMESTAMPED_ED25519, &public).to_vec();
    stamped.extend_from_slice(&seconds.to_be_bytes());
    stamped.extend_from_slice(
        &key.sign(timestamped_message(seconds, &body).as_bytes())
            .to_bytes(),
    );
    format!(
        "{body}\n\u{2014} {origin} {}\n\u{2014} {origin} {}\n",
        STANDARD.encode(plain),
        STANDARD.encode(stamped)
    )
}

/// Reads a note and checks both signatures by `key` under the note's own origin (or `origin`, when the reader knows
/// which log it expects). Signature lines of other keys are ignored, as the signed-note format asks.
pub fn open(
    note: &str,
    key: &VerifyingKey,
    origin: Option<&str>,
) -> Result<TreeCheckpoint, NoteError> {
    let split = note
        .rfind("\n\n")
        .ok_or(NoteError::Malformed("no blank line before the signatures"))?;
    let (body, signatures) = (&note[..=split], &note[split + 2..]);
    let mut lines = body.lines();
    let found_origin = lines.next().filter(|line| !line.is_empty());
    let size = lines.next().and_then(|line| {
        (line == "0" || !line.starts_with('0')).then(|| line.parse::<u64>().ok())?
    });
    let root = lines
        .next()
        .and_then(|line| STANDARD.decode(line).ok())
        .and_then(|bytes| Hash::try_from(bytes).ok());
    let (Some(found_origin), Some(size), Some(root)) = (found_origin, size, root) else {
        return Err(NoteError::Malformed(
            "the body is not origin, size and root hash",
        ));
    };
    if let Some(expected) = origin.filter(|expected| *expected != found_origin) {
        return Err(NoteError::OtherLog {
            expected: expected.to_owned(),
            found: found_origin.to_owned(),
        });
    }
    let plain_id = key_id(found_origin, ED25519, key);
    let stamped_id = key_id(found_origin, TIMESTAMPED_ED25519, key);
    let (mut plain_ok, mut stamped_at) = (false, None);
    for line in signatures.lines() {
        let Some((name, encoded)) = line
            .strip_prefix("\u{2014} ")
            .and_then(|rest| rest.rsplit_once(' '))
        else {
            return Err(NoteError::Malformed(
                "a signature line is not \"— name signature\"",
            ));
        };
        let Ok(bytes) = STANDARD.decode(encoded) else {
            return Err(NoteError::Malformed("a signature is not base64"));
        };
        if name != found_origin || bytes.len() < 4 {
            continue;
        }
        let (id, rest) = bytes.split_at(4);
        if id == plain_id {
            let signature = Signature::from_slice(rest).map_err(|_| NoteError::NotSigned)?;
            key.verify(body.as_bytes(), &signature)
                .map_err(|_| NoteError::NotSigned)?;
            plain_ok = true;
        } else if id == stamped_id && rest.len() == 8 + 64 {
            let (seconds, signature) = rest.split_at(8);
            let seconds = u64::from_be_bytes(seconds.try_into().map_err(|_| NoteError::NotSigned)?);
            let signature = Signature::from_slice(signature).map_err(|_| NoteError::NotSigned)?;
            key.verify(timestamped_message(seconds, body).as_bytes(), &signature)
                .map_err(|_| NoteError::NotSigned)?;
            stamped_at = i64::try_from(seconds)
                .ok()
                .and_then(|seconds| DateTime::from_timestamp(seconds, 0));
        }
    }
    match (plain_ok, stamped_at) {
        (true, Some(signed_at)) => Ok(TreeCheckpoint {
            origin: found_origin.to_owned(),
            size,
            root,
            signed_at,
        }),
        _ => Err(NoteError::NotSigned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    fn at() -> DateTime<Utc> {
        DateTime::from_timestamp(1_796_000_000, 0).unwrap()
    }

    #[test]
    fn a_signed_checkpoint_opens_with_its_key_only() {
        let note = sign(&key(1), "portal.example.ch/audit-log", 42, &[7; 32], at());
        let opened = open(
            &note,
            &key(1).verifying_key(),
            Some("portal.example.ch/audit-log"),
        )
        .unwrap();
        assert_eq!(
            opened,
            TreeCheckpoint {
                origin: "portal.example.ch/audit-log".into(),
                size: 42,
                root: [7; 32],
                signed_at: at(),
            }
        );
        assert_eq!(
            open(&note, &key(2).verifying_key(), None),
            Err(NoteError::NotSigned)
        );
        assert!(matches!(
            open(&note, &key(1).verifying_key(), Some("other.example/log")),
            Err(NoteError::OtherLog { .. })
        ));
    }

    #[test]
    fn the_note_has_the_c2sp_shape() {
        let note = sign(&key(1), "portal.example.ch/audit-log", 3, &[0; 32], at());
        let lines: Vec<&str> = note.lines().collect();
        assert_eq!(
            lines[..4],
            [
                "portal.example.ch/audit-log",
                "3",
                "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
                ""
            ]
        );
        assert_eq!(lines.len(), 6);
        assert!(lines[4].starts_with("\u{2014} portal.example.ch/audit-log "));
        assert!(note.ends_with('\n'));
    }

    #[test]
    fn an_edited_note_is_refused() {
        let note = sign(&key(1), "log.example/a", 42, &[7; 32], at());
        let public = key(1).verifying_key();
        let grown = note.replacen("\n42\n", "\n43\n", 1);
        assert_eq!(open(&grown, &public, None), Err(NoteError::NotSigned));
        let mut lines: Vec<String> = note.lines().map(str::to_owned).collect();
        let stamped = STANDARD
            .decode(lines[5].rsplit_once(' ').unwrap().1)
            .unwrap();
        let mut later = stamped.clone();
        later[11] ^= 1;
        lines[5] = format!("\u{2014} log.example/a {}", STANDARD.encode(later));
        assert_eq!(
            open(&(lines.join("\n") + "\n"), &public, None),
            Err(NoteError::NotSigned)
        );
        let without_time: String = note
            .lines()
            .take(5)
            .map(|line| format!("{line}\n"))
            .collect();
        assert_eq!(
            open(&without_time, &public, None),
            Err(NoteError::NotSigned)
        );
        // A line added by someone else's key is ignored, as signed notes require.
        let witnessed = format!(
            "{note}\u{2014} witness.example/w1 {}\n",
            STANDARD.encode([1_u8; 68])
        );
        assert!(open(&witnessed, &public, None).is_ok());
    }
}
