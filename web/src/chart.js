// The selected series' chart (a symbol from one source): one lightweight-charts chart with four
// panes sharing the time axis:
//   0  candlesticks, anchored VWAP, anomaly and gap markers
//   1  volume split by aggressor: buy (green) at the bottom, sell (red)
//      above it, volume of unknown side (grey) on top; three overlaid
//      histograms whose heights are buy, buy + sell, and all volume
//   2  cumulative delta: running sum of buy_volume - sell_volume over the
//      bars loaded
//   3  spread in basis points of the mid (the bar's time-weighted mean)
// Bars are the rows of GET /api/bars and the bar messages of /live, keyed
// by start_ms; a newer message for the same bar replaces it. The caller
// hands over only bars of the shown series; update() refuses any other
// (another source of the same symbol must never be drawn here).
import {
	CandlestickSeries,
	ColorType,
	CrosshairMode,
	HistogramSeries,
	LineSeries,
	LineStyle,
	createChart,
	createSeriesMarkers,
} from 'lightweight-charts';
import { crosshairTime, dayStart, fmtWhen, tickMark } from './timefmt.js';
import { el, fmtNum, fmtPrice, fmtQty, isNum, priceDecimals } from './util.js';

const C = {
	bg: '#131722',
	text: '#d1d4dc',
	grid: '#1c2030',
	line: '#2a2e39',
	up: '#26a69a',
	down: '#ef5350',
	buy: '#26a69a',
	sell: '#ef5350',
	unk: '#5d606b',
	vwap: '#ff9800',
	delta: '#42a5f5',
	spread: '#ab47bc',
	gap: '#9598a1',
	anomaly: '#ffb300',
	focus: '#ffffff',
};

// Short names for marker text.
export const KIND_SHORT = {
	volume_spike: 'VOL',
	volume_spike_tod: 'VOL·TOD',
	price_jump: 'JUMP',
	spread_blowout: 'SPRD',
	one_sided_flow: 'FLOW',
	large_trade: 'BIG',
	side_inverted: 'SIDE',
};

export const KIND_LABEL = {
	volume_spike: 'Volume spike',
	volume_spike_tod: 'Volume spike (time of day)',
	price_jump: 'Price jump',
	spread_blowout: 'Spread blow-out',
	one_sided_flow: 'One-sided flow',
	large_trade: 'Large trade',
	side_inverted: 'Side inverted',
};

const PANE_HEIGHTS = [0, 0.17, 0.13, 0.11];	// of the chart; price the rest

function alpha(hex, a) {
	const n = parseInt(hex.slice(1), 16);
	return `rgba(${n >> 16 & 255},${n >> 8 & 255},${n & 255},${a})`;
}

export class ChartView {
	constructor(container, labels, legend) {
		this.container = container;
		this.labels = labels;
		this.legendEl = legend;
		this.bars = [];		// sorted by start_ms
		this.byStart = new Map();	// start_ms -> index in bars
		this.cum = [];		// cumulative delta per bar
		this.anomalies = [];	// of this symbol and interval
		this.focusKey = null;	// anomaly jumped to
		this.symbol = null;
		this.source = null;
		this.assetClass = null;
		this.interval = 60;
		this.updates = 0;
		this.decimals = 2;
		this.chart = createChart(container, this.options());
		const ch = this.chart;
		this.candles = ch.addSeries(CandlestickSeries, {
			upColor: C.up, downColor: C.down,
			borderUpColor: C.up, borderDownColor: C.down,
			wickUpColor: C.up, wickDownColor: C.down,
			priceLineColor: C.text, priceLineStyle: LineStyle.Dotted,
		}, 0);
		this.vwap = ch.addSeries(LineSeries, {
			color: C.vwap, lineWidth: 1.5, priceLineVisible: false,
			lastValueVisible: false, crosshairMarkerVisible: false,
			title: 'VWAP',
		}, 0);
		const vol = { priceFormat: { type: 'volume' },
		    priceLineVisible: false, lastValueVisible: false, base: 0 };
		this.volAll = ch.addSeries(HistogramSeries,
		    { ...vol, color: C.unk }, 1);
		this.volSide = ch.addSeries(HistogramSeries,
		    { ...vol, color: C.sell }, 1);
		this.volBuy = ch.addSeries(HistogramSeries,
		    { ...vol, color: C.buy }, 1);
		this.delta = ch.addSeries(LineSeries, {
			color: C.delta, lineWidth: 1.5, priceFormat: { type: 'volume' },
			priceLineVisible: false, lastValueVisible: true,
		}, 2);
		this.spread = ch.addSeries(LineSeries, {
			color: C.spread, lineWidth: 1, priceLineVisible: false,
			lastValueVisible: true,
			priceFormat: { type: 'price', precision: 2, minMove: 0.01 },
		}, 3);
		this.markers = createSeriesMarkers(this.candles, []);
		this.sizePanes();
		ch.subscribeCrosshairMove((p) => this.crosshair(p));
		ch.timeScale().subscribeVisibleLogicalRangeChange((r) =>
		    this.onRange?.(r));
		// Leaving the chart: the legend goes back to the newest bar.
		container.addEventListener('mouseleave', () => {
			this.chart.clearCrosshairPosition();
			this.legendBar = null;
			this.renderLegend(this.legendDefault());
		});
		this.resizeObs = new ResizeObserver(() => {
			this.sizePanes();
		});
		this.resizeObs.observe(container);
	}

