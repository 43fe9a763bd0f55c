/**
 * The 2-D view (data, arrangement hyperplanes, neuron boundaries, prediction surface) on a canvas
 * with an SVG overlay, and the 1-D piecewise-linear fit (uPlot).
 */
import type { Fit1d, Geometry2d } from './format';
import { chart } from './charts';
import { bounds2d, clipLine, diverging, fmtNum, mergeClose, PALETTE } from './transforms';

const SVG = 'http://www.w3.org/2000/svg';
const SIZE = 520;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/**
 * Draw `geometry2d` into `view`. Layers can be toggled with labelled checkboxes.
 *
 * @example
 *   renderGeometry(run.geometry2d, document.getElementById('view')!, run.data.classes);
 */
export function renderGeometry(g: Geometry2d, view: HTMLElement, classes?: string[]): void {
  const box = g.surface ? ([g.surface.x[0], g.surface.x[g.surface.x.length - 1], g.surface.y[0], g.surface.y[g.surface.y.length - 1]] as [number, number, number, number]) : bounds2d(g.X);
  const [x0, x1, y0, y1] = box;
  const sx = (x: number) => ((x - x0) / (x1 - x0)) * SIZE;
  const sy = (y: number) => SIZE - ((y - y0) / (y1 - y0)) * SIZE;
  const multiclass = g.task === 'multiclass';
  const active = g.neurons.filter((u) => u.output.some((v) => v !== 0));
  view.append(
    Object.assign(document.createElement('p'), {
      className: 'lead',
      id: 'geometry-summary',
      textContent: `${g.X.length} training points, ${g.gates.length} arrangement hyperplanes (gates), ${active.length} recovered neurons${g.bias ? ' (with bias: affine boundaries)' : ' (no bias: boundaries through the origin)'}; standardized inputs.`,
    }),
  );
  const controls = document.createElement('fieldset');
  controls.className = 'layers';
  controls.append(Object.assign(document.createElement('legend'), { textContent: 'Layers' }));
  const fig = document.createElement('figure');
  fig.className = 'plane';
  const stage = document.createElement('div');
  stage.className = 'stage';
  stage.style.width = stage.style.height = `${SIZE}px`;
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = SIZE;
  canvas.setAttribute('aria-hidden', 'true');
  const s = svg('svg', { width: SIZE, height: SIZE, viewBox: `0 0 ${SIZE} ${SIZE}`, role: 'img', 'aria-label': `data, ${g.gates.length} hyperplanes and ${active.length} neuron boundaries in the plane` });
  stage.append(canvas, s);
  const cap = document.createElement('figcaption');
  cap.textContent = `x₁ ∈ [${fmtNum(x0, 3)}, ${fmtNum(x1, 3)}] (→), x₂ ∈ [${fmtNum(y0, 3)}, ${fmtNum(y1, 3)}] (↑). Surface: ${multiclass ? 'predicted class' : 'network output (blue < 0 < red)'}; thin grey: gates' hyperplanes; thick: neurons' activation boundaries.`;
  fig.append(stage, cap);
  if (g.task !== 'regression') {
    // class legend: binary targets are −1/+1 (colours 0/1), multiclass targets the class index
    const names = classes ?? (g.task === 'binary' ? ['−1', '+1'] : [...new Set(g.y)].sort((a, b) => a - b).map(String));
    const ul = document.createElement('ul');
    ul.className = 'classes';
    ul.setAttribute('aria-label', 'classes');
    names.forEach((name, k) => {
      const li = document.createElement('li');
      const sw = document.createElement('span');
      sw.className = 'swatch';
      sw.style.background = PALETTE[k % PALETTE.length];
      li.append(sw, document.createTextNode(`${g.task === 'binary' ? (k === 0 ? 'negative' : 'positive') : 'class'} ${name}`));
      ul.append(li);
    });
    fig.append(ul);
  }

  // prediction surface
  if (g.surface) {
    const ctx = canvas.getContext('2d');
    const { x, y, z } = g.surface;
    let lo = Infinity;
    let hi = -Infinity;
    for (const r of z) for (const v of r) if (Number.isFinite(v)) ((lo = Math.min(lo, v)), (hi = Math.max(hi, v)));
    const cw = SIZE / x.length;
    const ch = SIZE / y.length;
    if (ctx) {
      z.forEach((row, r) =>
        row.forEach((v, c) => {
          let rgb: [number, number, number];
          if (multiclass) {
            const hex = PALETTE[v % PALETTE.length];
            rgb = [1, 3, 5].map((k) => Math.round(255 - 0.35 * (255 - parseInt(hex.slice(k, k + 2), 16)))) as [number, number, number];
          } else rgb = diverging(v, Math.min(lo, -1e-12), Math.max(hi, 1e-12));
          ctx.fillStyle = `rgb(${rgb.join(',')})`;
          ctx.fillRect(Math.floor(c * cw), Math.floor(SIZE - (r + 1) * ch), Math.ceil(cw) + 1, Math.ceil(ch) + 1);
        }),
      );
    }
    canvas.dataset.cells = String(x.length * y.length);
  }

  const layer = (name: string, label: string) => {
    const gEl = svg('g', { 'data-layer': name });
    s.append(gEl);
    const id = `layer-${name}`;
    const cb = Object.assign(document.createElement('input'), { type: 'checkbox', id, checked: true });
    cb.addEventListener('change', () => (name === 'surface' ? (canvas.style.visibility = cb.checked ? 'visible' : 'hidden') : gEl.setAttribute('visibility', cb.checked ? 'visible' : 'hidden')));
    const lab = Object.assign(document.createElement('label'), { htmlFor: id, textContent: label });
    controls.append(cb, lab);
    return gEl;
  };
  if (g.surface) layer('surface', 'prediction surface');
  const hp = layer('hyperplanes', `hyperplanes (${g.gates.length})`);
  const nb = layer('neurons', `neuron boundaries (${active.length})`);
  const pts = layer('data', `data (${g.X.length})`);
  const line = (w: number[], attrs: Record<string, string | number>) => {
    const seg = clipLine(w[0], w[1], w[2] ?? 0, box);
    if (!seg) return null;
    return svg('line', { x1: sx(seg[0][0]), y1: sy(seg[0][1]), x2: sx(seg[1][0]), y2: sy(seg[1][1]), ...attrs });
  };
  for (const gate of g.gates) {
    const l = line(gate, { stroke: '#6b6b6b', 'stroke-width': 0.8, 'stroke-opacity': 0.55 });
    if (l) hp.append(l);
  }
  active.forEach((u, j) => {
    const l = line(u.boundary, { stroke: '#111', 'stroke-width': 2.4, 'stroke-dasharray': u.output[0] >= 0 ? '' : '6 3' });
    if (l) {
      l.append(svg('title', {}));
      l.firstChild!.textContent = `neuron ${j + 1}: boundary ${u.boundary.map((v) => fmtNum(v, 4)).join(', ')}; output weight ${u.output.map((v) => fmtNum(v, 4)).join(', ')}`;
      nb.append(l);
    }
  });
  let ylo = Infinity;
  let yhi = -Infinity;
  for (const v of g.y) if (Number.isFinite(v)) ((ylo = Math.min(ylo, v)), (yhi = Math.max(yhi, v)));
  g.X.forEach(([a, b], i) => {
    const v = g.y[i];
    const fill = g.task === 'regression' ? `rgb(${diverging(v, Math.min(ylo, -1e-12), Math.max(yhi, 1e-12)).join(',')})` : PALETTE[g.task === 'binary' ? (v > 0 ? 1 : 0) : v % PALETTE.length];
    pts.append(svg('circle', { cx: sx(a), cy: sy(b), r: 3.2, fill, stroke: '#000', 'stroke-width': 0.7 }));
  });
  view.append(controls, fig);
}

