// The watchlist: every series webui knows (GET /api/symbols: one row per
// symbol and source), kept live by the 60 s bars that /live sends for "*".
// A series is keyed by symbol and source (seriesKey): BTC-USD from
// coinbase and from kraken are two rows, each with its own prices; a
// symbol with several sources shows the source in its row.
//   Last   the close of the newest 1-minute bar (or /api/symbols'
//          last_price until one arrives)
//   Chg    stocks: against the open of the first 1-minute bar of the New
//          York calendar day ("day"); crypto, which trades around the
//          clock: against the open of the first 1-minute bar of the last
//          24 hours ("24h")
//   Flow   buy_volume / (buy_volume + sell_volume) of the newest five
//          1-minute bars: the share of aggressive buying
import { get, qs } from './api.js';
import { dayStart } from './timefmt.js';
import { el, fmtPct, fmtPrice, isNum, listOf, pool, seriesKey }
	from './util.js';

const FLOW_BARS = 5;
const DAY_MS = 86400000;

export class Watchlist {
	constructor(body, emptyEl, onSelect) {
		this.body = body;
		this.emptyEl = emptyEl;
		this.onSelect = onSelect;
		this.items = new Map();	// seriesKey -> item
		this.order = [];	// seriesKeys, in display order
		this.selected = null;
		body.addEventListener('click', (ev) => {
			const tr = ev.target.closest('tr.row');
			if (tr)
				this.select(tr.dataset.key, true);
		});
		body.addEventListener('keydown', (ev) => {
			if (ev.key === 'Enter' || ev.key === ' ') {
				const tr = ev.target.closest('tr.row');
				if (tr) {
					ev.preventDefault();
					this.select(tr.dataset.key, true);
				}
			}
		});
	}

	async load() {
		const answer = await get('/api/symbols');
		this.mode = answer?.mode ?? null;
		const syms = listOf(answer, 'symbols');
		for (const s of syms) {
			if (!s || typeof s.symbol !== 'string')
				continue;
			this.ensure(s.symbol, s.asset_class, s.source, s.last_price,
			    s.last_price_ms);
		}
		this.render();
		// Reference prices and the recent flow, a few requests at once,
		// while the chart loads.
		pool([...this.items.values()], 4, (it) => this.fill(it))
		    .then(() => {
			this.loaded = true;
		    });
		return this.order;
	}

	ensure(symbol, assetClass, source, last, lastMs) {
		const key = seriesKey(symbol, source);
		let it = this.items.get(key);
		if (!it) {
			it = { key, symbol, assetClass: assetClass || 'unknown',
			    source: source ?? null,
			    last: isNum(last) ? last : null, lastMs: lastMs ?? 0,
			    ref: null, refFrom: 0, flow: new Map(), row: null,
			    filled: false };
			this.items.set(key, it);
			this.order.push(key);
			this.sort();
			this.dirty = true;
		} else if (assetClass && it.assetClass === 'unknown') {
			it.assetClass = assetClass;
		}
		return it;
	}

	sort() {
		const rank = (c) => c === 'stock' ? 0 : c === 'crypto' ? 1 : 2;
		this.order.sort((a, b) => {
			const x = this.items.get(a);
			const y = this.items.get(b);
			return rank(x.assetClass) - rank(y.assetClass) ||
			    x.symbol.localeCompare(y.symbol) ||
			    (x.source ?? '').localeCompare(y.source ?? '');
		});
	}

	refFrom(it, now = Date.now()) {
		return it.assetClass === 'stock' ?
		    dayStart(now, 'America/New_York') : now - DAY_MS;
	}

	basis(it) {
		return it.assetClass === 'stock' ? 'day' : '24h';
	}

