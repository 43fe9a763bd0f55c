import { readFileSync } from 'node:fs';
import { bundledPath } from '@cvxnn/data';
import { Rng } from '@cvxnn/linalg';
import { validateRun } from '@cvxnn/run-format';
import { describe, expect, it, vi } from 'vitest';
import { tempFiles } from '../test/files.js';
import { run } from '../test/run.js';
import { runCli } from './index.js';
import { validationFolds } from './lambda-auto.js';

const t = tempFiles('cvxnn-lambda-auto-');

/** breast_cancer as the CSV holds it: header, raw feature rows, labels 0/1. */
const text = readFileSync(bundledPath('breast_cancer')!, 'utf8').trim().split('\n');
const header = text[0]!;
const rows = text.slice(1).map((l) => l.split(',').map(Number));
const d = rows[0]!.length - 1;

/** d+1 × P gates (bias row last), seeded normals, written as the --gates CSV. */
const P = 20;
const rng = new Rng(11);
const G = Array.from({ length: d + 1 }, () => Array.from({ length: P }, () => rng.normal()));
const gatesFile = t.write('gates.csv', G.map((r) => r.join(',')).join('\n') + '\n');

type Row = { lambda: number; score: number | null; certificate: number | null; activeNeurons: number | null };
type Selection = { score: 'accuracy' | 'mse'; folds: number; split?: number; chosen: number; lambda: number; table: Row[] };

/** The best row as the brief defines it: highest accuracy (lowest mse), ties to the larger λ (the earlier row). */
function bestRow(s: Selection): number {
  let best = 0;
  s.table.forEach((r, i) => {
    const b = s.table[best]!.score!;
    if (r.score !== null && (s.score === 'accuracy' ? r.score > b : r.score < b)) best = i;
  });
  return best;
}

const base = ['fit', '--data', 'breast_cancer', '--model', 'gated-relu', '--bias', '--lambda', 'auto'];

