import { enumeratePatterns, samplePatterns } from '@cvxnn/arrangements';
import { dataLoss, type LinearMap } from '@cvxnn/group-lasso';
import { assertFinite, assertOption, assertShape, checkOptions, CvxnnError, Matrix, type PatternMasks, Rng, type OptionSpec } from '@cvxnn/linalg';
import { type GroupSpec, type SolveSummary, solveConstrainedGroupLasso, solveSummary } from '../bn/constrained.js';

/**
 * A three-layer ReLU network written as a sum of parallel sub-networks (SPEC §5.1):
 * f(x) = Σ_k w3_k ( Σ_l w2_k[l] (xᵀ W1_k[:, l])_+ )_+, with the path regularizer
 * β Σ_k |w3_k| Σ_l |w2_k[l]| ‖W1_k[:, l]‖ (degree-1 homogeneous in every path).
 *
 * @example
 *   const net: PathNetwork = { subnets: [{ W1: Matrix.from([[1], [0]]), w2: Float64Array.of(1), w3: 1 }] };
 */
export interface PathNetwork {
  subnets: Array<{ W1: Matrix<Float64Array>; w2: Float64Array; w3: number }>;
}

/**
 * Predictions (n) of a path network on X (n × d; pass [X, 1] for first-layer biases).
 *
 * @example
 *   const f = pathForward(net, X);
 */
export function pathForward(net: PathNetwork, X: Matrix<Float64Array>): Float64Array {
  const n = X.rows;
  const d = X.cols;
  const f = new Float64Array(n);
  for (const s of net.subnets) {
    assertShape(s.W1.rows === d && s.W1.cols === s.w2.length, `a sub-network has W1 ${s.W1.rows}×${s.W1.cols} and ${s.w2.length} second-layer weights for ${d} inputs`);
    const m = s.w2.length;
    for (let i = 0; i < n; i++) {
      let z = 0;
      for (let l = 0; l < m; l++) {
        let a = 0;
        for (let k = 0; k < d; k++) a += X.get(i, k) * s.W1.get(k, l);
        if (a > 0) z += s.w2[l] * a;
      }
      if (z > 0) f[i] += s.w3 * z;
    }
  }
  return f;
}

/**
 * The path-regularized objective ½‖f(X) − y‖² + β·path(net) (squared loss, `sum` convention).
 *
 * @example
 *   const { objective } = pathObjective(net, X, y, 0.1);
 */
export function pathObjective(net: PathNetwork, X: Matrix<Float64Array>, y: Float64Array, beta: number): { objective: number; dataTerm: number; penalty: number } {
  assertShape(y.length === X.rows, `X has ${X.rows} rows but y has ${y.length}`);
  const f = pathForward(net, X);
  let dataTerm = 0;
  for (let i = 0; i < y.length; i++) dataTerm += 0.5 * (f[i] - y[i]) ** 2;
  let path = 0;
  for (const s of net.subnets) {
    for (let l = 0; l < s.w2.length; l++) {
      let nr = 0;
      for (let k = 0; k < s.W1.rows; k++) nr += s.W1.get(k, l) ** 2;
      path += Math.abs(s.w3) * Math.abs(s.w2[l]) * Math.sqrt(nr);
    }
  }
  return { objective: dataTerm + beta * path, dataTerm, penalty: beta * path };
}

/**
 * Options of {@link fitThreeLayer}.
 *
 * @example
 *   const o: ThreeLayerOptions = { lambda: 0.1, firstPatterns: 'all', secondPatterns: 'all' };
 */
export interface ThreeLayerOptions {
  lambda: number;
  /** first-layer patterns of X: `'all'` (exact) or a number of Gaussian gates */
  firstPatterns?: 'all' | number;
  /**
   * second-layer patterns D'_j of X̂ = [D_1X, …, D_PX]: `'all'` (exact enumeration of X̂'s
   * arrangement), a number of Gaussian gates, or `'identity'` (only D' = I: SPEC §5.3 E2)
   */
  secondPatterns?: 'all' | 'identity' | number;
  seed?: number;
  tol?: number;
  maxIters?: number;
  timeLimit?: number;
  /** refuse when P1·P2 exceeds this (default 4000) */
  maxBlocks?: number;
}

