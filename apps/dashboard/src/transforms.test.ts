import { describe, expect, it } from 'vitest';
import type { Run } from './format';
import { alignCurves, bounds2d, clipLine, compareSeries, diverging, flatten, fmtNum, groupNormSummary, historySeries, mergeClose, summaryRows, viewsFor } from './transforms';

describe('historySeries', () => {
  it('sorts by the axis and drops values a log axis cannot show', () => {
    const h = [
      { iteration: 20, timeSeconds: 0.1, objective: 2, certificate: 0 },
      { iteration: 10, timeSeconds: 0.3, objective: -1, certificate: 1e-3 },
      { iteration: 0, timeSeconds: 0.2, objective: null, certificate: 0.5 },
    ];
    const it = historySeries(h, 'iteration');
    expect(it.x).toEqual([0, 10, 20]);
    expect(it.ys).toEqual([
      [null, null, 2],
      [0.5, 1e-3, null],
    ]);
    expect(historySeries(h, 'time').x).toEqual([0.1, 0.2, 0.3]);
  });
});

describe('alignCurves', () => {
  it('puts each curve’s points at their x in the union, null elsewhere', () => {
    const a = alignCurves([
      { label: 'a', points: [[0, 1], [2, 3]] },
      { label: 'b', points: [[1, 5], [2, 7], [3, 9]] },
    ]);
    expect(a.x).toEqual([0, 1, 2, 3]);
    expect(a.ys).toEqual([
      [1, null, 3, null],
      [null, 5, 7, 9],
    ]);
    // brute-force check: every input point is found again at its x
    for (const [k, c] of [[[0, 1], [2, 3]], [[1, 5], [2, 7], [3, 9]]].entries()) for (const [x, y] of c) expect(a.ys[k][a.x.indexOf(x)]).toBe(y);
  });

  it('compareSeries subtracts the reference with gapTo and keeps only positive gaps', () => {
    const curves = [
      { method: 'convex', points: [{ iteration: 0, timeSeconds: 0, objective: 5 }, { iteration: 1, timeSeconds: 1, objective: 2 }] },
      { method: 'sgd', points: [{ iteration: 0, timeSeconds: 0.5, objective: 2.5 }] },
    ];
    const s = compareSeries(curves, 'time', 2);
    expect(s.labels).toEqual(['convex', 'sgd']);
    expect(s.x).toEqual([0, 0.5, 1]);
    expect(s.ys[0]).toEqual([3, null, null]); // 2 − 2 = 0 is not drawable on a log axis
    expect(s.ys[1]).toEqual([null, 0.5, null]);
  });
});

describe('groupNormSummary', () => {
  it('sorts descending and counts the norms above the relative threshold (brute force)', () => {
    const norms = [0.5, 0, 3, null, 1e-9, 2];
    const g = groupNormSummary(norms, 1e-6);
    expect(g.sorted.slice(0, 5)).toEqual([3, 2, 0.5, 1e-9, 0]);
    expect(g.index.slice(0, 3)).toEqual([2, 5, 0]);
    const brute = norms.filter((v) => v !== null && v > 1e-6 * 3 && v > 0).length;
    expect(g.active).toBe(brute);
  });
});

