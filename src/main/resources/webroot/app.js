import { Api } from './api.js';
import { LiveConnection } from './live.js';
import { renderDailyChart } from './chart.js';
import { startNotifications } from './notifications.js';
import { startEnforce, stopEnforce, terminateCell, alertActions, enforceFrame } from './enforce.js';
import { currentRoute } from './router.js';
import { setContext, showPage } from './pages.js';
import { resizeWithin } from './charts.js';
import {
  alertTypeLabel, describeEvidence, evidenceDetails, formatClock, formatMinutes, formatNumber, sessionTitle, shortId,
  userLabel,
} from './describe.js';

const TOKEN_KEY = 'tracearr.token';
const ANALYTICS = '/api/v1/analytics';
const $ = (id) => document.getElementById(id);

const state = {
  api: null,
  live: null,
  admin: false,
  sessions: new Map(),
  alerts: new Map(),
  alertsKnown: false,
  today: null,
  summary: null,
  daily: null,
  dailyNote: '',
  connected: false,
};
const rows = new Map();

// ---- sign-in -----------------------------------------------------------------------------------------

async function signIn(token, { fromForm }) {
  const api = new Api(token);
  const probe = await api.probe();
  if (probe.status === 401 || probe.status === 403) {
    sessionStorage.removeItem(TOKEN_KEY);
    showSignIn(probe.status === 401
      ? 'That API key or token was not accepted.'
      : 'This token cannot read the dashboard (it needs the viewer, admin or user role).');
    return;
  }
  if (probe.status === 0) {
    if (fromForm) showSignIn('The server cannot be reached. Try again in a moment.');
    else showSignIn('');
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  state.api = api;
  $('sign-in').hidden = true;
  $('dashboard').hidden = false;
  $('sign-out').hidden = false;
  $('nav').hidden = false;
  setContext({ api, admin: false });
  state.live = new LiveConnection({ token, onFrame, onState: showConnection });
  window.tracearr = { live: state.live, state };
  state.live.connect();
  loadPopular();
  route();
}

// ---- pages ---------------------------------------------------------------------------------------------

/** Shows the page the address names (hash route) and loads what it needs. */
async function route() {
  if (!state.api) return;
  const r = currentRoute();
  const name = r.page === 'users' && r.rest.length ? 'user' : r.page;
  const known = document.querySelector(`.page[data-page="${CSS.escape(name)}"]`);
  const page = known ? name : 'overview';
  for (const p of document.querySelectorAll('.page')) p.hidden = p.dataset.page !== page;
  for (const a of document.querySelectorAll('#nav a')) {
    const here = a.dataset.page === (page === 'user' ? 'users' : page);
    if (here) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  const title = document.querySelector(`#page-${page} .page-title`)?.textContent || 'Overview';
  document.title = `${title} · tracearr analytics`;
  state.page = page;
  if (page === 'overview') {
    showPage({ page: 'overview', rest: [], params: r.params }); // no loader: it retires the previous page's reads
    loadSummary();
    loadPopular();
    renderChart();
  } else if (!(await showPage({ ...r, page: page === 'user' ? 'users' : page }))) {
    return; // a newer route took over while this one loaded
  }
  resizeWithin($(`page-${page}`));
  document.body.dataset.page = page;
  // the route whose data is on screen (tests wait for it; a later hashchange overwrites it)
  document.body.dataset.route = location.hash || '#/overview';
}

function showSignIn(message) {
  $('dashboard').hidden = true;
  $('sign-out').hidden = true;
  $('sign-in').hidden = false;
  $('sign-in-error').textContent = message;
  showConnection({ state: 'signed-out' });
  $('token').focus();
}

function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  if (state.live) state.live.close();
  state.live = null;
  state.api = null;
  $('nav').hidden = true;
  $('notifications').hidden = true;
  stopEnforce();
  $('token').value = '';
  showSignIn('');
}

// ---- connection indicator ------------------------------------------------------------------------------

async function showConnection(s) {
  const box = document.querySelector('.connection');
  box.dataset.state = s.state;
  state.connected = s.state === 'live';
  const label = $('connection-label');
  $('retry').hidden = s.state !== 'reconnecting';
  switch (s.state) {
    case 'live': label.textContent = 'Live'; break;
    case 'connecting': label.textContent = 'Connecting…'; break;
    case 'reconnecting':
      label.textContent = `Disconnected — reconnecting in ${Math.ceil(s.delay / 1000)} s`;
      if (!s.hadOpened && state.api) {
        // a refused upgrade is invisible to a browser; ask REST whether the token still works
        const probe = await state.api.probe();
        if (probe.status === 401 || probe.status === 403) {
          signOut();
          $('sign-in-error').textContent = 'Your token is no longer accepted. Sign in again.';
        }
      }
      break;
    default: label.textContent = 'Signed out';
  }
  renderFigures();
}

// ---- frames --------------------------------------------------------------------------------------------

function onFrame(frame) {
  const d = frame.data;
  switch (frame.type) {
    case 'hello':
      state.admin = Array.isArray(d.roles) && d.roles.includes('admin');
      setContext({ api: state.api, admin: state.admin });
      if (state.admin && $('notifications').hidden) startNotifications(state.api);
      if (state.admin) startEnforce(state.api);
      $('about').textContent = `Node ${shortId(d.node_id)} · version ${d.version}`;
      $('settings-import').hidden = !state.admin;
      if (state.admin) loadImports();
      break;
    case 'import.progress':
      renderImport(d);
      break;
    case 'snapshot':
      applySnapshot(d);
      break;
    case 'session.started':
    case 'session.updated':
      upsertSession(d, frame.type === 'session.started');
      break;
    case 'session.ended':
      removeSession(d.id);
      break;
    case 'alert.raised':
    case 'alert.updated':
      if (d.status && d.status !== 'open') removeAlert(d.id); else upsertAlert(d, frame.type === 'alert.raised');
      break;
    case 'alert.dismissed':
      removeAlert(d.id);
      break;
    case 'stats.updated':
      // the frame carries today's figures: the header and the chart's today take them as they are, with no
      // request (bench scenario 14: at 1 000 dashboards a refetch per frame cost the service several times
      // the CPU). Only the popular list, which no frame carries, is refetched, and that on a bound.
      if (isNewerToday(d, state.today)) {
        state.today = d;
        renderFigures();
        renderChart();
      }
      refreshPopularSoon();
      break;
    case 'error':
      console.warn('live channel error', d);
      break;
    default:
      enforceFrame(frame);
      break;
  }
}

function applySnapshot(d) {
  state.sessions.clear();
  rows.clear();
  $('sessions').tBodies[0].replaceChildren();
  const active = [...(d.active_sessions ?? [])].sort((a, b) => String(a.started_at).localeCompare(String(b.started_at)));
  for (const s of active) upsertSession(s, false);
  state.alerts.clear();
  $('alerts').replaceChildren();
  state.alertsKnown = Array.isArray(d.open_alerts);
  const alerts = [...(d.open_alerts ?? [])].sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)));
  for (const a of alerts) upsertAlert(a, false);
  state.today = d.today ?? null;
  renderEmptyStates();
  loadSummary();
  loadDaily();
}

