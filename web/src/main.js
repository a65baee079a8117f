// tapewatch dashboard: login, the markets page (watchlist, chart,
// anomalies), health and users pages. Plain modules, no framework; data
// from webui's JSON API (docs/api.md) and /live (docs/live.md).
import { ApiError, abortAll, get, post, qs, serverNow, setCsrf,
	setUnauthorizedHandler } from './api.js';
import { ChartView, KIND_LABEL, anomalyKey } from './chart.js';
import { HealthPage } from './health.js';
import { Live } from './live.js';
import { ZONES, fmtDateTime, fmtWhen, getZone, setZone, zoneAbbrev }
	from './timefmt.js';
import { UsersPage } from './users.js';
import { $, el, fmtNum, fmtPct, fmtPrice, intervalName, isNum, listOf,
	seriesKey, seriesName } from './util.js';
import { Watchlist } from './watchlist.js';

const ROLE_RANK = { viewer: 0, user: 1, manager: 2, admin: 3 };
const INTERVALS = [1, 60];
const HISTORY = { 1: 1800, 60: 1440 };	// bars loaded: 30 min, a day
const OLDER_CHUNK = 1000;
const MAX_BARS = 20000;
const ANOMALY_WINDOW_MS = 24 * 3600 * 1000;
const ANOMALY_MAX = 500;
const ME_REFRESH_MS = 60000;
const KEY_SYMBOL = 'tapewatch.symbol';	// "SYMBOL@SOURCE" (or an old "SYMBOL")
const KEY_INTERVAL = 'tapewatch.interval';

const state = {
	me: null,		// /api/me answer
	expiresMs: 0,
	mode: null,		// demo | live, from /live
	feeds: [],
	liveState: 'idle',
	// The selected series: a symbol from one source. Everything shown for
	// it (chart, head, anomalies) is of that source only.
	symbol: null,
	source: null,
	series: null,		// seriesKey(symbol, source)
	assetClass: null,
	interval: 60,
	loadSeq: 0,
	loading: false,
	pending: [],		// /live bars that came during a load
	loadingOlder: false,
	noOlder: false,
	anomalies: new Map(),	// key -> anomaly, every symbol
	anomScope: 'symbol',
	page: null,
	lastMeFetch: 0,
	started: false,
};

let chart = null;
let watchlist = null;
let live = null;
let health = null;
let users = null;
let sessionTimer = null;
let loginRetryTimer = null;

function store(key, value) {
	try {
		localStorage.setItem(key, value);
	} catch {
		// Not remembered.
	}
}

function recall(key) {
	try {
		return localStorage.getItem(key);
	} catch {
		return null;
	}
}

// A failure the user needs no message for: the session ended (the login
// page says so) or a logout aborted the request.
function quiet(e) {
	return e?.name === 'AbortError' || (e instanceof ApiError &&
	    e.status === 401);
}

// ---- views --------------------------------------------------------------

function setView(v) {
	document.body.dataset.view = v;
	$('boot').hidden = true;
	$('login-view').hidden = v !== 'login' && v !== 'change';
	$('login-form').hidden = v !== 'login';
	$('change-form').hidden = v !== 'change';
	$('app-view').hidden = v !== 'app';
}

function showLogin(notice) {
	stopApp();
	abortAll();
	setCsrf(null);
	state.me = null;
	setView('login');
	const n = $('login-notice');
	n.textContent = notice || '';
	n.hidden = !notice;
	$('login-error').hidden = true;
	$('login-pass').value = '';
	const u = $('login-user');
	(u.value ? $('login-pass') : u).focus();
}

function showChange(forced) {
	setView('change');
	$('change-why').textContent = forced ?
	    'Your password must be changed before you go on.' :
	    'Change the password of ' + (state.me?.user ?? 'your account') + '.';
	$('change-cancel').hidden = forced;
	$('change-error').hidden = true;
	$('change-username').value = state.me?.user ?? '';
	for (const id of ['change-current', 'change-new', 'change-again'])
		$(id).value = '';
	$('change-current').focus();
}

// ---- login --------------------------------------------------------------

