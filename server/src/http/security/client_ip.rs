//! The client's address. Behind reverse proxies the TCP peer is the proxy, and `X-Forwarded-For` is a list that
//! every hop appends to, so its left end is whatever the client chose to write: only the hops added by trusted
//! proxies, read from the right, can be believed.

use axum::{
    extract::{ConnectInfo, FromRequestParts, Request, State},
    http::{request::Parts, HeaderMap, StatusCode},
    middleware::Next,
    response::Response,
};
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};

use super::SecurityPolicy;

/// The client address of this request, computed once by [`record_client_ip`]; also an extractor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// The TCP peer if it is not a trusted proxy; otherwise the right-most `X-Forwarded-For` hop outside the trusted
/// ranges. An entry that does not parse ends the walk at the last trusted hop, since nothing left of it was
/// written by a proxy we trust.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: IpAddr| {
        trusted
            .iter()
            .any(|range| range.contains(&ip) || range.contains(&ip.to_canonical()))
    };
    if !is_trusted(peer) {
        return peer.to_canonical();
    }
    let mut nearest_trusted = peer;
    for entry in forwarded_for(headers).into_iter().rev() {
        let Some(hop) = entry.and_then(parse_hop) else {
            break;
        };
        if !is_trusted(hop) {
            return hop.to_canonical();
        }
        nearest_trusted = hop;
    }
    nearest_trusted.to_canonical()
}

/// Every entry of every `X-Forwarded-For` header, in order; `None` for a header that is not text.
fn forwarded_for(headers: &HeaderMap) -> Vec<Option<&str>> {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .flat_map(|value| match value.to_str() {
            Ok(text) => text.split(',').map(|entry| Some(entry.trim())).collect(),
            Err(_) => vec![None],
        })
        .collect()
}

/// Some proxies append the port too (`192.0.2.1:4711`, `[2001:db8::1]:4711`).
fn parse_hop(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|addr| addr.ip()))
}

