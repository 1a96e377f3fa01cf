//! The published test vector: a small log of two customers, a signed checkpoint over it, and one customer's export
//! with proofs, made here from fixed keys and times (Ed25519 signing is deterministic) and pinned in
//! `server/tests/vectors/access-log-export.json`, for anyone writing their own verifier. Set
//! `PORTAL_WRITE_VECTORS=1` to write the file again after a deliberate change of format (which needs a new schema).

use super::*;
use chrono::TimeZone;
use serde_json::json;

const VECTOR: &str = include_str!("../../tests/vectors/access-log-export.json");
const VECTOR_PATH: &str = "tests/vectors/access-log-export.json";

fn key() -> SigningKey {
    SigningKey::from_bytes(&[42; 32])
}

fn chained(id: i64) -> ChainedEntry {
    let customer = if id % 3 == 0 { 2 } else { 1 };
    ChainedEntry {
        id,
        occurred_at_micros: 1_796_000_000_000_000 + id * 61_000_000,
        event_code: 3000,
        actor_kind: "staff".into(),
        actor_customer_id: None,
        actor_staff_id: Some(3),
        actor_roles: Some("support".into()),
        customer_id: Some(customer),
        resource: Some(format!("mailbox:owner{customer}@example.ch")),
        action: Some("read".into()),
        basis_kind: "grant".into(),
        basis_ref: Some(id),
        basis_rule: None,
        outcome: "allowed".into(),
        source_kind: "service".into(),
        source_name: Some("mail-platform".into()),
        detail: Some(format!("case {id}")),
    }
}

/// The export of customer 1 over a log of 20 entries, checkpointed at 18: entries 19 and 20 are pending.
fn build() -> String {
    let (entries, size) = (20_i64, 18_u64);
    let mut hashes = Vec::new();
    let mut previous = app::domain::audit_chain::GENESIS;
    for id in 1..=entries {
        let hash = entry_hash(&previous, &chained(id).fields());
        hashes.push((previous, hash));
        previous = hash;
    }
    let leaves: Vec<Hash> = hashes
        .iter()
        .map(|(_, hash)| merkle::leaf_hash(hash))
        .collect();
    let root = merkle::root(&leaves[..size as usize]);
    let signed_at = chrono::Utc
        .timestamp_opt(1_796_001_300, 0)
        .single()
        .unwrap_or_default();
    let note = note::sign(
        &key(),
        "portal.example.ch/audit-log",
        size,
        &root,
        signed_at,
    );
    let generated_at = "2026-12-01T10:00:00.000000Z";
    let mut seal = Seal::new("C-100001", generated_at, Some(size));
    let mut exported = Vec::new();
    for id in (1..=entries).rev().filter(|id| id % 3 != 0) {
        let entry = chained(id);
        let (previous, hash) = hashes[(id - 1) as usize];
        let hash = hex::encode(hash);
        seal.add(id, &hash);
        let proof = ((id as u64) <= size).then(|| {
            let inclusion: Vec<String> = merkle::inclusion_spans((id - 1) as u64, size)
                .into_iter()
                .map(|span| {
                    hex::encode(merkle::root(
                        &leaves[span.start as usize..span.end as usize],
                    ))
                })
                .collect();
            EntryProof {
                leaf_index: (id - 1) as u64,
                previous_hash: hex::encode(previous),
                chained: entry.clone(),
                inclusion,
            }
        });
        let at =
            chrono::DateTime::from_timestamp_micros(entry.occurred_at_micros).unwrap_or_default();
        let mut value = json!({
            "id": id,
            "at": at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            "event_code": entry.event_code,
            "event": "AccessChecked",
            "actor_kind": "staff",
            "actor_roles": ["support"],
            "resource": entry.resource,
            "action": entry.action,
            "basis": entry.basis_kind,
            "basis_ref": entry.basis_ref,
            "basis_rule": null,
            "outcome": entry.outcome,
            "source": "mail-platform",
            "detail": entry.detail,
            "hash": hash,
        });
        if let Some(proof) = proof {
            value["proof"] = serde_json::to_value(proof).unwrap_or_default();
        }
        exported.push(value);
    }
    let document = json!({
        "schema": crate::http::exports::JSON_SCHEMA,
        "customer": "C-100001",
        "generated_at": generated_at,
        "checkpoint": {
            "size": size,
            "root": hex::encode(root),
            "signed_at": signed_at,
            "note": note,
        },
        "entries": exported,
        "seal": seal.sign(&key()),
        "public_key_for_this_vector": hex::encode(key().verifying_key().as_bytes()),
    });
    serde_json::to_string_pretty(&document).unwrap_or_default() + "\n"
}

#[test]
fn the_published_vector_is_what_the_portal_makes_and_verifies() {
    let made = build();
    if std::env::var_os("PORTAL_WRITE_VECTORS").is_some() {
        std::fs::write(VECTOR_PATH, &made).unwrap();
    }
    assert_eq!(
        VECTOR, made,
        "the pinned vector changed; see this module's documentation"
    );
    let file: ExportFile = serde_json::from_str(VECTOR).unwrap();
    let verified = verify(&file, &key().verifying_key()).unwrap();
    assert_eq!((verified.proved, verified.pending), (12, 2));
}

#[test]
fn every_hand_edit_of_the_vector_is_refused() {
    let original: serde_json::Value = serde_json::from_str(VECTOR).unwrap();
    let check = |document: &serde_json::Value| {
        let file: ExportFile = serde_json::from_value(document.clone()).unwrap();
        verify(&file, &key().verifying_key())
    };
    let mut changed = original.clone();
    changed["entries"][3]["proof"]["chained"]["detail"] = "case 0".into();
    changed["entries"][3]["detail"] = "case 0".into();
    assert_eq!(
        check(&changed).unwrap_err().entry,
        original["entries"][3]["id"].as_i64()
    );
    let mut shortened = original.clone();
    shortened["entries"][5]["proof"]["inclusion"]
        .as_array_mut()
        .unwrap()
        .pop();
    assert_eq!(
        check(&shortened).unwrap_err().entry,
        original["entries"][5]["id"].as_i64()
    );
    let mut moved = original.clone();
    moved["entries"].as_array_mut().unwrap().swap(4, 6);
    let refused = check(&moved).unwrap_err();
    assert_eq!(
        refused.entry,
        original["entries"][6]["id"].as_i64(),
        "{refused}"
    );
    let mut removed = original.clone();
    removed["entries"].as_array_mut().unwrap().remove(2);
    let refused = check(&removed).unwrap_err();
    assert_eq!(
        refused.entry,
        original["entries"][2]["id"].as_i64(),
        "{refused}"
    );
    assert!(refused.reason.contains("removed"), "{refused}");
    let mut unsealed = original.clone();
    unsealed["seal"]["entries"]
        .as_array_mut()
        .unwrap()
        .remove(2);
    assert!(check(&unsealed)
        .unwrap_err()
        .reason
        .contains("seal is not signed"));
    let mut hidden = original.clone();
    hidden["entries"][0]["proof"] = serde_json::Value::Null;
    hidden["checkpoint"]["size"] = 20.into();
    // A size edited outside the note changes nothing: the note is what is checked, and entry 20 is still pending.
    assert!(check(&hidden).is_ok());
    let mut wrong_key = original.clone();
    wrong_key["checkpoint"]["note"] = note::sign(
        &SigningKey::from_bytes(&[1; 32]),
        "portal.example.ch/audit-log",
        18,
        &[0; 32],
        chrono::Utc::now(),
    )
    .into();
    assert!(check(&wrong_key)
        .unwrap_err()
        .reason
        .contains("checkpoint is refused"));
}