// ---- sessions table ------------------------------------------------------------------------------------

function upsertSession(s, fresh) {
  if (!s || !s.id) return;
  if (s.ended_at || s.status === 'ended' || s.status === 'timed_out') {
    removeSession(s.id);
    return;
  }
  state.sessions.set(s.id, s);
  let tr = rows.get(s.id);
  const isNew = !tr;
  if (isNew) {
    tr = document.createElement('tr');
    tr.dataset.id = s.id;
    rows.set(s.id, tr);
    $('sessions').tBodies[0].prepend(tr);
  }
  tr.replaceChildren(...sessionCells(s));
  if (isNew && fresh) {
    tr.classList.add('fresh');
    setTimeout(() => tr.classList.remove('fresh'), 2100);
  }
  renderEmptyStates();
  renderFigures();
}

function removeSession(id) {
  state.sessions.delete(id);
  const tr = rows.get(id);
  if (tr) tr.remove();
  rows.delete(id);
  renderEmptyStates();
  renderFigures();
}

function cell(main, sub, title) {
  const td = document.createElement('td');
  if (main instanceof Node) td.append(main); else td.append(document.createTextNode(main ?? '—'));
  if (sub) {
    const small = document.createElement('small');
    small.textContent = sub;
    td.append(small);
  }
  if (title) td.title = title;
  return td;
}