/**
 * Result of {@link fitThreeLayer}.
 *
 * @example
 *   const r = fitThreeLayer(X, y, { lambda: 0.1 }); r.network.subnets.length;
 */
export interface ThreeLayerResult extends SolveSummary {
  firstPatterns: number;
  secondPatterns: number;
  /** the convex model's predictions */
  fit: Float64Array;
  network: PathNetwork;
}

/** The options `fitThreeLayer` takes, with their types (the compiler keeps the list complete). */
export const THREE_LAYER_OPTIONS: OptionSpec<ThreeLayerOptions> = {
  lambda: 'number',
  firstPatterns: '"all"|integer',
  secondPatterns: '"all"|"identity"|integer',
  seed: 'number',
  tol: 'number',
  maxIters: 'integer',
  timeLimit: 'number',
  maxBlocks: 'integer',
};

/**
 * The path-regularized three-layer convex program with double hyperplane arrangements (SPEC §5.1,
 * [DERIVED] form): with first-layer patterns D_i of X and second-layer patterns D'_j,
 *   min ½‖Σ_{j,σ} σ D'_j Σ_i D_i X (v_ijσ − w_ijσ) − y‖² + β Σ (‖v_ijσ‖ + ‖w_ijσ‖)
 *   s.t. v_ijσ, w_ijσ ∈ K_i,  (2D'_j − I) Σ_i D_i X (v_ijσ − w_ijσ) ≥ 0,
 * solved by the cone-constrained group-Lasso AL (certificate: min-norm subgradient). Each non-zero
 * (j, σ) block is one sub-network: first-layer neurons v (w2 = +1) and w (w2 = −1), w3 = σ; its
 * path norm is the group penalty, so the recovered network's objective equals the convex one.
 * Small data only: the variable has 4·d·P1·P2 entries.
 *
 * @example
 *   const r = fitThreeLayer(appendOnes(X), y, { lambda: 0.1, firstPatterns: 'all', secondPatterns: 'all' });
 */
