import { appendOnes, enumeratePatterns, samplePatterns } from '@cvxnn/arrangements';
import { type Certificate, coneProjector, contiguousLayout, customPenalty, type DataLoss, dataLoss, fitConvex, type GroupPenalty, type HistoryPoint, type LinearMap, linearProblem, recoverNetwork, solve, type SolveStatus } from '@cvxnn/group-lasso';
import { assertFinite, assertOption, assertShape, checkOptions, CvxnnError, Matrix, PatternMasks, svd, type OptionSpec } from '@cvxnn/linalg';
import type { LossName, ObjectiveScale } from '@cvxnn/networks';
import { type ConstrainedOptions, type ConstrainedResult, constrainedResult, type GroupSpec, partialGroupPenalty, type SolveSummary, solveConstrainedGroupLasso, solveSummary } from './constrained.js';
import { type BnNetwork, type BnPlacement, bnSetStats } from './network.js';

/**
 * Options of {@link fitBnConvex}.
 *
 * @example
 *   const o: BnFitOptions = { placement: 'centred', lambda: 0.1, patterns: 'all' };
 */
export interface BnFitOptions {
  placement: BnPlacement;
  /** BN divisor: `l2` (default, ‖P_c h‖, SPEC §3.1) or `std` (‖P_c h‖/√n: the bases become √n·U_i) */
  normalization?: 'l2' | 'std';
  /** β > 0: group penalty; weight decay β/2 on γ, α and the output weights */
  lambda: number;
  /** `'all'` (exact enumeration; refused above `maxPatterns`) or a number of Gaussian gates to sample (default 100) */
  patterns?: 'all' | number;
  seed?: number;
  /** append a constant-1 feature before the first layer (a first-layer bias; no effect for `before`, which centres it away) */
  appendOne?: boolean;
  loss?: LossName;
  scale?: ObjectiveScale;
  /** relative certificate tolerance (default 1e-6) */
  tol?: number;
  maxIters?: number;
  timeLimit?: number;
  /**
   * after the ReLU: `auto` (R-FISTA with the exact cone prox and a duality gap when every pattern
   * has full rank, the augmented Lagrangian otherwise) or `al` (always the augmented Lagrangian)
   */
  solver?: 'auto' | 'al';
  /** the augmented Lagrangian's maximum cone-constraint violation (default 1e-8) */
  constraintTol?: number;
  /** largest exact enumeration accepted (default 5000) */
  maxPatterns?: number;
  onProgress?: (p: { iteration: number; certificate: number; objective: number }) => void;
}

/**
 * Result of {@link fitBnConvex}: group-lasso's result fields plus the recovered BN network and
 * the convex fit.
 *
 * @example
 *   const r = fitBnConvex(X, Y, { placement: 'scale', lambda: 0.1 });
 *   bnObjective(r.network, X, Y, { lambda: 0.1 }).objective; // = r.objective
 */
export interface BnFitResult extends SolveSummary {
  placement: BnPlacement;
  formulation: 'bn-scale' | 'bn-centred' | 'bn-before';
  /** number of patterns (of X̃ after the ReLU; of [U, 1] before it) */
  patterns: number;
  activeNeurons: number;
  lambda: number;
  loss: LossName;
  scale: ObjectiveScale;
  /** the convex model's predictions on the training batch (n × c) */
  fit: Matrix<Float64Array>;
  network: BnNetwork;
}

/**
 * Whitened bases of one pattern: M = D X̃ (`scale`) or P_c D X̃ (`centred`) = U S Vᵀ, r = rank M;
 * U (n × r) orthonormal, T = [V_r S_r⁻¹, V_null] (d × d; u = T (s, t) has M u = U s), and the
 * signed cone matrix C = diag(2D − 1) X̃ T (n × d, rows scaled to unit norm) so the cone constraint reads C (s, t) ≥ 0.
 */
interface PatternBasis {
  pattern: number;
  r: number;
  U: Matrix<Float64Array>;
  T: Matrix<Float64Array>;
  C: Matrix<Float64Array>;
}

