import { type Backend, getBackend, jacobiSvd, Matrix, type PatternMasks, singularValues, spectralNorm } from '@cvxnn/linalg';
import { coneGroupPenalty, coneProjector } from '../cone.js';
import type { Penalty } from '../problem.js';
import { type GroupLayout, stridedLayout } from './layout.js';

/**
 * A group penalty λ Σ_g ρ(x_g) over a {@link GroupLayout} (free coordinates unpenalized), with
 * what every solver and the certificate need:
 * - `value`, `prox` (all groups at once; identity on free coordinates), `groupNorms` (ρ(x_g));
 * - `dualNorms(z)`: the dual norm ρ°(z_g) per group — the dual point is feasible when every one
 *   is ≤ λ and z vanishes on the free coordinates;
 * - `dualDirection(z, g, out)`: a subgradient of ρ° at z_g (a unit-ρ vector u with ⟨u, z_g⟩ =
 *   ρ°(z_g)) written at g's coordinates: the gradient the dual refinement linearises;
 * - `withLambda(λ')`: the same penalty at another λ (λ-paths).
 *
 * Kinds: `l2` (Euclidean / Frobenius), `nuclear` (d×c blocks, dual = spectral norm), `cone`
 * (Euclidean norm plus the indicator of a polyhedral cone K_g, dual = ‖Π_K z_g‖).
 *
 * @example
 *   const pen = l2Penalty(stridedLayout(d, P), 0.1);
 *   pen.prox(x, t, out); pen.dualNorms(z);
 */
export interface GroupPenalty extends Penalty {
  readonly kind: 'l2' | 'nuclear' | 'cone' | 'custom';
  readonly layout: GroupLayout;
  readonly lambda: number;
  groupNorms(x: Float64Array): Float64Array;
  dualNorms(z: Float64Array): Float64Array;
  /** absent for `custom` penalties without one: the certificate then skips its refinement */
  dualDirection?(z: Float64Array, g: number, out: Float64Array): void;
  /**
   * Where ρ° is a max over several directions that can tie at the optimum (the spectral norm of
   * a nuclear block: σ_1 = … = σ_r = λ on a rank-r block), every direction whose value is within
   * `rel` of `lambda` (and always the top one): direction k is written into `out(k)` at g's
   * coordinates, and the values come back in the same order.
   */
  dualDirections?(z: Float64Array, g: number, lambda: number, rel: number, out: (k: number) => Float64Array): number[];
  withLambda(lambda: number): GroupPenalty;
}

/**
 * λ Σ_g ‖x_g‖₂ over any layout: the backend's fused group-norm and block soft-threshold kernels
 * on a strided layout, a plain loop otherwise.
 *
 * @example
 *   const pen = l2Penalty(contiguousLayout(specs, dim), 0.5);
 */
export function l2Penalty(layout: GroupLayout, lambda: number, backend: Backend = getBackend()): GroupPenalty {
  const st = layout.strided;
  const norms = (x: Float64Array): Float64Array => {
    const out = new Float64Array(layout.count);
    if (st) {
      const size = st.d * st.P * st.c;
      for (let part = 0; part < st.parts; part++) {
        backend.groupNorms(new Matrix(st.d, st.P * st.c, x.subarray(part * size, (part + 1) * size)), st.c, out.subarray(part * st.P, (part + 1) * st.P));
      }
      return out;
    }
    for (let g = 0; g < layout.count; g++) {
      let s = 0;
      for (const j of layout.coords(g)) s += x[j] * x[j];
      out[g] = Math.sqrt(s);
    }
    return out;
  };
  return {
    kind: 'l2',
    layout,
    lambda,
    groupNorms: norms,
    value(x) {
      let s = 0;
      for (const v of norms(x)) s += v;
      return lambda * s;
    },
    prox(x, t, out) {
      const th = t * lambda;
      if (st) {
        const size = st.d * st.P * st.c;
        for (let part = 0; part < st.parts; part++) {
          const sl = (a: Float64Array) => new Matrix(st.d, st.P * st.c, a.subarray(part * size, (part + 1) * size));
          backend.groupSoftThreshold(sl(x), th, st.c, sl(out));
        }
        return;
      }
      out.set(x);
      for (let g = 0; g < layout.count; g++) {
        const cs = layout.coords(g);
        let s = 0;
        for (const j of cs) s += x[j] * x[j];
        s = Math.sqrt(s);
        const f = s > th ? 1 - th / s : 0;
        for (const j of cs) out[j] = f * x[j];
      }
    },
    dualNorms: norms,
    dualDirection(z, g, out) {
      const cs = layout.coords(g);
      let s = 0;
      for (const j of cs) s += z[j] * z[j];
      s = Math.sqrt(s);
      for (const j of cs) out[j] = s > 0 ? z[j] / s : 0;
    },
    withLambda: (l) => l2Penalty(layout, l, backend),
  };
}

