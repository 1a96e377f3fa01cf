//! The checkpoint signing key: from configuration, or made once and kept in the data directory so that a first
//! run signs from the start.

use base64::{engine::general_purpose::STANDARD, Engine};
use ed25519_dalek::{SigningKey, VerifyingKey};
use secrecy::ExposeSecret;
use std::path::{Path, PathBuf};

use super::AuditSettings;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the audit key is malformed: a signing key is the base64 of 32 bytes, a public key 64 hex digits")]
    Malformed,
    #[error("cannot read the audit signing key file {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot create the audit signing key file {path}")]
    Create {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

pub fn parse_key(text: &str) -> Result<SigningKey, KeyError> {
    let bytes = STANDARD
        .decode(text.trim())
        .map_err(|_| KeyError::Malformed)?;
    let seed: [u8; 32] = bytes.try_into().map_err(|_| KeyError::Malformed)?;
    Ok(SigningKey::from_bytes(&seed))
}

pub fn parse_public_key(text: &str) -> Result<VerifyingKey, KeyError> {
    let bytes: [u8; 32] = hex::decode(text.trim())
        .map_err(|_| KeyError::Malformed)?
        .try_into()
        .map_err(|_| KeyError::Malformed)?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| KeyError::Malformed)
}

pub fn encode_public_key(key: &VerifyingKey) -> String {
    hex::encode(key.as_bytes())
}

/// The configured key; with none configured, the key file, made now if it does not exist yet.
pub fn load_or_create(settings: &AuditSettings, data_dir: &Path) -> Result<SigningKey, KeyError> {
    if let Some(key) = &settings.audit_signing_key {
        return parse_key(key.expose_secret());
    }
    let path = settings.key_file(data_dir);
    match std::fs::read_to_string(&path) {
        Ok(text) => parse_key(&text),
        Err(error)
            if error.kind() == std::io::ErrorKind::NotFound
                && settings.audit_signing_key_file.is_none() =>
        {
            create(&path)
        }
        Err(source) => Err(KeyError::Read { path, source }),
    }
}

/// Reads an existing key only: verifying must never make a key of its own.
pub fn load(settings: &AuditSettings, data_dir: &Path) -> Result<SigningKey, KeyError> {
    if let Some(key) = &settings.audit_signing_key {
        return parse_key(key.expose_secret());
    }
    let path = settings.key_file(data_dir);
    let text = std::fs::read_to_string(&path).map_err(|source| KeyError::Read { path, source })?;
    parse_key(&text)
}

fn create(path: &Path) -> Result<SigningKey, KeyError> {
    let failed = |source| KeyError::Create {
        path: path.to_owned(),
        source,
    };
    let key = SigningKey::generate(&mut rand::rngs::OsRng);
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(failed)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(failed)?;
    std::io::Write::write_all(
        &mut file,
        format!("{}\n", STANDARD.encode(key.to_bytes())).as_bytes(),
    )
    .map_err(failed)?;
    file.sync_all().map_err(failed)?;
    tracing::warn!(
        path = %path.display(),
        public_key = %encode_public_key(&key.verifying_key()),
        "no audit signing key configured: made one; keep a copy of its public key away from this machine"
    );
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_made_key_is_read_back_and_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let settings = AuditSettings::default();
        let made = load_or_create(&settings, dir.path()).unwrap();
        let again = load_or_create(&settings, dir.path()).unwrap();
        assert_eq!(made.to_bytes(), again.to_bytes());
        assert_eq!(
            load(&settings, dir.path()).unwrap().to_bytes(),
            made.to_bytes()
        );
    }

    #[test]
    fn verifying_never_makes_a_key() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            load(&AuditSettings::default(), dir.path()),
            Err(KeyError::Read { .. })
        ));
        assert!(!dir.path().join("audit-signing.key").exists());
    }

    #[test]
    fn a_malformed_key_is_refused() {
        for text in ["", "not base64!", "AAAA"] {
            assert!(
                matches!(parse_key(text), Err(KeyError::Malformed)),
                "{text}"
            );
        }
    }
}