function badge(text, cls) {
  const span = document.createElement('span');
  span.className = `badge ${cls}`;
  span.textContent = text;
  return span;
}

const SESSION_COLUMNS = ['User', 'Title', 'Device', 'Client', 'Location', 'Status', 'Quality', 'Progress'];

function sessionCells(s) {
  const loc = s.location;
  const where = loc ? [loc.city, loc.country].filter(Boolean).join(', ') || 'located' : 'not located';
  const mbps = Number(s.bandwidth_kbps) > 0 ? `${formatNumber(s.bandwidth_kbps / 1000, 1)} Mbps` : '';
  const year = s.content && Number.isInteger(s.content.year) ? ` · ${s.content.year}` : '';
  const cells = [
    cell(userLink(s.user_name, s.user_id), null, s.user_id),
    cell(sessionTitle(s), `${s.content_type}${year}`),
    cell(s.device_name, s.device_id && s.device_id !== s.device_name ? shortId(s.device_id) : null),
    cell(s.client_name, s.server_name ? `via ${s.server_name}` : null),
    cell(where, s.ip_address),
    cell(badge(s.status, `status-${s.status}`)),
    cell(`${s.resolution || 'unknown'} · ${s.transcoded ? 'transcode' : 'direct'}`, mbps),
    cell(`at ${formatClock(s.position_seconds)}`, `played ${formatClock(s.duration_seconds)}`),
  ];
  cells.forEach((td, i) => { td.dataset.label = SESSION_COLUMNS[i]; });
  cells.push(terminateCell(s, userLabel(s.user_name, s.user_id)));
  return cells;
}

// ---- a user's name leads to the user's page (trust, exemptions and trusted devices are there) ----------

function userLink(name, userId) {
  const a = document.createElement('a');
  a.href = `#/users/${encodeURIComponent(userId)}`;
  a.className = 'user-link';
  a.textContent = userLabel(name, userId);
  return a;
}

// ---- alerts --------------------------------------------------------------------------------------------

function upsertAlert(a, fresh) {
  if (!a || !a.id) return;
  state.alerts.set(a.id, a);
  const list = $('alerts');
  let li = list.querySelector(`li[data-id="${CSS.escape(a.id)}"]`);
  if (!li) {
    li = document.createElement('li');
    li.dataset.id = a.id;
    list.prepend(li);
  }
  li.className = `sev-${a.severity || 'low'}`;
  const article = document.createElement('article');
  const head = document.createElement('div');
  head.className = 'alert-head';
  const h3 = document.createElement('h3');
  h3.textContent = alertTypeLabel(a.alert_type);
  const when = document.createElement('time');
  when.dateTime = a.updated_at || a.created_at || '';
  when.textContent = a.created_at ? new Date(a.created_at).toLocaleString() : '';
  head.append(h3, badge(a.severity || 'unknown', `sev-${a.severity}`), document.createTextNode(userLabel(alertUserName(a), a.user_id)), when);
  const evidence = document.createElement('p');
  evidence.className = 'evidence';
  evidence.textContent = describeEvidence(a);
  article.append(head, evidence);
  for (const line of evidenceDetails(a)) {
    const p = document.createElement('p');
    p.className = 'details';
    p.textContent = line;
    article.append(p);
  }
  article.append(alertActions(a));
  if (Number(a.occurrences) > 1) {
    const p = document.createElement('p');
    p.className = 'meta';
    p.textContent = `Seen ${a.occurrences} times`;
    article.append(p);
  }
  if (state.admin) {
    const actions = document.createElement('div');
    actions.className = 'actions';
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'secondary dismiss';
    button.textContent = 'Dismiss';
    button.setAttribute('aria-label', `Dismiss ${alertTypeLabel(a.alert_type)} alert for ${userLabel(alertUserName(a), a.user_id)}`);
    button.addEventListener('click', () => dismiss(a.id, button));
    actions.append(button);
    article.append(actions);
  }
  li.replaceChildren(article);
  if (fresh) $('alerts-status').textContent = `New alert: ${alertTypeLabel(a.alert_type)} — ${describeEvidence(a)}`;
  renderEmptyStates();
  renderFigures();
}