/**
 * The whitened basis of pattern `i` (SPEC §3.3 / §3.4): the SVD of D_i X̃ (or P_c D_i X̃), its
 * rank, and the map (s, t) ↦ u. Exported for tests (oracle C2: ‖M u‖ = ‖S Vᵀ u‖, UᵀU = I).
 *
 * @example
 *   const b = patternBasis(X, masks, 0, true);
 */
export function patternBasis(X: Matrix<Float64Array>, masks: PatternMasks, i: number, centre: boolean): PatternBasis {
  const n = X.rows;
  const d = X.cols;
  const rows = Math.max(n, d);
  const M = Matrix.zeros(rows, d);
  for (let j = 0; j < n; j++) if (masks.get(j, i)) for (let k = 0; k < d; k++) M.data[j * d + k] = X.get(j, k);
  if (centre) {
    for (let k = 0; k < d; k++) {
      let mean = 0;
      for (let j = 0; j < n; j++) mean += M.data[j * d + k] / n;
      for (let j = 0; j < n; j++) M.data[j * d + k] -= mean;
    }
  }
  const { U, s, V } = svd(M);
  const tolR = Math.max(rows, d) * 1e-12 * (s[0] ?? 0);
  let r = 0;
  while (r < s.length && s[r] > tolR && s[r] > 0) r++;
  const Ur = Matrix.zeros(n, r);
  for (let j = 0; j < n; j++) for (let k = 0; k < r; k++) Ur.data[j * r + k] = U.get(j, k);
  const T = Matrix.zeros(d, d);
  for (let a = 0; a < d; a++) for (let k = 0; k < d; k++) T.data[a * d + k] = k < r ? V.get(a, k) / s[k] : V.get(a, k);
  const C = Matrix.zeros(n, d);
  for (let j = 0; j < n; j++) {
    const sg = masks.get(j, i) ? 1 : -1;
    for (let k = 0; k < d; k++) {
      let v = 0;
      for (let a = 0; a < d; a++) v += X.get(j, a) * T.data[a * d + k];
      C.data[j * d + k] = sg * v;
    }
    // unit rows: the same cone, better conditioned constraint term (T has S⁻¹ in it)
    let rn = 0;
    for (let k = 0; k < d; k++) rn += C.data[j * d + k] ** 2;
    rn = Math.sqrt(rn);
    if (rn > 0) for (let k = 0; k < d; k++) C.data[j * d + k] /= rn;
  }
  return { pattern: i, r, U: Ur, T, C };
}

function validate(X: Matrix<Float64Array>, Y: Matrix<Float64Array>, o: BnFitOptions): void {
  if (X.rows === 0 || X.cols === 0) throw new CvxnnError('EMPTY_DATA', `the data matrix is ${X.rows}×${X.cols}; need at least one sample and one feature`);
  assertShape(Y.rows === X.rows, `X has ${X.rows} rows but the targets have ${Y.rows}; pass one target row per sample`);
  assertFinite(X.clone().data, 'X', X.cols);
  assertFinite(Y.clone().data, 'the targets', Y.cols);
  assertOption(['scale', 'centred', 'before'].includes(o.placement), `BN placement must be scale, centred or before, got '${String(o.placement)}'`);
  assertOption(o.normalization === undefined || o.normalization === 'l2' || o.normalization === 'std', `normalization must be l2 or std, got '${String(o.normalization)}'`);
  assertOption(Number.isFinite(o.lambda) && o.lambda > 0, `lambda must be a finite number > 0, got ${o.lambda}`);
  const p = o.patterns ?? 100;
  assertOption(p === 'all' || (Number.isInteger(p) && p >= 1), `patterns must be 'all' or a positive integer, got ${String(p)}`);
  if (X.rows < 2 && o.placement !== 'scale') throw new CvxnnError('EMPTY_DATA', `centred batch normalization needs at least 2 samples, got ${X.rows}`);
  const loss = o.loss ?? 'squared';
  if (Y.cols > 1 && loss !== 'squared' && o.placement !== 'before') {
    throw new CvxnnError('INVALID_OPTION', `BN after the ReLU with ${Y.cols} outputs runs one-vs-all and needs the squared loss (got ${loss})`);
  }
}

