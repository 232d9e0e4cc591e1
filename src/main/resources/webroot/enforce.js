// Issue 15 part A on the dashboard, kept in one module with small hooks into app.js/index.html (the
// dashboard is being split into pages; these hooks move with it): Terminate on a session row (a dialog
// with the message, then the outcome), the rule actions inside an alert card, and the audit view.
// Plain DOM, text only (never innerHTML).

const ANALYTICS = '/api/v1/analytics';
const $ = (id) => document.getElementById(id);

let api = null;
let admin = false;
let pending = null; // the session the open dialog is about

/** Called once an admin is signed in: wires the dialog and shows the audit view. */
export function startEnforce(theApi) {
  api = theApi;
  admin = true;
  $('audit').hidden = false;
  $('terminate-form').onsubmit = (e) => { e.preventDefault(); confirmTerminate(); };
  $('terminate-cancel').onclick = () => closeDialog();
  $('audit-refresh').onclick = loadAudit;
  $('audit-filter').onsubmit = (e) => { e.preventDefault(); loadAudit(); };
  loadAudit();
}

/**
 * Opening the Settings page reads the audit log again: an action's entry is written just after its answer,
 * so the read made right after the action (or on its frame) can come too early.
 */
export function refreshAudit() {
  if (admin && api) loadAudit();
}

export function stopEnforce() {
  admin = false;
  api = null;
  if ($('audit')) $('audit').hidden = true;
}

/** The last cell of a session row: a Terminate button for admins, empty otherwise. */
export function terminateCell(session, label) {
  const td = document.createElement('td');
  td.dataset.label = 'Actions';
  if (!admin) return td;
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'secondary terminate';
  b.textContent = 'Terminate';
  b.setAttribute('aria-label', `Terminate the stream of ${label}`);
  b.onclick = () => openDialog(session, label);
  td.append(b);
  return td;
}

function openDialog(session, label) {
  pending = session;
  $('terminate-who').textContent = `${label} · ${session.content_title ?? ''}`;
  $('terminate-reason').value = '';
  $('terminate-error').textContent = '';
  $('terminate-outcome').textContent = '';
  $('terminate-confirm').disabled = false;
  const dialog = $('terminate-dialog');
  if (typeof dialog.showModal === 'function') dialog.showModal(); else dialog.setAttribute('open', '');
  $('terminate-reason').focus();
}

function closeDialog() {
  const dialog = $('terminate-dialog');
  if (typeof dialog.close === 'function' && dialog.open) dialog.close(); else dialog.removeAttribute('open');
  pending = null;
}

async function confirmTerminate() {
  if (!pending) return;
  const reason = $('terminate-reason').value.trim();
  if (reason.length > 200) {
    $('terminate-error').textContent = 'The message may be at most 200 characters.';
    return;
  }
  $('terminate-confirm').disabled = true;
  $('terminate-outcome').textContent = 'Stopping the stream…';
  const res = await api.post(`${ANALYTICS}/sessions/${pending.id}/terminate`, reason ? { reason } : {});
  $('terminate-confirm').disabled = false;
  if (!res.ok) {
    const fields = (res.body?.errors || []).map((e) => `${e.field} ${e.message}`).join('; ');
    $('terminate-outcome').textContent = '';
    $('terminate-error').textContent = fields || res.body?.detail || `Terminate failed (HTTP ${res.status}).`;
    return;
  }
  const words = { terminated: 'Terminated', already_ended: 'Already ended', failed: 'Failed' };
  $('terminate-outcome').textContent = `${words[res.body.outcome] ?? res.body.outcome}: ${res.body.detail ?? ''}`;
  $('terminate-outcome').dataset.outcome = res.body.outcome;
  loadAudit();
}

// ---- rule actions in the alert card ---------------------------------------------------------------------

const OUTCOME_WORDS = {
  terminated: 'terminated',
  skipped_already_ended: 'skipped: the sessions had ended',
  skipped_condition_cleared: 'skipped: the violation cleared during the delay',
  skipped_cooldown: 'skipped: cooldown',
  skipped_trust: 'skipped: trust score not low enough',
  failed: 'failed',
};

/** A list of the alert's rule actions, appended to the alert card; filled from the API when needed. */
export function alertActions(alert) {
  const ul = document.createElement('ul');
  ul.className = 'rule-actions';
  ul.dataset.alert = alert.id;
  if (Array.isArray(alert.actions)) renderActions(ul, alert.actions);
  else if (api) api.get(`${ANALYTICS}/sharing/alerts/${alert.id}`).then((res) => {
    if (res.ok && Array.isArray(res.body?.actions)) renderActions(ul, res.body.actions);
  });
  return ul;
}

function renderActions(ul, actions) {
  ul.replaceChildren();
  for (const a of actions) {
    const li = document.createElement('li');
    li.dataset.outcome = a.outcome ?? 'pending';
    const what = `${a.action?.type ?? 'terminate'} ${a.action?.target ?? ''}`.trim();
    li.textContent = a.outcome
      ? `Rule action (${what}): ${OUTCOME_WORDS[a.outcome] ?? a.outcome}${a.detail ? ` — ${a.detail}` : ''}`
      : `Rule action (${what}) due ${new Date(a.due_at).toLocaleTimeString()}`;
    ul.append(li);
  }
}

/** Live frames this module cares about; true when handled. */
export function enforceFrame(frame) {
  if (frame.type === 'alert.action') {
    const ul = document.querySelector(`ul.rule-actions[data-alert="${CSS.escape(frame.data.alert_id)}"]`);
    if (ul && api) api.get(`${ANALYTICS}/sharing/alerts/${frame.data.alert_id}`).then((res) => {
      if (res.ok) renderActions(ul, res.body.actions || []);
    });
    return true;
  }
  if (frame.type === 'session.terminated') {
    if (admin) loadAudit();
    return true;
  }
  return false;
}

// ---- audit view -----------------------------------------------------------------------------------------

async function loadAudit() {
  if (!api) return;
  const q = new URLSearchParams({ limit: '50' });
  const actor = $('audit-actor').value.trim();
  const action = $('audit-action').value.trim();
  if (actor) q.set('actor', actor);
  if (action) q.set('action', action);
  const res = await api.get(`${ANALYTICS}/audit?${q}`);
  const body = $('audit-log').tBodies[0];
  if (!res.ok) {
    $('audit-status').textContent = res.body?.detail || `The audit log could not be read (HTTP ${res.status}).`;
    return;
  }
  $('audit-status').textContent = '';
  body.replaceChildren();
  for (const e of res.body.items) {
    const tr = document.createElement('tr');
    const change = [e.before ? `before ${JSON.stringify(e.before)}` : '', e.after ? `after ${JSON.stringify(e.after)}` : '']
      .filter(Boolean).join(' → ');
    for (const [label, text] of [['When', new Date(e.at).toLocaleString()], ['Actor', e.actor], ['Action', e.action],
      ['Target', e.target], ['Result', `${e.result} (${e.status})`], ['Change', change]]) {
      const td = document.createElement('td');
      td.dataset.label = label;
      td.textContent = text ?? '';
      tr.append(td);
    }
    body.append(tr);
  }
}