	async fill(it) {
		it.filling = true;
		const now = Date.now();
		const from = this.refFrom(it, now);
		it.refFrom = from;
		try {
			const [first, recent] = await Promise.all([
				get('/api/bars?' + qs({ symbol: it.symbol,
				    source: it.source, interval: 60, from, limit: 5 })),
				get('/api/bars?' + qs({ symbol: it.symbol,
				    source: it.source, interval: 60, limit: FLOW_BARS })),
			]);
			const f = listOf(first, 'bars').find((b) => isNum(b.open));
			it.ref = f ? f.open : null;
			it.refStart = f ? f.start_ms : null;
			for (const b of listOf(recent, 'bars'))
				this.flowBar(it, b);
			const last = listOf(recent, 'bars').findLast((b) =>
			    isNum(b.close));
			if (last && last.start_ms >= (it.lastMs || 0) - 60000) {
				it.last = last.close;
				it.lastMs = last.start_ms;
			}
		} catch {
			// The row shows what it has; live bars fill the rest.
		}
		it.filled = true;
		it.filling = false;
		this.renderRow(it);
	}

	flowBar(it, b) {
		it.flow.set(b.start_ms, [b.buy_volume || 0, b.sell_volume || 0]);
		if (it.flow.size > FLOW_BARS) {
			const keys = [...it.flow.keys()].sort((a, c) => a - c);
			for (const k of keys.slice(0, keys.length - FLOW_BARS))
				it.flow.delete(k);
		}
	}

	// A 60 s bar from /live: it goes to the row of its own series.
	bar(b) {
		if (b.interval_s !== 60 || typeof b.symbol !== 'string')
			return;
		const it = this.ensure(b.symbol, b.asset_class, b.source);
		const prev = it.last;
		if (isNum(b.close) && b.start_ms >= (it.lastBarStart ?? 0)) {
			it.last = b.close;
			it.lastBarStart = b.start_ms;
		}
		this.flowBar(it, b);
		if (it.filled && it.ref === null && isNum(b.open) &&
		    b.start_ms >= it.refFrom)
			it.ref = b.open;	// the window's first bar, live
		// A symbol new since the page loaded, or a reference window that
		// moved on (a new New York day, or 24 h later): fetch again.
		if (this.loaded && !it.filling && (!it.filled ||
		    this.refFrom(it) - it.refFrom > 5 * 60000))
			this.fill(it);
		if (this.dirty)
			this.render();
		else
			this.renderRow(it, prev);
	}

	// The series of one symbol, in display order.
	sourcesOf(symbol) {
		return this.order.map((k) => this.items.get(k))
		    .filter((it) => it.symbol === symbol);
	}

	render() {
		this.dirty = false;
		const count = new Map();
		for (const it of this.items.values())
			count.set(it.symbol, (count.get(it.symbol) ?? 0) + 1);
		const rows = this.order.map((k) => {
			const it = this.items.get(k);
			if (!it.row)
				it.row = this.makeRow(it);
			// The source shows when it tells the rows apart.
			const multi = count.get(it.symbol) > 1;
			it.srcTag.hidden = !multi;
			it.row.classList.toggle('multi', multi);
			this.renderRow(it);
			return it.row;
		});
		this.body.replaceChildren(...rows);
		this.emptyEl.hidden = rows.length > 0;
	}

	makeRow(it) {
		const tr = el('tr', { class: 'row', tabindex: '0',
		    'aria-selected': String(it.key === this.selected),
		    title: it.source ? `${it.symbol} from ${it.source}` : null,
		    dataset: { key: it.key, symbol: it.symbol,
		    source: it.source ?? '' } });
		it.srcTag = el('span', { class: 'src' }, it.source ?? '');
		it.srcTag.hidden = true;
		it.cells = {
			sym: el('td', { class: 'sym' }, it.symbol, it.srcTag,
			    el('span', { class: 'cls' }, it.assetClass)),
			last: el('td', { class: 'num last' }),
			chg: el('td', { class: 'num chg' }),
			flow: el('td', { class: 'flow' }),
		};
		it.gauge = { box: el('div', { class: 'gauge none' }),
		    b: el('div', { class: 'b' }), s: el('div', { class: 's' }),
		    pct: el('span', { class: 'gauge-pct' }) };
		it.gauge.box.append(it.gauge.b, it.gauge.s);
		it.cells.flow.append(it.gauge.box, it.gauge.pct);
		tr.append(it.cells.sym, it.cells.last, it.cells.chg, it.cells.flow);
		return tr;
	}