function patternsOf(X: Matrix<Float64Array>, o: BnFitOptions): { masks: PatternMasks; gates: Matrix<Float64Array> } {
  const p = o.patterns ?? 100;
  if (p === 'all') {
    const ps = enumeratePatterns(X, { maxPatterns: o.maxPatterns ?? 5000 });
    return { masks: ps.masks, gates: ps.gates };
  }
  const ps = samplePatterns(X, { count: p, seed: o.seed ?? 0 });
  return { masks: ps.masks, gates: ps.gates };
}

/** The options `fitBnConvex` takes, with their types (the compiler keeps the list complete). */
export const BN_FIT_OPTIONS: OptionSpec<BnFitOptions> = {
  placement: '"scale"|"centred"|"before"',
  normalization: '"l2"|"std"',
  lambda: 'number',
  patterns: '"all"|integer',
  seed: 'number',
  appendOne: 'boolean',
  loss: '"squared"|"logistic"|"cross-entropy"',
  scale: '"sum"|"mean"',
  tol: 'number',
  maxIters: 'integer',
  timeLimit: 'number',
  solver: '"auto"|"al"',
  constraintTol: 'number',
  maxPatterns: 'integer',
  onProgress: 'function',
};

/**
 * Train a two-layer ReLU network with batch normalization by convex optimization, and recover
 * the BN network (SPEC §3):
 * - `scale` (§3.3, exact): min ½‖Σ_i U_i(s_i − s'_i) − y‖² + βΣ(‖s_i‖ + ‖s'_i‖), s_i in the image
 *   of the pattern cone K_i under S_iV_iᵀ, with U_i S_i V_iᵀ the SVD of D_i X̃. The variable keeps
 *   u ∈ K_i (u = T_i(s, t), t in null(D_i X̃) free), so the constraint is the image cone itself, not
 *   the inner approximation u ∈ row space (see §3.3's note on Neural-recovery).
 * - `centred` (§3.4, derived): M_i = P_c D_i X̃, fit U_i s_i + b_i 1, penalty β‖(s_i, b_i)‖, plus the
 *   constant neuron (u = 0: BN output α1 by convention).
 * - `before` (§3.5, derived): exactly C-ReLU on [U, 1] with P_c X̃ = U Σ Vᵀ — solved by
 *   group-lasso's `fitConvex` (duality-gap certificate).
 * `scale`/`centred` are solved by {@link solveConstrainedGroupLasso} (min-norm-subgradient
 * certificate). Vector targets run one-vs-all (squared loss) after the ReLU.
 *
 * @example
 *   const r = fitBnConvex(X, Matrix.column(y), { placement: 'centred', lambda: 0.1, patterns: 'all' });
 *   r.network; // BN network with the same objective
 */
export function fitBnConvex(X: Matrix<Float64Array>, Y: Matrix<Float64Array>, o: BnFitOptions): BnFitResult {
  checkOptions('fitBnConvex', o, BN_FIT_OPTIONS);
  validate(X, Y, o);
  const Xt = o.appendOne ? appendOnes(X) : X.toFloat64();
  return o.placement === 'before' ? fitBefore(X, Xt, Y, o) : fitAfter(X, Xt, Y, o);
}

