//! Time-based one-time passwords (RFC 6238: SHA-1, 6 digits, 30 s), each accepted once.

use chrono::{DateTime, Utc};
use qrcode::{render::svg, QrCode};
use totp_rs::{Algorithm, Secret, TOTP};

const ISSUER: &str = "Portail de confidentialité";
const STEP_SECS: i64 = 30;
/// One step either side absorbs clock drift and the time it takes to type the code.
const SKEW_STEPS: i64 = 1;

#[derive(Debug, thiserror::Error)]
#[error("the stored second-factor secret is unusable")]
pub struct BadSecret;

/// A new random secret (160 bits), base32-encoded as authenticator apps expect.
pub fn new_secret() -> String {
    match Secret::generate_secret().to_encoded() {
        Secret::Encoded(encoded) => encoded,
        Secret::Raw(raw) => Secret::Raw(raw).to_string(),
    }
}

fn totp(secret_base32: &str, account: &str) -> Result<TOTP, BadSecret> {
    let bytes = Secret::Encoded(secret_base32.to_owned())
        .to_bytes()
        .map_err(|_| BadSecret)?;
    TOTP::new(
        Algorithm::SHA1,
        6,
        0,
        STEP_SECS as u64,
        bytes,
        Some(ISSUER.to_owned()),
        account.to_owned(),
    )
    .map_err(|_| BadSecret)
}

/// The `otpauth://` address an authenticator app scans, and the same as an SVG QR code.
pub fn enrolment(secret_base32: &str, account: &str) -> Result<(String, String), BadSecret> {
    let url = totp(secret_base32, account)?.get_url();
    let svg = QrCode::new(url.as_bytes())
        .map_err(|_| BadSecret)?
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build();
    Ok((url, svg))
}

/// The time step a code was valid for, if it is valid at `now` and newer than `last_used_step`: a code that was
/// already accepted once (or any older one) is refused, so an overheard code cannot be replayed.
pub fn accept(
    secret_base32: &str,
    code: &str,
    now: DateTime<Utc>,
    last_used_step: Option<i64>,
) -> Result<Option<i64>, BadSecret> {
    let totp = totp(secret_base32, "")?;
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let current = now.timestamp().div_euclid(STEP_SECS);
    let found = (current - SKEW_STEPS..=current + SKEW_STEPS)
        .filter(|step| *step >= 0)
        .find(|step| {
            same(
                totp.generate((*step * STEP_SECS) as u64).as_bytes(),
                code.as_bytes(),
            )
        });
    Ok(found.filter(|step| last_used_step.is_none_or(|last| *step > last)))
}

/// The code valid at `at`, for tests and for the demo accounts' documentation.
pub fn code_at(secret_base32: &str, at: DateTime<Utc>) -> Result<String, BadSecret> {
    Ok(totp(secret_base32, "")?.generate(at.timestamp().max(0) as u64))
}

/// Compares without stopping at the first difference, so timing says nothing about how much of a code was right.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0_u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

    fn at(seconds: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + seconds, 0)
            .single()
            .unwrap()
    }

    #[test]
    fn a_current_code_is_accepted_once() {
        let code = code_at(SECRET, at(0)).unwrap();
        let step = accept(SECRET, &code, at(0), None)
            .unwrap()
            .expect("accepted");
        assert_eq!(
            accept(SECRET, &code, at(1), Some(step)).unwrap(),
            None,
            "replay refused"
        );
    }

    #[test]
    fn neighbouring_steps_are_tolerated_and_older_ones_are_not() {
        let code = code_at(SECRET, at(0)).unwrap();
        assert!(
            accept(SECRET, &code, at(30), None).unwrap().is_some(),
            "one step late"
        );
        assert!(
            accept(SECRET, &code, at(-30), None).unwrap().is_some(),
            "one step early"
        );
        assert_eq!(
            accept(SECRET, &code, at(95), None).unwrap(),
            None,
            "three steps late"
        );
    }

    #[test]
    fn a_code_older_than_the_last_accepted_one_is_refused() {
        let older = code_at(SECRET, at(0)).unwrap();
        let newer = code_at(SECRET, at(30)).unwrap();
        let step = accept(SECRET, &newer, at(30), None).unwrap().unwrap();
        assert_eq!(accept(SECRET, &older, at(30), Some(step)).unwrap(), None);
    }

    #[test]
    fn malformed_codes_are_refused_without_error() {
        for typed in ["", "12345", "1234567", "abcdef"] {
            assert_eq!(
                accept(SECRET, typed, at(0), None).unwrap(),
                None,
                "{typed:?}"
            );
        }
        let spaced = code_at(SECRET, at(0)).unwrap();
        let spaced = format!("{} {}", &spaced[..3], &spaced[3..]);
        assert!(
            accept(SECRET, &spaced, at(0), None).unwrap().is_some(),
            "spaces as apps show them are fine"
        );
    }

    #[test]
    fn enrolment_gives_a_scannable_address_and_picture() {
        let secret = new_secret();
        let (url, svg) = enrolment(&secret, "camille.rey@staff.portal.example").unwrap();
        assert!(url.starts_with("otpauth://totp/"), "{url}");
        assert!(url.contains(&format!("secret={secret}")));
        assert!(svg.contains("<svg"));
        assert!(enrolment("not base32!", "x").is_err());
    }
}
