"""A contraction hierarchy (CH) of a directed graph and its many-to-many query by buckets.

Pure Python (numpy / numba); no Django imports. Built for the edge-based graph of
:mod:`.turns` (node ``i`` = road segment ``i``, arcs = turns), where it answers the travel-time
matrix of :func:`yingji.geo.router.matrix` without searching the whole graph per source.

Contraction
-----------
Nodes are removed one by one in the order of a priority kept in an indexed heap:

    priority = EDGE_DIFF_WEIGHT * (shortcuts needed - arcs removed)
               + DELETED_WEIGHT * neighbours already contracted + LEVEL_WEIGHT * level

with *lazy updates*: the node on top is re-evaluated before it is contracted and goes back into
the heap if it is no longer the smallest. The neighbours of a contracted node get the known part
of their increase (one more deleted neighbour, their level); every time :data:`PERIODIC_UPDATE`
of the remaining nodes have been contracted, all remaining nodes are re-evaluated. Re-evaluating
the neighbours after every contraction instead (:data:`NEIGHBOUR_UPDATES`) gives 2% fewer
shortcuts on the synthetic benchmark network for twice the preprocessing time.
Removing ``v`` adds a *shortcut* ``u -> w`` of weight ``w(u, v) + w(v, w)`` for each in-neighbour
``u`` and out-neighbour ``w`` unless a *witness* path ``u -> w`` avoiding ``v`` is at most as
long. Witness searches are Dijkstra searches bounded by a number of settled nodes; a witness they
miss only adds a superfluous shortcut, so distances stay exact. Every arc ``v -> w`` or ``u -> v``
left when ``v`` is contracted leads to a node contracted later (higher rank): they form the
*upward* graph (searched forwards from a source) and the *downward* graph (its arcs reversed,
searched backwards from a target).

Many-to-many
------------
A source or target may sit part-way along segments: it is a set of ``(node, offset)`` pairs (a
virtual node joined to those nodes, contracted first, so it needs no shortcut). Each target
runs a backward upward search and leaves ``(target, distance)`` in the *bucket* of every node it
settles; each source runs a forward upward search and, at every node it settles, combines its
distance with the bucket there. Both searches use *stall-on-demand* (a node reached more cheaply
from a higher neighbour is not expanded). The smallest sum over the meeting nodes is the
shortest-path distance.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numba import njit
from scipy import sparse

EDGE_DIFF_WEIGHT = 2.0
DELETED_WEIGHT = 1.0
LEVEL_WEIGHT = 1.0
SIMULATE_SETTLE_LIMIT = 20  # settled nodes per witness search when estimating a priority
CONTRACT_SETTLE_LIMIT = 200  # ... and when contracting (more witnesses found, fewer shortcuts)
NEIGHBOUR_UPDATES = False  # re-evaluate the neighbours of every contracted node (slower, see above)
PERIODIC_UPDATE = 0.2  # re-evaluate every remaining node when this share of them has been contracted
PROGRESS = 0  # print a line every this many contracted nodes (0: silent)
INF = np.inf


@dataclass
class ContractionHierarchy:
    """Upward (``up_*``) and downward (``down_*``, arcs reversed: ``v -> u`` for ``u -> v``) graphs
    in CSR form over the nodes numbered by ``rank`` (node ``x`` of the input is row ``rank[x]``);
    both only lead from a row to higher rows."""

    rank: np.ndarray
    up_ptr: np.ndarray
    up_to: np.ndarray
    up_w: np.ndarray
    down_ptr: np.ndarray
    down_to: np.ndarray
    down_w: np.ndarray
    n_arcs: int  # arcs of the input graph (self-loops dropped)
    n_shortcuts: int
    build_s: float
    graph_fingerprint: str = ""  # :func:`fingerprint` of the graph it was built from

    ARRAYS = ("rank", "up_ptr", "up_to", "up_w", "down_ptr", "down_to", "down_w")

    @property
    def n_nodes(self) -> int:
        return len(self.rank)

    def many_to_many(self, sources: list[list[tuple[int, float]]],
                     targets: list[list[tuple[int, float]]]) -> np.ndarray:
        """Distances (sources x targets) between virtual points given as ``(node, offset)`` lists:
        a source is at ``node`` after ``offset``; a target is ``offset`` after ``node``."""
        s_ptr, s_node, s_off = _flatten(sources)
        t_ptr, t_node, t_off = _flatten(targets)
        return _many_to_many(self.n_nodes, self.up_ptr, self.up_to, self.up_w, self.down_ptr, self.down_to,
                             self.down_w, s_ptr, self.rank[s_node], s_off, t_ptr, self.rank[t_node], t_off)


    def save(self, directory: str | Path) -> None:
        """Write the hierarchy as a directory of ``.npy`` files (which every routing process maps
        into memory read-only, see :meth:`load`). Written under a temporary name and renamed, so a
        reader never sees half of it; if another process renamed its own copy first, that one stays."""
        directory = Path(directory)
        partial = directory.with_name(f"{directory.name}.partial-{os.getpid()}-{time.monotonic_ns()}")
        partial.mkdir(parents=True)
        for name in self.ARRAYS:
            np.save(partial / f"{name}.npy", getattr(self, name))
        (partial / "meta.json").write_text(json.dumps({
            "n_arcs": self.n_arcs, "n_shortcuts": self.n_shortcuts, "build_s": self.build_s,
            "graph_fingerprint": self.graph_fingerprint}))
        try:
            os.rename(partial, directory)
        except OSError:  # already there (built meanwhile by another process): keep that one
            shutil.rmtree(partial, ignore_errors=True)
            if not directory.is_dir():
                raise

    @classmethod
    def load(cls, directory: str | Path) -> "ContractionHierarchy":
        """Read a saved hierarchy. The arrays are memory-mapped read-only: loading costs no copy,
        and web and worker processes on one machine share one copy in the page cache."""
        directory = Path(directory)
        meta = json.loads((directory / "meta.json").read_text())
        arrays = {name: np.asarray(np.load(directory / f"{name}.npy", mmap_mode="r")) for name in cls.ARRAYS}
        return cls(**arrays, n_arcs=int(meta["n_arcs"]), n_shortcuts=int(meta["n_shortcuts"]),
                   build_s=float(meta["build_s"]), graph_fingerprint=str(meta["graph_fingerprint"]))


def fingerprint(csr: sparse.csr_matrix) -> str:
    """What identifies the weighted graph a hierarchy belongs to (its arcs and weights): a stored
    hierarchy whose fingerprint differs — another network, or weights changed by a new release's
    speed or turn tables — is not used."""
    digest = hashlib.sha256(np.asarray(csr.shape, dtype=np.int64).tobytes())
    for part, dtype in ((csr.indptr, np.int64), (csr.indices, np.int64), (csr.data, np.float64)):
        digest.update(np.ascontiguousarray(part, dtype=dtype).tobytes())
    return digest.hexdigest()


def _flatten(points):
    ptr = np.zeros(len(points) + 1, dtype=np.int64)
    ptr[1:] = np.cumsum([len(p) for p in points])
    node = np.asarray([n for p in points for n, _ in p], dtype=np.int64)
    off = np.asarray([o for p in points for _, o in p], dtype=np.float64)
    return ptr, node, off


def build(csr: sparse.csr_matrix) -> ContractionHierarchy:
    """The contraction hierarchy of a graph given as a CSR matrix of positive arc weights."""
    start = time.perf_counter()
    n = csr.shape[0]
    indptr = csr.indptr.astype(np.int64)
    indices = csr.indices.astype(np.int64)
    data = csr.data.astype(np.float64)
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
    keep = rows != indices  # a loop never lies on a shortest path
    rows, indices, data = rows[keep], indices[keep], data[keep]
    rank, uf, ut, uw, df, dt, dw, n_short = _contract(
        n, rows, indices, data, EDGE_DIFF_WEIGHT, DELETED_WEIGHT, LEVEL_WEIGHT,
        SIMULATE_SETTLE_LIMIT, CONTRACT_SETTLE_LIMIT, NEIGHBOUR_UPDATES, PERIODIC_UPDATE, PROGRESS)
    # nodes renumbered by rank: the searches, which climb to the same top nodes, stay in cache
    up_ptr, up_to, up_w = _csr_arrays(n, rank[uf], rank[ut], uw)
    down_ptr, down_to, down_w = _csr_arrays(n, rank[df], rank[dt], dw)
    return ContractionHierarchy(rank, up_ptr, up_to, up_w, down_ptr, down_to, down_w, int(len(rows)),
                                int(n_short), time.perf_counter() - start, fingerprint(csr))


def _csr_arrays(n, src, dst, w):
    order = np.argsort(src, kind="stable")
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=ptr[1:])
    return ptr, dst[order].astype(np.int64), w[order].astype(np.float64)


# ====================================================================== binary heaps (numba)
@njit(cache=True, nogil=True, inline="always")
def _heap_push(keys, vals, size, key, val):
    """Push onto a plain binary min-heap (duplicates allowed); returns the new size."""
    i = size
    while i > 0:
        parent = (i - 1) >> 1
        if keys[parent] <= key:
            break
        keys[i] = keys[parent]
        vals[i] = vals[parent]
        i = parent
    keys[i] = key
    vals[i] = val
    return size + 1


@njit(cache=True, nogil=True, inline="always")
def _heap_pop(keys, vals, size):
    """Remove the top of the heap (read it first from ``keys[0]``, ``vals[0]``); new size."""
    size -= 1
    key = keys[size]
    val = vals[size]
    i = 0
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        if child + 1 < size and keys[child + 1] < keys[child]:
            child += 1
        if keys[child] >= key:
            break
        keys[i] = keys[child]
        vals[i] = vals[child]
        i = child
    if size > 0:
        keys[i] = key
        vals[i] = val
    return size


@njit(cache=True, nogil=True)
def _iheap_update(keys, heap, pos, size, node, key):
    """Indexed min-heap of nodes (``pos[node]`` = slot or -1): insert or change a key."""
    i = pos[node]
    if i < 0:
        i = size
        size += 1
        heap[i] = node
        pos[node] = i
    keys[node] = key
    while i > 0:  # sift up
        parent = (i - 1) >> 1
        other = heap[parent]
        if keys[other] <= key:
            break
        heap[i] = other
        pos[other] = i
        i = parent
    heap[i] = node
    pos[node] = i
    _iheap_sift_down(keys, heap, pos, size, i, node)
    return size


@njit(cache=True, nogil=True)
def _iheap_sift_down(keys, heap, pos, size, i, node):
    """Move ``node`` (at slot ``i``) down the indexed heap until its children are not smaller."""
    key = keys[node]
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        if child + 1 < size and keys[heap[child + 1]] < keys[heap[child]]:
            child += 1
        other = heap[child]
        if keys[other] >= key:
            break
        heap[i] = other
        pos[other] = i
        i = child
    heap[i] = node
    pos[node] = i


@njit(cache=True, nogil=True)
def _iheap_pop(keys, heap, pos, size):
    """Remove the top node of the indexed heap; returns the new size."""
    top = heap[0]
    pos[top] = -1
    size -= 1
    if size == 0:
        return 0
    last = heap[size]
    _iheap_sift_down(keys, heap, pos, size, 0, last)
    return size


# ====================================================================== dynamic adjacency (numba)
@njit(cache=True, nogil=True)
def _append(start, length, cap, to, w, used, x, y, c):
    """Append arc ``(y, c)`` to the list of ``x`` in a pool of per-node slots (a full slot moves
    to the end of the pool with twice the room; the pool grows by half when full)."""
    if length[x] == cap[x]:
        new_cap = max(4, 2 * cap[x])
        if used[0] + new_cap > len(to):
            size = max(len(to) + len(to) // 2, used[0] + new_cap)
            grown_to = np.empty(size, dtype=to.dtype)
            grown_w = np.empty(size, dtype=w.dtype)
            grown_to[:used[0]] = to[:used[0]]
            grown_w[:used[0]] = w[:used[0]]
            to, w = grown_to, grown_w
        s = start[x]
        for k in range(length[x]):
            to[used[0] + k] = to[s + k]
            w[used[0] + k] = w[s + k]
        start[x] = used[0]
        cap[x] = new_cap
        used[0] += new_cap
    to[start[x] + length[x]] = y
    w[start[x] + length[x]] = c
    length[x] += 1
    return to, w


@njit(cache=True, nogil=True)
def _remove(start, length, to, w, x, y):
    """Drop the arc to ``y`` from the list of ``x`` (order not kept)."""
    s = start[x]
    for k in range(length[x]):
        if to[s + k] == y:
            last = s + length[x] - 1
            to[s + k] = to[last]
            w[s + k] = w[last]
            length[x] -= 1
            return


@njit(cache=True, nogil=True)
def _witness_search(u, v, max_cost, limit, o_start, o_len, o_to, o_w, dist, touched, hk, hv, stats,
                    target_cost, remaining):
    """Dijkstra from ``u`` avoiding ``v``, up to ``max_cost`` or ``limit`` settled nodes, or until
    each of the ``remaining`` targets (``target_cost[y] >= 0``, reset by the caller to -1 once
    reached) has a path at most that long; leaves distances in ``dist`` (to reset through
    ``touched``); returns how many nodes it touched."""
    n_touched = 0
    dist[u] = 0.0
    touched[0] = u
    n_touched = 1
    size = _heap_push(hk, hv, 0, 0.0, u)
    settled = 0
    while size > 0:
        d = hk[0]
        x = hv[0]
        size = _heap_pop(hk, hv, size)
        if d > dist[x]:
            continue
        if d > max_cost:
            break
        settled += 1
        if settled > limit:
            break
        stats[1] += 1
        stats[2] += o_len[x]
        s = o_start[x]
        for k in range(o_len[x]):
            y = o_to[s + k]
            if y == v:
                continue
            nd = d + o_w[s + k]
            if nd < dist[y] and nd <= max_cost:
                if dist[y] == INF:
                    if n_touched >= len(touched):
                        return n_touched  # out of room: stop (only costs shortcuts)
                    touched[n_touched] = y
                    n_touched += 1
                dist[y] = nd
                if target_cost[y] >= nd:
                    target_cost[y] = -1.0
                    remaining -= 1
                    if remaining == 0:
                        return n_touched
                if size >= len(hk):
                    return n_touched
                size = _heap_push(hk, hv, size, nd, y)
    return n_touched


@njit(cache=True, nogil=True)
def _shortcuts_needed(v, limit, o_start, o_len, o_to, o_w, i_start, i_len, i_to, i_w,
                      dist, touched, hk, hv, out_u, out_w, out_c, stats, target_cost):
    """Shortcuts that contracting ``v`` needs (written to ``out_*`` when they are not None-sized,
    i.e. when ``len(out_u) > 0``); returns their number."""
    count = 0
    record = len(out_u) > 0
    os_ = o_start[v]
    for a in range(i_len[v]):
        u = i_to[i_start[v] + a]
        wu = i_w[i_start[v] + a]
        max_cost = -1.0
        remaining = 0
        for b in range(o_len[v]):
            w = o_to[os_ + b]
            if w != u:
                target_cost[w] = wu + o_w[os_ + b]
                remaining += 1
                if wu + o_w[os_ + b] > max_cost:
                    max_cost = wu + o_w[os_ + b]
        if max_cost < 0.0:
            continue
        n_touched = _witness_search(u, v, max_cost, limit, o_start, o_len, o_to, o_w, dist, touched, hk, hv, stats,
                                    target_cost, remaining)
        for b in range(o_len[v]):
            target_cost[o_to[os_ + b]] = -1.0
        stats[0] += 1
        for b in range(o_len[v]):
            w = o_to[os_ + b]
            c = wu + o_w[os_ + b]
            if w != u and dist[w] > c:
                if record:
                    out_u[count] = u
                    out_w[count] = w
                    out_c[count] = c
                count += 1
        for k in range(n_touched):
            dist[touched[k]] = INF
    return count


@njit(cache=True, nogil=True)
def _grow(arr, size):
    out = np.empty(max(size, len(arr) + len(arr) // 2), dtype=arr.dtype)
    out[:len(arr)] = arr
    return out


@njit(cache=True, nogil=True)
def _prio(sc, deg, deleted, level, edge_diff_w, deleted_w, level_w):
    return edge_diff_w * (sc - deg) + deleted_w * deleted + level_w * level


@njit(cache=True, nogil=True)
def _contract(n, rows, cols, weights, edge_diff_w, deleted_w, level_w, simulate_limit, contract_limit,
              neighbour_updates, periodic, progress):
    m = len(rows)
    # dynamic out- and in-lists of the remaining graph
    o_len = np.bincount(rows, minlength=n).astype(np.int64)
    i_len = np.bincount(cols, minlength=n).astype(np.int64)
    o_cap = o_len + 2
    i_cap = i_len + 2
    o_start = np.zeros(n, np.int64)
    i_start = np.zeros(n, np.int64)
    for x in range(1, n):
        o_start[x] = o_start[x - 1] + o_cap[x - 1]
        i_start[x] = i_start[x - 1] + i_cap[x - 1]
    pool = o_start[n - 1] + o_cap[n - 1] if n else 0
    o_used = np.array([pool], np.int64)
    i_used = np.array([pool], np.int64)
    o_to = np.empty(pool * 2 + 16, np.int64)
    o_w = np.empty(pool * 2 + 16, np.float64)
    i_to = np.empty(pool * 2 + 16, np.int64)
    i_w = np.empty(pool * 2 + 16, np.float64)
    fill_o = np.zeros(n, np.int64)
    fill_i = np.zeros(n, np.int64)
    for k in range(m):
        x, y = rows[k], cols[k]
        o_to[o_start[x] + fill_o[x]] = y
        o_w[o_start[x] + fill_o[x]] = weights[k]
        fill_o[x] += 1
        i_to[i_start[y] + fill_i[y]] = x
        i_w[i_start[y] + fill_i[y]] = weights[k]
        fill_i[y] += 1

    dist = np.full(n, INF)
    target_cost = np.full(n, -1.0)
    touched = np.empty(1 << 18, np.int64)
    hk = np.empty(1 << 18, np.float64)
    hv = np.empty(1 << 18, np.int64)
    none_i = np.empty(0, np.int64)
    none_f = np.empty(0, np.float64)
    sim_stats = np.zeros(3, np.int64)  # witness searches, settled nodes, arcs scanned
    con_stats = np.zeros(3, np.int64)
    deleted = np.zeros(n, np.int64)
    level = np.zeros(n, np.int64)
    rank = np.full(n, -1, np.int64)
    stamp = np.full(n, -1, np.int64)

    # output: upward arcs v -> w and downward arcs (reversed) v -> u, both to higher ranks
    cap_out = m + m // 2 + 16
    uf = np.empty(cap_out, np.int64)
    ut = np.empty(cap_out, np.int64)
    uw = np.empty(cap_out, np.float64)
    df = np.empty(cap_out, np.int64)
    dt = np.empty(cap_out, np.int64)
    dw = np.empty(cap_out, np.float64)
    n_up = 0
    n_down = 0
    n_short = 0

    keys = np.zeros(n, np.float64)
    heap = np.empty(n, np.int64)
    pos = np.full(n, -1, np.int64)
    size = 0
    for v in range(n):
        sc = _shortcuts_needed(v, simulate_limit, o_start, o_len, o_to, o_w, i_start, i_len, i_to, i_w,
                               dist, touched, hk, hv, none_i, none_i, none_f, sim_stats, target_cost)
        p = _prio(sc, o_len[v] + i_len[v], 0, 0, edge_diff_w, deleted_w, level_w)
        size = _iheap_update(keys, heap, pos, size, v, p)

    su = np.empty(64, np.int64)
    sw = np.empty(64, np.int64)
    sc_ = np.empty(64, np.float64)
    next_rank = 0
    since_refresh = 0
    while size > 0:
        if periodic > 0.0 and since_refresh >= periodic * size:  # re-evaluate every remaining node
            since_refresh = 0
            waiting = heap[:size].copy()
            for x in waiting:
                sc = _shortcuts_needed(x, simulate_limit, o_start, o_len, o_to, o_w, i_start, i_len, i_to, i_w,
                                       dist, touched, hk, hv, none_i, none_i, none_f, sim_stats, target_cost)
                p = _prio(sc, o_len[x] + i_len[x], deleted[x], level[x], edge_diff_w, deleted_w, level_w)
                size = _iheap_update(keys, heap, pos, size, x, p)
        v = heap[0]
        sc = _shortcuts_needed(v, simulate_limit, o_start, o_len, o_to, o_w, i_start, i_len, i_to, i_w,
                               dist, touched, hk, hv, none_i, none_i, none_f, sim_stats, target_cost)
        p = _prio(sc, o_len[v] + i_len[v], deleted[v], level[v], edge_diff_w, deleted_w, level_w)
        if p > keys[v]:  # lazy update: no longer the smallest?
            size = _iheap_update(keys, heap, pos, size, v, p)
            if heap[0] != v:
                continue
        size = _iheap_pop(keys, heap, pos, size)
        since_refresh += 1

        # shortcuts of v (found with the larger witness limit), then applied
        need = i_len[v] * o_len[v]
        if need > len(su):
            su = np.empty(2 * need, np.int64)
            sw = np.empty(2 * need, np.int64)
            sc_ = np.empty(2 * need, np.float64)
        count = _shortcuts_needed(v, contract_limit, o_start, o_len, o_to, o_w, i_start, i_len, i_to, i_w,
                                  dist, touched, hk, hv, su, sw, sc_, con_stats, target_cost)
        for k in range(count):
            u, w, c = su[k], sw[k], sc_[k]
            found = False
            s = o_start[u]
            for a in range(o_len[u]):
                if o_to[s + a] == w:
                    found = True
                    if c < o_w[s + a]:
                        o_w[s + a] = c
                        t = i_start[w]
                        for b in range(i_len[w]):
                            if i_to[t + b] == u:
                                i_w[t + b] = c
                                break
                    break
            if not found:
                o_to, o_w = _append(o_start, o_len, o_cap, o_to, o_w, o_used, u, w, c)
                i_to, i_w = _append(i_start, i_len, i_cap, i_to, i_w, i_used, w, u, c)
                n_short += 1

        # v's remaining arcs lead to higher ranks: the hierarchy's arcs
        if n_up + o_len[v] > len(uf):
            uf, ut, uw = _grow(uf, n_up + o_len[v]), _grow(ut, n_up + o_len[v]), _grow(uw, n_up + o_len[v])
        if n_down + i_len[v] > len(df):
            df, dt, dw = (_grow(df, n_down + i_len[v]), _grow(dt, n_down + i_len[v]),
                          _grow(dw, n_down + i_len[v]))
        rank[v] = next_rank
        next_rank += 1
        if progress > 0 and next_rank % progress == 0:
            print("contracted", next_rank, "degree", o_len[v] + i_len[v], "shortcuts", n_short,
                  "simulation", sim_stats[0], sim_stats[1], sim_stats[2], "contraction", con_stats[0], con_stats[1],
                  con_stats[2])
        s = o_start[v]
        for a in range(o_len[v]):
            w = o_to[s + a]
            uf[n_up] = v
            ut[n_up] = w
            uw[n_up] = o_w[s + a]
            n_up += 1
            _remove(i_start, i_len, i_to, i_w, w, v)
        s = i_start[v]
        for a in range(i_len[v]):
            u = i_to[s + a]
            df[n_down] = v
            dt[n_down] = u
            dw[n_down] = i_w[s + a]
            n_down += 1
            _remove(o_start, o_len, o_to, o_w, u, v)

        # neighbours: one more deleted neighbour, level, fresh priority
        for side in range(2):
            s = o_start[v] if side == 0 else i_start[v]
            cnt = o_len[v] if side == 0 else i_len[v]
            for a in range(cnt):
                x = o_to[s + a] if side == 0 else i_to[s + a]
                if stamp[x] == v:
                    continue
                stamp[x] = v
                deleted[x] += 1
                bump = max(0, level[v] + 1 - level[x])
                level[x] += bump
                if neighbour_updates:
                    sc = _shortcuts_needed(x, simulate_limit, o_start, o_len, o_to, o_w, i_start, i_len, i_to,
                                           i_w, dist, touched, hk, hv, none_i, none_i, none_f, sim_stats, target_cost)
                    p = _prio(sc, o_len[x] + i_len[x], deleted[x], level[x], edge_diff_w, deleted_w, level_w)
                    size = _iheap_update(keys, heap, pos, size, x, p)
                else:  # re-evaluated lazily when it reaches the top; meanwhile the known increase
                    size = _iheap_update(keys, heap, pos, size, x, keys[x] + deleted_w + level_w * bump)
        o_len[v] = 0
        i_len[v] = 0
    return rank, uf[:n_up], ut[:n_up], uw[:n_up], df[:n_down], dt[:n_down], dw[:n_down], n_short


# ====================================================================== many-to-many (numba)
@njit(cache=True, nogil=True)
def _upward(ptr_, node, off, relax_ptr, relax_to, relax_w, stall_ptr, stall_to, stall_w,
            dist, touched, hk, hv, settled, settled_d):
    """One upward search from virtual start ``(node, off)`` pairs: relax ``relax_*`` arcs, stall
    on ``stall_*`` arcs. Writes the non-stalled settled nodes and distances; returns
    (their number, nodes touched) — reset ``dist`` through ``touched`` afterwards."""
    n_touched = 0
    size = 0
    for k in range(ptr_[0], ptr_[1]):
        x = node[k]
        if off[k] < dist[x]:
            if dist[x] == INF:
                touched[n_touched] = x
                n_touched += 1
            dist[x] = off[k]
            size = _heap_push(hk, hv, size, off[k], x)
    n_settled = 0
    while size > 0:
        d = hk[0]
        x = hv[0]
        size = _heap_pop(hk, hv, size)
        if d > dist[x]:
            continue
        stalled = False
        for a in range(stall_ptr[x], stall_ptr[x + 1]):
            if dist[stall_to[a]] + stall_w[a] < d:
                stalled = True
                break
        if stalled:
            continue
        settled[n_settled] = x
        settled_d[n_settled] = d
        n_settled += 1
        for a in range(relax_ptr[x], relax_ptr[x + 1]):
            y = relax_to[a]
            nd = d + relax_w[a]
            if nd < dist[y]:
                if dist[y] == INF:
                    touched[n_touched] = y
                    n_touched += 1
                dist[y] = nd
                size = _heap_push(hk, hv, size, nd, y)
    return n_settled, n_touched


@njit(cache=True, nogil=True)
def _many_to_many(n, up_ptr, up_to, up_w, down_ptr, down_to, down_w, s_ptr, s_node, s_off,
                  t_ptr, t_node, t_off):
    n_src = len(s_ptr) - 1
    n_tgt = len(t_ptr) - 1
    dist = np.full(n, INF)
    touched = np.empty(n, np.int64)
    room = len(up_to) + len(down_to) + len(s_node) + len(t_node) + 1
    hk = np.empty(room, np.float64)
    hv = np.empty(room, np.int64)
    settled = np.empty(n, np.int64)
    settled_d = np.empty(n, np.float64)
    # backward searches from the targets fill the buckets
    b_node = np.empty(1024, np.int64)
    b_tgt = np.empty(1024, np.int64)
    b_d = np.empty(1024, np.float64)
    n_b = 0
    for j in range(n_tgt):
        n_settled, n_touched = _upward(t_ptr[j:j + 2], t_node, t_off, down_ptr, down_to, down_w,
                                       up_ptr, up_to, up_w, dist, touched, hk, hv, settled, settled_d)
        if n_b + n_settled > len(b_node):
            b_node, b_tgt, b_d = (_grow(b_node, n_b + n_settled), _grow(b_tgt, n_b + n_settled),
                                  _grow(b_d, n_b + n_settled))
        for k in range(n_settled):
            b_node[n_b] = settled[k]
            b_tgt[n_b] = j
            b_d[n_b] = settled_d[k]
            n_b += 1
        for k in range(n_touched):
            dist[touched[k]] = INF
    bucket_ptr = np.zeros(n + 1, np.int64)
    for k in range(n_b):
        bucket_ptr[b_node[k] + 1] += 1
    for x in range(n):
        bucket_ptr[x + 1] += bucket_ptr[x]
    fill = bucket_ptr[:-1].copy()
    bucket_tgt = np.empty(n_b, np.int64)
    bucket_d = np.empty(n_b, np.float64)
    for k in range(n_b):
        x = b_node[k]
        bucket_tgt[fill[x]] = b_tgt[k]
        bucket_d[fill[x]] = b_d[k]
        fill[x] += 1
    # forward searches from the sources meet them
    out = np.full((n_src, n_tgt), INF)
    for i in range(n_src):
        n_settled, n_touched = _upward(s_ptr[i:i + 2], s_node, s_off, up_ptr, up_to, up_w,
                                       down_ptr, down_to, down_w, dist, touched, hk, hv, settled, settled_d)
        row = out[i]
        for k in range(n_settled):
            x = settled[k]
            d = settled_d[k]
            for a in range(bucket_ptr[x], bucket_ptr[x + 1]):
                c = d + bucket_d[a]
                if c < row[bucket_tgt[a]]:
                    row[bucket_tgt[a]] = c
        for k in range(n_touched):
            dist[touched[k]] = INF
    return out