async function onLogin(ev) {
	ev.preventDefault();
	const user = $('login-user').value.trim();
	const pass = $('login-pass').value;
	const errEl = $('login-error');
	errEl.hidden = true;
	if (!user || !pass) {
		errEl.textContent = 'Enter your user name and password.';
		errEl.hidden = false;
		return;
	}
	const btn = $('login-submit');
	btn.disabled = true;
	try {
		const me = await post('/api/login', { username: user,
		    password: pass }, { noAuthHook: true });
		$('login-pass').value = '';
		await loggedIn(me);
	} catch (e) {
		$('login-pass').value = '';
		if (e instanceof ApiError && e.status === 429) {
			throttled(e.retryAfter());
			return;
		}
		errEl.textContent = e instanceof ApiError && e.status === 401 ?
		    'Login failed: the user name or password is wrong, or the ' +
		    'account may not log in now.' :
		    'The server did not answer as expected. Try again shortly.';
		errEl.hidden = false;
		$('login-pass').focus();
	} finally {
		if (!loginRetryTimer)
			btn.disabled = false;
	}
}

// 429: say when to retry, counting down, and keep the button off until.
function throttled(seconds) {
	const errEl = $('login-error');
	const btn = $('login-submit');
	const until = Date.now() + Math.ceil(seconds ?? 60) * 1000;
	clearInterval(loginRetryTimer);
	const tick = () => {
		const left = Math.ceil((until - Date.now()) / 1000);
		if (left <= 0) {
			clearInterval(loginRetryTimer);
			loginRetryTimer = null;
			btn.disabled = false;
			errEl.textContent = 'You may try again now.';
			return;
		}
		errEl.textContent = `Too many attempts. Try again in ${left} s.`;
	};
	btn.disabled = true;
	errEl.hidden = false;
	tick();
	loginRetryTimer = setInterval(tick, 1000);
}

async function loggedIn(me) {
	state.me = me;
	setCsrf(me?.csrf);
	if (me?.must_change) {
		showChange(true);
		return;
	}
	startApp();
}

async function onChange(ev) {
	ev.preventDefault();
	const cur = $('change-current').value;
	const nw = $('change-new').value;
	const again = $('change-again').value;
	const errEl = $('change-error');
	const fail = (t) => {
		errEl.textContent = t;
		errEl.hidden = false;
	};
	errEl.hidden = true;
	if (!cur || !nw)
		return fail('Fill in the current and the new password.');
	if (nw !== again)
		return fail('The two new passwords differ.');
	if (nw === cur)
		return fail('The new password is the same as the current one.');
	const btn = $('change-submit');
	btn.disabled = true;
	// The change ends every session, this one's /live socket too (4401):
	// close it first so that close does not read as a logout.
	live?.stop();
	try {
		const r = await post('/api/me/password', { current: cur, new: nw },
		    { noAuthHook: true });
		if (r?.relogin) {
			// Changed, but the fresh session could not be made.
			showLogin('Your password is changed: log in with the new one.');
			return;
		}
		if (r?.csrf)
			setCsrf(r.csrf);
		// Every session was ended and this client got a fresh one.
		const me = await get('/api/me');
		state.me = me;
		setCsrf(me?.csrf);
		if (state.started) {
			setView('app');
			state.expiresMs = me?.expires_ms ?? state.expiresMs;
			live?.start();	// on the fresh session
		} else {
			startApp();
		}
	} catch (e) {
		if (e instanceof ApiError && e.status === 400)
			fail(`Refused: ${e.reason}.`);
		else if (e instanceof ApiError && (e.status === 401 ||
		    e.status === 403) && e.reason !== 'csrf')
			fail('The current password is wrong.');
		else if (e instanceof ApiError && e.status === 429)
			fail(`Too many attempts. Try again in ` +
			    `${Math.ceil(e.retryAfter() ?? 60)} s.`);
		else
			fail(`Not changed: ${e.message}`);
		if (state.started)
			live?.start();	// the session is still the old one
	} finally {
		btn.disabled = false;
		for (const id of ['change-current', 'change-new', 'change-again'])
			$(id).value = '';
	}
}

async function logout() {
	abortAll();	// nothing of this session may land after it
	try {
		await post('/api/logout', {}, { noAuthHook: true });
	} catch {
		// The session may be over already: the login page either way.
	}
	showLogin('You are logged out.');
}

// ---- the app ------------------------------------------------------------

function roleAtLeast(role) {
	return (ROLE_RANK[state.me?.role] ?? -1) >= ROLE_RANK[role];
}