/**
 * Draw `fit1d`: data points, the fitted piecewise-linear function on its grid, the breakpoints.
 *
 * @example
 *   renderFit1d(run.fit1d, document.getElementById('view')!);
 */
export function renderFit1d(f: Fit1d, view: HTMLElement): void {
  const lo = Math.min(...f.grid);
  const hi = Math.max(...f.grid);
  const merged = mergeClose(f.breakpoints.filter((b) => b >= lo && b <= hi));
  // f at a breakpoint: linear interpolation on the grid (exact: the grid contains every breakpoint in range)
  const at = (t: number) => {
    let k = 1;
    while (k < f.grid.length - 1 && f.grid[k] < t) k++;
    const [a, b] = [f.grid[k - 1], f.grid[k]];
    const [pa, pb] = [f.prediction[k - 1] ?? NaN, f.prediction[k] ?? NaN];
    return b === a ? pa : pa + ((pb - pa) * (t - a)) / (b - a);
  };
  const xs = [...new Set([...f.x, ...f.grid, ...merged.map((m) => m.value)])].sort((a, b) => a - b);
  const idx = new Map(xs.map((v, i) => [v, i]));
  const data: Array<Array<number | null>> = [0, 1, 2].map(() => new Array(xs.length).fill(null));
  f.x.forEach((x, i) => (data[0][idx.get(x)!] = f.y[i]));
  f.grid.forEach((x, i) => (data[1][idx.get(x)!] = f.prediction[i]));
  merged.forEach((m) => (data[2][idx.get(m.value)!] = at(m.value)));
  view.append(
    Object.assign(document.createElement('p'), {
      className: 'lead',
      id: 'fit1d-summary',
      textContent: `${f.x.length} training points; ${merged.length} distinct breakpoints in the plotted range (${f.breakpoints.length} neuron kinks in all); the fit is linear between consecutive breakpoints.`,
    }),
  );
  chart(view, 'fit1d', 'Piecewise-linear fit with its breakpoints', { x: xs, ys: data, labels: ['data', 'network', 'breakpoints'] }, { xLabel: 'x', yLog: false, points: [true, false, true], sizes: [6, 4, 11] });
  const rows = merged.slice(0, 40).map((m) => `${fmtNum(m.value, 6)}${m.count > 1 ? ` (×${m.count})` : ''}`);
  const p = document.createElement('p');
  p.className = 'small';
  p.textContent = `Breakpoints: ${rows.join(', ')}${merged.length > 40 ? ', …' : ''}`;
  view.append(p);
}
