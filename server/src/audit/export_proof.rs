//! What makes a customer's access-log export checkable without the portal: per entry, the bytes its chain hash
//! was computed over and a proof that this hash is a leaf of a signed tree; for the whole export, the checkpoint
//! and a signed seal listing the entries, so that an entry removed from or added to the file is found and named.
//! [`verify`] is the stand-alone check (`server verify-export`); README "Verifying an export" describes it for
//! anyone writing their own.

use base64::{engine::general_purpose::STANDARD, Engine};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::note;
use crate::storage::audit::AuditRow;
use app::domain::audit_chain::{entry_hash, ChainFields, Hash};
use app::domain::merkle;

const SEAL_DOMAIN: &[u8] = b"privacy-portal/access-log-export-seal/v1\0";

/// An entry's columns exactly as they were hashed (see `audit_chain::entry_hash`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainedEntry {
    pub id: i64,
    pub occurred_at_micros: i64,
    pub event_code: i32,
    pub actor_kind: String,
    pub actor_customer_id: Option<i64>,
    pub actor_staff_id: Option<i64>,
    pub actor_roles: Option<String>,
    pub customer_id: Option<i64>,
    pub resource: Option<String>,
    pub action: Option<String>,
    pub basis_kind: String,
    pub basis_ref: Option<i64>,
    pub basis_rule: Option<String>,
    pub outcome: String,
    pub source_kind: String,
    pub source_name: Option<String>,
    pub detail: Option<String>,
}

impl ChainedEntry {
    pub fn of(row: &AuditRow) -> Self {
        let fields = row.chain_fields();
        Self {
            id: fields.id,
            occurred_at_micros: fields.occurred_at_micros,
            event_code: fields.event_code,
            actor_kind: fields.actor_kind.to_owned(),
            actor_customer_id: fields.actor_customer_id,
            actor_staff_id: fields.actor_staff_id,
            actor_roles: fields.actor_roles.map(str::to_owned),
            customer_id: fields.customer_id,
            resource: fields.resource.map(str::to_owned),
            action: fields.action.map(str::to_owned),
            basis_kind: fields.basis_kind.to_owned(),
            basis_ref: fields.basis_ref,
            basis_rule: fields.basis_rule.map(str::to_owned),
            outcome: fields.outcome.to_owned(),
            source_kind: fields.source_kind.to_owned(),
            source_name: fields.source_name.map(str::to_owned),
            detail: fields.detail.map(str::to_owned),
        }
    }

    fn fields(&self) -> ChainFields<'_> {
        ChainFields {
            id: self.id,
            occurred_at_micros: self.occurred_at_micros,
            event_code: self.event_code,
            actor_kind: &self.actor_kind,
            actor_customer_id: self.actor_customer_id,
            actor_staff_id: self.actor_staff_id,
            actor_roles: self.actor_roles.as_deref(),
            customer_id: self.customer_id,
            resource: self.resource.as_deref(),
            action: self.action.as_deref(),
            basis_kind: &self.basis_kind,
            basis_ref: self.basis_ref,
            basis_rule: self.basis_rule.as_deref(),
            outcome: &self.outcome,
            source_kind: &self.source_kind,
            source_name: self.source_name.as_deref(),
            detail: self.detail.as_deref(),
        }
    }
}

/// An entry's proof in the export. Hashes are hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryProof {
    /// The entry's position in the tree: its id minus one.
    pub leaf_index: u64,
    /// The chain hash of the entry before it in the whole log.
    pub previous_hash: String,
    pub chained: ChainedEntry,
    /// RFC 9162 inclusion proof of `SHA-256(0x00 ‖ hash)` in the export's checkpoint, nearest the leaf first.
    pub inclusion: Vec<String>,
}

/// The export's checkpoint: the signed note, and what it says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportCheckpoint {
    pub size: u64,
    pub root: String,
    pub signed_at: chrono::DateTime<chrono::Utc>,
    pub note: String,
}

/// The seal over an export: every entry's id and hash, in the file's order, with the customer, the time of the
/// export and the checkpoint's size, signed. The list itself is in the file too, so that a verifier names the entry
/// removed from or added to it.
#[derive(Debug, Clone)]
pub struct Seal {
    header: String,
    listing: Vec<(i64, String)>,
}

