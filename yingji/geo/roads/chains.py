"""Degree-2 chains of the edge-based graph contracted away, distances recovered exactly.

Pure Python (numpy / scipy); no Django imports.

In an OpenStreetMap extract most road segments lie inside a way, between shape points: in the
edge-based graph such a segment has one arc in (from the segment before it) and one arc out
(to the segment after it). On the Monaco extract 83% of the edge-graph nodes are like that. A
*chain* is a maximal run of such nodes ``x1 -> x2 -> ... -> xk`` entered from its *anchor* (the
node before ``x1``, which is not a chain node) and left into its *exit* (the node after ``xk``).

The reduced graph keeps every other node and replaces each chain by one arc ``anchor -> exit``
of the chain's total weight (the cheaper one where arcs coincide). A Dijkstra search on it gives
the same distances to the kept nodes, and the distance to a chain node is the distance to its
anchor plus its :attr:`Chains.prefix` (the weight from the anchor's end to the node's end), or a
search that *starts* on the chain further up the same chain. Nothing is approximated: only the
order of floating-point additions differs from a search on the whole graph.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse


@dataclass
class Chains:
    reduced: sparse.csr_matrix  # the graph on the kept nodes
    kept_index: np.ndarray  # node -> row of ``reduced`` (-1 for chain nodes)
    base: np.ndarray  # node -> node whose distance it extends (itself, its anchor, or -1)
    prefix: np.ndarray  # node -> weight from the end of ``base`` to its end (0 for kept nodes)
    exit: np.ndarray  # chain node -> first kept node after it (-1 none); kept node -> itself
    suffix: np.ndarray  # chain node -> weight from its end to the end of ``exit``
    head: np.ndarray  # chain node -> the first node of its chain (-1 on a closed loop)
    order: np.ndarray  # chain nodes sorted by (head, prefix): each chain is a contiguous run
    run_start: np.ndarray  # node -> first position in ``order`` of its chain
    run_end: np.ndarray  # node -> one past the last position in ``order`` of its chain

    @property
    def n_chain_nodes(self) -> int:
        return len(self.order)

    def full(self, reduced_dist: np.ndarray, nodes: np.ndarray) -> np.ndarray:
        """Distances (rows x ``nodes``) from distances on the reduced graph."""
        base = self.base[nodes]
        ok = base >= 0
        out = np.full((reduced_dist.shape[0], len(nodes)), np.inf)
        out[:, ok] = reduced_dist[:, self.kept_index[base[ok]]] + self.prefix[nodes[ok]][None, :]
        return out

    def start_on_chain(self, out: np.ndarray, rows: np.ndarray, nodes: np.ndarray,
                       starts: np.ndarray, offsets: np.ndarray) -> None:
        """Lower ``out[rows[k]]`` (distances to ``nodes``) for searches that also start at chain
        node ``starts[k]`` after ``offsets[k]``: the nodes after it on its chain are reached
        along the chain."""
        starts_head = self.head[starts]
        # only the columns on a chain some search starts on (keeps the comparison small)
        cols = np.flatnonzero((self.kept_index[nodes] < 0)
                              & np.isin(self.head[nodes], starts_head[starts_head >= 0]))
        same = ((self.head[nodes[cols]][None, :] == starts_head[:, None]) & (starts_head[:, None] >= 0)
                & (self.prefix[nodes[cols]][None, :] >= self.prefix[starts][:, None]))
        k, c = np.nonzero(same)
        col = cols[c]
        value = offsets[k] + self.prefix[nodes[col]] - self.prefix[starts[k]]
        np.minimum.at(out, (rows[k], col), value)

    def entry(self, node: int, offset: float) -> tuple[int, float] | None:
        """Where a search starting at ``node`` after ``offset`` enters the reduced graph."""
        if self.kept_index[node] >= 0:
            return int(self.kept_index[node]), offset
        if self.exit[node] < 0:
            return None
        return int(self.kept_index[self.exit[node]]), offset + float(self.suffix[node])


def contract_chains(csr: sparse.csr_matrix) -> Chains:
    """The :class:`Chains` of a graph given as a CSR matrix of positive arc weights."""
    n = csr.shape[0]
    out_deg = np.diff(csr.indptr)
    in_deg = np.bincount(csr.indices, minlength=n)
    chain = (out_deg == 1) & (in_deg == 1)
    succ = np.full(n, -1, dtype=np.int64)
    succ_w = np.zeros(n)
    has_out = out_deg == 1
    succ[has_out] = csr.indices[csr.indptr[:-1][has_out]]
    succ_w[has_out] = csr.data[csr.indptr[:-1][has_out]]
    pred = np.full(n, -1, dtype=np.int64)
    pred_w = np.zeros(n)
    rows = np.repeat(np.arange(n), out_deg)
    single_in = in_deg[csr.indices] == 1
    pred[csr.indices[single_in]] = rows[single_in]
    pred_w[csr.indices[single_in]] = csr.data[single_in]

    # anchors and prefixes by pointer doubling along the predecessors
    anchor = np.where(chain, pred, np.arange(n))
    prefix = np.where(chain, pred_w, 0.0)
    head = np.where(chain & ~chain[np.maximum(pred, 0)], np.arange(n), -1)
    head = np.where(chain & (pred < 0), -1, head)
    anchor, prefix, head = _double(anchor, prefix, head, chain)
    # exits and suffixes along the successors (the arc into the exit included)
    exit_, suffix, _ = _double(np.where(chain, succ, np.arange(n)), np.where(chain, succ_w, 0.0),
                               np.full(n, -1, dtype=np.int64), chain)
    loop = chain & ((anchor < 0) | chain[np.maximum(anchor, 0)])
    anchor[loop], exit_[loop], head[loop] = -1, -1, -1
    exit_[chain & (exit_ >= 0) & chain[np.maximum(exit_, 0)]] = -1

    kept = ~chain
    kept_index = np.full(n, -1, dtype=np.int64)
    kept_index[kept] = np.arange(int(kept.sum()))
    # arcs between kept nodes, and one arc anchor -> exit per chain (entered at its head)
    keep_arc = kept[rows] & kept[csr.indices]
    src = [rows[keep_arc]]
    dst = [csr.indices[keep_arc].astype(np.int64)]
    w = [csr.data[keep_arc]]
    heads = np.flatnonzero(chain & (head == np.arange(n)) & (exit_ >= 0) & (anchor >= 0))
    src.append(anchor[heads])
    dst.append(exit_[heads])
    w.append(prefix[heads] + suffix[heads])
    src, dst, w = (np.concatenate(a) for a in (src, dst, w))
    reduced = _min_csr(kept_index[src], kept_index[dst], w, int(kept.sum()))

    order = np.flatnonzero(chain & (head >= 0))
    order = order[np.lexsort((prefix[order], head[order]))]
    run_start = np.zeros(n, dtype=np.int64)
    run_end = np.zeros(n, dtype=np.int64)
    if len(order):
        first = np.r_[True, head[order][1:] != head[order][:-1]]
        starts = np.flatnonzero(first)
        ends = np.r_[starts[1:], len(order)]
        run = np.cumsum(first) - 1
        run_start[order], run_end[order] = starts[run], ends[run]
    base = np.where(kept, np.arange(n), anchor)
    return Chains(reduced, kept_index, base, np.where(kept, 0.0, prefix), exit_,
                  np.where(kept, 0.0, suffix), head, order, run_start, run_end)


def _double(link, weight, head, chain):
    """Follow ``link`` while it points at a chain node, summing ``weight`` (pointer doubling);
    ``head`` is carried along from the first node found that has one."""
    link, weight, head = link.copy(), weight.copy(), head.copy()
    for _ in range(64):
        step = chain & (link >= 0) & chain[np.maximum(link, 0)]
        if not step.any():
            break
        nxt = link[step]
        weight[step] = weight[step] + weight[nxt]
        head[step] = np.where(head[step] >= 0, head[step], head[nxt])
        link[step] = link[nxt]
    return link, weight, head


def _min_csr(src, dst, w, n) -> sparse.csr_matrix:
    """CSR with the smallest weight of any parallel arcs."""
    keys = src.astype(np.int64) * max(n, 1) + dst
    order = np.lexsort((w, keys))
    keys, w = keys[order], w[order]
    first = np.r_[True, keys[1:] != keys[:-1]] if len(keys) else np.zeros(0, dtype=bool)
    keys, w = keys[first], w[first]
    rows, cols = keys // max(n, 1), keys % max(n, 1)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    return sparse.csr_matrix((w, cols.astype(np.int32), indptr), shape=(n, n))
