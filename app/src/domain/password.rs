use std::fmt;

use super::InvalidInput;

/// A password someone chose, accepted by length alone (NIST SP 800-63B, OWASP ASVS 5.0: 12 to 128 characters, no
/// composition rules). Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl NewPassword {
    pub const MIN_CHARS: usize = 12;
    pub const MAX_CHARS: usize = 128;

    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let chars = raw.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(InvalidInput::new(
                "password",
                "must be at least 12 characters long",
            ));
        }
        if chars > Self::MAX_CHARS {
            return Err(InvalidInput::new(
                "password",
                "must be at most 128 characters long",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_the_only_rule_and_it_counts_characters() {
        assert!(NewPassword::parse("elevenchars").is_err());
        assert!(NewPassword::parse("twelve chars").is_ok());
        assert!(
            NewPassword::parse("àéîõüàéîõüàé").is_ok(),
            "12 characters even if more bytes"
        );
        assert!(NewPassword::parse(&"x".repeat(128)).is_ok());
        assert!(NewPassword::parse(&"x".repeat(129)).is_err());
        assert!(
            NewPassword::parse("            ").is_ok(),
            "no composition rules, spaces allowed"
        );
    }

    #[test]
    fn debug_output_hides_the_password() {
        let password = NewPassword::parse("correct horse battery").map(|p| format!("{p:?}"));
        assert_eq!(password.as_deref(), Ok("NewPassword(…)"));
    }
}
