// Derive datasets/diabetes-bmi.csv from datasets/diabetes.csv (deterministic, no randomness):
// sort the 442 patients by BMI (ties by original row order), cut them into 49 consecutive groups
// of 9 or 10 patients, and average BMI and disease progression within each group.
// Run from packages/data: node scripts/derive-diabetes-bmi.mjs
import { readFileSync, writeFileSync } from 'node:fs';

export const GROUPS = 49;

/** Bin-average (bmi, progression) pairs; returns [bmiMean, progressionMean][] in increasing BMI. */
export function deriveBmiSeries(rows, groups = GROUPS) {
  const order = rows.map((r, i) => ({ ...r, i })).sort((a, b) => a.bmi - b.bmi || a.i - b.i);
  const out = [];
  for (let k = 0; k < groups; k++) {
    const lo = Math.round((k * order.length) / groups);
    const hi = Math.round(((k + 1) * order.length) / groups);
    let sb = 0, sy = 0;
    for (let j = lo; j < hi; j++) { sb += order[j].bmi; sy += order[j].y; }
    out.push([sb / (hi - lo), sy / (hi - lo)]);
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const lines = readFileSync(new URL('../datasets/diabetes.csv', import.meta.url), 'utf8').trim().split('\n');
  const head = lines[0].split(',');
  const ib = head.indexOf('bmi');
  const iy = head.length - 1;
  const rows = lines.slice(1).map((l) => { const c = l.split(',').map(Number); return { bmi: c[ib], y: c[iy] }; });
  const series = deriveBmiSeries(rows);
  const text = 'bmi,progression\n' + series.map(([b, y]) => `${+b.toFixed(6)},${+y.toFixed(6)}`).join('\n') + '\n';
  writeFileSync(new URL('../datasets/diabetes-bmi.csv', import.meta.url), text);
  console.log(`wrote ${series.length} rows`);
}
