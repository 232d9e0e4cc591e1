// The dashboard's pages other than Overview: History, Users (and one user), Content, Statistics, Map, Alerts,
// Settings and API. Each reads its filters from the route, so a link, reload or back shows the same view.
// Text only (never innerHTML); a figure the server cannot answer says "n/a" and why.

import { draw, resizeWithin, theme, worldReady } from './charts.js';
import {
  alertTypeLabel, describeEvidence, evidenceDetails, formatDateTime, formatDay, formatMinutes, formatNumber,
  sessionTitle, shortId, userLabel,
} from './describe.js';
import { fillForm, formParams, href } from './router.js';
import { renderUserControls } from './user-controls.js';
import { refreshAudit } from './enforce.js';

const A = '/api/v1/analytics';
const $ = (id) => document.getElementById(id);
let ctx = { api: null, admin: false };
let baseApi = null;

export function setContext(c) {
  ctx = { ...c };
  baseApi = c.api;
}

// A page left (or re-filtered) while its requests are in flight must not draw over the newer one: reads made
// for an older route throw Stale when they answer, and showPage drops them.
let generation = 0;
class Stale extends Error {}

function guarded(api, g) {
  return {
    token: api.token,
    get: async (path) => {
      const res = await api.get(path);
      if (g !== generation) throw new Stale();
      return res;
    },
    post: (path, body) => api.post(path, body),
    delete: (path) => api.delete(path),
  };
}

// ---- small DOM helpers ------------------------------------------------------------------------------------

function el(tag, props = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k in e && k !== 'list') e[k] = v;
    else e.setAttribute(k, v);
  }
  for (const kid of kids.flat()) if (kid !== null && kid !== undefined) e.append(kid instanceof Node ? kid : String(kid));
  return e;
}

function td(content, cls, sub) {
  const cell = el('td', { class: cls });
  cell.append(content instanceof Node ? content : String(content ?? '—'));
  if (sub) cell.append(el('small', { text: sub }));
  return cell;
}

const num = (v, digits = 0) => td(formatNumber(v, digits), 'num');

function fill(table, rows) {
  table.tBodies[0].replaceChildren(...rows);
}

/** True when the server has no such operation (an older server reads /sessions/history as a session id). */
function absent(res) {
  const fields = (res.body?.errors ?? []).map((e) => e.field);
  return res.status === 404 || res.status === 405 || (res.status === 400 && fields.some((f) => f === 'id' || f === 'userId'));
}

function why(res, what) {
  if (absent(res)) return `${what}: n/a on this server.`;
  if (res.status === 0) return `${what}: the server cannot be reached.`;
  return `${what} unavailable: ${res.body?.detail ?? res.body?.title ?? `HTTP ${res.status}`}`;
}

function qs(params) {
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') out.set(k, v);
  return out.toString();
}

function isoDay(d) {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function daysAgo(n) {
  const d = new Date();
  d.setDate(d.getDate() - n);
  return isoDay(d);
}

function userLink(name, id) {
  return id ? el('a', { href: href('users', [id]), text: userLabel(name, id) }) : userLabel(name, id);
}

function placeOf(loc) {
  if (!loc) return 'not located';
  return [loc.city, loc.country].filter(Boolean).join(', ') || `${formatNumber(loc.latitude, 1)}, ${formatNumber(loc.longitude, 1)}`;
}

function quality(s) {
  return `${s.resolution || 'unknown'} · ${s.transcoded ? 'transcode' : 'direct'}`;
}

/** A simple table for a chart's text alternative. */
function dataTable(caption, headers, rows) {
  return el('table', { class: 'sticky' },
    el('caption', { class: 'visually-hidden', text: caption }),
    el('thead', {}, el('tr', {}, headers.map((h, i) => el('th', { scope: 'col', class: i > 0 ? 'num' : null, text: h })))),
    el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c, i) => (i === 0 ? el('th', { scope: 'row', text: c }) : td(c, 'num')))))));
}

function onSubmitNavigate(form, page, extra = () => ({})) {
  if (form.dataset.wired) return;
  form.dataset.wired = 'true';
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    location.hash = href(page, [], { ...formParams(form), ...extra() });
  });
}

// ---- History ----------------------------------------------------------------------------------------------

function historyFilters(params) {
  return {
    start: params.get('start') || daysAgo(29), end: params.get('end') || isoDay(new Date()), q: params.get('q') || '',
    content_type: params.get('content_type') || '', status: params.get('status') || '', user_id: params.get('user_id') || '',
  };
}

