// The health page (manager and admin): GET /api/health every 5 s while
// the page is shown. Shape: docs/live.md "Metrics and health" plus what
// webui adds (docs/api.md); fields we do not know are shown as they come.
// With it, the side check per source (GET /api/side-check): how far each
// feed's declared aggressor sides agree with the quote rule.
import { get } from './api.js';
import { fmtTime } from './timefmt.js';
import { $, el, fmtAge, fmtNum, fmtShare, isNum, listOf } from './util.js';

const KNOWN = new Set(['mode', 'api_key', 'feeds', 'processes', 'live']);

export class HealthPage {
	constructor() {
		this.timer = null;
		this.active = false;
	}

	start() {
		this.active = true;
		this.refresh();
		clearInterval(this.timer);
		this.timer = setInterval(() => this.refresh(), 5000);
	}

	stop() {
		this.active = false;
		clearInterval(this.timer);
		this.timer = null;
	}

	async refresh() {
		this.refreshSide();
		const err = $('health-error');
		try {
			const h = await get('/api/health');
			if (!this.active)
				return;
			err.hidden = true;
			this.render(h || {});
			$('health-updated').textContent = 'updated ' +
			    fmtTime(Date.now());
		} catch (e) {
			err.textContent = e.status === 403 ?
			    'Your role may not see this page.' :
			    `Could not load health: ${e.message}`;
			err.hidden = false;
		}
	}

	async refreshSide() {
		const err = $('health-side-error');
		try {
			const sc = await get('/api/side-check');
			if (!this.active)
				return;
			err.hidden = true;
			this.renderSide(listOf(sc, 'by_source'));
		} catch (e) {
			if (e?.name === 'AbortError' || e?.status === 401)
				return;
			err.textContent = `Could not load the side check: ${e.message}`;
			err.hidden = false;
		}
	}

	// One row per source: sums over its symbols and exchanges.
	renderSide(rows) {
		const tb = $('health-side').tBodies[0];
		const num = (v, cls) => el('td', { class: 'num' + (cls ? ' ' + cls :
		    '') }, show(v));
		tb.replaceChildren(...rows.filter((r) => r && typeof r === 'object')
		    .map((r) => el('tr', { dataset: { source: String(r.source ??
		    '') } },
		    el('td', null, String(r.source ?? '')),
		    num(r.symbols), num(r.trades), num(r.declared_buy),
		    num(r.declared_sell),
		    el('td', { class: 'num', title: `${show(r.agree)} of ` +
		    `${show(r.compared)} compared` }, fmtShare(r.agreement)),
		    el('td', { class: 'num', title: `${show(r.at_bid)} trades` },
		    fmtShare(r.at_bid_share)),
		    el('td', { class: 'num', title: `${show(r.at_ask)} trades` },
		    fmtShare(r.at_ask_share)),
		    num(r.inverted, r.inverted > 0 ? 'inverted' : ''))));
		if (!tb.rows.length) {
			tb.append(el('tr', null, el('td', { colspan: '9',
			    class: 'muted' }, 'No side check yet: it needs trades ' +
			    'that declare their side.')));
		}
	}

	render(h) {
		const kv = (k, v) => el('div', { class: 'kv' },
		    el('span', { class: 'k' }, k), el('span', { class: 'v' }, v));
		const summary = [
			kv('Mode', h.mode === 'demo' ? 'demo (simulated data)' :
			    String(h.mode ?? '—')),
			kv('Upstream API key', h.api_key ? String(h.api_key) :
			    '(none)'),
		];
		for (const [k, v] of Object.entries(h)) {
			if (KNOWN.has(k))
				continue;
			if (v !== null && typeof v === 'object') {
				for (const [k2, v2] of Object.entries(v))
					summary.push(kv(`${k}.${k2}`, show(v2)));
			} else {
				summary.push(kv(k, show(v)));
			}
		}
		$('health-summary').replaceChildren(...summary);

		const feeds = Array.isArray(h.feeds) ? h.feeds : [];
		const tb = $('health-feeds').tBodies[0];
		tb.replaceChildren(...feeds.map((f) => el('tr', null,
		    el('td', null, String(f.source ?? f.process ?? '')),
		    el('td', null, String(f.asset_class ?? '')),
		    el('td', null, el('span', { class: 'state ' + (f.state ?? '') },
		    String(f.state ?? '?')), f.feed_status ? ' ' + f.feed_status :
		    ''),
		    el('td', { class: 'num' }, fmtAge(f.last_event_age_ms)))));
		if (!feeds.length) {
			tb.append(el('tr', null, el('td', { colspan: '4',
			    class: 'muted' }, 'No collector heard on the bus yet.')));
		}

		const procs = h.processes && typeof h.processes === 'object' ?
		    h.processes : {};
		const cards = Object.keys(procs).sort().map((name) => {
			const p = procs[name] || {};
			const counters = p.counters && typeof p.counters === 'object' ?
			    p.counters : {};
			const rows = Object.keys(counters).sort().map((k) =>
			    kv(k, show(counters[k])));
			return el('section', { class: 'proc' },
			    el('h4', null, name, el('span', { class: 'muted' },
			    'heard ' + fmtAge(p.last_event_age_ms) + ' ago')),
			    ...rows);
		});
		$('health-procs').replaceChildren(...(cards.length ? cards :
		    [el('p', { class: 'muted' }, 'No process heard yet.')]));

		const live = h.live && typeof h.live === 'object' ? h.live : {};
		$('health-live').replaceChildren(...Object.keys(live).map((k) =>
		    kv(k.replaceAll('_', ' '), show(live[k]))));
	}
}

function show(v) {
	if (isNum(v))
		return Number.isInteger(v) ? v.toLocaleString('en-US') :
		    fmtNum(v, 3);
	if (v === null || v === undefined)
		return '—';
	if (typeof v === 'object')
		return JSON.stringify(v);
	return String(v);
}