function fitBefore(X: Matrix<Float64Array>, Xt: Matrix<Float64Array>, Y: Matrix<Float64Array>, o: BnFitOptions): BnFitResult {
  const n = Xt.rows;
  const d = Xt.cols;
  // P_c X̃ = U Σ Vᵀ; Ũ = [U_r, 1]
  const Pc = Matrix.zeros(Math.max(n, d), d);
  for (let k = 0; k < d; k++) {
    let mean = 0;
    for (let j = 0; j < n; j++) mean += Xt.get(j, k) / n;
    for (let j = 0; j < n; j++) Pc.data[j * d + k] = Xt.get(j, k) - mean;
  }
  const { U, s, V } = svd(Pc);
  const tolR = Math.max(n, d) * 1e-12 * (s[0] ?? 0);
  let r = 0;
  while (r < s.length && s[r] > tolR && s[r] > 0) r++;
  const Ut = Matrix.zeros(n, r + 1);
  const sc = o.normalization === 'std' ? Math.sqrt(n) : 1;
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < r; k++) Ut.data[j * (r + 1) + k] = sc * U.get(j, k);
    Ut.data[j * (r + 1) + r] = 1;
  }
  const pats = patternsOf(Ut, o);
  const res = fitConvex(Ut, Y, pats, {
    model: 'relu',
    lambda: o.lambda,
    loss: o.loss ?? 'squared',
    scale: o.scale ?? 'sum',
    tol: o.tol ?? 1e-6,
    maxIters: o.maxIters ?? 20000,
    timeLimit: o.timeLimit,
    onProgress: o.onProgress,
  });
  const plain = recoverNetwork(res);
  const m = plain.W1.cols;
  const c = Y.cols;
  // neuron θ = (a, α) of the network on Ũ ↦ γ = ‖a‖, u = V Σ⁻¹ a (any positive multiple), α
  const W1 = Matrix.zeros(d, m);
  const gamma = new Float64Array(m);
  const alpha = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    let an = 0;
    for (let k = 0; k < r; k++) an += plain.W1.get(k, j) ** 2;
    gamma[j] = Math.sqrt(an);
    alpha[j] = plain.W1.get(r, j);
    for (let a = 0; a < d; a++) {
      let v = 0;
      for (let k = 0; k < r; k++) v += (V.get(a, k) * plain.W1.get(k, j)) / s[k];
      W1.data[a * m + j] = v;
    }
  }
  const network: BnNetwork = { kind: 'bn', placement: 'before', normalization: o.normalization ?? 'l2', W1, gamma, alpha, W2: plain.W2.clone(), appendOne: !!o.appendOne };
  bnSetStats(network, X);
  const fit = Matrix.zeros(n, c);
  // convex predictions Σ_i D_i Ũ (v_i − w_i), through the recovered network on Ũ (exact, SPEC §2.4)
  for (let j = 0; j < n; j++) {
    for (let q = 0; q < m; q++) {
      let z = 0;
      for (let k = 0; k <= r; k++) z += Ut.get(j, k) * plain.W1.get(k, q);
      if (z > 0) for (let l = 0; l < c; l++) fit.data[j * c + l] += z * plain.W2.get(q, l);
    }
  }
  return {
    ...solveSummary(res),
    placement: 'before',
    formulation: 'bn-before',
    patterns: res.patterns,
    activeNeurons: res.activeNeurons,
    lambda: o.lambda,
    loss: res.loss,
    scale: res.scale,
    fit,
    network,
  };
}