export function fitThreeLayer(X: Matrix<Float64Array>, y: Float64Array, o: ThreeLayerOptions): ThreeLayerResult {
  checkOptions('fitThreeLayer', o, THREE_LAYER_OPTIONS);
  if (X.rows === 0 || X.cols === 0) throw new CvxnnError('EMPTY_DATA', `the data matrix is ${X.rows}×${X.cols}; need at least one sample and one feature`);
  assertShape(y.length === X.rows, `X has ${X.rows} rows but y has ${y.length}; pass one target per sample`);
  assertFinite(X.clone().data, 'X', X.cols);
  assertFinite(y, 'y');
  assertOption(Number.isFinite(o.lambda) && o.lambda > 0, `lambda must be a finite number > 0, got ${o.lambda}`);
  const n = X.rows;
  const d = X.cols;
  const fp = o.firstPatterns ?? 'all';
  const first: PatternMasks = fp === 'all' ? enumeratePatterns(X, { maxPatterns: 2000 }).masks : samplePatterns(X, { count: fp, seed: o.seed ?? 0 }).masks;
  const P1 = first.p;
  // X̂ = [D_1 X, …, D_P1 X]
  const Xh = Matrix.zeros(n, d * P1);
  for (let j = 0; j < n; j++) for (let i = 0; i < P1; i++) if (first.get(j, i)) for (let k = 0; k < d; k++) Xh.data[j * d * P1 + i * d + k] = X.get(j, k);
  const sp = o.secondPatterns ?? 'all';
  let second: Uint8Array[];
  if (sp === 'identity') second = [new Uint8Array(n).fill(1)];
  else {
    const m = sp === 'all' ? enumeratePatterns(Xh, { maxPatterns: 2000 }).masks : samplePatterns(Xh, { count: sp, seed: (o.seed ?? 0) + 1 }).masks;
    second = Array.from({ length: m.p }, (_, j) => m.column(j));
  }
  const P2 = second.length;
  assertOption(P1 * P2 <= (o.maxBlocks ?? 4000), `the three-layer program would have ${P1}×${P2} pattern pairs (more than maxBlocks = ${o.maxBlocks ?? 4000}); sample fewer patterns`);
  // x layout: block b = (j, σ) (σ = +1 then −1), inside it i = 0..P1−1, inside v then w, each d entries
  const B = 2 * P2;
  const perBlock = 2 * P1 * d;
  const dim = B * perBlock;
  const groups: GroupSpec[] = [];
  for (let g = 0; g < dim / d; g++) groups.push({ offset: g * d, size: d, penalized: d });
  const s1 = (j: number, i: number) => (first.get(j, i) ? 1 : -1);
  const pre = new Float64Array(n);
  // pre-activation of block b: Σ_i D_i X (v_i − w_i)
  const blockPre = (x: Float64Array, b: number, out: Float64Array) => {
    out.fill(0);
    const o0 = b * perBlock;
    for (let i = 0; i < P1; i++) {
      const ov = o0 + 2 * i * d;
      for (let j = 0; j < n; j++) {
        if (!first.get(j, i)) continue;
        let a = 0;
        for (let k = 0; k < d; k++) a += X.get(j, k) * (x[ov + k] - x[ov + d + k]);
        out[j] += a;
      }
    }
  };
  // adjoint of blockPre: z ↦ (D_i X)ᵀ z into v and −(D_i X)ᵀ z into w
  const blockPreAdj = (z: Float64Array, b: number, out: Float64Array, add: boolean) => {
    const o0 = b * perBlock;
    for (let i = 0; i < P1; i++) {
      const ov = o0 + 2 * i * d;
      for (let k = 0; k < d; k++) {
        let a = 0;
        for (let j = 0; j < n; j++) if (first.get(j, i)) a += X.get(j, k) * z[j];
        out[ov + k] = (add ? out[ov + k] : 0) + a;
        out[ov + d + k] = (add ? out[ov + d + k] : 0) - a;
      }
    }
  };
  const sigma = (b: number) => (b < P2 ? 1 : -1);
  const dpat = (b: number) => second[b % P2];
  const data: LinearMap = {
    inDim: dim,
    outDim: n,
    apply(x, out) {
      out.fill(0);
      for (let b = 0; b < B; b++) {
        blockPre(x, b, pre);
        const D = dpat(b);
        const sg = sigma(b);
        for (let j = 0; j < n; j++) if (D[j]) out[j] += sg * pre[j];
      }
    },
    adjoint(z, out) {
      const zz = new Float64Array(n);
      for (let b = 0; b < B; b++) {
        const D = dpat(b);
        const sg = sigma(b);
        for (let j = 0; j < n; j++) zz[j] = D[j] ? sg * z[j] : 0;
        blockPreAdj(zz, b, out, false);
      }
    },
  };
  // constraints: first-layer cones (n rows per v / w group), then second-layer cones (n rows per block)
  const nFirst = (dim / d) * n;
  const cone: LinearMap = {
    inDim: dim,
    outDim: nFirst + B * n,
    apply(x, out) {
      for (let g = 0; g < dim / d; g++) {
        const i = Math.floor((g % (2 * P1)) / 2);
        for (let j = 0; j < n; j++) {
          let a = 0;
          for (let k = 0; k < d; k++) a += X.get(j, k) * x[g * d + k];
          out[g * n + j] = s1(j, i) * a;
        }
      }
      for (let b = 0; b < B; b++) {
        blockPre(x, b, pre);
        const D = dpat(b);
        for (let j = 0; j < n; j++) out[nFirst + b * n + j] = (D[j] ? 1 : -1) * pre[j];
      }
    },
    adjoint(z, out) {
      for (let g = 0; g < dim / d; g++) {
        const i = Math.floor((g % (2 * P1)) / 2);
        for (let k = 0; k < d; k++) {
          let a = 0;
          for (let j = 0; j < n; j++) a += X.get(j, k) * s1(j, i) * z[g * n + j];
          out[g * d + k] = a;
        }
      }
      const zz = new Float64Array(n);
      for (let b = 0; b < B; b++) {
        const D = dpat(b);
        for (let j = 0; j < n; j++) zz[j] = (D[j] ? 1 : -1) * z[nFirst + b * n + j];
        blockPreAdj(zz, b, out, true);
      }
    },
  };
  const res = solveConstrainedGroupLasso(
    { dim, data, loss: dataLoss('squared', 'sum', new Matrix(n, 1, Float64Array.from(y))), cone, groups, lambda: o.lambda },
    { tol: o.tol ?? 1e-6, maxIters: o.maxIters ?? 50000, timeLimit: o.timeLimit },
  );
  // recovery: one sub-network per non-zero block
  const subnets: PathNetwork['subnets'] = [];
  for (let b = 0; b < B; b++) {
    const cols: Float64Array[] = [];
    const w2: number[] = [];
    for (let i = 0; i < P1; i++) {
      for (const [part, sgn] of [
        [0, 1],
        [1, -1],
      ] as const) {
        const off = b * perBlock + 2 * i * d + part * d;
        const u = res.x.slice(off, off + d);
        if (u.some((v) => v !== 0)) {
          cols.push(u);
          w2.push(sgn);
        }
      }
    }
    if (cols.length === 0) continue;
    const W1 = Matrix.zeros(d, cols.length);
    cols.forEach((u, l) => {
      for (let k = 0; k < d; k++) W1.data[k * cols.length + l] = u[k];
    });
    subnets.push({ W1, w2: Float64Array.from(w2), w3: sigma(b) });
  }
  const fit = new Float64Array(n);
  data.apply(res.x, fit);
  return {
    ...solveSummary(res),
    firstPatterns: P1,
    secondPatterns: P2,
    fit,
    network: { subnets },
  };
}

