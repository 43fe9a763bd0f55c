import { assertMatrix, assertOption, checkOptions, CvxnnError, Matrix, type OptionSpec, Rng, svd } from '@cvxnn/linalg';
import { regionCount } from './count.js';
import { PatternTable } from './table.js';
import { checkData, type PatternSet } from './types.js';

/**
 * Options of `enumeratePatterns`.
 *
 * @example
 *   const opts: EnumerateOptions = { dropZero: false, maxPatterns: 1e5 };
 */
export interface EnumerateOptions {
  /** drop the all-zero pattern (it contributes nothing, SPEC §1.1); default true */
  dropZero?: boolean;
  /** geometric tolerance on unit vectors: a row is zero, two rows span the same hyperplane, or a ray lies on a hyperplane when they agree to `tol`; default 1e-9 */
  tol?: number;
  /** refuse (INVALID_OPTION, with the predicted count) when the arrangement may have more chambers than this; default 1e6 */
  maxPatterns?: number;
}

/**
 * The data reduced to its row space (SPEC §1.3 item 1) and its distinct hyperplanes.
 * @internal
 */
export interface ReducedArrangement {
  n: number;
  d: number;
  /** numerical rank r of X */
  r: number;
  /** d × r: right singular vectors; a witness h ∈ R^r maps back to g = V_r h */
  V: Matrix<Float64Array>;
  /** m × r unit normals of the distinct hyperplanes (rows of Z = X V_r up to positive scale and sign) */
  normals: Float64Array;
  m: number;
  /** per sample: index of its hyperplane, or −1 for a zero row */
  hyperplane: Int32Array;
  /** per sample: +1 if z_j is a positive multiple of its hyperplane's normal, −1 if negative */
  orientation: Int8Array;
}

/**
 * Rank-reduce X (compact SVD; rank with the cut-off 10·max(n,d)·ε·σ₁ of `rank` in @cvxnn/linalg),
 * find the zero rows and group parallel / antiparallel rows into one hyperplane each.
 * @internal
 */
export function reduceArrangement(X: Matrix<Float64Array>, tol: number): ReducedArrangement {
  const n = X.rows;
  const d = X.cols;
  const { s, V } = svd(X);
  const cut = 10 * Math.max(n, d) * Number.EPSILON * (s[0] ?? 0);
  let r = 0;
  while (r < s.length && s[r] > cut && s[r] > 0) r++;
  const Vr = Matrix.zeros(d, r);
  for (let i = 0; i < d; i++) for (let c = 0; c < r; c++) Vr.data[i * r + c] = V.get(i, c);
  // Z = X V_r, normalised row by row.
  const Z = new Float64Array(n * r);
  const norms = new Float64Array(n);
  let maxNorm = 0;
  for (let j = 0; j < n; j++) {
    let ss = 0;
    for (let c = 0; c < r; c++) {
      let v = 0;
      for (let i = 0; i < d; i++) v += X.get(j, i) * Vr.data[i * r + c];
      Z[j * r + c] = v;
      ss += v * v;
    }
    norms[j] = Math.sqrt(ss);
    if (norms[j] > maxNorm) maxNorm = norms[j];
  }
  const hyperplane = new Int32Array(n).fill(-1);
  const orientation = new Int8Array(n);
  const normals: number[] = [];
  let m = 0;
  // Group parallel / antiparallel rows. Rows within `tol` (max-norm, up to sign) of each other have
  // |uᵀw| within √r·tol for a fixed unit w, so after sorting by |uᵀw| only a short window of
  // neighbours needs the exact comparison: O(n log n) instead of O(n·m).
  const live: number[] = [];
  for (let j = 0; j < n; j++) if (r > 0 && norms[j] > tol * maxNorm) live.push(j);
  const U = new Float64Array(n * r);
  const key = new Float64Array(n);
  const w = new Rng(0x5eed).normalArray(r);
  let wn = 0;
  for (const v of w) wn += v * v;
  for (const j of live) {
    let kv = 0;
    for (let c = 0; c < r; c++) {
      U[j * r + c] = Z[j * r + c] / norms[j];
      kv += (U[j * r + c] * w[c]) / Math.sqrt(wn);
    }
    key[j] = Math.abs(kv);
  }
  live.sort((a, b) => key[a] - key[b]);
  const window = Math.sqrt(r) * tol * 1.01 + 4 * Number.EPSILON;
  for (let a = 0; a < live.length; a++) {
    const j = live[a];
    if (hyperplane[j] >= 0) continue;
    for (let c = 0; c < r; c++) normals.push(U[j * r + c]);
    const k = m++;
    hyperplane[j] = k;
    orientation[j] = 1;
    for (let b = a + 1; b < live.length && key[live[b]] - key[j] <= window; b++) {
      const i = live[b];
      if (hyperplane[i] >= 0) continue;
      let dp = 0;
      let dm = 0;
      for (let c = 0; c < r; c++) {
        dp = Math.max(dp, Math.abs(U[i * r + c] - U[j * r + c]));
        dm = Math.max(dm, Math.abs(U[i * r + c] + U[j * r + c]));
      }
      if (dp <= tol || dm <= tol) {
        hyperplane[i] = k;
        orientation[i] = dp <= tol ? 1 : -1;
      }
    }
  }
  return { n, d, r, V: Vr, normals: Float64Array.from(normals), m, hyperplane, orientation };
}

