// Small DOM and number helpers. Text from the server goes into the page
// only through textContent, never innerHTML.

export const $ = (id) => document.getElementById(id);

// el('td', {class: 'num', title: 'x'}, 'text', childNode, ...)
export function el(tag, attrs, ...kids) {
	const e = document.createElement(tag);
	if (attrs) {
		for (const [k, v] of Object.entries(attrs)) {
			if (v === undefined || v === null || v === false)
				continue;
			if (k === 'class')
				e.className = v;
			else if (k === 'text')
				e.textContent = v;
			else if (k.startsWith('on') && typeof v === 'function')
				e.addEventListener(k.slice(2), v);
			else if (k === 'dataset')
				Object.assign(e.dataset, v);
			else
				e.setAttribute(k, v === true ? '' : String(v));
		}
	}
	for (const k of kids) {
		if (k === null || k === undefined || k === false)
			continue;
		e.append(k instanceof Node ? k : String(k));
	}
	return e;
}

export function show(e, on = true) {
	e.hidden = !on;
}

export function isNum(x) {
	return typeof x === 'number' && Number.isFinite(x);
}

// Decimals a price of this size wants: BTC at 60000 needs 2, DOGE at 0.1
// needs 5.
export function priceDecimals(p) {
	if (!isNum(p) || p === 0)
		return 2;
	const a = Math.abs(p);
	if (a >= 1000)
		return 2;
	if (a >= 10)
		return 2;
	if (a >= 1)
		return 3;
	if (a >= 0.1)
		return 4;
	if (a >= 0.01)
		return 5;
	return 6;
}

export function fmtPrice(p, decimals) {
	if (!isNum(p))
		return '—';
	const d = decimals ?? priceDecimals(p);
	return p.toLocaleString('en-US', { minimumFractionDigits: d,
	    maximumFractionDigits: d });
}

// 1234567 -> "1.23M"
export function fmtQty(v) {
	if (!isNum(v))
		return '—';
	const a = Math.abs(v);
	const s = v < 0 ? '−' : '';
	if (a >= 1e9)
		return s + (a / 1e9).toFixed(2) + 'B';
	if (a >= 1e6)
		return s + (a / 1e6).toFixed(2) + 'M';
	if (a >= 1e4)
		return s + (a / 1e3).toFixed(1) + 'K';
	if (a >= 100)
		return s + a.toFixed(0);
	if (a >= 1)
		return s + a.toFixed(2).replace(/\.?0+$/, '');
	if (a === 0)
		return '0';
	return s + a.toPrecision(3);
}

export function fmtPct(x) {
	if (!isNum(x))
		return '—';
	const s = x > 0 ? '+' : x < 0 ? '−' : '';
	return s + Math.abs(x).toFixed(2) + '%';
}

export function fmtNum(x, d = 2) {
	if (!isNum(x))
		return '—';
	return x.toLocaleString('en-US', { maximumFractionDigits: d });
}

// 95000 -> "1m 35s"
export function fmtAge(ms) {
	if (!isNum(ms))
		return '—';
	if (ms < 1000)
		return ms.toFixed(0) + ' ms';
	const s = Math.round(ms / 1000);
	if (s < 60)
		return s + ' s';
	if (s < 3600)
		return Math.floor(s / 60) + 'm ' + (s % 60) + 's';
	if (s < 86400)
		return Math.floor(s / 3600) + 'h ' + Math.floor(s % 3600 / 60) + 'm';
	return Math.floor(s / 86400) + 'd ' + Math.floor(s % 86400 / 3600) + 'h';
}

export function intervalName(s) {
	if (s === 1)
		return '1s';
	if (s === 60)
		return '1m';
	if (s % 3600 === 0)
		return s / 3600 + 'h';
	if (s % 60 === 0)
		return s / 60 + 'm';
	return s + 's';
}

export function sleep(ms) {
	return new Promise((r) => setTimeout(r, ms));
}

// An answer that is a list, or holds one under key: [..] or {key: [..]}.
export function listOf(obj, key) {
	if (Array.isArray(obj))
		return obj;
	if (obj && Array.isArray(obj[key]))
		return obj[key];
	return [];
}

// Runs fns (returning promises) at most n at a time.
export async function pool(items, n, fn) {
	const out = new Array(items.length);
	let next = 0;
	async function worker() {
		while (next < items.length) {
			const i = next++;
			try {
				out[i] = await fn(items[i], i);
			} catch (e) {
				out[i] = e;
			}
		}
	}
	await Promise.all(Array.from({ length: Math.min(n, items.length) },
	    worker));
	return out;
}

// A series is a symbol from one source (BTC-USD from coinbase and from
// kraken are two): its key everywhere the dashboard keeps state.
export function seriesKey(symbol, source) {
	return `${symbol}|${source ?? ''}`;
}

// "BTC-USD · coinbase"; the symbol alone when the source is unknown.
export function seriesName(symbol, source) {
	return source ? `${symbol} · ${source}` : String(symbol ?? '');
}

// 0.4333 -> "43.3%"; null (nothing to divide by) -> "—".
export function fmtShare(x) {
	if (!isNum(x))
		return '—';
	return (x * 100).toFixed(1) + '%';
}
