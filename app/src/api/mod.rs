//! Server functions, one per file, named verb_noun. Each checks on the server who may call it; the browser only
//! shows what they return.

#[cfg(feature = "ssr")]
pub mod context;
mod error;
#[cfg(feature = "ssr")]
pub(crate) mod error_french;
#[cfg(feature = "ssr")]
pub mod log_details;

mod access_log_flows;
mod access_log_views;
mod list_audit_log;
mod list_disclosures;
mod list_my_access_log;
mod list_webhook_attempts;
mod record_disclosure;
mod verify_audit_log;

mod accept_invitation;
mod acknowledge_charter;
mod charter_views;
mod get_charter;
mod get_charter_diff;
mod get_charter_draft;
mod get_charter_prompt;
mod list_charter_versions;
mod publish_charter;
mod save_charter_draft;
mod send_charter_notice;

mod answer_data_request;
mod confirm_email_change;
mod correct_my_data;
mod file_data_request;
mod get_my_data;
mod list_open_data_requests;
mod my_data_flows;
mod my_data_views;
mod request_email_change;

mod backup_views;
mod find_mailboxes;
mod list_my_backups;
mod list_overdue_destructions;
mod view_mailbox_stats;

mod account_flows;
mod announce_new_service;
mod approve_request;
mod begin_enrolment;
mod change_password;
mod confirm_enrolment;
mod consent_flows;
mod consent_views;
mod declare_incident;
mod deny_request;
mod disable_second_factor;
mod end_session;
mod get_customer_consents;
mod get_me;
mod get_my_glance;
mod get_my_grant;
mod get_my_recovery_code_count;
mod grant_access;
mod invite_customer;
mod list_cases;
mod list_consent_queue;
mod list_incidents;
mod list_my_consents;
mod list_my_messages;
mod list_sessions;
mod log_in;
mod log_out;
mod look_up_contact;
mod mail_views;
mod open_case;
mod record_oral_consent;
mod request_consent;
mod request_password_reset;
mod reset_password;
mod resolve_case;
mod revoke_grant;
mod set_answer_mail;
mod set_language;
mod set_mail_preferences;
mod take_recovery_codes;
mod verify_second_factor;
mod withdraw_request;

