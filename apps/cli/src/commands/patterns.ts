import { appendOnes, estimateSolidAngles, type PatternSet, regionCount, samplePatterns, samplingBytes, zonotopeVertices } from '@cvxnn/arrangements';
import { CvxnnError, Matrix } from '@cvxnn/linalg';
import type { Command } from 'commander';
import { addDataOptions, type DataFlags, inputFile, prepareData } from '../data-input.js';
import { derivedSeed, type Io, parseNumber, parseSeed, printJson, printKv } from '../io.js';
import { enumerateForCli, guardMemory } from '../limits.js';
import { prepareOutput } from '../output.js';

interface PatternsOptions extends DataFlags {
  data: string;
  bias?: boolean;
  standardize: string;
  testFraction?: string;
  exact?: boolean;
  sample?: string;
  seed: string;
  rank?: string;
  maxPatterns: string;
  keepZero?: boolean;
  countOnly?: boolean;
  json?: boolean;
  out?: string;
  solidAngles?: string;
  vertices?: string;
}

/** A matrix as CSV without header (full precision): the d × P witness gates `cvxnn fit --gates` reads, or the P × d vertices. */
function gatesCsv(G: Matrix<Float64Array>): string {
  const lines: string[] = [];
  for (let i = 0; i < G.rows; i++) {
    const row: string[] = [];
    for (let t = 0; t < G.cols; t++) row.push(String(G.get(i, t)));
    lines.push(row.join(','));
  }
  return lines.join('\n') + '\n';
}

/** Remove the all-zero pattern (and its gate) from a set. */
function withoutZero(ps: PatternSet): { set: PatternSet; removed: boolean } {
  const counts = ps.masks.activeCounts();
  const keep: number[] = [];
  for (let i = 0; i < ps.masks.p; i++) if (counts[i] > 0) keep.push(i);
  if (keep.length === ps.masks.p) return { set: ps, removed: false };
  const G = Matrix.zeros(ps.gates.rows, keep.length);
  keep.forEach((i, t) => {
    for (let r = 0; r < ps.gates.rows; r++) G.set(r, t, ps.gates.get(r, i));
  });
  return { set: { ...ps, masks: ps.masks.select(keep), gates: G }, removed: true };
}

/**
 * `cvxnn patterns`: the activation patterns of a data set — every chamber of its hyperplane
 * arrangement (`--exact`, with the Cover/Zaslavsky count for its rank) or those hit by N Gaussian
 * gates (`--sample N --seed S`) — and optionally their witness gates as a d × P CSV for
 * `cvxnn fit --gates`. The data are prepared exactly as `cvxnn fit` prepares them (the same
 * loader, z-score by default, the same seeded split with `--test-fraction`), so exported gates give
 * the same patterns on the rows fit trains on.
 */