describe('cvxnn fit --lambda auto', () => {
  it('picks a λ of the grid whose validation accuracy is the table’s best; the refit is certified and is the run’s result', async () => {
    const r = await run(...base, '--patterns', '20', '--test-fraction', '0.2', '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    const s: Selection = j.lambdaSelection;
    expect(s.score).toBe('accuracy');
    expect(s.folds).toBe(1);
    expect(s.split).toBe(0.2);
    expect(s.table).toHaveLength(12);
    expect(s.table.map((x) => x.lambda)).toContain(s.lambda);
    expect(s.table[s.chosen]!.lambda).toBe(s.lambda);
    expect(s.chosen).toBe(bestRow(s));
    // every fold solve certified to the tolerance (worst certificate per λ)
    // each path stops 3 points after its validation best (patience); every point it solved is certified
    const solved = s.table.filter((x) => x.certificate !== null);
    expect(solved.length).toBeGreaterThanOrEqual(Math.min(12, s.chosen + 4));
    for (const row of solved) expect(row.certificate!).toBeLessThanOrEqual(1e-6);
    for (const row of s.table.slice(solved.length)) expect(row.score).toBeNull();
    // the run is the refit at the chosen λ on all training rows
    expect(j.options.lambda).toBe(s.lambda);
    expect(j.options.lambdaAuto).toBe(true);
    expect(j.status).toBe('optimal');
    expect(j.certificate.value).toBeLessThanOrEqual(1e-6);
    expect(j.data.n).toBe(455);
    expect(j.path).toBeUndefined();
    expect(j.testAccuracy).toBeGreaterThan(0.9);
  });

  it('prints the λ table before the certificate lines, the chosen row marked and best', async () => {
    const r = await run(...base, '--patterns', '20', '--lambda-points', '6', '--lambda-ratio', '1e-3');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    const at = (key: string) => lines.findIndex((l) => l.startsWith(key));
    expect(at('λ selection')).toBeGreaterThan(at('patterns'));
    expect(at('λ table')).toBe(at('λ selection') + 1);
    expect(at('status')).toBeGreaterThan(at('λ table') + 6);
    expect(at('certificate')).toBeGreaterThan(at('status'));
    expect(lines[at('λ selection')]).toMatch(/accuracy on a 20% validation split of the training rows \(114 rows\); 6 λ on a geometric grid below λ_max = .*, down to λ_max × 1e-3; \d fold solves \(each fold's path stops 3 points after its best\) and the refit in [\d.]+ s$/);
    const table = lines.slice(at('λ table') + 1, at('λ table') + 7).map((l) => {
      const m = /^\s+(\d+)\/6\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)(\s+← chosen)?$/.exec(l);
      expect(m, l).not.toBeNull();
      return { lambda: Number(m![2]), accuracy: Number(m![3]), chosen: !!m![6] };
    });
    expect(table.filter((x) => x.chosen)).toHaveLength(1);
    const chosen = table.find((x) => x.chosen)!;
    expect(chosen.accuracy).toBe(Math.max(...table.map((x) => x.accuracy)));
    // the model line states the chosen λ
    expect(lines[at('model')]).toContain('chosen by validation');
  });

  it('the λ grid is geometric below λ_max = max_i ‖(D_i X)ᵀ∇ℓ(0)‖ computed here from the definition', async () => {
    const N = 8;
    const ratio = 1e-3;
    const r = await run(...base, '--gates', gatesFile, '--lambda-points', String(N), '--lambda-ratio', String(ratio), '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    // the CLI's preprocessing, recomputed: population z-score of the training rows (all rows here), a bias column
    const n = rows.length;
    const mean = Array.from({ length: d }, (_, k) => rows.reduce((a, x) => a + x[k]!, 0) / n);
    const std = Array.from({ length: d }, (_, k) => Math.sqrt(rows.reduce((a, x) => a + (x[k]! - mean[k]!) ** 2, 0) / n));
    j.preprocessing.mean.forEach((m: number, k: number) => expect(m).toBeCloseTo(mean[k]!, 9));
    const X = rows.map((x) => [...x.slice(0, d).map((v, k) => (v - mean[k]!) / std[k]!), 1]);
    const y = rows.map((x) => (x[d] === 1 ? 1 : -1));
    // logistic loss Σ log(1 + e^(−y f)) has ∇ℓ(0) = −y/2; the gated program's λ_max is max_i ‖Σ_j D_i[j] x_j (−y_j/2)‖
    let lmax = 0;
    for (let i = 0; i < P; i++) {
      const v = new Array<number>(d + 1).fill(0);
      X.forEach((x, jj) => {
        if (x.reduce((a, xk, k) => a + xk * G[k]![i]!, 0) > 0) x.forEach((xk, k) => (v[k]! += (-y[jj]! / 2) * xk));
      });
      lmax = Math.max(lmax, Math.hypot(...v));
    }
    const lambdas: number[] = j.lambdaSelection.table.map((x: Row) => x.lambda);
    expect(lambdas).toHaveLength(N);
    // the grid: λ_t = λ_max·ratio^((t+1)/N), t = 0 … N−1 (λ_max itself, where U = 0, is not solved)
    lambdas.forEach((l, k) => expect(l / (lmax * ratio ** ((k + 1) / N))).toBeCloseTo(1, 9));
    for (let k = 1; k < N; k++) expect(lambdas[k]! / lambdas[k - 1]!).toBeCloseTo(ratio ** (1 / N), 12);
    expect(lambdas[N - 1]! / lambdas[0]!).toBeCloseTo(ratio ** ((N - 1) / N), 12);
    expect(j.lambdaMax / lmax).toBeCloseTo(1, 9);
  });

  it('never looks at the test rows: other --test-data rows give the same table and λ', async () => {
    const pick = (from: number, perturb: number) =>
      [header, ...rows.slice(from, from + 40).map((x) => [...x.slice(0, d).map((v) => v * (1 + perturb)), perturb > 0 ? 1 - x[d]! : x[d]].join(','))].join('\n') + '\n';
    const a = t.write('test-a.csv', pick(0, 0));
    const b = t.write('test-b.csv', pick(200, 0.3)); // other rows, scaled features, flipped labels
    const opts = [...base, '--patterns', '20', '--lambda-points', '6', '--json'];
    const ra = JSON.parse((await run(...opts, '--test-data', a)).out);
    const rb = JSON.parse((await run(...opts, '--test-data', b)).out);
    expect(ra.data.nTest).toBe(40);
    expect(ra.testAccuracy).not.toBe(rb.testAccuracy);
    // same choice from the same training rows; the solves agree to their certificates (the
    // solver's refinement schedule is timed, so the last digits can differ under load)
    const sa: Selection = ra.lambdaSelection;
    const sb: Selection = rb.lambdaSelection;
    expect(sb.lambda).toBe(sa.lambda);
    expect(sb.chosen).toBe(sa.chosen);
    expect(sb.table.map((x) => x.lambda)).toEqual(sa.table.map((x) => x.lambda));
    expect(sb.table.map((x) => x.score)).toEqual(sa.table.map((x) => x.score));
    for (const x of [...sa.table, ...sb.table]) if (x.certificate !== null) expect(x.certificate).toBeLessThanOrEqual(1e-6);
    expect(Math.abs(rb.objective - ra.objective) / ra.objective).toBeLessThan(1e-6);
  });

  it("--lambda-patience all solves the whole grid; the default path stops 3 points after the best, with the same scores where both ran", async () => {
    const opts = [...base, '--patterns', '20', '--lambda-points', '8', '--lambda-ratio', '1e-4', '--json'];
    const all = JSON.parse((await run(...opts, '--lambda-patience', 'all')).out);
    const def = JSON.parse((await run(...opts)).out);
    const sa: Selection & { solves: number } = all.lambdaSelection;
    const sd: Selection & { solves: number; patience: number } = def.lambdaSelection;
    expect(sa.solves).toBe(8);
    expect(sa.table.every((r) => r.score !== null)).toBe(true);
    expect(sd.patience).toBe(3);
    // the default stops at the first point 3 after a best not improved on, read off the full table
    let best = 0;
    let stop = 7;
    for (let t = 1; t < 8; t++) {
      if (sa.table[t]!.score! > sa.table[best]!.score! + 1e-12) best = t;
      else if (t - best >= 3) {
        stop = t;
        break;
      }
    }
    expect(sd.solves).toBe(stop + 1);
    sd.table.forEach((r, t) => expect(r.score).toBe(t <= stop ? sa.table[t]!.score : null));
    expect(await run(...opts, '--lambda-patience', '0')).toMatchObject({ code: 2 });
  });

  it('--cv 3 scores three folds (mean accuracy) and picks the best mean', async () => {
    const r = await run(...base, '--patterns', '20', '--cv', '3', '--lambda-points', '5', '--lambda-ratio', '1e-2', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    const s: Selection = j.lambdaSelection;
    expect(s.folds).toBe(3);
    expect(s.split).toBeUndefined();
    expect(s.table).toHaveLength(5);
    expect(s.chosen).toBe(bestRow(s));
    expect(j.options.cv).toBe(3);
    for (const row of s.table) expect(row.score!).toBeGreaterThan(0.5);
  });

  it('regression scores mse and picks the lowest', async () => {
    const r = await run('fit', '--data', 'diabetes', '--model', 'gated-relu', '--lambda', 'auto', '--patterns', '10', '--lambda-points', '5', '--lambda-ratio', '1e-3', '--json');
    expect(r.code).toBe(0);
    const s: Selection = JSON.parse(r.out).lambdaSelection;
    expect(s.score).toBe('mse');
    expect(s.chosen).toBe(bestRow(s));
  });

  it('--out writes a run file that validates and carries lambdaSelection', async () => {
    const out = t.path('auto-run.json');
    const r = await run(...base, '--patterns', '20', '--lambda-points', '4', '--out', out);
    expect(r.code).toBe(0);
    const file = JSON.parse(readFileSync(out, 'utf8'));
    const v = validateRun(file, out);
    expect(v.lambdaSelection?.table).toHaveLength(4);
    expect(v.lambdaSelection?.lambda).toBe(file.options.lambda);
    expect(v.lambdaSelection?.timeSeconds).toBeGreaterThan(0);
    expect(() => validateRun({ ...file, lambdaSelection: { ...file.lambdaSelection, chosen: 4 } })).toThrow(/run\.lambdaSelection\.chosen/);
  });

  it('refuses auto for --arch bn / --layerwise / the other CNN programs, and the auto flags without auto (exit 2, one line)', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--data', 'digits8x8', '--arch', 'cnn', '--image-shape', '8x8x1', '--kernel', '3', '--model', 'linear', '--loss', 'squared', '--lambda', 'auto'], /^error \[INVALID_OPTION\]: --lambda auto is available for --model relu and gated-relu with --arch cnn \(got linear\)/],
      [['--data', 'breast_cancer', '--arch', 'bn', '--lambda', 'auto'], /--lambda auto is supported for --arch fc and cnn .*not for --arch bn/],
      [['--data', 'breast_cancer', '--layerwise', '2', '--lambda', 'auto'], /--lambda auto is supported for --arch fc and cnn .*not for --layerwise/],
      [['--data', 'breast_cancer', '--lambda', '1', '--cv', '3'], /INVALID_OPTION\]: --cv applies to --lambda auto only/],
      [['--data', 'breast_cancer', '--lambda', 'auto', '--cv', '1'], /INVALID_OPTION\]: --cv must be an integer ≥ 2/],
      [['--data', 'breast_cancer', '--lambda', 'auto', '--lambda-ratio', '2'], /INVALID_OPTION\]: --lambda-ratio must be in \(0, 1\)/],
      [['--data', 'breast_cancer', '--lambda', 'auto', '--lambda-path', '5'], /INVALID_OPTION\]: --lambda auto solves its own λ path/],
      [['--data', 'breast_cancer', '--lambda', 'atuo'], /INVALID_OPTION\]: --lambda must be a number > 0 or 'auto'/],
    ];
    for (const [args, msg] of cases) {
      const r = await run('fit', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.out).toBe('');
      expect(r.err.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.err).toMatch(msg);
    }
  });
});

