import { type Backend, getBackend, Matrix } from '@cvxnn/linalg';
import type { DataLoss } from '../losses.js';
import { fp64, spdSolve } from './dense.js';
import { groupImages, type ProblemOperator } from './operator.js';
import type { GroupPenalty } from './penalty.js';

/**
 * One evaluation of the certificate at a primal point x (with its image F = A x):
 * primal = ℓ(F) + penalty(x); dual = the best dual objective −ℓ*(θ) over the dual-feasible points
 * tried so far in this solve (every one bounds p* from below); gap = primal − dual ≥ primal − p*.
 * `dualNorms` are ρ°((−Aᵀ∇ℓ(F))_g) per group (the KKT scores: > λ means group g violates the
 * optimality condition at x = 0 in that group), `maxDual` their maximum.
 *
 * @example
 *   const e = cert.evaluate(x, F); if (e.rel <= 1e-6) console.log('certified');
 */
export interface Evaluation {
  primal: number;
  dataTerm: number;
  penalty: number;
  dual: number;
  gap: number;
  /** gap / |primal| */
  rel: number;
  dualNorms: Float64Array;
  maxDual: number;
  /** the dual point came from the refinement (not the plain rescaled gradient) */
  refined: boolean;
}

/**
 * Options of {@link certifier}.
 *
 * @example
 *   const cert = certifier(op, loss, pen, { refine: true });
 */
export interface CertifierOptions {
  /**
   * improve the dual point by a linearised projection onto the active dual constraints (default
   * true): a Gauss–Newton step that makes ρ°(A_gᵀθ) = λ on the groups in use and Aᵀθ = 0 on the
   * free coordinates, then the usual rescaling. The gap falls like the primal error instead of
   * its square root.
   */
  refine?: boolean;
  backend?: Backend;
  /** largest number of constraints (active groups + free coordinates) the refinement solves for (default 4000) */
  maxRefineSize?: number;
}

/**
 * The one certificate module: duality gaps for min_x ℓ(Ax) + λΣρ(x_g) (+ free coordinates) by
 * Fenchel duality, max_θ −ℓ*(θ) s.t. ρ°((Aᵀθ)_g) ≤ λ, (Aᵀθ)_free = 0. The dual point is θ = κ·Π(∇ℓ(Ax))
 * — the loss gradient, projected so that it vanishes on the free coordinates, scaled by κ =
 * min(1, λ / max_g ρ°) — optionally refined first ({@link CertifierOptions.refine}). The best dual
 * value seen is kept, so the gap never increases along a solve.
 *
 * @example
 *   const cert = certifier(op, loss, pen);
 *   const e = cert.evaluate(x, F);
 */
