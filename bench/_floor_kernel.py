"""The numba kernel of :mod:`bench.floor` (a module of its own so that numba caches it on disk).

Imported only by :func:`bench.floor.compiled`: importing it imports numba.
"""

from __future__ import annotations

import heapq

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def search(
    indptr: np.ndarray,
    nbr: np.ndarray,
    etype: np.ndarray,
    ecost: np.ndarray,
    node_cost: np.ndarray,
    is_source: np.ndarray,
    interior_ok: np.ndarray,
    type_mask: np.ndarray,
    h: np.ndarray,
    hop_bound: np.ndarray,
    target: int,
    max_hops: int,
    k: int,
    max_cost: float,
    scratch: np.ndarray,
    seen_best: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    # entries of partial and complete paths: node, parent entry, cost so far, hops, hop cost
    cap = 1024
    e_node = np.empty(cap, np.int64)
    e_parent = np.empty(cap, np.int64)
    e_g = np.empty(cap, np.float64)
    e_hops = np.empty(cap, np.int64)
    e_hop = np.empty(cap, np.float64)
    e_done = np.zeros(cap, np.bool_)
    e_node[0], e_parent[0], e_g[0], e_hops[0], e_hop[0] = target, -1, 0.0, 0, 0.0
    count = 1
    heap = [(0.0, 0)]
    out = [0]
    out.pop()
    found_sources = [0]
    found_sources.pop()
    kth = np.inf
    touched = np.empty(64, np.int64)
    while len(heap) > 0:
        f, i = heapq.heappop(heap)
        limit = min(max_cost, kth) + 1e-9
        if f > limit:
            break
        if e_done[i]:
            s = e_node[i]
            best = seen_best[s]
            if best < 0:  # a new introducer
                seen_best[s] = e_g[i]
                found_sources.append(s)
                out.append(i)
                if len(found_sources) == k:
                    kth = e_g[i]
            elif e_g[i] <= best + 1e-9:  # ties with this introducer's best: the exact order decides
                out.append(i)
            continue
        v = e_node[i]
        hops = e_hops[i]
        base = e_g[i] + (node_cost[v] if hops > 0 else 0.0)
        lo, hi = indptr[v], indptr[v + 1]
        if hi - lo > touched.shape[0]:
            touched = np.empty(hi - lo, np.int64)
        nt = 0
        for j in range(lo, hi):
            if not type_mask[etype[j]]:
                continue
            u = nbr[j]
            c = ecost[j]
            if scratch[u] == np.inf:
                touched[nt] = u
                nt += 1
                scratch[u] = c
            elif c < scratch[u]:
                scratch[u] = c
        nh = hops + 1
        for t in range(nt):
            u = touched[t]
            c = scratch[u]
            scratch[u] = np.inf
            if u == target:
                continue
            on_path = False
            p = i
            while p >= 0:
                if e_node[p] == u:
                    on_path = True
                    break
                p = e_parent[p]
            if on_path:
                continue
            g2 = base + c
            if is_source[u]:
                if g2 > limit:
                    continue
                done = True
                f2 = g2
            else:
                if nh >= max_hops or not interior_ok[u] or hop_bound[u] > max_hops - nh:
                    continue
                f2 = g2 + h[u]
                if f2 > limit:
                    continue
                done = False
            if count == cap:
                cap *= 2
                e_node = np.concatenate((e_node, np.empty(cap - count, np.int64)))
                e_parent = np.concatenate((e_parent, np.empty(cap - count, np.int64)))
                e_g = np.concatenate((e_g, np.empty(cap - count, np.float64)))
                e_hops = np.concatenate((e_hops, np.empty(cap - count, np.int64)))
                e_hop = np.concatenate((e_hop, np.empty(cap - count, np.float64)))
                e_done = np.concatenate((e_done, np.zeros(cap - count, np.bool_)))
            e_node[count], e_parent[count], e_g[count], e_hops[count] = u, i, g2, nh
            e_hop[count], e_done[count] = c, done
            heapq.heappush(heap, (f2, count))
            count += 1
    for s in found_sources:
        seen_best[s] = -1.0
    # the found paths, source first: nodes (-1 padded), hop costs, costs
    m = len(out)
    nodes = np.full((m, max_hops + 1), -1, np.int64)
    hopc = np.zeros((m, max_hops), np.float64)
    costs = np.empty(m, np.float64)
    lengths = np.empty(m, np.int64)
    for r in range(m):
        i = out[r]
        costs[r] = e_g[i]
        n = e_hops[i] + 1
        lengths[r] = n
        p = i
        col = 0
        while p >= 0:
            nodes[r, col] = e_node[p]
            if e_parent[p] >= 0:
                hopc[r, col] = e_hop[p]
            col += 1
            p = e_parent[p]
    return nodes, hopc, costs, lengths
