import { CvxnnError } from '@cvxnn/linalg';
import {
  classCounts,
  type CsvOptions,
  type DataProblem,
  type Dataset,
  fitStandardizer,
  inspectCsv,
  listBundled,
  loadDataset,
  readText,
} from '@cvxnn/data';
import type { Command } from 'commander';
import { resolveData } from '../data-input.js';
import { CliExit, EXIT, fmt, type Io, printJson, printKv } from '../io.js';

interface InfoOptions {
  data: string;
  labelColumn?: string;
  task?: string;
  header?: string;
  delimiter?: string;
  maxProblems: string;
  json?: boolean;
}

function csvOptions(o: InfoOptions): CsvOptions {
  const header = o.header ?? 'auto';
  if (!['auto', 'yes', 'no'].includes(header)) throw new CvxnnError('INVALID_OPTION', `--header must be auto, yes or no, got '${header}'`);
  return {
    ...(o.labelColumn !== undefined ? { labelColumn: o.labelColumn } : {}),
    ...(o.task !== undefined ? { task: o.task as CsvOptions['task'] } : {}),
    header: header === 'auto' ? 'auto' : header === 'yes',
    ...(o.delimiter !== undefined ? { delimiter: o.delimiter === '\\t' || o.delimiter === 'tab' ? '\t' : o.delimiter } : {}),
  };
}

/** CSV inputs (bundled names and paths not ending in .json / IDX) are inspected so every bad cell is listed. */
function isCsvLike(spec: string): boolean {
  const lower = spec.toLowerCase().replace(/\.gz$/, '');
  return !lower.endsWith('.json') && !lower.endsWith('.idx') && !/-ubyte$/.test(lower) && !/idx\d-/.test(lower);
}

/** `cvxnn data info|list`: describe a dataset (sizes, task, classes, features, problems) or list the bundled ones. */
export function register(program: Command, io: Io): void {
  const data = program.command('data').description('inspect datasets: `data info --data FILE|NAME`, `data list`');

  data
    .command('info')
    .description('print n, d, the task (given or guessed), classes and counts, features and every missing/non-numeric cell')
    .requiredOption('--data <file|name>', 'CSV/JSON/IDX file, or a bundled dataset name (see `cvxnn data list`)')
    .option('--label-column <col>', 'last | first | 0-based index | header name (default last)')
    .option('--task <task>', 'regression | binary | multiclass | auto (default auto: guessed from the labels)')
    .option('--header <h>', 'auto | yes | no (default auto)')
    .option('--delimiter <c>', "field delimiter (default: the most frequent of ',' ';' tab in the first line)")
    .option('--max-problems <k>', 'list at most this many problems', '20')
    .option('--json', 'print one JSON object')
    .action((o: InfoOptions) => {
      const opts = csvOptions(o);
      const maxProblems = Number(o.maxProblems);
      if (!Number.isInteger(maxProblems) || maxProblems < 0) throw new CvxnnError('INVALID_OPTION', `--max-problems must be a non-negative integer, got '${o.maxProblems}'`);
      let ds: Dataset;
      let problems: DataProblem[] = [];
      let problemCount = 0;
      const src = resolveData(o.data);
      if (src.kind === 'bundled' || isCsvLike(src.file)) {
        const file = src.file;
        const text = readText(file);
        const name = src.kind === 'bundled' ? src.name : o.data.replace(/^.*[/\\]/, '').replace(/\.gz$/i, '').replace(/\.(csv|tsv|txt)$/i, '');
        const r = inspectCsv(text, { ...opts, name }, maxProblems);
        ds = r.dataset;
        problems = r.problems;
        problemCount = r.problemCount;
      } else {
        ds = loadDataset(src.file, opts);
      }
      const n = ds.X.rows;
      const d = ds.X.cols;
      const counts = ds.classes ? classCounts(ds) : undefined;
      const classes = ds.classes?.map((label, index) => ({ index, label, count: counts![index]! }));
      // constant features, on the rows without problems
      const constant = problemCount === 0 ? fitStandardizer(ds.X).constantColumns.map((k) => ds.featureNames[k]!) : undefined;
      let target: Record<string, number> | undefined;
      if (ds.task === 'regression') {
        const y = Array.from(ds.y).filter(Number.isFinite);
        const mean = y.reduce((s, v) => s + v, 0) / y.length;
        target = { min: Math.min(...y), max: Math.max(...y), mean, std: Math.sqrt(y.reduce((s, v) => s + (v - mean) ** 2, 0) / y.length) };
      }
      const taskGuessed = (o.task ?? 'auto') === 'auto';
      if (o.json) {
        printJson(io, {
          name: ds.name,
          n,
          d,
          task: ds.task,
          taskGuessed,
          labelName: ds.labelName,
          ...(classes ? { classes } : {}),
          ...(target ? { target } : {}),
          featureNames: ds.featureNames,
          ...(constant ? { constantFeatures: constant } : {}),
          problemCount,
          problems: problems.map(({ code, row, line, column, columnName, value, message }) => ({ code, row, line, column, columnName, value, message })),
        });
      } else {
        const rows: Array<[string, string | number]> = [
          ['name', ds.name],
          ['rows (n)', String(n)],
          ['features (d)', String(d)],
          ['task', `${ds.task}${taskGuessed ? ' (guessed from the labels)' : ''}`],
          ['label column', ds.labelName],
        ];
        if (classes) rows.push(['classes', classes.map((c) => `${c.label}: ${c.count}`).join(', ')]);
        if (target) rows.push(['target', `min ${fmt(target.min!)}, max ${fmt(target.max!)}, mean ${fmt(target.mean!)}, std ${fmt(target.std!)}`]);
        rows.push(['feature names', ds.featureNames.length > 12 ? `${ds.featureNames.slice(0, 12).join(', ')}, … (${d})` : ds.featureNames.join(', ')]);
        if (constant) rows.push(['constant features', constant.length ? constant.join(', ') : 'none']);
        rows.push(['problems', problemCount === 0 ? 'none' : String(problemCount)]);
        printKv(io, rows);
        for (const p of problems) io.out(`  ${p.code}: ${p.message}\n`);
        if (problemCount > problems.length) io.out(`  … ${problemCount - problems.length} more (raise --max-problems)\n`);
      }
      // A dataset with problems cannot be fitted: say so in the exit status (the report is already printed).
      if (problemCount > 0) throw new CliExit(EXIT.BAD_INPUT, `${problemCount} problem(s) found in ${ds.name}; fix them before \`cvxnn fit\` (or pass --drop-missing to fit for missing values)`);
    });

  data
    .command('list')
    .description('list the datasets bundled with @cvxnn/data')
    .option('--json', 'print one JSON object')
    .action((o: { json?: boolean }) => {
      const list = listBundled();
      if (o.json) {
        printJson(io, { datasets: list });
        return;
      }
      for (const b of list) io.out(`${b.name.padEnd(14)} ${`${b.n}×${b.d}`.padEnd(8)} ${b.task.padEnd(11)} ${b.licence}\n    ${b.description}\n`);
    });
}
