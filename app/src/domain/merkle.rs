//! The Merkle tree over the audit log (RFC 9162 §2.1), so that one entry can be proved to be in a signed log
//! without the rest of it: roots, inclusion and consistency proofs, and their verification. No IO: storage hands
//! in the hashes of the complete subtrees a proof names ([`Subtree`]), and these functions combine them.
//!
//! A leaf's data is its entry's chain hash (`audit_chain::entry_hash`), which commits to every field of the entry.

use sha2::{Digest, Sha256};

pub use super::audit_chain::Hash;

pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0]);
    hasher.update(data);
    hasher.finalize().into()
}

pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([1]);
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

/// The root of a tree with no leaves.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// A complete subtree: the `2^level` leaves from `index << level`. Every hash a proof holds is the hash of one
/// run of leaves, which splits into such subtrees, and storage can keep those.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Subtree {
    pub level: u32,
    pub index: u64,
}

impl Subtree {
    pub fn first_leaf(self) -> u64 {
        self.index << self.level
    }

    pub fn leaves(self) -> u64 {
        1 << self.level
    }
}

/// The leaves `start..end`, as a proof names a hash: `MTH(D[start:end])` in the RFC's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: u64,
    pub end: u64,
}

impl Span {
    pub const fn new(start: u64, end: u64) -> Self {
        Self { start, end }
    }

    pub fn len(self) -> u64 {
        self.end - self.start
    }

    pub fn is_empty(self) -> bool {
        self.end <= self.start
    }

    /// The complete subtrees this span's hash is made of, largest (leftmost) first: the RFC splits a run at the
    /// largest power of two below its length, so the pieces are the binary digits of the length. Their hashes,
    /// folded from the right with [`fold`], give the span's hash.
    pub fn subtrees(self) -> Vec<Subtree> {
        let mut pieces = Vec::with_capacity(self.len().count_ones() as usize);
        let mut start = self.start;
        let mut remaining = self.len();
        while remaining > 0 {
            let level = 63 - remaining.leading_zeros();
            debug_assert_eq!(start % (1 << level), 0, "spans of proofs are aligned");
            pieces.push(Subtree {
                level,
                index: start >> level,
            });
            start += 1 << level;
            remaining -= 1 << level;
        }
        pieces
    }
}

/// A span's hash from the hashes of its [`Span::subtrees`], in the same order; the empty tree's root for none.
pub fn fold(pieces: &[Hash]) -> Hash {
    let mut pieces = pieces.iter().rev();
    let Some(last) = pieces.next() else {
        return empty_root();
    };
    pieces.fold(*last, |right, left| node_hash(left, &right))
}

/// The root over leaf hashes, for trees small enough to hold (tests, and the bottom levels storage does not keep).
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        count => {
            let split = largest_power_of_two_below(count as u64) as usize;
            node_hash(&root(&leaves[..split]), &root(&leaves[split..]))
        }
    }
}

fn largest_power_of_two_below(count: u64) -> u64 {
    debug_assert!(count > 1);
    1 << (63 - (count - 1).leading_zeros())
}

/// The spans whose hashes prove leaf `index` in a tree of `size` leaves (RFC 9162 `PATH`), nearest the leaf first.
pub fn inclusion_spans(index: u64, size: u64) -> Vec<Span> {
    let mut spans = Vec::new();
    if index >= size {
        return spans;
    }
    let (mut start, mut end) = (0, size);
    while end - start > 1 {
        let split = start + largest_power_of_two_below(end - start);
        if index < split {
            spans.push(Span::new(split, end));
            end = split;
        } else {
            spans.push(Span::new(start, split));
            start = split;
        }
    }
    spans.reverse();
    spans
}

