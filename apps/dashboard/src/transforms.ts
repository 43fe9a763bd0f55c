/**
 * Pure data transforms from a run to what the views draw (no DOM here; unit-tested).
 */
import type { CurvePoint, HistoryPoint, Run } from './format';

/** x values and one y array per series, aligned (uPlot's data layout); null = no point. */
export interface Aligned {
  x: number[];
  ys: Array<Array<number | null>>;
  labels: string[];
}

/**
 * A value usable on a log axis (finite and > 0), else null.
 *
 * @example
 *   logSafe(0); // null
 */
export const logSafe = (v: number | null | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null);

/**
 * Objective and certificate of `history` against iterations or seconds, log-safe.
 *
 * @example
 *   historySeries(run.history, 'iteration').ys[0]; // objectives
 */
export function historySeries(history: HistoryPoint[], axis: 'iteration' | 'time'): Aligned {
  const pts = [...history].sort((a, b) => (axis === 'time' ? a.timeSeconds - b.timeSeconds : a.iteration - b.iteration));
  return {
    x: pts.map((h) => (axis === 'time' ? h.timeSeconds : h.iteration)),
    ys: [pts.map((h) => logSafe(h.objective)), pts.map((h) => logSafe(h.certificate))],
    labels: ['objective', 'certificate'],
  };
}

/**
 * Several curves on one x axis: the sorted union of their x values, each curve null where it has
 * no point (drawn with spanGaps). `transform` maps a y value (e.g. to the gap above a reference).
 *
 * @example
 *   alignCurves([{ label: 'sgd', points: [[0, 3], [1, 2]] }, { label: 'adam', points: [[0.5, 1]] }]).x; // [0, 0.5, 1]
 */
export function alignCurves(curves: Array<{ label: string; points: Array<[number, number | null]> }>, transform: (y: number | null) => number | null = logSafe): Aligned {
  const xs = new Set<number>();
  for (const c of curves) for (const [x] of c.points) xs.add(x);
  const x = [...xs].sort((a, b) => a - b);
  const index = new Map(x.map((v, i) => [v, i]));
  const ys = curves.map((c) => {
    const y: Array<number | null> = new Array(x.length).fill(null);
    for (const [px, py] of c.points) y[index.get(px) as number] = transform(py);
    return y;
  });
  return { x, ys, labels: curves.map((c) => c.label) };
}

/**
 * The `compare` curves (convex, SGD, Adam) as aligned series against seconds or iterations.
 * With `gapTo`, each value becomes objective − gapTo (the excess over the convex optimum).
 *
 * @example
 *   compareSeries(run.curves, 'time').labels; // ['convex', 'sgd', 'adam']
 */
export function compareSeries(curves: Array<{ method: string; points: CurvePoint[] }>, axis: 'iteration' | 'time', gapTo?: number): Aligned {
  const tf = gapTo === undefined ? logSafe : (y: number | null) => (y === null ? null : logSafe(y - gapTo));
  return alignCurves(
    curves.map((c) => ({ label: c.method, points: c.points.map((p): [number, number | null] => [axis === 'time' ? p.timeSeconds : p.iteration, p.objective]) })),
    tf,
  );
}

/**
 * Group norms sorted from largest to smallest with their pattern index, and how many exceed
 * `rel` × the largest (the active neurons at that threshold).
 *
 * @example
 *   groupNormSummary([0, 2, 1]); // { sorted: [2, 1, 0], index: [1, 2, 0], active: 2 }
 */
export function groupNormSummary(norms: Array<number | null>, rel = 1e-6): { sorted: number[]; index: number[]; active: number } {
  const idx = norms.map((_, i) => i).sort((a, b) => (norms[b] ?? -Infinity) - (norms[a] ?? -Infinity));
  const sorted = idx.map((i) => norms[i] ?? NaN);
  const max = Math.max(0, ...sorted.filter(Number.isFinite));
  return { sorted, index: idx, active: sorted.filter((v) => Number.isFinite(v) && v > rel * max && v > 0).length };
}