function dotRow(A: Float64Array, j: number, k: number, x: Float64Array): number {
  let s = 0;
  const o = j * k;
  for (let c = 0; c < k; c++) s += A[o + c] * x[c];
  return s;
}

function normalize(x: Float64Array): Float64Array {
  let s = 0;
  for (const v of x) s += v * v;
  const nrm = Math.sqrt(s);
  if (nrm > 0) for (let i = 0; i < x.length; i++) x[i] /= nrm;
  return x;
}

/** Chambers of an arrangement of points ±1 on the line: the two half-lines. */
function chambers1(): Float64Array[] {
  return [Float64Array.of(1), Float64Array.of(-1)];
}

/**
 * Chambers of m lines through the origin of R² with unit normals A (m × 2): sort the directions
 * of the lines, the chambers are the arcs between consecutive rays (SPEC §1.3 item 5); the
 * witness is the bisector of the arc.
 */
function chambers2(A: Float64Array, m: number, tol: number): Float64Array[] {
  const theta: number[] = [];
  for (let j = 0; j < m; j++) {
    // direction of line j is (−a₁, a₀); its angle modulo π
    let t = Math.atan2(A[2 * j], -A[2 * j + 1]);
    if (t < 0) t += Math.PI;
    if (t >= Math.PI) t -= Math.PI;
    theta.push(t);
  }
  theta.sort((a, b) => a - b);
  const lines: number[] = [];
  for (const t of theta) if (lines.length === 0 || t - lines[lines.length - 1] > tol) lines.push(t);
  if (lines.length > 1 && lines[0] + Math.PI - lines[lines.length - 1] <= tol) lines.pop();
  if (lines.length === 1) {
    const a = Float64Array.of(Math.sin(lines[0]), -Math.cos(lines[0]));
    return [a, Float64Array.of(-a[0], -a[1])];
  }
  const L = lines.length;
  const rays = [...lines, ...lines.map((t) => t + Math.PI)];
  const out: Float64Array[] = [];
  for (let i = 0; i < 2 * L; i++) {
    const a = rays[i];
    const b = rays[(i + 1) % (2 * L)];
    out.push(normalize(Float64Array.of(Math.cos(a) + Math.cos(b), Math.sin(a) + Math.sin(b))));
  }
  return out;
}

/** Inverse of a small k × k matrix (Gauss–Jordan with partial pivoting); null when singular. */
function invertSmall(M: Float64Array, k: number): Float64Array | null {
  const a = Float64Array.from(M);
  const inv = new Float64Array(k * k);
  for (let i = 0; i < k; i++) inv[i * k + i] = 1;
  for (let c = 0; c < k; c++) {
    let p = c;
    for (let i = c + 1; i < k; i++) if (Math.abs(a[i * k + c]) > Math.abs(a[p * k + c])) p = i;
    if (Math.abs(a[p * k + c]) < 1e-14) return null;
    if (p !== c) {
      for (let t = 0; t < k; t++) {
        [a[p * k + t], a[c * k + t]] = [a[c * k + t], a[p * k + t]];
        [inv[p * k + t], inv[c * k + t]] = [inv[c * k + t], inv[p * k + t]];
      }
    }
    const piv = a[c * k + c];
    for (let t = 0; t < k; t++) {
      a[c * k + t] /= piv;
      inv[c * k + t] /= piv;
    }
    for (let i = 0; i < k; i++) {
      if (i === c) continue;
      const f = a[i * k + c];
      if (f === 0) continue;
      for (let t = 0; t < k; t++) {
        a[i * k + t] -= f * a[c * k + t];
        inv[i * k + t] -= f * inv[c * k + t];
      }
    }
  }
  return inv;
}