function startApp() {
	setView('app');
	state.expiresMs = state.me?.expires_ms ?? 0;
	state.lastMeFetch = Date.now();
	$('user-button').textContent = `${state.me?.user ?? ''} · ` +
	    `${state.me?.role ?? ''}`;
	for (const a of document.querySelectorAll('[data-min-role]'))
		a.hidden = !roleAtLeast(a.dataset.minRole);
	if (!chart) {
		chart = new ChartView($('chart'), $('pane-labels'), $('legend'));
		chart.onRange = (r) => maybeLoadOlder(r);
	}
	if (!watchlist)
		watchlist = new Watchlist($('watch-body'), $('watch-empty'),
		    (key, it) => selectSeries(key, it));
	health ??= new HealthPage();
	users ??= new UsersPage(() => state.me?.user);
	state.started = true;
	live = new Live({
		onMessage: onLive,
		onState: onLiveState,
		onOpen: () => {
			// Whatever was missed while disconnected comes from the API.
			if (state.hadOpen)
				reloadAfterReconnect();
			state.hadOpen = true;
		},
		checkSession: async () => {
			try {
				await get('/api/me', { noAuthHook: true });
				return true;
			} catch (e) {
				return !(e instanceof ApiError && e.status === 401);
			}
		},
	});
	live.start();
	clearInterval(sessionTimer);
	sessionTimer = setInterval(tickSession, 1000);
	tickSession();
	route();
	startMarkets();
}

function stopApp() {
	live?.stop();
	live = null;
	state.hadOpen = false;
	clearInterval(sessionTimer);
	health?.stop();
	users?.stop();
	state.started = false;
	state.marketsReady = false;
	state.mode = null;
	state.symbol = null;
	state.source = null;
	state.series = null;
	state.loadSeq++;
	state.anomalies.clear();
	renderFeed();
}

async function startMarkets() {
	const iv = Number(recall(KEY_INTERVAL));
	state.interval = INTERVALS.includes(iv) ? iv : 60;
	renderIntervalSwitch();
	setChartMsg('Loading symbols…');
	loadAnomalies().catch((e) => {
		if (!quiet(e))
			$('anom-empty').textContent = `Could not load anomalies: ` +
			    e.message;
	});
	try {
		await watchlist.load();
	} catch (e) {
		if (!quiet(e))
			setChartMsg(`Could not load symbols: ${e.message}`);
		return;
	}
	if (!state.mode && watchlist.mode) {
		state.mode = watchlist.mode;	// before /live says it
		renderFeed();
	}
	state.marketsReady = true;
	if (!selectInitial()) {
		setChartMsg('No data yet: waiting for the feed.');
		live?.watch(['*'], [60]);
	}
}

// The series charted last time (a choice saved before sources were kept
// picks the symbol's first source), or the watchlist's first; false when
// the watchlist is still empty.
function selectInitial() {
	const first = watchlist.find(recall(KEY_SYMBOL)) ?? watchlist.first();
	if (!first)
		return false;
	watchlist.select(first);
	return true;
}

function setChartMsg(text) {
	const m = $('chart-msg');
	m.textContent = text || '';
	m.hidden = !text;
}

function selectSeries(key, item) {
	if (state.series === key && !state.force)
		return;
	state.force = false;
	state.series = key;
	state.symbol = item?.symbol ?? null;
	state.source = item?.source ?? null;
	state.assetClass = item?.assetClass ?? null;
	store(KEY_SYMBOL, state.source ? `${state.symbol}@${state.source}` :
	    state.symbol);
	$('sym-name').textContent = seriesName(state.symbol, state.source);
	$('sym-class').textContent = item?.assetClass ?? '';
	renderSources();
	renderHeadPrice();
	renderAnomalies();
	loadChart();
}

// The source picker next to the title: one button per source of the
// selected symbol, shown when it has several.
function renderSources() {
	const box = $('sym-sources');
	const list = state.symbol ? watchlist?.sourcesOf(state.symbol) ?? [] :
	    [];
	box.hidden = list.length < 2;
	if (list.length < 2) {
		box.replaceChildren();
		return;
	}
	const have = [...box.querySelectorAll('button')].map((b) =>
	    b.dataset.key).join('\n');
	if (have !== list.map((it) => it.key).join('\n')) {
		box.replaceChildren(...list.map((it) => el('button', {
		    type: 'button', dataset: { key: it.key },
		    title: `${it.symbol} from ${it.source}` }, it.source ?? '?')));
	}
	for (const b of box.querySelectorAll('button'))
		b.setAttribute('aria-pressed', String(b.dataset.key ===
		    state.series));
}

function watchNow() {
	if (!live)
		return;
	const syms = state.symbol ? ['*', state.symbol] : ['*'];
	// "*" gets the coarsest interval listed (the watchlist's 60 s); the
	// selected symbol every interval listed.
	live.watch(syms, state.interval === 60 ? [60] : [state.interval, 60]);
}