	renderRow(it, prev) {
		if (!it.row)
			return;
		const c = it.cells;
		c.last.textContent = fmtPrice(it.last);
		// A new price flashes, at most once in 2 s per row so a busy
		// symbol does not blink all the time.
		const now = Date.now();
		if (isNum(prev) && isNum(it.last) && prev !== it.last &&
		    now - (it.flashed ?? 0) > 2000) {
			it.flashed = now;
			c.last.classList.remove('flash-up', 'flash-down');
			void c.last.offsetWidth;	// restart the animation
			c.last.classList.add(it.last > prev ? 'flash-up' : 'flash-down');
		}
		const chg = isNum(it.ref) && isNum(it.last) && it.ref !== 0 ?
		    (it.last / it.ref - 1) * 100 : null;
		c.chg.replaceChildren(fmtPct(chg), el('span', { class: 'basis' },
		    this.basis(it)));
		c.chg.className = 'num chg ' + (chg > 0 ? 'up' : chg < 0 ? 'down' :
		    '');
		c.chg.title = chg === null ? 'No reference bar yet' :
		    `${this.basis(it) === 'day' ? 'Since the first bar of the ' +
		    'New York day' : 'Over the last 24 hours'}: from ` +
		    `${fmtPrice(it.ref)}`;
		let buy = 0;
		let sell = 0;
		for (const [b, s] of it.flow.values()) {
			buy += b;
			sell += s;
		}
		const g = it.gauge;
		if (buy + sell > 0) {
			const share = buy / (buy + sell);
			g.box.classList.remove('none');
			g.b.style.width = (share * 100).toFixed(1) + '%';
			g.pct.textContent = `${Math.round(share * 100)}%`;
			g.pct.className = 'gauge-pct ' + (share > 0.6 ? 'up' :
			    share < 0.4 ? 'down' : '');
			c.flow.title = `Last ${it.flow.size} min: buy ` +
			    `${buy.toLocaleString('en-US')} / sell ` +
			    `${sell.toLocaleString('en-US')}`;
		} else {
			g.box.classList.add('none');
			g.pct.textContent = '—';
			g.pct.className = 'gauge-pct';
			c.flow.title = 'No sided volume in the last minutes';
		}
	}

	// Selects a series by its key.
	select(key, byUser = false) {
		if (!this.items.has(key))
			return;
		this.selected = key;
		for (const it of this.items.values())
			it.row?.setAttribute('aria-selected', String(it.key === key));
		const row = this.items.get(key).row;
		row?.scrollIntoView({ block: 'nearest' });
		if (byUser)
			row?.focus({ preventScroll: true });
		this.onSelect?.(key, this.items.get(key));
	}

	move(step) {
		if (!this.order.length)
			return;
		let i = this.order.indexOf(this.selected);
		i = i < 0 ? 0 : (i + step + this.order.length) % this.order.length;
		this.select(this.order[i], true);
	}

	item(key) {
		return this.items.get(key);
	}

	// The key of a series named "SYMBOL@SOURCE", or of SYMBOL's first
	// source when none is given or that one is gone (an old saved
	// choice, made before symbols had several sources).
	find(spec) {
		if (typeof spec !== 'string' || !spec)
			return null;
		const at = spec.lastIndexOf('@');
		const symbol = at > 0 ? spec.slice(0, at) : spec;
		const source = at > 0 ? spec.slice(at + 1) : null;
		if (source !== null && this.items.has(seriesKey(symbol, source)))
			return seriesKey(symbol, source);
		return this.sourcesOf(symbol)[0]?.key ?? null;
	}

	first() {
		return this.order[0];
	}
}
