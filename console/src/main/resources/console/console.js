// PACS migration console: plain ES2020, no build step, no external resources.
// Every piece of data is inserted as text (textContent / text nodes / attributes), never as HTML.
'use strict';

(() => {
  const REFRESH_MS = 3000;
  const MAX_CHART_POINTS = 300;
  const STALE_AFTER_S = 60;
  const STATES = ['INDEXED', 'RETRIEVING', 'RETRIEVED', 'FORWARDING', 'FORWARDED', 'VERIFIED', 'FAILED'];
  const TERMINAL_STATES = ['VERIFIED', 'FAILED'];
  const STAGE_ORDER = ['index', 'retrieve', 'forward', 'verify'];
  const COLORS = {
    total: '#64748b', verified: '#15803d', failed: '#dc2626', sent: '#2563eb',
    index: '#ca8a04', retrieve: '#2563eb', forward: '#9333ea', verify: '#0891b2', other: '#475569',
  };
  const API = {
    progress: 'api/progress',
    history: 'api/history',
    failures: 'api/failures',
    studies: 'api/studies',
    replay: 'api/replay',
    stages: 'api/stages',
    control: 'api/control',
    priority: 'api/priority',
  };

  // ---------------------------------------------------------------- DOM helpers

  const SVG_NS = 'http://www.w3.org/2000/svg';

  function setAttrs(node, attrs) {
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : String(value));
    }
  }

  function appendChildren(node, children) {
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : String(child)); // strings become text nodes
    }
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    setAttrs(node, attrs);
    appendChildren(node, children);
    return node;
  }

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    setAttrs(node, attrs);
    appendChildren(node, children);
    return node;
  }

  function $(id) {
    return document.getElementById(id);
  }

  function replaceContent(node, ...children) {
    node.replaceChildren();
    appendChildren(node, children);
  }

  // ---------------------------------------------------------------- formatting

  function int(n) {
    return Number.isFinite(Number(n)) ? String(Math.round(Number(n))) : '0';
  }

  function pct(part, whole) {
    if (!whole) return '–';
    return `${(100 * part / whole).toFixed(1)} %`;
  }

  function pad2(n) {
    return String(n).padStart(2, '0');
  }

  // Epoch milliseconds of an ISO-8601 timestamp; also accepts epoch seconds (Jackson's default for Instant
  // is a number like 1764531600.123456789) and epoch milliseconds. NaN when unreadable.
  function toMillis(value) {
    if (value === null || value === undefined || value === '') return NaN;
    const n = typeof value === 'number' ? value : (/^-?\d+(\.\d+)?$/.test(String(value)) ? Number(value) : NaN);
    if (Number.isFinite(n)) return Math.abs(n) < 1e11 ? n * 1000 : n;
    return Date.parse(String(value));
  }

  function formatTime(value) {
    if (value === null || value === undefined || value === '') return '–';
    const d = new Date(toMillis(value));
    if (Number.isNaN(d.getTime())) return String(value);
    return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} `
      + `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
  }

  function formatClock(ms, withSeconds) {
    const d = new Date(ms);
    return `${pad2(d.getHours())}:${pad2(d.getMinutes())}${withSeconds ? ':' + pad2(d.getSeconds()) : ''}`;
  }

  function formatAxisNumber(v) {
    if (v >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
    if (v >= 1e4) return `${+(v / 1e3).toFixed(0)}k`;
    if (v >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
    return Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 1 : 0);
  }

  function title(s) {
    return s ? s.charAt(0).toUpperCase() + s.slice(1) : '';
  }

  function stageRank(stage) {
    const i = STAGE_ORDER.indexOf(stage);
    return i < 0 ? STAGE_ORDER.length : i;
  }

  // ---------------------------------------------------------------- API and errors

  // The console token: asked for once per tab, kept in sessionStorage (gone when the tab closes), sent as a
  // header with every API request. Never put into a URL (URLs end up in logs and the browser's history).
  const TOKEN_KEY = 'pacsmig.console.token';

  function token() {
    return sessionStorage.getItem(TOKEN_KEY);
  }

  class SignInNeeded extends Error {}

  function askForToken(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    $('sign-in').hidden = false;
    $('sign-out').hidden = true;
    $('refresh-status').textContent = 'Waiting for the console token';
    const note = $('token-message');
    note.textContent = message || '';
    note.hidden = !message;
    $('token-input').focus();
  }

  // fetch with the token; a 401 forgets it and asks again
  async function authorizedFetch(path, method, accept) {
    const t = token();
    if (!t) {
      askForToken();
      throw new SignInNeeded('no console token');
    }
    const headers = { Accept: accept, Authorization: `Bearer ${t}` };
    if (method !== 'GET') headers['Content-Type'] = 'application/json';
    let response;
    try {
      response = await fetch(path, { method, headers, cache: 'no-store' });
    } catch (e) {
      throw new Error(`${method} ${path}: ${e.message || e}`);
    }
    if (response.status === 401) {
      askForToken('The console did not accept this token. Enter the current one.');
      throw new SignInNeeded('token not accepted');
    }
    return response;
  }

  async function api(path, options = {}) {
    const method = options.method || 'GET';
    const response = await authorizedFetch(path, method, 'application/json');
    const body = await response.text();
    if (!response.ok) {
      const err = new Error(`${method} ${path}: HTTP ${response.status}${body ? ' – ' + body.slice(0, 300) : ''}`);
      err.status = response.status;
      throw err;
    }
    try {
      return body ? JSON.parse(body) : null;
    } catch (e) {
      throw new Error(`${method} ${path}: invalid JSON (${e.message})`);
    }
  }

  // The report is fetched with the token and handed to the browser as a file (a plain link could not send it).
  async function downloadReport(event) {
    const button = event.currentTarget;
    const name = button.dataset.report;
    const notice = $('report-result');
    const buttons = document.querySelectorAll('button[data-report]');
    buttons.forEach((b) => { b.disabled = true; });
    showNotice(notice, `Writing the report (${name})…`, '');
    try {
      const response = await authorizedFetch(`api/${name}`, 'GET', '*/*');
      if (!response.ok) {
        const text = (await response.text()).trim();
        throw new Error(`HTTP ${response.status}${text ? ' – ' + text.slice(0, 300) : ''}`);
      }
      const url = URL.createObjectURL(await response.blob());
      const link = el('a', { href: url, download: name, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      showNotice(notice, `Report ${name} downloaded.`, 'ok');
      clearError('report');
    } catch (e) {
      if (e instanceof SignInNeeded) {
        notice.hidden = true;
        return;
      }
      showNotice(notice, `The report could not be written: ${e.message || e}`, 'bad');
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  }

  const errors = new Map(); // source -> message

  function reportError(source, err) {
    if (err instanceof SignInNeeded) return; // the sign-in card says it
    const message = err && err.message ? err.message : String(err);
    console.error(`[console] ${source}: ${message}`);
    errors.set(source, message);
    renderErrors();
  }

  function clearError(source) {
    if (errors.delete(source)) renderErrors();
  }

  function renderErrors() {
    const banner = $('error');
    replaceContent($('error-list'), [...errors.entries()].map(([source, msg]) => el('li', {}, el('b', {}, source), ': ', msg)));
    banner.hidden = errors.size === 0;
  }

  function showNotice(node, text, kind) {
    node.className = `notice ${kind || ''}`;
    node.textContent = text;
    node.hidden = false;
  }

  // ---------------------------------------------------------------- header and tiles

  function renderHeader(progress) {
    $('migration-id').textContent = progress.migrationId || '–';
    const at = $('data-at');
    at.textContent = formatTime(progress.at);
    const atMs = toMillis(progress.at);
    at.setAttribute('datetime', Number.isFinite(atMs) ? new Date(atMs).toISOString() : '');
    at.title = Number.isFinite(atMs) ? `${new Date(atMs).toISOString()} (UTC)` : '';
    const ageS = Number.isFinite(atMs) ? Math.max(0, Math.round((Date.now() - atMs) / 1000)) : NaN;
    const status = $('refresh-status');
    status.textContent = `Refreshed ${formatClock(Date.now(), true)}`
      + (Number.isFinite(ageS) && ageS > STALE_AFTER_S ? ` · data is ${ageS} s old` : '');
    status.classList.toggle('stale', Number.isFinite(ageS) && ageS > STALE_AFTER_S);
    $('migration-eta').textContent = progress.eta || '–';
  }

  function setTile(id, value, note, noteId) {
    $(id).textContent = int(value);
    if (noteId) {
      $(noteId).textContent = note || '';
      $(noteId).title = note || '';
    }
  }

  function renderTiles(progress) {
    const studies = progress.studies || {};
    const byState = studies.byState || {};
    const total = studies.total || 0;
    const verified = byState.VERIFIED || 0;
    const failed = byState.FAILED || 0;
    const inProgress = Object.entries(byState)
      .filter(([state]) => !TERMINAL_STATES.includes(state))
      .reduce((sum, [, n]) => sum + (n || 0), 0);
    const busyStates = STATES.filter((s) => !TERMINAL_STATES.includes(s) && byState[s])
      .map((s) => `${int(byState[s])} ${s.toLowerCase()}`);
    const instances = progress.instances || {};
    const dead = progress.deadLetters || { total: 0, byStage: {} };
    const deadByStage = Object.entries(dead.byStage || {})
      .map(([stage, cats]) => `${stage} ${int(Object.values(cats || {}).reduce((a, b) => a + (b || 0), 0))}`);

    setTile('total-studies', total, `${int(verified + failed)} finished`, 'total-studies-note');
    setTile('verified-studies', verified, pct(verified, total), 'verified-studies-note');
    setTile('failed-studies', failed, pct(failed, total), 'failed-studies-note');
    setTile('in-progress-studies', inProgress, busyStates.join(' · ') || 'none', 'in-progress-studies-note');
    setTile('dead-letter-total', dead.total || 0, deadByStage.join(' · ') || 'none pending', 'dead-letter-note');
    setTile('instances-expected', instances.expected, `${int(instances.retrieved)} retrieved`, 'instances-retrieved-note');
    setTile('instances-sent', instances.sent, `${pct(instances.sent, instances.expected)} of expected`, 'instances-sent-note');
    setTile('instances-confirmed', instances.confirmed, `${pct(instances.confirmed, instances.expected)} of expected`,
      'instances-confirmed-note');
  }

  // ---------------------------------------------------------------- charts (hand-made SVG)

  function niceStep(raw) {
    const exp = Math.pow(10, Math.floor(Math.log10(raw)));
    const f = raw / exp;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * exp;
  }

  function decimate(samples, max) {
    if (samples.length <= max) return samples;
    const step = samples.length / max;
    const out = [];
    for (let i = 0; i < max; i++) out.push(samples[Math.floor(i * step)]);
    if (out[out.length - 1] !== samples[samples.length - 1]) out.push(samples[samples.length - 1]);
    return out;
  }

  // series: [{name, color, points: [{t: epochMs, v: number}]}]
  function lineChart(container, series, options = {}) {
    const W = 560, H = 210, M = { l: 48, r: 14, t: 12, b: 26 };
    const all = series.flatMap((s) => s.points);
    if (all.length === 0) {
      replaceContent(container, el('div', { class: 'chart-empty' }, options.emptyText || 'No data yet'));
      return;
    }
    let t0 = Math.min(...all.map((p) => p.t));
    let t1 = Math.max(...all.map((p) => p.t));
    if (t1 - t0 < 60000) { t0 -= 30000; t1 += 30000; }
    const vMax = Math.max(...all.map((p) => p.v), 0);
    const yStep = niceStep(Math.max(vMax, 1) / 4);
    const yTop = Math.max(yStep, Math.ceil(vMax / yStep) * yStep);
    const x = (t) => M.l + (W - M.l - M.r) * (t - t0) / (t1 - t0);
    const y = (v) => H - M.b - (H - M.t - M.b) * v / yTop;

    const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'line-chart', role: 'img', 'aria-label': options.label || '' });
    for (let v = 0; v <= yTop + 1e-9; v += yStep) {
      chart.append(svg('line', { x1: M.l, x2: W - M.r, y1: y(v), y2: y(v), class: v === 0 ? 'axis' : 'grid' }));
      chart.append(svg('text', { x: M.l - 6, y: y(v) + 4, class: 'tick', 'text-anchor': 'end' }, formatAxisNumber(v)));
    }
    const withSeconds = t1 - t0 < 10 * 60000;
    for (let i = 0; i <= 4; i++) {
      const t = t0 + (t1 - t0) * i / 4;
      const anchor = i === 0 ? 'start' : i === 4 ? 'end' : 'middle';
      chart.append(svg('line', { x1: x(t), x2: x(t), y1: H - M.b, y2: H - M.b + 4, class: 'axis' }));
      chart.append(svg('text', { x: x(t), y: H - 8, class: 'tick', 'text-anchor': anchor }, formatClock(t, withSeconds)));
    }
    chart.append(svg('line', { x1: M.l, x2: M.l, y1: M.t, y2: H - M.b, class: 'axis' }));
    for (const s of series) {
      if (s.points.length === 0) continue;
      const d = s.points.map((p, i) => `${i ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ');
      chart.append(svg('path', { d, fill: 'none', stroke: s.color, 'stroke-width': 2, 'stroke-linejoin': 'round' },
        svg('title', {}, s.name)));
      const last = s.points[s.points.length - 1];
      chart.append(svg('circle', { cx: x(last.t), cy: y(last.v), r: 3, fill: s.color }));
    }
    const legend = el('div', { class: 'chart-legend' }, series.map((s) => {
      const last = s.points.length ? s.points[s.points.length - 1].v : null;
      return el('span', { class: 'legend-item' },
        el('span', { class: 'swatch', style: `background:${s.color}` }), s.name,
        last === null ? '' : el('b', {}, ' ', options.valueFormat ? options.valueFormat(last) : formatAxisNumber(last)));
    }));
    replaceContent(container, chart, legend);
  }

  function renderProgressChart(samples) {
    const pts = (key) => samples.map((h) => ({ t: h.t, v: Number(h[key]) || 0 }));
    lineChart($('chart-progress'), [
      { name: 'Total', color: COLORS.total, points: pts('total') },
      { name: 'Verified', color: COLORS.verified, points: pts('verified') },
      { name: 'Failed', color: COLORS.failed, points: pts('failed') },
    ], { label: 'Studies over time', emptyText: 'No history yet' });
  }

  function renderThroughputChart(samples) {
    const points = [];
    for (let i = 1; i < samples.length; i++) {
      const dt = (samples[i].t - samples[i - 1].t) / 1000;
      if (dt <= 0) continue;
      const dSent = (Number(samples[i].instancesSent) || 0) - (Number(samples[i - 1].instancesSent) || 0);
      points.push({ t: samples[i].t, v: Math.max(0, dSent / dt) }); // a negative step is a counter restart
    }
    lineChart($('chart-throughput'), [{ name: 'Instances / s', color: COLORS.sent, points }],
      { label: 'Instances sent per second', emptyText: 'Needs two history samples', valueFormat: (v) => v.toFixed(1) });
  }

  function renderLagChart(samples) {
    const stages = [...new Set(samples.flatMap((h) => Object.keys(h.lag || {})))]
      .sort((a, b) => stageRank(a) - stageRank(b) || a.localeCompare(b));
    lineChart($('chart-lag'), stages.map((stage) => ({
      name: title(stage),
      color: COLORS[stage] || COLORS.other,
      points: samples.filter((h) => h.lag && Number(h.lag[stage]) >= 0).map((h) => ({ t: h.t, v: Number(h.lag[stage]) })),
    })), { label: 'Consumer lag per stage', emptyText: 'No history yet' });
  }

  function renderHistory(history) {
    const samples = decimate((history || [])
      .map((h) => ({ ...h, t: toMillis(h.at) }))
      .filter((h) => Number.isFinite(h.t)), MAX_CHART_POINTS);
    renderProgressChart(samples);
    renderThroughputChart(samples);
    renderLagChart(samples);
  }

  // ---------------------------------------------------------------- coverage calendar

  const INDEX_STATE_LABEL = { DONE: 'indexed', PENDING: 'indexing pending', FAILED: 'indexing failed', NOT_INDEXED: 'not indexed' };
  const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
  let lastCalendarKey = null;

  function dayClass(day) {
    const state = String(day.indexState || 'NOT_INDEXED').toLowerCase().replace(/_/g, '-');
    let level = '';
    if (day.indexState === 'DONE') {
      const f = day.studies ? (day.verified || 0) / day.studies : null;
      level = f === null ? 'lvl-none' : f >= 1 ? 'lvl-4' : f >= 0.9 ? 'lvl-3' : f >= 0.5 ? 'lvl-2' : f > 0 ? 'lvl-1' : 'lvl-0';
    }
    return `cal-day state-${state} ${level}${day.failed ? ' has-failed' : ''}`;
  }

  function dayTooltip(day, label) {
    const studies = day.studies || 0;
    return `${label}\n${title(INDEX_STATE_LABEL[day.indexState] || String(day.indexState))}\n`
      + `${int(studies)} studies · ${int(day.verified)} verified (${pct(day.verified || 0, studies)}) · ${int(day.failed)} failed`;
  }

  function dayCell(day, label) {
    return el('span', {
      class: dayClass(day), 'data-day': day.day, 'data-studies': int(day.studies), 'data-verified': int(day.verified),
      'data-failed': int(day.failed), 'data-index-state': day.indexState, title: dayTooltip(day, label),
    });
  }

  function monthBlock(year, month, days) {
    const first = new Date(Date.UTC(year, month, 1));
    const offset = (first.getUTCDay() + 6) % 7; // Monday = 0
    const length = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
    const byDom = new Map(days.map((d) => [Number(d.day.slice(8, 10)), d]));
    const grid = el('div', { class: 'cal-grid' });
    for (let dom = 1; dom <= length; dom++) {
      const weekday = (offset + dom - 1) % 7;
      const date = new Date(Date.UTC(year, month, dom));
      const label = `${date.toISOString().slice(0, 10)} (${WEEKDAYS[weekday]})`;
      const day = byDom.get(dom);
      const cell = day ? dayCell(day, label) : el('span', { class: 'cal-blank', title: `${label}\nnot in the migration range` });
      cell.style.gridRow = String(weekday + 1);
      cell.style.gridColumn = String(Math.floor((offset + dom - 1) / 7) + 1);
      grid.append(cell);
    }
    return el('div', { class: 'cal-month' }, el('div', { class: 'cal-month-label' }, MONTHS[month]), grid);
  }

  function calendarSummary(days) {
    const sum = (k) => days.reduce((a, d) => a + (Number(d[k]) || 0), 0);
    const byState = {};
    for (const d of days) byState[d.indexState] = (byState[d.indexState] || 0) + 1;
    const states = Object.entries(byState).map(([s, n]) => `${int(n)} ${INDEX_STATE_LABEL[s] || s}`).join(' · ');
    return el('div', { class: 'cal-summary' },
      `${int(days.length)} days · ${int(sum('studies'))} studies · ${int(sum('verified'))} verified · `
      + `${int(sum('failed'))} failed`, el('span', { class: 'muted' }, states ? ` — ${states}` : ''));
  }

  function renderCalendar(days) {
    days = days || [];
    const key = JSON.stringify(days);
    if (key === lastCalendarKey) return;
    lastCalendarKey = key;
    const container = $('calendar');
    const dated = days.filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d.day || '')).sort((a, b) => a.day.localeCompare(b.day));
    const undated = days.filter((d) => !dated.includes(d));
    const months = new Map(); // 'YYYY-MM' -> days
    for (const d of dated) {
      const ym = d.day.slice(0, 7);
      if (!months.has(ym)) months.set(ym, []);
      months.get(ym).push(d);
    }
    const years = new Map(); // year -> [month blocks]
    for (const [ym, list] of months) {
      const year = Number(ym.slice(0, 4));
      if (!years.has(year)) years.set(year, []);
      years.get(year).push(monthBlock(year, Number(ym.slice(5, 7)) - 1, list));
    }
    const rows = [...years.entries()].map(([year, blocks]) =>
      el('div', { class: 'cal-year' },
        el('div', { class: 'cal-year-label' }, String(year)),
        el('div', { class: 'cal-weekdays' }, WEEKDAYS.map((w, i) => el('span', {}, i % 2 === 0 ? w : ''))),
        el('div', { class: 'cal-months' }, blocks)));
    const undatedBlock = undated.length === 0 ? null : el('div', { class: 'cal-undated' },
      el('span', { class: 'cal-month-label' }, 'Undated'),
      undated.map((d) => dayCell(d, 'Studies without a study date')));
    replaceContent(container, days.length ? calendarSummary(days) : el('div', { class: 'muted' }, 'No days indexed yet'),
      rows, undatedBlock);
    container.dataset.loaded = 'true';
  }

  function renderCalendarLegend() {
    const item = (cls, text) => el('span', { class: 'legend-item' }, el('span', { class: `cal-day ${cls}` }), text);
    replaceContent($('calendar-legend'),
      item('state-not-indexed', 'Not indexed'), item('state-pending', 'Indexing pending'),
      item('state-failed', 'Indexing failed'), item('state-done lvl-none', 'No studies'),
      el('span', { class: 'legend-item' }, 'Verified: 0 %',
        ['lvl-0', 'lvl-1', 'lvl-2', 'lvl-3', 'lvl-4'].map((l) => el('span', { class: `cal-day state-done ${l}` })), '100 %'),
      item('state-done lvl-2 has-failed', 'Has failed studies'));
  }

  // ---------------------------------------------------------------- stages

  const stageActions = new Set(); // stages with a pause/resume in flight

  async function toggleStage(stage, action) {
    stageActions.add(stage);
    try {
      await api(`${API.stages}/${encodeURIComponent(stage)}/${action}`, { method: 'POST' });
      clearError(`${action} ${stage}`);
    } catch (e) {
      reportError(`${action} ${stage}`, e);
    } finally {
      stageActions.delete(stage);
      await refresh();
    }
  }

  function rateText(value, unit) {
    return value === null || value === undefined ? '–' : `${Number(value) < 10 ? Number(value).toFixed(1) : int(value)} ${unit}`;
  }

  // done of known, rates, ETA and what the stage waits for: the figures the terminal display shows (the server
  // computes them once, for both)
  function renderStages(stages) {
    const rows = [...(stages || [])].sort((a, b) => stageRank(a.stage) - stageRank(b.stage)).map((s) => {
      const action = s.paused ? 'resume' : 'pause';
      const lagKnown = Number(s.lag) >= 0; // -1: unknown (the index stage has no consumer group)
      const waits = s.waits || [];
      const hasImages = Number(s.imagesDone) >= 0; // -1: the index stage handles no image
      const state = s.paused ? ['badge-warn', 'Paused'] : waits.length ? ['badge-warn', 'Waiting'] : ['badge-ok', 'Running'];
      return el('tr', { 'data-stage': s.stage, 'data-paused': String(!!s.paused), 'data-lag': int(s.lag),
        'data-eta': s.eta || '', 'data-waits': waits.join(' | ') },
        el('td', {}, title(s.stage)),
        el('td', {}, el('span', { class: `badge ${state[0]}` }, state[1]),
          waits.map((w) => el('div', { class: 'stage-wait muted' }, w))),
        el('td', { class: 'num' }, `${int(s.done)} / ${int(s.known)} ${s.unit || ''}`,
          hasImages ? el('div', { class: 'muted' }, `${int(s.imagesDone)} / ${int(s.imagesKnown)} images`) : null),
        el('td', { class: 'num' }, rateText(s.perMinute, `${s.unit || ''}/min`),
          hasImages ? el('div', { class: 'muted' }, rateText(s.imagesPerSecond, 'images/s')) : null),
        el('td', { class: 'num stage-eta' }, s.eta || '–'),
        el('td', { class: 'num', title: lagKnown ? 'studies waiting in the stage\'s input topic' : 'no consumer lag known' },
          lagKnown ? int(s.lag) : '–'),
        el('td', { class: 'actions' }, el('button', {
          type: 'button', class: `stage-toggle ${action}`, 'data-action': action, disabled: stageActions.has(s.stage),
          onclick: () => toggleStage(s.stage, action),
        }, s.paused ? 'Resume' : 'Pause')));
    });
    const table = $('stages-table');
    replaceContent(table.tBodies[0], rows.length ? rows : el('tr', { class: 'empty' }, el('td', { colspan: 7 }, 'No stages')));
    table.dataset.loaded = 'true';
  }

  // ---------------------------------------------------------------- control pass

  // The last pass as text, and its numbers as data-* attributes (for scripts and tests).
  function renderControl(control) {
    const node = $('control-last');
    const last = control && control.last;
    const running = !!(control && control.running);
    const found = (last && last.found) || {};
    setAttrs(node, {
      'data-loaded': 'true',
      'data-running': String(running),
      'data-finished-at': last ? String(last.finishedAt) : '',
      'data-trigger': last ? last.trigger : '',
      'data-new': int(found.NEW || 0),
      'data-changed': int((found.CHANGED || 0) + (found.CHANGED_IN_FLIGHT || 0)),
      'data-vanished': int(found.VANISHED || 0),
      'data-unmigrated': last ? int(last.unmigrated) : '',
      'data-clean': last ? String(!!last.clean) : '',
    });
    const lines = [];
    if (running) lines.push(el('div', {}, el('span', { class: 'badge badge-warn' }, 'Running'), ' A control pass is running.'));
    if (control && control.lastError) lines.push(el('div', { class: 'notice bad' }, `The last pass started here failed: ${control.lastError}`));
    if (!last) {
      lines.push(el('div', {}, 'No control pass yet: nothing shows that the old PACS holds nothing beyond the study database.'));
    } else {
      const changed = (found.CHANGED || 0) + (found.CHANGED_IN_FLIGHT || 0);
      lines.push(el('div', {}, el('b', {}, `Last pass ${formatTime(last.finishedAt)}`), ` (${last.trigger}), ${last.from}..${last.to}: `
        + `${int(last.daysChecked)} days re-queried`
        + ((last.failedDays || []).length ? `, ${last.failedDays.length} could not be` : '')
        + `; ${int(found.NEW || 0)} new, ${int(changed)} changed, ${int(found.VANISHED || 0)} vanished; `
        + `${int(last.unmigrated)} of them not migrated now.`));
      lines.push(el('div', { class: `badge ${last.clean ? 'badge-ok' : 'badge-warn'}` },
        last.clean ? 'Found nothing more in the old PACS' : `Not proven complete: ${last.shortfall}`));
      for (const [kind, uids] of Object.entries(last.studies || {})) {
        if (uids.length) lines.push(el('div', { class: 'sub' }, `${title(kind.toLowerCase().replaceAll('_', ' '))}: `, studyLinksInline(uids)));
      }
    }
    replaceContent(node, lines);
    const button = $('control-start');
    button.disabled = running || controlStarting;
  }

  function studyLinksInline(uids) {
    return uids.map((uid, i) => [i ? ', ' : '', el('a', { href: '#', onclick: (ev) => { ev.preventDefault(); showStudy(uid); } }, uid)]);
  }

  let controlStarting = false;

  async function startControl() {
    const notice = $('control-result');
    controlStarting = true;
    $('control-start').disabled = true;
    try {
      const view = await api(API.control, { method: 'POST' });
      showNotice(notice, 'Control pass started: it waits for the old PACS\'s windows and paces its queries like indexing; '
        + 'its result shows here when it has finished.', 'ok');
      renderControl(view);
      clearError('control');
    } catch (e) {
      if (e.status === 409) showNotice(notice, 'A control pass is running already.', 'bad');
      else {
        showNotice(notice, 'The control pass could not be started.', 'bad');
        reportError('control', e);
      }
    } finally {
      controlStarting = false;
      await refresh();
    }
  }

  // ---------------------------------------------------------------- failures and replay

  const replays = new Set(); // 'stage|category' in flight

  async function replayCategory(stage, category) {
    const key = `${stage}|${category}`;
    replays.add(key);
    renderFailures(lastFailures);
    const notice = $('replay-result');
    try {
      const r = await api(`${API.replay}?stage=${encodeURIComponent(stage)}&category=${encodeURIComponent(category)}`,
        { method: 'POST' });
      showNotice(notice, `Replayed ${int(r && r.replayed)} ${Number(r && r.replayed) === 1 ? 'study' : 'studies'} `
        + `of ${stage} / ${category}.`, 'ok');
      clearError(`replay ${stage}/${category}`);
    } catch (e) {
      showNotice(notice, `Replay of ${stage} / ${category} failed.`, 'bad');
      reportError(`replay ${stage}/${category}`, e);
    } finally {
      replays.delete(key);
      await refresh();
    }
  }

  function studyLinks(uids) {
    const shown = (uids || []).slice(0, 3);
    const more = (uids || []).length - shown.length;
    return el('div', { class: 'sub' }, shown.map((uid, i) => [i ? ', ' : '',
      el('a', { href: '#study-detail', class: 'uid', onclick: (ev) => { ev.preventDefault(); showStudy(uid); } }, uid)]),
    more > 0 ? ` and ${more} more` : '');
  }

  let lastFailures = [];

  function renderFailures(failures) {
    lastFailures = failures || [];
    const rows = [...lastFailures]
      .sort((a, b) => stageRank(a.stage) - stageRank(b.stage) || String(a.category).localeCompare(String(b.category)))
      .map((f) => el('tr', { class: 'failure-row', 'data-stage': f.stage, 'data-category': f.category, 'data-count': int(f.count) },
        el('td', {}, title(f.stage)),
        el('td', {}, el('code', {}, f.category)),
        el('td', { class: 'num count' }, int(f.count)),
        el('td', { class: 'message' }, el('div', { class: 'clip', title: f.lastMessage || '' }, f.lastMessage || '–'), studyLinks(f.studies),
          f.action ? el('div', { class: 'sub action' }, 'What to do: ', f.action) : ''),
        el('td', { class: 'nowrap' }, formatTime(f.lastFailedAt)),
        el('td', { class: 'actions' }, el('button', {
          type: 'button', class: 'replay', disabled: replays.has(`${f.stage}|${f.category}`),
          title: `Send these ${int(f.count)} studies through the ${f.stage} stage again`,
          onclick: () => replayCategory(f.stage, f.category),
        }, replays.has(`${f.stage}|${f.category}`) ? 'Replaying…' : 'Replay'))));
    const table = $('failures-table');
    replaceContent(table.tBodies[0],
      rows.length ? rows : el('tr', { class: 'empty' }, el('td', { colspan: 6 }, 'No pending dead letters.')));
    table.dataset.loaded = 'true';
  }

  // ---------------------------------------------------------------- study search and detail

  function stateBadge(state) {
    const kind = state === 'VERIFIED' ? 'ok' : state === 'FAILED' ? 'bad' : 'busy';
    return el('span', { class: `badge badge-${kind}` }, state || '–');
  }

  async function searchStudies(event) {
    if (event) event.preventDefault();
    const q = $('study-search').value.trim();
    const state = $('study-state').value;
    const params = new URLSearchParams({ q, limit: '50' });
    if (state) params.set('state', state);
    const button = $('study-search-button');
    button.disabled = true;
    try {
      renderStudyResults(await api(`${API.studies}?${params}`));
      clearError('study search');
    } catch (e) {
      reportError('study search', e);
    } finally {
      button.disabled = false;
    }
  }

  function renderStudyResults(list) {
    const rows = (list || []).map((s) => el('tr', {
      class: 'study-row', 'data-uid': s.studyInstanceUid, tabindex: 0,
      onclick: () => showStudy(s.studyInstanceUid),
      onkeydown: (ev) => { if (ev.key === 'Enter') showStudy(s.studyInstanceUid); },
    },
    el('td', { class: 'uid' }, s.studyInstanceUid),
    el('td', { class: 'nowrap' }, s.studyDate || '–'),
    el('td', {}, s.accessionNumber || '–'),
    el('td', {}, s.modalities || '–'),
    el('td', {}, stateBadge(s.state)),
    el('td', { class: 'num' }, int(s.expectedInstances)),
    el('td', {}, s.failureCategory ? el('code', {}, s.failureCategory) : '')));
    const table = $('study-results');
    replaceContent(table.tBodies[0], rows.length ? rows
      : el('tr', { class: 'empty' }, el('td', { colspan: 7 }, 'No study matches.')));
    table.dataset.loaded = 'true';
  }

  async function replayStudy(stage, uid) {
    try {
      const r = await api(`${API.replay}?stage=${encodeURIComponent(stage)}&study=${encodeURIComponent(uid)}`, { method: 'POST' });
      clearError(`replay ${uid}`);
      await showStudy(uid); // re-renders the detail, with its (hidden) #study-replay-result
      const notice = $('study-replay-result');
      if (notice) showNotice(notice, `Replayed ${int(r && r.replayed)} from ${stage}.`, 'ok');
    } catch (e) {
      reportError(`replay ${uid}`, e);
    }
    await refresh();
  }

  function detailField(label, value) {
    return [el('dt', {}, label), el('dd', {}, value === null || value === undefined || value === '' ? '–' : value)];
  }

  /** Instances our storage SCP refused while retrieving the study (a stranger's, incomplete, inconsistent). */
  function refusedTable(refused) {
    if (refused.length === 0) return [];
    return [
      el('h4', {}, 'Refused instances'),
      el('table', { class: 'data' },
        el('thead', {}, el('tr', {}, el('th', {}, 'SOP Instance UID'), el('th', {}, 'Reason'), el('th', {}, 'Detail'),
          el('th', {}, 'From'), el('th', {}, 'At'))),
        el('tbody', {}, refused.map((r) => el('tr', { class: 'refused-row' },
          el('td', { class: 'uid' }, r.sopInstanceUid), el('td', {}, el('code', {}, r.category)),
          el('td', { class: 'message' }, r.detail || '–'), el('td', {}, r.callingAeTitle || '–'),
          el('td', { class: 'nowrap' }, formatTime(r.refusedAt)))))),
    ];
  }

  /** One UID, two different objects in the old PACS: the patients involved and where both copies are kept. */
  function collisionTable(collisions) {
    if (collisions.length === 0) return [];
    return [
      el('h4', {}, 'UID collisions'),
      el('table', { class: 'data' },
        el('thead', {}, el('tr', {}, el('th', {}, 'SOP Instance UID'), el('th', {}, 'PatientIDs'), el('th', {}, 'Detail'),
          el('th', {}, 'Detected'))),
        el('tbody', {}, collisions.map((c) => el('tr', { class: 'collision-row' },
          el('td', { class: 'uid' }, c.sopInstanceUid || '(the study)'), el('td', {}, (c.patientIds || []).join(' / ')),
          el('td', { class: 'message' }, c.detail || '–'), el('td', { class: 'nowrap' }, formatTime(c.detectedAt)))))),
    ];
  }

  function renderStudyDetail(d) {
    const s = d.study || {};
    const inst = d.instances || {};
    const dead = d.deadLetters || [];
    const replayStages = [...new Set(dead.map((x) => x.stage))];
    const detail = $('study-detail');
    replaceContent(detail,
      el('div', { class: 'detail-head' },
        el('h3', {}, 'Study ', el('span', { class: 'uid' }, s.studyInstanceUid)), stateBadge(s.state),
        el('button', { type: 'button', class: 'link close', onclick: () => { detail.hidden = true; } }, 'Close')),
      el('dl', { class: 'fields' },
        detailField('Study date', s.studyDate), detailField('Accession', s.accessionNumber),
        detailField('Modalities', s.modalities), detailField('Attempts', s.attempts === undefined ? null : int(s.attempts)),
        detailField('Failure category', s.failureCategory ? el('code', {}, s.failureCategory) : null),
        detailField('Failure message', s.failureMessage),
        d.action ? detailField('What to do', el('span', { class: 'action' }, d.action)) : []),
      el('div', { class: 'instance-counts' },
        ['expected', 'retrieved', 'sent', 'confirmed'].map((k) =>
          el('div', { class: 'count-box' }, el('div', { class: 'tile-label' }, title(k)),
            el('div', { class: 'count-value', 'data-instances': k }, int(inst[k])))),
        el('div', { class: 'count-box' }, el('div', { class: 'tile-label' }, 'Complete'),
          el('div', { class: `count-value ${d.complete ? 'ok' : 'bad'}` }, d.complete ? 'Yes' : 'No'))),
      dead.length === 0 ? el('p', { class: 'muted' }, 'No pending dead letters for this study.') : [
        el('h4', {}, 'Dead letters'),
        el('table', { class: 'data' },
          el('thead', {}, el('tr', {}, el('th', {}, 'Stage'), el('th', {}, 'Category'), el('th', {}, 'Message'), el('th', {}, 'Failed at'))),
          el('tbody', {}, dead.map((x) => el('tr', { class: 'dead-letter-row', 'data-stage': x.stage },
            el('td', {}, title(x.stage)), el('td', {}, el('code', {}, x.category)),
            el('td', { class: 'message' }, x.message || '–'), el('td', { class: 'nowrap' }, formatTime(x.failedAt)))))),
        el('div', { class: 'detail-actions' }, replayStages.map((stage) => el('button', {
          type: 'button', class: 'study-replay', 'data-stage': stage,
          onclick: (ev) => { ev.currentTarget.disabled = true; replayStudy(stage, s.studyInstanceUid); },
        }, `Replay from ${stage}`))),
      ],
      refusedTable(d.refusedInstances || []),
      collisionTable(d.collisions || []),
      el('div', { id: 'study-replay-result', class: 'notice', hidden: true }));
    detail.dataset.uid = s.studyInstanceUid || '';
    detail.hidden = false;
  }

  async function showStudy(uid) {
    for (const row of document.querySelectorAll('tr.study-row')) row.classList.toggle('selected', row.dataset.uid === uid);
    const detail = $('study-detail');
    try {
      renderStudyDetail(await api(`${API.studies}/${encodeURIComponent(uid)}`));
      clearError('study detail');
    } catch (e) {
      if (e.status === 404) {
        replaceContent(detail, el('p', { class: 'muted' }, 'Unknown study: ', el('span', { class: 'uid' }, uid)));
        detail.hidden = false;
        clearError('study detail');
      } else {
        reportError('study detail', e);
      }
    }
  }

  // ---------------------------------------------------------------- clinical priority

  function renderPriority(patients) {
    const rows = (patients || []).map((p) => el('tr', {},
      el('td', {}, p.patientId),
      el('td', {}, p.source || ''),
      el('td', {}, formatTime(p.requestedAt)),
      el('td', {}, ...(p.studies || []).map((s) => el('div', {}, `${s.studyDate || 'undated'} ${s.studyInstanceUid} `,
        el('span', { class: s.state === 'VERIFIED' ? 'badge badge-ok' : 'badge' }, s.state)))),
      el('td', {}, p.complete ? formatTime(p.completedAt) : 'not yet')));
    replaceContent(document.querySelector('#priority-table tbody'),
      ...(rows.length ? rows : [el('tr', {}, el('td', { colspan: '5', class: 'muted' }, 'No patient prioritised.'))]));
  }

  async function refreshPriority() {
    try {
      renderPriority(await api(API.priority));
      clearError('priority');
    } catch (e) {
      reportError('priority', e);
    }
  }

  async function migrateNow(event) {
    event.preventDefault();
    const input = $('priority-patient');
    const patient = input.value.trim();
    if (!patient) return;
    try {
      await api(`${API.priority}/now?patient=${encodeURIComponent(patient)}`, { method: 'POST' });
      showNotice($('priority-result'), 'Queued: its studies are indexed if need be and go before the bulk.', 'ok');
      input.value = '';
      clearError('priority');
      refresh();
    } catch (e) {
      showNotice($('priority-result'), 'The patient could not be queued.', 'bad');
      reportError('priority', e);
    }
  }

  // ---------------------------------------------------------------- refresh loop

  async function refreshProgress() {
    try {
      const progress = await api(API.progress);
      renderHeader(progress);
      renderTiles(progress);
      renderCalendar(progress.days);
      renderStages(progress.stages);
      renderControl(progress.control);
      clearError('progress');
    } catch (e) {
      $('refresh-status').textContent = `Refresh failed at ${formatClock(Date.now(), true)}`;
      reportError('progress', e);
    }
  }

  async function refreshFailures() {
    try {
      renderFailures(await api(API.failures));
      clearError('failures');
    } catch (e) {
      reportError('failures', e);
    }
  }

  async function refreshHistory() {
    try {
      renderHistory(await api(API.history));
      clearError('history');
    } catch (e) {
      for (const id of ['chart-progress', 'chart-throughput', 'chart-lag']) {
        if ($(id).childElementCount === 0) replaceContent($(id), el('div', { class: 'chart-empty' }, 'History unavailable'));
      }
      reportError('history', e);
    }
  }

  let running = null;
  let again = false;

  function refresh() {
    if (!token()) return Promise.resolve(); // nothing to show before the token is entered
    if (running) {
      again = true;
      return running;
    }
    running = Promise.all([refreshProgress(), refreshFailures(), refreshHistory(), refreshPriority()]).finally(() => {
      running = null;
      if (again) {
        again = false;
        refresh();
      }
    });
    return running;
  }

  async function loop() {
    await refresh();
    setTimeout(loop, REFRESH_MS);
  }

  function signIn(event) {
    event.preventDefault();
    const value = $('token-input').value.trim();
    if (!value) return;
    sessionStorage.setItem(TOKEN_KEY, value);
    $('token-input').value = '';
    $('token-message').hidden = true;
    $('sign-in').hidden = true;
    $('sign-out').hidden = false;
    refresh();
  }

  function start() {
    $('token-form').addEventListener('submit', signIn);
    $('sign-out').addEventListener('click', () => askForToken());
    document.querySelectorAll('button[data-report]').forEach((b) => b.addEventListener('click', downloadReport));
    if (token()) $('sign-out').hidden = false;
    else askForToken();
    $('study-search-form').addEventListener('submit', searchStudies);
    $('control-start').addEventListener('click', startControl);
    $('priority-form').addEventListener('submit', migrateNow);
    $('error-dismiss').addEventListener('click', () => {
      errors.clear(); // errors that persist come back with the next refresh
      renderErrors();
    });
    renderCalendarLegend();
    window.addEventListener('unhandledrejection', (ev) => reportError('page', ev.reason));
    loop();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