async function loadChart(around) {
	const seq = ++state.loadSeq;
	const { symbol, interval } = state;
	if (!symbol)
		return;
	state.loading = true;
	state.pending = [];
	state.noOlder = false;
	state.history = false;
	watchNow();
	setChartMsg('Loading…');
	const { source } = state;
	const params = { symbol, source, interval,
	    limit: HISTORY[interval] ?? 1000 };
	if (around) {
		// A window around an old bar (an anomaly far back).
		const half = (HISTORY[interval] ?? 1000) / 2 * interval * 1000;
		params.from = around - half;
		params.to = around + half;
		state.history = true;
	}
	let bars;
	try {
		bars = listOf(await get('/api/bars?' + qs(params)), 'bars');
	} catch (e) {
		if (seq === state.loadSeq) {
			state.loading = false;
			if (!quiet(e))
				setChartMsg(`Could not load bars: ${e.message}`);
		}
		return;
	}
	if (seq !== state.loadSeq)
		return;		// another series or interval was chosen meanwhile
	chart.load(symbol, source, state.assetClass, interval, bars);
	state.loading = false;
	const pend = state.pending;
	state.pending = [];
	if (!state.history) {
		for (const b of pend)
			chart.update(b);
	}
	chart.setAnomalies(anomaliesFor(symbol, source, interval));
	setChartMsg(bars.length ? '' : 'No bars yet for this series and ' +
	    'interval: they appear as they come.');
	renderHeadPrice();
	renderExport();
}

// The CSV link: the range loaded, from GET /api/export.csv (role user).
function renderExport() {
	const a = $('export-csv');
	const first = chart?.firstStart();
	const last = chart?.bars.at(-1)?.start_ms;
	a.hidden = !roleAtLeast('user') || !state.symbol;
	const p = { symbol: state.symbol, source: state.source,
	    interval: state.interval };
	if (first !== undefined && last !== undefined) {
		p.from = first;
		p.to = last;
		p.limit = Math.min(MAX_BARS, chart.bars.length + 10);
	}
	a.href = '/api/export.csv?' + qs(p);
}

// Scrolled to the left edge: fetch the bars before the first one.
async function maybeLoadOlder(range) {
	if (!range || range.from > 10 || state.loading || state.loadingOlder ||
	    state.noOlder || !chart?.bars.length || chart.bars.length >= MAX_BARS)
		return;
	const seq = state.loadSeq;
	const { symbol, source, interval } = state;
	state.loadingOlder = true;
	try {
		// Without from, webui answers the newest bars up to to.
		const got = listOf(await get('/api/bars?' + qs({ symbol, source,
		    interval, to: chart.firstStart() - 1, limit: OLDER_CHUNK })),
		    'bars');
		if (seq !== state.loadSeq)
			return;
		if (!got.length)
			state.noOlder = true;
		else
			chart.prepend(got);
		renderExport();
	} catch {
		state.noOlder = true;
	} finally {
		state.loadingOlder = false;
	}
}

function reloadAfterReconnect() {
	// Bars published while the socket was down never come over /live.
	if (state.symbol)
		loadChart();
	loadAnomalies().then(renderAnomalies).catch(() => {});
}

function setInterval_(iv) {
	if (!INTERVALS.includes(iv) || iv === state.interval)
		return;
	state.interval = iv;
	store(KEY_INTERVAL, String(iv));
	renderIntervalSwitch();
	loadChart();
}

function renderIntervalSwitch() {
	for (const b of document.querySelectorAll('#interval-switch button'))
		b.setAttribute('aria-pressed', String(Number(b.dataset.interval) ===
		    state.interval));
	document.body.dataset.interval = String(state.interval);
}

function setTimeZone(z) {
	setZone(z);
	$('tz-select').value = getZone();
	document.body.dataset.tz = getZone();
	chart?.refreshTime();
	renderAnomalies();
	if (state.page === 'users')
		users?.render();
}

function renderHeadPrice() {
	const it = state.series ? watchlist?.item(state.series) : null;
	const lastBar = chart && chart.symbol === state.symbol &&
	    chart.source === state.source ?
	    chart.bars.findLast((b) => isNum(b.close)) : null;
	const last = lastBar?.close ?? it?.last;
	$('sym-last').textContent = fmtPrice(last, chart?.decimals);
	const chg = it && isNum(it.ref) && isNum(last) && it.ref ?
	    (last / it.ref - 1) * 100 : null;
	const c = $('sym-chg');
	c.textContent = chg === null ? '' : `${fmtPct(chg)} ${it.assetClass ===
	    'stock' ? 'day' : '24h'}`;
	c.className = 'sym-chg ' + (chg > 0 ? 'up' : chg < 0 ? 'down' : '');
	document.title = state.symbol ? `${seriesName(state.symbol,
	    state.source)} ${fmtPrice(last, chart?.decimals)} · tapewatch` :
	    'tapewatch';
}

