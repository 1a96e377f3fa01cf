//! Pages leave in one piece. Leptos hands a page over as the stream of chunks it rendered, and hyper writes each
//! chunk as it comes: a small page went out in dozens of `writev` calls and TCP segments, and sending took a quarter
//! of the server's time. Every page is rendered whole before it is sent anyway (`SsrMode::Async`: complete without
//! JavaScript), so collecting it first delays nothing, and it lets the response say its `Content-Length`.

use axum::{
    body::Body,
    extract::Request,
    http::{header, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

/// Far above any page; a page this big is a bug, and is refused rather than held in memory.
const PAGE_LIMIT_BYTES: usize = 16 * 1024 * 1024;

pub async fn send_whole(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let is_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    if !is_page || response.headers().contains_key(header::CONTENT_LENGTH) {
        return response;
    }
    let (parts, body) = response.into_parts();
    match axum::body::to_bytes(body, PAGE_LIMIT_BYTES).await {
        Ok(page) => Response::from_parts(parts, Body::from(page)),
        Err(error) => {
            tracing::error!(%error, "a page could not be rendered whole");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use axum::{middleware::from_fn, routing::get, Router};
    use futures_util::stream;
    use tower::ServiceExt as _;

    fn chunked(content_type: &'static str) -> Response {
        let chunks = ["<html>", "<body>", "page", "</body>", "</html>"]
            .map(|chunk| Ok::<_, std::io::Error>(axum::body::Bytes::from_static(chunk.as_bytes())));
        (
            [(header::CONTENT_TYPE, content_type)],
            Body::from_stream(stream::iter(chunks)),
        )
            .into_response()
    }

    async fn fetch(content_type: &'static str) -> Response {
        Router::new()
            .route("/", get(move || async move { chunked(content_type) }))
            .layer(from_fn(send_whole))
            .oneshot(Request::get("/").body(Body::empty()).unwrap())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_page_is_sent_whole_with_its_length() {
        let response = fetch("text/html; charset=utf-8").await;
        assert_eq!(response.headers()[header::CONTENT_LENGTH], "30");
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        assert_eq!(body, "<html><body>page</body></html>".as_bytes());
    }

    #[tokio::test]
    async fn other_responses_still_stream() {
        let response = fetch("text/csv").await;
        assert!(response.headers().get(header::CONTENT_LENGTH).is_none());
    }
}