/** The user's name as the evidence recorded it when the alert was raised or last updated. */
function alertUserName(a) {
  return a && a.evidence && typeof a.evidence === 'object' ? a.evidence.user_name : null;
}

function removeAlert(id) {
  state.alerts.delete(id);
  const li = $('alerts').querySelector(`li[data-id="${CSS.escape(String(id))}"]`);
  if (li) li.remove();
  renderEmptyStates();
  renderFigures();
}

async function dismiss(id, button) {
  button.disabled = true;
  const res = await state.api.post(`${ANALYTICS}/sharing/alerts/${encodeURIComponent(id)}/dismiss`, {});
  if (res.ok) {
    removeAlert(id);
    $('alerts-status').textContent = 'Alert dismissed.';
  } else {
    button.disabled = false;
    const why = res.body?.detail || res.body?.title || 'unknown error';
    $('alerts-status').textContent = `Could not dismiss the alert: ${why} (HTTP ${res.status}).`;
  }
}

// ---- figures -------------------------------------------------------------------------------------------

let popularTimer = null;
let lastPopular = 0;

/** The summary: the header's fallback while the live channel has not given today's figures. */
async function loadSummary() {
  if (!state.api) return;
  const res = await state.api.get(`${ANALYTICS}/stats/summary`);
  state.summary = res.ok ? res.body : null;
  renderFigures();
}

/**
 * A stats.updated frame older than the figures held (two nodes' roll-ups can cross on the way) is not
 * shown: within a day every one of these figures only grows.
 */
function isNewerToday(d, held) {
  if (!d || !d.date) return false;
  if (!held || !held.date || d.date > held.date) return true;
  if (d.date < held.date) return false;
  const grows = (k) => !(Number(d[k]) < Number(held[k]));
  return grows('total_sessions') && grows('unique_users') && grows('total_duration_minutes');
}

/**
 * The popular list follows a burst of stats.updated frames: one refetch 250 ms after the first frame, then
 * at most one every 5 s while frames keep coming (at 1 000 dashboards and a roll-up a second, one per frame
 * would be 1 000 queries a second for a list that moves slowly).
 */
function refreshPopularSoon() {
  if (popularTimer || state.page !== 'overview') return;
  const wait = Math.max(250, lastPopular + 5000 - Date.now());
  popularTimer = setTimeout(() => {
    popularTimer = null;
    lastPopular = Date.now();
    if (state.page === 'overview') loadPopular();
  }, wait);
}

/**
 * Sessions today, unique users and watch hours come from today's figures of the live channel (the
 * snapshot's, then each stats.updated frame's) while it is up; the summary is the fallback before that.
 */
function renderFigures() {
  const s = state.summary ?? {};
  const t = state.today;
  const set = (id, v) => { $(id).textContent = v; };
  const active = state.connected ? state.sessions.size : s.active_streams;
  set('fig-active', formatNumber(active));
  const live = t && (!s.date || t.date >= s.date);
  set('fig-sessions', formatNumber(live ? t.total_sessions : s.sessions_today));
  set('fig-users', formatNumber(live ? t.unique_users : s.unique_users_today));
  const hours = live
    ? (t.total_duration_minutes != null ? t.total_duration_minutes / 60 : null)
    : s.watch_hours_today;
  set('fig-hours', formatNumber(hours, 1));
  set('fig-alerts', formatNumber(state.connected && state.alertsKnown ? state.alerts.size : s.open_alerts));
}

function renderEmptyStates() {
  $('sessions-empty').hidden = state.sessions.size > 0;
  $('alerts-empty').hidden = state.alerts.size > 0;
  $('alerts-empty').textContent = state.alertsKnown ? 'No open alerts.' : 'Alerts: n/a';
}

// ---- daily chart ---------------------------------------------------------------------------------------

function isoDay(d) {
  return d.toISOString().slice(0, 10);
}

function lastDays(endIso, n) {
  const end = new Date(`${endIso}T00:00:00Z`);
  const out = [];
  for (let i = n - 1; i >= 0; i--) out.push(isoDay(new Date(end.getTime() - i * 86400000)));
  return out;
}