/// The seal as the file holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealView {
    /// `[id, hash]` of every entry of the export, in its order.
    pub entries: Vec<(i64, String)>,
    /// Base64 Ed25519 signature (see README, "Verifying your access-log export yourself").
    pub signature: String,
}

impl Seal {
    pub fn new(customer: &str, generated_at: &str, checkpoint_size: Option<u64>) -> Self {
        Self {
            header: format!(
                "{customer}\n{generated_at}\n{}\n",
                checkpoint_size.map_or_else(|| "-".to_owned(), |size| size.to_string())
            ),
            listing: Vec::new(),
        }
    }

    pub fn add(&mut self, id: i64, hash: &str) {
        self.listing.push((id, hash.to_owned()));
    }

    fn message(&self) -> Vec<u8> {
        let mut digest = Sha256::new();
        digest.update(&self.header);
        for (id, hash) in &self.listing {
            digest.update(format!("{id} {hash}\n"));
        }
        let mut message = SEAL_DOMAIN.to_vec();
        message.extend_from_slice(&digest.finalize());
        message
    }

    pub fn sign(self, key: &SigningKey) -> SealView {
        let signature = STANDARD.encode(key.sign(&self.message()).to_bytes());
        SealView {
            entries: self.listing,
            signature,
        }
    }

    fn verifies(&self, signature: &str, key: &VerifyingKey) -> bool {
        let Some(signature) = STANDARD
            .decode(signature)
            .ok()
            .and_then(|bytes| Signature::from_slice(&bytes).ok())
        else {
            return false;
        };
        key.verify(&self.message(), &signature).is_ok()
    }
}

/// The first difference between the entries in the file and the ones the portal sealed, named by entry.
fn compare_with_seal(entries: &[ExportedEntry], sealed: &[(i64, String)]) -> Result<(), Refused> {
    let in_file: std::collections::HashSet<i64> = entries.iter().map(|entry| entry.id).collect();
    let in_seal: std::collections::HashSet<i64> = sealed.iter().map(|(id, _)| *id).collect();
    if let Some((id, _)) = sealed.iter().find(|(id, _)| !in_file.contains(id)) {
        return Err(refuse(
            Some(*id),
            "was sealed by the portal but is missing from the file: it was removed",
        ));
    }
    if let Some(entry) = entries.iter().find(|entry| !in_seal.contains(&entry.id)) {
        return Err(refuse(
            Some(entry.id),
            "is in the file but not in the portal's seal: it was added",
        ));
    }
    for (entry, (id, hash)) in entries.iter().zip(sealed) {
        if entry.id != *id {
            return Err(refuse(
                Some(entry.id),
                "is not where the portal sealed it: entries were moved",
            ));
        }
        if entry.hash != *hash {
            return Err(refuse(
                Some(entry.id),
                "has another hash than the portal sealed: it was changed",
            ));
        }
    }
    if entries.len() != sealed.len() {
        return Err(refuse(
            None,
            "the file repeats an entry the portal sealed once",
        ));
    }
    Ok(())
}

/// The parts of an export the check reads; everything else in the file is for people.
#[derive(Debug, Deserialize)]
pub struct ExportFile {
    pub schema: String,
    pub customer: Option<String>,
    pub generated_at: String,
    pub checkpoint: Option<ExportCheckpoint>,
    pub entries: Vec<ExportedEntry>,
    pub seal: Option<SealView>,
}

#[derive(Debug, Deserialize)]
pub struct ExportedEntry {
    pub id: i64,
    pub at: chrono::DateTime<chrono::Utc>,
    pub event_code: i32,
    pub resource: Option<String>,
    pub action: Option<String>,
    pub basis: String,
    pub basis_ref: Option<i64>,
    pub outcome: String,
    pub detail: Option<String>,
    pub hash: String,
    pub proof: Option<EntryProof>,
}

/// What a successful check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub proved: usize,
    /// Entries newer than the checkpoint: in the file, not yet under a signature.
    pub pending: usize,
    pub checkpoint: Option<note::TreeCheckpoint>,
}