// ---- /live ----------------------------------------------------------------

function onLive(m) {
	switch (m.type) {
	case 'hello':
		state.mode = m.mode ?? state.mode;
		if (isNum(m.expires_ms))
			state.expiresMs = m.expires_ms;
		renderFeed();
		break;
	case 'status':
		state.mode = m.mode ?? state.mode;
		state.feeds = Array.isArray(m.feeds) ? m.feeds : [];
		renderFeed();
		break;
	case 'session':
		if (isNum(m.expires_ms))
			state.expiresMs = m.expires_ms;
		break;
	case 'bar':
		onBar(m);
		break;
	case 'anomaly':
		onAnomaly(m);
		break;
	default:
		// watching, pong, error: nothing to show.
		break;
	}
}

// True when a /live message (bar, anomaly) is of the selected series: the
// watch is by symbol, so messages of its other sources come too.
function ofSeries(m) {
	return state.series !== null && seriesKey(m.symbol, m.source) ===
	    state.series;
}

function onBar(b) {
	if (b.interval_s === 60) {
		const n = watchlist?.items.size ?? 0;
		watchlist?.bar(b);
		// Started before any symbol existed: chart the first that comes.
		if (!state.symbol && state.marketsReady)
			selectInitial();
		// A new source of the selected symbol: the picker grows.
		else if (watchlist && watchlist.items.size !== n &&
		    b.symbol === state.symbol)
			renderSources();
	}
	if (!ofSeries(b))
		return;
	if (b.interval_s === state.interval) {
		if (state.loading)
			state.pending.push(b);
		else
			chart.update(b);
	}
	if (b.interval_s === 60 || b.interval_s === state.interval)
		renderHeadPriceSoon();
}

let headTimer = null;
function renderHeadPriceSoon() {
	if (headTimer)
		return;
	headTimer = setTimeout(() => {
		headTimer = null;
		renderHeadPrice();
	}, 250);
}

function onLiveState(s, info) {
	state.liveState = s;
	if (s === 'ended') {
		showLogin('Your session has ended. Log in again.');
		return;
	}
	if (s === 'broken') {
		state.liveState = 'stale';
		renderFeed(`live updates refused: ${info}`);
		return;
	}
	renderFeed();
}

// One light for all feeds: the worst state wins (stale, reconnecting,
// demo, live); our own socket being down shows as reconnecting.
function renderFeed(extra) {
	const feedEl = $('feed');
	let s;
	let label;
	const ls = state.liveState;
	if (!state.started) {
		s = 'connecting';
		label = 'offline';
	} else if (ls === 'connecting' || ls === 'idle') {
		s = 'connecting';
		label = 'connecting';
	} else if (ls === 'reconnecting') {
		s = 'reconnecting';
		label = 'reconnecting';
	} else if (ls === 'stale') {
		s = 'stale';
		label = 'stale';
	} else {
		const states = state.feeds.map((f) => f.state);
		if (!states.length) {
			s = 'stale';
			label = 'no feed';
		} else if (states.includes('stale')) {
			s = 'stale';
			label = 'stale';
		} else if (states.includes('reconnecting')) {
			s = 'reconnecting';
			label = 'reconnecting';
		} else if (states.includes('demo')) {
			s = 'demo';
			label = 'demo';
		} else {
			s = 'live';
			label = 'live';
		}
	}
	feedEl.dataset.state = s;
	$('feed-label').textContent = label;
	const demo = state.mode === 'demo';
	// A demo feed beside live ones (TW_STOCK_SOURCE=demo with a crypto
	// venue): its symbols are still synthetic, and must say so.
	const partly = !demo && state.feeds.some((f) => f.state === 'demo');
	$('demo-badge').hidden = !demo && !partly;
	$('demo-banner').hidden = !demo && !partly;
	$('demo-banner').textContent = partly ? 'Partly simulated: ' +
	    'the feeds of source demo (feedsim) are synthetic; ' +
	    state.feeds.filter((f) => f.state === 'demo').map((f) =>
	    f.asset_class ?? f.process ?? '?').join(', ') + ' data is not ' +
	    'real.' : 'Simulated data: the demo feed (feedsim) is running. ' +
	    'Prices, trades and anomalies are synthetic.';
	document.body.dataset.mode = state.mode ?? '';
	const rows = state.feeds.map((f) => el('tr', null,
	    el('td', null, f.process ?? f.asset_class ?? ''),
	    el('td', null, f.source ?? ''),
	    el('td', null, el('span', { class: 'state ' + (f.state ?? '') },
	    f.state ?? '?')),
	    el('td', { class: 'num' }, isNum(f.last_event_age_ms) ?
	    `${fmtNum(f.last_event_age_ms / 1000, 1)} s ago` : 'no data yet')));
	const detail = $('feed-detail');
	detail.replaceChildren(
	    el('div', null, el('b', null, 'Feeds'), ls === 'open' ? '' :
	    ` (dashboard connection: ${ls})`),
	    rows.length ? el('table', null, el('tbody', null, ...rows)) :
	    el('div', { class: 'muted' }, 'No collector heard yet.'),
	    demo ? el('div', { class: 'muted' }, 'Demo mode: simulated data ' +
	    'from feedsim.') : null,
	    extra ? el('div', { class: 'form-error' }, extra) : null);
}