/**
 * Options of {@link trainPathAdam}.
 *
 * @example
 *   const o: PathAdamOptions = { lambda: 0.1, subnets: 4, width: 4, iterations: 3000, seed: 1 };
 */
export interface PathAdamOptions {
  /** β of the path-norm penalty */
  lambda: number;
  /** K sub-networks */
  subnets: number;
  /** first-layer neurons per sub-network */
  width: number;
  /** default 3000 */
  iterations?: number;
  /** default 0.01 */
  learningRate?: number;
  seed?: number;
}

/** The options `trainPathAdam` takes, with their types (the compiler keeps the list complete). */
export const PATH_ADAM_OPTIONS: OptionSpec<PathAdamOptions> = { lambda: 'number', subnets: 'integer', width: 'integer', iterations: 'integer', learningRate: 'number', seed: 'number' };

/**
 * Full-batch Adam on the path-regularized objective of {@link pathObjective} (subgradients of the
 * path norm): K sub-networks of m first-layer neurons each. A baseline for {@link fitThreeLayer}.
 *
 * @example
 *   const r = trainPathAdam(X, y, { lambda: 0.1, subnets: 4, width: 4, iterations: 3000, seed: 1 });
 */
export function trainPathAdam(X: Matrix<Float64Array>, y: Float64Array, o: PathAdamOptions): { network: PathNetwork; objective: number } {
  assertOption(o !== null && typeof o === 'object', 'trainPathAdam: options are required (at least { lambda, subnets, width })');
  checkOptions('trainPathAdam', o, PATH_ADAM_OPTIONS);
  assertOption(Number.isInteger(o.subnets) && o.subnets >= 1 && Number.isInteger(o.width) && o.width >= 1, `subnets and width must be positive integers, got ${o.subnets}, ${o.width}`);
  const rng = new Rng(o.seed ?? 0);
  const n = X.rows;
  const d = X.cols;
  const K = o.subnets;
  const m = o.width;
  const W1 = rng.normalArray(K * d * m).map((v) => v / Math.sqrt(d)); // [k][k'][l]
  const w2 = rng.normalArray(K * m).map((v) => v / Math.sqrt(m));
  const w3 = rng.normalArray(K);
  const params = [W1, w2, w3];
  const grads = params.map((p) => new Float64Array(p.length));
  const mom = params.map((p) => new Float64Array(p.length));
  const vel = params.map((p) => new Float64Array(p.length));
  const T = o.iterations ?? 3000;
  const lr = o.learningRate ?? 0.01;
  const A = new Float64Array(n * K * m);
  const Z = new Float64Array(n * K);
  const net = (): PathNetwork => ({
    subnets: Array.from({ length: K }, (_, k) => {
      const M = Matrix.zeros(d, m);
      for (let a = 0; a < d; a++) for (let l = 0; l < m; l++) M.data[a * m + l] = W1[k * d * m + a * m + l];
      return { W1: M, w2: w2.slice(k * m, (k + 1) * m), w3: w3[k] };
    }),
  });
  let best = Infinity;
  let bestNet = net();
  for (let t = 1; t <= T + 1; t++) {
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < K; k++) {
        let z = 0;
        for (let l = 0; l < m; l++) {
          let a = 0;
          for (let q = 0; q < d; q++) a += X.get(i, q) * W1[k * d * m + q * m + l];
          A[(i * K + k) * m + l] = a;
          if (a > 0) z += w2[k * m + l] * a;
        }
        Z[i * K + k] = z;
      }
    }
    const r = new Float64Array(n);
    let data = 0;
    for (let i = 0; i < n; i++) {
      let f = 0;
      for (let k = 0; k < K; k++) if (Z[i * K + k] > 0) f += w3[k] * Z[i * K + k];
      r[i] = f - y[i];
      data += 0.5 * r[i] * r[i];
    }
    const norms = new Float64Array(K * m);
    let path = 0;
    for (let k = 0; k < K; k++) {
      for (let l = 0; l < m; l++) {
        let s = 0;
        for (let q = 0; q < d; q++) s += W1[k * d * m + q * m + l] ** 2;
        norms[k * m + l] = Math.sqrt(s);
        path += Math.abs(w3[k] * w2[k * m + l]) * norms[k * m + l];
      }
    }
    const obj = data + o.lambda * path;
    if (obj < best) {
      best = obj;
      bestNet = net();
    }
    if (t > T) break;
    for (const g of grads) g.fill(0);
    const [gW1, gw2, gw3] = grads;
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < K; k++) {
        if (!(Z[i * K + k] > 0)) continue;
        gw3[k] += r[i] * Z[i * K + k];
        const gz = r[i] * w3[k];
        for (let l = 0; l < m; l++) {
          const a = A[(i * K + k) * m + l];
          if (!(a > 0)) continue;
          gw2[k * m + l] += gz * a;
          const ga = gz * w2[k * m + l];
          for (let q = 0; q < d; q++) gW1[k * d * m + q * m + l] += ga * X.get(i, q);
        }
      }
    }
    for (let k = 0; k < K; k++) {
      for (let l = 0; l < m; l++) {
        const nr = norms[k * m + l];
        const a3 = Math.abs(w3[k]);
        const a2 = Math.abs(w2[k * m + l]);
        gw3[k] += o.lambda * Math.sign(w3[k]) * a2 * nr;
        gw2[k * m + l] += o.lambda * a3 * Math.sign(w2[k * m + l]) * nr;
        if (nr > 0) for (let q = 0; q < d; q++) gW1[k * d * m + q * m + l] += (o.lambda * a3 * a2 * W1[k * d * m + q * m + l]) / nr;
      }
    }
    const rate = lr * 0.5 * (1 + Math.cos((Math.PI * (t - 1)) / T));
    const c1 = 1 / (1 - 0.9 ** t);
    const c2 = 1 / (1 - 0.999 ** t);
    for (let p = 0; p < params.length; p++) {
      for (let j = 0; j < params[p].length; j++) {
        const g = grads[p][j];
        mom[p][j] = 0.9 * mom[p][j] + 0.1 * g;
        vel[p][j] = 0.999 * vel[p][j] + 0.001 * g * g;
        params[p][j] -= (rate * mom[p][j] * c1) / (Math.sqrt(vel[p][j] * c2) + 1e-8);
      }
    }
  }
  return { network: bestNet, objective: best };
}
