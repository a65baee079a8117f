// One symbol from two sources, in a real browser (Debian's chromium through
// playwright-core) against a running webui whose market.db the driver
// (tests/integration/test_browser.py, "sources") filled through the real
// store: BTC-USD from coinbase (prices 37000..37999) and from kraken
// (36000..36999), each with its own closed 1-minute bars, live bars of
// both arriving over /live all the time, an anomaly of each, and side
// checks of several sources.
//
//   printf '%s\n' "$ADMIN_PW" | TW_EXPECT=expect.json node tests/browser/sources.mjs
//
// Environment: TW_URL, TW_USER (an admin), TW_EXPECT (a JSON file: what
// the driver published and what the page must show, computed by the
// driver), TW_ARTIFACTS, TW_CHROMIUM, TW_TEST_TIMEOUT_MULT. The password
// comes on stdin.
//
// Prints "ok NAME" / "FAIL NAME (why)" per check; exits 1 when one failed.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const top = path.resolve(here, '..', '..');
const require = createRequire(path.join(top, 'web', 'package.json'));
const { chromium } = require('playwright-core');

const BASE = (process.env.TW_URL || '').replace(/\/$/, '');
const USER = process.env.TW_USER || 'admin';
const ART = process.env.TW_ARTIFACTS ||
    path.join(top, 'build', 'test-artifacts');
const CHROMIUM = process.env.TW_CHROMIUM || '/usr/bin/chromium';
const MULT = Number(process.env.TW_TEST_TIMEOUT_MULT || '1') || 1;
const T = (ms) => ms * MULT;
const [PASSWORD] = fs.readFileSync(0, 'utf8').split(/\r?\n/);

let failed = 0;
function check(cond, name, why = '') {
	if (cond) {
		console.log('ok browser sources: ' + name);
	} else {
		failed++;
		console.log(`FAIL browser sources: ${name}${why ? ` (${why})` : ''}`);
	}
	return cond;
}
const note = (s) => console.log('# ' + s);

if (!BASE || !PASSWORD || !process.env.TW_EXPECT) {
	check(false, 'setup', 'TW_URL, TW_EXPECT and a password on stdin');
	process.exit(1);
}
const X = JSON.parse(fs.readFileSync(process.env.TW_EXPECT, 'utf8'));
const SYM = X.symbol;		// BTC-USD
const [SRC_A, SRC_B] = X.sources;	// coinbase, kraken
const range = (src) => X.ranges[src];
const inRange = (v, src) => Number.isFinite(v) && v >= range(src)[0] &&
    v <= range(src)[1];
const key = (src) => `${SYM}|${src}`;

fs.mkdirSync(ART, { recursive: true });
const origin = new URL(BASE).origin;
const browser = await chromium.launch({
	executablePath: CHROMIUM, headless: true,
	args: ['--ignore-certificate-errors', '--no-sandbox',
	    '--disable-dev-shm-usage'],
});
const context = await browser.newContext({
	viewport: { width: 1366, height: 768 }, ignoreHTTPSErrors: true,
	timezoneId: 'UTC', locale: 'en-US',
});
const page = await context.newPage();
const problems = [];
const requests = [];
page.on('console', (m) => {
	// Chromium logs the expected 401 of the first /api/me as an error.
	const where = m.location()?.url ?? '';
	if (m.type() === 'error' && !(/status of 401/.test(m.text()) &&
	    where.startsWith(origin) && new URL(where).pathname === '/api/me'))
		problems.push('console: ' + m.text());
});
page.on('pageerror', (e) => problems.push('exception: ' + String(e)));
page.on('request', (r) => {
	const u = r.url();
	if (u.startsWith(origin))
		requests.push(new URL(u));
	else if (!u.startsWith('data:') && !u.startsWith('blob:') &&
	    !u.startsWith(origin.replace(/^http/, 'ws')))
		problems.push('outside request: ' + u);
});
page.on('response', (r) => {
	// The first /api/me before login is the only refusal expected.
	if (r.status() >= 400 && !(r.status() === 401 &&
	    new URL(r.url()).pathname === '/api/me'))
		problems.push(`${r.status()} ${r.url()}`);
});