// ---- anomalies ------------------------------------------------------------

async function loadAnomalies() {
	const from = Date.now() - ANOMALY_WINDOW_MS;
	const list = listOf(await get('/api/anomalies?' + qs({ from })),
	    'anomalies');
	state.anomalies.clear();
	for (const a of list)
		state.anomalies.set(anomalyKey(a), a);
	trimAnomalies();
	renderAnomalies();
	if (state.symbol && !state.loading && chart?.symbol === state.symbol &&
	    chart.source === state.source)
		chart.setAnomalies(anomaliesFor(state.symbol, state.source,
		    state.interval));
}

function trimAnomalies() {
	if (state.anomalies.size <= ANOMALY_MAX)
		return;
	const keep = [...state.anomalies.values()]
	    .sort((a, b) => b.start_ms - a.start_ms).slice(0, ANOMALY_MAX);
	state.anomalies = new Map(keep.map((a) => [anomalyKey(a), a]));
}

// The anomalies of one series (symbol and source), of one interval or all.
function anomaliesFor(symbol, source, interval) {
	const key = seriesKey(symbol, source);
	return [...state.anomalies.values()].filter((a) =>
	    seriesKey(a.symbol, a.source) === key &&
	    (interval === undefined || a.interval_s === interval));
}

function onAnomaly(a) {
	const key = anomalyKey(a);
	const isNew = !state.anomalies.has(key);
	state.anomalies.set(key, a);
	if (isNew)
		state.fresh = key;
	trimAnomalies();
	if (ofSeries(a) && a.interval_s === state.interval && !state.loading)
		chart?.setAnomalies(anomaliesFor(state.symbol, state.source,
		    state.interval));
	renderAnomaliesSoon();
}

let anomTimer = null;
function renderAnomaliesSoon() {
	if (anomTimer)
		return;
	anomTimer = setTimeout(() => {
		anomTimer = null;
		renderAnomalies();
	}, 300);
}

function renderAnomalies() {
	const ol = $('anom-list');
	const all = state.anomScope === 'all';
	const list = (all ? [...state.anomalies.values()] :
	    anomaliesFor(state.symbol, state.source)).sort((a, b) =>
	    b.start_ms - a.start_ms || a.kind.localeCompare(b.kind));
	// In "All", the source shows for symbols that have several.
	const multi = (a) => (watchlist?.sourcesOf(a.symbol).length ?? 0) > 1;
	const items = list.slice(0, 300).map((a) => {
		const key = anomalyKey(a);
		const li = el('li', { tabindex: '0', dataset: { key },
		    title: `${KIND_LABEL[a.kind] ?? a.kind} on the ` +
		    `${intervalName(a.interval_s)} bar of ` +
		    `${fmtDateTime(a.start_ms)} ${zoneAbbrev(a.start_ms)}: ` +
		    `score ${fmtNum(a.score, 2)} (threshold ` +
		    `${fmtNum(a.threshold, 2)}), value ${fmtNum(a.value, 4)}` });
		if (key === state.fresh)
			li.classList.add('fresh');
		if (key === chart?.focusKey)
			li.setAttribute('aria-current', 'true');
		li.append(
		    el('div', { class: 'anom-top' },
		    el('span', { class: 'anom-kind' }, KIND_LABEL[a.kind] ?? a.kind),
		    el('span', { class: 'anom-meta' }, fmtWhen(a.start_ms,
		    a.interval_s < 60))),
		    el('div', { class: 'anom-meta' },
		    all ? el('span', { class: 'anom-sym' }, a.symbol + ' ') : null,
		    all && a.source && multi(a) ? el('span', { class: 'src' },
		    a.source) : null,
		    `${intervalName(a.interval_s)} · score ${fmtNum(a.score, 1)} ` +
		    `/ ${fmtNum(a.threshold, 1)} · value ${fmtNum(a.value, 3)}`));
		return li;
	});
	state.fresh = null;
	ol.replaceChildren(...items);
	ol.dataset.count = String(items.length);
	const empty = $('anom-empty');
	empty.textContent = all ? 'No anomalies in the last 24 hours.' :
	    `No anomalies for ${state.symbol ? seriesName(state.symbol,
	    state.source) : 'this symbol'} in the last ` +
	    '24 hours.';
	empty.hidden = items.length > 0;
}

