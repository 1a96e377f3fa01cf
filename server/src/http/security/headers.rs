//! Response headers that make browsers refuse what the portal never does: scripts it did not serve, being framed,
//! content sniffing, powerful device features, caching of personal pages, and (over TLS) plain HTTP.

use axum::{
    extract::{Request, State},
    http::{header, request::Parts, HeaderMap, HeaderName, HeaderValue, StatusCode},
    middleware::Next,
    response::Response,
};
use base64::Engine as _;
use leptos::{nonce::Nonce, prelude::provide_context};
use rand::RngCore as _;

use super::SecurityPolicy;

/// The nonce named by one response's Content-Security-Policy. The middleware puts it in the request extensions
/// before the handler runs, so that the page's inline hydration script can carry it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CspNonce(pub String);

impl CspNonce {
    /// 128 bits from the thread-local CSPRNG, in URL-safe base64 so that it needs no escaping in a header or an
    /// HTML attribute.
    pub fn generate() -> Self {
        let mut bytes = [0_u8; 16];
        rand::thread_rng().fill_bytes(&mut bytes);
        Self(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
    }
}

pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// Used only if a nonce ever fails to make a valid header value: inline scripts are then blocked rather than the
/// policy dropped.
const NONCELESS_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
     img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

const HSTS: &str = "max-age=63072000; includeSubDomains";

/// Sets the baseline headers on one response, replacing any a handler set. `cacheable` leaves `Cache-Control` to
/// the handler (static assets); everything else is `no-store`, since pages show personal data.
pub fn apply_security_headers(
    headers: &mut HeaderMap,
    nonce: &CspNonce,
    https: bool,
    cacheable: bool,
) {
    let policy = HeaderValue::try_from(content_security_policy(&nonce.0))
        .unwrap_or_else(|_| HeaderValue::from_static(NONCELESS_POLICY));
    headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    let fixed: [(HeaderName, &'static str); 5] = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=()",
        ),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    if !cacheable {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

/// Static assets may be cached as the file server says; an error under `/pkg/` is not, so that a file missing
/// for a moment during a deployment is not remembered as missing.
fn may_be_cached(static_asset: bool, status: StatusCode) -> bool {
    static_asset && !(status.is_client_error() || status.is_server_error())
}

fn is_static_asset(path: &str) -> bool {
    path.starts_with("/pkg/")
}

pub async fn security_headers(
    State(policy): State<SecurityPolicy>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce = CspNonce::generate();
    let static_asset = is_static_asset(request.uri().path());
    request.extensions_mut().insert(nonce.clone());
    let mut response = next.run(request).await;
    let cacheable = may_be_cached(static_asset, response.status());
    apply_security_headers(response.headers_mut(), &nonce, policy.https, cacheable);
    response
}

/// For the Leptos context: hands this response's nonce to Leptos, replacing the random one leptos_axum provides
/// itself, so that `<HydrationScripts>` marks its inline script with the nonce the CSP header names.
pub fn provide_csp_nonce() {
    let nonce = leptos::prelude::with_context::<Parts, _>(|parts| {
        parts.extensions.get::<CspNonce>().cloned()
    });
    if let Some(Some(CspNonce(nonce))) = nonce {
        provide_context(Nonce::from_value(nonce));
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use axum::{body::Body, middleware::from_fn_with_state, routing::get, Extension, Router};
    use tower::ServiceExt as _;

    fn applied(https: bool, cacheable: bool) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("max-age=60"),
        );
        apply_security_headers(&mut headers, &CspNonce("abc".into()), https, cacheable);
        headers
    }

    #[test]
    fn hsts_is_sent_only_over_https() {
        assert!(applied(false, false)
            .get(header::STRICT_TRANSPORT_SECURITY)
            .is_none());
        assert_eq!(
            applied(true, false)[header::STRICT_TRANSPORT_SECURITY],
            "max-age=63072000; includeSubDomains"
        );
    }

    #[test]
    fn the_policy_names_the_nonce_and_allows_no_inline_code() {
        let headers = applied(false, false);
        let policy = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(
            policy.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval';"),
            "{policy}"
        );
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
        assert!(!policy.contains("unsafe-inline"), "{policy}");
        assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(headers["cross-origin-opener-policy"], "same-origin");
    }

    #[test]
    fn an_unusable_nonce_blocks_inline_scripts_instead_of_dropping_the_policy() {
        let mut headers = HeaderMap::new();
        apply_security_headers(&mut headers, &CspNonce("bad\nnonce".into()), false, false);
        let policy = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(!policy.contains("nonce"), "{policy}");
        assert!(
            policy.contains("script-src 'self' 'wasm-unsafe-eval';"),
            "{policy}"
        );
    }

    #[test]
    fn only_cacheable_responses_keep_their_cache_control() {
        assert_eq!(applied(false, true)[header::CACHE_CONTROL], "max-age=60");
        assert_eq!(applied(false, false)[header::CACHE_CONTROL], "no-store");
        assert!(is_static_asset("/pkg/portal.css"));
        assert!(!is_static_asset("/healthz"));
        assert!(!is_static_asset("/pkgs/x"));
        assert!(may_be_cached(true, StatusCode::OK));
        assert!(may_be_cached(true, StatusCode::NOT_MODIFIED));
        assert!(!may_be_cached(true, StatusCode::NOT_FOUND));
        assert!(!may_be_cached(false, StatusCode::OK));
    }

    #[test]
    fn nonces_are_long_random_and_attribute_safe() {
        let first = CspNonce::generate().0;
        assert!(first.len() >= 22, "at least 128 bits: {first}");
        assert!(
            first
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "{first}"
        );
        assert_ne!(first, CspNonce::generate().0);
    }

    #[tokio::test]
    async fn the_handler_sees_the_nonce_the_header_names() {
        let app = Router::new()
            .route(
                "/",
                get(|Extension(nonce): Extension<CspNonce>| async move { nonce.0 }),
            )
            .layer(from_fn_with_state(
                SecurityPolicy::new("http://portal.test", false, Vec::new()),
                security_headers,
            ));
        let response = app
            .oneshot(axum::http::Request::new(Body::empty()))
            .await
            .unwrap();
        let policy = response.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_owned();
        let body = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .unwrap();
        let nonce = String::from_utf8(body.to_vec()).unwrap();
        assert!(
            policy.contains(&format!("'nonce-{nonce}'")),
            "{policy} / {nonce}"
        );
    }
}
