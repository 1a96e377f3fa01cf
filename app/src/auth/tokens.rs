//! One-time secrets handed to people (reset links, recovery codes): random, shown once, stored only as a hash.

use rand::{distributions::Alphanumeric, Rng};
use sha2::{Digest, Sha256};

/// A token with 256 bits of entropy for a link, and the hash to store.
pub fn new_link_token() -> (String, String) {
    let bytes: [u8; 32] = rand::random();
    let token = hex::encode(bytes);
    let hash = hash_secret(&token);
    (token, hash)
}

/// Tokens and recovery codes are high-entropy, so a plain SHA-256 is enough: there is nothing to brute-force.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Ten recovery codes of the form `abcde-fghij` (about 59 bits each), easy to read out and type.
pub fn new_recovery_codes() -> Vec<String> {
    let mut rng = rand::thread_rng();
    (0..10)
        .map(|_| {
            let raw: String = (&mut rng)
                .sample_iter(&Alphanumeric)
                .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                .take(10)
                .map(char::from)
                .collect();
            format!("{}-{}", &raw[..5], &raw[5..])
        })
        .collect()
}

/// Recovery codes are compared without case, spaces or dashes, as people type them.
pub fn normalise_recovery_code(typed: &str) -> String {
    typed
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

pub fn hash_recovery_code(code: &str) -> String {
    hash_secret(&normalise_recovery_code(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_tokens_are_unique_and_hash_to_their_stored_form() {
        let (a, a_hash) = new_link_token();
        let (b, _) = new_link_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(hash_secret(&a), a_hash);
        assert_ne!(a, a_hash);
    }

    #[test]
    fn recovery_codes_match_however_they_are_typed() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        let code = &codes[0];
        assert_eq!(code.len(), 11);
        let typed = format!(" {} ", code.to_uppercase().replace('-', " "));
        assert_eq!(hash_recovery_code(&typed), hash_recovery_code(code));
        assert_ne!(hash_recovery_code(&codes[1]), hash_recovery_code(code));
    }
}