	options() {
		return {
			autoSize: true,
			layout: {
				background: { type: ColorType.Solid, color: C.bg },
				textColor: C.text,
				fontSize: 11,
				fontFamily: 'system-ui, -apple-system, "Segoe UI", ' +
				    'Roboto, "DejaVu Sans", sans-serif',
				// The logo widget injects an inline <style>, which
				// our CSP refuses: the credit is a visible link under
				// the chart instead (licence NOTICE).
				attributionLogo: false,
				panes: { separatorColor: C.line,
				    separatorHoverColor: '#363a45', enableResize: true },
			},
			grid: {
				vertLines: { color: C.grid },
				horzLines: { color: C.grid },
			},
			crosshair: { mode: CrosshairMode.Normal },
			rightPriceScale: { borderColor: C.line, minimumWidth: 72 },
			timeScale: {
				borderColor: C.line,
				timeVisible: true,
				secondsVisible: this.interval < 60,
				rightOffset: 4,
				tickMarkFormatter: (t, type) => tickMark(t, type),
			},
			localization: {
				timeFormatter: (t) => crosshairTime(t),
				locale: 'en-US',
			},
		};
	}

	// Pane heights as fractions of the chart; labels follow the panes.
	sizePanes() {
		const h = this.container.clientHeight;
		if (!h)
			return;
		const panes = this.chart.panes();
		let rest = h;
		for (let i = 1; i < panes.length && i < PANE_HEIGHTS.length; i++) {
			const ph = Math.max(48, Math.round(h * PANE_HEIGHTS[i]));
			if (!this.userResized)
				panes[i].setHeight(ph);
			rest -= ph;
		}
		if (!this.userResized)
			panes[0].setHeight(Math.max(120, rest));
		requestAnimationFrame(() => this.placeLabels());
	}

	placeLabels() {
		const panes = this.chart.panes();
		let top = 0;
		for (let i = 0; i < panes.length; i++) {
			const lab = this.labels?.querySelector(`[data-pane="${i}"]`);
			if (lab)
				lab.style.top = (top + 4) + 'px';
			top += panes[i].getHeight() + 1;	// separator
		}
	}

	// The zone changed: labels come from the formatters, redraw them.
	refreshTime() {
		this.chart.applyOptions({
			timeScale: { tickMarkFormatter: (t, type) => tickMark(t, type) },
			localization: { timeFormatter: (t) => crosshairTime(t) },
		});
		this.renderLegend(this.legendBar ?? this.legendDefault());
	}

	setInterval(interval) {
		this.interval = interval;
		this.chart.applyOptions({ timeScale: { secondsVisible: interval < 60 } });
	}

	// A new series or interval: everything from scratch.
	load(symbol, source, assetClass, interval, bars) {
		this.symbol = symbol;
		this.source = source ?? null;
		this.assetClass = assetClass;
		this.setInterval(interval);
		this.bars = [];
		this.byStart.clear();
		this.focusKey = null;
		this.legendBar = null;
		this.chart.clearCrosshairPosition();
		for (const b of bars)
			this.put(b);
		const last = this.bars.findLast((b) => isNum(b.close));
		this.setDecimals(last?.close);
		this.redraw();
		// Few bars (a fresh start) read better a little wider.
		this.chart.timeScale().applyOptions({ barSpacing:
		    this.bars.length < 80 ? 14 : 7 });
		this.chart.timeScale().scrollToRealTime();
		this.renderLegend(this.legendDefault());
	}

