import { type Backend, getBackend, Matrix } from '@cvxnn/linalg';
import type { Loss } from './loss.js';
import { halfSquaredWeights, type TwoLayerNetwork } from './network.js';
import type { NetworkGradient } from './objective.js';

// Internal to @cvxnn/networks (not re-exported from the index).

/** A contiguous copy of a matrix (or the matrix itself when it already is one). */
export function contiguous(M: Matrix<Float64Array>): Matrix<Float64Array> {
  return M.isContiguous && M.offset === 0 ? M : M.clone();
}

/**
 * Scratch buffers and the fused forward/backward pass of a two-layer network on a block of
 * rows. Internal to the package (used by `objectiveAndGradient` and the trainers); every product
 * with the data runs on the backend's `gemm`.
 */
export class Backprop {
  private readonly Z: Matrix<Float64Array>;
  private readonly F: Matrix<Float64Array>;
  private readonly GF: Matrix<Float64Array>;
  private readonly GH: Matrix<Float64Array>;

  constructor(
    readonly rows: number,
    readonly m: number,
    readonly c: number,
    readonly backend: Backend = getBackend(),
  ) {
    this.Z = Matrix.zeros(rows, m);
    this.F = Matrix.zeros(rows, c);
    this.GF = Matrix.zeros(rows, c);
    this.GH = Matrix.zeros(rows, m);
  }

  /**
   * Outputs on the rows of `Xt` (the first-layer input, already with the 1-column when
   * appendOne). `gate` (rows×m, 0/1) is the fixed gating of a gated-relu network, null for relu.
   * Leaves the hidden activations in `this.Z`.
   */
  outputs(net: TwoLayerNetwork, Xt: Matrix<Float64Array>, gate: Uint8Array | null): Matrix<Float64Array> {
    const be = this.backend;
    const { m, c } = this;
    const n = Xt.rows;
    be.gemm(Xt, net.W1, { out: this.Z });
    const z = this.Z.data;
    const b1 = net.b1;
    for (let i = 0; i < n; i++) {
      const o = i * m;
      for (let j = 0; j < m; j++) {
        const v = b1 ? z[o + j] + b1[j] : z[o + j];
        z[o + j] = gate ? (gate[o + j] ? v : 0) : v > 0 ? v : 0;
      }
    }
    be.gemm(this.Z, net.W2, { out: this.F });
    if (net.b2) {
      const f = this.F.data;
      for (let i = 0; i < n; i++) for (let k = 0; k < c; k++) f[i * c + k] += net.b2[k];
    }
    return this.F;
  }

  /**
   * Value of `dataWeight·ℓ(f(Xt), Yt) + λ·halfSquaredWeights` and its gradient written into `g`.
   * ReLU'(0) is taken as 0 (a valid Clarke subgradient).
   */
  valueAndGrad(
    net: TwoLayerNetwork,
    Xt: Matrix<Float64Array>,
    Yt: Matrix<Float64Array>,
    gate: Uint8Array | null,
    loss: Loss,
    dataWeight: number,
    lambda: number,
    g: NetworkGradient,
  ): number {
    const be = this.backend;
    const { m, c } = this;
    const n = Xt.rows;
    const F = this.outputs(net, Xt, gate);
    const data = loss.valueAndGrad(F, Yt, this.GF);
    const gf = this.GF.data;
    if (dataWeight !== 1) for (let i = 0; i < gf.length; i++) gf[i] *= dataWeight;
    // ∂/∂W2 = Hᵀ G_F + λ W2
    be.gemm(this.Z, this.GF, { transA: true, out: g.W2 });
    const w2 = net.W2.data;
    const gw2 = g.W2.data;
    for (let i = 0; i < gw2.length; i++) gw2[i] += lambda * w2[i];
    if (g.b2) {
      g.b2.fill(0);
      for (let i = 0; i < n; i++) for (let k = 0; k < c; k++) g.b2[k] += gf[i * c + k];
    }
    // G_Z = (G_F W2ᵀ) ∘ σ'(Z)
    be.gemm(this.GF, net.W2, { transB: true, out: this.GH });
    const gh = this.GH.data;
    const h = this.Z.data;
    for (let i = 0; i < n * m; i++) {
      if (gate ? !gate[i] : !(h[i] > 0)) gh[i] = 0;
    }
    // ∂/∂W1 = X̃ᵀ G_Z + λ W1
    be.gemm(Xt, this.GH, { transA: true, out: g.W1 });
    const w1 = net.W1.data;
    const gw1 = g.W1.data;
    for (let i = 0; i < gw1.length; i++) gw1[i] += lambda * w1[i];
    if (g.b1) {
      g.b1.fill(0);
      for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) g.b1[j] += gh[i * m + j];
    }
    return dataWeight * data + lambda * halfSquaredWeights(net);
  }
}

/** A network whose weight matrices are contiguous, so flat loops over `.data` are valid. */
export function contiguousNetwork(net: TwoLayerNetwork): TwoLayerNetwork {
  if (net.W1.isContiguous && net.W1.offset === 0 && net.W2.isContiguous && net.W2.offset === 0) return net;
  return { ...net, W1: contiguous(net.W1), W2: contiguous(net.W2) };
}

