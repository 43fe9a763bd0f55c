import { CvxnnError, Matrix, svd } from '@cvxnn/linalg';
import type { TwoLayerNetwork } from '@cvxnn/networks';
import type { ConvexResult } from './types.js';

/**
 * Recover the non-convex two-layer network from a convex solution (SPEC §2.4, §2.7, §2.8):
 * - C-ReLU: each non-zero v_i gives a neuron u = v_i/√‖v_i‖ with output weight +√‖v_i‖, each
 *   non-zero w_i one with −√‖w_i‖ (one-vs-all: the output weight sits in that class's column);
 * - C-GReLU: u_i/√‖u_i‖, output √‖u_i‖, gate g_i;
 * - gated vector output: SVD U_i = Σ σ a bᵀ, neurons √σ a with output row √σ bᵀ, gate g_i;
 *   gated one-vs-all: each non-zero column u_ik its own neuron feeding output k only.
 * With weight decay (λ/2)Σ(‖u‖² + ‖α‖²) the network's objective equals the convex objective.
 * `appendOne` records that X carried the ones column (the bias row is W1's last row).
 *
 * @example
 *   const net = recoverNetwork(result, { appendOne: true });
 *   predict(net, Xraw);
 */
export function recoverNetwork(result: ConvexResult, opts: { appendOne?: boolean } = {}): TwoLayerNetwork {
  const appendOne = opts.appendOne ?? false;
  const cols1: Float64Array[] = [];
  const rows2: Float64Array[] = [];
  const gateCols: Float64Array[] = [];
  const P = result.patterns;
  if (result.formulation === 'relu' || result.formulation === 'relu-one-vs-all') {
    const { V, W } = result.solution;
    if (!V || !W) throw new CvxnnError('INTERNAL', 'a convex ReLU result must carry V and W');
    const d = V.rows;
    const c = V.cols / P;
    for (const [M, sign] of [
      [V, 1],
      [W, -1],
    ] as const) {
      for (let i = 0; i < P; i++) {
        for (let k = 0; k < c; k++) {
          const col = i * c + k;
          let nrm = 0;
          for (let r = 0; r < d; r++) nrm += M.data[r * M.cols + col] ** 2;
          nrm = Math.sqrt(nrm);
          if (nrm === 0) continue;
          const sq = Math.sqrt(nrm);
          const u = new Float64Array(d);
          for (let r = 0; r < d; r++) u[r] = M.data[r * M.cols + col] / sq;
          const a = new Float64Array(c);
          a[k] = sign * sq;
          cols1.push(u);
          rows2.push(a);
        }
      }
    }
    return assemble('relu', cols1, rows2, null, d, c, appendOne);
  }
  const U = result.solution.U;
  if (!U) throw new CvxnnError('INTERNAL', 'a gated result must carry U');
  const d = U.rows;
  const c = U.cols / P;
  const G = result.gates;
  if (!G) {
    throw new CvxnnError('INVALID_OPTION', 'recovering a gated ReLU network needs the gate vectors g_i of the patterns; pass patterns with gates (sampled gates, or the witnesses of enumerated patterns)');
  }
  const B = Matrix.zeros(d, c);
  for (let i = 0; i < P; i++) {
    let any = false;
    for (let r = 0; r < d; r++) {
      for (let k = 0; k < c; k++) {
        const v = U.data[r * U.cols + i * c + k];
        B.data[r * c + k] = v;
        if (v !== 0) any = true;
      }
    }
    if (!any) continue;
    const g = G.colCopy(i);
    if (c === 1) {
      let nrm = 0;
      for (const v of B.data) nrm += v * v;
      const sq = Math.sqrt(Math.sqrt(nrm));
      cols1.push(B.data.map((v) => v / sq));
      rows2.push(Float64Array.of(sq));
      gateCols.push(g);
      continue;
    }
    if (result.formulation === 'gated-relu-one-vs-all') {
      // each column of the block is its own neuron feeding output k only
      for (let k = 0; k < c; k++) {
        let nrm = 0;
        for (let r = 0; r < d; r++) nrm += B.data[r * c + k] ** 2;
        if (nrm === 0) continue;
        const sq = Math.sqrt(Math.sqrt(nrm));
        const u = new Float64Array(d);
        for (let r = 0; r < d; r++) u[r] = B.data[r * c + k] / sq;
        const a = new Float64Array(c);
        a[k] = sq;
        cols1.push(u);
        rows2.push(a);
        gateCols.push(g);
      }
      continue;
    }
    const { U: Ua, s, V: Vb } = svd(B);
    for (let l = 0; l < s.length; l++) {
      if (!(s[l] > 1e-14 * s[0])) continue;
      const sq = Math.sqrt(s[l]);
      const u = new Float64Array(d);
      for (let r = 0; r < d; r++) u[r] = sq * Ua.get(r, l);
      const a = new Float64Array(c);
      for (let k = 0; k < c; k++) a[k] = sq * Vb.get(k, l);
      cols1.push(u);
      rows2.push(a);
      gateCols.push(g);
    }
  }
  return assemble('gated-relu', cols1, rows2, gateCols, d, c, appendOne);
}

function assemble(kind: 'relu' | 'gated-relu', cols1: Float64Array[], rows2: Float64Array[], gates: Float64Array[] | null, d: number, c: number, appendOne: boolean): TwoLayerNetwork {
  const m = cols1.length;
  const W1 = Matrix.zeros(d, m);
  const W2 = Matrix.zeros(m, c);
  const Gm = gates ? Matrix.zeros(d, m) : undefined;
  for (let j = 0; j < m; j++) {
    for (let r = 0; r < d; r++) W1.data[r * m + j] = cols1[j][r];
    W2.data.set(rows2[j], j * c);
    if (Gm && gates) for (let r = 0; r < d; r++) Gm.data[r * m + j] = gates[j][r];
  }
  const net: TwoLayerNetwork = { kind, W1, W2, appendOne };
  if (Gm) net.gates = Gm;
  return net;
}