/**
 * The segment of the line a·x + b·y + c = 0 inside the box [x0, x1] × [y0, y1], or null when the
 * line misses it (or a = b = 0).
 *
 * @example
 *   clipLine(1, 0, 0, [-1, 1, -1, 1]); // [[0, -1], [0, 1]]
 */
export function clipLine(a: number, b: number, c: number, box: [number, number, number, number]): [[number, number], [number, number]] | null {
  const [x0, x1, y0, y1] = box;
  if (a === 0 && b === 0) return null;
  const eps = 1e-12 * Math.max(1, Math.abs(x1 - x0), Math.abs(y1 - y0));
  const pts: Array<[number, number]> = [];
  const add = (x: number, y: number) => {
    if (x < x0 - eps || x > x1 + eps || y < y0 - eps || y > y1 + eps) return;
    if (pts.some(([px, py]) => Math.abs(px - x) <= eps && Math.abs(py - y) <= eps)) return;
    pts.push([x, y]);
  };
  if (b !== 0) for (const x of [x0, x1]) add(x, -(a * x + c) / b);
  if (a !== 0) for (const y of [y0, y1]) add(-(b * y + c) / a, y);
  if (pts.length < 2) return null;
  // the two farthest apart (a line through a corner can yield duplicates within eps)
  let best: [[number, number], [number, number]] = [pts[0], pts[1]];
  let bd = -1;
  for (let i = 0; i < pts.length; i++)
    for (let j = i + 1; j < pts.length; j++) {
      const dd = (pts[i][0] - pts[j][0]) ** 2 + (pts[i][1] - pts[j][1]) ** 2;
      if (dd > bd) {
        bd = dd;
        best = [pts[i], pts[j]];
      }
    }
  return bd > 0 ? best : null;
}

/**
 * Sorted values with near-duplicates (within `tol` relative to the spread) merged, each with its
 * multiplicity — e.g. breakpoints shared by several recovered neurons.
 *
 * @example
 *   mergeClose([0, 1, 1 + 1e-12]); // [{ value: 0, count: 1 }, { value: 1, count: 2 }]
 */
export function mergeClose(values: number[], tol = 1e-9): Array<{ value: number; count: number }> {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return [];
  const scale = Math.max(1, v[v.length - 1] - v[0]);
  const out: Array<{ value: number; count: number }> = [];
  for (const x of v) {
    const last = out[out.length - 1];
    if (last && x - last.value <= tol * scale) last.count++;
    else out.push({ value: x, count: 1 });
  }
  return out;
}

/**
 * Bounding box [x0, x1, y0, y1] of 2-D points, padded by `pad` × the span (1 when flat).
 *
 * @example
 *   bounds2d([[0, 0], [10, 2]], 0.1); // [-1, 11, -0.2, 2.2]
 */
export function bounds2d(points: number[][], pad = 0.05): [number, number, number, number] {
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (const [x, y] of points) {
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  if (!Number.isFinite(x0)) return [-1, 1, -1, 1];
  const px = pad * (x1 - x0 || 1);
  const py = pad * (y1 - y0 || 1);
  return [x0 - px, x1 + px, y0 - py, y1 + py];
}

/**
 * A diverging colour for v in [lo, hi] around `mid` (blue below, white at mid, red above), as
 * [r, g, b] in 0…255.
 *
 * @example
 *   diverging(0, -1, 1); // [255, 255, 255]
 */
export function diverging(v: number, lo: number, hi: number, mid = 0): [number, number, number] {
  if (!Number.isFinite(v)) return [200, 200, 200];
  const t = v >= mid ? (hi > mid ? Math.min(1, (v - mid) / (hi - mid)) : 0) : lo < mid ? -Math.min(1, (mid - v) / (mid - lo)) : 0;
  const blue: [number, number, number] = [33, 102, 172];
  const red: [number, number, number] = [178, 24, 43];
  const end = t >= 0 ? red : blue;
  const a = Math.abs(t);
  return [0, 1, 2].map((k) => Math.round(255 + (end[k] - 255) * a)) as [number, number, number];
}

/** Qualitative colours (Okabe–Ito, colour-blind safe) for classes and series. */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];