/**
 * Directions w ⊥ q, one strictly inside each chamber of the arrangement of the hyperplanes in
 * `S` restricted to q^⊥ (the localisation of the arrangement at the ray q). General position
 * (|S| = k−1 independent normals): the 2^{k−1} solutions of A_S w = s, s ∈ {±1}^{k−1}, w in the
 * row span of A_S. Degenerate (|S| > k−1): recurse into q^⊥ with a Householder basis.
 */
function localWitnesses(A: Float64Array, k: number, S: number[], q: Float64Array, tol: number): Float64Array[] {
  const c = S.length;
  if (c === k - 1) {
    // w = A_Sᵀ (A_S A_Sᵀ)⁻¹ s
    const G = new Float64Array(c * c);
    for (let a = 0; a < c; a++) for (let b = 0; b < c; b++) G[a * c + b] = dotRow(A, S[a], k, A.subarray(S[b] * k, S[b] * k + k));
    const Gi = invertSmall(G, c);
    if (Gi) {
      const out: Float64Array[] = [];
      const coef = new Float64Array(c);
      for (let mask = 0; mask < 1 << c; mask++) {
        for (let a = 0; a < c; a++) {
          let v = 0;
          for (let b = 0; b < c; b++) v += Gi[a * c + b] * ((mask >>> b) & 1 ? 1 : -1);
          coef[a] = v;
        }
        const w = new Float64Array(k);
        for (let a = 0; a < c; a++) for (let t = 0; t < k; t++) w[t] += coef[a] * A[S[a] * k + t];
        out.push(w);
      }
      return out;
    }
  }
  // Householder H = I − 2vvᵀ/vᵀv with v = q + sign(q₀)e₀ maps q to ∓e₀; columns 1..k−1 of H span q^⊥.
  const v = Float64Array.from(q);
  v[0] += q[0] >= 0 ? 1 : -1;
  let vv = 0;
  for (const x of v) vv += x * x;
  const B = new Float64Array(k * (k - 1)); // k × (k−1)
  for (let i = 0; i < k; i++) for (let col = 1; col < k; col++) B[i * (k - 1) + col - 1] = (i === col ? 1 : 0) - (2 * v[i] * v[col]) / vv;
  const local = new Float64Array(c * (k - 1));
  for (let t = 0; t < c; t++) {
    let ss = 0;
    for (let col = 0; col < k - 1; col++) {
      let x = 0;
      for (let i = 0; i < k; i++) x += A[S[t] * k + i] * B[i * (k - 1) + col];
      local[t * (k - 1) + col] = x;
      ss += x * x;
    }
    const nrm = Math.sqrt(ss);
    for (let col = 0; col < k - 1; col++) local[t * (k - 1) + col] /= nrm;
  }
  const W = chambers(local, c, k - 1, tol);
  return W.map((h) => {
    const w = new Float64Array(k);
    for (let i = 0; i < k; i++) for (let col = 0; col < k - 1; col++) w[i] += B[i * (k - 1) + col] * h[col];
    return w;
  });
}

/**
 * Witnesses (unit vectors strictly inside), one per chamber, of the essential central arrangement
 * with m distinct unit normals A (m × k) in R^k. For k ≥ 3 every chamber is a pointed cone whose
 * extreme rays are 1-D intersections of k−1 hyperplanes: enumerate the rays ±q, and around each
 * ray the chambers of its localisation, g = ±q + ε·w with ε small enough that no hyperplane
 * through neither q nor w changes sign. Chambers are de-duplicated by their packed sign vectors;
 * when `signTable` is given it receives them, sign vector t belonging to witness t.
 */