const chartState = () => page.$eval('#chart', (e) => ({ ...e.dataset }));
async function waitFor(fn, timeout, step = 150) {
	const end = Date.now() + T(timeout);
	for (;;) {
		let v;
		try {
			v = await fn();
		} catch {
			v = null;
		}
		if (v || Date.now() > end)
			return v;
		await page.waitForTimeout(step);
	}
}
const rowSel = (src) => `#watch-body tr.row[data-key="${key(src)}"]`;
// A row's symbol, visible source tag and last price as shown.
const rowInfo = (src) => page.$eval(rowSel(src), (tr) => {
	const tag = tr.querySelector('.src');
	return { text: tr.querySelector('.sym').textContent,
	    tag: tag && !tag.hidden && tag.offsetParent !== null ?
	    tag.textContent : null,
	    last: Number(tr.querySelector('.last').textContent
	    .replace(/,/g, '')), selected: tr.getAttribute('aria-selected') };
});

// The chart shows src's series, with its bars (closed ones from the API
// and the live one) all in src's price range, for a few seconds.
async function showsSeries(src, name) {
	const s = await waitFor(async () => {
		const c = await chartState();
		return c.symbol === SYM && c.source === src &&
		    Number(c.bars) >= X.closed_bars ? c : null;
	}, 15000);
	if (!check(s, `${name}: the chart loads ${SYM} from ${src}`,
	    JSON.stringify(await chartState())))
		return;
	const u0 = Number(s.updates);
	const seen = new Set();
	let bad = null, c;
	// The open bar's close, published live only, reached the chart.
	const live = () => [...seen].some((v) =>
	    Number(v) >= X.live_ranges[src][0] &&
	    Number(v) <= X.live_ranges[src][1]);
	// Watch 3 s at least, and until a live update came (a loaded
	// machine may take longer), never past 20 s.
	const start = Date.now();
	for (;;) {
		c = await chartState();
		seen.add(c.lastClose);
		if (c.source !== src || !inRange(Number(c.lastClose), src))
			bad = c;
		const waited = Date.now() - start;
		if ((waited >= T(3000) && live() && Number(c.updates) > u0) ||
		    waited >= T(20000))
			break;
		await page.waitForTimeout(100);
	}
	check(!bad && live() && Number(c.updates) > u0,
	    `${name}: live bars of ${src} update the chart, never one of the ` +
	    'other source', bad ? JSON.stringify(bad) :
	    `updates ${u0} -> ${c.updates}, closes ${[...seen].join(' ')}`);
	const head = await page.textContent('#sym-name');
	check(head === `${SYM} · ${src}`, `${name}: the title names the series`,
	    head);
	const last = Number((await page.textContent('#sym-last'))
	    .replace(/,/g, ''));
	check(inRange(last, src), `${name}: the head price is ${src}'s`,
	    String(last));
	const href = await page.getAttribute('#export-csv', 'href');
	const q = new URL(href, BASE).searchParams;
	check(q.get('symbol') === SYM && q.get('source') === src,
	    `${name}: the CSV link asks for the series`, href);
	const anoms = await page.$$eval('#anom-list li', (lis) =>
	    lis.map((li) => li.dataset.key));
	check(anoms.length === 1 && anoms[0].endsWith('|' + src) &&
	    anoms[0].includes(X.anomaly_kind[src]),
	    `${name}: the anomaly list holds ${src}'s anomaly only`,
	    anoms.join(' '));
	const markers = Number((await chartState()).markers);
	check(markers === 1, `${name}: one anomaly marker on the chart`,
	    String(markers));
}