/// Why a check failed, and the entry it is about when it is about one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{reason}", entry.map(|id| format!("entry {id}: ")).unwrap_or_default())]
pub struct Refused {
    pub entry: Option<i64>,
    pub reason: String,
}

fn refuse(entry: Option<i64>, reason: impl Into<String>) -> Refused {
    Refused {
        entry,
        reason: reason.into(),
    }
}

fn hex_hash(text: &str) -> Option<Hash> {
    hex::decode(text).ok()?.try_into().ok()
}

/// Checks an export against the log's public key: the checkpoint's signatures, every entry's hash and proof,
/// that the readable fields say what was hashed, and the seal over the list of entries.
pub fn verify(file: &ExportFile, key: &VerifyingKey) -> Result<Verified, Refused> {
    if file.schema != crate::http::exports::JSON_SCHEMA {
        return Err(refuse(
            None,
            format!("not an access-log export ({})", file.schema),
        ));
    }
    let checkpoint = file
        .checkpoint
        .as_ref()
        .map(|checkpoint| {
            note::open(&checkpoint.note, key, None)
                .map_err(|error| refuse(None, format!("the checkpoint is refused: {error}")))
        })
        .transpose()?;
    // The seal first: it says which entries the file must hold, so that a missing one can be named.
    let Some(sealed) = file.seal.as_ref() else {
        return Err(refuse(None, "the export has no seal"));
    };
    let mut seal = Seal::new(
        file.customer.as_deref().unwrap_or_default(),
        &file.generated_at,
        checkpoint.as_ref().map(|checkpoint| checkpoint.size),
    );
    for (id, hash) in &sealed.entries {
        seal.add(*id, hash);
    }
    if !seal.verifies(&sealed.signature, key) {
        return Err(refuse(
            None,
            "the seal is not signed by this key for this customer, time and checkpoint: it was changed",
        ));
    }
    compare_with_seal(&file.entries, &sealed.entries)?;
    let (mut proved, mut pending) = (0, 0);
    for entry in &file.entries {
        let covered = checkpoint
            .as_ref()
            .is_some_and(|checkpoint| entry.id >= 1 && (entry.id as u64) <= checkpoint.size);
        match (&entry.proof, &checkpoint) {
            (Some(proof), Some(checkpoint)) if covered => {
                check_entry(entry, proof, checkpoint)?;
                proved += 1;
            }
            (None, _) if !covered => pending += 1,
            (None, _) => {
                return Err(refuse(
                    Some(entry.id),
                    "is covered by the checkpoint but has no proof",
                ))
            }
            (Some(_), _) => {
                return Err(refuse(
                    Some(entry.id),
                    "has a proof but is beyond the checkpoint",
                ))
            }
        }
    }
    Ok(Verified {
        proved,
        pending,
        checkpoint,
    })
}

fn check_entry(
    entry: &ExportedEntry,
    proof: &EntryProof,
    checkpoint: &note::TreeCheckpoint,
) -> Result<(), Refused> {
    let wrong = |reason: &str| refuse(Some(entry.id), reason.to_owned());
    let chained = &proof.chained;
    if chained.id != entry.id || proof.leaf_index + 1 != entry.id as u64 {
        return Err(wrong("its proof is for another entry"));
    }
    let readable_agrees = entry.at.timestamp_micros() == chained.occurred_at_micros
        && entry.event_code == chained.event_code
        && entry.resource == chained.resource
        && entry.action == chained.action
        && entry.basis == chained.basis_kind
        && entry.basis_ref == chained.basis_ref
        && entry.outcome == chained.outcome
        && entry.detail == chained.detail;
    if !readable_agrees {
        return Err(wrong("its readable fields differ from what was hashed"));
    }
    let previous =
        hex_hash(&proof.previous_hash).ok_or_else(|| wrong("has an unreadable previous hash"))?;
    let hash = entry_hash(&previous, &chained.fields());
    if hex_hash(&entry.hash) != Some(hash) {
        return Err(wrong("does not match its hash: it was changed"));
    }
    let path = proof
        .inclusion
        .iter()
        .map(|text| hex_hash(text))
        .collect::<Option<Vec<Hash>>>()
        .ok_or_else(|| wrong("has an unreadable proof"))?;
    if !merkle::verify_inclusion(
        proof.leaf_index,
        checkpoint.size,
        &merkle::leaf_hash(&hash),
        &path,
        &checkpoint.root,
    ) {
        return Err(wrong(
            "is not proved to be in the signed log: its proof fails",
        ));
    }
    Ok(())
}

