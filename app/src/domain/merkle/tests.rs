use super::*;

/// Vectors computed by `app/tests/merkle/generate_vectors.py`, an independent implementation of RFC 9162 §2.1
/// written from the RFC's recursive definitions with Python's hashlib only.
const VECTORS: &str = include_str!("../../../tests/merkle/vectors.json");

#[derive(serde::Deserialize)]
struct Vectors {
    leaves: Vec<String>,
    roots: Vec<RootVector>,
    inclusion: Vec<InclusionVector>,
    consistency: Vec<ConsistencyVector>,
}

#[derive(serde::Deserialize)]
struct RootVector {
    size: u64,
    root: String,
}

#[derive(serde::Deserialize)]
struct InclusionVector {
    index: u64,
    size: u64,
    path: Vec<String>,
}

#[derive(serde::Deserialize)]
struct ConsistencyVector {
    old_size: u64,
    new_size: u64,
    proof: Vec<String>,
}

fn vectors() -> Vectors {
    serde_json::from_str(VECTORS).unwrap()
}

fn hash(text: &str) -> Hash {
    hex::decode(text).unwrap().try_into().unwrap()
}

fn hashes(texts: &[String]) -> Vec<Hash> {
    texts.iter().map(|text| hash(text)).collect()
}

fn leaf_hashes(vectors: &Vectors) -> Vec<Hash> {
    vectors
        .leaves
        .iter()
        .map(|data| leaf_hash(&hex::decode(data).unwrap()))
        .collect()
}

/// A span's hash the way storage makes it: from its complete subtrees, each computed from its leaves.
fn span_hash(leaves: &[Hash], span: Span) -> Hash {
    let pieces: Vec<Hash> = span
        .subtrees()
        .into_iter()
        .map(|subtree| {
            let first = subtree.first_leaf() as usize;
            root(&leaves[first..first + subtree.leaves() as usize])
        })
        .collect();
    fold(&pieces)
}

#[test]
fn roots_match_the_independent_implementation() {
    let vectors = vectors();
    let leaves = leaf_hashes(&vectors);
    for vector in &vectors.roots {
        let size = vector.size as usize;
        assert_eq!(root(&leaves[..size]), hash(&vector.root), "size {size}");
        let mut frontier = Frontier::default();
        for leaf in &leaves[..size] {
            frontier.push(*leaf, |_, _| {});
        }
        assert_eq!(frontier.root(), hash(&vector.root), "frontier of {size}");
        assert_eq!(
            span_hash(&leaves, Span::new(0, vector.size)),
            hash(&vector.root)
        );
    }
    assert_eq!(
        hex::encode(root(&leaves[..8])),
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
        "the root RFC 6962's reference implementations give for their eight test leaves"
    );
}

#[test]
fn inclusion_proofs_match_and_verify() {
    let vectors = vectors();
    let leaves = leaf_hashes(&vectors);
    for vector in &vectors.inclusion {
        let expected = hashes(&vector.path);
        let made: Vec<Hash> = inclusion_spans(vector.index, vector.size)
            .into_iter()
            .map(|span| span_hash(&leaves, span))
            .collect();
        assert_eq!(made, expected, "leaf {} of {}", vector.index, vector.size);
        let tree_root = root(&leaves[..vector.size as usize]);
        let leaf = leaves[vector.index as usize];
        assert!(verify_inclusion(
            vector.index,
            vector.size,
            &leaf,
            &made,
            &tree_root
        ));
        assert!(!verify_inclusion(
            vector.index,
            vector.size,
            &[0; 32],
            &made,
            &tree_root
        ));
        if vector.size > 1 {
            let other = (vector.index + 1) % vector.size;
            assert!(!verify_inclusion(
                other,
                vector.size,
                &leaf,
                &made,
                &tree_root
            ));
        }
        for position in 0..made.len() {
            let mut altered = made.clone();
            altered[position][0] ^= 1;
            assert!(!verify_inclusion(
                vector.index,
                vector.size,
                &leaf,
                &altered,
                &tree_root
            ));
        }
        let mut longer = made.clone();
        longer.push([0; 32]);
        assert!(!verify_inclusion(
            vector.index,
            vector.size,
            &leaf,
            &longer,
            &tree_root
        ));
    }
}

#[test]
fn consistency_proofs_match_and_verify() {
    let vectors = vectors();
    let leaves = leaf_hashes(&vectors);
    for vector in &vectors.consistency {
        let (old, new) = (vector.old_size, vector.new_size);
        let expected = hashes(&vector.proof);
        let made: Vec<Hash> = consistency_spans(old, new)
            .into_iter()
            .map(|span| span_hash(&leaves, span))
            .collect();
        assert_eq!(made, expected, "{old} to {new}");
        let old_root = root(&leaves[..old as usize]);
        let new_root = root(&leaves[..new as usize]);
        assert!(
            verify_consistency(old, new, &old_root, &new_root, &made),
            "{old} to {new}"
        );
        assert!(!verify_consistency(old, new, &[9; 32], &new_root, &made));
        assert!(!verify_consistency(old, new, &old_root, &[9; 32], &made));
        for position in 0..made.len() {
            let mut altered = made.clone();
            altered[position][31] ^= 0x80;
            assert!(!verify_consistency(
                old, new, &old_root, &new_root, &altered
            ));
        }
    }
}

#[test]
fn a_rewritten_history_is_not_consistent() {
    let vectors = vectors();
    let leaves = leaf_hashes(&vectors);
    let mut forked = leaves.clone();
    forked[3] = leaf_hash(b"rewritten");
    let proof: Vec<Hash> = consistency_spans(10, 20)
        .into_iter()
        .map(|span| span_hash(&forked, span))
        .collect();
    assert!(!verify_consistency(
        10,
        20,
        &root(&leaves[..10]),
        &root(&forked),
        &proof
    ));
}

#[test]
fn the_frontier_hands_out_every_completed_subtree_once() {
    let leaves: Vec<Hash> = (0..100_u32).map(|i| leaf_hash(&i.to_be_bytes())).collect();
    let mut frontier = Frontier::default();
    let mut seen = std::collections::BTreeMap::new();
    for (count, leaf) in leaves.iter().enumerate() {
        frontier.push(*leaf, |subtree, hash| {
            assert!(seen.insert(subtree, *hash).is_none(), "{subtree:?} twice");
        });
        let size = count as u64 + 1;
        assert_eq!(frontier.size(), size);
        assert_eq!(frontier.root(), root(&leaves[..=count]));
        let stored = Frontier::from_parts(size, &frontier.to_bytes()).unwrap();
        assert_eq!(stored, frontier);
    }
    for (subtree, hash) in &seen {
        let first = subtree.first_leaf() as usize;
        assert_eq!(
            *hash,
            root(&leaves[first..first + subtree.leaves() as usize])
        );
    }
    // Every complete subtree of 100 leaves: 100 + 50 + 25 + 12 + 6 + 3 + 1.
    assert_eq!(seen.len(), 197);
    assert!(Frontier::from_parts(3, &[0; 32]).is_none());
}

#[test]
fn spans_split_into_aligned_subtrees() {
    assert_eq!(
        Span::new(0, 13).subtrees(),
        vec![
            Subtree { level: 3, index: 0 },
            Subtree { level: 2, index: 2 },
            Subtree {
                level: 0,
                index: 12
            },
        ]
    );
    assert_eq!(
        Span::new(8, 16).subtrees(),
        vec![Subtree { level: 3, index: 1 }]
    );
    assert!(Span::new(5, 5).subtrees().is_empty());
    assert_eq!(fold(&[]), empty_root());
}
