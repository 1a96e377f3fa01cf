//! Cross-site request forgery: a state-changing request is served only when the browser says a portal page sent
//! it. Browsers set `Sec-Fetch-Site` and `Origin` themselves and never let a page forge them, so unlike a token
//! this needs no state and also covers server functions and plain HTML forms.

use axum::{
    http::{header, HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode},
    response::{IntoResponse, Response},
};
use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
};
use tower::{Layer, Service};

use super::SecurityPolicy;

/// All a refused client learns: nothing about the policy or the request beyond that it was refused.
pub const CSRF_REFUSAL: &str = "This request did not come from the portal itself.";

const SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");

/// The bearer-token integration API never reads cookies, so a forged request carries no authority there.
pub fn is_csrf_exempt(path: &str) -> bool {
    path.starts_with("/api/v1/")
}

fn changes_state(method: &Method) -> bool {
    !matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

enum Single<'a> {
    Absent,
    One(&'a HeaderValue),
    /// Sent more than once: no browser does that, so it is refused rather than one copy believed.
    Repeated,
}

fn single<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Single<'a> {
    let mut values = headers.get_all(name).iter();
    match (values.next(), values.next()) {
        (None, _) => Single::Absent,
        (Some(value), None) => Single::One(value),
        (Some(_), Some(_)) => Single::Repeated,
    }
}

/// `Sec-Fetch-Site: same-origin` when the browser sends it (every current one does); otherwise, for older
/// browsers, an `Origin` exactly equal to the portal's public origin. `same-site` is refused: a sibling
/// subdomain is not the portal.
pub fn comes_from_portal(headers: &HeaderMap, public_origin: &str) -> bool {
    match single(headers, &SEC_FETCH_SITE) {
        Single::One(site) => site.as_bytes() == b"same-origin",
        Single::Repeated => false,
        Single::Absent => match single(headers, &header::ORIGIN) {
            Single::One(origin) => origin.as_bytes() == public_origin.as_bytes(),
            Single::Absent | Single::Repeated => false,
        },
    }
}

/// Refuses cross-site state-changing requests. A tower layer rather than `middleware::from_fn` because it sits
/// inside the body limit, where the request body is no longer `axum::body::Body`.
#[derive(Clone, Debug)]
pub struct CsrfLayer {
    policy: SecurityPolicy,
}

impl CsrfLayer {
    pub fn new(policy: SecurityPolicy) -> Self {
        Self { policy }
    }
}

impl<S> Layer<S> for CsrfLayer {
    type Service = CsrfGuard<S>;

    fn layer(&self, inner: S) -> Self::Service {
        CsrfGuard {
            inner,
            policy: self.policy.clone(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct CsrfGuard<S> {
    inner: S,
    policy: SecurityPolicy,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, B> Service<Request<B>> for CsrfGuard<S>
where
    S: Service<Request<B>, Response = Response>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = BoxFuture<Result<Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        if !changes_state(request.method())
            || is_csrf_exempt(request.uri().path())
            || comes_from_portal(request.headers(), &self.policy.public_origin)
        {
            return Box::pin(self.inner.call(request));
        }
        tracing::warn!(
            method = %request.method(),
            path = request.uri().path(),
            sec_fetch_site = ?request.headers().get_all(SEC_FETCH_SITE).iter().collect::<Vec<_>>(),
            origin = ?request.headers().get_all(header::ORIGIN).iter().collect::<Vec<_>>(),
            "refused a state-changing request that did not come from the portal"
        );
        Box::pin(std::future::ready(Ok(refusal())))
    }
}

fn refusal() -> Response {
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        CSRF_REFUSAL,
    )
        .into_response()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    const PORTAL: &str = "https://portail.example.ch";

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn a_same_origin_fetch_is_accepted() {
        assert!(comes_from_portal(
            &headers(&[("sec-fetch-site", "same-origin")]),
            PORTAL
        ));
        assert!(comes_from_portal(
            &headers(&[("sec-fetch-site", "same-origin"), ("origin", PORTAL)]),
            PORTAL
        ));
    }

    #[test]
    fn any_other_fetch_site_is_refused_even_with_the_right_origin() {
        for site in ["cross-site", "same-site", "none", "SAME-ORIGIN", ""] {
            assert!(
                !comes_from_portal(
                    &headers(&[("sec-fetch-site", site), ("origin", PORTAL)]),
                    PORTAL
                ),
                "{site}"
            );
        }
    }

    #[test]
    fn without_fetch_metadata_only_the_exact_origin_is_accepted() {
        assert!(comes_from_portal(&headers(&[("origin", PORTAL)]), PORTAL));
        for origin in [
            "https://portail.example.ch.evil.example",
            "http://portail.example.ch",
            "https://portail.example.ch:8443",
            "https://portail.example.ch/",
            "null",
        ] {
            assert!(
                !comes_from_portal(&headers(&[("origin", origin)]), PORTAL),
                "{origin}"
            );
        }
        assert!(
            !comes_from_portal(&HeaderMap::new(), PORTAL),
            "neither header"
        );
    }

    #[test]
    fn a_repeated_header_is_refused() {
        assert!(!comes_from_portal(
            &headers(&[
                ("sec-fetch-site", "cross-site"),
                ("sec-fetch-site", "same-origin")
            ]),
            PORTAL
        ));
        assert!(!comes_from_portal(
            &headers(&[("origin", PORTAL), ("origin", PORTAL)]),
            PORTAL
        ));
    }

    #[test]
    fn only_state_changing_methods_outside_the_bearer_api_are_checked() {
        for method in [Method::GET, Method::HEAD, Method::OPTIONS, Method::TRACE] {
            assert!(!changes_state(&method), "{method}");
        }
        for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            assert!(changes_state(&method), "{method}");
        }
        assert!(changes_state(&Method::from_bytes(b"PROPFIND").unwrap()));
        assert!(is_csrf_exempt("/api/v1/consents"));
        for path in ["/api/v1", "/api/v2/x", "/sf/api/v1/x", "/api/v1x/y"] {
            assert!(!is_csrf_exempt(path), "{path}");
        }
    }

    async fn through_guard(method: Method, path: &str, site: Option<&'static str>) -> Response {
        use tower::ServiceExt as _;
        let app = axum::Router::new()
            .fallback(|| async { "served" })
            .layer(CsrfLayer::new(SecurityPolicy::new(
                PORTAL,
                true,
                Vec::new(),
            )));
        let mut request = Request::builder().method(method).uri(path);
        if let Some(site) = site {
            request = request.header("sec-fetch-site", site);
        }
        app.oneshot(request.body(axum::body::Body::empty()).unwrap())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn the_layer_refuses_with_a_short_plain_message_and_serves_the_rest() {
        let refused = through_guard(Method::POST, "/sf/x", Some("cross-site")).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            refused.headers()[header::CONTENT_TYPE],
            "text/plain; charset=utf-8"
        );
        let body = axum::body::to_bytes(refused.into_body(), 1024)
            .await
            .unwrap();
        assert_eq!(&body[..], CSRF_REFUSAL.as_bytes());
        for (method, path, site) in [
            (Method::POST, "/sf/x", Some("same-origin")),
            (Method::GET, "/sf/x", Some("cross-site")),
            (Method::DELETE, "/api/v1/x", None),
        ] {
            let response = through_guard(method.clone(), path, site).await;
            assert_eq!(response.status(), StatusCode::OK, "{method} {path}");
        }
    }
}
