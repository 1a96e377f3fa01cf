//! The security baseline every response goes through: browser hardening headers with a per-response CSP nonce,
//! refusal of state-changing requests that a portal page did not send, and the client address behind trusted
//! proxies.

mod client_ip;
mod csrf;
mod headers;

pub use client_ip::{client_ip, record_client_ip, ClientIp};
pub use csrf::{comes_from_portal, is_csrf_exempt, CsrfGuard, CsrfLayer, CSRF_REFUSAL};
pub use headers::{
    apply_security_headers, content_security_policy, provide_csp_nonce, security_headers, CspNonce,
};

use std::sync::Arc;

use crate::settings::Settings;

/// What the security middleware needs from the settings, converted once when the router is built.
#[derive(Clone, Debug)]
pub struct SecurityPolicy {
    public_origin: Arc<str>,
    https: bool,
    trusted_proxies: Arc<[ipnet::IpNet]>,
}

impl SecurityPolicy {
    pub fn from_settings(settings: &Settings) -> Self {
        // `Settings::load` already refused a bad list; settings built another way fall back to trusting no proxy,
        // which can only make addresses less precise, never spoofable.
        let trusted_proxies = settings.trusted_proxy_ranges().unwrap_or_else(|error| {
            tracing::error!(%error, "ignoring the trusted proxy list");
            Vec::new()
        });
        Self::new(
            settings.public_origin(),
            settings.is_https(),
            trusted_proxies,
        )
    }

    pub fn new(
        public_origin: impl Into<Arc<str>>,
        https: bool,
        trusted_proxies: Vec<ipnet::IpNet>,
    ) -> Self {
        Self {
            public_origin: public_origin.into(),
            https,
            trusted_proxies: trusted_proxies.into(),
        }
    }
}
