/**
 * Agglomerative clustering with average linkage, weighted by how much speech each item holds, by the
 * nearest-neighbour-chain algorithm (O(n²) time, one n×n float32 matrix). Stops at `k` clusters when the number of
 * speakers is known, else where the closest pair is farther apart than `threshold`.
 * Hand-written rather than taken from a library because it needs the weighted linkage, both stop rules and a flat
 * float32 matrix (the callers cap n, so memory is bounded); the JavaScript packages found build nested arrays.
 */
import { throwIfAborted } from '../errors.ts';

export interface ClusterOptions {
  /** Exact number of clusters wanted (at most n). */
  k?: number;
  /** Merge while the closest pair is nearer than this (used when k is not given). */
  threshold: number;
  /** Never fewer clusters than this… */
  minClusters?: number;
  /** …nor more than this (when estimating with the threshold). */
  maxClusters?: number;
  signal?: AbortSignal;
}

/**
 * `distance(i, j)` for i < j; `weights[i]` is the speech (seconds) item i holds. Returns a cluster index per item,
 * numbered 0.. in order of each cluster's first item.
 */
export function agglomerate(
  n: number,
  distance: (i: number, j: number) => number,
  weights: ArrayLike<number>,
  options: ClusterOptions,
): Int32Array {
  const merges = dendrogram(n, distance, weights, options.signal);
  const maxK = Math.max(1, Math.min(n, options.maxClusters ?? n));
  const minK = Math.max(1, Math.min(n, options.minClusters ?? 1));
  let target: number;
  if (options.k !== undefined) target = Math.max(1, Math.min(n, options.k));
  else {
    let below = 0;
    while (below < merges.length && merges[below].height < options.threshold) below++;
    target = Math.min(maxK, Math.max(minK, n - below));
  }
  return cutTree(n, merges, target);
}

/** The merges of average-linkage clustering, lowest first. */
export function dendrogram(
  n: number,
  distance: (i: number, j: number) => number,
  weights: ArrayLike<number>,
  signal?: AbortSignal,
): Merge[] {
  if (n < 2) return [];
  const d = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    if (i % 64 === 0) throwIfAborted(signal);
    for (let j = i + 1; j < n; j++) {
      const v = distance(i, j);
      d[i * n + j] = v;
      d[j * n + i] = v;
    }
  }
  const merges = nnChain(n, d, Float64Array.from(weights), signal);
  return merges.sort((a, b) => a.height - b.height);
}

/**
 * Cluster labels after applying the lowest (n - k) merges (for average linkage the dendrogram is monotone, so this is
 * its cut into k clusters), numbered 0.. in order of each cluster's first item.
 */
export function cutTree(n: number, merges: Merge[], k: number): Int32Array {
  const target = Math.max(1, Math.min(n, k));
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  for (let m = 0; m < n - target && m < merges.length; m++) parent[find(merges[m].a)] = find(merges[m].b);
  const labels = new Int32Array(n);
  const names = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const root = find(i);
    if (!names.has(root)) names.set(root, names.size);
    labels[i] = names.get(root)!;
  }
  return labels;
}

export interface Merge {
  a: number;
  b: number;
  height: number;
}

/** Nearest-neighbour chain with the weighted average (UPGMA) update; `d` is overwritten. */
function nnChain(n: number, d: Float32Array, size: Float64Array, signal?: AbortSignal): Merge[] {
  const active = new Uint8Array(n).fill(1);
  // Original item ids each active slot stands for (its first member is enough for the union-find).
  const member = Int32Array.from({ length: n }, (_, i) => i);
  const merges: Merge[] = [];
  const chain: number[] = [];
  let remaining = n;
  while (remaining > 1) {
    if (merges.length % 32 === 0) throwIfAborted(signal);
    if (chain.length === 0) {
      let first = 0;
      while (!active[first]) first++;
      chain.push(first);
    }
    while (true) {
      const a = chain[chain.length - 1];
      const previous = chain.length > 1 ? chain[chain.length - 2] : -1;
      // Prefer the previous element on ties, so the chain always ends in a reciprocal pair.
      let best = previous;
      let bestD = previous >= 0 ? d[a * n + previous] : Number.POSITIVE_INFINITY;
      for (let x = 0; x < n; x++) {
        if (!active[x] || x === a) continue;
        const v = d[a * n + x];
        if (v < bestD) {
          bestD = v;
          best = x;
        }
      }
      if (best === previous) {
        chain.pop();
        chain.pop();
        merges.push({ a: member[a], b: member[best], height: bestD });
        // Merge `best` into slot `a`.
        const sa = size[a];
        const sb = size[best];
        for (let x = 0; x < n; x++) {
          if (!active[x] || x === a || x === best) continue;
          const v = (sa * d[a * n + x] + sb * d[best * n + x]) / (sa + sb);
          d[a * n + x] = v;
          d[x * n + a] = v;
        }
        size[a] = sa + sb;
        active[best] = 0;
        remaining--;
        break;
      }
      chain.push(best);
    }
  }
  return merges;
}