async function history(route) {
  const form = $('history-form');
  const f = historyFilters(route.params);
  fillForm(form, new URLSearchParams(f));
  onSubmitNavigate(form, 'history');
  $('h-csv').onclick = () => downloadCsv(historyFilters(new URLSearchParams(formParams(form))));
  const before = route.params.get('before') || '';
  $('history-status').textContent = 'Loading…';
  const res = await ctx.api.get(`${A}/sessions/history?${qs({ ...f, limit: 50, before })}`);
  const table = $('history-table');
  if (!res.ok || !Array.isArray(res.body?.items)) {
    fill(table, []);
    $('history-status').textContent = why(res, 'History');
    $('history-older').hidden = true;
    $('history-newest').hidden = true;
    return;
  }
  const items = res.body.items;
  fill(table, items.map((s) => el('tr', { 'data-id': s.id },
    el('th', { scope: 'row' }, sessionTitle(s), el('small', { text: s.content_type })),
    td(userLink(s.user_name, s.user_id)),
    td(formatDateTime(s.started_at)),
    td(formatMinutes((Number(s.duration_seconds) || 0) / 60)),
    td(s.device_name),
    td(s.client_name, null, s.server_name ? `via ${s.server_name}` : null),
    td(quality(s)),
    td(placeOf(s.location)),
    td(s.status))));
  $('history-status').textContent = items.length
    ? `${formatNumber(items.length)} session${items.length === 1 ? '' : 's'}${res.body.next_cursor ? ' on this page' : ''}.`
    : 'No session matches these filters.';
  $('history-older').hidden = !res.body.next_cursor;
  if (res.body.next_cursor) $('history-older').href = href('history', [], { ...f, before: res.body.next_cursor });
  $('history-newest').hidden = !before;
  $('history-newest').href = href('history', [], f);
}

