//! The Merkle tree's part of the audit-log benchmark: building it, proving with it, exporting with proofs.

use chrono::Utc;
use std::time::{Duration, Instant};

use app::domain::merkle;
use app::ports::{AuditFilter, AuditReader, CustomerId};
use server::audit::transparency::LogTransparency;
use server::audit::AuditSettings;
use server::storage::audit::tree::TreeHead;
use server::storage::SqlStore;

fn percentiles(mut times: Vec<Duration>) -> String {
    times.sort_unstable();
    let at = |fraction: f64| {
        let index = ((times.len() as f64 * fraction).ceil() as usize).clamp(1, times.len()) - 1;
        times[index].as_secs_f64() * 1000.0
    };
    format!(
        "p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        at(0.50),
        at(0.99),
        at(1.0)
    )
}

/// A fixed pseudo-random walk, so that two runs ask for the same proofs.
fn walk(seed: u64) -> impl Iterator<Item = u64> {
    let mut state = seed;
    std::iter::repeat_with(move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        state >> 11
    })
}

pub async fn build(store: &SqlStore) -> TreeHead {
    let before = store.audit_tree_head().await.unwrap().size;
    let started = Instant::now();
    let head = store.extend_audit_tree().await.unwrap();
    let seconds = started.elapsed().as_secs_f64();
    let added = head.size - before;
    if added == 0 {
        println!("tree: reusing the tree over {} entries", head.size);
    } else {
        println!(
            "tree: {added} entries added in {seconds:.1} s ({:.0} entries/s, by the checkpoint job, off the append path)",
            added as f64 / seconds
        );
    }
    head
}

pub async fn time_proofs(store: &SqlStore, head: TreeHead, samples: usize) {
    let mut leaves = walk(7).map(|n| n % head.size);
    let mut times = Vec::with_capacity(samples);
    for _ in 0..samples {
        let index = leaves.next().unwrap_or_default();
        let started = Instant::now();
        let proof = store
            .audit_inclusion_proofs(&[index], head.size)
            .await
            .unwrap();
        times.push(started.elapsed());
        let rows = store
            .audit_rows_with_previous(&[index as i64 + 1])
            .await
            .unwrap();
        let leaf = merkle::leaf_hash(rows[0].0.entry_hash.as_deref().unwrap());
        assert!(merkle::verify_inclusion(
            index, head.size, &leaf, &proof[0], &head.root
        ));
    }
    println!(
        "inclusion proof of a random entry in the tree of {}: {}",
        head.size,
        percentiles(times)
    );

    // Random older sizes against the whole tree (what a customer holding an old checkpoint asks), their roots
    // taken from a proof-free read: the tree's own nodes over the first `old` leaves.
    let mut sizes = walk(11).map(|n| 1 + n % head.size);
    let mut times = Vec::with_capacity(samples);
    for _ in 0..samples {
        let old = sizes.next().unwrap_or(1);
        let started = Instant::now();
        let proof = store.audit_consistency_proof(old, head.size).await.unwrap();
        times.push(started.elapsed());
        let old_root = store
            .audit_span_hashes(&[merkle::Span::new(0, old)])
            .await
            .unwrap()[0];
        assert!(merkle::verify_consistency(
            old, head.size, &old_root, &head.root, &proof
        ));
    }
    println!(
        "consistency proof from a random size to {}: {}",
        head.size,
        percentiles(times)
    );
}

/// What the JSON export does for each page of 1,000: read the lines, then their columns, previous hashes and
/// proofs, and write them out.
pub async fn time_export(store: &SqlStore, customer: i64, head: TreeHead) {
    let dir = std::env::temp_dir().join("portal-audit-bench");
    let log = LogTransparency::new(store.clone(), &AuditSettings::default(), &dir).unwrap();
    let filter = AuditFilter {
        customer: Some(CustomerId(customer)),
        ..AuditFilter::default()
    };
    let now = Utc::now();
    let started = Instant::now();
    let (mut before, mut written, mut bytes) = (None, 0, 0);
    while written < 10_000 {
        let lines = store
            .audit_lines(&filter, true, before, 1_000, now)
            .await
            .unwrap();
        let Some(last) = lines.last() else {
            break;
        };
        before = Some(last.record.id);
        written += lines.len();
        let entries = server::http::exports::with_proofs(&log, lines, Some(head.size))
            .await
            .unwrap();
        assert!(entries.iter().all(|entry| entry.proof.is_some()));
        bytes += serde_json::to_vec(&entries).unwrap().len();
    }
    println!(
        "export of {written} entries with proofs: {:.2} s ({} MiB of JSON)",
        started.elapsed().as_secs_f64(),
        bytes / (1024 * 1024)
    );
}
