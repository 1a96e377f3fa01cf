//! Authentication rules that run on the server only: password hashing, second factors, one-time tokens, and the
//! session state that ties a browser to an account.

pub mod guard;
pub mod passwords;
pub mod session;
pub mod tokens;
pub mod totp;
