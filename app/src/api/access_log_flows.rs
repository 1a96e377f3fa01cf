//! Steps the access-log server functions share: reading the filter from the query string, and turning stored
//! lines into what the screens show.

#[cfg(feature = "ssr")]
mod server_side {
    use chrono::{NaiveDate, NaiveTime};

    /// Entries per page: one screen, and what the benchmark measures.
    pub const PAGE_SIZE: u32 = 50;

    use crate::api::access_log_views::{AccessLog, LogBasis, LogEntryView, VerificationView, Who};
    use crate::api::consent_flows::{given, parsed, refuse, resource_label, Labels};
    use crate::api::context::{internal, page_language, AppContext};
    use crate::api::AppError;
    use crate::domain::consent::ResourceId;
    use crate::domain::Role;
    use crate::ports::{
        Actor, AuditBasis, AuditFilter, AuditLine, CustomerId, EventSource, Outcome,
        VerificationStatus,
    };

    /// The filter fields of the log pages, as the query string carries them (blank means "any").
    #[derive(Debug, Clone, Default)]
    pub struct FilterInput {
        pub resource: Option<String>,
        pub role: Option<String>,
        pub from: Option<String>,
        pub until: Option<String>,
        pub outcome: Option<String>,
    }

    fn day(field: &str, raw: &str) -> Result<NaiveDate, AppError> {
        match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
            Ok(day) => Ok(day),
            Err(_) => refuse(field, "The date must be given as YYYY-MM-DD."),
        }
    }

    /// Reads the filter; `customer` is set by the caller from the session, never from the request.
    pub fn filter(
        input: FilterInput,
        customer: Option<CustomerId>,
    ) -> Result<AuditFilter, AppError> {
        let resource = given(input.resource)
            .map(|raw| parsed("resource", ResourceId::parse(&raw)))
            .transpose()?;
        let staff_role = given(input.role)
            .map(|raw| parsed("role", Role::parse(&raw)))
            .transpose()?;
        let from = given(input.from).map(|raw| day("from", &raw)).transpose()?;
        let until = given(input.until)
            .map(|raw| day("until", &raw))
            .transpose()?;
        if let (Some(from), Some(until)) = (from, until) {
            if until < from {
                return refuse("until", "The end of the period comes before its start.");
            }
        }
        let outcome = match given(input.outcome).as_deref() {
            None => None,
            Some("allowed") => Some(Outcome::Allowed),
            Some("denied") => Some(Outcome::Denied),
            Some(_) => return refuse("outcome", "The outcome must be allowed or denied."),
        };
        Ok(AuditFilter {
            customer,
            resource,
            staff_role,
            from: from.map(|day| day.and_time(NaiveTime::MIN).and_utc()),
            // The period's end day is included: the bound is the start of the day after it.
            until: until
                .and_then(|day| day.succ_opt())
                .map(|day| day.and_time(NaiveTime::MIN).and_utc()),
            outcome,
        })
    }

    /// A `?before=` cursor: the id of the oldest entry of the page before.
    pub fn cursor(raw: Option<String>) -> Result<Option<i64>, AppError> {
        match given(raw) {
            None => Ok(None),
            Some(raw) => match raw.parse::<i64>() {
                Ok(id) if id > 0 => Ok(Some(id)),
                _ => refuse("before", "The page cursor is not valid."),
            },
        }
    }

    pub fn verification(status: VerificationStatus) -> VerificationView {
        let problem_kind = status.problem.as_ref().and_then(|problem| {
            crate::domain::chain_break::ChainBreak::parse(problem.entry, &problem.reason)
        });
        VerificationView {
            problem_kind,
            finished_at: status.finished_at,
            verified_through: status.verified_through,
            entries_checked: status.entries_checked,
            problem: status
                .problem
                .map(|problem| (problem.entry, problem.reason)),
        }
    }

    fn basis(basis: AuditBasis) -> LogBasis {
        match basis {
            AuditBasis::Grant(id) => LogBasis::Grant(id),
            AuditBasis::TechnicalOperation => LogBasis::TechnicalOperation,
            AuditBasis::TheCustomer => LogBasis::TheCustomer,
            AuditBasis::StaffRole => LogBasis::StaffRole,
            AuditBasis::Refused(rule) => LogBasis::Refused(rule),
            AuditBasis::CourtOrder(id) => LogBasis::CourtOrder(id),
            AuditBasis::AccountSecurity(_) => LogBasis::AccountSecurity,
        }
    }

    /// One page: `PAGE_SIZE` lines, reading one more to know whether an older page exists. `viewer` is the
    /// customer reading their own log (their own acts show as "you", deferred disclosures stay hidden); `None`
    /// is the privacy officer's whole log, which names each entry's customer.
    pub async fn page(
        context: &AppContext,
        filter: &AuditFilter,
        viewer: Option<CustomerId>,
        before: Option<i64>,
    ) -> Result<AccessLog, AppError> {
        let now = context.clock.now();
        let store = context.store.as_ref();
        let mut lines = store
            .audit_lines(filter, viewer.is_some(), before, PAGE_SIZE + 1, now)
            .await
            .map_err(internal)?;
        let older = if lines.len() > PAGE_SIZE as usize {
            lines.truncate(PAGE_SIZE as usize);
            lines.last().map(|line| line.record.id)
        } else {
            None
        };
        let entries = entries(context, lines, viewer).await?;
        let verification = store
            .verification_status()
            .await
            .map_err(internal)?
            .map(verification);
        Ok(AccessLog {
            now,
            entries,
            older,
            verification,
            resources: Vec::new(),
            can_verify: false,
            inclusion: None,
        })
    }

    /// What the screens show of stored lines; `viewer` as for [`page`].
    pub async fn entries(
        context: &AppContext,
        lines: Vec<AuditLine>,
        viewer: Option<CustomerId>,
    ) -> Result<Vec<LogEntryView>, AppError> {
        let mut labels = Labels::new(context.store.as_ref());
        let mut entries = Vec::with_capacity(lines.len());
        for line in lines {
            entries.push(entry(&mut labels, line, viewer).await?);
        }
        Ok(entries)
    }

    async fn entry(
        labels: &mut Labels<'_>,
        line: AuditLine,
        viewer: Option<CustomerId>,
    ) -> Result<LogEntryView, AppError> {
        let AuditLine { record, staff } = line;
        let entry = record.entry;
        let who = match entry.actor {
            Actor::Customer { id } if Some(id) == viewer => Who::You,
            Actor::Customer { id } => Who::Customer(labels.customer(id).await.map_err(internal)?),
            Actor::Staff { id, roles } => {
                let display = staff.unwrap_or_else(|| crate::ports::StaffDisplay {
                    name: format!("#{}", id.0),
                    job_title: String::new(),
                });
                Who::Staff {
                    name: display.name,
                    job_title: display.job_title,
                    roles,
                }
            }
            Actor::System => Who::System,
            Actor::Unidentified => Who::Unidentified,
        };
        let customer = match (viewer, entry.customer) {
            (None, Some(id)) => Some(labels.customer(id).await.map_err(internal)?),
            _ => None,
        };
        Ok(LogEntryView {
            id: record.id,
            at: entry.at,
            event: entry.event,
            who,
            customer,
            resource: entry.resource.as_ref().map(resource_label),
            action: entry.action,
            basis: basis(entry.basis),
            allowed: entry.basis.outcome() == Outcome::Allowed,
            service: match entry.source {
                EventSource::Portal => None,
                EventSource::Service(name) => Some(name),
            },
            // In the reader's language; the stored words stay in the exports, which the chain hash covers.
            detail: entry
                .detail
                .map(|detail| crate::api::log_details::shown(&detail, page_language())),
        })
    }
}

#[cfg(feature = "ssr")]
pub use server_side::*;
