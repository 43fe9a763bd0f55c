import { CvxnnError, Matrix } from '@cvxnn/linalg';
import { describe, expect, it } from 'vitest';
import { fitRedexLayer, fitRedexNetwork, nuclearNormRegression, redexAdmm, redexNorm, redexRegularizer, solveSdp, traceNormRegression } from '../src/index.js';

const X = Matrix.from([[1, 0], [0, 1], [1, 1], [1, -1]]);
const y = [1, 2, 3, 0];

/** a CvxnnError INVALID_OPTION whose message is (or matches) `message` */
const invalid = (message: unknown) => expect.objectContaining({ code: 'INVALID_OPTION', message });

describe('option keys and types of the public calls', () => {
  it('regressions', () => {
    expect(() => traceNormRegression(X, y, { lambda1: 1, maxIters: 10 } as never)).toThrow(invalid("traceNormRegression: unknown option 'maxIters' (did you mean 'maxIterations'?); known options: lambda1, lambda2, tol, maxIterations, warmStart, timeLimit"));
    expect(() => traceNormRegression(X, y, { lambda1: '1' } as never)).toThrow(invalid("traceNormRegression: option 'lambda1' must be a number, got string '1'"));
    expect(() => nuclearNormRegression(X, y, { lambda: 1 } as never)).toThrow(invalid(expect.stringContaining("nuclearNormRegression: unknown option 'lambda'")));
    expect(() => nuclearNormRegression([[1]] as never, y, { lambda1: 1 })).toThrow(invalid(expect.stringMatching(/^nuclearNormRegression: X must be a Matrix/)));
  });
  it('RedEx layers and networks', () => {
    expect(() => fitRedexLayer(X, y, { lambda1: 1, solver: 'sdp' } as never)).toThrow(invalid("fitRedexLayer: option 'solver' must be 'auto' or 'prox' or 'admm', got string 'sdp'"));
    expect(() => redexAdmm(X, y, { lambda1: 1, rh: 2 } as never)).toThrow(invalid(expect.stringContaining("redexAdmm: unknown option 'rh'")));
    expect(() => fitRedexNetwork([{ X, y }], { lambda1: 1, layers: 2 } as never)).toThrow(invalid(expect.stringContaining("fitRedexNetwork: unknown option 'layers'")));
    expect(() => fitRedexNetwork([{ X, y }], { lambda1: 1, layerOptions: [{ tolerance: 1 }] } as never)).toThrow(invalid(expect.stringContaining("fitRedexNetwork: layerOptions[0]: unknown option 'tolerance'")));
    const A = [Matrix.from([[1, 2], [2, 1]])];
    expect(() => redexNorm(A, { tolerance: 1e-6 } as never)).toThrow(invalid(expect.stringContaining("redexNorm: unknown option 'tolerance'")));
    expect(() => redexRegularizer(A, 1, 0, { lambda1: 2 } as never)).toThrow(invalid(expect.stringContaining("redexRegularizer: unknown option 'lambda1'")));
    expect(() => solveSdp({ blocks: [], C: [], constraints: [] }, { maxIter: 5 } as never)).toThrow(invalid(expect.stringContaining("solveSdp: unknown option 'maxIter' (did you mean 'maxIterations'?)")));
  });
  it('a network’s own options still reach its layers: ‖[[1,2],[2,1]]‖_Rx = 4 (SPEC X8), and a one-layer network fits', () => {
    expect(redexNorm([Matrix.from([[1, 2], [2, 1]])]).value).toBeCloseRel(4, 1e-6);
    const r = fitRedexNetwork([{ X, y }], { lambda1: 0.1, appendOne: true, outputs: [1], tol: 1e-8 });
    expect(r.results[0].status).toBe('optimal');
  });
});