pub use accept_invitation::{accept_invitation, AcceptInvitation};
pub use access_log_views::{
    AccessLog, DisclosureView, InclusionView, LogBasis, LogEntryView, VerificationView, Who,
};
pub use acknowledge_charter::{acknowledge_charter, AcknowledgeCharter};
pub use announce_new_service::{announce_new_service, AnnounceNewService};
pub use answer_data_request::{answer_data_request, AnswerDataRequest};
pub use approve_request::{approve_request, ApproveRequest};
pub use backup_views::{BackupView, FolderView, MailboxStatsView, MyBackups, SupervisedCustomer};
pub use begin_enrolment::{begin_enrolment, BeginEnrolment, Enrolment};
pub use change_password::{change_password, ChangePassword};
pub use charter_views::{
    Change, CharterDiff, CharterPage, CharterPrompt, DiffPart, DraftView, HistoryEntry,
    VersionStatus,
};
pub use confirm_email_change::{confirm_email_change, ConfirmEmailChange};
pub use confirm_enrolment::{confirm_enrolment, ConfirmEnrolment};
pub use consent_views::{
    CaseRef, CaseView, ConsentQueue, ConsentState, CustomerConsents, CustomerLabel, GrantSource,
    GrantSummary, GrantUsers, MyConsents, OneGrant, RequestView, ResourceLabel, StaffLabel,
};
pub use correct_my_data::{correct_my_data, CorrectMyData};
pub use declare_incident::{declare_incident, DeclareIncident, IncidentForm};
pub use deny_request::{deny_request, DenyRequest};
pub use disable_second_factor::{disable_second_factor, DisableSecondFactor};
pub use end_session::{end_session, EndSession};
pub use error::AppError;
pub use file_data_request::{file_data_request, FileDataRequest};
pub use find_mailboxes::{find_mailboxes, FindMailboxes};
pub use get_charter::{get_charter, GetCharter};
pub use get_charter_diff::{get_charter_diff, GetCharterDiff};
pub use get_charter_draft::{get_charter_draft, GetCharterDraft};
pub use get_charter_prompt::{get_charter_prompt, GetCharterPrompt};
pub use get_customer_consents::{get_customer_consents, GetCustomerConsents};
pub use get_me::{get_me, GetMe, Me};
pub use get_my_data::{get_my_data, GetMyData};
pub use get_my_glance::{get_my_glance, GetMyGlance, Glance};
pub use get_my_grant::{get_my_grant, GetMyGrant};
pub use get_my_recovery_code_count::{get_my_recovery_code_count, GetMyRecoveryCodeCount};
pub use grant_access::{grant_access, GrantAccess};
pub use invite_customer::{invite_customer, InviteCustomer};
pub use list_audit_log::{list_audit_log, ListAuditLog};
pub use list_cases::{list_cases, ListCases};
pub use list_charter_versions::{list_charter_versions, ListCharterVersions};
pub use list_consent_queue::{list_consent_queue, ListConsentQueue};
pub use list_disclosures::{list_disclosures, ListDisclosures};
pub use list_incidents::{list_incidents, ListIncidents};
pub use list_my_access_log::{list_my_access_log, ListMyAccessLog};
pub use list_my_backups::{list_my_backups, ListMyBackups};
pub use list_my_consents::{list_my_consents, ListMyConsents};
pub use list_my_messages::{list_my_messages, ListMyMessages};
pub use list_open_data_requests::{list_open_data_requests, ListOpenDataRequests};
pub use list_overdue_destructions::{list_overdue_destructions, ListOverdueDestructions};
pub use list_sessions::{list_sessions, ListSessions, SessionView};
pub use list_webhook_attempts::{
    list_webhook_attempts, ListWebhookAttempts, WebhookAttemptView, WebhookDeliveries,
};
pub use log_in::{log_in, LogIn};
pub use log_out::{log_out, LogOut};
pub use look_up_contact::{look_up_contact, ContactCard, LookUpContact};
pub use mail_views::{IncidentView, MessageView, MyMessages};
pub use my_data_views::{
    ContractSummary, DataRequestView, EditableValues, FieldView, MyData, OpenRequestView,
    PurposeView, ServiceView, TransferView,
};
pub use open_case::{open_case, OpenCase};
pub use publish_charter::{publish_charter, PublishCharter};
pub use record_disclosure::{record_disclosure, RecordDisclosure};
pub use record_oral_consent::{record_oral_consent, OralConsentForm, RecordOralConsent};
pub use request_consent::{request_consent, ConsentRequestForm, RequestConsent};
pub use request_email_change::{request_email_change, RequestEmailChange};
pub use request_password_reset::{request_password_reset, RequestPasswordReset};
pub use reset_password::{reset_password, ResetPassword};
pub use resolve_case::{resolve_case, ResolveCase};
pub use revoke_grant::{revoke_grant, RevokeGrant};
pub use save_charter_draft::{save_charter_draft, SaveCharterDraft};
pub use send_charter_notice::{send_charter_notice, SendCharterNotice};
pub use set_answer_mail::{set_answer_mail, SetAnswerMail};
pub use set_language::{set_language, SetLanguage};
pub use set_mail_preferences::{set_mail_preferences, SetMailPreferences};
pub use take_recovery_codes::{take_recovery_codes, TakeRecoveryCodes};
pub use verify_audit_log::{verify_audit_log, VerifyAuditLog};
pub use verify_second_factor::{verify_second_factor, VerifySecondFactor};
pub use view_mailbox_stats::{view_mailbox_stats, ViewMailboxStats};
pub use withdraw_request::{withdraw_request, WithdrawRequest};
