import highsModule from 'highs';
import { assertMatrix, assertOption, checkOptions, CvxnnError, Matrix, type PatternMasks } from '@cvxnn/linalg';
import { ENUMERATE_OPTIONS } from './enumerate.js';
import { PatternTable } from './table.js';
import { checkData, type PatternSet } from './types.js';
import { gramSubspace } from './sample.js';

// `highs` ships CommonJS typings with an ESM build: the loader is the default export at run time,
// `.default` of the CommonJS view for the type checker.
type Loader = typeof highsModule.default;
const highsLoader: Loader = ((highsModule as unknown as { default?: Loader }).default ?? highsModule) as Loader;
type Highs = Awaited<ReturnType<Loader>>;
let highsPromise: Promise<Highs> | null = null;

function term(v: number, name: string): string {
  if (v === 0) return '';
  return ` ${v >= 0 ? '+' : '-'} ${Math.abs(v).toPrecision(17)} ${name}`;
}

/**
 * Largest margin t ≤ 1 with s_j u_jᵀg ≥ t for the given rows and |g_i| ≤ 1, by HiGHS. The open
 * cone {s_j u_jᵀ g > 0} is non-empty iff t* > 0.
 */
function maxMargin(highs: Highs, U: Float64Array, d: number, rows: number[], signs: number[]): { t: number; g: Float64Array } {
  const lines = ['Maximize', ' obj: t', 'Subject To'];
  rows.forEach((j, c) => {
    let expr = '';
    for (let i = 0; i < d; i++) expr += term(signs[c] * U[j * d + i], `g${i}`);
    lines.push(` c${c}:${expr} - t >= 0`);
  });
  lines.push('Bounds');
  for (let i = 0; i < d; i++) lines.push(` -1 <= g${i} <= 1`);
  lines.push(' -inf <= t <= 1', 'End');
  const sol = highs.solve(lines.join('\n'), { output_flag: false });
  if (sol.Status !== 'Optimal') throw new CvxnnError('INTERNAL', `enumeratePatternsLP: HiGHS returned status '${sol.Status}' on a bounded feasible LP`);
  const g = new Float64Array(d);
  for (let i = 0; i < d; i++) g[i] = (sol.Columns[`g${i}`] as { Primal?: number } | undefined)?.Primal ?? 0;
  return { t: (sol.Columns.t as { Primal: number }).Primal, g };
}

/**
 * Exact chamber patterns by the incremental algorithm of SPEC §1.3 item 2, in the original space
 * R^d (no rank reduction): insert the samples one at a time and keep a sign vector s ∈ {±1}^k iff
 * the cone {s_j x_jᵀ g > 0, j ≤ k} is open and non-empty, decided by the margin LP
 * max t s.t. s_j x̂_jᵀ g ≥ t, |g_i| ≤ 1 (x̂_j = x_j/‖x_j‖) solved by HiGHS (WebAssembly). A child
 * whose sign the parent's witness already fixes needs no LP. Zero rows are inactive. O(n·P) LPs:
 * the slow, independent reference for `enumeratePatterns` (tests, benchmark baseline).
 *
 * @example
 *   const ps = await enumeratePatternsLP(Matrix.from([[1, 0], [0, 1], [1, 1]]), { dropZero: false });
 *   ps.masks.p; // 6
 */
export async function enumeratePatternsLP(
  X: Matrix<Float64Array | Float32Array>,
  opts: { dropZero?: boolean; tol?: number; maxPatterns?: number } = {},
): Promise<PatternSet> {
  assertMatrix('enumeratePatternsLP', 'X', X);
  checkOptions('enumeratePatternsLP', opts, ENUMERATE_OPTIONS);
  const X64 = checkData(X);
  const tol = opts.tol ?? 1e-9;
  const maxPatterns = opts.maxPatterns ?? 1e5;
  assertOption(Number.isFinite(tol) && tol > 0 && tol < 0.1, `enumeratePatternsLP: tol must be in (0, 0.1), got ${tol}`);
  highsPromise ??= highsLoader();
  const highs = await highsPromise;
  const n = X64.rows;
  const d = X64.cols;
  const U = new Float64Array(n * d);
  const live: number[] = [];
  let maxNorm = 0;
  const norms = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < d; i++) s += X64.get(j, i) ** 2;
    norms[j] = Math.sqrt(s);
    maxNorm = Math.max(maxNorm, norms[j]);
  }
  for (let j = 0; j < n; j++) {
    if (norms[j] <= tol * maxNorm) continue;
    for (let i = 0; i < d; i++) U[j * d + i] = X64.get(j, i) / norms[j];
    live.push(j);
  }
  // cells: sign vectors over the rows inserted so far, each with a witness g
  let cells: Array<{ signs: number[]; g: Float64Array }> = [{ signs: [], g: Float64Array.from({ length: d }, (_, i) => (i === 0 ? 1 : 0)) }];
  for (let k = 0; k < live.length; k++) {
    const j = live[k];
    const rows = live.slice(0, k + 1);
    const next: typeof cells = [];
    for (const cell of cells) {
      let v = 0;
      for (let i = 0; i < d; i++) v += U[j * d + i] * cell.g[i];
      for (const s of [1, -1]) {
        // is the parent's witness strictly on this side? then the child is non-empty with the same witness
        let margin = s * v;
        for (let c = 0; c < k && margin > tol; c++) {
          let w = 0;
          for (let i = 0; i < d; i++) w += U[rows[c] * d + i] * cell.g[i];
          margin = Math.min(margin, cell.signs[c] * w);
        }
        if (margin > tol) {
          next.push({ signs: [...cell.signs, s], g: cell.g });
          continue;
        }
        const lp = maxMargin(highs, U, d, rows, [...cell.signs, s]);
        if (lp.t > tol) next.push({ signs: [...cell.signs, s], g: lp.g });
      }
    }
    if (next.length > maxPatterns) {
      throw new CvxnnError('INVALID_OPTION', `enumeratePatternsLP: more than maxPatterns = ${maxPatterns} cells after ${k + 1} samples; raise maxPatterns or use enumeratePatterns`);
    }
    cells = next;
  }
  const table = new PatternTable(n, cells.length);
  const bits = new Uint32Array(table.words);
  const gates: Float64Array[] = [];
  for (const cell of cells) {
    bits.fill(0);
    let any = false;
    cell.signs.forEach((s, c) => {
      if (s > 0) {
        const j = live[c];
        bits[j >>> 5] |= 1 << (j & 31);
        any = true;
      }
    });
    if ((opts.dropZero ?? true) && !any) continue;
    if (table.add(bits, 0) >= 0) gates.push(cell.g);
  }
  const G = Matrix.zeros(d, gates.length);
  gates.forEach((g, t) => {
    for (let i = 0; i < d; i++) G.data[i * gates.length + t] = g[i];
  });
  const masks: PatternMasks = table.toMasks();
  return { masks, gates: G, method: 'exact', rank: gramSubspace(X64).rank };
}