pub async fn record_client_ip(
    State(policy): State<SecurityPolicy>,
    mut request: Request,
    next: Next,
) -> Response {
    // Absent only when the router is called without a listener (in-process tests); handlers asking for `ClientIp`
    // then get a 500 rather than a made-up address.
    if let Some(ConnectInfo(peer)) = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .copied()
    {
        let ip = client_ip(peer.ip(), request.headers(), &policy.trusted_proxies);
        request.extensions_mut().insert(ClientIp(ip));
        // The application reads it under its own type, since `app` cannot depend on `server`.
        request.extensions_mut().insert(app::ports::ClientAddr(ip));
    }
    next.run(request).await
}

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = StatusCode;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<ClientIp>().copied().ok_or_else(|| {
            tracing::error!("no client address: the router is served without connect info");
            StatusCode::INTERNAL_SERVER_ERROR
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use axum::{body::Body, middleware::from_fn_with_state, routing::get, Router};
    use tower::ServiceExt as _;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn ranges(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|range| range.parse().unwrap()).collect()
    }

    fn forwarded(values: &[&'static str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append("x-forwarded-for", HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client_whatever_the_header_says() {
        let headers = forwarded(&["198.51.100.9"]);
        assert_eq!(
            client_ip(ip("203.0.113.5"), &headers, &[]),
            ip("203.0.113.5")
        );
    }

    #[test]
    fn an_untrusted_peer_is_the_client_even_when_proxies_are_configured() {
        let headers = forwarded(&["198.51.100.9"]);
        let trusted = ranges(&["10.0.0.0/8"]);
        assert_eq!(
            client_ip(ip("203.0.113.5"), &headers, &trusted),
            ip("203.0.113.5")
        );
    }

    #[test]
    fn a_spoofed_left_most_entry_is_ignored() {
        let headers = forwarded(&["1.2.3.4, 203.0.113.5"]);
        let trusted = ranges(&["10.0.0.0/8"]);
        assert_eq!(
            client_ip(ip("10.0.0.1"), &headers, &trusted),
            ip("203.0.113.5")
        );
    }

    #[test]
    fn several_trusted_hops_are_skipped_from_the_right() {
        let headers = forwarded(&["1.2.3.4, 203.0.113.5, 10.1.0.2", "192.0.2.7"]);
        let trusted = ranges(&["10.0.0.0/8", "192.0.2.7/32"]);
        assert_eq!(
            client_ip(ip("10.0.0.1"), &headers, &trusted),
            ip("203.0.113.5")
        );
    }

    #[test]
    fn ipv6_hops_and_ranges_work() {
        let headers = forwarded(&["2001:db8:bad::1, 2001:db8:cafe::42, fd00::2"]);
        let trusted = ranges(&["fd00::/8"]);
        assert_eq!(
            client_ip(ip("fd00::1"), &headers, &trusted),
            ip("2001:db8:cafe::42")
        );
    }

    #[test]
    fn ipv4_mapped_addresses_match_ipv4_ranges() {
        let headers = forwarded(&["203.0.113.5"]);
        let trusted = ranges(&["10.0.0.0/8"]);
        assert_eq!(
            client_ip(ip("::ffff:10.0.0.1"), &headers, &trusted),
            ip("203.0.113.5")
        );
        assert_eq!(
            client_ip(ip("::ffff:198.51.100.1"), &headers, &trusted),
            ip("198.51.100.1")
        );
    }

    #[test]
    fn hops_with_ports_are_understood() {
        let headers = forwarded(&["[2001:db8::7]:4711, 10.0.0.3:80"]);
        let trusted = ranges(&["10.0.0.0/8"]);
        assert_eq!(
            client_ip(ip("10.0.0.1"), &headers, &trusted),
            ip("2001:db8::7")
        );
    }

    #[test]
    fn garbage_stops_the_walk_at_the_last_trusted_hop() {
        let trusted = ranges(&["10.0.0.0/8"]);
        let peer = ip("10.0.0.1");
        assert_eq!(
            client_ip(
                peer,
                &forwarded(&["203.0.113.5, unknown, 10.0.0.2"]),
                &trusted
            ),
            ip("10.0.0.2")
        );
        assert_eq!(
            client_ip(peer, &forwarded(&["203.0.113.5, not an ip"]), &trusted),
            peer
        );
        assert_eq!(
            client_ip(peer, &forwarded(&["203.0.113.5,"]), &trusted),
            peer
        );
        let mut binary = HeaderMap::new();
        binary.append("x-forwarded-for", HeaderValue::from_static("203.0.113.5"));
        binary.append(
            "x-forwarded-for",
            HeaderValue::from_bytes(b"\xff\xfe").unwrap(),
        );
        assert_eq!(client_ip(peer, &binary, &trusted), peer);
    }

    #[test]
    fn with_only_trusted_hops_or_no_header_the_nearest_trusted_hop_is_the_client() {
        let trusted = ranges(&["10.0.0.0/8"]);
        let peer = ip("10.0.0.1");
        assert_eq!(client_ip(peer, &HeaderMap::new(), &trusted), peer);
        assert_eq!(
            client_ip(peer, &forwarded(&["10.9.9.9, 10.0.0.2"]), &trusted),
            ip("10.9.9.9")
        );
    }

    fn echo_router(trusted: Vec<IpNet>) -> Router {
        Router::new()
            .route(
                "/",
                get(|ClientIp(ip): ClientIp| async move { ip.to_string() }),
            )
            .layer(from_fn_with_state(
                SecurityPolicy::new("http://portal.test", false, trusted),
                record_client_ip,
            ))
    }

    async fn body_of(response: Response) -> String {
        let bytes = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn the_middleware_records_the_address_for_handlers() {
        let mut request = axum::http::Request::builder()
            .header("x-forwarded-for", "1.2.3.4, 203.0.113.5")
            .body(Body::empty())
            .unwrap();
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([10, 0, 0, 1], 50000))));
        let response = echo_router(ranges(&["10.0.0.0/8"]))
            .oneshot(request)
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(body_of(response).await, "203.0.113.5");
    }

    #[tokio::test]
    async fn without_connect_info_the_extractor_refuses_rather_than_guessing() {
        let request = axum::http::Request::builder()
            .header("x-forwarded-for", "203.0.113.5")
            .body(Body::empty())
            .unwrap();
        let response = echo_router(Vec::new()).oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
