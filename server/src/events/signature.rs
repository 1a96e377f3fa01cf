//! Signatures in the Standard Webhooks style (<https://www.standardwebhooks.com>): the headers `webhook-id`,
//! `webhook-timestamp` and `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, with a secret
//! written `whsec_<base64>`. Any of that specification's libraries verifies them; [`Verifier`] is the example a
//! receiver can follow, and the one the tests use.

use base64::{engine::general_purpose::STANDARD, Engine};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use std::collections::HashSet;

const SECRET_PREFIX: &str = "whsec_";

/// A fresh endpoint secret: 32 random bytes.
pub fn new_secret() -> String {
    let mut key = [0_u8; 32];
    rand::thread_rng().fill_bytes(&mut key);
    format!("{SECRET_PREFIX}{}", STANDARD.encode(key))
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the secret is not whsec_ followed by base64")]
    BadSecret,
    #[error("a webhook-id, webhook-timestamp or webhook-signature header is missing or malformed")]
    MissingHeader,
    #[error(
        "the timestamp is more than the tolerance away from now: a replay, or a clock out of step"
    )]
    Stale,
    #[error("no signature matches the body")]
    Mismatch,
    #[error("this webhook-id was already received")]
    Replayed,
}

fn key(secret: &str) -> Result<Vec<u8>, SignatureError> {
    let encoded = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
    STANDARD
        .decode(encoded)
        .map_err(|_| SignatureError::BadSecret)
}

fn mac(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> Result<Hmac<Sha256>, SignatureError> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).map_err(|_| SignatureError::BadSecret)?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Ok(mac)
}

/// The `webhook-signature` header's value for one delivery.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Result<String, SignatureError> {
    let signature = mac(&key(secret)?, id, timestamp, body)?
        .finalize()
        .into_bytes();
    Ok(format!("v1,{}", STANDARD.encode(signature)))
}

/// The three headers of a delivery, as a receiver reads them.
#[derive(Debug, Clone, Copy)]
pub struct Headers<'a> {
    pub id: Option<&'a str>,
    pub timestamp: Option<&'a str>,
    pub signature: Option<&'a str>,
}

/// A receiver's check: the signature over id, timestamp and body, the timestamp within `tolerance_secs` of now,
/// and each id taken once (a retry of a delivery the receiver already processed comes with the same id).
#[derive(Debug)]
pub struct Verifier {
    key: Vec<u8>,
    tolerance_secs: i64,
    seen: HashSet<String>,
}

impl Verifier {
    pub fn new(secret: &str, tolerance_secs: i64) -> Result<Self, SignatureError> {
        Ok(Self {
            key: key(secret)?,
            tolerance_secs,
            seen: HashSet::new(),
        })
    }

    /// Accepts a delivery once; `now` is the receiver's clock in Unix seconds.
    pub fn verify(
        &mut self,
        headers: Headers<'_>,
        body: &[u8],
        now: i64,
    ) -> Result<(), SignatureError> {
        let id = headers.id.ok_or(SignatureError::MissingHeader)?;
        let timestamp: i64 = headers
            .timestamp
            .and_then(|raw| raw.trim().parse().ok())
            .ok_or(SignatureError::MissingHeader)?;
        let signatures = headers.signature.ok_or(SignatureError::MissingHeader)?;
        if (now - timestamp).abs() > self.tolerance_secs {
            return Err(SignatureError::Stale);
        }
        let expected = mac(&self.key, id, timestamp, body)?;
        // The header may hold several space-separated signatures (a secret being rotated): one match suffices.
        let matches = signatures.split(' ').any(|candidate| {
            candidate
                .strip_prefix("v1,")
                .and_then(|encoded| STANDARD.decode(encoded).ok())
                .is_some_and(|signature| expected.clone().verify_slice(&signature).is_ok())
        });
        if !matches {
            return Err(SignatureError::Mismatch);
        }
        if !self.seen.insert(id.to_owned()) {
            return Err(SignatureError::Replayed);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers<'a>(id: &'a str, timestamp: &'a str, signature: &'a str) -> Headers<'a> {
        Headers {
            id: Some(id),
            timestamp: Some(timestamp),
            signature: Some(signature),
        }
    }

    #[test]
    fn matches_the_standard_webhooks_reference_vector() {
        // The example of the Standard Webhooks specification (its libraries' tests use the same values).
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = br#"{"test": 2432232314}"#;
        let signature = sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1_614_265_330, body).unwrap();
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn a_receiver_accepts_a_delivery_once_and_refuses_edits_replays_and_old_ones() {
        let secret = new_secret();
        assert!(secret.starts_with("whsec_"));
        let body = br#"{"type":"grant.revoked"}"#;
        let signature = sign(&secret, "evt_1", 1_000, body).unwrap();
        let mut verifier = Verifier::new(&secret, 300).unwrap();
        let good = headers("evt_1", "1000", &signature);
        assert_eq!(
            verifier.verify(good, br#"{"type":"grant.created"}"#, 1_000),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verifier.verify(headers("evt_2", "1000", &signature), body, 1_000),
            Err(SignatureError::Mismatch),
            "the id is signed"
        );
        assert_eq!(
            verifier.verify(headers("evt_1", "1001", &signature), body, 1_000),
            Err(SignatureError::Mismatch),
            "the timestamp is signed"
        );
        assert_eq!(
            verifier.verify(good, body, 1_301),
            Err(SignatureError::Stale)
        );
        assert_eq!(verifier.verify(good, body, 1_100), Ok(()));
        assert_eq!(
            verifier.verify(good, body, 1_100),
            Err(SignatureError::Replayed)
        );
        let other = Verifier::new(&new_secret(), 300)
            .unwrap()
            .verify(good, body, 1_000);
        assert_eq!(
            other,
            Err(SignatureError::Mismatch),
            "another endpoint's secret"
        );
    }
}