function fitAfter(X: Matrix<Float64Array>, Xt: Matrix<Float64Array>, Y: Matrix<Float64Array>, o: BnFitOptions): BnFitResult {
  const t0 = performance.now();
  const n = Xt.rows;
  const d = Xt.cols;
  const c = Y.cols;
  const centre = o.placement === 'centred';
  const cb = centre ? 1 : 0;
  const { masks } = patternsOf(Xt, o);
  const bases: PatternBasis[] = [];
  const sc = o.normalization === 'std' ? Math.sqrt(n) : 1;
  for (let i = 0; i < masks.p; i++) {
    const b = patternBasis(Xt, masks, i, centre);
    if (sc !== 1) for (let k = 0; k < b.U.data.length; k++) b.U.data[k] *= sc;
    if (b.r > 0) bases.push(b);
  }
  // groups: for each basis and sign σ = ±1 a block [s (r), b (cb), t (d − r)]; then (centred) the constant neuron [b]
  const groups: GroupSpec[] = [];
  const owner: Array<{ basis: number; sign: number } | null> = [];
  let off = 0;
  for (const sign of [1, -1]) {
    bases.forEach((b, k) => {
      groups.push({ offset: off, size: d + cb, penalized: b.r + cb });
      owner.push({ basis: k, sign });
      off += d + cb;
    });
  }
  if (centre) {
    groups.push({ offset: off, size: 1, penalized: 1 });
    owner.push(null);
    off += 1;
  }
  const dim = off;
  const data: LinearMap = {
    inDim: dim,
    outDim: n,
    apply(x, out) {
      out.fill(0);
      groups.forEach((g, q) => {
        const ow = owner[q];
        if (!ow) {
          for (let j = 0; j < n; j++) out[j] += x[g.offset];
          return;
        }
        const { U, r } = bases[ow.basis];
        for (let j = 0; j < n; j++) {
          let v = 0;
          for (let k = 0; k < r; k++) v += U.data[j * r + k] * x[g.offset + k];
          out[j] += ow.sign * v + (cb ? x[g.offset + r] : 0);
        }
      });
    },
    adjoint(z, out) {
      out.fill(0);
      let zs = 0;
      for (let j = 0; j < n; j++) zs += z[j];
      groups.forEach((g, q) => {
        const ow = owner[q];
        if (!ow) {
          out[g.offset] = zs;
          return;
        }
        const { U, r } = bases[ow.basis];
        for (let k = 0; k < r; k++) {
          let v = 0;
          for (let j = 0; j < n; j++) v += U.data[j * r + k] * z[j];
          out[g.offset + k] = ow.sign * v;
        }
        if (cb) out[g.offset + r] = zs;
      });
    },
  };
  const nCone = 2 * bases.length;
  // coordinates of group q entering the cone: (s, t), skipping b
  const coneIdx = (q: number, k: number, r: number) => groups[q].offset + (k < r ? k : k + cb);
  const cone: LinearMap = {
    inDim: dim,
    outDim: nCone * n,
    apply(x, out) {
      for (let q = 0; q < nCone; q++) {
        const { C, r } = bases[owner[q]!.basis];
        for (let j = 0; j < n; j++) {
          let v = 0;
          for (let k = 0; k < d; k++) v += C.data[j * d + k] * x[coneIdx(q, k, r)];
          out[q * n + j] = v;
        }
      }
    },
    adjoint(z, out) {
      out.fill(0);
      for (let q = 0; q < nCone; q++) {
        const { C, r } = bases[owner[q]!.basis];
        for (let k = 0; k < d; k++) {
          let v = 0;
          for (let j = 0; j < n; j++) v += C.data[j * d + k] * z[q * n + j];
          out[coneIdx(q, k, r)] = v;
        }
      }
    },
  };
  const lossName = o.loss ?? 'squared';
  const scale = o.scale ?? 'sum';
  const fit = Matrix.zeros(n, c);
  const cols1: Float64Array[] = [];
  const bnG: number[] = [];
  const bnA: number[] = [];
  const rows2: Float64Array[] = [];
  let objective = 0;
  let dataTerm = 0;
  let penalty = 0;
  let kkt = 0;
  let rel = 0;
  let viol = 0;
  let iterations = 0;
  let status: SolveStatus = 'optimal';
  let certKind: Certificate['kind'] = 'min-norm-subgradient';
  const history: HistoryPoint[] = [];
  const Fk = new Float64Array(n);
  for (let col = 0; col < c; col++) {
    const yk = Matrix.zeros(n, 1);
    for (let j = 0; j < n; j++) yk.data[j] = Y.get(j, col);
    const so = { tol: o.tol ?? 1e-6, constraintTol: o.constraintTol, maxIters: o.maxIters ?? 50000, timeLimit: o.timeLimit === undefined ? undefined : o.timeLimit - (performance.now() - t0) / 1000, onProgress: o.onProgress };
    const loss = dataLoss(lossName, scale, yk);
    // every pattern of full rank (the usual case for n ≫ d): no free coordinates, the image cone is
    // {s : C s ≥ 0}, so R-FISTA with the exact cone prox and a duality gap; otherwise the AL
    const res = (o.solver ?? 'auto') === 'auto' && bases.every((b) => b.r === d)
      ? solveWhitenedExact({ dim, data, loss, groups, lambda: o.lambda }, bases, owner, cb, so)
      : solveConstrainedGroupLasso({ dim, data, loss, cone: nCone > 0 ? cone : null, groups, lambda: o.lambda }, so);
    for (const h of res.history) history.push({ ...h, iteration: h.iteration + iterations });
    iterations += res.iterations;
    objective += res.objective;
    dataTerm += res.dataTerm;
    penalty += res.penalty;
    kkt += res.certificate.absolute;
    rel = Math.max(rel, res.certificate.value);
    if (nCone > 0) {
      // measured on the solution, whichever solver ran
      const gx = new Float64Array(cone.outDim);
      cone.apply(res.x, gx);
      for (const v of gx) if (-v > viol) viol = -v;
    }
    certKind = res.certificate.kind;
    if (res.status !== 'optimal' && status === 'optimal') status = res.status;
    data.apply(res.x, Fk);
    for (let j = 0; j < n; j++) fit.data[j * c + col] = Fk[j];
    // recovery (SPEC §3.4): τ = ‖(s, b)‖, w₂ = σ√τ, γ = ‖s‖/√τ, α = σ b/√τ, u = T (s, t)
    groups.forEach((g, q) => {
      const x = res.x;
      let tau = 0;
      for (let k = 0; k < g.penalized; k++) tau += x[g.offset + k] ** 2;
      tau = Math.sqrt(tau);
      if (tau === 0) return;
      const ow = owner[q];
      const sq = Math.sqrt(tau);
      const u = new Float64Array(d);
      const a2 = new Float64Array(c);
      if (!ow) {
        a2[col] = sq;
        cols1.push(u);
        bnG.push(0);
        bnA.push(x[g.offset] / sq);
        rows2.push(a2);
        return;
      }
      const { T, r } = bases[ow.basis];
      let sn = 0;
      for (let k = 0; k < r; k++) sn += x[g.offset + k] ** 2;
      for (let a = 0; a < d; a++) {
        let v = 0;
        for (let k = 0; k < d; k++) v += T.data[a * d + k] * x[coneIdx(q, k, r)];
        u[a] = v;
      }
      a2[col] = ow.sign * sq;
      cols1.push(u);
      bnG.push(Math.sqrt(sn) / sq);
      bnA.push(cb ? (ow.sign * x[g.offset + r]) / sq : 0);
      rows2.push(a2);
    });
  }
  const m = cols1.length;
  const W1 = Matrix.zeros(d, m);
  const W2 = Matrix.zeros(m, c);
  for (let j = 0; j < m; j++) {
    for (let a = 0; a < d; a++) W1.data[a * m + j] = cols1[j][a];
    W2.data.set(rows2[j], j * c);
  }
  const network: BnNetwork = { kind: 'bn', placement: o.placement, normalization: o.normalization ?? 'l2', W1, gamma: Float64Array.from(bnG), alpha: Float64Array.from(bnA), W2, appendOne: !!o.appendOne };
  bnSetStats(network, X);
  return {
    placement: o.placement,
    formulation: centre ? 'bn-centred' : 'bn-scale',
    status,
    objective,
    dataTerm,
    penalty,
    certificate: { kind: certKind, value: rel, absolute: kkt },
    constraintViolation: viol,
    iterations,
    timeSeconds: (performance.now() - t0) / 1000,
    patterns: masks.p,
    activeNeurons: m,
    lambda: o.lambda,
    loss: lossName,
    scale,
    history,
    fit,
    network,
  };
}