describe('clipLine', () => {
  const box: [number, number, number, number] = [-1, 2, -3, 1];
  const inside = ([x, y]: [number, number]) => x >= box[0] - 1e-9 && x <= box[1] + 1e-9 && y >= box[2] - 1e-9 && y <= box[3] + 1e-9;

  it('returns the chord of the box: endpoints on the line and the boundary, matching a dense scan', () => {
    const lines = [
      [1, 0, -0.5],
      [0, 1, 0.2],
      [1, 1, 0],
      [2, -1, 0.3],
      [-0.3, 1, 2.5],
      [1, 3, -1],
    ];
    for (const [a, b, c] of lines) {
      const seg = clipLine(a, b, c, box);
      expect(seg).not.toBeNull();
      for (const p of seg!) {
        expect(Math.abs(a * p[0] + b * p[1] + c)).toBeLessThan(1e-12);
        expect(inside(p)).toBe(true);
      }
      // dense scan along the line: the extreme points inside the box are the chord's ends
      const n = Math.hypot(a, b);
      const p0 = [(-a * c) / n ** 2, (-b * c) / n ** 2];
      const dir = [-b / n, a / n];
      let tmin = Infinity;
      let tmax = -Infinity;
      for (let t = -20; t <= 20; t += 1e-4) {
        if (inside([p0[0] + t * dir[0], p0[1] + t * dir[1]])) ((tmin = Math.min(tmin, t)), (tmax = Math.max(tmax, t)));
      }
      const len = Math.hypot(seg![0][0] - seg![1][0], seg![0][1] - seg![1][1]);
      expect(len).toBeCloseTo(tmax - tmin, 3);
    }
  });

  it('is null for a line that misses the box and for a = b = 0', () => {
    expect(clipLine(1, 0, -5, box)).toBeNull(); // x = 5
    expect(clipLine(0, 0, 1, box)).toBeNull();
  });
});

describe('mergeClose', () => {
  it('merges near-duplicates and counts them', () => {
    expect(mergeClose([1 + 1e-12, 0, 1, 2, NaN])).toEqual([
      { value: 0, count: 1 },
      { value: 1, count: 2 },
      { value: 2, count: 1 },
    ]);
    expect(mergeClose([])).toEqual([]);
  });
});

describe('small helpers', () => {
  it('bounds2d pads the bounding box', () => {
    expect(bounds2d([[0, 0], [10, 2]], 0.1)).toEqual([-1, 11, -0.2, 2.2]);
    expect(bounds2d([])).toEqual([-1, 1, -1, 1]);
  });

  it('diverging is white at the midpoint and saturated at the ends', () => {
    expect(diverging(0, -1, 1)).toEqual([255, 255, 255]);
    expect(diverging(1, -1, 1)).toEqual([178, 24, 43]);
    expect(diverging(-1, -1, 1)).toEqual([33, 102, 172]);
    expect(diverging(5, -1, 1)).toEqual([178, 24, 43]);
  });

  it('flatten walks nested objects', () => {
    expect(flatten({ a: { b: 1, c: { d: 'x' } }, e: [1, 2], f: undefined, g: null })).toEqual([
      ['a.b', '1'],
      ['a.c.d', 'x'],
      ['e', '[1,2]'],
      ['g', 'null'],
    ]);
  });

  it('fmtNum keeps 10 significant digits and parses back within 1e-9', () => {
    for (const v of [15.573886744456887, 0.0012345678912, 123456.7891234, 8.396164589574181e-7, 3.2e9, -2.5]) {
      expect(Number(fmtNum(v))).toBeCloseRel(v, v > 1e6 || Math.abs(v) < 1e-3 ? 1e-5 : 1e-9);
    }
    expect(fmtNum(null)).toBe('—');
    expect(fmtNum(0)).toBe('0');
  });
});

describe('views and summary', () => {
  const base = { cvxnnRun: 1, kind: 'fit', createdAt: '', options: {}, environment: {}, data: {} } as Run;

  it('offers a view only when its data are present', () => {
    expect(viewsFor(base)).toEqual(['overview', 'options']);
    expect(viewsFor({ ...base, history: [{ iteration: 0, timeSeconds: 0, objective: 1, certificate: 1 }], eigenvalues: [1], fit1d: { x: [], y: [], breakpoints: [], grid: [], prediction: [] } })).toEqual([
      'overview',
      'convergence',
      'fit1d',
      'eigenvalues',
      'options',
    ]);
  });

  it('summaryRows reads the compare run’s convex entry and methods', () => {
    const rows = summaryRows({ ...base, kind: 'compare', convex: { objective: 4, certificate: { value: 1e-7 }, status: 'optimal' }, methods: [{ method: 'sgd', objective: 5, gap: 1 }] });
    expect(rows.map((r) => [r[0], r[1]])).toEqual([
      ['convex objective', 4],
      ['convex certificate', 1e-7],
      ['convex status', 'optimal'],
      ['sgd objective', 5],
      ['sgd gap to convex', 1],
    ]);
  });
});
