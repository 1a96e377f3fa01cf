//! Pages leave in one piece. Leptos hands a page over as the stream of chunks it rendered, and hyper writes each
//! chunk as it comes: a small page went out in dozens of `writev` calls and TCP segments, and sending took a quarter
//! of the server's time. Every page is rendered whole before it is sent anyway (`SsrMode::Async`: complete without
//! JavaScript), so collecting it first delays nothing, and it lets the response say its `Content-Length`.
//!
//! A page is also rendered to its end when the browser leaves mid-render. Cut short, its reactive owner was disposed
//! while a `<Suspense>`'s effect had a wake-up queued, and that effect then read the page's disposed resources and
//! panicked on a runtime thread (leptos 0.8's suspense effect does not check that its owner is gone). Rendered in a
//! task of its own, the page ends as every page does: its suspense tasks finish, then its owner is disposed.

use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use std::time::Duration;

/// Far above any page; a page this big is a bug, and is refused rather than held in memory.
const PAGE_LIMIT_BYTES: usize = 16 * 1024 * 1024;

/// `limit` is the request timeout: a render that no browser waits for any more still ends by then.
pub async fn send_whole(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    let render = tokio::spawn(tokio::time::timeout(limit, render_whole(request, next)));
    match render.await {
        Ok(Ok(response)) => response,
        Ok(Err(_elapsed)) => {
            tracing::error!(
                limit_secs = limit.as_secs(),
                "a page took longer than the request timeout to render"
            );
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
        Err(error) => {
            // A panic in the render task; CatchPanicLayer only sees the ones on the request's own task.
            tracing::error!(%error, "a page's render task failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

async fn render_whole(request: Request, next: Next) -> Response {
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
    use axum::{middleware::from_fn_with_state, routing::get, Router};
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
            .layer(from_fn_with_state(Duration::from_secs(5), send_whole))
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
    async fn a_page_the_browser_left_is_still_rendered_to_its_end() {
        let rendered = std::sync::Arc::new(tokio::sync::Notify::new());
        let router = Router::new()
            .route(
                "/",
                get({
                    let rendered = rendered.clone();
                    move || async move {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        rendered.notify_one();
                        chunked("text/html")
                    }
                }),
            )
            .layer(from_fn_with_state(Duration::from_secs(5), send_whole));
        let request = router.oneshot(Request::get("/").body(Body::empty()).unwrap());
        // The browser leaves: the request's future is dropped before the page is ready.
        assert!(tokio::time::timeout(Duration::from_millis(5), request)
            .await
            .is_err());
        tokio::time::timeout(Duration::from_secs(2), rendered.notified())
            .await
            .expect("the render went on after its request was dropped");
    }

    #[tokio::test]
    async fn other_responses_still_stream() {
        let response = fetch("text/csv").await;
        assert!(response.headers().get(header::CONTENT_LENGTH).is_none());
    }
}
