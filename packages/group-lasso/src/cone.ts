import { type Backend, getBackend, Matrix, type PatternMasks } from '@cvxnn/linalg';
import type { Penalty } from './problem.js';

/**
 * Euclidean projection onto the polyhedral cone K_i = {u : (2D_i − I) X u ≥ 0} (SPEC §2.3) by the
 * Lawson–Hanson active-set NNLS on the dual: Π_K(z) = z + Σ_{j∈F} μ_j a_j with a_j = s_j x_j,
 * μ = argmin_{μ≥0} ½‖z + Aᵀμ‖². At most d constraints are active at a time, so each step solves a
 * |F|×|F| system (|F| ≤ d); termination is finite. Writes the projection into `out`. With
 * `warmOnly` it stops after the warm-started solve (see below) without checking feasibility.
 *
 * @example
 *   const proj = coneProjector(X, masks);
 *   proj(i, z, out); // out = Π_{K_i}(z)
 */
export function coneProjector(
  X: Matrix<Float64Array>,
  masks: PatternMasks,
): (i: number, z: Float64Array, out: Float64Array, warm?: number[], bound?: number, warmOnly?: boolean) => number[] {
  const n = X.rows;
  const d = X.cols;
  const Xd = X.data;
  const so = X.offset;
  const st = X.stride;
  const rowNorm2 = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += Xd[so + j * st + k] ** 2;
    rowNorm2[j] = s;
  }
  const rowNorm1 = rowNorm2.map(Math.sqrt);
  // the sign pattern s_j of the cone being projected onto (filled once per full projection)
  const sg = new Float64Array(n);
  // row stride d + 1: F may hold d + 1 rows for a moment (a dependent one, dropped at once)
  const S = d + 1;
  const gram = new Float64Array(S * S);
  const L = new Float64Array(S * S);
  const rhs = new Float64Array(S);
  const sol = new Float64Array(S);
  const cached: number[] = [];
  const muF = new Float64Array(d + 1);
  return (i, z, out, warm, bound, warmOnly) => {
    let signs = false;
    const sign = (j: number) => (signs ? sg[j] : masks.get(j, i) ? 1 : -1);
    let F: number[] = [];
    let zn = 0;
    for (let k = 0; k < d; k++) zn += z[k] * z[k];
    zn = Math.sqrt(zn);
    out.set(z.subarray(0, d));
    if (zn === 0) return F;
    // LS on the passive set: min ‖z + Σ_F c_j a_j‖ ⇒ (A_F A_Fᵀ) c = −A_F z. The Gram rows, the
    // right-hand side and the Cholesky rows of the leading rows of F that did not change since the
    // last solve of this call are kept (F mostly changes at its end): a new constraint costs O(m·d + m²)
    cached.length = 0;
    const solveF = (c: Float64Array): boolean => {
      const m = F.length;
      let pre = 0;
      while (pre < m && pre < cached.length && cached[pre] === F[pre]) pre++;
      for (let p = pre; p < m; p++) {
        const jp = F[p];
        const op = so + jp * st;
        const sp = sign(jp);
        let r = 0;
        for (let k = 0; k < d; k++) r += Xd[op + k] * z[k];
        rhs[p] = -sp * r;
        for (let q = 0; q <= p; q++) {
          const jq = F[q];
          const oq = so + jq * st;
          let g = 0;
          for (let k = 0; k < d; k++) g += Xd[op + k] * Xd[oq + k];
          gram[p * S + q] = g * sp * sign(jq);
        }
        gram[p * S + p] += 1e-13 * rowNorm2[jp];
      }
      // Cholesky (rows before `pre` are still valid)
      for (let p = pre; p < m; p++) {
        for (let q = 0; q <= p; q++) {
          let s = gram[p * S + q];
          for (let k = 0; k < q; k++) s -= L[p * S + k] * L[q * S + k];
          if (p === q) {
            if (!(s > 0)) {
              cached.length = 0;
              for (let t = 0; t < p; t++) cached.push(F[t]);
              return false;
            }
            L[p * S + p] = Math.sqrt(s);
          } else L[p * S + q] = s / L[q * S + q];
        }
      }
      cached.length = 0;
      for (let t = 0; t < m; t++) cached.push(F[t]);
      for (let p = 0; p < m; p++) {
        let s = rhs[p];
        for (let k = 0; k < p; k++) s -= L[p * S + k] * sol[k];
        sol[p] = s / L[p * S + p];
      }
      for (let p = m - 1; p >= 0; p--) {
        let s = sol[p];
        for (let k = p + 1; k < m; k++) s -= L[k * S + p] * c[k];
        c[p] = s / L[p * S + p];
      }
      return true;
    };
    const c = new Float64Array(d + 1);
    const inF = new Uint8Array(n); // 1: passive (active constraint), 2: excluded (dependent)
    const assemble = () => {
      out.set(z.subarray(0, d));
      for (let p = 0; p < F.length; p++) {
        const j = F[p];
        const f = muF[p] * sign(j);
        for (let k = 0; k < d; k++) out[k] += f * Xd[so + j * st + k];
      }
    };
    // warm start from the previous active set when its least-squares multipliers are positive
    if (warm && warm.length > 0 && warm.length <= d) {
      F = warm.slice();
      // drop constraints with non-positive least-squares multipliers until all are positive
      for (let tries = 0; F.length > 0 && tries < d + 1; tries++) {
        if (!solveF(c)) {
          F = [];
          break;
        }
        const keep = F.filter((_, p) => c[p] > 0);
        if (keep.length === F.length) break;
        F = keep;
      }
      if (F.length > 0) {
        for (let p = 0; p < F.length; p++) {
          muF[p] = c[p];
          inF[F[p]] = 1;
        }
        assemble();
        // out = Π_{K_F}(z) for the cone K_F ⊇ K_i cut out by F alone, so ‖Π_{K_i}(z)‖ ≤ ‖out‖:
        // when the caller only needs to know that the norm is ≤ bound, stop here
        if (bound !== undefined) {
          let on = 0;
          for (let k = 0; k < d; k++) on += out[k] * out[k];
          if (Math.sqrt(on) <= bound) return F;
        }
      }
    }
    // `warmOnly`: return Π_{K_F}(z) for the warm F (z itself when F is empty) unverified; the
    // caller checks feasibility for many groups at once and calls again without it where violated
    if (warmOnly) return F;
    if (!signs) {
      for (let j = 0; j < n; j++) sg[j] = masks.get(j, i) ? 1 : -1;
      signs = true;
    }
    // candidate constraints: the LH scans run over these only; a full scan over all n rows
    // verifies the result and adds every violated row as a new candidate
    const cand: number[] = [];
    const isCand = new Uint8Array(n);
    for (const j of F) {
      cand.push(j);
      isCand[j] = 1;
    }
    const fullScan = (): boolean => {
      let added = false;
      for (let j = 0; j < n; j++) {
        if (isCand[j]) continue;
        let r = 0;
        const o = so + j * st;
        for (let k = 0; k < d; k++) r += Xd[o + k] * out[k];
        const wj = -sg[j] * r;
        if (wj > 1e-12 * zn * rowNorm1[j]) {
          cand.push(j);
          isCand[j] = 1;
          added = true;
        }
      }
      return added;
    };
    if (!fullScan()) return F;
    for (let outer = 0; outer < 4 * n + 10; outer++) {
      // w_j = −a_jᵀ v (negative dual gradient) for the current v = out, over the candidates
      let best = -1;
      let bw = 0;
      for (let t = 0; t < cand.length; t++) {
        const j = cand[t];
        if (inF[j]) continue;
        let r = 0;
        const o = so + j * st;
        for (let k = 0; k < d; k++) r += Xd[o + k] * out[k];
        const wj = -sg[j] * r;
        const rn = rowNorm1[j];
        if (wj > 1e-12 * zn * rn && wj / rn > bw) {
          bw = wj / rn;
          best = j;
        }
      }
      if (best < 0) {
        if (fullScan()) continue;
        break;
      }
      F.push(best);
      inF[best] = 1;
      muF[F.length - 1] = 0;
      // inner loop of Lawson–Hanson: keep μ_F ≥ 0
      for (let inner = 0; inner < 3 * d + 10; inner++) {
        if (!solveF(c)) {
          // dependent constraints: drop the newest
          F.pop();
          inF[best] = 2;
          break;
        }
        if (inner === 0 && !(c[F.length - 1] > 0)) {
          // round-off: the entering constraint gets no positive multiplier (degenerate); skip it
          F.pop();
          inF[best] = 2;
          break;
        }
        let allPos = true;
        for (let p = 0; p < F.length; p++) if (c[p] <= 0) allPos = false;
        if (allPos) {
          for (let p = 0; p < F.length; p++) muF[p] = c[p];
          break;
        }
        let alpha = 1;
        for (let p = 0; p < F.length; p++) {
          if (c[p] <= 0) {
            const a = muF[p] / (muF[p] - c[p]);
            if (a < alpha) alpha = a;
          }
        }
        for (let p = 0; p < F.length; p++) muF[p] += alpha * (c[p] - muF[p]);
        for (let p = F.length - 1; p >= 0; p--) {
          if (muF[p] <= 1e-15) {
            inF[F[p]] = 0;
            F.splice(p, 1);
            for (let q = p; q < F.length; q++) muF[q] = muF[q + 1];
          }
        }
      }
      // v = z + Σ μ_j a_j
      assemble();
    }
    return F;
  };
}

