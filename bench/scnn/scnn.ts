/**
 * Calling the scnn baseline (bench/scnn/run_scnn.py) from a TypeScript benchmark, and
 * evaluating returned weights independently in TypeScript.
 *
 *   const probe = scnnAvailable();
 *   if (!probe.ok) console.error(`skipping the scnn comparison: ${probe.reason}`);
 *   else { writeProblem(dir, makeProblem('P2')); const r = runScnn(dir, 'gated'); }
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CvxnnError, Matrix } from '../../packages/linalg/src/index.js';
import type { GatedProblem } from './problems.js';

/** Absolute path of run_scnn.py. */
export const RUN_SCNN = join(dirname(fileURLToPath(import.meta.url)), 'run_scnn.py');

/**
 * The Python that runs scnn: $CVXNN_PYTHON, else /usr/bin/python3 (Debian's, where
 * python3-torch/numpy/scipy live; `python3` on PATH may be a pyenv shim), else `python3`.
 *
 * @example
 *   spawnSync(scnnPython(), [RUN_SCNN, '--check']);
 */
export function scnnPython(): string {
  return process.env.CVXNN_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
}

/** Which scnn formulation to run: gated ReLU (R-FISTA) or convex ReLU (augmented Lagrangian). */
export type ScnnModel = 'gated' | 'relu';

/** The JSON object run_scnn.py prints (the fields cvxnn's benches use; others are kept). */
export interface ScnnResult {
  tool: 'scnn';
  model: 'gated-relu' | 'relu';
  solver: { name: string; tol: number; [k: string]: unknown };
  /** 1/(2n)‖Σ D_i X u_i − y‖² + λΣ‖u_i‖ (ReLU: λΣ(‖v_i‖+‖w_i‖)), recomputed in numpy */
  objective: number;
  dataTerm: number;
  penalty: number;
  activeNeurons: number;
  /** ReLU only: max_{i,j} (−(2D_i − I) X v_i)_j^+ over v and w */
  constraintViolation?: number;
  /** solve time only (no data loading, no pattern computation), seconds */
  timeSeconds: number;
  setupSeconds: number;
  success: boolean;
  iterations?: number;
  outer_iterations?: number;
  total_inner_iterations?: number;
  patternsUsed: number;
  [key: string]: unknown;
}

/** Result of `scnnAvailable`. */
export type ScnnProbe = { ok: true; python: string; info: Record<string, unknown> } | { ok: false; python: string; reason: string };

/**
 * Check whether scnn can be imported by run_scnn.py (PYTHONPATH, $SCNN_SRC/$LAB_SRC or a local
 * mirror); never throws. A benchmark skips the scnn comparison with `reason` when not ok.
 *
 * @example
 *   const probe = scnnAvailable();
 *   if (!probe.ok) console.error(`scnn comparison skipped: ${probe.reason}`);
 */
export function scnnAvailable(python = scnnPython()): ScnnProbe {
  const r = spawnSync(python, [RUN_SCNN, '--check'], { encoding: 'utf8', timeout: 120_000 });
  if (r.error) return { ok: false, python, reason: `cannot start ${python}: ${r.error.message} (see bench/scnn/README.md)` };
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    const info = JSON.parse(line) as Record<string, unknown>;
    if (r.status === 0 && info.ok === true) return { ok: true, python, info };
    return { ok: false, python, reason: String(info.error ?? `run_scnn.py --check exited ${r.status}`) };
  } catch {
    const err = r.stderr.trim().split('\n').slice(-3).join(' | ');
    return { ok: false, python, reason: `run_scnn.py --check exited ${r.status}: ${err || 'no output'} (see bench/scnn/README.md)` };
  }
}

/** Options of `runScnn`. */
export interface RunScnnOptions {
  python?: string;
  /** BLAS/torch threads for scnn (default 2, the same as the cvxnn run) */
  threads?: number;
  dtype?: 'float64' | 'float32';
  /** write the returned weights here (float64 LE; gated P × d, ReLU V then W) */
  weightsOut?: string;
  /** run under `nice -n 10` (default true) */
  nice?: boolean;
  /** wall-clock limit in ms (default 20 minutes) */
  timeoutMs?: number;
}

/**
 * Run scnn on a problem directory (written by `writeProblem`) and return its JSON result.
 * Throws CvxnnError('INTERNAL') when the run fails or prints no JSON.
 *
 * @example
 *   const r = runScnn('/tmp/p1', 'relu'); // r.objective, r.constraintViolation, r.timeSeconds
 */