function chambers(A: Float64Array, m: number, k: number, tol: number, signTable?: PatternTable): Float64Array[] {
  if (k === 1) return chambers1();
  if (k === 2) return chambers2(A, m, tol);
  const table = signTable ?? new PatternTable(m);
  const signs = new Uint32Array(table.words);
  const out: Float64Array[] = [];
  const seenRays = new Set<string>();
  const idx = Array.from({ length: k - 1 }, (_, i) => i);
  const Q = new Float64Array((k - 1) * k);
  const q = new Float64Array(k);
  const res = new Float64Array(k);
  const aq = new Float64Array(m);
  const pos = new Uint32Array(table.words);
  const neg = new Uint32Array(table.words);
  const inRay = new Uint8Array(m);
  const g = new Float64Array(k);
  for (;;) {
    // Orthonormalise the k−1 chosen normals (modified Gram–Schmidt, twice); skip dependent subsets.
    let independent = true;
    for (let a = 0; a < k - 1 && independent; a++) {
      for (let t = 0; t < k; t++) Q[a * k + t] = A[idx[a] * k + t];
      for (let pass = 0; pass < 2; pass++) {
        for (let b = 0; b < a; b++) {
          let dp = 0;
          for (let t = 0; t < k; t++) dp += Q[a * k + t] * Q[b * k + t];
          for (let t = 0; t < k; t++) Q[a * k + t] -= dp * Q[b * k + t];
        }
      }
      let nrm = 0;
      for (let t = 0; t < k; t++) nrm += Q[a * k + t] * Q[a * k + t];
      nrm = Math.sqrt(nrm);
      if (nrm <= tol) independent = false;
      else for (let t = 0; t < k; t++) Q[a * k + t] /= nrm;
    }
    if (independent) {
      // q: the unit vector orthogonal to the k−1 normals — the residual of the best coordinate axis.
      let best = -1;
      for (let e = 0; e < k; e++) {
        let nr = 1;
        for (let b = 0; b < k - 1; b++) nr -= Q[b * k + e] * Q[b * k + e];
        if (nr > best) {
          best = nr;
          res.fill(0);
          res[e] = 1;
        }
      }
      q.set(res);
      for (let pass = 0; pass < 2; pass++) {
        for (let b = 0; b < k - 1; b++) {
          let dp = 0;
          for (let t = 0; t < k; t++) dp += q[t] * Q[b * k + t];
          for (let t = 0; t < k; t++) q[t] -= dp * Q[b * k + t];
        }
      }
      normalize(q);
      const S: number[] = [];
      for (let j = 0; j < m; j++) {
        aq[j] = dotRow(A, j, k, q);
        inRay[j] = Math.abs(aq[j]) <= tol ? 1 : 0;
        if (inRay[j]) S.push(j);
      }
      let fresh = true;
      if (S.length > k - 1) {
        const key = S.join(',');
        if (seenRays.has(key)) fresh = false;
        else seenRays.add(key);
      }
      if (fresh) {
        // Signs off the ray are fixed by ±q; |A_jᵀw| ≤ ‖w‖ (unit normals), so ε = ½·min_{j∉S}|a_jᵀq| / ‖w‖
        // keeps every one of them (margin ≥ ½|a_jᵀq|), and the hyperplanes through q take w's signs.
        let minOff = Infinity;
        pos.fill(0);
        neg.fill(0);
        for (let j = 0; j < m; j++) {
          if (inRay[j]) continue;
          const a = aq[j];
          if (Math.abs(a) < minOff) minOff = Math.abs(a);
          if (a > 0) pos[j >>> 5] |= 1 << (j & 31);
          else neg[j >>> 5] |= 1 << (j & 31);
        }
        for (const w of localWitnesses(A, k, S, q, tol)) {
          let wn = 0;
          for (const x of w) wn += x * x;
          wn = Math.sqrt(wn);
          const eps = Number.isFinite(minOff) ? (0.5 * minOff) / wn : 1 / wn;
          for (const sigma of [1, -1]) {
            signs.set(sigma > 0 ? pos : neg);
            for (const j of S) if (dotRow(A, j, k, w) > 0) signs[j >>> 5] |= 1 << (j & 31);
            if (table.add(signs, 0) >= 0) {
              for (let t = 0; t < k; t++) g[t] = sigma * q[t] + eps * w[t];
              out.push(normalize(Float64Array.from(g)));
            }
          }
        }
      }
    }
    // next (k−1)-subset in lexicographic order
    let p = k - 2;
    while (p >= 0 && idx[p] === m - (k - 1) + p) p--;
    if (p < 0) break;
    idx[p]++;
    for (let t = p + 1; t < k - 1; t++) idx[t] = idx[t - 1] + 1;
  }
  return out;
}

/** The option types of `enumeratePatterns` and `enumeratePatternsLP`. @internal */
export const ENUMERATE_OPTIONS: OptionSpec<EnumerateOptions> = { dropZero: 'boolean', tol: 'number', maxPatterns: 'number' };

