//! The audit log's Merkle tree on both backends: extended from the chain in steps, it gives the root of every
//! entry hash so far, and proofs read from storage verify against it with the RFC's own algorithms.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};

use crate::support::{Backend, TestDb};
use app::domain::merkle;
use app::domain::AuditEvent;
use app::ports::{Actor, AuditBasis, AuditEntry, ConsentStore, EventSource};
use server::storage::SqlStore;

fn entry(n: u32) -> AuditEntry {
    AuditEntry {
        at: Utc
            .timestamp_opt(1_800_000_000 + i64::from(n), 0)
            .single()
            .unwrap(),
        event: AuditEvent::AccessChecked,
        actor: Actor::System,
        customer: None,
        resource: None,
        action: None,
        basis: AuditBasis::TechnicalOperation,
        source: EventSource::Portal,
        detail: Some(format!("entry {n}")),
    }
}

/// Every entry's leaf hash, from the chain hashes as stored.
async fn leaves(store: &SqlStore) -> Vec<merkle::Hash> {
    let mut leaves = Vec::new();
    loop {
        let rows = store.audit_chain_after(leaves.len() as i64).await.unwrap();
        if rows.is_empty() {
            return leaves;
        }
        for row in rows {
            leaves.push(merkle::leaf_hash(row.entry_hash.as_deref().unwrap()));
        }
    }
}

async fn append(store: &SqlStore, range: std::ops::Range<u32>) {
    let entries: Vec<AuditEntry> = range.map(entry).collect();
    store.record_audit(&entries).await.unwrap();
}

async fn proofs_from_storage_verify_against_the_root(backend: Backend) {
    let Some(db) = TestDb::create(backend).await else {
        return;
    };
    let store = db.store().await;
    assert_eq!(store.audit_tree_head().await.unwrap().size, 0);
    // Grown in uneven steps, so that stored nodes and computed ones meet at every boundary.
    let mut heads = Vec::new();
    let mut appended = 0;
    for step in [1_u32, 15, 17, 64, 3, 100] {
        append(&store, appended..appended + step).await;
        appended += step;
        heads.push(store.extend_audit_tree().await.unwrap());
    }
    let all = leaves(&store).await;
    assert_eq!(all.len(), appended as usize);
    for head in &heads {
        assert_eq!(
            head.root,
            merkle::root(&all[..head.size as usize]),
            "size {}",
            head.size
        );
    }
    let last = *heads.last().unwrap();
    assert_eq!(store.audit_tree_head().await.unwrap(), last);
    let indices: Vec<u64> = (0..last.size).collect();
    let proofs = store
        .audit_inclusion_proofs(&indices, last.size)
        .await
        .unwrap();
    for (index, proof) in indices.iter().zip(&proofs) {
        assert!(
            merkle::verify_inclusion(*index, last.size, &all[*index as usize], proof, &last.root),
            "entry {}",
            index + 1
        );
    }
    // An older tree's proofs come from the same nodes.
    let older = heads[2];
    let proof = store
        .audit_inclusion_proofs(&[20], older.size)
        .await
        .unwrap();
    assert!(merkle::verify_inclusion(
        20,
        older.size,
        &all[20],
        &proof[0],
        &older.root
    ));
    for old in &heads {
        for new in heads.iter().filter(|new| new.size >= old.size) {
            let proof = store
                .audit_consistency_proof(old.size, new.size)
                .await
                .unwrap();
            assert!(
                merkle::verify_consistency(old.size, new.size, &old.root, &new.root, &proof),
                "{} to {}",
                old.size,
                new.size
            );
        }
    }
}

async fn the_tree_stops_at_a_gap_in_the_log(backend: Backend) {
    let Some(db) = TestDb::create(backend).await else {
        return;
    };
    let store = db.store().await;
    append(&store, 0..40).await;
    crate::support::drop_audit_triggers(&store).await;
    let sql = "DELETE FROM audit_log WHERE id = 30";
    match &store {
        SqlStore::Sqlite(pool) => sqlx::query(sql).execute(pool).await.unwrap(),
        SqlStore::Postgres(pool) => sqlx::query(sql)
            .execute(pool)
            .await
            .map(|_| Default::default())
            .unwrap(),
    };
    let head = store.extend_audit_tree().await.unwrap();
    assert_eq!(
        head.size, 29,
        "the tree holds what comes before the missing entry, nothing after"
    );
}

on_both_backends!(
    proofs_from_storage_verify_against_the_root,
    the_tree_stops_at_a_gap_in_the_log,
);