export function certifier(op: ProblemOperator, loss: DataLoss, penalty: GroupPenalty, opts: CertifierOptions = {}) {
  const backend = fp64(opts.backend ?? getBackend());
  const refineOn = opts.refine ?? true;
  const maxRefine = opts.maxRefineSize ?? 4000;
  const lambda = penalty.lambda;
  const layout = penalty.layout;
  const N = op.inDim;
  const nc = op.outDim;
  const free = layout.free;
  const R = new Float64Array(nc);
  const G = new Float64Array(N);
  const z = new Float64Array(N);
  let best = -Infinity;
  // cross-entropy: dual points must keep each sample's c entries summing to zero (ℓ*'s domain), so
  // every direction θ moves along — refinement images, free-coordinate images — is centred per sample
  const centre = !!loss.dualRowsSumToZero && op.c > 1;
  let freeCols: Float64Array | null = null; // nc × |F| images of the free coordinates
  let freeGramL: Float64Array | null = null;

  const freeImages = (): Float64Array => {
    if (freeCols) return freeCols;
    const f = free.length;
    freeCols = new Float64Array(nc * f);
    const e = new Float64Array(N);
    const F = new Float64Array(nc);
    for (let t = 0; t < f; t++) {
      e.fill(0);
      e[free[t]] = 1;
      op.apply(e, F);
      for (let r = 0; r < nc; r++) freeCols[r * f + t] = F[r];
    }
    if (centre) centreSamples(freeCols, op.n, op.c, f, null);
    return freeCols;
  };

  /** θ ← θ − A_F (A_FᵀA_F)⁻¹ A_Fᵀ θ: the dual point with Aᵀθ = 0 on the free coordinates. */
  const projectFree = (theta: Float64Array): void => {
    const f = free.length;
    if (f === 0) return;
    const Af = freeImages();
    if (!freeGramL) {
      freeGramL = backend.gemm(new Matrix(nc, f, Af), new Matrix(nc, f, Af), { transA: true }).data;
    }
    const rhs = backend.gemm(new Matrix(nc, f, Af), new Matrix(nc, 1, theta), { transA: true }).data;
    const mu = spdSolve(freeGramL, f, rhs, backend);
    const corr = backend.gemm(new Matrix(nc, f, Af), new Matrix(f, 1, mu)).data;
    for (let r = 0; r < nc; r++) theta[r] -= corr[r];
  };

  /** dual objective at θ after the feasibility scaling; also fills z = −Aᵀθ and the dual norms */
  const dualAt = (theta: Float64Array): { value: number; dn: Float64Array; m: number } => {
    op.adjoint(theta, G);
    for (let j = 0; j < N; j++) z[j] = -G[j];
    const dn = penalty.dualNorms(z);
    let m = 0;
    for (const v of dn) if (v > m) m = v;
    const kappa = m > lambda ? lambda / m : 1;
    const th = kappa === 1 ? theta : theta.map((v) => kappa * v);
    const value = -loss.conjugate(th);
    return { value: Number.isFinite(value) ? value : -Infinity, dn, m };
  };

  /**
   * One Gauss–Newton step towards ρ°(z_g) = λ on `groups` (z = −Aᵀθ) and Aᵀθ = 0 on the free
   * coordinates: θ' = θ + B μ, (BᵀB) μ = v, b_g = A u_g (u_g the dual direction), v_g = ρ°_g − λ.
   */
  const refineStep = (theta: Float64Array, dn: Float64Array, groups0: Int32Array): Float64Array | null => {
    // the constraints: one per group (its dual direction), or for penalties whose dual norm is a
    // max of tied directions (nuclear blocks) one per direction within 1e-3 of λ; layer k holds
    // the k-th direction of every group that has one (directions of one group share coordinates)
    const layers: Float64Array[] = [];
    const layerGroups: number[][] = [];
    const vals: number[][] = [];
    const layer = (k: number): Float64Array => {
      while (layers.length <= k) {
        layers.push(new Float64Array(N));
        layerGroups.push([]);
        vals.push([]);
      }
      return layers[k];
    };
    for (const g of groups0) {
      if (penalty.dualDirections) {
        const v = penalty.dualDirections(z, g, lambda, 1e-3, layer);
        for (let k = 0; k < v.length; k++) {
          layerGroups[k].push(g);
          vals[k].push(v[k]);
        }
      } else {
        penalty.dualDirection!(z, g, layer(0));
        layerGroups[0].push(g);
        vals[0].push(dn[g]);
      }
    }
    const layerIdx = layerGroups.map((gs) => Int32Array.from(gs));
    const m = layerIdx.reduce((a, gs) => a + gs.length, 0);
    const f = free.length;
    const q = m + f;
    if (q === 0 || q > maxRefine) return null;
    // cross-entropy: entries with p_ik ≈ 0 sit on the simplex's boundary; the step keeps them
    // fixed (a face of the domain) and moves each sample's other entries with zero sum
    const frozen = centre ? boundaryEntries(theta, loss) : null;
    // BᵀB by row chunks of the group images (never the whole B in memory for large n)
    const BtB = new Float64Array(q * q);
    const n = op.n;
    const c = op.c;
    const chunk = Math.max(1, Math.floor(2_000_000 / Math.max(1, q * c)));
    const Af = f > 0 ? freeImages() : null;
    for (let j0 = 0; j0 < n; j0 += chunk) {
      const j1 = Math.min(n, j0 + chunk);
      const rows = (j1 - j0) * c;
      let Bg: Float64Array;
      if (layers.length === 1) Bg = groupImages(op, layers[0], layerIdx[0], j0, j1);
      else {
        Bg = new Float64Array(rows * m);
        let col = 0;
        for (let k = 0; k < layers.length; k++) {
          const mk = layerIdx[k].length;
          const Bk = groupImages(op, layers[k], layerIdx[k], j0, j1);
          for (let r = 0; r < rows; r++) for (let t = 0; t < mk; t++) Bg[r * m + col + t] = Bk[r * mk + t];
          col += mk;
        }
      }
      if (centre) centreSamples(Bg, j1 - j0, c, m, frozen!.subarray(j0 * c, j1 * c));
      let Bc: Float64Array;
      if (f === 0) Bc = Bg;
      else {
        Bc = new Float64Array(rows * q);
        for (let r = 0; r < rows; r++) {
          for (let t = 0; t < m; t++) Bc[r * q + t] = Bg[r * m + t];
          for (let t = 0; t < f; t++) Bc[r * q + m + t] = Af![(j0 * c + r) * f + t];
        }
      }
      backend.gemm(new Matrix(rows, q, Bc), new Matrix(rows, q, Bc), { transA: true, beta: 1, out: new Matrix(q, q, BtB) });
    }
    // sign: z = −Aᵀθ, so ρ°(z_g − A_gᵀδθ) ≈ ρ°_g − b_gᵀδθ; want = λ ⇒ b_gᵀδθ = ρ°_g − λ
    const v = new Float64Array(q);
    {
      let t = 0;
      for (const vk of vals) for (const val of vk) v[t++] = val - lambda;
    }
    let mu: Float64Array;
    try {
      mu = spdSolve(BtB, q, v, backend);
    } catch {
      return null;
    }
    // δθ = B μ = A(Σ_g μ_g u_g) + A_F μ_F
    const xs = new Float64Array(N);
    {
      let t = 0;
      for (let k = 0; k < layers.length; k++) {
        const dk = layers[k];
        for (const g of layerIdx[k]) {
          const mt = mu[t++];
          for (const j of layout.coords(g)) xs[j] += mt * dk[j];
        }
      }
    }
    const d = new Float64Array(nc);
    op.apply(xs, d);
    if (f > 0) {
      const corr = backend.gemm(new Matrix(nc, f, Af!), new Matrix(f, 1, mu.subarray(m))).data;
      for (let r = 0; r < nc; r++) d[r] += corr[r];
    }
    if (centre) centreSamples(d, n, c, 1, frozen!);
    const out = Float64Array.from(theta);
    for (let r = 0; r < nc; r++) out[r] += d[r];
    if (centre) keepOnSimplex(out, n, c, loss);
    return out;
  };

  return {
    /** the best dual value so far (−∞ before the first evaluation) */
    get bestDual(): number {
      return best;
    },
    /**
     * Offer another candidate dual point θ (e.g. a Newton solver's dual iterate): projected off
     * the free coordinates, rescaled to feasibility, kept when it beats the best; returns the best.
     */
    tryDual(theta: Float64Array): number {
      const th = Float64Array.from(theta);
      projectFree(th);
      const d = dualAt(th);
      best = Math.max(best, d.value);
      return best;
    },
    /** forget the best dual (a new problem, e.g. the next λ of a path) */
    reset(): void {
      best = -Infinity;
    },
    /**
     * Evaluate at x with F = A x; `refine` overrides the option (solvers refine only once the
     * plain gap is small, where it pays).
     */
    evaluate(x: Float64Array, F: Float64Array, refine = refineOn): Evaluation {
      const dataTerm = loss.valueAndGrad(F, R);
      const pen = penalty.value(x);
      const primal = dataTerm + pen;
      const theta = Float64Array.from(R);
      projectFree(theta);
      let d0 = dualAt(theta);
      const dualNorms = d0.dn;
      const maxDual = d0.m;
      let refined = false;
      best = Math.max(best, d0.value);
      const relNow = () => Math.max(0, primal - best) / Math.max(Math.abs(primal), 1e-300);
      if (refine && penalty.dualDirection && relNow() > 1e-14) {
        const norms = penalty.groupNorms(x);
        let th: Float64Array = theta;
        for (let rep = 0; rep < 2; rep++) {
          const act: number[] = [];
          for (let g = 0; g < layout.count; g++) if (norms[g] > 0 || d0.dn[g] > lambda) act.push(g);
          let t2 = refineStep(th, d0.dn, Int32Array.from(act));
          if (!t2) break;
          // a shifted (singular) BᵀB leaves a residue on the free coordinates: project it off again
          projectFree(t2);
          let d1 = dualAt(t2);
          // a full step can leave the conjugate's domain (logistic / cross-entropy duals live in a
          // box or simplex; near-separable data put θ at its edge): shorten it, θ + τ(θ' − θ)
          for (let tau = 0.5; !(d1.value > best) && tau >= 1 / 64; tau /= 2) {
            const t3 = new Float64Array(th.length);
            for (let r = 0; r < th.length; r++) t3[r] = th[r] + tau * (t2[r] - th[r]);
            const d3 = dualAt(t3);
            if (d3.value > best) {
              t2 = t3;
              d1 = d3;
            }
          }
          if (!(d1.value > best)) break;
          best = d1.value;
          refined = true;
          th = t2;
          d0 = d1;
        }
      }
      const gap = Math.max(0, primal - best);
      return { primal, dataTerm, penalty: pen, dual: best, gap, rel: gap / Math.max(Math.abs(primal), 1e-300), dualNorms, maxDual, refined };
    },
  };
}