/**
 * Every activation (chamber) pattern of the central arrangement {x_jᵀ g = 0} of the data, with a
 * witness gate strictly inside each chamber (SPEC §1.3). Exact for any n × d data of any rank r:
 * X is reduced to its row space by an SVD (patterns of Z = X V_r over R^r equal those of X over
 * R^d, g = V_r h), zero rows are inactive in every pattern (they lie in no hyperplane), parallel and
 * antiparallel rows share a hyperplane, and chambers are found around the extreme rays of the
 * arrangement (each an intersection of r−1 hyperplanes; the localisation at a ray is enumerated
 * recursively one dimension down). Cost O(C(m, r−1)·2^{r−1}·m·r) for m distinct hyperplanes — no LP.
 * Patterns use `>` (scnn); chamber patterns are the same under `≥`.
 *
 * @example
 *   const ps = enumeratePatterns(Matrix.from([[1, 0], [0, 1], [1, 1]]), { dropZero: false });
 *   ps.masks.p; // 6 = 2·(1 + 2), SPEC fixture X1
 */
export function enumeratePatterns(X: Matrix<Float64Array | Float32Array>, opts: EnumerateOptions = {}): PatternSet {
  assertMatrix('enumeratePatterns', 'X', X);
  checkOptions('enumeratePatterns', opts, ENUMERATE_OPTIONS);
  const X64 = checkData(X);
  const dropZero = opts.dropZero ?? true;
  const tol = opts.tol ?? 1e-9;
  const maxPatterns = opts.maxPatterns ?? 1e6;
  assertOption(Number.isFinite(tol) && tol > 0 && tol < 0.1, `enumeratePatterns: tol must be in (0, 0.1), got ${tol}`);
  assertOption(maxPatterns > 0, `enumeratePatterns: maxPatterns must be positive, got ${maxPatterns}`);
  const red = reduceArrangement(X64, tol);
  const { n, d, r, m } = red;
  const predicted = regionCount(m, r);
  if (predicted > maxPatterns) {
    throw new CvxnnError(
      'INVALID_OPTION',
      `exact enumeration would produce up to ${predicted} patterns (${m} distinct hyperplanes, rank ${r}), more than maxPatterns = ${maxPatterns}; sample them instead (samplePatterns(X, { count, seed })) or raise the maxPatterns option`,
      { predicted, m, r },
    );
  }
  let witnesses: Float64Array[];
  const signTable = r >= 3 ? new PatternTable(m, 1024) : undefined;
  if (r === 0) witnesses = [new Float64Array(0)];
  else if (r === 1) witnesses = chambers1();
  else if (r === 2) witnesses = chambers2(red.normals, m, tol);
  else witnesses = chambers(red.normals, m, r, tol, signTable);

  const table = new PatternTable(n, witnesses.length);
  const bits = new Uint32Array(table.words);
  const hsign = new Uint8Array(m);
  const gates: Float64Array[] = [];
  for (let t = 0; t < witnesses.length; t++) {
    const h = witnesses[t];
    if (signTable) {
      const base = t * signTable.words;
      for (let k = 0; k < m; k++) hsign[k] = (signTable.pool[base + (k >>> 5)] >>> (k & 31)) & 1;
    } else if (r === 2) {
      const A = red.normals;
      const h0 = h[0];
      const h1 = h[1];
      for (let k = 0; k < m; k++) hsign[k] = A[2 * k] * h0 + A[2 * k + 1] * h1 > 0 ? 1 : 0;
    } else {
      for (let k = 0; k < m; k++) hsign[k] = dotRow(red.normals, k, r, h) > 0 ? 1 : 0;
    }
    bits.fill(0);
    let any = false;
    for (let j = 0; j < n; j++) {
      const k = red.hyperplane[j];
      if (k >= 0 && (red.orientation[j] > 0 ? hsign[k] === 1 : hsign[k] === 0)) {
        bits[j >>> 5] |= 1 << (j & 31);
        any = true;
      }
    }
    if (dropZero && !any) continue;
    if (table.add(bits, 0) < 0) continue; // cannot happen for distinct chambers; kept as a guard
    const g = new Float64Array(d);
    if (r === 0) g[0] = 1;
    else for (let i = 0; i < d; i++) for (let c = 0; c < r; c++) g[i] += red.V.data[i * r + c] * h[c];
    gates.push(normalize(g));
  }
  const P = gates.length;
  const G = Matrix.zeros(d, P);
  for (let t = 0; t < P; t++) for (let i = 0; i < d; i++) G.data[i * P + t] = gates[t][i];
  return { masks: table.toMasks(), gates: G, method: 'exact', rank: r };
}
