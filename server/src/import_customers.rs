//! `server import-customers FILE`: the operator's customers from a file, as JSON Lines (one record per line, as
//! the API takes them) or CSV (one customer and one contract per row, with a header). Batches of
//! [`MAX_BATCH`](crate::directory_sync::MAX_BATCH) records, a progress bar on a terminal, and a summary that names
//! each refused record by its line.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use app::ports::{EventSource, Storage, StorageError};
use app::usecases::directory::{RawContract, RawRecord, RawService};

use crate::directory_sync::{sync_batch, RecordResult, Summary, MAX_BATCH};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {0}")]
    Read(String, #[source] std::io::Error),
    #[error("the CSV header is not the one expected: {0}")]
    Header(String),
    #[error("the database failed; the batches before it are stored, this one is not: run the import again")]
    Storage(#[from] StorageError),
}

/// A CSV row: the services as space-separated names, one column per kind.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CsvRow {
    number: String,
    first_name: String,
    last_name: String,
    company: Option<String>,
    email: String,
    phone: Option<String>,
    mobile: Option<String>,
    language: String,
    street: String,
    postcode: String,
    city: String,
    country: String,
    contract: Option<String>,
    contract_started_at: Option<DateTime<Utc>>,
    web_spaces: Option<String>,
    backup_spaces: Option<String>,
    mailboxes: Option<String>,
}

impl CsvRow {
    fn into_raw(self) -> Result<RawRecord, String> {
        let services: Vec<RawService> = [
            ("web-space", &self.web_spaces),
            ("backup-space", &self.backup_spaces),
            ("mailbox", &self.mailboxes),
        ]
        .into_iter()
        .flat_map(|(kind, names)| {
            names
                .iter()
                .flat_map(|names| names.split_whitespace())
                .map(move |name| RawService {
                    kind: kind.to_owned(),
                    name: name.to_owned(),
                })
        })
        .collect();
        let contracts = match (self.contract, self.contract_started_at) {
            (Some(number), Some(started_at)) if !number.trim().is_empty() => vec![RawContract {
                number,
                started_at,
                services,
            }],
            (None, None) if services.is_empty() => Vec::new(),
            _ => {
                return Err(
                    "contract and contract_started_at: a row with services needs both".to_owned(),
                )
            }
        };
        Ok(RawRecord {
            number: self.number,
            first_name: self.first_name,
            last_name: self.last_name,
            company: self.company,
            email: self.email,
            phone: self.phone,
            mobile: self.mobile,
            language: self.language,
            street: self.street,
            postcode: self.postcode,
            city: self.city,
            country: self.country,
            contracts,
        })
    }
}

/// What the import did, and each refused record with its line.
#[derive(Debug, Default)]
pub struct Report {
    pub summary: Summary,
    pub refused: Vec<(usize, String)>,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (line, why) in &self.refused {
            writeln!(f, "line {line}: refused: {why}")?;
        }
        write!(f, "{}", self.summary)
    }
}

fn describe(result: &RecordResult) -> Option<String> {
    match result {
        RecordResult::Refused {
            field: Some(field),
            reason,
        } => Some(format!("{field}: {reason}")),
        RecordResult::Refused {
            field: None,
            reason,
        } => Some(reason.clone()),
        _ => None,
    }
}

/// Imports the file; CSV when its name ends in `.csv`, JSON Lines otherwise.
/// With `invite_from` (the portal's public origin), each customer created is sent a link to choose a password.
pub async fn import_customers(
    store: &dyn Storage,
    path: &Path,
    invite_from: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Report, ImportError> {
    let shown = path.display().to_string();
    let file = File::open(path).map_err(|error| ImportError::Read(shown.clone(), error))?;
    let size = file.metadata().map(|meta| meta.len()).unwrap_or(0);
    let progress = indicatif::ProgressBar::new(size).with_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {bytes}/{total_bytes} {per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let reader = BufReader::new(progress.wrap_read(file));
    let csv = path
        .extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("csv"));
    type Row = Result<(usize, Result<RawRecord, String>), ImportError>;
    let mut rows: Box<dyn Iterator<Item = Row>> = if csv {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(reader);
        let header = reader
            .headers()
            .map_err(|error| ImportError::Header(error.to_string()))?
            .clone();
        let line_of = |position: Option<&csv::Position>| {
            position.map_or(0, |at| usize::try_from(at.line()).unwrap_or(usize::MAX))
        };
        Box::new(reader.into_records().map(move |record| {
            Ok(match record {
                Ok(record) => (
                    line_of(record.position()),
                    record
                        .deserialize::<CsvRow>(Some(&header))
                        .map_err(|error| error.to_string())
                        .and_then(CsvRow::into_raw),
                ),
                Err(error) => (line_of(error.position()), Err(error.to_string())),
            })
        }))
    } else {
        Box::new(
            reader
                .lines()
                .enumerate()
                .filter(|(_, line)| line.as_ref().map_or(true, |line| !line.trim().is_empty()))
                .map(|(index, line)| {
                    let line = line.map_err(|error| ImportError::Read(shown.clone(), error))?;
                    let raw =
                        serde_json::from_str::<RawRecord>(&line).map_err(|error| error.to_string());
                    Ok((index + 1, raw))
                }),
        )
    };
    let mut report = Report::default();
    loop {
        let mut lines = Vec::with_capacity(MAX_BATCH);
        let mut batch = Vec::with_capacity(MAX_BATCH);
        for row in rows.by_ref().take(MAX_BATCH) {
            let (line, raw) = row?;
            lines.push(line);
            batch.push(raw);
        }
        if batch.is_empty() {
            break;
        }
        let results = sync_batch(
            store,
            batch,
            EventSource::Service("admin-cli".to_owned()),
            invite_from,
            now,
        )
        .await?;
        for (line, result) in lines.into_iter().zip(results) {
            report.summary.add(&result);
            if let Some(why) = describe(&result) {
                report.refused.push((line, why));
            }
        }
    }
    progress.finish_and_clear();
    Ok(report)
}