/// The spans whose hashes prove that the tree of `old` leaves is a prefix of the tree of `new` (RFC 9162
/// `PROOF`), in the RFC's order. Empty when there is nothing to prove (`old` is 0 or equals `new`).
pub fn consistency_spans(old: u64, new: u64) -> Vec<Span> {
    let mut spans = Vec::new();
    if old == 0 || old >= new {
        return spans;
    }
    // SUBPROOF(m, D[start:end], whole) unrolled: each step keeps one half and names the other.
    let (mut start, mut end, mut m, mut whole) = (0, new, old, true);
    loop {
        if m == end - start {
            if !whole {
                spans.push(Span::new(start, end));
            }
            break;
        }
        let split = largest_power_of_two_below(end - start);
        if m <= split {
            spans.push(Span::new(start + split, end));
            end = start + split;
        } else {
            spans.push(Span::new(start, start + split));
            start += split;
            m -= split;
            whole = false;
        }
    }
    spans.reverse();
    spans
}

/// Whether `path` proves leaf `leaf` at `index` in the tree of `size` leaves with `root` (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(index: u64, size: u64, leaf: &Hash, path: &[Hash], root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let (mut node, mut last) = (index, size - 1);
    let mut hash = *leaf;
    for sibling in path {
        if last == 0 {
            return false;
        }
        if node & 1 == 1 || node == last {
            hash = node_hash(sibling, &hash);
            while node & 1 == 0 && node != 0 {
                node >>= 1;
                last >>= 1;
            }
        } else {
            hash = node_hash(&hash, sibling);
        }
        node >>= 1;
        last >>= 1;
    }
    last == 0 && hash == *root
}

/// Whether `proof` shows the tree of `old` leaves with `old_root` to be a prefix of the tree of `new` leaves with
/// `new_root` (RFC 9162 §2.1.4.2).
pub fn verify_consistency(
    old: u64,
    new: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> bool {
    if old > new {
        return false;
    }
    if old == new {
        return proof.is_empty() && old_root == new_root;
    }
    if old == 0 {
        return proof.is_empty();
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if old.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(proof);
    let Some((first, rest)) = path.split_first() else {
        return false;
    };
    let (mut node, mut last) = (old - 1, new - 1);
    while node & 1 == 1 {
        node >>= 1;
        last >>= 1;
    }
    let (mut old_hash, mut new_hash) = (*first, *first);
    for step in rest {
        if last == 0 {
            return false;
        }
        if node & 1 == 1 || node == last {
            old_hash = node_hash(step, &old_hash);
            new_hash = node_hash(step, &new_hash);
            while node & 1 == 0 && node != 0 {
                node >>= 1;
                last >>= 1;
            }
        } else {
            new_hash = node_hash(&new_hash, step);
        }
        node >>= 1;
        last >>= 1;
    }
    last == 0 && old_hash == *old_root && new_hash == *new_root
}

/// The right edge of a growing tree: the hash of each complete subtree of `Span(0, size)`, largest first. It is
/// all a writer keeps to add leaves and to know the root, and what it hands back as leaves arrive is every
/// subtree completed, for storage to keep.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Frontier {
    size: u64,
    hashes: Vec<Hash>,
}

impl Frontier {
    /// A frontier as stored: `size` and its hashes concatenated; `None` when they do not fit together.
    pub fn from_parts(size: u64, bytes: &[u8]) -> Option<Self> {
        if bytes.len() != size.count_ones() as usize * 32 {
            return None;
        }
        let hashes = bytes
            .chunks_exact(32)
            .map(|chunk| chunk.try_into().ok())
            .collect::<Option<Vec<Hash>>>()?;
        Some(Self { size, hashes })
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        self.hashes.concat()
    }

    pub fn root(&self) -> Hash {
        fold(&self.hashes)
    }

    /// Adds the next leaf and calls `completed` with each subtree it completes, the leaf itself first.
    pub fn push(&mut self, leaf: Hash, mut completed: impl FnMut(Subtree, &Hash)) {
        let mut subtree = Subtree {
            level: 0,
            index: self.size,
        };
        let mut hash = leaf;
        completed(subtree, &hash);
        while self.size >> subtree.level & 1 == 1 {
            let Some(left) = self.hashes.pop() else {
                break;
            };
            hash = node_hash(&left, &hash);
            subtree = Subtree {
                level: subtree.level + 1,
                index: subtree.index >> 1,
            };
            completed(subtree, &hash);
        }
        self.hashes.push(hash);
        self.size += 1;
    }
}

#[cfg(test)]
mod tests;
