/**
 * The dashboard page: run list, tabs, views. Data come from the `cvxnn dashboard` server's JSON
 * API (`/api/runs`, `/api/runs/:id`, live events on `/api/live`).
 */
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { parseRun, type Run, validateRun } from './format';
import { chart, clearCharts, registry } from './charts';
import { renderFit1d, renderGeometry } from './geometry';
import {
  compareSeries,
  flatten,
  fmtNum,
  groupNormSummary,
  historySeries,
  alignCurves,
  summaryRows,
  VIEW_LABELS,
  type ViewId,
  viewsFor,
} from './transforms';

interface RunInfo {
  id: string;
  name: string;
  bytes: number;
  live?: boolean;
}

interface Loaded {
  run?: Run;
  error?: string;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const state = {
  runs: [] as RunInfo[],
  loaded: new Map<string, Loaded>(),
  selected: '',
  active: 0,
  compare: new Set<string>(),
  /** the view asked for (kept across runs) and the one shown (the overview when the run lacks it) */
  view: 'overview' as ViewId,
  shown: 'overview' as ViewId,
  live: { progress: 0, final: false, run: null as Run | null },
};
const timings: Record<string, { bytes: number; fetchMs: number; parseMs: number; renderMs: number }> = {};
Object.assign(window, { __cvxnn: { state, charts: registry, timings } });

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function showError(msg: string | null): void {
  const box = $('error');
  box.hidden = !msg;
  box.textContent = msg ?? '';
}

async function load(info: RunInfo): Promise<Loaded> {
  const hit = state.loaded.get(info.id);
  if (hit) return hit;
  if (info.live) return { run: state.live.run ?? undefined, error: state.live.run ? undefined : 'waiting for the live fit to start…' };
  const t0 = performance.now();
  let out: Loaded;
  try {
    const res = await fetch(`api/runs/${encodeURIComponent(info.id)}`);
    if (!res.ok) throw new Error(`the server answered ${res.status} for ${info.name}: ${await res.text()}`);
    const text = await res.text();
    const t1 = performance.now();
    const run = parseRun(text, info.name);
    timings[info.id] = { bytes: text.length, fetchMs: t1 - t0, parseMs: performance.now() - t1, renderMs: NaN };
    out = { run };
  } catch (e) {
    out = { error: (e as Error).message };
  }
  state.loaded.set(info.id, out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// run list (a listbox: ↑/↓/Home/End move, Enter/Space show, x or the checkbox ticks for comparison)

function renderRunList(): void {
  const ul = $('run-list');
  ul.replaceChildren();
  $('runs-empty').hidden = state.runs.length > 0;
  state.runs.forEach((r, i) => {
    const li = el('li', { id: `run-${r.id}`, role: 'option', 'aria-selected': String(r.id === state.selected), 'data-run': r.id });
    if (i === state.active) li.classList.add('active');
    const box = el('input', { type: 'checkbox', tabindex: '-1', 'aria-label': `compare ${r.name}` });
    box.checked = state.compare.has(r.id);
    box.addEventListener('click', (ev) => {
      ev.stopPropagation();
      toggleCompare(r.id);
    });
    const loaded = state.loaded.get(r.id);
    const kind = loaded?.run?.kind ?? (loaded?.error ? 'error' : r.live ? 'live' : '');
    li.append(box, el('span', { class: 'name' }, r.name), el('span', { class: `kind kind-${kind}` }, kind));
    li.addEventListener('click', () => {
      state.active = i;
      void select(r.id);
    });
    ul.append(li);
  });
  const cur = state.runs[state.active];
  if (cur) ul.setAttribute('aria-activedescendant', `run-${cur.id}`);
}

function toggleCompare(id: string): void {
  if (state.compare.has(id)) state.compare.delete(id);
  else state.compare.add(id);
  renderRunList();
  void renderView();
}

$('run-list').addEventListener('keydown', (ev) => {
  const n = state.runs.length;
  if (!n) return;
  const keys: Record<string, () => void> = {
    ArrowDown: () => (state.active = Math.min(n - 1, state.active + 1)),
    ArrowUp: () => (state.active = Math.max(0, state.active - 1)),
    Home: () => (state.active = 0),
    End: () => (state.active = n - 1),
    Enter: () => void select(state.runs[state.active].id),
    ' ': () => void select(state.runs[state.active].id),
    x: () => toggleCompare(state.runs[state.active].id),
  };
  const f = keys[ev.key];
  if (!f) return;
  ev.preventDefault();
  f();
  renderRunList();
});

// ---------------------------------------------------------------------------------------------
// tabs (roving tabindex; ←/→/Home/End move and show)

function renderTabs(views: ViewId[]): void {
  const tl = $('tabs');
  tl.replaceChildren();
  for (const v of views) {
    const b = el('button', { role: 'tab', id: `tab-${v}`, 'aria-controls': 'view', 'aria-selected': String(v === state.shown), tabindex: v === state.shown ? '0' : '-1', 'data-view': v }, VIEW_LABELS[v]);
    b.addEventListener('click', () => void showView(v));
    tl.append(b);
  }
  $('view').setAttribute('aria-labelledby', `tab-${state.shown}`);
}

$('tabs').addEventListener('keydown', (ev) => {
  const tabs = [...$('tabs').querySelectorAll<HTMLButtonElement>('[role=tab]')];
  const i = Math.max(0, tabs.findIndex((t) => t.dataset.view === state.shown));
  const next: Record<string, number> = { ArrowRight: (i + 1) % tabs.length, ArrowLeft: (i - 1 + tabs.length) % tabs.length, Home: 0, End: tabs.length - 1 };
  if (!(ev.key in next)) return;
  ev.preventDefault();
  const v = tabs[next[ev.key]].dataset.view as ViewId;
  void showView(v).then(() => $(`tab-${v}`)?.focus());
});

async function showView(v: ViewId): Promise<void> {
  state.view = v;
  await renderView();
}

async function select(id: string): Promise<void> {
  state.selected = id;
  state.active = Math.max(0, state.runs.findIndex((r) => r.id === id));
  history.replaceState(null, '', `#run=${encodeURIComponent(id)}&view=${state.view}`);
  await renderView();
  renderRunList();
}

// ---------------------------------------------------------------------------------------------
// views

function table(rows: Array<[string, string, string?]>, caption: string, cls = 'kv'): HTMLTableElement {
  const t = el('table', { class: cls });
  t.append(el('caption', {}, caption));
  const body = el('tbody');
  for (const [k, v, key] of rows) {
    const tr = el('tr');
    tr.append(el('th', { scope: 'row' }, k), el('td', key ? { 'data-key': key } : {}, v));
    body.append(tr);
  }
  t.append(body);
  return t;
}

function overview(run: Run, view: HTMLElement, others: Array<{ info: RunInfo; run: Run }>): void {
  const d = run.data;
  view.append(
    el('p', { class: 'lead' }, `${run.kind} run on ${d.name ?? 'data'} (n = ${d.n ?? '?'}, d = ${d.d ?? '?'}${d.task ? `, ${d.task}` : ''}), written ${run.createdAt}`),
    table(summaryRows(run).map(([k, v, key]) => [k, fmtNum(v), key]), 'Result'),
  );
  if (run.warnings?.length) {
    const ul = el('ul', { class: 'warnings', 'aria-label': 'warnings' });
    for (const w of run.warnings) ul.append(el('li', {}, w));
    view.append(el('h3', {}, 'Warnings'), ul);
  }
  if (others.length >= 2) {
    const t = el('table', { class: 'grid', id: 'compare-table' });
    t.append(el('caption', {}, `Compared runs (${others.length})`));
    const keys = [...new Set(others.flatMap((o) => summaryRows(o.run).map((r) => r[0])))];
    const head = el('tr');
    head.append(el('th', { scope: 'col' }, 'quantity'), ...others.map((o) => el('th', { scope: 'col' }, o.info.name)));
    const body = el('tbody');
    for (const k of keys) {
      const tr = el('tr');
      tr.append(el('th', { scope: 'row' }, k), ...others.map((o) => el('td', {}, fmtNum(summaryRows(o.run).find((r) => r[0] === k)?.[1]))));
      body.append(tr);
    }
    t.append(el('thead', {}, undefined), body);
    t.querySelector('thead')?.append(head);
    view.append(t);
  }
}

function convergence(run: Run, view: HTMLElement, others: Array<{ info: RunInfo; run: Run }>): void {
  const h = run.history ?? [];
  view.append(el('p', { class: 'lead' }, `${h.length} recorded points; objective and certificate (${run.certificate?.kind ?? 'certificate'}) on log scales.`));
  for (const axis of ['iteration', 'time'] as const) {
    const s = historySeries(h, axis);
    chart(view, `history-${axis}`, `Objective and certificate vs ${axis === 'time' ? 'time (s)' : 'iterations'}`, s, { xLabel: axis === 'time' ? 'seconds' : 'iteration', yLog: true });
  }
  const withHistory = others.filter((o) => o.run.history?.length);
  if (withHistory.length >= 2) {
    const s = alignCurves(withHistory.map((o) => ({ label: o.info.name, points: (o.run.history ?? []).map((p): [number, number | null] => [p.timeSeconds, p.certificate]) })));
    chart(view, 'history-runs', 'Certificate vs time, compared runs', s, { xLabel: 'seconds', yLog: true });
  }
}

function compareView(run: Run, view: HTMLElement): void {
  const curves = run.curves ?? [];
  const convex = (run.convex as { objective?: number } | undefined)?.objective;
  view.append(el('p', { class: 'lead' }, `${curves.map((c) => `${c.method}: ${c.points.length} points`).join(', ')}. Same objective (data term + weight decay) for every method.`));
  chart(view, 'compare-time', 'Objective vs time (s)', compareSeries(curves, 'time'), { xLabel: 'seconds', yLog: true });
  chart(view, 'compare-iteration', 'Objective vs iterations / steps', compareSeries(curves, 'iteration'), { xLabel: 'iteration', yLog: true });
  if (typeof convex === 'number') {
    chart(view, 'compare-gap', `Excess over the convex optimum ${fmtNum(convex)} vs time (s)`, compareSeries(curves, 'time', convex), { xLabel: 'seconds', yLog: true });
  }
}

function neurons(run: Run, view: HTMLElement): void {
  const g = groupNormSummary(run.groupNorms ?? []);
  view.append(
    el('p', { class: 'lead', id: 'neuron-summary' }, `${run.activeNeurons ?? g.active} active neurons of ${run.patterns ?? g.sorted.length} patterns (the run's count); ${g.active} group norms exceed 10⁻⁶ × the largest.`),
  );
  const s = { x: g.sorted.map((_, i) => i + 1), ys: [g.sorted.map((v) => (v > 0 ? v : null))], labels: ['group norm ‖u_i‖ + ‖v_i‖'] };
  chart(view, 'group-norms', 'Group norms, largest first (log scale)', s, { xLabel: 'rank', yLog: true, points: [true] });
  const top = g.index.slice(0, Math.min(10, g.active)).map((i, r): [string, string] => [`#${r + 1}: pattern ${i}`, fmtNum(g.sorted[r])]);
  if (top.length) view.append(table(top, 'Largest group norms'));
}

function eigenvalues(run: Run, view: HTMLElement): void {
  const ev = (run.eigenvalues ?? []).filter((v): v is number => typeof v === 'number').sort((a, b) => b - a);
  const nz = ev.filter((v) => Math.abs(v) > 1e-8 * Math.max(1e-300, ...ev.map(Math.abs))).length;
  view.append(el('p', { class: 'lead', id: 'eig-summary' }, `${ev.length} eigenvalues of A, ${nz} non-zero (rank ${fmtNum(run.rank ?? nz)}); A = Σ_j v_j v_jᵀ p_j, so the number of non-zero eigenvalues is the width of the recovered layer.`));
  chart(view, 'eigenvalues', 'Eigenvalues of A, largest first', { x: ev.map((_, i) => i + 1), ys: [ev], labels: ['eigenvalue'] }, { xLabel: 'index', yLog: false, points: [true] });
}

function optionsView(run: Run, view: HTMLElement): void {
  const env = run.environment as Record<string, unknown>;
  view.append(
    table(flatten(env).map(([k, v]) => [k, v, `environment.${k}`]), 'Environment (backend, precision, machine)'),
    table(flatten(run.options).map(([k, v]) => [k, v, `options.${k}`]), 'Options'),
    table(flatten(run.data as Record<string, unknown>).map(([k, v]) => [k, v, `data.${k}`]), 'Data'),
  );
}

async function renderView(): Promise<void> {
  const view = $('view');
  clearCharts();
  view.replaceChildren();
  const info = state.runs.find((r) => r.id === state.selected);
  if (!info) {
    $('run-title').textContent = state.runs.length ? 'Choose a run' : 'No runs';
    renderTabs([]);
    return;
  }
  const t0 = performance.now();
  const got = await load(info);
  if (!got.run) {
    $('run-title').textContent = `${info.name}: not shown`;
    showError(got.error ?? 'unknown error');
    renderTabs([]);
    view.dataset.state = 'error';
    return;
  }
  showError(null);
  const run = got.run;
  const views = viewsFor(run);
  // the wanted view is kept (a live run gains its history later); meanwhile the overview is shown
  state.shown = views.includes(state.view) ? state.view : 'overview';
  $('run-title').textContent = `${info.name} — ${run.kind}${run.status ? ` (${run.status})` : ''}`;
  renderTabs(views);
  const others: Array<{ info: RunInfo; run: Run }> = [];
  for (const id of state.compare) {
    const oi = state.runs.find((r) => r.id === id);
    const o = oi ? await load(oi) : undefined;
    if (oi && o?.run) others.push({ info: oi, run: o.run });
  }
  view.dataset.state = 'ok';
  view.dataset.view = state.shown;
  switch (state.shown) {
    case 'overview':
      overview(run, view, others);
      break;
    case 'convergence':
      convergence(run, view, others);
      break;
    case 'compare':
      compareView(run, view);
      break;
    case 'neurons':
      neurons(run, view);
      break;
    case 'geometry':
      renderGeometry(run.geometry2d!, view, Array.isArray(run.data.classes) ? (run.data.classes as string[]) : undefined);
      break;
    case 'fit1d':
      renderFit1d(run.fit1d!, view);
      break;
    case 'eigenvalues':
      eigenvalues(run, view);
      break;
    case 'options':
      optionsView(run, view);
      break;
  }
  if (info.live && !state.live.final && state.shown === 'convergence') document.body.dataset.liveDrawn = String(run.history?.length ?? 0);
  if (timings[info.id] && Number.isNaN(timings[info.id].renderMs)) timings[info.id].renderMs = performance.now() - t0;
  history.replaceState(null, '', `#run=${encodeURIComponent(info.id)}&view=${state.shown}`);
}

// ---------------------------------------------------------------------------------------------
// live mode: server-sent events from `cvxnn fit --dashboard`

function startLive(info: RunInfo): void {
  const status = $('live-status');
  status.hidden = false;
  status.textContent = 'live: waiting for the fit…';
  document.body.dataset.live = 'waiting';
  const es = new EventSource('api/live');
  let pending = false;
  const redraw = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      if (state.selected === info.id) void renderView();
    });
  };
  es.addEventListener('start', (ev) => {
    const s = JSON.parse((ev as MessageEvent<string>).data) as Record<string, unknown>;
    state.live.run = { cvxnnRun: 1, kind: 'fit', createdAt: new Date().toISOString(), options: (s.options as Record<string, unknown>) ?? {}, environment: {}, data: (s.data as Run['data']) ?? {}, status: 'running', history: [] };
    document.body.dataset.live = 'running';
    redraw();
  });
  es.addEventListener('progress', (ev) => {
    const p = JSON.parse((ev as MessageEvent<string>).data);
    state.live.progress++;
    state.live.run?.history?.push(p);
    document.body.dataset.liveProgress = String(state.live.progress);
    status.textContent = `live: iteration ${p.iteration}, certificate ${fmtNum(p.certificate, 3)}, objective ${fmtNum(p.objective, 8)}`;
    redraw();
  });
  es.addEventListener('final', (ev) => {
    try {
      state.live.run = validateRun(JSON.parse((ev as MessageEvent<string>).data), 'the live run');
      status.textContent = `live: finished (${state.live.run.status}), ${state.live.progress} progress events received`;
    } catch (e) {
      status.textContent = `live: the final result could not be read: ${(e as Error).message}`;
    }
    state.live.final = true;
    document.body.dataset.live = 'final';
    es.close();
    renderRunList();
    redraw();
  });
  es.onerror = () => {
    if (!state.live.final) status.textContent = 'live: connection lost (did the fit stop?)';
  };
}

async function main(): Promise<void> {
  try {
    const res = await fetch('api/runs');
    if (!res.ok) throw new Error(`GET api/runs answered ${res.status}`);
    state.runs = (await res.json()) as RunInfo[];
  } catch (e) {
    showError(`cannot list the runs: ${(e as Error).message}. Is \`cvxnn dashboard\` still running?`);
    $('run-title').textContent = 'No connection';
    return;
  }
  const hash = new URLSearchParams(location.hash.slice(1));
  const wanted = hash.get('run');
  const v = hash.get('view') as ViewId | null;
  if (v && v in VIEW_LABELS) state.view = v;
  renderRunList();
  const live = state.runs.find((r) => r.live);
  if (live) startLive(live);
  if (state.runs.length) await select(state.runs.find((r) => r.id === wanted)?.id ?? state.runs[0].id);
  else renderTabs([]);
  document.body.dataset.ready = 'true';
}

void main();
