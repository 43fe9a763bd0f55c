import { Matrix, Rng } from '@cvxnn/linalg';
import type { TwoLayerNetwork } from '../src/index.js';

/** A random network with every optional part switched by flags (test fixture). */
export function randomNet(
  rng: Rng,
  d: number,
  m: number,
  c: number,
  o: { kind?: 'relu' | 'gated-relu'; appendOne?: boolean; b1?: boolean; b2?: boolean } = {},
): TwoLayerNetwork {
  const dt = o.appendOne ? d + 1 : d;
  const net: TwoLayerNetwork = {
    kind: o.kind ?? 'relu',
    W1: new Matrix(dt, m, rng.normalArray(dt * m)),
    W2: new Matrix(m, c, rng.normalArray(m * c)),
    appendOne: o.appendOne ?? false,
  };
  if (net.kind === 'gated-relu') net.gates = new Matrix(dt, m, rng.normalArray(dt * m));
  if (o.b1) net.b1 = rng.normalArray(m);
  if (o.b2) net.b2 = rng.normalArray(c);
  return net;
}

/** Huber function H_β(s) of SPEC §2.10 B2, written out independently of the library. */
export function huber(s: number, beta: number): number {
  return s <= beta ? (s * s) / 2 : beta * s - (beta * beta) / 2;
}

/** Plain nested-loop forward pass, the textbook formula (oracle for the gemm-based one). */
export function naiveOutputs(net: TwoLayerNetwork, X: number[][]): number[][] {
  const m = net.W1.cols;
  const c = net.W2.cols;
  return X.map((x0) => {
    const x = net.appendOne ? [...x0, 1] : x0;
    const f = new Array<number>(c).fill(0);
    for (let j = 0; j < m; j++) {
      let z = net.b1 ? net.b1[j] : 0;
      let g = 0;
      for (let k = 0; k < x.length; k++) {
        z += x[k] * net.W1.get(k, j);
        if (net.gates) g += x[k] * net.gates.get(k, j);
      }
      const h = net.kind === 'relu' ? Math.max(z, 0) : g > 0 ? z : 0;
      for (let k = 0; k < c; k++) f[k] += h * net.W2.get(j, k);
    }
    return f.map((v, k) => v + (net.b2 ? net.b2[k] : 0));
  });
}