async function downloadCsv(f) {
  $('history-status').textContent = 'Preparing the CSV…';
  let res;
  try {
    res = await fetch(`${A}/sessions/history?${qs({ ...f, format: 'csv' })}`, {
      headers: { Authorization: `Bearer ${ctx.api.token}`, Accept: 'text/csv' },
    });
  } catch {
    $('history-status').textContent = 'CSV: the server cannot be reached.';
    return;
  }
  if (!res.ok) {
    $('history-status').textContent = `CSV unavailable (HTTP ${res.status}).`;
    return;
  }
  const url = URL.createObjectURL(await res.blob());
  const a = el('a', { href: url, download: `sessions-${f.start}-${f.end}.csv` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  $('history-status').textContent = 'CSV downloaded.';
}

// ---- Users ------------------------------------------------------------------------------------------------

async function users(route) {
  const form = $('users-form');
  fillForm(form, route.params);
  onSubmitNavigate(form, 'users');
  const q = route.params.get('q') || '';
  const before = route.params.get('before') || '';
  $('users-status').textContent = 'Loading…';
  const res = await ctx.api.get(`${A}/users?${qs({ q, before, limit: 50 })}`);
  if (!res.ok || !Array.isArray(res.body?.items)) {
    fill($('users-table'), []);
    $('users-status').textContent = why(res, 'Users');
    return;
  }
  const items = res.body.items;
  fill($('users-table'), items.map((p) => el('tr', { 'data-id': p.id },
    el('th', { scope: 'row' }, userLink(p.name, p.id)),
    td((p.servers ?? []).map((s) => s.name || shortId(s.id)).join(', ') || '—'),
    td(formatDateTime(p.first_seen_at)),
    td(formatDateTime(p.last_seen_at)),
    num(p.open_alerts))));
  $('users-status').textContent = items.length ? `${formatNumber(items.length)} shown.` : 'Nobody matches.';
  $('users-next').hidden = !res.body.next_cursor;
  if (res.body.next_cursor) $('users-next').href = href('users', [], { q, before: res.body.next_cursor });
  $('users-first').hidden = !before;
  $('users-first').href = href('users', [], { q });
}

async function user(route) {
  const id = route.rest[0];
  $('user-name').textContent = 'Loading…';
  $('user-history-link').href = href('history', [], { user_id: id, start: daysAgo(365) });
  const [person, sessions, alerts] = await Promise.all([
    ctx.api.get(`${A}/users/${encodeURIComponent(id)}`),
    ctx.api.get(`${A}/sessions/user/${encodeURIComponent(id)}?limit=20`),
    ctx.api.get(`${A}/sharing/alerts?${qs({ user_id: id, limit: 50 })}`),
  ]);
  if (!person.ok) {
    $('user-name').textContent = person.status === 404 ? 'No such user' : 'User';
    $('user-meta').textContent = why(person, 'This user');
  } else {
    const p = person.body;
    $('user-name').textContent = userLabel(p.name, p.id);
    $('user-meta').textContent = `First seen ${formatDateTime(p.first_seen_at)} · last seen ${formatDateTime(p.last_seen_at)}`
      + ` · ${formatNumber(p.active_sessions ?? 0)} playing now · ${formatNumber(p.open_alerts ?? 0)} open alerts`;
    fill($('user-devices'), (p.devices ?? []).map((d) => el('tr', {},
      el('th', { scope: 'row', text: d.device_name || d.device_key }), td(d.client_name),
      td(formatDateTime(d.first_seen_at)), td(formatDateTime(d.last_seen_at)))));
    fill($('user-places'), (p.recent_places ?? []).map((l) => el('tr', {},
      el('th', { scope: 'row', text: placeOf(l) }), num(l.sessions), td(formatDateTime(l.last_seen_at)))));
  }
  fill($('user-sessions'), sessions.ok ? sessions.body.items.map((s) => el('tr', { 'data-id': s.id },
    el('th', { scope: 'row' }, sessionTitle(s)), td(formatDateTime(s.started_at)),
    td(formatMinutes((Number(s.duration_seconds) || 0) / 60)), td(s.device_name), td(placeOf(s.location)), td(s.status))) : []);
  const list = $('user-alerts');
  list.replaceChildren(...(alerts.ok ? alerts.body.items.map((a) => alertItem(a, { reason: false })) : []));
  $('user-alerts-empty').hidden = list.children.length > 0;
  $('user-alerts-empty').textContent = alerts.ok ? 'No alerts.' : why(alerts, 'Alerts');
  plugUserControls(id);
}

/** Trust, exemptions, thresholds and trusted devices (webroot/user-controls.js), editable by admins. */
async function plugUserControls(userId) {
  const body = $('user-controls-body');
  body.replaceChildren();
  await renderUserControls(body, userId, { token: ctx.api?.token, admin: ctx.admin });
}

// ---- Content ----------------------------------------------------------------------------------------------

async function content(route) {
  const form = $('content-form');
  fillForm(form, route.params, { window: 'week' });
  onSubmitNavigate(form, 'content');
  const win = route.params.get('window') || 'week';
  const type = route.params.get('content_type') || '';
  $('content-status').textContent = 'Loading…';
  const res = await ctx.api.get(`${A}/popular?${qs({ window: win, content_type: type, limit: 50 })}`);
  if (!res.ok || !Array.isArray(res.body?.items)) {
    fill($('content-table'), []);
    $('content-status').textContent = why(res, 'Popular content');
    return;
  }
  const items = res.body.items;
  fill($('content-table'), items.map((it, i) => el('tr', { 'data-id': it.content_id },
    el('th', { scope: 'row', text: it.content_title || `${it.content_type} ${shortId(it.content_id)}` }),
    num(i + 1), td(it.content_type), num(it.play_count), num(it.unique_users), td(formatMinutes(it.total_watch_minutes), 'num'))));
  const span = res.body.start ? ` (${formatDay(res.body.start)} – ${formatDay(res.body.end)})` : '';
  $('content-status').textContent = items.length ? `${formatNumber(items.length)} items${span}.` : `Nothing played in this window yet${span}.`;
}

// ---- Statistics -------------------------------------------------------------------------------------------

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 0].map((d) => new Date(2024, 0, 7 + d).toLocaleDateString(undefined, { weekday: 'short' }));
const BREAKDOWNS = [
  ['platform', 'Platforms'], ['client', 'Clients'], ['resolution', 'Quality'], ['transcode', 'Transcode or direct'],
];

async function statistics(route) {
  const form = $('stats-form');
  fillForm(form, route.params, { days: '30' });
  onSubmitNavigate(form, 'statistics');
  const days = Math.min(365, Math.max(1, Number(route.params.get('days')) || 30));
  const range = { start: daysAgo(days - 1), end: isoDay(new Date()) };
  const top = $('s-top-window');
  top.value = route.params.get('top') || 'month';
  top.onchange = () => { location.hash = href('statistics', [], { days, top: top.value }); };
  await Promise.all([heatMap(range), breakdowns(range), bandwidth(range), topUsers(top.value), concurrency(range, days)]);
  resizeWithin($('page-statistics'));
}

/**
 * Plays by weekday × hour: the server's weekday_hour groups (hours in analytics.timezone); where the server has
 * none, counted here from the sessions of the range (read page by page, at most 5 000; hours in this browser's zone).
 */
async function heatMap(range) {
  const cells = Array.from({ length: 7 }, () => new Array(24).fill(0));
  let before = '';
  let n = 0;
  let zone = 'your time zone';
  let res = await ctx.api.get(`${A}/stats/plays?${qs({ ...range, group_by: 'weekday_hour', limit: 168 })}`);
  if (res.ok && Array.isArray(res.body?.items)) {
    zone = res.body.timezone || 'the server\'s time zone';
    for (const it of res.body.items) {
      const [d, h] = String(it.key).split('-').map(Number);
      if (d >= 1 && d <= 7 && h >= 0 && h < 24) {
        cells[d - 1][h] += Number(it.plays) || 0;
        n += Number(it.plays) || 0;
      }
    }
  } else {
    for (let page = 0; page < 10; page++) {
      res = await ctx.api.get(`${A}/sessions/history?${qs({ ...range, limit: 500, before })}`);
      if (!res.ok) break;
      for (const s of res.body.items ?? []) {
        const t = new Date(s.started_at);
        cells[(t.getDay() + 6) % 7][t.getHours()] += 1;
        n += 1;
      }
      before = res.body.next_cursor;
      if (!before) break;
    }
  }
  $('heat-chart').hidden = !res.ok;
  if (!res.ok) {
    $('heat-caption').textContent = why(res, 'Plays by hour');
    $('heat-table').replaceChildren();
    return;
  }
  const data = [];
  let max = 0;
  cells.forEach((row, d) => row.forEach((v, h) => { data.push([h, d, v]); max = Math.max(max, v); }));
  const busiest = data.reduce((a, b) => (b[2] > a[2] ? b : a), [0, 0, 0]);
  const caption = n
    ? `${formatNumber(n)} plays${before ? ' (the latest 5 000)' : ''}; busiest: ${WEEKDAYS[busiest[1]]} ${busiest[0]}:00 with ${formatNumber(busiest[2])}. Hours in ${zone}.`
    : 'No plays in this range.';
  $('heat-caption').textContent = caption;
  const c = theme();
  await draw($('heat-chart'), {
    grid: { left: 48, right: 12, top: 8, bottom: 64 },
    xAxis: { type: 'category', data: [...Array(24).keys()].map(String), axisLabel: { color: c.muted }, splitArea: { show: true } },
    yAxis: { type: 'category', data: WEEKDAYS, axisLabel: { color: c.muted }, inverse: true },
    visualMap: { min: 0, max: Math.max(1, max), calculable: false, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120, textStyle: { color: c.muted }, inRange: { color: [c.card, c.accent] } },
    series: [{ type: 'heatmap', data, name: 'Plays' }],
  }, `Heat map of plays by hour and weekday. ${caption}`);
  $('heat-table').replaceChildren(dataTable('Plays by weekday (rows) and hour (columns)', ['Day', ...[...Array(24).keys()].map((h) => `${h}h`)],
    cells.map((row, d) => [WEEKDAYS[d], ...row.map((v) => formatNumber(v))])));
}

async function breakdowns(range) {
  const box = $('breakdowns');
  const c = theme();
  box.replaceChildren(...BREAKDOWNS.map(([group, title]) => el('section', { class: 'card', 'aria-labelledby': `bd-${group}-title` },
    el('h3', { id: `bd-${group}-title`, text: title }),
    el('figure', { id: `bd-${group}-chart`, class: 'echart short', 'aria-describedby': `bd-${group}-caption` }),
    el('p', { id: `bd-${group}-caption`, class: 'note' }),
    el('details', {}, el('summary', { text: 'Table' }), el('div', { id: `bd-${group}-table`, class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': `${title}, table` })))));
  await Promise.all(BREAKDOWNS.map(async ([group, title]) => {
    const res = await ctx.api.get(`${A}/stats/plays?${qs({ ...range, group_by: group })}`);
    $(`bd-${group}-chart`).hidden = false;
    if (!res.ok || !Array.isArray(res.body?.items)) {
      $(`bd-${group}-caption`).textContent = why(res, title);
      $(`bd-${group}-chart`).hidden = true;
      return;
    }
    const items = res.body.items.slice(0, 10);
    const label = (it) => String(it.label ?? it.key ?? 'unknown');
    const caption = items.length
      ? items.slice(0, 3).map((it) => `${label(it)}: ${formatNumber(it.plays)} plays, ${formatMinutes(it.watch_minutes)}`).join('; ')
      : 'No plays in this range.';
    $(`bd-${group}-caption`).textContent = caption;
    await draw($(`bd-${group}-chart`), {
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: 'value', axisLabel: { color: c.muted }, splitLine: { lineStyle: { color: c.line } } },
      yAxis: { type: 'category', inverse: true, data: items.map(label), axisLabel: { color: c.muted, width: 110, overflow: 'truncate' } },
      series: [{ type: 'bar', name: 'Plays', data: items.map((it) => it.plays), itemStyle: { color: c.accent } }],
    }, `${title}: plays per ${group}. ${caption}`);
    $(`bd-${group}-table`).replaceChildren(dataTable(`${title}: plays, users, watch time, GB`, [title, 'Plays', 'Users', 'Watch time', 'GB'],
      res.body.items.map((it) => [label(it), formatNumber(it.plays), formatNumber(it.unique_users), formatMinutes(it.watch_minutes), formatNumber(it.bandwidth_gb, 2)])));
  }));
}

async function bandwidth(range) {
  const c = theme();
  let res = await ctx.api.get(`${A}/stats/bandwidth?${qs({ ...range, group_by: 'day' })}`);
  let rows;
  let source = '';
  if (res.ok && Array.isArray(res.body?.items)) {
    rows = res.body.items.map((it) => [it.key ?? it.date, Number(it.bandwidth_gb ?? it.gb ?? 0)]);
  } else {
    // the daily roll-ups carry bandwidth too: the same figure where the per-day endpoint is not there
    const daily = await ctx.api.get(`${A}/stats/daily?${qs(range)}`);
    if (!daily.ok) {
      $('bw-caption').textContent = why(daily, 'Bandwidth');
      return;
    }
    rows = daily.body.items.map((d) => [d.date, Number(d.total_bandwidth_gb ?? 0)]);
    source = ' (from the daily figures)';
  }
  const total = rows.reduce((s, r) => s + r[1], 0);
  const caption = `${formatNumber(total, 2)} GB in ${formatNumber(rows.length)} days${source}.`;
  $('bw-caption').textContent = caption;
  await draw($('bw-chart'), {
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: rows.map((r) => formatDay(r[0])), axisLabel: { color: c.muted } },
    yAxis: { type: 'value', name: 'GB', axisLabel: { color: c.muted }, splitLine: { lineStyle: { color: c.line } } },
    series: [{ type: 'bar', name: 'GB', data: rows.map((r) => r[1]), itemStyle: { color: c.accent } }],
  }, `Bandwidth per day. ${caption}`);
  $('bw-table').replaceChildren(dataTable('GB per day', ['Day', 'GB'], rows.map((r) => [formatDay(r[0]), formatNumber(r[1], 2)])));
}

async function topUsers(win) {
  const res = await ctx.api.get(`${A}/stats/top-users?${qs({ window: win, limit: 10 })}`);
  if (!res.ok || !Array.isArray(res.body?.items)) {
    fill($('top-table'), []);
    $('top-status').textContent = why(res, 'Top users');
    return;
  }
  fill($('top-table'), res.body.items.map((u) => el('tr', { 'data-id': u.user_id },
    el('th', { scope: 'row' }, userLink(u.user_name, u.user_id)), num(u.plays), td(formatMinutes(u.watch_minutes), 'num'),
    num(u.bandwidth_gb, 2), td(formatDateTime(u.last_seen)))));
  $('top-status').textContent = res.body.items.length ? '' : 'Nobody watched in this window.';
}

async function concurrency(range, days) {
  const bucket = days <= 7 ? 'hour' : 'day';
  const res = await ctx.api.get(`${A}/stats/concurrency?${qs({ ...range, bucket })}`);
  if (!res.ok || !Array.isArray(res.body?.items)) {
    $('conc-caption').textContent = why(res, 'Concurrent streams');
    return;
  }
  const c = theme();
  const items = res.body.items;
  const label = (it) => (bucket === 'hour' ? formatDateTime(it.start) : formatDay(it.date));
  const peak = items.reduce((a, b) => (b.peak > (a?.peak ?? -1) ? b : a), null);
  const caption = peak ? `Peak ${formatNumber(peak.peak)} streams at once (${label(peak)}); one point per ${bucket}.` : 'No data.';
  $('conc-caption').textContent = caption;
  await draw($('conc-chart'), {
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: items.map(label), axisLabel: { color: c.muted } },
    yAxis: { type: 'value', minInterval: 1, axisLabel: { color: c.muted }, splitLine: { lineStyle: { color: c.line } } },
    series: [{ type: 'line', step: 'end', showSymbol: false, name: 'Peak streams', data: items.map((it) => it.peak), itemStyle: { color: c.accent }, areaStyle: { opacity: 0.15 } }],
  }, `Concurrent streams per ${bucket}. ${caption}`);
  $('conc-table').replaceChildren(dataTable(`Peak concurrent streams per ${bucket}`, [bucket === 'hour' ? 'Hour' : 'Day', 'Peak'],
    items.filter((it) => bucket === 'day' || it.peak > 0).map((it) => [label(it), formatNumber(it.peak)])));
}

// ---- Map --------------------------------------------------------------------------------------------------

const PRIVATE = [/^10\./, /^192\.168\./, /^172\.(1[6-9]|2\d|3[01])\./, /^127\./, /^169\.254\./, /^(::1|fc|fd|fe80)/i];

function isPrivate(ip) {
  return typeof ip === 'string' && PRIVATE.some((re) => re.test(ip));
}

async function map(route) {
  const form = $('map-form');
  fillForm(form, route.params, { window: 'now' });
  onSubmitNavigate(form, 'map');
  const win = route.params.get('window') || 'now';
  $('map-caption').textContent = 'Loading…';
  let sessions = [];
  let capped = false;
  if (win === 'now') {
    const res = await ctx.api.get(`${A}/sessions/active`);
    if (!res.ok) { $('map-caption').textContent = why(res, 'Streams now'); return; }
    sessions = res.body.items ?? [];
  } else {
    let before = '';
    for (let page = 0; page < 10; page++) {
      const res = await ctx.api.get(`${A}/sessions/history?${qs({ start: daysAgo(Number(win)), end: isoDay(new Date()), limit: 500, before })}`);
      if (!res.ok) { $('map-caption').textContent = why(res, 'Streams over this window'); return; }
      sessions.push(...(res.body.items ?? []));
      before = res.body.next_cursor;
      if (!before) break;
    }
    capped = Boolean(before);
  }
  const places = new Map();
  let priv = 0;
  let unlocated = 0;
  for (const s of sessions) {
    const loc = s.location;
    if (!loc || !Number.isFinite(loc.latitude) || !Number.isFinite(loc.longitude)) {
      if (isPrivate(s.ip_address)) priv += 1; else unlocated += 1;
      continue;
    }
    const key = `${loc.latitude.toFixed(1)},${loc.longitude.toFixed(1)}`;
    const p = places.get(key) ?? { name: placeOf(loc), lon: loc.longitude, lat: loc.latitude, n: 0 };
    p.n += 1;
    places.set(key, p);
  }
  const located = [...places.values()].sort((a, b) => b.n - a.n);
  const counts = [['Sessions', sessions.length], ['Located', sessions.length - priv - unlocated], ['Private network', priv], ['Not located', unlocated], ['Places', located.length]];
  $('map-counts').replaceChildren(...counts.map(([k, v]) => el('div', { 'data-count': k }, el('dt', { text: k }), el('dd', { text: formatNumber(v) }))));
  fill($('map-table'), located.map((p) => el('tr', {}, el('th', { scope: 'row', text: p.name }), num(p.n))));
  const caption = `${formatNumber(sessions.length)} session${sessions.length === 1 ? '' : 's'}${win === 'now' ? ' playing now' : ''}${capped ? ' (the latest 5 000)' : ''}`
    + ` from ${formatNumber(located.length)} place${located.length === 1 ? '' : 's'}; ${formatNumber(priv)} on a private network and ${formatNumber(unlocated)} not located.`;
  $('map-caption').textContent = caption;
  try {
    await worldReady();
  } catch {
    $('map-caption').textContent = `${caption} The map could not be drawn.`;
    return;
  }
  const c = theme();
  const max = Math.max(1, ...located.map((p) => p.n));
  await draw($('map-chart'), {
    geo: { map: 'world', roam: true, boundingCoords: [[-180, 84], [180, -58]], top: 8, bottom: 8, left: 8, right: 8, itemStyle: { areaColor: c.land, borderColor: c.line }, emphasis: { disabled: true } },
    series: [{
      type: 'scatter', coordinateSystem: 'geo', name: 'Sessions',
      data: located.map((p) => ({ name: p.name, value: [p.lon, p.lat, p.n] })),
      symbolSize: (v) => 6 + 18 * Math.sqrt(v[2] / max), itemStyle: { color: c.accent, opacity: 0.8 },
    }],
  }, `World map of streams. ${caption}`);
  resizeWithin($('page-map'));
}

// ---- Alerts -----------------------------------------------------------------------------------------------

function alertItem(a, { reason }) {
  const name = a.evidence && typeof a.evidence === 'object' ? a.evidence.user_name : null;
  const article = el('article', {},
    el('div', { class: 'alert-head' },
      el('h4', { text: alertTypeLabel(a.alert_type) }),
      el('span', { class: `badge sev-${a.severity}`, text: a.severity || 'unknown' }),
      el('span', { class: `badge status-${a.status}`, text: a.status }),
      userLink(name, a.user_id),
      el('time', { dateTime: a.created_at || '', text: formatDateTime(a.created_at) })),
    el('p', { class: 'evidence', text: describeEvidence(a) }),
    evidenceDetails(a).map((line) => el('p', { class: 'details', text: line })));
  if (a.dismiss_reason || a.reason) article.append(el('p', { class: 'meta', text: `Dismissed: ${a.dismiss_reason || a.reason}` }));
  if (reason && ctx.admin && a.status === 'open') {
    const input = el('input', { id: `reason-${a.id}`, maxLength: 500, placeholder: 'e.g. family member travelling' });
    const button = el('button', { type: 'submit', class: 'secondary', text: 'Dismiss' });
    const status = el('p', { class: 'status', role: 'status' });
    const form = el('form', { class: 'dismiss-form', 'aria-label': `Dismiss ${alertTypeLabel(a.alert_type)} alert for ${userLabel(name, a.user_id)}` },
      el('label', { for: `reason-${a.id}`, text: 'Reason' }), input, button, status);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      button.disabled = true;
      const res = await ctx.api.post(`${A}/sharing/alerts/${encodeURIComponent(a.id)}/dismiss`, { reason: input.value.trim() || null });
      if (res.ok) {
        const li = form.closest('li');
        li.replaceWith(alertItem(res.body, { reason }));
        $('alerts-page-status').textContent = 'Alert dismissed.';
      } else {
        button.disabled = false;
        status.textContent = `Could not dismiss: ${res.body?.detail ?? `HTTP ${res.status}`}`;
      }
    });
    article.append(form);
  }
  return el('li', { class: `sev-${a.severity || 'low'}`, 'data-id': a.id, 'data-status': a.status }, article);
}

let alertUsersLoaded = false;

async function alerts(route) {
  const form = $('alerts-form');
  if (!alertUsersLoaded) {
    const res = await ctx.api.get(`${A}/users?limit=200`);
    if (res.ok) {
      alertUsersLoaded = true;
      $('a-user').append(...res.body.items.map((p) => el('option', { value: p.id, text: userLabel(p.name, p.id) })));
    }
  }
  const f = { type: route.params.get('type') || '', status: route.params.get('status') || '', user_id: route.params.get('user_id') || '' };
  if (f.user_id && ![...$('a-user').options].some((o) => o.value === f.user_id)) $('a-user').append(el('option', { value: f.user_id, text: `user ${shortId(f.user_id)}` }));
  fillForm(form, new URLSearchParams(f));
  onSubmitNavigate(form, 'alerts');
  const before = route.params.get('before') || '';
  $('alerts-page-status').textContent = 'Loading…';
  const res = await ctx.api.get(`${A}/sharing/alerts?${qs({ ...f, before, limit: 50 })}`);
  if (!res.ok) {
    $('alerts-page-list').replaceChildren();
    $('alerts-page-status').textContent = why(res, 'Alerts');
    return;
  }
  const items = res.body.items ?? [];
  $('alerts-page-list').replaceChildren(...items.map((a) => alertItem(a, { reason: true })));
  $('alerts-page-status').textContent = items.length ? `${formatNumber(items.length)} alert${items.length === 1 ? '' : 's'}.` : 'No alert matches these filters.';
  $('alerts-older').hidden = !res.body.next_cursor;
  if (res.body.next_cursor) $('alerts-older').href = href('alerts', [], { ...f, before: res.body.next_cursor });
  $('alerts-newest').hidden = !before;
  $('alerts-newest').href = href('alerts', [], f);
}

// ---- Settings ---------------------------------------------------------------------------------------------

async function settings() {
  refreshAudit();
  $('settings-note').textContent = ctx.admin ? '' : 'Settings need an admin key; this token can only read them where allowed.';
  const servers = await ctx.api.get(`${A}/servers`);
  if (servers.ok) {
    fill($('servers-table'), (servers.body.items ?? []).map((s) => el('tr', { 'data-id': s.id },
      el('th', { scope: 'row', text: s.name }), td(s.type), td(s.url), td(s.status, null, s.status_detail), td(s.version), td(s.source))));
    $('servers-note').textContent = (servers.body.items ?? []).length ? '' : 'No media server connected yet (POST /api/v1/analytics/servers or the config file).';
  } else {
    fill($('servers-table'), []);
    $('servers-note').textContent = why(servers, 'Media servers');
  }
  $('server-form').hidden = !ctx.admin;
  const serverForm = $('server-form');
  if (!serverForm.dataset.wired) {
    serverForm.dataset.wired = 'true';
    serverForm.addEventListener('submit', async (e) => {
      e.preventDefault();
      const body = { name: $('srv-name').value.trim(), type: $('srv-type').value, url: $('srv-url').value.trim(), token: $('srv-token').value };
      $('server-result').textContent = 'Asking the server…';
      const res = await baseApi.post(`${A}/servers`, body);
      if (res.ok) {
        $('server-result').textContent = `Server ${res.body.name} added (${res.body.status}).`;
        serverForm.reset();
        if (location.hash.startsWith('#/settings')) settings();
      } else {
        const fields = (res.body?.errors ?? []).map((f) => `${f.field}: ${f.message}`).join('; ');
        $('server-result').textContent = `Could not add the server: ${fields || res.body?.detail || `HTTP ${res.status}`}`;
      }
    });
  }
  $('settings-keys').hidden = !ctx.admin;
  if (ctx.admin) loadKeys();
  const form = $('key-form');
  if (!form.dataset.wired) {
    form.dataset.wired = 'true';
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const name = $('key-name').value.trim();
      if (!name) { $('key-result').textContent = 'Give the key a name.'; return; }
      const res = await ctx.api.post(`${A}/keys`, { name, role: $('key-role').value });
      if (res.ok) {
        $('key-result').textContent = `Key created. Copy it now, it is not shown again: ${res.body.key ?? res.body.secret ?? ''}`;
        form.reset();
        loadKeys();
      } else {
        $('key-result').textContent = `Could not create the key: ${res.body?.detail ?? `HTTP ${res.status}`}`;
      }
    });
  }
}

