// The user panel (issue 15): trust score, rule exemptions, per-user thresholds and trusted devices.
// Self-contained on purpose (the dashboard is being split into pages): it needs only the element to
// fill, the user's id and a bearer token, and talks to the REST API itself. Admins can edit; anyone
// else sees the trust score and the devices (the control routes answer 403 to non-admins).
//
//   import { renderUserControls } from './user-controls.js';
//   renderUserControls(element, userId, { token, admin: true });

const ANALYTICS = '/api/v1/analytics';
const TOKEN_KEY = 'tracearr.token';

const RULES = [
  { name: 'concurrent_streams', label: 'Concurrent streams', unit: 'devices at once', step: 1 },
  { name: 'geo_impossible', label: 'Impossible location', unit: 'km apart', step: 'any' },
  { name: 'impossible_travel', label: 'Impossible travel', unit: 'km/h', step: 'any' },
  { name: 'device_spike', label: 'New devices', unit: 'new devices in 24 h', step: 1 },
];

async function call(token, method, path, body) {
  const headers = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    return { ok: false, status: 0, body: { detail: 'The server cannot be reached' } };
  }
  const text = await res.text();
  let parsed = null;
  if (text) {
    try { parsed = JSON.parse(text); } catch { parsed = { detail: text.slice(0, 200) }; }
  }
  return { ok: res.ok, status: res.status, body: parsed };
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') node.textContent = v;
    else if (k in node && typeof v !== 'string') node[k] = v;
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

/** The problem's words, naming the field when the server named one. */
function problemText(res) {
  const p = res.body || {};
  const first = Array.isArray(p.errors) && p.errors[0];
  if (first) return `${first.field}: ${first.message}`;
  return p.detail || `The server answered ${res.status}`;
}

function trustClass(score) {
  if (score >= 80) return 'trust-high';
  if (score >= 50) return 'trust-medium';
  return 'trust-low';
}

/** Local date-time input value (YYYY-MM-DDTHH:MM) of an ISO instant, and back. */
function toLocalInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
function fromLocalInput(value) {
  return value ? new Date(value).toISOString() : null;
}

/**
 * Fills {@code element} with the panel of one user and keeps it current after each edit.
 * options: token (default: the dashboard's signed-in token), admin (show the editors; default true).
 * Returns a promise that settles once the panel is drawn.
 */
