// The dashboard's WebSocket: hello, snapshot, then deltas. Reconnects with capped, jittered exponential
// backoff; every (re)connection starts from a fresh snapshot, so nothing missed while away is lost.

const PING_MS = 25000;

export class LiveConnection {
  constructor({ token, onFrame, onState }) {
    this.token = token;
    this.onFrame = onFrame;
    this.onState = onState;
    this.socket = null;
    this.attempt = 0;
    this.retryTimer = null;
    this.pingTimer = null;
    this.stopped = false;
    this.opened = false;
  }

  url() {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${proto}//${location.host}/api/v1/live?access_token=${encodeURIComponent(this.token)}`;
  }

  connect() {
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.stopped = false;
    this.opened = false;
    this.onState({ state: 'connecting' });
    const ws = new WebSocket(this.url());
    this.socket = ws;
    ws.onopen = () => {
      this.opened = true;
      this.pingTimer = setInterval(() => this.send({ type: 'ping' }), PING_MS);
    };
    ws.onmessage = (e) => {
      let frame;
      try { frame = JSON.parse(e.data); } catch { return; }
      if (frame.type === 'snapshot') {
        this.attempt = 0;
        this.onState({ state: 'live' });
      }
      this.onFrame(frame);
    };
    ws.onclose = (e) => {
      clearInterval(this.pingTimer);
      if (this.socket !== ws) return;
      this.socket = null;
      if (this.stopped) return;
      this.scheduleRetry(e.code, this.opened);
    };
  }

  scheduleRetry(code, hadOpened) {
    const base = Math.min(30000, 500 * 2 ** this.attempt);
    const delay = Math.round(base * (0.5 + Math.random() / 2));
    this.attempt = Math.min(this.attempt + 1, 10);
    this.onState({ state: 'reconnecting', delay, code, hadOpened });
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  retryNow() {
    if (this.stopped || this.socket) return;
    this.connect();
  }

  send(obj) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(obj));
  }

  close() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    const ws = this.socket;
    this.socket = null;
    if (ws) ws.close(1000, 'signed out');
    this.onState({ state: 'signed-out' });
  }
}
