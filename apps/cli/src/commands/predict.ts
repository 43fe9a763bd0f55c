import { readFileSync } from 'node:fs';
import { cnnFromJson, cnnPredict } from '@cvxnn/cnn';
import { CvxnnError, type Matrix } from '@cvxnn/linalg';
import { classesOf, networkFromJson, predict } from '@cvxnn/networks';
import type { Command } from 'commander';
import { fmt, type Io, printJson, printKv } from '../io.js';
import { applyPreprocessing, encodeTargets, type Preprocessing, readLabelledCsv, resolveDataPath } from '../run-file.js';

/**
 * `cvxnn predict`: apply a fitted run's network (and its stored preprocessing) to new rows.
 *
 * @example
 *   register(program, processIo); // adds `cvxnn predict`
 */
export function register(program: Command, io: Io): void {
  program
    .command('predict')
    .description('predict with the network of a run file written by `cvxnn fit --out` (two-layer networks and `--arch cnn` pooled CNNs)')
    .requiredOption('--model <run.json>', 'run file from `cvxnn fit --out`')
    .requiredOption('--data <file>', 'CSV with the same feature columns (a label column is used for metrics when present)')
    .option('--json', 'print one JSON object')
    .action((o: { model: string; data: string; json?: boolean }) => {
      let run: { network?: unknown; preprocessing?: Preprocessing; kind?: string };
      try {
        run = JSON.parse(readFileSync(o.model, 'utf8')) as typeof run;
      } catch (e) {
        throw new CvxnnError('IO_ERROR', `cannot read the run file '${o.model}': ${(e as Error).message}`);
      }
      if (!run.network || !run.preprocessing) {
        throw new CvxnnError('PARSE_ERROR', `'${o.model}' has no network/preprocessing; pass a run file written by \`cvxnn fit --out\``);
      }
      const pre = run.preprocessing;
      // a two-layer network (fit), or a pooled CNN (fit --arch cnn); BN and layer-wise networks are not read yet
      const netKind = (run.network as { kind?: unknown }).kind;
      if (netKind !== 'relu' && netKind !== 'gated-relu' && netKind !== 'cnn') {
        throw new CvxnnError('INVALID_OPTION', `predict reads two-layer networks and pooled CNNs (network kinds relu, gated-relu, cnn); '${o.model}' holds a ${JSON.stringify(netKind)} network`);
      }
      let forward: (X: Matrix<Float64Array>) => Matrix<Float64Array>;
      if (netKind === 'cnn') {
        const cnn = cnnFromJson(run.network);
        forward = (X) => cnnPredict(cnn, X);
      } else {
        const net = networkFromJson(run.network);
        forward = (X) => predict(net, X);
      }
      const file = resolveDataPath(o.data);
      // with the label column when the file has one more column than the features
      const firstLine = readFileSync(file, 'utf8').split(/\r?\n/, 1)[0] ?? '';
      const withLabel = firstLine.split(',').length === pre.featureNames.length + 1;
      const table = readLabelledCsv(file, withLabel ? pre.labelColumn : 'none');
      const labels: string[] | null = withLabel ? table.labels : null;
      const X = applyPreprocessing(table.X, pre);
      const F = forward(X);
      let predictions: Array<number | string>;
      const metrics: Record<string, number> = {};
      if (pre.task === 'regression') {
        predictions = Array.from(F.data);
        if (labels) {
          const { Y } = encodeTargets(labels, 'regression');
          let s = 0;
          for (let i = 0; i < Y.rows; i++) s += (F.data[i] - Y.data[i]) ** 2;
          metrics.MSE = s / Y.rows;
        }
      } else {
        const cls = pre.classes ?? [];
        const k = classesOf(F as Matrix<Float64Array>);
        predictions = Array.from(k, (v) => (pre.task === 'binary' ? cls[v > 0 ? 1 : 0] : cls[v]));
        if (labels) {
          let hit = 0;
          labels.forEach((l, i) => {
            if (l === predictions[i]) hit++;
          });
          metrics.accuracy = hit / labels.length;
        }
      }
      if (o.json) {
        printJson(io, { n: X.rows, task: pre.task, predictions, ...metrics });
        return;
      }
      printKv(io, [['rows', X.rows], ['task', pre.task], ...Object.entries(metrics).map(([k2, v]): [string, string] => [k2, fmt(v)])]);
      io.out(predictions.map(String).join('\n') + '\n');
    });
}
