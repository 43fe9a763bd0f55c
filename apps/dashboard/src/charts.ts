/**
 * uPlot line/point charts with log axes; every chart is registered (window.__cvxnn.charts) so the
 * browser tests can read what was drawn.
 */
import uPlot from 'uplot';
import { type Aligned, PALETTE } from './transforms';

/** Charts on the page by name (the tests read series and point counts from here). */
export const registry: Record<string, uPlot> = {};

/**
 * Destroy every chart (before a view is redrawn).
 *
 * @example
 *   clearCharts(); // Object.keys(registry).length === 0
 */
export function clearCharts(): void {
  for (const [k, u] of Object.entries(registry)) {
    u.destroy();
    delete registry[k];
  }
}

/**
 * Append a titled figure with one uPlot chart of the aligned series.
 *
 * @example
 *   chart(view, 'history-time', 'Objective vs time', historySeries(h, 'time'), { xLabel: 'seconds', yLog: true });
 */
export function chart(parent: HTMLElement, name: string, title: string, s: Aligned, o: { xLabel: string; yLog: boolean; points?: boolean[]; sizes?: number[] }): uPlot {
  const fig = document.createElement('figure');
  fig.className = 'chart';
  fig.dataset.chart = name;
  const cap = document.createElement('figcaption');
  cap.id = `cap-${name}`;
  cap.textContent = title;
  const box = document.createElement('div');
  box.setAttribute('role', 'img');
  box.setAttribute('aria-labelledby', cap.id);
  box.setAttribute('aria-label', `${title}: ${s.labels.map((l, k) => `${l} (${s.ys[k].filter((v) => v !== null).length} points)`).join(', ')}`);
  fig.append(cap, box);
  parent.append(fig);
  const width = Math.max(320, Math.min(900, parent.clientWidth - 16 || 720));
  const hasData = s.ys.some((y) => y.some((v) => v !== null));
  const opts: uPlot.Options = {
    width,
    height: 300,
    scales: { x: { time: false }, y: o.yLog && hasData ? { distr: 3, log: 10 } : {} },
    axes: [
      { label: o.xLabel, stroke: '#222', grid: { stroke: '#e3e3e3' } },
      { stroke: '#222', grid: { stroke: '#e3e3e3' }, size: 70, values: (_u, vals) => vals.map((v) => (v === null ? '' : Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-2 && v !== 0) ? v.toExponential(0) : String(Number(v.toPrecision(4))))) },
    ],
    series: [
      { label: o.xLabel },
      ...s.labels.map((label, k) => {
        const onlyPoints = o.points?.[k] ?? false;
        return {
          label,
          stroke: PALETTE[k % PALETTE.length],
          width: onlyPoints ? 0 : 2,
          spanGaps: true,
          points: { show: onlyPoints || s.x.length < 60, size: o.sizes?.[k] ?? (onlyPoints ? 6 : 4), fill: PALETTE[k % PALETTE.length] },
          paths: onlyPoints ? () => null : undefined,
        } as uPlot.Series;
      }),
    ],
    legend: { live: true },
  };
  const u = new uPlot(opts, [s.x, ...s.ys] as uPlot.AlignedData, box);
  registry[name] = u;
  return u;
}