/**
 * λ Σ_i ‖U_i‖_* over the d×c blocks of U d×(P·c) (gated ReLU with vector output, SPEC §2.8):
 * prox = singular-value soft-thresholding, dual = spectral norm, direction = u₁v₁ᵀ.
 *
 * @example
 *   const pen = nuclearPenalty(d, P, 3, 0.1);
 */
export function nuclearPenalty(d: number, P: number, c: number, lambda: number): GroupPenalty {
  const layout = stridedLayout(d, P, c, 1);
  const buf = new Float64Array(d * c);
  /** group i's d×c block of x gathered into `buf`; false when it is all zeros */
  const gather = (x: Float64Array, i: number): boolean => {
    let any = false;
    for (let r = 0; r < d; r++) {
      const o = r * P * c + i * c;
      for (let k = 0; k < c; k++) {
        const v = x[o + k];
        buf[r * c + k] = v;
        if (v !== 0) any = true;
      }
    }
    return any;
  };
  const norms = (x: Float64Array): Float64Array => {
    const out = new Float64Array(P);
    for (let i = 0; i < P; i++) {
      if (!gather(x, i)) continue;
      let s = 0;
      for (const v of singularValues(buf, d, c)) s += v;
      out[i] = s;
    }
    return out;
  };
  return {
    kind: 'nuclear',
    layout,
    lambda,
    groupNorms: norms,
    value(x) {
      let s = 0;
      for (const v of norms(x)) s += v;
      return lambda * s;
    },
    prox(x, t, out) {
      const th = t * lambda;
      let total = 0;
      for (let i = 0; i < P; i++) {
        gather(x, i);
        let fro = 0;
        for (const v of buf) fro += v * v;
        if (Math.sqrt(fro) <= th) {
          for (let r = 0; r < d; r++) for (let k = 0; k < c; k++) out[r * P * c + i * c + k] = 0;
          continue;
        }
        const { U, s, V, k: K } = jacobiSvd(buf, d, c);
        for (let l = 0; l < K; l++) if (s[l] > th) total += s[l] - th;
        for (let r = 0; r < d; r++) {
          for (let k = 0; k < c; k++) {
            let v = 0;
            for (let l = 0; l < K; l++) {
              const sl = s[l] - th;
              if (sl > 0) v += U[r * K + l] * sl * V[k * K + l];
            }
            out[r * P * c + i * c + k] = v;
          }
        }
      }
      // the output's nuclear norm is Σ (σ − tλ)₊ over the blocks: its value comes free
      return lambda * total;
    },
    dualNorms(z) {
      const out = new Float64Array(P);
      for (let i = 0; i < P; i++) out[i] = gather(z, i) ? spectralNorm(buf, d, c) : 0;
      return out;
    },
    dualDirection(z, i, out) {
      gather(z, i);
      const { U, s, V, k: K } = jacobiSvd(buf, d, c);
      const ok = (s[0] ?? 0) > 0;
      for (let r = 0; r < d; r++) for (let k = 0; k < c; k++) out[r * P * c + i * c + k] = ok ? U[r * K] * V[k * K] : 0;
    },
    dualDirections(z, i, lam, rel, outK) {
      gather(z, i);
      const { U, s, V, k: K } = jacobiSvd(buf, d, c);
      const values: number[] = [];
      for (let l = 0; l < K && (l === 0 || s[l] >= (1 - rel) * lam) && s[l] > 0; l++) {
        const out = outK(l);
        for (let r = 0; r < d; r++) for (let k = 0; k < c; k++) out[r * P * c + i * c + k] = U[r * K + l] * V[k * K + l];
        values.push(s[l]);
      }
      return values;
    },
    withLambda: (l) => nuclearPenalty(d, P, c, l),
  };
}

