// The live channel: a WebSocket to the gateway that reconnects with backoff.
// While it is down the page polls; after it comes back, or after the gateway
// says it resubscribed, the page re-fetches what it may have missed.

/** The gateway's socket address for `token` (and `params`, e.g. a course). */
export function gatewayUrl(token, params = {}) {
  const meta = document.querySelector('meta[name="ws-url"]')?.content;
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const base = meta || `${proto}//${location.hostname}:8081/ws`;
  const query = new URLSearchParams({ token, ...params });
  return `${base}?${query}`;
}

export class Live {
  /** onMessage gets every message but the gateway's own reconnect notice. */
  constructor({ url, onMessage, onResync, onState }) {
    this.url = url;
    this.onMessage = onMessage;
    this.onResync = onResync;
    this.onState = onState;
    this.attempt = 0;
    this.everOpen = false;
    this.isLive = false;
    this.stopped = false;
    this.ws = null;
  }

  /** Closes the socket for good: no reconnecting. */
  stop() {
    this.stopped = true;
    this.ws?.close();
  }

  start() {
    this.connect();
  }

  connect() {
    if (this.stopped) return;
    this.onState(this.everOpen ? 'polling' : 'connecting');
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.retry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.isLive = true;
      this.onState('live');
      if (this.everOpen) this.onResync();
      this.everOpen = true;
    };
    ws.onmessage = (event) => {
      let msg;
      try {
        msg = JSON.parse(event.data);
      } catch {
        return;
      }
      if (msg.type === 'reconnected') this.onResync();
      else this.onMessage(msg);
    };
    ws.onclose = () => {
      this.isLive = false;
      if (this.stopped) return;
      this.onState('polling');
      this.retry();
    };
    ws.onerror = () => ws.close();
  }

  retry() {
    // 1 s, 2 s, 4 s … up to 15 s, with jitter so a fleet of pages does not
    // reconnect in step after a gateway restart.
    const base = Math.min(15000, 1000 * 2 ** this.attempt);
    this.attempt += 1;
    setTimeout(() => this.connect(), base / 2 + Math.random() * (base / 2));
  }
}