/**
 * Full-rank patterns only: min ℓ(Σ B_g θ_g) + λΣ‖θ_g‖ with θ_g = (s, b) and s in the polyhedral cone
 * {s : C_i s ≥ 0}. The prox of λ‖·‖ + ι_{K×R} is exact — (1 − tλ/‖Π(θ)‖)_+ Π(θ) with
 * Π(s, b) = (Π_K s, b) (group-lasso's cone projector on the rows of C_i) — so R-FISTA keeps every
 * iterate feasible, and z = κ∇ℓ(F), κ = min(1, λ / max_g ‖Π_g(−(Aᵀ∇ℓ)_g)‖), is dual feasible:
 * the duality gap certifies the result (as group-lasso's C-ReLU solver does).
 */
function solveWhitenedExact(
  p: { dim: number; data: LinearMap; loss: DataLoss; groups: GroupSpec[]; lambda: number },
  bases: PatternBasis[],
  owner: Array<{ basis: number; sign: number } | null>,
  cb: number,
  o: ConstrainedOptions,
): ConstrainedResult {
  const t0 = performance.now();
  const tol = o.tol ?? 1e-6;
  const ones = (n: number) => {
    const m = new PatternMasks(n, 1);
    for (let j = 0; j < n; j++) m.set(j, 0, 1);
    return m;
  };
  const proj = bases.map((b) => coneProjector(b.C, ones(b.C.rows)));
  const warm: number[][] = p.groups.map(() => []);
  const zIn = new Float64Array(64);
  const zOut = new Float64Array(64);
  /** Π_{K×R} of the group's (s, b) written into `out` at the group's offset; returns its norm */
  const project = (q: number, x: Float64Array, out: Float64Array, sign: number): number => {
    const g = p.groups[q];
    const ow = owner[q];
    let nrm = 0;
    if (!ow) {
      out[g.offset] = sign * x[g.offset];
      return Math.abs(x[g.offset]);
    }
    const r = bases[ow.basis].r;
    const zi = r <= 64 ? zIn.subarray(0, r) : new Float64Array(r);
    const zo = r <= 64 ? zOut.subarray(0, r) : new Float64Array(r);
    for (let k = 0; k < r; k++) zi[k] = sign * x[g.offset + k];
    warm[q] = proj[ow.basis](0, zi, zo, warm[q]);
    for (let k = 0; k < r; k++) {
      out[g.offset + k] = zo[k];
      nrm += zo[k] * zo[k];
    }
    if (cb) {
      out[g.offset + r] = sign * x[g.offset + r];
      nrm += x[g.offset + r] ** 2;
    }
    return Math.sqrt(nrm);
  };
  // the penalty λΣ‖θ_g‖ + ι_{K_g×R}: its exact prox above, dual norm ‖Π_{K×R}(z_g)‖ (z = −Aᵀ∇ℓ)
  const layout = contiguousLayout(p.groups, p.dim);
  const scratch = new Float64Array(p.dim);
  const make = (lam: number): GroupPenalty => {
    const pl = partialGroupPenalty(p.groups, lam);
    return customPenalty({
      layout,
      lambda: lam,
      value: (x) => pl.value(x),
      prox(x, t, out) {
        const th = t * lam;
        p.groups.forEach((g, q) => {
          let zn = 0;
          for (let k = 0; k < g.size; k++) zn += x[g.offset + k] ** 2;
          if (Math.sqrt(zn) <= th) {
            for (let k = 0; k < g.size; k++) out[g.offset + k] = 0;
            return;
          }
          const pn = project(q, x, out, 1);
          const f = pn > th ? 1 - th / pn : 0;
          for (let k = 0; k < g.size; k++) out[g.offset + k] *= f;
        });
      },
      groupNorms: (x) => pl.groupNorms(x),
      dualNorms: (z) => Float64Array.from(p.groups, (_g, q) => project(q, z, scratch, 1)),
      withLambda: (l2) => make(l2),
    });
  };
  const problem = linearProblem(p.data, layout, p.loss, p.lambda, (_L, lam) => make(lam), 'bn-whitened');
  const r = solve(problem, { solver: 'fista', tol, maxIters: o.maxIters ?? 50000, timeLimit: o.timeLimit, onProgress: o.onProgress });
  return constrainedResult(r, 0, (performance.now() - t0) / 1000);
}