/**
 * λ Σ_i (‖v_i‖ + ‖w_i‖) + Σ_i ι_{K_i}(v_i) + ι_{K_i}(w_i) over x = [vec V; vec W] (each d×P): the
 * C-ReLU penalty with the cone constraints folded in. Its prox is exact: for a convex cone K and a
 * norm, prox_{tλ‖·‖+ι_K}(z) = (1 − tλ/‖Π_K z‖)_+ Π_K z (Moreau: max_{u∈K,‖u‖=1}⟨u,z⟩ = ‖Π_K z‖).
 * So every R-FISTA iterate is feasible to round-off and C-ReLU needs no augmented Lagrangian.
 *
 * @example
 *   const pen = coneGroupPenalty(X, masks, 0.1);
 */
export function coneGroupPenalty(X: Matrix<Float64Array>, masks: PatternMasks, lambda: number, backend: Backend = getBackend()): Penalty & {
  groupNorms(x: Float64Array): Float64Array;
  /** max_{u∈K_i,‖u‖≤1} |⟨u, g_i⟩| for both signs: the dual norm of group i at G (d×P) */
  dualNorms(G: Float64Array): Float64Array;
  /**
   * ‖Π_{K_i}(z_g)‖ for the groups g of `groups` (g < P: pattern g; g ≥ P: pattern g − P), z_g read
   * by `read(g, z)`; warm faces per group kept by the caller in `warm`. Batched like the prox.
   */
  projectedNorms(groups: ArrayLike<number>, read: (g: number, z: Float64Array) => void, warm: number[][], out: Float64Array): void;
} {
  const d = X.cols;
  const P = masks.p;
  const half = d * P;
  const proj = coneProjector(X, masks);
  const z = new Float64Array(d);
  const p = new Float64Array(d);
  // active constraint sets of the last projection of each (part, group) and (sign, group)
  const proxWarm: number[][] = Array.from({ length: 2 * P }, () => []);
  const dualWarm: number[][] = Array.from({ length: 2 * P }, () => []);
  const n = X.rows;
  const BLOCK = 64;
  const rowNorm = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let r = 0; r < d; r++) s += X.get(j, r) ** 2;
    rowNorm[j] = Math.sqrt(s);
  }
  // the staged jobs of a batch: key, pattern, ‖z‖, z and the warm projection Π_{K_F}(z) (d × cap)
  const keys: number[] = [];
  const pats: number[] = [];
  let cap = 0;
  let Cz = new Float64Array(0);
  let Cp = new Float64Array(0);
  let zNorm = new Float64Array(0);
  const xcBuf = new Float64Array(n * BLOCK);
  const grow = () => {
    const next = Math.max(16, 2 * cap);
    const z2 = new Float64Array(d * next);
    const p2 = new Float64Array(d * next);
    for (let r = 0; r < d; r++) for (let q = 0; q < cap; q++) {
      z2[r * next + q] = Cz[r * cap + q];
      p2[r * next + q] = Cp[r * cap + q];
    }
    const n2 = new Float64Array(next);
    n2.set(zNorm);
    Cz = z2;
    Cp = p2;
    zNorm = n2;
    cap = next;
  };
  /**
   * The warm-started projection Π_{K_F}(z) of `z` into `p` for the warm face F = warm[key]
   * (unverified; warm[key] becomes its face); returns ‖Π_{K_F}(z)‖.
   */
  const warmProject = (key: number, i: number, warm: number[][]): number => {
    warm[key] = proj(i, z, p, warm[key], undefined, true);
    let pn = 0;
    for (let r = 0; r < d; r++) pn += p[r] * p[r];
    return Math.sqrt(pn);
  };
  /** Queue `z` (‖z‖ = zn) and its warm projection in `p` for `flush`'s batched check. */
  const enqueue = (key: number, i: number, zn: number): void => {
    const slot = keys.length;
    if (slot >= cap) grow();
    for (let r = 0; r < d; r++) {
      Cz[r * cap + slot] = z[r];
      Cp[r * cap + slot] = p[r];
    }
    keys.push(key);
    pats.push(i);
    zNorm[slot] = zn;
  };
  /**
   * Verify the staged jobs at once: S ⊙ (X C) ≥ 0 through the backend GEMM, in column blocks; a
   * feasible Π_{K_F}z (its multipliers are positive) is the projection (KKT), the others are
   * projected from their warm faces. `done(key, p)` gets each exact projection in `p`.
   */
  const flush = (warm: number[][], done: (key: number, proj: Float64Array) => void): void => {
    for (let b0 = 0; b0 < keys.length; b0 += BLOCK) {
      const nb = Math.min(BLOCK, keys.length - b0);
      const C = Matrix.zeros(d, nb);
      for (let r = 0; r < d; r++) for (let q = 0; q < nb; q++) C.data[r * nb + q] = Cp[r * cap + b0 + q];
      const XC = backend.gemm(X, C, { out: new Matrix(n, nb, xcBuf.subarray(0, n * nb)) });
      for (let q = 0; q < nb; q++) {
        const key = keys[b0 + q];
        const i = pats[b0 + q];
        const tolq = 1e-12 * zNorm[b0 + q];
        let feasible = true;
        for (let j = 0; j < n && feasible; j++) {
          const r = XC.data[j * nb + q];
          if ((masks.get(j, i) ? -r : r) > tolq * rowNorm[j]) feasible = false;
        }
        if (feasible) for (let r = 0; r < d; r++) p[r] = C.data[r * nb + q];
        else {
          for (let r = 0; r < d; r++) z[r] = Cz[r * cap + b0 + q];
          warm[key] = proj(i, z, p, warm[key]);
        }
        done(key, p);
      }
    }
    keys.length = 0;
    pats.length = 0;
  };
  const projectedNorms = (groups: ArrayLike<number>, read: (g: number, z: Float64Array) => void, warm: number[][], out: Float64Array): void => {
    for (let t = 0; t < groups.length; t++) {
      const g = groups[t];
      read(g, z);
      let zn = 0;
      for (let r = 0; r < d; r++) zn += z[r] * z[r];
      zn = Math.sqrt(zn);
      if (zn === 0) {
        out[g] = 0;
        continue;
      }
      const i = g >= P ? g - P : g;
      warmProject(g, i, warm);
      enqueue(g, i, zn);
    }
    flush(warm, (key, pr) => {
      let pn = 0;
      for (let r = 0; r < d; r++) pn += pr[r] * pr[r];
      out[key] = Math.sqrt(pn);
    });
  };
  const norms = (x: Float64Array): Float64Array => {
    const out = new Float64Array(2 * P);
    backend.groupNorms(new Matrix(d, P, x.subarray(0, half)), 1, out.subarray(0, P));
    backend.groupNorms(new Matrix(d, P, x.subarray(half, 2 * half)), 1, out.subarray(P, 2 * P));
    return out;
  };
  return {
    groupNorms: norms,
    value(x) {
      let s = 0;
      for (const v of norms(x)) s += v;
      return lambda * s;
    },
    prox(x, t, out) {
      const th = t * lambda;
      // 1) per group: threshold test, then the warm-started projection Π_{K_F}(z) (unverified):
      //    ‖Π_{K_i}z‖ ≤ ‖Π_{K_F}z‖ (K_F ⊇ K_i), so ‖Π_{K_F}z‖ ≤ th thresholds the group to zero
      for (let part = 0; part < 2; part++) {
        const o = part * half;
        for (let i = 0; i < P; i++) {
          let zn = 0;
          for (let r = 0; r < d; r++) {
            z[r] = x[o + r * P + i];
            zn += z[r] * z[r];
          }
          zn = Math.sqrt(zn);
          if (zn > th) {
            const key = part * P + i;
            const pn = warmProject(key, i, proxWarm);
            if (!(proxWarm[key].length > 0 && pn <= th)) {
              enqueue(key, i, zn);
              continue;
            }
          }
          for (let r = 0; r < d; r++) out[o + r * P + i] = 0;
        }
      }
      // 2) verify all at once, then the group soft threshold of each exact projection
      flush(proxWarm, (key, pr) => {
        const part = key >= P ? 1 : 0;
        const i = key - part * P;
        const o = part * half;
        let pn = 0;
        for (let r = 0; r < d; r++) pn += pr[r] * pr[r];
        pn = Math.sqrt(pn);
        const f = pn > th ? 1 - th / pn : 0;
        for (let r = 0; r < d; r++) out[o + r * P + i] = f * pr[r];
      });
    },
    dualNorms(G) {
      // ‖Π_K(±g)‖ ≤ ‖g‖: a group with ‖g_i‖ ≤ λ cannot violate the dual constraint, and its bound
      // ‖g_i‖ never changes the dual scaling min(1, λ / max_i) — skip its projections
      const out = new Float64Array(P);
      const both = new Float64Array(2 * P);
      const groups: number[] = [];
      for (let i = 0; i < P; i++) {
        let gn = 0;
        for (let r = 0; r < d; r++) gn += G[r * P + i] ** 2;
        gn = Math.sqrt(gn);
        if (gn <= lambda) out[i] = gn;
        else groups.push(i, P + i);
      }
      // key i: Π_K(g_i), key P + i: Π_K(−g_i)
      projectedNorms(groups, (g, zz) => {
        const i = g >= P ? g - P : g;
        const sg = g >= P ? -1 : 1;
        for (let r = 0; r < d; r++) zz[r] = sg * G[r * P + i];
      }, dualWarm, both);
      for (let t = 0; t < groups.length; t += 2) {
        const i = groups[t];
        out[i] = Math.max(both[i], both[P + i]);
      }
      return out;
    },
    projectedNorms,
  };
}