let dailyLoadedAt = 0;

async function loadDaily() {
  if (!state.api) return;
  if (Date.now() - dailyLoadedAt < 60000 && state.daily) { renderChart(); return; }
  const days = lastDays(state.today?.date ?? isoDay(new Date()), 30);
  const res = await state.api.get(`${ANALYTICS}/stats/daily?start=${days[0]}&end=${days[days.length - 1]}`);
  if (res.ok && Array.isArray(res.body?.items)) {
    state.daily = res.body.items;
    state.dailyNote = '';
    dailyLoadedAt = Date.now();
  } else {
    state.daily = null;
    state.dailyNote = res.status === 404
      ? 'Daily history: n/a on this server — today is shown live.'
      : `Daily history unavailable (HTTP ${res.status}) — today is shown live.`;
  }
  renderChart();
}

const METRICS = {
  total_sessions: { label: 'Sessions', value: (d) => d.total_sessions, format: (v) => formatNumber(v) },
  unique_users: { label: 'Unique users', value: (d) => d.unique_users, format: (v) => formatNumber(v) },
  watch_hours: {
    label: 'Watch hours',
    value: (d) => (d.total_duration_minutes == null ? undefined : d.total_duration_minutes / 60),
    format: (v) => formatNumber(v, v < 10 ? 1 : 0),
  },
  peak_concurrent_streams: { label: 'Peak streams', value: (d) => d.peak_concurrent_streams, format: (v) => formatNumber(v) },
  total_bandwidth_gb: { label: 'GB', value: (d) => d.total_bandwidth_gb, format: (v) => formatNumber(v, v < 10 ? 1 : 0) },
};

function renderChart() {
  const metric = METRICS[$('daily-metric').value] ?? METRICS.total_sessions;
  const todayIso = state.today?.date ?? isoDay(new Date());
  const byDate = new Map((state.daily ?? []).map((d) => [d.date, d]));
  if (state.today?.date) byDate.set(state.today.date, { ...(byDate.get(state.today.date) ?? {}), ...state.today });
  const days = lastDays(todayIso, 30).map((date) => {
    const row = byDate.get(date);
    const v = row ? metric.value(row) : undefined;
    return { date, value: v === undefined || v === null ? null : Number(v), today: date === todayIso };
  });
  renderDailyChart($('daily-chart'), days, { label: metric.label, format: metric.format });
  $('daily-note').textContent = state.dailyNote;
}

// ---- popular content -----------------------------------------------------------------------------------

async function loadPopular() {
  if (!state.api) return;
  const win = $('popular-window').value;
  const res = await state.api.get(`${ANALYTICS}/popular?window=${encodeURIComponent(win)}&limit=10`);
  const tbody = $('popular').tBodies[0];
  if (!res.ok || !Array.isArray(res.body?.items)) {
    tbody.replaceChildren();
    $('popular-note').textContent = res.status === 404
      ? 'Popular content: n/a on this server.'
      : `Popular content unavailable: ${res.body?.detail ?? `HTTP ${res.status}`}`;
    return;
  }
  const items = res.body.items;
  tbody.replaceChildren(...items.map((it, i) => {
    const tr = document.createElement('tr');
    const num = (v) => { const td = cell(v); td.className = 'num'; return td; };
    tr.append(num(String(i + 1)), cell(it.content_title || shortId(it.content_id)), cell(it.content_type),
      num(formatNumber(it.play_count)), num(formatNumber(it.unique_users)), num(formatMinutes(it.total_watch_minutes)));
    return tr;
  }));
  $('popular-note').textContent = items.length ? '' : 'Nothing played in this window yet.';
}

// ---- wiring --------------------------------------------------------------------------------------------

