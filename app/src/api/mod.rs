//! Server functions, one per file, named verb_noun. Each checks on the server who may call it; the browser only
//! shows what they return.

#[cfg(feature = "ssr")]
pub mod context;
mod error;

mod account_flows;
mod begin_enrolment;
mod change_email;
mod change_password;
mod confirm_enrolment;
mod disable_second_factor;
mod end_session;
mod get_me;
mod list_sessions;
mod log_in;
mod log_out;
mod request_password_reset;
mod reset_password;
mod take_recovery_codes;
mod verify_second_factor;

pub use begin_enrolment::{begin_enrolment, BeginEnrolment, Enrolment};
pub use change_email::{change_email, ChangeEmail};
pub use change_password::{change_password, ChangePassword};
pub use confirm_enrolment::{confirm_enrolment, ConfirmEnrolment};
pub use disable_second_factor::{disable_second_factor, DisableSecondFactor};
pub use end_session::{end_session, EndSession};
pub use error::AppError;
pub use get_me::{get_me, GetMe, Me};
pub use list_sessions::{list_sessions, ListSessions, SessionView};
pub use log_in::{log_in, LogIn};
pub use log_out::{log_out, LogOut};
pub use request_password_reset::{request_password_reset, RequestPasswordReset};
pub use reset_password::{reset_password, ResetPassword};
pub use take_recovery_codes::{take_recovery_codes, TakeRecoveryCodes};
pub use verify_second_factor::{verify_second_factor, VerifySecondFactor};