	setDecimals(price) {
		const d = priceDecimals(price);
		if (d === this.decimals && this.decimalsSet)
			return;
		this.decimals = d;
		this.decimalsSet = true;
		const minMove = Number((10 ** -d).toFixed(d));
		this.candles.applyOptions({ priceFormat: { type: 'price',
		    precision: d, minMove } });
		this.vwap.applyOptions({ priceFormat: { type: 'price',
		    precision: d, minMove } });
	}

	// Older bars in front (scrolling back in time).
	prepend(older) {
		const before = this.bars.length;
		const range = this.chart.timeScale().getVisibleLogicalRange();
		for (const b of older)
			this.put(b);
		const added = this.bars.length - before;
		this.redraw();
		if (range && added > 0) {
			this.chart.timeScale().setVisibleLogicalRange({
			    from: range.from + added, to: range.to + added });
		}
		return added;
	}

	// Inserts or replaces a bar in the sorted array; true when it was
	// appended at the end or replaced the last (the cheap update path).
	put(b) {
		const i = this.byStart.get(b.start_ms);
		if (i !== undefined) {
			this.bars[i] = b;
			return i === this.bars.length - 1 ? 'last' : 'middle';
		}
		const n = this.bars.length;
		if (n === 0 || b.start_ms > this.bars[n - 1].start_ms) {
			this.bars.push(b);
			this.byStart.set(b.start_ms, n);
			return 'append';
		}
		// In the middle: rare (history prepends, late corrections).
		let lo = 0;
		let hi = n;
		while (lo < hi) {
			const mid = (lo + hi) >> 1;
			if (this.bars[mid].start_ms < b.start_ms)
				lo = mid + 1;
			else
				hi = mid;
		}
		this.bars.splice(lo, 0, b);
		this.byStart.clear();
		this.bars.forEach((x, k) => this.byStart.set(x.start_ms, k));
		return 'middle';
	}

	// True when bar b belongs to the series and interval shown.
	shows(b) {
		return b.symbol === this.symbol && (b.source ?? null) ===
		    this.source && b.interval_s === this.interval;
	}

	// A bar from /live for this series and interval.
	update(b) {
		if (!this.shows(b))
			return;
		const where = this.put(b);
		this.updates++;
		this.container.dataset.updates = String(this.updates);
		if (where === 'middle') {
			this.redraw();
		} else {
			const i = this.bars.length - 1;
			const prev = i > 0 ? this.cum[i - 1] : 0;
			this.cum[i] = prev + sideDelta(b);
			const t = this.time(b);
			this.candles.update(this.candle(b));
			const vw = this.vwapAt(i);
			this.vwap.update(vw ?? { time: t });
			const [a, s, y] = this.volume(b);
			this.volAll.update(a);
			this.volSide.update(s);
			this.volBuy.update(y);
			this.delta.update({ time: t, value: this.cum[i] });
			this.spread.update(isNum(b.spread_bps) ?
			    { time: t, value: b.spread_bps } : { time: t });
			if (b.gap)
				this.renderMarkers();
			this.stamp();
		}
		if (!this.legendBar)
			this.renderLegend(this.legendDefault());
		else if (this.legendBar.start_ms === b.start_ms)
			this.renderLegend(b);
	}

	time(b) {
		return Math.floor(b.start_ms / 1000);
	}

	// Gap bars: hollow grey candles (the bar may be missing trades), plus
	// a grey square marker below.
	candle(b) {
		const t = this.time(b);
		if (!isNum(b.open) || !isNum(b.close))
			return { time: t };	// no price-setting trade: a hole
		const c = { time: t, open: b.open, high: b.high, low: b.low,
		    close: b.close };
		if (b.gap) {
			c.color = alpha(C.bg, 0);
			c.borderColor = C.gap;
			c.wickColor = C.gap;
		}
		return c;
	}

	volume(b) {
		const t = this.time(b);
		const buy = b.buy_volume || 0;
		const sell = b.sell_volume || 0;
		const all = Math.max(b.volume || 0, buy + sell);
		const a = b.gap ? 0.45 : 1;
		return [
			{ time: t, value: all, color: alpha(C.unk, a) },
			{ time: t, value: buy + sell, color: alpha(C.sell, a) },
			{ time: t, value: buy, color: alpha(C.buy, a) },
		];
	}

