use argon2::{
    password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString},
    Algorithm, Argon2, Params, Version,
};
use std::sync::{Arc, OnceLock};
use tokio::sync::Semaphore;

use crate::domain::NewPassword;

/// Argon2id with the OWASP minimum (19 MiB, 2 passes, 1 lane).
pub const MEMORY_KIB: u32 = 19 * 1024;
pub const PASSES: u32 = 2;
pub const LANES: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("password hashing failed: {0}")]
    Argon2(String),
    #[error("the password hashing task was cancelled")]
    Cancelled,
}

/// What checking a password found out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verification {
    pub matches: bool,
    /// The stored hash uses other parameters than today's: store a fresh one now that the password is known.
    pub needs_rehash: bool,
}

/// Hashes and verifies passwords off the async threads, with at most `concurrency` at once: each takes 19 MiB and
/// tens of milliseconds of one core, so an unbounded burst of logins would exhaust memory and starve every other
/// request.
#[derive(Debug, Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
}

fn argon2() -> Result<Argon2<'static>, HashError> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None)
        .map_err(|e| HashError::Argon2(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

fn hash_now(password: &str) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    argon2()?
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| HashError::Argon2(e.to_string()))
}

/// A hash of a password nobody has, verified against when the account does not exist, so that an unknown email
/// costs the same time as a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_now("no account has this password, ever").unwrap_or_default())
}

fn verify_now(password: &str, stored: Option<&str>) -> Verification {
    let (stored, known) = match stored {
        Some(stored) => (stored, true),
        None => (dummy_hash(), false),
    };
    let Ok(parsed) = PasswordHash::new(stored) else {
        return Verification {
            matches: false,
            needs_rehash: false,
        };
    };
    let matches = argon2()
        .is_ok_and(|argon2| argon2.verify_password(password.as_bytes(), &parsed).is_ok())
        && known;
    let current = Params::try_from(&parsed).ok().is_some_and(|params| {
        parsed.algorithm.as_str() == "argon2id"
            && params.m_cost() == MEMORY_KIB
            && params.t_cost() == PASSES
            && params.p_cost() == LANES
    });
    Verification {
        matches,
        needs_rehash: matches && !current,
    }
}

impl PasswordHasher {
    pub fn new(concurrency: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
        }
    }

    pub async fn hash(&self, password: &NewPassword) -> Result<String, HashError> {
        let password = password.expose().to_owned();
        self.run(move || hash_now(&password)).await?
    }

    /// Checks `password` against `stored`, or against a dummy hash when there is no account (`None`), taking the same
    /// time either way. Never matches without an account.
    pub async fn verify(
        &self,
        password: &str,
        stored: Option<&str>,
    ) -> Result<Verification, HashError> {
        let password = password.to_owned();
        let stored = stored.map(str::to_owned);
        self.run(move || verify_now(&password, stored.as_deref()))
            .await
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| HashError::Cancelled)?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|_| HashError::Cancelled)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn password(text: &str) -> NewPassword {
        NewPassword::parse(text).unwrap()
    }

    #[tokio::test]
    async fn a_hash_is_argon2id_with_owasp_parameters_and_verifies() {
        let hasher = PasswordHasher::new(2);
        let hash = hasher
            .hash(&password("correct horse battery staple"))
            .await
            .unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        let right = hasher
            .verify("correct horse battery staple", Some(&hash))
            .await
            .unwrap();
        assert_eq!(
            right,
            Verification {
                matches: true,
                needs_rehash: false
            }
        );
        let wrong = hasher
            .verify("correct horse battery stapler", Some(&hash))
            .await
            .unwrap();
        assert!(!wrong.matches);
    }

    #[tokio::test]
    async fn no_account_never_matches_even_with_the_dummy_password() {
        let hasher = PasswordHasher::new(1);
        let verification = hasher
            .verify("no account has this password, ever", None)
            .await
            .unwrap();
        assert!(!verification.matches);
    }

    #[tokio::test]
    async fn an_old_parameter_set_asks_for_a_rehash_once_verified() {
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8 * 1024, 1, 1, None).unwrap(),
        );
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        let old = weak
            .hash_password(b"an older password hash", &salt)
            .unwrap()
            .to_string();
        let hasher = PasswordHasher::new(1);
        let verification = hasher
            .verify("an older password hash", Some(&old))
            .await
            .unwrap();
        assert_eq!(
            verification,
            Verification {
                matches: true,
                needs_rehash: true
            }
        );
        let wrong = hasher
            .verify("not the password at all", Some(&old))
            .await
            .unwrap();
        assert_eq!(
            wrong,
            Verification {
                matches: false,
                needs_rehash: false
            }
        );
    }

    #[tokio::test]
    async fn a_garbled_stored_hash_does_not_match() {
        let hasher = PasswordHasher::new(1);
        assert!(
            !hasher
                .verify("whatever password", Some("not a phc string"))
                .await
                .unwrap()
                .matches
        );
    }
}