describe('validation folds', () => {
  // 0/1 labels with 30% ones, in a fixed order
  const y = Float64Array.from({ length: 103 }, (_, i) => (i % 10 < 3 ? 1 : 0));
  const ones = y.reduce((a, v) => a + v, 0);

  it('K folds of about n/K rows each, every fold stratified to within ±1 of the class proportion', () => {
    for (const K of [2, 3, 5]) {
      const f = validationFolds(y, 'binary', ['0', '1'], K, 0);
      for (let k = 0; k < K; k++) {
        const rows = [...f.keys()].filter((i) => f[i] === k);
        expect(Math.abs(rows.length - y.length / K), `K=${K} fold ${k}`).toBeLessThanOrEqual(1);
        const pos = rows.filter((i) => y[i] === 1).length;
        expect(Math.abs(pos - (rows.length * ones) / y.length), `K=${K} fold ${k}`).toBeLessThanOrEqual(1);
      }
    }
  });

  it('the default split is fold 0 of 5: round(n/5) rows; seeded (same seed, same folds; another seed, other folds)', () => {
    const f = validationFolds(y, 'binary', ['0', '1'], 5, 0);
    expect(f.filter((k) => k === 0).length).toBe(Math.round(103 / 5));
    expect(validationFolds(y, 'binary', ['0', '1'], 5, 0)).toEqual(f);
    expect(validationFolds(y, 'binary', ['0', '1'], 5, 1)).not.toEqual(f);
    const reg = validationFolds(Float64Array.from({ length: 50 }, (_, i) => i / 7), 'regression', undefined, 5, 0);
    for (let k = 0; k < 5; k++) expect(reg.filter((x) => x === k).length).toBe(10);
  });

  it('refuses more folds than the rows allow', () => {
    expect(() => validationFolds(y.subarray(0, 5), 'binary', ['0', '1'], 3, 0)).toThrow(/3 validation folds need at least 6 training rows, but there are 5/);
  });
});