	// VWAP anchored at the start of the trading day (New York for stocks,
	// UTC for crypto) or at the first bar loaded, whichever is later:
	// sum(vwap * volume) / sum(volume) of the day's bars so far.
	vwapSeries() {
		const out = [];
		let pv = 0;
		let v = 0;
		let day = null;
		const tz = this.assetClass === 'stock' ? 'America/New_York' : 'UTC';
		this.dayOf = new Array(this.bars.length);
		this.pv = new Array(this.bars.length);
		this.vv = new Array(this.bars.length);
		for (let i = 0; i < this.bars.length; i++) {
			const b = this.bars[i];
			const d = this.dayKey(b.start_ms, tz);
			if (d !== day) {
				day = d;
				pv = 0;
				v = 0;
			}
			if (isNum(b.vwap) && b.volume > 0) {
				pv += b.vwap * b.volume;
				v += b.volume;
			}
			this.dayOf[i] = d;
			this.pv[i] = pv;
			this.vv[i] = v;
			out.push(v > 0 ? { time: this.time(b), value: pv / v } :
			    { time: this.time(b) });
		}
		return out;
	}

	dayKey(ms, tz) {
		// Day starts are cached per zone and day: bars are sorted, so
		// one computation serves a whole day of bars.
		if (this.dayCache && this.dayCache.tz === tz &&
		    ms >= this.dayCache.start && ms < this.dayCache.end)
			return this.dayCache.start;
		const start = dayStart(ms, tz);
		const end = dayStart(start + 30 * 3600 * 1000, tz);
		this.dayCache = { tz, start, end };
		return start;
	}

	// The anchored VWAP of bar i after it changed (the last bar).
	vwapAt(i) {
		const b = this.bars[i];
		const tz = this.assetClass === 'stock' ? 'America/New_York' : 'UTC';
		const d = this.dayKey(b.start_ms, tz);
		let pv = 0;
		let v = 0;
		if (i > 0 && this.dayOf?.[i - 1] === d) {
			pv = this.pv[i - 1];
			v = this.vv[i - 1];
		}
		if (isNum(b.vwap) && b.volume > 0) {
			pv += b.vwap * b.volume;
			v += b.volume;
		}
		this.dayOf[i] = d;
		this.pv[i] = pv;
		this.vv[i] = v;
		return v > 0 ? { time: this.time(b), value: pv / v } : null;
	}

	redraw() {
		const bars = this.bars;
		this.cum = new Array(bars.length);
		let run = 0;
		const candles = [];
		const va = [];
		const vs = [];
		const vb = [];
		const delta = [];
		const spread = [];
		for (let i = 0; i < bars.length; i++) {
			const b = bars[i];
			const t = this.time(b);
			run += sideDelta(b);
			this.cum[i] = run;
			candles.push(this.candle(b));
			const [a, s, y] = this.volume(b);
			va.push(a);
			vs.push(s);
			vb.push(y);
			delta.push({ time: t, value: run });
			spread.push(isNum(b.spread_bps) ? { time: t,
			    value: b.spread_bps } : { time: t });
		}
		this.candles.setData(candles);
		this.vwap.setData(this.vwapSeries());
		this.volAll.setData(va);
		this.volSide.setData(vs);
		this.volBuy.setData(vb);
		this.delta.setData(delta);
		this.spread.setData(spread);
		this.renderMarkers();
		this.stamp();
	}

	// What the page reports about the chart, for people and tests.
	stamp() {
		const d = this.container.dataset;
		const n = this.bars.reduce((k, b) => k + (isNum(b.close) ? 1 : 0), 0);
		d.bars = String(n);
		d.rows = String(this.bars.length);
		const last = this.bars.at(-1);
		d.lastStart = last ? String(last.start_ms) : '';
		d.lastClose = last && isNum(last.close) ? String(last.close) : '';
		d.lastVolume = last ? String(last.volume ?? '') : '';
		d.gaps = String(this.bars.reduce((k, b) => k + (b.gap ? 1 : 0), 0));
		d.symbol = this.symbol ?? '';
		d.source = this.source ?? '';
		d.interval = String(this.interval);
	}

	setAnomalies(list) {
		this.anomalies = list;
		this.renderMarkers();
	}