async function jumpToAnomaly(key) {
	try {
		await jumpTo(key);
	} catch (e) {
		if (!quiet(e))
			setChartMsg(`Could not show the anomaly: ${e.message}`);
	}
}

async function jumpTo(key) {
	const a = state.anomalies.get(key);
	if (!a)
		return;
	const sk = seriesKey(a.symbol, a.source);
	if (sk !== state.series || a.interval_s !== state.interval) {
		if (INTERVALS.includes(a.interval_s) && a.interval_s !==
		    state.interval) {
			state.interval = a.interval_s;
			store(KEY_INTERVAL, String(a.interval_s));
			renderIntervalSwitch();
		}
		if (sk !== state.series) {
			state.force = true;
			watchlist.select(watchlist.item(sk) ? sk :
			    watchlist.find(a.symbol));
		} else {
			await loadChart();
		}
		await waitLoaded();
	}
	if (!chart.hasBar(a.start_ms)) {
		// Older than what is loaded: fetch back to it if that is not
		// too much, else show a window around it.
		const iv = state.interval * 1000;
		const first = chart.firstStart();
		const need = first ? (first - a.start_ms) / iv : Infinity;
		if (first && need > 0 && need + chart.bars.length < MAX_BARS) {
			const older = listOf(await get('/api/bars?' + qs({
			    symbol: state.symbol, source: state.source,
			    interval: state.interval,
			    from: a.start_ms - 100 * iv, to: first - 1,
			    limit: MAX_BARS })), 'bars');
			chart.prepend(older);
		} else {
			await loadChart(a.start_ms);
		}
	}
	chart.jumpTo(a);
	renderAnomalies();
}

async function waitLoaded() {
	for (let i = 0; i < 100 && state.loading; i++)
		await new Promise((r) => setTimeout(r, 50));
	// A selection change starts the load on the next tick.
	await new Promise((r) => setTimeout(r, 0));
	for (let i = 0; i < 100 && state.loading; i++)
		await new Promise((r) => setTimeout(r, 50));
}

// ---- session ----------------------------------------------------------------

function tickSession() {
	const left = state.expiresMs - serverNow();
	const s = $('session');
	if (!state.expiresMs) {
		s.textContent = '--:--';
		return;
	}
	const sec = Math.max(0, Math.floor(left / 1000));
	const h = Math.floor(sec / 3600);
	const m = Math.floor(sec % 3600 / 60);
	const ss = String(sec % 60).padStart(2, '0');
	s.textContent = h ? `${h}:${String(m).padStart(2, '0')}:${ss}` :
	    `${m}:${ss}`;
	s.classList.toggle('low', sec < 120);
	s.title = `Session ends at ${fmtDateTime(state.expiresMs, false)} ` +
	    `${zoneAbbrev()} unless you are active; activity extends it up to ` +
	    'the maximum session length.';
	if (left <= 0 && Date.now() - state.lastMeFetch > 3000)
		refreshMe();
}

// Activity refreshes the expiry from /api/me (which renews an idle
// session), at most once a minute.
async function refreshMe() {
	state.lastMeFetch = Date.now();
	try {
		const me = await get('/api/me');
		state.me = { ...state.me, ...me };
		setCsrf(me?.csrf);
		if (isNum(me?.expires_ms))
			state.expiresMs = me.expires_ms;
	} catch {
		// 401 goes to the login page through the handler.
	}
}

function onActivity() {
	if (state.started && Date.now() - state.lastMeFetch > ME_REFRESH_MS)
		refreshMe();
}

// ---- routing and keys -----------------------------------------------------