async function loadKeys() {
  const res = await ctx.api.get(`${A}/keys`);
  if (!res.ok) { fill($('keys-table'), []); $('key-result').textContent = why(res, 'API keys'); return; }
  fill($('keys-table'), (res.body.items ?? []).map((k) => {
    const revoke = el('button', { type: 'button', class: 'secondary', text: 'Revoke', 'aria-label': `Revoke key ${k.name}` });
    revoke.addEventListener('click', async () => {
      revoke.disabled = true;
      const r = await ctx.api.delete(`${A}/keys/${encodeURIComponent(k.id)}`);
      $('key-result').textContent = r.ok ? `Key ${k.name} revoked.` : `Could not revoke: ${r.body?.detail ?? `HTTP ${r.status}`}`;
      loadKeys();
    });
    return el('tr', { 'data-id': k.id }, el('th', { scope: 'row', text: k.name }), td(k.role), td(formatDateTime(k.created_at)),
      td(k.last_used_at ? formatDateTime(k.last_used_at) : 'never'), td(k.expires_at ? formatDateTime(k.expires_at) : 'never'), td(revoke));
  }));
}

// ---- API (Swagger UI from its WebJar) ---------------------------------------------------------------------

const SWAGGER = '/webjars/swagger-ui/5.34.1';
let swaggerShown = false;