/// Checks that a checkpoint kept from before (`older`, a signed note) is a prefix of the export's, with a
/// consistency proof between them (hex or base64 hashes, as `GET /api/v1/log/consistency` gives them).
pub fn verify_consistency(
    older: &str,
    newer: &note::TreeCheckpoint,
    proof: &[String],
    key: &VerifyingKey,
) -> Result<note::TreeCheckpoint, Refused> {
    let older = note::open(older, key, Some(&newer.origin))
        .map_err(|error| refuse(None, format!("the older checkpoint is refused: {error}")))?;
    let path = proof
        .iter()
        .map(|text| hex_hash(text).or_else(|| STANDARD.decode(text).ok()?.try_into().ok()))
        .collect::<Option<Vec<Hash>>>()
        .ok_or_else(|| refuse(None, "the consistency proof is unreadable"))?;
    if !merkle::verify_consistency(older.size, newer.size, &older.root, &newer.root, &path) {
        return Err(refuse(
            None,
            format!(
                "the log of {} entries signed at {} is not a prefix of the log of {} signed at {}: the operator \
                 rewrote history, or showed one of them to you only",
                older.size, older.signed_at, newer.size, newer.signed_at
            ),
        ));
    }
    Ok(older)
}

#[derive(Debug, Deserialize)]
struct ConsistencyFile {
    from: u64,
    to: u64,
    proof: Vec<String>,
}

/// `server verify-export`: reads the files, checks them, and says what was proved.
pub fn verify_file(
    export: &std::path::Path,
    public_key: &str,
    older: Option<(&std::path::Path, &std::path::Path)>,
) -> Result<String, Refused> {
    let key = super::keys::parse_public_key(public_key)
        .map_err(|error| refuse(None, error.to_string()))?;
    let read = |path: &std::path::Path| {
        std::fs::read_to_string(path)
            .map_err(|error| refuse(None, format!("cannot read {}: {error}", path.display())))
    };
    let file: ExportFile = serde_json::from_str(&read(export)?)
        .map_err(|error| refuse(None, format!("not a readable access-log export: {error}")))?;
    let verified = verify(&file, &key)?;
    let mut report = match &verified.checkpoint {
        Some(checkpoint) => format!(
            "export verified: {} entries proved to be in the audit log of {} entries signed at {} by {}",
            verified.proved,
            checkpoint.size,
            checkpoint.signed_at.to_rfc3339(),
            checkpoint.origin
        ),
        None => "export verified: no checkpoint yet, so no entry is proved".to_owned(),
    };
    if verified.pending > 0 {
        report.push_str(&format!(
            "; {} newer entries are not yet under a signed checkpoint (export again in a minute)",
            verified.pending
        ));
    }
    if let Some((older_path, proof_path)) = older {
        let Some(newer) = &verified.checkpoint else {
            return Err(refuse(
                None,
                "the export has no checkpoint to compare the older one with",
            ));
        };
        let proof: ConsistencyFile = serde_json::from_str(&read(proof_path)?)
            .map_err(|error| refuse(None, format!("not a readable consistency proof: {error}")))?;
        let older = verify_consistency(&read(older_path)?, newer, &proof.proof, &key)?;
        if (proof.from, proof.to) != (older.size, newer.size) {
            return Err(refuse(
                None,
                format!(
                    "the consistency proof is from {} to {}, not from {} to {}",
                    proof.from, proof.to, older.size, newer.size
                ),
            ));
        }
        report.push_str(&format!(
            "; the log of {} entries signed at {} is a prefix of it",
            older.size,
            older.signed_at.to_rfc3339()
        ));
    }
    Ok(report)
}

#[cfg(test)]
#[path = "export_proof_tests.rs"]
mod tests;