/**
 * Flatten nested options/environment into [key path, printable value] rows.
 *
 * @example
 *   flatten({ a: { b: 1 }, c: [1, 2] }); // [['a.b', '1'], ['c', '[1,2]']]
 */
export function flatten(v: Record<string, unknown>, prefix = ''): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  for (const [k, x] of Object.entries(v)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (x === undefined) continue;
    if (x !== null && typeof x === 'object' && !Array.isArray(x)) rows.push(...flatten(x as Record<string, unknown>, key));
    else rows.push([key, typeof x === 'string' ? x : JSON.stringify(x)]);
  }
  return rows;
}

/**
 * A number as the page prints it: up to 10 significant digits, exponent form outside [1e-3, 1e6).
 *
 * @example
 *   fmtNum(15.573886744456887); // '15.57388674'
 */
export function fmtNum(x: unknown, digits = 10): string {
  if (x === null || x === undefined) return '—';
  if (typeof x !== 'number') return String(x);
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e6 ? String(Number(x.toPrecision(digits))) : x.toExponential(Math.min(digits, 6) - 1);
}

/**
 * The headline numbers of a run (the overview table), as [label, value, key in the run].
 *
 * @example
 *   summaryRows(run)[0]; // ['status', 'optimal', 'status']
 */
export function summaryRows(run: Run): Array<[string, unknown, string]> {
  const rows: Array<[string, unknown, string]> = [];
  const take = (label: string, key: string, v: unknown) => {
    if (v !== undefined) rows.push([label, v, key]);
  };
  if (run.kind === 'compare') {
    const c = (run.convex ?? {}) as Record<string, unknown>;
    take('convex objective', 'convex.objective', c.objective);
    take('convex certificate', 'convex.certificate.value', (c.certificate as { value?: number } | undefined)?.value);
    take('convex status', 'convex.status', c.status);
    for (const m of (run.methods ?? []) as Array<Record<string, unknown>>) {
      take(`${m.method} objective`, `methods.${m.method}.objective`, m.objective);
      take(`${m.method} gap to convex`, `methods.${m.method}.gap`, m.gap);
    }
    const lb = run.lowerBound as { certified?: boolean; value?: number } | undefined;
    if (lb?.certified) take('certified lower bound', 'lowerBound.value', lb.value);
    return rows;
  }
  take('status', 'status', run.status);
  take('objective', 'objective', typeof run.objective === 'number' || run.objective === null ? run.objective : undefined);
  take('data term', 'dataTerm', run.dataTerm);
  take('penalty', 'penalty', run.penalty);
  if (run.certificate) take(`certificate (${run.certificate.kind})`, 'certificate.value', run.certificate.value);
  take('iterations', 'iterations', run.iterations);
  take('time (s)', 'timeSeconds', run.timeSeconds);
  take('active neurons', 'activeNeurons', run.activeNeurons);
  take('patterns', 'patterns', run.patterns);
  take('rank', 'rank', run.rank);
  for (const k of ['trainAccuracy', 'testAccuracy', 'trainMSE', 'testMSE']) take(k, k, run[k]);
  return rows;
}

/**
 * Which views a run has data for.
 *
 * @example
 *   viewsFor(run); // ['overview', 'convergence', 'neurons', 'options']
 */
export function viewsFor(run: Run): ViewId[] {
  const v: ViewId[] = ['overview'];
  if (run.history?.length) v.push('convergence');
  if (run.curves?.length) v.push('compare');
  if (run.groupNorms?.length) v.push('neurons');
  if (run.geometry2d) v.push('geometry');
  if (run.fit1d) v.push('fit1d');
  if (run.eigenvalues?.length) v.push('eigenvalues');
  v.push('options');
  return v;
}

export type ViewId = 'overview' | 'convergence' | 'compare' | 'neurons' | 'geometry' | 'fit1d' | 'eigenvalues' | 'options';

export const VIEW_LABELS: Record<ViewId, string> = {
  overview: 'Overview',
  convergence: 'Objective & certificate',
  compare: 'Convex vs SGD vs Adam',
  neurons: 'Neurons & group norms',
  geometry: '2-D geometry',
  fit1d: '1-D fit',
  eigenvalues: 'Eigenvalues of A',
  options: 'Options & environment',
};