export function register(program: Command, io: Io): void {
  const cmd = program
    .command('patterns')
    .description('count (and export gates for) the ReLU activation patterns of a data set: exact enumeration or Gaussian-gate sampling')
    .requiredOption('--data <file>', 'data set: a file (CSV, JSON, IDX) or a bundled dataset name, read as cvxnn fit reads it')
    .option('--bias', 'append a constant-1 feature (patterns of affine hyperplanes)')
    .option('--standardize <how>', "'zscore' (the default of cvxnn fit: gates for fit --gates) or 'none' (features as given)", 'zscore')
    .option('--test-fraction <f>', 'leave out the test rows of cvxnn fit --test-fraction f --seed S (the same split), so the patterns are those of its training rows')
    .option('--exact', 'enumerate every chamber pattern exactly')
    .option('--sample <N>', 'draw N Gaussian gates and keep the distinct patterns')
    .option('--seed <S>', 'seed of the Gaussian gates (and of the split, as in cvxnn fit)', '0')
    .option('--rank <k>', 'with --sample: sample in the best rank-k approximation of the data')
    .option('--max-patterns <P>', 'with --exact: refuse when the arrangement may have more chambers than this', '1000000')
    .option('--keep-zero', 'keep the all-zero pattern (dropped by default: it contributes nothing)')
    .option('--count-only', 'print only the number of patterns')
    .option('--json', 'print one JSON object')
    .option('--out <file>', 'write the witness gates as a d × P CSV (no header) for cvxnn fit --gates')
    .option('--vertices <file>', 'write the zonotope vertices Xᵀd_C of the patterns (SPEC §1.5) as a P × d CSV (no header), one row per pattern in --out order')
    .option('--solid-angles <N>', "estimate each pattern's Gaussian-gate probability (normalised solid angle) from N fresh gates (seed S + 1)");
  addDataOptions(cmd, 'column left out of the features: last | first | 0-based index | header name | none (all columns are features)');
  cmd.action(async (opts: PatternsOptions) => {
    if (Boolean(opts.exact) === (opts.sample !== undefined)) {
      throw new CvxnnError('INVALID_OPTION', 'choose exactly one of --exact (enumerate every pattern) or --sample N (Gaussian gates)');
    }
    if (opts.standardize !== 'none' && opts.standardize !== 'zscore') {
      throw new CvxnnError('INVALID_OPTION', `--standardize must be 'none' or 'zscore', got '${opts.standardize}'`);
    }
    const seed = parseSeed(opts.seed);
    const angleSamples = opts.solidAngles !== undefined ? parseNumber('solid-angles', opts.solidAngles, { integer: true, min: 1 }) : undefined;
    const maxPatterns = parseNumber('max-patterns', opts.maxPatterns, { integer: true, min: 1 });
    const testFraction = opts.testFraction === undefined ? 0 : parseNumber('test-fraction', opts.testFraction, { min: 0 });
    const sampleCount = opts.sample !== undefined ? parseNumber('sample', opts.sample, { integer: true, min: 1 }) : undefined;
    const dataFile = inputFile(opts.data);
    const out = prepareOutput('--out', opts.out, [dataFile]);
    const verticesOut = prepareOutput('--vertices', opts.vertices, [dataFile], out ? [out] : []);
    // the same reader, split and standardizer as `cvxnn fit`, so --out gates line up with its features
    const prep = prepareData({ data: opts.data, flags: opts, standardize: opts.standardize, bias: Boolean(opts.bias), seed, testFraction });
    let X = prep.Xtr;
    if (sampleCount !== undefined) {
      guardMemory(`--sample ${sampleCount}`, samplingBytes(X.rows, X.cols + (opts.bias ? 1 : 0), sampleCount), `${sampleCount} gates of ${X.cols + (opts.bias ? 1 : 0)} values and their ${X.rows}-row patterns`, 'sample fewer gates');
    }
    const d = X.cols;
    if (opts.bias) X = appendOnes(X);
    const n = X.rows;
    const t0 = performance.now();
    let set: PatternSet;
    let chambers: number | undefined;
    if (opts.exact) {
      if (opts.rank !== undefined) throw new CvxnnError('INVALID_OPTION', '--rank applies to --sample only; exact enumeration always uses the rank of the data');
      const all = enumerateForCli(X, { dropZero: false, maxPatterns }, '--exact', 'sample them instead with --sample N, or raise --max-patterns');
      chambers = all.masks.p;
      set = opts.keepZero ? all : withoutZero(all).set;
    } else {
      const count = sampleCount!;
      const rank = opts.rank !== undefined ? parseNumber('rank', opts.rank, { integer: true, min: 1 }) : undefined;
      set = samplePatterns(X, { count, seed, dropZero: !opts.keepZero, ...(rank !== undefined ? { rank } : {}) });
    }
    const timeSeconds = (performance.now() - t0) / 1000;
    out?.write(gatesCsv(set.gates));
    // with --exact (all chambers kept) these are exactly the vertices of Z(X) = Xᵀ[0,1]ⁿ
    verticesOut?.write(gatesCsv(zonotopeVertices(X, set)));
    const count = set.masks.p;
    const result: Record<string, unknown> = {
      data: opts.data,
      n,
      d,
      bias: Boolean(opts.bias),
      gateDimension: X.cols,
      standardize: opts.standardize,
      ...(prep.nTest ? { testRows: prep.nTest } : {}),
      method: set.method,
      rank: set.rank,
      count,
      zeroPatternDropped: !opts.keepZero,
    };
    if (opts.exact) {
      result.chambers = chambers;
      result.formulaCount = regionCount(n, set.rank);
    } else {
      result.draws = set.draws;
      result.seed = seed;
    }
    result.timeSeconds = timeSeconds;
    if (opts.out) result.out = opts.out;
    if (opts.vertices) result.vertices = opts.vertices;
    let angles: { samples: number; seed: number; minProbability: number; maxProbability: number; missedMass: number; thetaMin: number; gatesToSeeAll: number; probabilities: number[] } | undefined;
    if (angleSamples !== undefined && count > 0) {
      // SPEC §1.4: p_i = Pr[D(g) = D_i], θ_i = P·p_i; N ≥ (P/θ_min)·ln(P/δ) gates see every pattern w.p. ≥ 1 − δ (δ = 0.05)
      const est = estimateSolidAngles(X, set, { samples: angleSamples, seed: derivedSeed(seed, 1) });
      const probs = Array.from(est.probabilities);
      const pmin = Math.min(...probs);
      angles = {
        samples: angleSamples,
        seed: derivedSeed(seed, 1),
        minProbability: pmin,
        maxProbability: Math.max(...probs),
        missedMass: est.missedMass,
        thetaMin: count * pmin,
        gatesToSeeAll: pmin > 0 ? Math.ceil(Math.log(count / 0.05) / pmin) : Number.POSITIVE_INFINITY,
        probabilities: probs,
      };
      result.solidAngles = { ...angles, gatesToSeeAll: Number.isFinite(angles.gatesToSeeAll) ? angles.gatesToSeeAll : null };
    }
    if (opts.json) printJson(io, result);
    else if (opts.countOnly) io.out(`${count}\n`);
    else {
      const rows: Array<[string, string | number]> = [
        ['data', `${opts.data} (n = ${n}${prep.nTest ? ` training rows, ${prep.nTest} test rows left out` : ''}, d = ${d}${opts.bias ? ' + bias' : ''}, rank ${set.rank}, features ${opts.standardize === 'zscore' ? 'z-scored' : 'as given'})`],
        ['method', set.method],
        ['patterns', `${count}${opts.keepZero ? '' : ' (all-zero pattern dropped)'}`],
      ];
      if (opts.exact) {
        rows.push(['chambers', `${chambers}`]);
        rows.push(['formula 2·Σ_{k<r} C(n−1,k)', `${result.formulaCount} (equal for rows in general position, larger otherwise)`]);
      } else rows.push(['gates drawn', `${set.draws} (seed ${seed})`]);
      rows.push(['time', `${timeSeconds.toFixed(3)} s`]);
      if (opts.out) rows.push(['gates written', `${opts.out} (${X.cols} × ${count})`]);
      if (opts.vertices) rows.push(['vertices written', `${opts.vertices} (${count} × ${X.cols})`]);
      if (angles) {
        rows.push(['solid angles', `p_i from ${angles.samples} Gaussian gates: min ${angles.minProbability.toExponential(2)}, max ${angles.maxProbability.toExponential(2)}, outside the set ${angles.missedMass.toExponential(2)}`]);
        rows.push(['θ_min = P·min p', `${angles.thetaMin.toPrecision(3)}${angles.minProbability === 0 ? ' (some pattern was never hit: raise N)' : ''}`]);
        rows.push(['gates to see all', Number.isFinite(angles.gatesToSeeAll) ? `≈ ${angles.gatesToSeeAll} (coupon collector, (1/min p)·ln(P/0.05))` : 'unknown (a pattern was never hit)']);
      }
      printKv(io, rows);
    }
  });
}