	renderMarkers() {
		const m = [];
		for (const b of this.bars) {
			if (b.gap && isNum(b.close)) {
				m.push({ time: this.time(b), position: 'belowBar',
				    shape: 'square', color: C.gap, size: 0.6,
				    text: 'gap', id: 'gap:' + b.start_ms });
			}
		}
		for (const a of this.anomalies) {
			if (!this.byStart.has(a.start_ms))
				continue;
			const key = anomalyKey(a);
			const focus = key === this.focusKey;
			// Large trades are frequent on busy symbols: a small dot,
			// so they do not bury the rarer kinds' labelled arrows.
			const dot = a.kind === 'large_trade' && !focus;
			m.push({ time: Math.floor(a.start_ms / 1000),
			    position: 'aboveBar', shape: dot ? 'circle' : 'arrowDown',
			    color: focus ? C.focus : C.anomaly,
			    size: focus ? 1.6 : dot ? 0.5 : 1,
			    text: dot ? '' : KIND_SHORT[a.kind] ?? a.kind, id: key });
		}
		m.sort((x, y) => x.time - y.time);
		this.markers.setMarkers(m);
		this.container.dataset.markers = String(m.length);
	}

	hasBar(startMs) {
		return this.byStart.has(startMs);
	}

	firstStart() {
		return this.bars[0]?.start_ms;
	}

	// Centres the view on a bar and marks its anomaly.
	jumpTo(a) {
		const i = this.byStart.get(a.start_ms);
		if (i === undefined)
			return false;
		this.focusKey = anomalyKey(a);
		this.renderMarkers();
		const ts = this.chart.timeScale();
		const r = ts.getVisibleLogicalRange();
		const half = r ? Math.max(20, Math.round((r.to - r.from) / 2)) : 60;
		ts.setVisibleLogicalRange({ from: i - half, to: i + half });
		const b = this.bars[i];
		this.renderLegend(b);
		this.legendBar = b;
		return true;
	}

	fit() {
		this.chart.timeScale().fitContent();
	}

	latest() {
		this.chart.timeScale().scrollToRealTime();
	}

	crosshair(p) {
		if (!p || p.time === undefined || !p.point) {
			this.legendBar = null;
			this.renderLegend(this.legendDefault());
			return;
		}
		const b = this.byStart.get(p.time * 1000);
		if (b === undefined)
			return;
		this.legendBar = this.bars[b];
		this.renderLegend(this.bars[b]);
	}

	// Without a crosshair the legend shows the newest bar that traded (the
	// open 1 s bar often has no trade yet).
	legendDefault() {
		for (let i = this.bars.length - 1; i >= 0 &&
		    i >= this.bars.length - 30; i--) {
			if (isNum(this.bars[i].close))
				return this.bars[i];
		}
		return this.bars.at(-1);
	}

	// The line above the chart: the bar under the crosshair, or the last.
	renderLegend(b) {
		const L = this.legendEl;
		if (!L)
			return;
		L.replaceChildren();
		L.dataset.start = b ? String(b.start_ms) : '';
		if (!b)
			return;
		const d = this.decimals;
		const i = this.byStart.get(b.start_ms);
		const cum = i !== undefined ? this.cum[i] : undefined;
		const vw = i !== undefined && this.vv?.[i] > 0 ?
		    this.pv[i] / this.vv[i] : undefined;
		const part = (k, v, cls) => [el('span', null, k + ' '),
		    el('b', cls ? { class: cls } : null, v), '  '];
		L.append(el('span', null, fmtWhen(b.start_ms,
		    this.interval < 60) + '  '));
		if (isNum(b.open)) {
			L.append(...part('O', fmtPrice(b.open, d)),
			    ...part('H', fmtPrice(b.high, d)),
			    ...part('L', fmtPrice(b.low, d)),
			    ...part('C', fmtPrice(b.close, d),
			    b.close >= b.open ? 'up' : 'down'));
		} else {
			L.append(el('span', null, 'no trade  '));
		}
		L.append(...part('Vol', fmtQty(b.volume)),
		    ...part('Buy', fmtQty(b.buy_volume), 'up'),
		    ...part('Sell', fmtQty(b.sell_volume), 'down'),
		    ...part('Δ', fmtQty(cum)),
		    ...part('VWAP', fmtPrice(vw, d)),
		    ...part('Sprd', isNum(b.spread_bps) ?
		    fmtNum(b.spread_bps, 2) + ' bps' : '—'),
		    ...part('Trades', fmtNum(b.trades, 0)));
		if (b.gap) {
			L.append(el('span', { class: 'lg-gap',
			    title: 'The bar overlaps a feed outage, a bus gap or ' +
			    'a restart: trades may be missing' }, 'gap'));
		}
	}
}

// Unique per anomaly: the same kind on the same bar of two sources is two.
export function anomalyKey(a) {
	return `${a.symbol}|${a.interval_s}|${a.start_ms}|${a.kind}|` +
	    `${a.source ?? ''}`;
}

function sideDelta(b) {
	return (b.buy_volume || 0) - (b.sell_volume || 0);
}
