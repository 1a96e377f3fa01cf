#!/usr/bin/env python3
"""Independent reference vectors for the RFC 9162 Section 2.1 Merkle tree.

Deliberately a literal, unoptimised transcription of the RFC, so that it can
serve as an independent oracle for the Rust implementation.
"""
import hashlib
import json
from pathlib import Path

OUTPUT = Path(__file__).resolve().parent / "vectors.json"
MAX_SIZE = 20


def sha256(data):
    return hashlib.sha256(data).digest()


def leaf_hash(d):
    return sha256(b"\x00" + d)


def node_hash(left, right):
    return sha256(b"\x01" + left + right)


def split_point(n):
    k = 1
    while k * 2 < n:
        k *= 2
    return k


# --- Generation: RFC 9162 2.1.1, 2.1.3.1, 2.1.4.1 -------------------------

def mth(d):
    if len(d) == 0:
        return sha256(b"")
    if len(d) == 1:
        return leaf_hash(d[0])
    k = split_point(len(d))
    return node_hash(mth(d[:k]), mth(d[k:]))


def path(m, d):
    if len(d) == 1:
        return []
    k = split_point(len(d))
    if m < k:
        return path(m, d[:k]) + [mth(d[k:])]
    return path(m - k, d[k:]) + [mth(d[:k])]


def subproof(m, d, b):
    n = len(d)
    if m == n:
        # b records whether D[m] is the old tree itself, whose root the
        # verifier already holds and so need not be sent.
        return [] if b else [mth(d)]
    k = split_point(n)
    if m <= k:
        return subproof(m, d[:k], b) + [mth(d[k:])]
    return subproof(m - k, d[k:], False) + [mth(d[:k])]


def proof(m, d):
    return subproof(m, d, True)


# --- Verification: RFC 9162 2.1.3.2, 2.1.4.2 ------------------------------

def verify_inclusion(leaf_index, tree_size, hash_, inclusion_path, root_hash):
    if leaf_index >= tree_size:
        return False
    fn, sn, r = leaf_index, tree_size - 1, hash_
    for p in inclusion_path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root_hash


def verify_consistency(first, second, first_hash, second_hash, consistency_path):
    # The RFC's algorithm presumes 0 < first < second; equal sizes are
    # trivially consistent with an empty proof, as PROOF(n, D[n]) = {}.
    if first == second:
        return consistency_path == [] and first_hash == second_hash
    if not 0 < first < second or not consistency_path:
        return False
    consistency_path = list(consistency_path)
    # A power-of-two old tree is a complete subtree, so SUBPROOF(.., true)
    # left its root out of the proof; the verifier supplies it.
    if first & (first - 1) == 0:
        consistency_path.insert(0, first_hash)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = consistency_path[0]
    for c in consistency_path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_hash and sr == second_hash and sn == 0


def tampered(hashes):
    for i, h in enumerate(hashes):
        yield hashes[:i] + [bytes([h[0] ^ 1]) + h[1:]] + hashes[i + 1:]


def main():
    ct_leaves = ["", "00", "10", "2021", "3031", "40414243",
                 "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
    leaves = [bytes.fromhex(h) for h in ct_leaves]
    leaves += [f"leaf-{i}".encode("ascii") for i in range(len(leaves), MAX_SIZE)]
    roots = [mth(leaves[:n]) for n in range(MAX_SIZE + 1)]
    # Empty proofs (size 1, old == new) have no hash to flip, so a wrong root
    # is what shows their verification can still fail.
    bad_root = sha256(b"not a root")

    inclusion = []
    for n in range(1, MAX_SIZE + 1):
        for m in range(n):
            p, lh = path(m, leaves[:n]), leaf_hash(leaves[m])
            assert verify_inclusion(m, n, lh, p, roots[n]), (m, n)
            assert not verify_inclusion(m, n, lh, p, bad_root), (m, n)
            assert all(not verify_inclusion(m, n, lh, t, roots[n]) for t in tampered(p)), (m, n)
            inclusion.append({"index": m, "size": n, "path": [h.hex() for h in p]})

    consistency = []
    for n in range(1, MAX_SIZE + 1):
        for m in range(1, n + 1):
            p = proof(m, leaves[:n])
            assert verify_consistency(m, n, roots[m], roots[n], p), (m, n)
            assert not verify_consistency(m, n, roots[m], bad_root, p), (m, n)
            assert all(not verify_consistency(m, n, roots[m], roots[n], t) for t in tampered(p)), (m, n)
            consistency.append({"old_size": m, "new_size": n, "proof": [h.hex() for h in p]})

    vectors = {
        "leaves": [d.hex() for d in leaves],
        "roots": [{"size": n, "root": r.hex()} for n, r in enumerate(roots)],
        "inclusion": inclusion,
        "consistency": consistency,
    }
    OUTPUT.write_text(json.dumps(vectors, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
