//! What the application needs from the outside world. `server` implements these traits and provides them as
//! Leptos context, so pages and server functions never name a concrete database, mailer or clock.

pub mod clock;
pub mod storage;

pub use clock::{Clock, SystemClock};
pub use storage::{
    Customer, CustomerId, NewCustomer, NewService, NewStaff, Service, ServiceId, ServiceKind,
    StaffId, StaffMember, Storage, StorageError,
};
