/**
 * RedEx layer solvers: iterations and time versus d and k.
 *
 * Problem: planted quadratic y_t = (x_tᵀA_i* x_t)_i + 0.1·noise, x ~ N(0, I_d), N = 3d samples,
 * A_i* of rank 2; λ₁ = 0.05·N. For k = 1 (no width) the prox solver (FISTA + eigenvalue
 * soft-thresholding) and the SDP splitting solver (ADMM over the PSD cones) solve the same
 * problem in the same run (the baseline); for k > 1 the SDP splitting solver with width τ = ½Σ‖A_i*‖_Tr.
 * Both stop at a relative duality gap of 1e-6. Where N(N+1)/2 + N ≤ 2000 the general `solveSdp` also
 * solves the k = 1 problem in its Schur-complement form (tol 1e-7 on residuals and gap).
 *
 *   pnpm -s --filter @cvxnn/sdp bench > bench/results/sdp-redex.json
 */
import { emit } from '@cvxnn/bench-harness';
import { Matrix, Rng, qr } from '@cvxnn/linalg';
import { fitRedexLayer, quadForms, solveSdp, traceNormAsSdp, traceNormRegression } from '../src/index.js';

const dims = (process.env.SDP_BENCH_D ?? '5,10,20,50,100').split(',').map(Number);
const ks = (process.env.SDP_BENCH_K ?? '1,2,4').split(',').map(Number);
const timeLimit = Number(process.env.SDP_BENCH_TIME_LIMIT ?? 60);

function planted(rng: Rng, d: number): Matrix {
  const Q = qr(Matrix.fromArray(d, d, rng.normalArray(d * d))).Q;
  const A = Matrix.zeros(d, d);
  const l = [1, -0.5];
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) A.set(i, j, l[0] * Q.get(i, 0) * Q.get(j, 0) + l[1] * Q.get(i, 1) * Q.get(j, 1));
  return A;
}

const results: unknown[] = [];
for (const d of dims) {
  const rng = new Rng(1000 + d);
  const N = Math.max(30, 3 * d);
  const X = Matrix.fromArray(N, d, rng.normalArray(N * d));
  const kmax = Math.max(...ks);
  const As = Array.from({ length: kmax }, () => planted(rng, d));
  const Yall = Matrix.zeros(N, kmax);
  As.forEach((A, i) => {
    const f = quadForms(X, A);
    for (let t = 0; t < N; t++) Yall.set(t, i, f[t] + 0.1 * rng.normal());
  });
  const lambda1 = 0.05 * N;
  for (const k of ks) {
    const Y = Matrix.zeros(N, k);
    for (let t = 0; t < N; t++) for (let i = 0; i < k; i++) Y.set(t, i, Yall.get(t, i));
    const solvers: Array<'prox' | 'admm'> = k === 1 ? ['prox', 'admm'] : ['admm'];
    for (const solver of solvers) {
      const width = k === 1 ? undefined : 0.5 * 1.5 * k;
      const res = fitRedexLayer(X, Y, { lambda1, width, solver, tol: 1e-6, timeLimit });
      const row = {
        name: `redex-layer d=${d} k=${k} ${solver === 'admm' ? 'sdp' : 'prox'}`,
        d,
        k,
        N,
        solver: solver === 'admm' ? 'sdp (ADMM)' : 'prox (FISTA)',
        width: width ?? null,
        status: res.status,
        iterations: res.iterations,
        seconds: res.timeSeconds,
        msPerIteration: (1000 * res.timeSeconds) / res.iterations,
        objective: res.objective,
        relativeGap: res.certificate.value / Math.max(1, Math.abs(res.objective)),
        rank: res.rank,
      };
      process.stderr.write(`${row.name}: ${row.status} ${row.iterations} it ${row.seconds.toFixed(3)} s gap ${row.relativeGap.toExponential(1)}\n`);
      results.push(row);
    }
    if (k === 1 && (N * (N + 1)) / 2 + N <= 2000) {
      // the general solver on the Schur-complement form of the same k = 1 problem
      const { problem } = traceNormAsSdp(X, Array.from({ length: N }, (_, t) => Y.get(t, 0)), lambda1);
      const t0 = performance.now();
      const res = solveSdp(problem, { tol: 1e-7, timeLimit });
      const seconds = (performance.now() - t0) / 1000;
      const ref = traceNormRegression(X, Array.from({ length: N }, (_, t) => Y.get(t, 0)), { lambda1, tol: 1e-10 }).objective;
      const row = {
        name: `redex-layer d=${d} k=1 general-sdp`,
        d,
        k,
        N,
        solver: 'solveSdp (Schur form)',
        width: null,
        status: res.status,
        iterations: res.iterations,
        seconds,
        msPerIteration: (1000 * seconds) / res.iterations,
        objective: res.objective,
        relativeGap: res.gap,
        objectiveVsProx: Math.abs(res.objective - ref) / Math.abs(ref),
        constraints: problem.constraints.length,
      };
      process.stderr.write(`${row.name}: ${row.status} ${row.iterations} it ${seconds.toFixed(3)} s rel. diff to prox ${row.objectiveVsProx.toExponential(1)}\n`);
      results.push(row);
    }
  }
}
emit('sdp-redex', results, { dims, ks, samples: 'N = max(30, 3d)', lambda1: '0.05·N', tol: 1e-6, timeLimit });