describe('progress on stderr', () => {
  const fit = ['node', 'cvxnn', ...base, '--patterns', '10', '--lambda-points', '3'];
  /** stderr during a fit, with process.stderr taken for a terminal (cli-progress draws only on one); `io` says what the CLI is told. */
  async function stderrOf(io: { isTTY: boolean; errIsTTY?: boolean }, extra: string[] = [], args = fit): Promise<string> {
    let written = '';
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written += String(chunk);
      return true;
    });
    const was = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
    Object.defineProperty(process.stderr, 'isTTY', { value: true, configurable: true });
    try {
      const code = await runCli([...args, ...extra], { out: () => undefined, err: (x) => void (written += x), ...io });
      expect(code).toBe(0);
    } finally {
      spy.mockRestore();
      if (was) Object.defineProperty(process.stderr, 'isTTY', was);
      else delete (process.stderr as { isTTY?: boolean }).isTTY;
    }
    return written;
  }

  it('is drawn only when the CLI is told stderr is a terminal, and never with --json', async () => {
    expect(await stderrOf({ isTTY: true, errIsTTY: false })).toBe('');
    expect(await stderrOf({ isTTY: false, errIsTTY: true }, ['--json'])).toBe('');
    // the first frame (later frames depend on cli-progress's redraw timer)
    expect(await stderrOf({ isTTY: false, errIsTTY: true })).toMatch(/λ auto \|░+\| fold 1\/1 {2}point 1\/3 {2}λ … {2}gap - {2}elapsed 0s {2}ETA …/);
  });

  it('a plain fit shows iteration, relative gap, objective and elapsed time', async () => {
    const plain = ['node', 'cvxnn', 'fit', '--data', 'breast_cancer', '--model', 'gated-relu', '--bias', '--lambda', '1', '--patterns', '10'];
    expect(await stderrOf({ isTTY: true, errIsTTY: false }, [], plain)).toBe('');
    expect(await stderrOf({ isTTY: false, errIsTTY: true }, [], plain)).toMatch(/fit \|░+\| iteration 0\/20000 {2}gap - {2}objective - {2}elapsed 0s/);
  });

  it('the CNN fits draw the same bars (fixed λ: iterations; --lambda auto: the path)', async () => {
    // λ above λ_max: zero is the certified optimum at once
    const cnn = ['node', 'cvxnn', 'fit', '--data', 'digits8x8', '--arch', 'cnn', '--image-shape', '8x8x1', '--kernel', '7', '--patterns', '2'];
    expect(await stderrOf({ isTTY: true, errIsTTY: false }, ['--lambda', '1e9'], cnn)).toBe('');
    expect(await stderrOf({ isTTY: false, errIsTTY: true }, ['--lambda', '1e9', '--max-iters', '5'], cnn)).toMatch(/fit \|░+\| iteration 0\/5 {2}gap - {2}objective - {2}elapsed 0s/);
    expect(await stderrOf({ isTTY: false, errIsTTY: true }, ['--lambda', 'auto', '--lambda-points', '2', '--lambda-ratio', '0.9'], cnn)).toMatch(/λ auto \|░+\| fold 1\/1 {2}point 1\/2/);
  });
});
