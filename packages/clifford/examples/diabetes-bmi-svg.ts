/**
 * Worked example: 1-D regression of diabetes progression on BMI (the bundled `diabetes-bmi` set,
 * 49 BMI-sorted group means of the classic diabetes data) by the ramp Lasso, which is the exact
 * global optimum of a two-layer ReLU network with free biases and weight decay (SPEC §2.6).
 * Writes docs/clifford-1d.svg (plain SVG text) and prints a JSON summary.
 *
 *   pnpm --filter @cvxnn/clifford exec tsx examples/diabetes-bmi-svg.ts [λ] [out.svg] [--exact]
 *
 * `--exact` also solves the exact constrained program over all 97 patterns of [x, 1] (minutes).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Matrix } from '@cvxnn/linalg';
import { predict } from '@cvxnn/networks';
import { fitClifford, network1dJson, solveExactOneDimensional } from '../src/index.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const lambda = Number(process.argv[2] ?? 100);
const outFile = process.argv[3] && process.argv[3] !== '--exact' ? process.argv[3] : here('../../../docs/clifford-1d.svg');
const withExact = process.argv.includes('--exact');

const rows = readFileSync(here('../../data/datasets/diabetes-bmi.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
const x = rows.map((r) => r[0]);
const y = rows.map((r) => r[1]);
const X = Matrix.fromArray(x.length, 1, x);
const fit = fitClifford(X, y, { lambda, tol: 1e-10 });
const net = network1dJson(fit.network);
const exact = withExact ? solveExactOneDimensional(x, y, { lambda, tol: 1e-10 }) : undefined;
const breakpoints = [...new Set(net.breakpoints)].sort((a, b) => a - b);

// the fitted function is piecewise linear: evaluating at the ends and the breakpoints draws it exactly
const lo = Math.min(...x) - 1;
const hi = Math.max(...x) + 1;
const knots = [lo, ...breakpoints, hi];
const fk = Array.from(predict(fit.network, Matrix.fromArray(knots.length, 1, knots)).data);

const W = 720;
const H = 440;
const m = { l: 64, r: 20, t: 40, b: 52 };
const ymin = Math.min(...y, ...fk) - 10;
const ymax = Math.max(...y, ...fk) + 10;
const sx = (v: number) => m.l + ((v - lo) / (hi - lo)) * (W - m.l - m.r);
const sy = (v: number) => H - m.b - ((v - ymin) / (ymax - ymin)) * (H - m.t - m.b);
const f2 = (v: number) => v.toFixed(2);
const parts: string[] = [];
parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
parts.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">diabetes-bmi: ramp Lasso, λ = ${lambda} — exact two-layer ReLU optimum (${breakpoints.length} breakpoints)</text>`);
// axes and ticks
parts.push(`<line x1="${m.l}" y1="${H - m.b}" x2="${W - m.r}" y2="${H - m.b}" stroke="#333"/>`);
parts.push(`<line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${H - m.b}" stroke="#333"/>`);
for (let t = Math.ceil(lo / 5) * 5; t <= hi; t += 5) {
  parts.push(`<line x1="${f2(sx(t))}" y1="${H - m.b}" x2="${f2(sx(t))}" y2="${H - m.b + 5}" stroke="#333"/><text x="${f2(sx(t))}" y="${H - m.b + 18}" text-anchor="middle">${t}</text>`);
}
for (let t = Math.ceil(ymin / 50) * 50; t <= ymax; t += 50) {
  parts.push(`<line x1="${m.l - 5}" y1="${f2(sy(t))}" x2="${m.l}" y2="${f2(sy(t))}" stroke="#333"/><text x="${m.l - 8}" y="${f2(sy(t) + 4)}" text-anchor="end">${t}</text>`);
}
parts.push(`<text x="${W / 2}" y="${H - 12}" text-anchor="middle">BMI</text>`);
parts.push(`<text x="16" y="${H / 2}" text-anchor="middle" transform="rotate(-90 16 ${H / 2})">disease progression</text>`);
// breakpoints
for (const b of breakpoints) {
  parts.push(`<line x1="${f2(sx(b))}" y1="${m.t}" x2="${f2(sx(b))}" y2="${H - m.b}" stroke="#d62728" stroke-dasharray="4 4" stroke-width="1"/>`);
  parts.push(`<text x="${f2(sx(b) + 3)}" y="${m.t + 12}" fill="#d62728" font-size="10">${b.toFixed(1)}</text>`);
}
// data
for (let i = 0; i < x.length; i++) parts.push(`<circle cx="${f2(sx(x[i]))}" cy="${f2(sy(y[i]))}" r="3" fill="#1f77b4" fill-opacity="0.75"/>`);
// fit
parts.push(`<polyline fill="none" stroke="#ff7f0e" stroke-width="2.5" points="${knots.map((k, i) => `${f2(sx(k))},${f2(sy(fk[i]))}`).join(' ')}"/>`);
// legend
const lx = m.l + 16;
parts.push(`<rect x="${lx - 12}" y="${m.t + 18}" width="360" height="60" fill="white" fill-opacity="0.9"/>`);
parts.push(`<circle cx="${lx}" cy="${m.t + 30}" r="3" fill="#1f77b4"/><text x="${lx + 10}" y="${m.t + 34}">data (49 BMI groups)</text>`);
parts.push(`<line x1="${lx - 6}" y1="${m.t + 48}" x2="${lx + 6}" y2="${m.t + 48}" stroke="#ff7f0e" stroke-width="2.5"/><text x="${lx + 10}" y="${m.t + 52}">f(x) = Σ relu(w_j x + b_j) a_j + c, objective ${fit.lasso.objective.toFixed(2)}</text>`);
parts.push(`<line x1="${lx - 6}" y1="${m.t + 66}" x2="${lx + 6}" y2="${m.t + 66}" stroke="#d62728" stroke-dasharray="4 4"/><text x="${lx + 10}" y="${m.t + 70}">breakpoints (at data points)</text>`);
parts.push('</svg>');
writeFileSync(outFile, parts.join('\n') + '\n');

console.log(
  JSON.stringify(
    {
      lambda,
      objective: fit.lasso.objective,
      certificate: fit.lasso.certificate.value,
      exactProgram: exact?.objective,
      exactCertificate: exact?.certificate.value,
      patterns: exact?.patterns,
      activeAtoms: fit.lasso.active.length,
      breakpoints,
      network: { W1: net.W1, b1: net.b1, w2: net.w2, b2: net.b2 },
      svg: outFile,
    },
    null,
    1,
  ),
);