/**
 * C-ReLU's penalty λ Σ_i (‖v_i‖ + ‖w_i‖) + Σ_i ι_{K_i}(v_i) + ι_{K_i}(w_i) over x = [vec V; vec W]
 * (each d×P; K_i = {u : (2D_i − I) X u ≥ 0}, SPEC §2.3), with the exact prox of the cone-prox
 * solver (projection by active-set NNLS) and the dual norm ‖Π_{K_i} z_g‖.
 *
 * @example
 *   const pen = conePenalty(X, masks, 0.1);
 */
export function conePenalty(X: Matrix<Float64Array>, masks: PatternMasks, lambda: number, backend: Backend = getBackend()): GroupPenalty {
  const d = X.cols;
  const P = masks.p;
  const half = d * P;
  const inner = coneGroupPenalty(X, masks, lambda, backend);
  const proj = coneProjector(X, masks);
  const warm: number[][] = Array.from({ length: 2 * P }, () => []);
  const z = new Float64Array(d);
  const p = new Float64Array(d);
  const projectGroup = (src: Float64Array, g: number): number => {
    const part = g >= P ? 1 : 0;
    const i = g - part * P;
    const o = part * half;
    let zn = 0;
    for (let r = 0; r < d; r++) {
      z[r] = src[o + r * P + i];
      zn += z[r] * z[r];
    }
    if (zn === 0) {
      p.fill(0);
      return 0;
    }
    warm[g] = proj(i, z, p, warm[g]);
    let pn = 0;
    for (let r = 0; r < d; r++) pn += p[r] * p[r];
    return Math.sqrt(pn);
  };
  return {
    kind: 'cone',
    layout: stridedLayout(d, P, 1, 2),
    lambda,
    groupNorms: (x) => inner.groupNorms(x),
    value: (x) => inner.value(x),
    prox: (x, t, out) => inner.prox(x, t, out),
    dualNorms(zz) {
      // the v-part block of z is what the existing kernel takes (the w part is −(v part) for the
      // C-ReLU operator); general z: project each group
      const out = new Float64Array(2 * P);
      const groups: number[] = [];
      for (let g = 0; g < 2 * P; g++) {
        // ‖Π_K z‖ ≤ ‖z‖: a group with ‖z_g‖ ≤ λ needs no projection for feasibility, but its
        // exact value is reported for the refinement — bound it first, project only above λ/2
        const part = g >= P ? 1 : 0;
        const i = g - part * P;
        let zn = 0;
        for (let r = 0; r < d; r++) zn += zz[part * half + r * P + i] ** 2;
        zn = Math.sqrt(zn);
        if (zn <= 0.5 * lambda) out[g] = zn;
        else groups.push(g);
      }
      // all at once: warm faces, one GEMM feasibility check per block (coneGroupPenalty)
      inner.projectedNorms(groups, (g, z2) => {
        const part = g >= P ? 1 : 0;
        const i = g - part * P;
        for (let r = 0; r < d; r++) z2[r] = zz[part * half + r * P + i];
      }, warm, out);
      return out;
    },
    dualDirection(zz, g, out) {
      const nrm = projectGroup(zz, g);
      const part = g >= P ? 1 : 0;
      const i = g - part * P;
      for (let r = 0; r < d; r++) out[part * half + r * P + i] = nrm > 0 ? p[r] / nrm : 0;
    },
    withLambda: (l) => conePenalty(X, masks, l, backend),
  };
}

/**
 * A penalty a formulation defines itself (a nuclear norm of one matrix, cone blocks of several
 * positions, …) as a {@link GroupPenalty}: its value, prox, per-group norms and dual norms (the
 * certificate rescales the dual point by them), optionally the dual directions (for the refined
 * gap). Solvers that need a known kind (newton: `l2`) do not take it; `fista` does.
 *
 * @example
 *   const pen = customPenalty({ layout, lambda, value, prox, groupNorms, dualNorms, withLambda });
 */
export function customPenalty(spec: Omit<GroupPenalty, 'kind'>): GroupPenalty {
  return { ...spec, kind: 'custom' };
}
