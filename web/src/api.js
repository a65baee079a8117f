// The JSON API of webui (docs/api.md). Every request goes to the same
// origin with the session cookie; state-changing ones carry the session's
// CSRF token (from /api/me or the login answer) in X-CSRF-Token.

let csrf = null;
let onUnauthorized = null;
let clockSkewMs = 0;
// Every request of the current session; a logout aborts what is in flight.
let session = new AbortController();

export function abortAll() {
	session.abort();
	session = new AbortController();
}

export function setCsrf(token) {
	csrf = token || null;
}

// Called with the path when a request other than a login gets 401: the
// session is gone.
export function setUnauthorizedHandler(fn) {
	onUnauthorized = fn;
}

// Server time minus local time, from the Date header (1 s resolution),
// so the session countdown is right on a machine whose clock is off.
export function serverNow() {
	return Date.now() + clockSkewMs;
}

export class ApiError extends Error {
	constructor(status, body, headers) {
		const reason = body && typeof body.error === 'string' ?
		    body.error : `HTTP ${status}`;
		super(reason);
		this.status = status;
		this.body = body;
		this.headers = headers;
		this.reason = reason;
	}
	retryAfter() {
		const v = this.headers?.get('Retry-After');
		if (!v)
			return null;
		const n = Number(v);
		if (Number.isFinite(n))
			return Math.max(0, n);
		const t = Date.parse(v);
		return Number.isFinite(t) ? Math.max(0, (t - Date.now()) / 1000) :
		    null;
	}
}

export async function api(method, path, body, opts = {}) {
	const headers = { Accept: 'application/json' };
	const init = { method, headers, credentials: 'same-origin',
	    cache: 'no-store', redirect: 'error' };
	if (body !== undefined) {
		headers['Content-Type'] = 'application/json';
		init.body = JSON.stringify(body);
	}
	if (method !== 'GET' && method !== 'HEAD' && csrf)
		headers['X-CSRF-Token'] = csrf;
	init.signal = opts.signal ?? session.signal;
	const r = await fetch(path, init);
	const date = Date.parse(r.headers.get('Date') || '');
	if (Number.isFinite(date)) {
		const skew = date - Date.now();
		// The header is whole seconds: ignore what rounding explains.
		clockSkewMs = Math.abs(skew) > 2000 ? skew : 0;
	}
	const text = await r.text();
	let data = null;
	if (text) {
		try {
			data = JSON.parse(text);
		} catch {
			data = null;
		}
	}
	if (!r.ok) {
		const err = new ApiError(r.status, data, r.headers);
		if (r.status === 401 && !opts.noAuthHook && onUnauthorized)
			onUnauthorized(path, err);
		throw err;
	}
	return data;
}

export const get = (path, opts) => api('GET', path, undefined, opts);
export const post = (path, body, opts) => api('POST', path, body ?? {}, opts);
export const del = (path, opts) => api('DELETE', path, undefined, opts);

export function qs(params) {
	const u = new URLSearchParams();
	for (const [k, v] of Object.entries(params)) {
		if (v !== undefined && v !== null)
			u.set(k, String(v));
	}
	return u.toString();
}