function route() {
	if (!state.started)
		return;
	let page = (location.hash.replace(/^#\/?/, '') || 'markets')
	    .split('?')[0];
	if (page === 'health' && !roleAtLeast('manager'))
		page = 'markets';
	else if (page === 'users' && !roleAtLeast('admin'))
		page = 'markets';
	else if (!['markets', 'health', 'users'].includes(page))
		page = 'markets';
	state.page = page;
	$('page-markets').hidden = page !== 'markets';
	$('page-health').hidden = page !== 'health';
	$('page-users').hidden = page !== 'users';
	for (const a of document.querySelectorAll('.nav a')) {
		if (a.dataset.page === page)
			a.setAttribute('aria-current', 'page');
		else
			a.removeAttribute('aria-current');
	}
	document.body.dataset.page = page;
	if (page === 'health')
		health.start();
	else
		health.stop();
	if (page === 'users')
		users.start();
}

function onKey(ev) {
	if (document.body.dataset.view !== 'app' || ev.ctrlKey || ev.metaKey ||
	    ev.altKey)
		return;
	const t = ev.target;
	if (t instanceof HTMLInputElement || t instanceof HTMLSelectElement ||
	    t instanceof HTMLTextAreaElement || t.isContentEditable)
		return;
	if (state.page !== 'markets')
		return;
	switch (ev.key) {
	case 'ArrowUp':
		watchlist?.move(-1);
		break;
	case 'ArrowDown':
		watchlist?.move(1);
		break;
	case 's':
		setInterval_(1);
		break;
	case 'm':
		setInterval_(60);
		break;
	case 'z': {
		const zs = Object.keys(ZONES);
		setTimeZone(zs[(zs.indexOf(getZone()) + 1) % zs.length]);
		break;
	}
	case 'f':
		chart?.fit();
		break;
	case 'End':
		if (state.history)
			loadChart();
		else
			chart?.latest();
		break;
	default:
		return;
	}
	ev.preventDefault();
}

// ---- wiring -------------------------------------------------------------

function wire() {
	$('login-form').addEventListener('submit', onLogin);
	$('change-form').addEventListener('submit', onChange);
	$('change-cancel').addEventListener('click', () => setView('app'));
	$('change-logout').addEventListener('click', logout);
	$('logout').addEventListener('click', logout);
	$('user-button').addEventListener('click', () => showChange(false));
	document.addEventListener('click', (ev) => {
		const tog = ev.target.closest('.pw-toggle');
		if (!tog)
			return;
		const input = $(tog.dataset.for);
		if (!input)
			return;
		const showing = input.type === 'text';
		input.type = showing ? 'password' : 'text';
		tog.textContent = showing ? 'Show' : 'Hide';
		tog.setAttribute('aria-pressed', String(!showing));
		tog.title = showing ? 'Show the password' : 'Hide the password';
	});
	$('interval-switch').addEventListener('click', (ev) => {
		const b = ev.target.closest('button[data-interval]');
		if (b)
			setInterval_(Number(b.dataset.interval));
	});
	$('tz-select').value = getZone();
	document.body.dataset.tz = getZone();
	$('tz-select').addEventListener('change', (ev) =>
	    setTimeZone(ev.target.value));
	$('anom-scope').addEventListener('click', (ev) => {
		const b = ev.target.closest('button[data-scope]');
		if (!b)
			return;
		state.anomScope = b.dataset.scope;
		for (const x of $('anom-scope').querySelectorAll('button'))
			x.setAttribute('aria-pressed', String(x === b));
		renderAnomalies();
	});
	// The source picker: the same as clicking that series' watchlist row.
	$('sym-sources').addEventListener('click', (ev) => {
		const b = ev.target.closest('button[data-key]');
		if (b)
			watchlist?.select(b.dataset.key);
	});
	const anomList = $('anom-list');
	anomList.addEventListener('click', (ev) => {
		const li = ev.target.closest('li[data-key]');
		if (li)
			jumpToAnomaly(li.dataset.key);
	});
	anomList.addEventListener('keydown', (ev) => {
		const li = ev.target.closest('li[data-key]');
		if (li && (ev.key === 'Enter' || ev.key === ' ')) {
			ev.preventDefault();
			jumpToAnomaly(li.dataset.key);
		}
	});
	window.addEventListener('hashchange', route);
	document.addEventListener('keydown', onKey);
	document.addEventListener('pointerdown', onActivity, { passive: true });
	document.addEventListener('keydown', onActivity, { passive: true });
	setUnauthorizedHandler(() => {
		if (state.started || state.me)
			showLogin('Your session has ended. Log in again.');
	});
}

async function boot() {
	wire();
	try {
		const me = await get('/api/me', { noAuthHook: true });
		await loggedIn(me);
	} catch (e) {
		if (e instanceof ApiError && e.status === 403 &&
		    e.body?.must_change) {
			showChange(true);
			return;
		}
		showLogin(e instanceof ApiError && e.status === 401 ? '' :
		    'The server could not be reached; log in when it is back.');
	}
}

boot();