document.addEventListener('DOMContentLoaded', () => {
  $('sign-in-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const token = $('token').value.trim();
    if (!token) {
      $('sign-in-error').textContent = 'Enter an API key or a JWT.';
      return;
    }
    $('sign-in-error').textContent = '';
    signIn(token, { fromForm: true });
  });
  $('sign-out').addEventListener('click', signOut);
  $('retry').addEventListener('click', () => state.live?.retryNow());
  $('popular-window').addEventListener('change', loadPopular);
  window.addEventListener('hashchange', route);
  $('daily-metric').addEventListener('change', renderChart);
  let resizeTimer = null;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => { if (state.api) renderChart(); }, 150);
  });
  // while the live channel is down the header has only the summary: keep it from going stale meanwhile
  setInterval(() => { if (state.api && !state.connected) loadSummary(); }, 60000);
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) signIn(saved, { fromForm: false }); else showSignIn('');
});

// ---- Settings → Import history (admins) ------------------------------------------------------------------

const IMPORT_SOURCES = { tautulli: 'Tautulli', jellystat: 'Jellystat', playback_reporting: 'Playback Reporting' };
const importItems = new Map();

async function loadImports() {
  const res = await state.api.get(`${ANALYTICS}/imports?limit=20`);
  if (!res.ok) return;
  for (const job of res.body.items.slice().reverse()) renderImport(job);
}

function importLine(job) {
  const parts = [`${IMPORT_SOURCES[job.source] ?? job.source} · ${job.file_name ?? 'upload'} · ${job.status}`];
  if (job.phase) parts.push(job.phase.replace('_', ' '));
  if (job.progress) parts.push(`${Math.round(job.progress.fraction * 100)} %`);
  parts.push(`${formatNumber(job.rows_read)} read, ${formatNumber(job.rows_imported)} imported, ${formatNumber(job.rows_skipped)} skipped`);
  const reasons = Object.entries(job.skipped_by_reason ?? {}).map(([k, v]) => `${k.replace('_', ' ')} ${v}`);
  if (reasons.length) parts.push(`(${reasons.join(', ')})`);
  if (job.rate_rows_per_second && job.status === 'running') parts.push(`${formatNumber(Math.round(job.rate_rows_per_second))} rows/s`);
  if (job.eta_seconds != null) parts.push(`about ${formatMinutes(job.eta_seconds / 60)} left`);
  return parts.join(' · ');
}

function renderImport(job) {
  let li = importItems.get(job.id);
  if (!li) {
    li = document.createElement('li');
    const text = document.createElement('span');
    const bar = document.createElement('progress');
    bar.max = 1;
    const error = document.createElement('p');
    error.className = 'error';
    const cancel = document.createElement('button');
    cancel.type = 'button';
    cancel.className = 'link';
    cancel.textContent = 'Cancel';
    cancel.addEventListener('click', async () => {
      cancel.disabled = true;
      const res = await state.api.delete(`${ANALYTICS}/imports/${job.id}`);
      if (res.ok) renderImport(res.body);
      else error.textContent = res.body?.detail ?? `HTTP ${res.status}`;
      cancel.disabled = false;
    });
    li.append(text, bar, cancel, error);
    importItems.set(job.id, li);
    $('imports').prepend(li);
  }
  const [text, bar, cancel, error] = li.children;
  text.textContent = importLine(job);
  li.dataset.status = job.status;
  bar.hidden = job.status !== 'running' || !job.progress;
  if (job.progress) bar.value = job.progress.fraction;
  cancel.hidden = !(job.status === 'queued' || (job.status === 'running' && job.phase === 'reading'));
  if (job.error) error.textContent = job.error;
}

$('import-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = e.target;
  const file = $('import-file').files[0];
  $('import-error').textContent = '';
  if (!file) {
    $('import-error').textContent = 'Choose the history file to import.';
    return;
  }
  const body = new FormData();
  body.append('source', $('import-source').value);
  if ($('import-server').value.trim()) body.append('server_id', $('import-server').value.trim());
  if ($('import-timezone').value.trim()) body.append('timezone', $('import-timezone').value.trim());
  body.append('file', file, file.name);
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  button.textContent = 'Uploading…';
  const res = await state.api.upload(`${ANALYTICS}/imports`, body);
  button.disabled = false;
  button.textContent = 'Import';
  if (res.ok) {
    renderImport(res.body);
    form.reset();
  } else {
    const fields = (res.body?.errors ?? []).map((f) => `${f.field}: ${f.message}`).join('; ');
    $('import-error').textContent = fields || res.body?.detail || `The upload failed (HTTP ${res.status}).`;
  }
});
