// Settings → Notifications (admins only): channels (add, edit, test, remove; secrets write-only) and the
// delivery log, where failed deliveries can be sent again. Plain DOM, text only (never innerHTML).

const BASE = '/api/v1/analytics/notifications';
const $ = (id) => document.getElementById(id);

// per type: [field, label, secret?]
const FIELDS = {
  webhook: [['url', 'URL'], ['secret', 'Signing secret (16+ characters)', true]],
  discord: [['url', 'Discord webhook URL', true]],
  slack: [['url', 'Slack incoming-webhook URL', true]],
  ntfy: [['server_url', 'Server URL (default https://ntfy.sh)'], ['topic', 'Topic'], ['token', 'Access token', true]],
  gotify: [['server_url', 'Server URL'], ['app_token', 'Application token', true]],
  telegram: [['bot_token', 'Bot token', true], ['chat_id', 'Chat id'], ['api_base_url', 'API base URL (default https://api.telegram.org)']],
  pushover: [['user_key', 'User key', true], ['app_token', 'Application token', true], ['api_base_url', 'API base URL (default https://api.pushover.net)']],
  email: [['smtp_host', 'SMTP host'], ['smtp_port', 'SMTP port (587)'], ['starttls', 'STARTTLS: disabled, optional or required'],
    ['username', 'User'], ['password', 'Password', true], ['from', 'From'], ['to', 'To (comma-separated)']],
};

let api = null;
let editing = null; // the channel being edited, or null when adding

export function startNotifications(theApi) {
  api = theApi;
  $('notifications').hidden = false;
  $('notify-add').onclick = () => openForm(null);
  $('nf-cancel').onclick = () => { $('notify-form').hidden = true; };
  $('nf-type').onchange = () => renderFields(null);
  $('notify-form').onsubmit = (e) => { e.preventDefault(); save(); };
  $('notify-filter').onchange = loadDeliveries;
  loadChannels();
  loadDeliveries();
}

function status(text) {
  $('notify-status').textContent = text;
}

function button(label, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.onclick = onClick;
  return b;
}

function row(cells) {
  const tr = document.createElement('tr');
  for (const c of cells) {
    const td = document.createElement('td');
    if (c instanceof Node) td.append(c); else td.textContent = c ?? '';
    tr.append(td);
  }
  return tr;
}

async function loadChannels() {
  const res = await api.get(`${BASE}/channels`);
  const body = $('notify-channels').tBodies[0];
  body.replaceChildren();
  if (!res.ok) { status(res.body?.detail || `Channels cannot be read (${res.status})`); return; }
  for (const c of res.body.items) {
    const actions = document.createElement('span');
    actions.append(button('Test', () => test(c)));
    if (c.source === 'api') {
      actions.append(button('Edit', () => openForm(c)), button('Remove', () => remove(c)));
    }
    body.append(row([c.name + (c.enabled ? '' : ' (disabled)'), c.type, (c.events || []).join(', '), c.source, actions]));
  }
}

function openForm(channel) {
  editing = channel;
  $('notify-form-title').textContent = channel ? `Edit ${channel.name}` : 'Add channel';
  $('nf-name').value = channel?.name || '';
  $('nf-type').value = channel?.type || 'webhook';
  $('nf-type').disabled = Boolean(channel); // the type cannot change
  $('nf-events').value = (channel?.events || []).join(', ');
  $('nf-severity').value = channel?.min_severity || 'low';
  $('nf-enabled').checked = channel ? channel.enabled : true;
  $('nf-error').textContent = '';
  renderFields(channel);
  $('notify-form').hidden = false;
  $('nf-name').focus();
}

function renderFields(channel) {
  const box = $('nf-fields');
  box.replaceChildren();
  for (const [field, label, secret] of FIELDS[$('nf-type').value]) {
    const id = `nf-f-${field}`;
    const l = document.createElement('label');
    l.htmlFor = id;
    l.textContent = label;
    const input = document.createElement('input');
    input.id = id;
    input.dataset.field = field;
    input.autocomplete = 'off';
    if (secret) {
      input.type = 'password';
      input.dataset.secret = 'true';
      if (channel && channel[`${field}_set`]) input.placeholder = '(set; leave empty to keep)';
    } else if (channel && channel[field] !== undefined && channel[field] !== null) {
      input.value = Array.isArray(channel[field]) ? channel[field].join(', ') : channel[field];
    }
    box.append(l, input);
  }
}

function formBody() {
  const body = {
    name: $('nf-name').value.trim(),
    enabled: $('nf-enabled').checked,
    min_severity: $('nf-severity').value,
  };
  if (!editing) body.type = $('nf-type').value;
  const events = $('nf-events').value.split(',').map((s) => s.trim()).filter(Boolean);
  if (events.length) body.events = events;
  for (const input of $('nf-fields').querySelectorAll('input')) {
    const v = input.value.trim();
    if (!v) continue; // empty: keep the stored value (PATCH) or use the default (POST)
    const f = input.dataset.field;
    if (f === 'to') body.to = v.split(',').map((s) => s.trim()).filter(Boolean);
    else if (f === 'smtp_port') body.smtp_port = Number(v);
    else body[f] = v;
  }
  return body;
}

async function save() {
  const body = formBody();
  const res = editing ? await api.patch(`${BASE}/channels/${editing.id}`, body) : await api.post(`${BASE}/channels`, body);
  if (!res.ok) {
    const errors = (res.body?.errors || []).map((e) => `${e.field}: ${e.message}`).join('; ');
    $('nf-error').textContent = errors || res.body?.detail || `Not saved (${res.status})`;
    return;
  }
  $('notify-form').hidden = true;
  status(`Saved ${res.body.name}.`);
  loadChannels();
}

async function test(c) {
  status(`Testing ${c.name}…`);
  const res = await api.post(`${BASE}/channels/${c.id}/test`);
  if (!res.ok) { status(res.body?.detail || `Test failed (${res.status})`); return; }
  const r = res.body;
  const said = r.status ? `HTTP ${r.status}` : r.error;
  status(`${c.name}: ${r.delivered ? 'delivered' : 'not delivered'} — ${said}${r.body_excerpt ? ` — ${r.body_excerpt}` : ''}`);
}

async function remove(c) {
  if (!window.confirm(`Remove channel ${c.name} and its delivery log?`)) return;
  const res = await api.del(`${BASE}/channels/${c.id}`);
  status(res.ok ? `Removed ${c.name}.` : (res.body?.detail || `Not removed (${res.status})`));
  loadChannels();
  loadDeliveries();
}

async function loadDeliveries() {
  const filter = $('notify-filter').value;
  const res = await api.get(`${BASE}/deliveries?limit=50${filter ? `&status=${filter}` : ''}`);
  const body = $('notify-deliveries').tBodies[0];
  body.replaceChildren();
  if (!res.ok) return;
  for (const d of res.body.items) {
    const last = d.last_status ? `HTTP ${d.last_status}` : (d.last_error || '');
    const action = d.status === 'failed' ? button('Send again', () => retry(d)) : '';
    body.append(row([new Date(d.created_at).toLocaleString(), d.channel_name, d.summary || d.event, d.status, String(d.attempts), last, action]));
  }
}

async function retry(d) {
  const res = await api.post(`${BASE}/deliveries/${d.id}/retry`);
  status(res.ok ? 'Queued again.' : (res.body?.detail || `Not re-sent (${res.status})`));
  loadDeliveries();
}