/**
 * Certifier instance type.
 *
 * @example
 *   let cert: Certifier = certifier(op, loss, pen);
 */
export type Certifier = ReturnType<typeof certifier>;

/**
 * λ_max = max_g ρ°((Aᵀ∇ℓ(0))_g): the smallest λ at which x = 0 is optimal (no free coordinates;
 * with free coordinates, the gradient at 0 projected off their span, a heuristic start for paths).
 *
 * @example
 *   const lmax = lambdaMaxOf(op, loss, pen);
 */
export function lambdaMaxOf(op: ProblemOperator, loss: DataLoss, penalty: GroupPenalty): number {
  const R = new Float64Array(op.outDim);
  loss.valueAndGrad(new Float64Array(op.outDim), R);
  const G = new Float64Array(op.inDim);
  op.adjoint(R, G);
  for (let j = 0; j < G.length; j++) G[j] = -G[j];
  let m = 0;
  for (const v of penalty.dualNorms(G)) if (v > m) m = v;
  return m;
}

/**
 * Project each sample's c rows of a (samples·c) × cols row-major block onto {δ : δ_ik = 0 for the
 * frozen entries, Σ_k δ_ik = 0}: frozen entries zeroed, the others centred among themselves.
 */
function centreSamples(B: Float64Array, samples: number, c: number, cols: number, frozen: Uint8Array | null): void {
  for (let j = 0; j < samples; j++) {
    const o = j * c * cols;
    let live = 0;
    for (let k = 0; k < c; k++) if (!frozen || !frozen[j * c + k]) live++;
    for (let t = 0; t < cols; t++) {
      let mean = 0;
      for (let k = 0; k < c; k++) if (!frozen || !frozen[j * c + k]) mean += B[o + k * cols + t];
      mean = live > 0 ? mean / live : 0;
      for (let k = 0; k < c; k++) B[o + k * cols + t] = frozen && frozen[j * c + k] ? 0 : B[o + k * cols + t] - mean;
    }
  }
}

