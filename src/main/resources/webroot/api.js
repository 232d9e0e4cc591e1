// REST calls with the signed-in token. Every answer is {ok, status, body}; errors carry the problem+json.

export class Api {
  constructor(token) {
    this.token = token;
  }

  async request(method, path, body) {
    const headers = { Authorization: `Bearer ${this.token}`, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res;
    try {
      res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (err) {
      return { ok: false, status: 0, body: { detail: 'The server cannot be reached' } };
    }
    let parsed = null;
    const text = await res.text();
    if (text) {
      try { parsed = JSON.parse(text); } catch { parsed = { detail: text.slice(0, 200) }; }
    }
    return { ok: res.ok, status: res.status, body: parsed };
  }

  get(path) {
    return this.request('GET', path);
  }

  post(path, body = {}) {
    return this.request('POST', path, body);
  }

  patch(path, body) {
    return this.request('PATCH', path, body);
  }

  del(path) {
    return this.request('DELETE', path);
  }

  delete(path) {
    return this.request('DELETE', path);
  }

  /** A multipart form (a file upload): the browser streams the file and sets the boundary itself. */
  async upload(path, form) {
    let res;
    try {
      res = await fetch(path, { method: 'POST', headers: { Authorization: `Bearer ${this.token}`, Accept: 'application/json' }, body: form });
    } catch (err) {
      return { ok: false, status: 0, body: { detail: 'The server cannot be reached' } };
    }
    let parsed = null;
    const text = await res.text();
    if (text) {
      try { parsed = JSON.parse(text); } catch { parsed = { detail: text.slice(0, 200) }; }
    }
    return { ok: res.ok, status: res.status, body: parsed };
  }

  /** 401: unknown token; 403: a token that may not read (ingest only); 404 on this probe: a reader. */
  probe() {
    return this.get('/api/v1/analytics/sessions/00000000-0000-0000-0000-000000000000');
  }
}
