import { Matrix, PatternMasks, Rng } from '@cvxnn/linalg';

/**
 * Every chamber pattern of 2-D data through the origin, exactly: the boundaries of the regions
 * {g : sign(Xg) fixed} are the directions orthogonal to the rows; a gate at the middle of each arc
 * between consecutive critical angles hits every chamber once.
 */
export function allPatterns2d(X: Matrix<Float64Array>): { masks: PatternMasks; gates: Matrix<Float64Array> } {
  const angles: number[] = [];
  for (let j = 0; j < X.rows; j++) {
    const a = Math.atan2(X.get(j, 1), X.get(j, 0));
    for (const s of [Math.PI / 2, -Math.PI / 2]) {
      let t = a + s;
      t = ((t % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI);
      angles.push(t);
    }
  }
  angles.sort((a, b) => a - b);
  const uniq = angles.filter((a, i) => i === 0 || a - angles[i - 1] > 1e-12);
  const mids: number[] = [];
  for (let i = 0; i < uniq.length; i++) {
    const a = uniq[i];
    const b = i + 1 < uniq.length ? uniq[i + 1] : uniq[0] + 2 * Math.PI;
    mids.push((a + b) / 2);
  }
  const seen = new Set<string>();
  const keep: number[] = [];
  for (const t of mids) {
    const key = Array.from({ length: X.rows }, (_, j) => (X.get(j, 0) * Math.cos(t) + X.get(j, 1) * Math.sin(t) > 0 ? 1 : 0)).join('');
    if (!seen.has(key)) {
      seen.add(key);
      keep.push(t);
    }
  }
  const G = Matrix.zeros(2, keep.length);
  keep.forEach((t, i) => {
    G.set(0, i, Math.cos(t));
    G.set(1, i, Math.sin(t));
  });
  return { masks: PatternMasks.fromGates(X, G), gates: G };
}

/** Standard-normal matrix. */
export function randn(rng: Rng, rows: number, cols: number): Matrix<Float64Array> {
  return Matrix.fromArray(rows, cols, rng.normalArray(rows * cols));
}

/** Dense D_i X blocks (n×d each) for brute-force oracles. */
export function denseBlocks(X: Matrix<Float64Array>, masks: PatternMasks): number[][][] {
  const out: number[][][] = [];
  for (let i = 0; i < masks.p; i++) {
    const B: number[][] = [];
    for (let j = 0; j < X.rows; j++) B.push(Array.from({ length: X.cols }, (_, k) => (masks.get(j, i) ? X.get(j, k) : 0)));
    out.push(B);
  }
  return out;
}

/**
 * Independent oracle for tiny 2-D problems (squared loss, ½-sum convention): block-coordinate
 * descent where each block minimisation min_{v ∈ C} ½‖r − σ D_i X v‖² + β‖v‖ is solved exactly in
 * polar form (for a direction ω the best radius is closed form; the best direction is found by a
 * grid plus golden-section search over the admissible arc). C is the cone K_i (C-ReLU, blocks v and
 * w) or all of R² (gated). Returns the optimal value and the blocks.
 */
export function bcdOracle2d(
  X: Matrix<Float64Array>,
  y: Float64Array,
  masks: PatternMasks,
  gates: Matrix<Float64Array>,
  beta: number,
  relu: boolean,
  sweeps = 3000,
): { value: number; blocks: Array<{ i: number; sign: number; v: [number, number] }>; sweeps: number } {
  const n = X.rows;
  const P = masks.p;
  type Block = { i: number; sign: number; lo: number; hi: number; v: [number, number]; cos: Float64Array; sin: Float64Array };
  const K = 48;
  const blocks: Block[] = [];
  const grid = (lo: number, hi: number) => {
    const cos = new Float64Array(K + 1);
    const sin = new Float64Array(K + 1);
    for (let k = 0; k <= K; k++) {
      cos[k] = Math.cos(lo + ((hi - lo) * k) / K);
      sin[k] = Math.sin(lo + ((hi - lo) * k) / K);
    }
    return { cos, sin };
  };
  for (let i = 0; i < P; i++) {
    let lo = -Math.PI;
    let hi = Math.PI;
    let center = 0;
    if (relu) {
      // the gate g_i lies strictly inside the chamber; the cone is the arc of directions within
      // π/2 of every signed row s_j x_j
      center = Math.atan2(gates.get(1, i), gates.get(0, i));
      lo = -Infinity;
      hi = Infinity;
      for (let j = 0; j < n; j++) {
        const s = masks.get(j, i) ? 1 : -1;
        const phi = Math.atan2(s * X.get(j, 1), s * X.get(j, 0));
        const dlt = Math.atan2(Math.sin(phi - center), Math.cos(phi - center));
        lo = Math.max(lo, dlt - Math.PI / 2);
        hi = Math.min(hi, dlt + Math.PI / 2);
      }
    }
    for (const sign of relu ? [1, -1] : [1]) blocks.push({ i, sign, lo: center + lo, hi: center + hi, v: [0, 0], ...grid(center + lo, center + hi) });
  }
  const F = new Float64Array(n);
  const contrib = (b: Block, out: Float64Array, scale: number) => {
    for (let j = 0; j < n; j++) if (masks.get(j, b.i)) out[j] += scale * b.sign * (X.get(j, 0) * b.v[0] + X.get(j, 1) * b.v[1]);
  };
  const objective = () => {
    let s = 0;
    for (let j = 0; j < n; j++) s += 0.5 * (F[j] - y[j]) ** 2;
    for (const b of blocks) s += beta * Math.hypot(b.v[0], b.v[1]);
    return s;
  };
  // per-pattern Gram of the masked rows: ‖D_i X ω‖² = ωᵀ S_i ω is O(1) per direction ω
  const gram = Array.from({ length: P }, (_, i) => {
    let s00 = 0;
    let s01 = 0;
    let s11 = 0;
    for (let j = 0; j < n; j++) {
      if (!masks.get(j, i)) continue;
      const a = X.get(j, 0);
      const b = X.get(j, 1);
      s00 += a * a;
      s01 += a * b;
      s11 += b * b;
    }
    return [s00, s01, s11];
  });
  let prev = Infinity;
  let used = sweeps;
  for (let sweep = 0; sweep < sweeps; sweep++) {
    for (const b of blocks) {
      contrib(b, F, -1);
      // ⟨r, D_i X ω⟩ = c·t0 + s·t1 with r = y − F (the residual without this block)
      let t0 = 0;
      let t1 = 0;
      for (let j = 0; j < n; j++) {
        if (!masks.get(j, b.i)) continue;
        const rj = y[j] - F[j];
        t0 += rj * X.get(j, 0);
        t1 += rj * X.get(j, 1);
      }
      const [s00, s01, s11] = gram[b.i];
      // value of the best radius along direction t: (e₊)²/aa with e = σ⟨r, D_iXω⟩ − β
      const qv = (c: number, s: number): number => {
        const e = b.sign * (c * t0 + s * t1) - beta;
        const aa = c * c * s00 + 2 * c * s * s01 + s * s * s11;
        return e <= 0 || aa === 0 ? 0 : (e * e) / aa;
      };
      let bk = 0;
      let bq = -1;
      for (let k = 0; k <= K; k++) {
        const v = qv(b.cos[k], b.sin[k]);
        if (v > bq) {
          bq = v;
          bk = k;
        }
      }
      const h = (b.hi - b.lo) / K;
      let a = Math.max(b.lo, b.lo + (bk - 1) * h);
      let c = Math.min(b.hi, b.lo + (bk + 1) * h);
      const gr = (Math.sqrt(5) - 1) / 2;
      for (let k = 0; k < 100 && c - a > 1e-13; k++) {
        const t1 = c - gr * (c - a);
        const t2 = a + gr * (c - a);
        if (qv(Math.cos(t1), Math.sin(t1)) >= qv(Math.cos(t2), Math.sin(t2))) c = t2;
        else a = t1;
      }
      const t = (a + c) / 2;
      const ct = Math.cos(t);
      const st = Math.sin(t);
      const e = b.sign * (ct * t0 + st * t1) - beta;
      const aa = ct * ct * s00 + 2 * ct * st * s01 + st * st * s11;
      b.v = e > 0 && aa > 0 ? [(e / aa) * ct, (e / aa) * st] : [0, 0];
      contrib(b, F, 1);
    }
    const obj = objective();
    if (prev - obj <= 1e-15 * Math.abs(obj)) {
      used = sweep + 1;
      break;
    }
    prev = obj;
  }
  return { value: objective(), blocks: blocks.map((b) => ({ i: b.i, sign: b.sign, v: b.v })), sweeps: used };
}

/**
 * Full-batch Adam on the non-convex two-layer ReLU objective ½‖Σ_j (X u_j)_+ α_j − y‖² +
 * (β/2)Σ(‖u_j‖² + α_j²) from a random start (written here, independent of the solvers).
 */
export function adamRelu(X: Matrix<Float64Array>, y: Float64Array, beta: number, m: number, seed: number, iters = 4000, lr = 0.01): number {
  return adamReluRun(X, y, beta, m, seed, iters, lr).best;
}

/**
 * {@link adamRelu} returning the final parameters too: `U` (d×m, neuron k in column k), `alpha`
 * (m), the final objective `value` and the best objective seen `best`. With `decay`, the step size
 * shrinks as lr/√(1 + t/100), so the run settles at a (near) stationary point.
 */
export function adamReluRun(
  X: Matrix<Float64Array>,
  y: Float64Array,
  beta: number,
  m: number,
  seed: number,
  iters = 4000,
  lr = 0.01,
  decay = false,
): { best: number; value: number; U: Matrix<Float64Array>; alpha: Float64Array } {
  const rng = new Rng(seed);
  const n = X.rows;
  const d = X.cols;
  const th = rng.normalArray(m * d + m).map((v) => 0.5 * v);
  const mo = new Float64Array(th.length);
  const ve = new Float64Array(th.length);
  const g = new Float64Array(th.length);
  const obj = (grad: Float64Array | null) => {
    const f = new Float64Array(n);
    const pre = new Float64Array(n * m);
    for (let j = 0; j < n; j++) {
      for (let k = 0; k < m; k++) {
        let z = 0;
        for (let l = 0; l < d; l++) z += X.get(j, l) * th[k * d + l];
        pre[j * m + k] = z;
        f[j] += Math.max(0, z) * th[m * d + k];
      }
    }
    let v = 0;
    for (let j = 0; j < n; j++) v += 0.5 * (f[j] - y[j]) ** 2;
    for (const t of th) v += 0.5 * beta * t * t;
    if (grad) {
      for (let q = 0; q < th.length; q++) grad[q] = beta * th[q];
      for (let j = 0; j < n; j++) {
        const rj = f[j] - y[j];
        for (let k = 0; k < m; k++) {
          const z = pre[j * m + k];
          if (z <= 0) continue;
          grad[m * d + k] += rj * z;
          for (let l = 0; l < d; l++) grad[k * d + l] += rj * th[m * d + k] * X.get(j, l);
        }
      }
    }
    return v;
  };
  let best = Infinity;
  for (let t = 1; t <= iters; t++) {
    best = Math.min(best, obj(g));
    for (let q = 0; q < th.length; q++) {
      mo[q] = 0.9 * mo[q] + 0.1 * g[q];
      ve[q] = 0.999 * ve[q] + 0.001 * g[q] * g[q];
      th[q] -= ((decay ? lr / Math.sqrt(1 + t / 100) : lr) * (mo[q] / (1 - 0.9 ** t))) / (Math.sqrt(ve[q] / (1 - 0.999 ** t)) + 1e-10);
    }
  }
  const value = obj(null);
  const U = Matrix.zeros(d, m);
  for (let k = 0; k < m; k++) for (let l = 0; l < d; l++) U.set(l, k, th[k * d + l]);
  return { best: Math.min(best, value), value, U, alpha: th.slice(m * d) };
}
