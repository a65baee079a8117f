// The /live WebSocket client (docs/live.md): connects with the session
// cookie, (re)sends the watch set, reconnects with backoff, and tells its
// owner about messages and its own state.
//
// States: connecting, open, reconnecting (waiting to retry), ended
// (session over: 4401), broken (1008: our bug, not retried).

const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 30000;
const STABLE_MS = 60000;	// a connection this old resets the backoff
const SILENT_MS = 5000;		// status comes every second: silence is stale
const DEAD_MS = 15000;		// ... and this long a dead link: reconnect

export class Live {
	constructor({ onMessage, onState, onOpen, checkSession }) {
		this.onMessage = onMessage;
		this.onState = onState;
		this.onOpen = onOpen;
		this.checkSession = checkSession;
		this.ws = null;
		this.watchSet = null;
		this.delay = BACKOFF_MIN_MS;
		this.timer = null;
		this.openedAt = 0;
		this.lastMsgAt = 0;
		this.state = 'idle';
		this.stopped = true;
		this.retryAt = 0;
		this.watchdog = null;
	}

	url() {
		const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
		return `${scheme}//${location.host}/live`;
	}

	setState(s, info) {
		this.state = s;
		this.onState?.(s, info);
	}

	start() {
		this.stopped = false;
		this.connect();
		clearInterval(this.watchdog);
		this.watchdog = setInterval(() => this.check(), 1000);
	}

	stop() {
		this.stopped = true;
		clearTimeout(this.timer);
		clearInterval(this.watchdog);
		this.timer = null;
		if (this.ws) {
			const ws = this.ws;
			this.ws = null;
			ws.onclose = ws.onmessage = ws.onerror = ws.onopen = null;
			try {
				ws.close(1000);
			} catch {
				// Already closing.
			}
		}
		this.setState('idle');
	}

	connect() {
		if (this.stopped)
			return;
		clearTimeout(this.timer);
		this.timer = null;
		this.setState(this.openedAt ? 'reconnecting' : 'connecting');
		let ws;
		try {
			ws = new WebSocket(this.url(), 'live');
		} catch (e) {
			this.retry();
			return;
		}
		this.ws = ws;
		ws.onopen = () => {
			this.openedAt = Date.now();
			this.lastMsgAt = Date.now();
			this.setState('open');
			if (this.watchSet)
				this.send({ op: 'watch', ...this.watchSet });
			this.onOpen?.();
		};
		ws.onmessage = (ev) => {
			this.lastMsgAt = Date.now();
			if (this.state !== 'open')
				this.setState('open');
			let msg;
			try {
				msg = JSON.parse(ev.data);
			} catch {
				return;
			}
			if (msg && typeof msg.type === 'string')
				this.onMessage?.(msg);
		};
		ws.onclose = (ev) => {
			if (this.ws !== ws)
				return;
			this.ws = null;
			this.closed(ev.code, ev.reason);
		};
		ws.onerror = () => {
			// A close event follows; it decides.
		};
	}

	async closed(code, reason) {
		if (this.stopped)
			return;
		if (code === 4401) {
			this.setState('ended', reason || 'session ended');
			this.stopped = true;
			return;
		}
		if (code === 1008) {
			// The server refuses what we send: retrying would loop.
			this.setState('broken', reason || 'refused');
			this.stopped = true;
			return;
		}
		if (this.openedAt && Date.now() - this.openedAt >= STABLE_MS)
			this.delay = BACKOFF_MIN_MS;
		if (code === 1006 && this.checkSession) {
			// A refused upgrade looks like this: is the session alive?
			const alive = await this.checkSession();
			if (!alive) {
				this.setState('ended', 'session ended');
				this.stopped = true;
				return;
			}
		}
		this.retry();
	}

	retry() {
		if (this.stopped)
			return;
		const d = this.delay * (0.75 + Math.random() * 0.5);
		this.delay = Math.min(this.delay * 2, BACKOFF_MAX_MS);
		this.retryAt = Date.now() + d;
		this.setState('reconnecting', { retryInMs: d });
		clearTimeout(this.timer);
		this.timer = setTimeout(() => this.connect(), d);
	}

	// Once a second: an open socket that has said nothing for a while is
	// stale; one silent for long is dead and replaced.
	check() {
		if (this.stopped || !this.ws || this.state === 'connecting')
			return;
		if (this.ws.readyState !== WebSocket.OPEN)
			return;
		const quiet = Date.now() - this.lastMsgAt;
		if (quiet > DEAD_MS) {
			const ws = this.ws;
			this.ws = null;
			ws.onclose = ws.onmessage = ws.onerror = null;
			try {
				ws.close(4000, 'silent');
			} catch {
				// Gone already.
			}
			this.retry();
		} else if (quiet > SILENT_MS && this.state !== 'stale') {
			this.setState('stale');
			this.send({ op: 'ping' });
		}
	}

	send(obj) {
		if (this.ws && this.ws.readyState === WebSocket.OPEN)
			this.ws.send(JSON.stringify(obj));
	}

	// Replaces the watch set (the server's is not additive), now and on
	// every reconnect.
	watch(symbols, intervals) {
		const syms = [...new Set(symbols)].slice(0, 64);
		const ivs = [...new Set(intervals)].sort((a, b) => a - b);
		this.watchSet = { symbols: syms, intervals: ivs };
		this.send({ op: 'watch', ...this.watchSet });
	}
}