try {
	await page.goto(BASE + '/', { waitUntil: 'load' });
	await page.waitForSelector('#login-form:not([hidden])',
	    { timeout: T(15000) });
	await page.fill('#login-user', USER);
	await page.fill('#login-pass', PASSWORD);
	await page.click('#login-submit');
	check(await waitFor(() => page.isVisible('#app-view'), 15000),
	    'login');

	// ---- the watchlist: one row per series --------------------------
	const rows = await waitFor(async () => {
		const r = await page.$$eval('#watch-body tr.row', (trs) =>
		    trs.map((tr) => tr.dataset.key));
		return r.length >= X.series.length ? r : null;
	}, 15000);
	check(rows && JSON.stringify(rows) === JSON.stringify(X.series),
	    'the watchlist has one row per symbol and source, in order',
	    JSON.stringify(rows));
	const a = await rowInfo(SRC_A);
	const b = await rowInfo(SRC_B);
	check(a.tag === SRC_A && b.tag === SRC_B,
	    'both rows of the symbol show their source', JSON.stringify([a, b]));
	const lone = await page.$eval(`#watch-body tr.row[data-key="${X.single}"]`,
	    (tr) => {
		const t = tr.querySelector('.src');
		return t ? t.hidden || t.offsetParent === null : true;
	    }).catch(() => false);
	check(lone, 'a symbol with one source shows no source tag');
	const lasts = await waitFor(async () => {
		const x = await rowInfo(SRC_A);
		const y = await rowInfo(SRC_B);
		return inRange(x.last, SRC_A) && inRange(y.last, SRC_B) ?
		    [x.last, y.last] : null;
	}, 10000);
	check(lasts, 'each row shows its own source\'s last price',
	    JSON.stringify([await rowInfo(SRC_A), await rowInfo(SRC_B)]));

	// ---- selecting each series ----------------------------------------
	await page.click(rowSel(SRC_A));
	await showsSeries(SRC_A, 'click on a row');
	check((await rowInfo(SRC_A)).selected === 'true',
	    `the ${SRC_A} row shows as selected`);
	const picker = await page.$$eval('#sym-sources button', (bs) =>
	    bs.map((x) => `${x.textContent}:${x.getAttribute('aria-pressed')}`));
	check(picker.join(' ') === `${SRC_A}:true ${SRC_B}:false`,
	    'the source picker offers both sources', picker.join(' '));
	await page.click(rowSel(SRC_B));
	await showsSeries(SRC_B, 'click on the other row');
	await page.click(`#sym-sources button[data-key="${key(SRC_A)}"]`);
	await showsSeries(SRC_A, 'the source picker');
	await page.keyboard.press('ArrowDown');	// the next row: kraken
	check(await waitFor(async () => (await chartState()).source === SRC_B,
	    10000), 'arrow down moves to the other source\'s row');
	await page.mouse.move(5, 5);
	await page.screenshot({ path: path.join(ART, 'sources.png') });

	// Every request for bars, CSV or anomalies of BTC-USD named a source.
	const bare = requests.filter((u) => /^\/api\/(bars|export\.csv)$/
	    .test(u.pathname) && !u.searchParams.get('source'));
	check(bare.length === 0, 'every bars request names the source',
	    bare.slice(0, 3).map(String).join(' '));

	// ---- the choice is kept; an old saved symbol picks its first source --
	await page.reload({ waitUntil: 'load' });
	check(await waitFor(async () => {
		const c = await chartState();
		return c.symbol === SYM && c.source === SRC_B;
	}, 15000), 'a reload keeps the selected source',
	    JSON.stringify(await chartState()));
	await page.evaluate((s) => localStorage.setItem('tapewatch.symbol', s),
	    SYM);
	await page.reload({ waitUntil: 'load' });
	check(await waitFor(async () => {
		const c = await chartState();
		return c.symbol === SYM && c.source === SRC_A &&
		    Number(c.bars) > 0;
	}, 15000), 'a saved symbol without a source opens its first source',
	    JSON.stringify(await chartState()));

	// ---- health: the side check per source ----------------------------
	await page.click('.nav a[data-page="health"]');
	const got = await waitFor(async () => {
		const r = await page.$$eval('#health-side tbody tr[data-source]',
		    (trs) => trs.map((tr) => ({ source: tr.dataset.source,
		    cells: [...tr.cells].map((td) => td.textContent),
		    inverted: tr.cells[8].classList.contains('inverted') })));
		return r.length === X.side.length ? r : null;
	}, 10000);
	const want = X.side.map((w) => ({ source: w.source, cells: w.cells,
	    inverted: w.inverted }));
	check(got && JSON.stringify(got) === JSON.stringify(want),
	    'the health page shows the side check per source as stored',
	    `got ${JSON.stringify(got)} want ${JSON.stringify(want)}`);
	await page.screenshot({ path: path.join(ART, 'health.png'),
	    fullPage: true });
} catch (e) {
	check(false, 'the run finished', String(e?.stack || e).split('\n')
	    .slice(0, 3).join(' | '));
	await page.screenshot({ path: path.join(ART, 'sources-failure.png') })
	    .catch(() => {});
}

check(problems.length === 0, 'no console error, failed request or ' +
    'outside request', problems.slice(0, 4).join(' | '));
await browser.close();
process.exit(failed ? 1 : 0);