export function runScnn(dir: string, model: ScnnModel, opts: RunScnnOptions = {}): ScnnResult {
  if (model !== 'gated' && model !== 'relu') {
    throw new CvxnnError('INVALID_OPTION', `model must be 'gated' or 'relu', got '${String(model)}'`);
  }
  const python = opts.python ?? scnnPython();
  const args = [RUN_SCNN, dir, '--model', model, '--threads', String(opts.threads ?? 2), '--dtype', opts.dtype ?? 'float64'];
  if (opts.weightsOut) args.push('--weights-out', opts.weightsOut);
  const useNice = opts.nice ?? true;
  const [cmd, argv] = useNice && existsSync('/usr/bin/nice') ? ['/usr/bin/nice', ['-n', '10', python, ...args]] : [python, args];
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: opts.timeoutMs ?? 20 * 60_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new CvxnnError('INTERNAL', `scnn run failed to start or timed out: ${r.error.message}`);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new CvxnnError('INTERNAL', `scnn run exited ${r.status} without JSON: ${r.stderr.trim().split('\n').slice(-5).join(' | ')}`);
  }
  if (r.status !== 0 || parsed.error !== undefined) {
    throw new CvxnnError('INTERNAL', `scnn run failed (exit ${r.status}): ${String(parsed.error ?? 'unknown error')}`);
  }
  return parsed as ScnnResult;
}

/**
 * Read weights written by run_scnn.py --weights-out: gated → { U } (P × d), ReLU → { V, W }.
 *
 * @example
 *   const { U } = readScnnWeights('/tmp/u.f64', 'gated', P, d);
 */
export function readScnnWeights(path: string, model: ScnnModel, P: number, d: number): { U?: Matrix; V?: Matrix; W?: Matrix } {
  const buf = readFileSync(path);
  const blocks = model === 'gated' ? 1 : 2;
  if (buf.length !== blocks * P * d * 8) {
    throw new CvxnnError('SHAPE_MISMATCH', `${path} holds ${buf.length} bytes, expected ${blocks}·P·d·8 = ${blocks * P * d * 8}`);
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const all = new Float64Array(blocks * P * d);
  for (let i = 0; i < all.length; i++) all[i] = view.getFloat64(i * 8, true);
  if (model === 'gated') return { U: new Matrix(P, d, all) };
  return { V: new Matrix(P, d, all.slice(0, P * d)), W: new Matrix(P, d, all.slice(P * d)) };
}

/** Objective parts of a convex solution in the 1/(2n) convention. */
export interface Evaluation {
  objective: number;
  dataTerm: number;
  penalty: number;
  /** ReLU only */
  constraintViolation?: number;
}

/**
 * Evaluate weights (rows = patterns, in the order of the gates) on a problem with plain loops:
 * 1/(2n)‖Σ_i D_i X u_i − y‖² + λΣ‖u_i‖, D_i = diag(1[X g_i > 0]); for ReLU pass V and W
 * (u_i = v_i − w_i, penalty λΣ(‖v_i‖ + ‖w_i‖), violation max_{i,j} (−(2D_i − I)X v_i)_j^+ over
 * v and w). Independent of any solver, for cross-checking scnn's and cvxnn's numbers.
 *
 * @example
 *   const e = evaluateWeights(problem, { U }); // e.objective
 */
export function evaluateWeights(problem: GatedProblem, w: { U?: Matrix; V?: Matrix; W?: Matrix }): Evaluation {
  const { n, d, P, X, y, G, lambda } = problem;
  const relu = w.U === undefined;
  const blocks = relu ? [w.V, w.W] : [w.U];
  for (const B of blocks) {
    if (B === undefined || B.rows !== P || B.cols !== d) {
      throw new CvxnnError('SHAPE_MISMATCH', `weights must be P × d = ${P}×${d} (pass U, or V and W)`);
    }
  }
  const pred = new Float64Array(n);
  let penalty = 0;
  let violation = 0;
  const xr = new Float64Array(d);
  const gi = new Float64Array(d);
  const rows = blocks.map(() => new Float64Array(d));
  for (let i = 0; i < P; i++) {
    let zero = true;
    for (let b = 0; b < blocks.length; b++) {
      let s = 0;
      for (let j = 0; j < d; j++) {
        const v = blocks[b]!.get(i, j);
        rows[b][j] = v;
        s += v * v;
      }
      penalty += Math.sqrt(s);
      if (s > 0) zero = false;
    }
    if (zero) continue;
    for (let j = 0; j < d; j++) gi[j] = G.get(j, i);
    for (let r = 0; r < n; r++) {
      const base = X.offset + r * X.stride;
      for (let j = 0; j < d; j++) xr[j] = X.data[base + j];
      let xg = 0;
      for (let j = 0; j < d; j++) xg += xr[j] * gi[j];
      const on = xg > 0;
      const sign = on ? 1 : -1; // (2D_i − I)
      for (let b = 0; b < blocks.length; b++) {
        let xu = 0;
        const row = rows[b];
        for (let j = 0; j < d; j++) xu += xr[j] * row[j];
        if (on) pred[r] += b === 0 ? xu : -xu;
        if (relu) violation = Math.max(violation, -sign * xu);
      }
    }
  }
  let rss = 0;
  for (let r = 0; r < n; r++) rss += (pred[r] - y[r]) ** 2;
  const dataTerm = rss / (2 * n);
  penalty *= lambda;
  const out: Evaluation = { objective: dataTerm + penalty, dataTerm, penalty };
  if (relu) out.constraintViolation = violation;
  return out;
}