function loadOnce(tag, attrs) {
  return new Promise((resolve, reject) => {
    const e = el(tag, attrs);
    e.onload = resolve;
    e.onerror = () => reject(new Error(`${attrs.src ?? attrs.href} could not be loaded`));
    document.head.append(e);
  });
}

async function apiPage() {
  if (swaggerShown) return;
  swaggerShown = true;
  try {
    await Promise.all([
      loadOnce('link', { rel: 'stylesheet', href: `${SWAGGER}/swagger-ui.css` }),
      loadOnce('script', { src: `${SWAGGER}/swagger-ui-bundle.js` }),
    ]);
  } catch (err) {
    swaggerShown = false;
    $('swagger').textContent = `The API browser could not be loaded: ${err.message}`;
    return;
  }
  window.SwaggerUIBundle({
    url: '/api/v1/openapi.yaml',
    domNode: $('swagger'),
    deepLinking: false,
    validatorUrl: null,
    tryItOutEnabled: false,
    defaultModelsExpandDepth: -1,
    // "Try it out" goes out with the signed-in token, read at each request (sign-out / sign-in take effect)
    // Swagger UI leaves its selects (servers, content types) without a name: give them one
    onComplete: () => labelSwaggerSelects(),
    requestInterceptor: (req) => {
      // the contract's servers entry names a sample host: calls go to this server (the CSP allows no other)
      try {
        const u = new URL(req.url, location.href);
        if (u.origin !== location.origin) req.url = location.origin + u.pathname + u.search;
      } catch { /* a relative URL stays as it is */ }
      if (ctx.api?.token && !String(req.url).endsWith('/openapi.yaml')) req.headers.Authorization = `Bearer ${ctx.api.token}`;
      return req;
    },
  });
}

function labelSwaggerSelects() {
  for (const select of $('swagger').querySelectorAll('select:not([aria-label])')) {
    const name = select.id === 'servers' ? 'Server' : (select.closest('label')?.textContent || select.className || 'Choice');
    select.setAttribute('aria-label', name.trim() || 'Choice');
  }
}

// ---- dispatch ---------------------------------------------------------------------------------------------

export const PAGES = {
  history, users, content, statistics, map, alerts, settings, api: apiPage,
};

export async function showPage(route) {
  const name = route.page === 'users' && route.rest.length ? 'user' : route.page;
  const handler = name === 'user' ? user : PAGES[name];
  const g = ++generation;
  ctx.api = guarded(baseApi, g);
  try {
    if (handler) await handler(route);
  } catch (err) {
    if (!(err instanceof Stale)) throw err;
    return false;
  }
  return g === generation;
}