export async function renderUserControls(element, userId, options = {}) {
  const token = options.token ?? sessionStorage.getItem(TOKEN_KEY);
  const admin = options.admin ?? true;
  const base = `${ANALYTICS}/users/${encodeURIComponent(userId)}`;
  element.classList.add('user-controls');
  element.replaceChildren(el('p', { class: 'status', text: 'Loading…' }));

  const person = await call(token, 'GET', base);
  if (!person.ok) {
    element.replaceChildren(el('p', { class: 'error', role: 'alert', text: problemText(person) }));
    return;
  }
  const [rules, trusted] = admin
    ? await Promise.all([call(token, 'GET', `${base}/rules`), call(token, 'GET', `${base}/trusted-devices`)])
    : [null, null];

  const p = person.body;
  const status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const heading = el('h3', { text: p.name || userId });
  const score = Number.isInteger(p.trust_score) ? p.trust_score : 100;
  const trust = el('p', { class: `trust ${trustClass(score)}`, 'data-testid': 'trust-score' },
    el('strong', { text: 'Trust score ' }), el('span', { class: 'trust-value', text: String(score) }), ' / 100');
  const parts = [heading, trust];

  if (admin && rules && rules.ok) parts.push(rulesForm(rules.body));
  else if (admin && rules) parts.push(el('p', { class: 'error', text: problemText(rules) }));
  parts.push(devicesSection(p.devices || [], trusted && trusted.ok ? trusted.body.items : null));
  parts.push(status);
  element.replaceChildren(...parts);

  async function redraw(message) {
    await renderUserControls(element, userId, options);
    const s = element.querySelector('.status[role="status"]');
    if (s && message) s.textContent = message;
  }

  function rulesForm(r) {
    const form = el('form', { class: 'user-rules', novalidate: true });
    const fieldset = el('fieldset', {}, el('legend', { text: 'Rules for this user' }));
    const rows = el('table', { class: 'rules-table' },
      el('thead', {}, el('tr', {}, el('th', { text: 'Rule' }), el('th', { text: 'Exempt' }),
        el('th', { text: 'Own threshold' }))));
    const body = el('tbody');
    for (const rule of RULES) {
      const exempt = el('input', { type: 'checkbox', name: `exempt-${rule.name}`, id: `exempt-${rule.name}` });
      exempt.checked = (r.exempt || []).includes(rule.name);
      const global = r.global_thresholds ? r.global_thresholds[rule.name] : undefined;
      const threshold = el('input', {
        type: 'number', name: `threshold-${rule.name}`, id: `threshold-${rule.name}`, min: '1', step: String(rule.step),
        placeholder: global === undefined ? 'global' : `global: ${global}`,
      });
      const own = r.thresholds ? r.thresholds[rule.name] : undefined;
      threshold.value = own === undefined ? '' : String(own);
      body.append(el('tr', {},
        el('th', { scope: 'row' }, el('label', { for: `exempt-${rule.name}`, text: rule.label })),
        el('td', {}, exempt),
        el('td', {}, el('label', { class: 'visually-hidden', for: `threshold-${rule.name}`, text: `${rule.label} threshold (${rule.unit})` }),
          threshold, el('small', { text: ` ${rule.unit}` }))));
    }
    rows.append(body);
    const until = el('input', { type: 'datetime-local', id: 'exempt-until', name: 'exempt_until' });
    until.value = toLocalInput(r.exempt_until);
    const error = el('p', { class: 'error', role: 'alert' });
    const save = el('button', { type: 'submit', text: 'Save rules' });
    fieldset.append(rows,
      el('p', {}, el('label', { for: 'exempt-until', text: 'Exempt until (empty = until changed) ' }), until),
      error, save);
    if (r.updated_by) fieldset.append(el('p', { class: 'note', text: `Last changed by ${r.updated_by} at ${new Date(r.updated_at).toLocaleString()}` }));
    form.append(fieldset);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      error.textContent = '';
      const payload = { exempt: [], thresholds: {}, exempt_until: fromLocalInput(until.value) };
      for (const rule of RULES) {
        if (form.elements[`exempt-${rule.name}`].checked) payload.exempt.push(rule.name);
        const v = form.elements[`threshold-${rule.name}`].value.trim();
        if (v !== '') payload.thresholds[rule.name] = Number(v);
      }
      save.disabled = true;
      const res = await call(token, 'PUT', `${base}/rules`, payload);
      save.disabled = false;
      if (!res.ok) {
        error.textContent = problemText(res);
        return;
      }
      await redraw('Rules saved.');
    });
    return form;
  }

  function devicesSection(devices, trustedItems) {
    const section = el('section', { class: 'user-devices' }, el('h4', { text: 'Devices' }));
    const trustedKeys = new Set((trustedItems || []).map((d) => d.device_key));
    const known = new Set(devices.map((d) => d.device_key));
    const list = el('ul', { class: 'device-list' });
    const rowsOf = [...devices.map((d) => ({ key: d.device_key, name: d.device_name || d.device_key, seen: d.last_seen_at })),
      ...(trustedItems || []).filter((t) => !known.has(t.device_key)).map((t) => ({ key: t.device_key, name: t.label || t.device_key }))];
    for (const d of rowsOf) {
      const isTrusted = trustedKeys.has(d.key);
      const li = el('li', { 'data-device-key': d.key },
        el('span', { class: 'device-name', text: d.name }),
        isTrusted ? el('span', { class: 'badge trusted', text: 'trusted' }) : null);
      if (admin && trustedItems) {
        const button = el('button', { type: 'button', text: isTrusted ? 'Stop trusting' : 'Trust' });
        button.setAttribute('aria-label', `${isTrusted ? 'Stop trusting' : 'Trust'} ${d.name}`);
        button.addEventListener('click', async () => {
          button.disabled = true;
          const res = isTrusted
            ? await call(token, 'DELETE', `${base}/trusted-devices/${encodeURIComponent(d.key)}`)
            : await call(token, 'POST', `${base}/trusted-devices`, { device_key: d.key });
          if (!res.ok) {
            button.disabled = false;
            status.textContent = problemText(res);
            return;
          }
          await redraw(isTrusted ? `${d.name} is no longer trusted.` : `${d.name} is trusted.`);
        });
        li.append(button);
      }
      list.append(li);
    }
    if (!rowsOf.length) list.append(el('li', { class: 'empty', text: 'No devices seen yet.' }));
    section.append(list);
    if (admin && trustedItems) {
      const form = el('form', { class: 'trust-device', novalidate: true });
      const key = el('input', { id: 'trust-device-key', name: 'device_key', required: true, maxlength: '500', autocomplete: 'off' });
      const label = el('input', { id: 'trust-device-label', name: 'label', maxlength: '200', autocomplete: 'off' });
      const error = el('p', { class: 'error', role: 'alert' });
      form.append(
        el('label', { for: 'trust-device-key', text: 'Device key to trust ' }), key,
        el('label', { for: 'trust-device-label', text: ' Label ' }), label,
        el('button', { type: 'submit', text: 'Add trusted device' }), error);
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        error.textContent = '';
        const body = { device_key: key.value.trim() };
        if (label.value.trim()) body.label = label.value.trim();
        const res = await call(token, 'POST', `${base}/trusted-devices`, body);
        if (!res.ok) {
          error.textContent = problemText(res);
          return;
        }
        await redraw(`${body.label || body.device_key} is trusted.`);
      });
      section.append(form);
    }
    return section;
  }
}
