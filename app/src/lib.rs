//! The privacy portal application: domain rules without IO, the user interface, and the server functions.
//!
//! The `ssr` feature adds what only the server needs (the ports that `server` implements); the `hydrate`
//! feature builds the browser side.
#![forbid(unsafe_code)]

pub mod api;
#[cfg(feature = "ssr")]
pub mod auth;
pub mod domain;
#[cfg(feature = "ssr")]
pub mod ports;
pub mod ui;
#[cfg(feature = "ssr")]
pub mod usecases;

pub use ui::{shell, App};

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
