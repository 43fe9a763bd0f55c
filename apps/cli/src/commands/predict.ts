import { MODEL_KINDS, modelFromJson } from '@cvxnn/cnn';
import { readText } from '@cvxnn/data';
import { CvxnnError, type Matrix } from '@cvxnn/linalg';
import { classesOf } from '@cvxnn/networks';
import { parseRun, requirePredictable } from '@cvxnn/run-format';
import type { Command } from 'commander';
import { type DataFlags, loadRowsFor, standardizeLike } from '../data-input.js';
import { fmt, type Io, printJson, printKv } from '../io.js';
import { userPath } from '../user-path.js';

interface PredictOptions extends Pick<DataFlags, 'delimiter' | 'header' | 'dropMissing'> {
  model: string;
  data: string;
  json?: boolean;
}

/** Read and validate a run file: one-line typed errors for a missing file, bad JSON, `null`, `{}`, a run without a network or preprocessing. */
function readRun(file: string) {
  const text = readText(userPath(file));
  return requirePredictable(parseRun(text, `the run file '${file}'`), `the run file '${file}'`);
}

/**
 * `cvxnn predict`: apply a fitted run's network (and its stored preprocessing) to new rows. The
 * run is validated (`@cvxnn/run-format`); the rows are read with `@cvxnn/data` and matched to the
 * run's features by header name (reordered when the file has them in another order; refused when
 * a feature is missing, a name is duplicated or a column is unknown) or, without a header, by
 * position. Every network kind `cvxnn fit` writes is read (two-layer, CNN variants, BN, layer-wise).
 *
 * @example
 *   register(program, processIo); // adds `cvxnn predict`
 */
export function register(program: Command, io: Io): void {
  program
    .command('predict')
    .description('predict with the network of a run file written by `cvxnn fit --out` (every --arch and --model it writes)')
    .requiredOption('--model <run.json>', 'run file from `cvxnn fit --out`')
    .requiredOption('--data <file>', "rows to predict (CSV, JSON, IDX, .gz): the run's feature columns, matched by header name (any order), or in the training order without a header; a label column is used for metrics when present")
    .option('--delimiter <c>', "field delimiter (default: detected)")
    .option('--header <h>', 'auto | yes | no: whether the first row names the columns', 'auto')
    .option('--drop-missing', 'leave out rows with a missing cell instead of refusing them')
    .option('--json', 'print one JSON object')
    .action((o: PredictOptions) => {
      const run = readRun(o.model);
      const pre = run.preprocessing;
      if (!MODEL_KINDS.includes(run.network.kind)) {
        throw new CvxnnError('INVALID_OPTION', `'${o.model}' holds a ${JSON.stringify(run.network.kind)} network; predict reads ${MODEL_KINDS.join(', ')}`);
      }
      const model = modelFromJson(run.network, run.architecture);
      if (model.inputs !== pre.featureNames.length) {
        throw new CvxnnError('PARSE_ERROR', `the run file '${o.model}' is inconsistent: its network reads ${model.inputs} features but run.preprocessing.featureNames lists ${pre.featureNames.length}`);
      }
      const rows = loadRowsFor(o.data, pre, o);
      if (!rows.byName && !pre.featureNames.every((f, k) => f === `x${k}`) && !o.json) {
        io.err(`note: '${o.data}' has no header; its columns are taken in the training order (${pre.featureNames.slice(0, 6).join(', ')}${pre.featureNames.length > 6 ? ', …' : ''})\n`);
      }
      const F: Matrix<Float64Array> = model.predict(standardizeLike(rows.X, pre));
      let predictions: Array<number | string>;
      const metrics: Record<string, number> = {};
      if (pre.task === 'regression') {
        predictions = Array.from({ length: F.rows }, (_, i) => F.data[i * F.cols]!);
        if (rows.y) {
          let s = 0;
          for (let i = 0; i < F.rows; i++) s += (predictions[i] as number - rows.y[i]!) ** 2;
          metrics.MSE = s / F.rows;
        }
      } else {
        const cls = pre.classes!;
        const k = classesOf(F);
        predictions = Array.from(k, (v) => (pre.task === 'binary' ? cls[v > 0 ? 1 : 0]! : cls[v]!));
        if (rows.y) {
          let hit = 0;
          for (let i = 0; i < F.rows; i++) if (predictions[i] === cls[rows.y[i]!]) hit++;
          metrics.accuracy = hit / F.rows;
        }
      }
      const notes = { ...(rows.reordered ? { reordered: true } : {}), ...(rows.droppedRows ? { droppedRows: rows.droppedRows } : {}) };
      if (o.json) {
        printJson(io, { n: F.rows, task: pre.task, network: run.network.kind, ...notes, predictions, ...metrics });
        return;
      }
      const kv: Array<[string, string]> = [
        ['rows', String(F.rows)],
        ['task', pre.task],
        ['network', run.network.kind],
      ];
      if (rows.reordered) kv.push(['columns', `matched by name and reordered to the training order`]);
      if (rows.droppedRows) kv.push(['dropped', `${rows.droppedRows.length} row(s) with missing values`]);
      for (const [k2, v] of Object.entries(metrics)) kv.push([k2, fmt(v)]);
      printKv(io, kv);
      io.out(predictions.map(String).join('\n') + '\n');
    });
}
