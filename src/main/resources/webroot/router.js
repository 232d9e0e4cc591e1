// Hash routes ("#/history?user_id=…"): real links, so back/forward and reload keep the page and its filters,
// and the server needs no route per page (the jar serves one index.html).

export function currentRoute() {
  const raw = location.hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { page: parts[0] || 'overview', rest: parts.slice(1), params };
}

/** The link to a page with its filters; empty values are left out. */
export function href(page, rest = [], params = {}) {
  const qs = new URLSearchParams();
  const entries = params instanceof URLSearchParams ? [...params.entries()] : Object.entries(params);
  for (const [k, v] of entries) if (v !== undefined && v !== null && v !== '') qs.set(k, v);
  const path = [page, ...rest.map(encodeURIComponent)].join('/');
  const s = qs.toString();
  return `#/${path}${s ? `?${s}` : ''}`;
}

/** A form's fields as filters: named inputs and selects. */
export function formParams(form) {
  const out = {};
  for (const el of form.elements) if (el.name) out[el.name] = el.value.trim();
  return out;
}

/** Puts the route's filters back into the form (after reload or back). */
export function fillForm(form, params, defaults = {}) {
  for (const el of form.elements) {
    if (!el.name) continue;
    el.value = params.get(el.name) ?? defaults[el.name] ?? (el.tagName === 'SELECT' ? el.options[0]?.value ?? '' : '');
  }
}