/** The cross-entropy dual entries at the simplex's boundary: p_ik = θ_ik/s + y_ik ≤ 1e-9. */
function boundaryEntries(theta: Float64Array, loss: DataLoss): Uint8Array {
  const s = loss.scale === 'mean' ? 1 / loss.n : 1;
  const y = loss.targets!;
  const out = new Uint8Array(theta.length);
  for (let r = 0; r < theta.length; r++) if (theta[r] / s + y[r] <= 1e-9) out[r] = 1;
  return out;
}

/**
 * Cross-entropy dual points: p_i = θ_i/s + y_i must stay on the simplex. A refinement step that
 * takes an entry below zero (near-separable data put many p_ik at ~0) is clipped there, and what
 * the clip added is taken from the sample's largest entry, so the row still sums to zero.
 */
function keepOnSimplex(out: Float64Array, n: number, c: number, loss: DataLoss): void {
  const s = loss.scale === 'mean' ? 1 / n : 1;
  const y = loss.targets;
  if (!y) return;
  for (let j = 0; j < n; j++) {
    const o = j * c;
    let add = 0;
    let top = o;
    for (let k = 0; k < c; k++) {
      const floor = -s * y[o + k]; // p = 0
      if (out[o + k] < floor) {
        add += floor - out[o + k];
        out[o + k] = floor;
      }
      if (out[o + k] / s + y[o + k] > out[top] / s + y[top]) top = o + k;
    }
    out[top] -= add;
  }
}
