// The dashboard in a real browser (Debian's chromium, driven by
// playwright-core from web/node_modules) against a running webui.
//
//   printf '%s\n%s\n' "$ADMIN_PW" "$USER2_PW" | node tests/browser/dashboard.mjs
//
// Environment: TW_URL (https://127.0.0.1:PORT), TW_USER (an admin),
// TW_USER2 (optional: a viewer created with --must-change), TW_ARTIFACTS
// (screenshots; default build/test-artifacts), TW_CHROMIUM
// (/usr/bin/chromium), TW_TEST_TIMEOUT_MULT. The passwords come on stdin,
// one a line, never in argv or the environment.
//
// With TW_FEED_FLAG / TW_RESTART_FLAG (paths), the script prints
// "# start the feed now" / "# restart webui now" and waits until the
// driver (tests/integration/test_browser.py) has done it and written "1"
// to that file: the page is tested starting empty and across a restart.
//
// Prints "ok NAME" / "FAIL NAME (why)" per check, and "# ..." notes;
// exits 1 when a check failed.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const top = path.resolve(here, '..', '..');
const require = createRequire(path.join(top, 'web', 'package.json'));
const { chromium, request } = require('playwright-core');

const BASE = (process.env.TW_URL || '').replace(/\/$/, '');
const USER = process.env.TW_USER || 'admin';
const ART = process.env.TW_ARTIFACTS ||
    path.join(top, 'build', 'test-artifacts');
const CHROMIUM = process.env.TW_CHROMIUM || '/usr/bin/chromium';
const MULT = Number(process.env.TW_TEST_TIMEOUT_MULT || '1') || 1;
const T = (ms) => ms * MULT;

if (!BASE) {
	console.log('FAIL browser: setup (TW_URL is not set)');
	process.exit(1);
}
const USER2 = process.env.TW_USER2 || '';
const [PASSWORD, PASSWORD2] = fs.readFileSync(0, 'utf8').split(/\r?\n/);
if (!PASSWORD) {
	console.log('FAIL browser: setup (no password on stdin)');
	process.exit(1);
}

let failed = 0;
function check(cond, name, why = '') {
	if (cond) {
		console.log('ok browser: ' + name);
	} else {
		failed++;
		console.log(`FAIL browser: ${name}${why ? ` (${why})` : ''}`);
	}
	return cond;
}
const note = (s) => console.log('# ' + s);

fs.mkdirSync(ART, { recursive: true });
const origin = new URL(BASE).origin;

const browser = await chromium.launch({
	executablePath: CHROMIUM,
	headless: true,
	args: ['--ignore-certificate-errors', '--no-sandbox',
	    '--disable-dev-shm-usage'],
});
const context = await browser.newContext({
	viewport: { width: 1366, height: 768 },
	ignoreHTTPSErrors: true,
	timezoneId: 'UTC',
	locale: 'en-US',
});
const page = await context.newPage();

// Everything the page says or asks for, to judge at the end.
const restartWindow = { from: Infinity, to: Infinity };
const consoleErrors = [];
const pageErrors = [];
const external = [];
const failedResponses = [];
// While another client ends this session, requests the page has in flight
// are refused with 401 until it notices: expected, and only then.
const endedWindow = { from: Infinity, to: -Infinity };
// The same for the page's own logout and password changes (which end
// every session of the user): a watchlist refresh already sent is refused.
const endings = [];
const markEnding = () => endings.push(Date.now());
const nearEnding = (at) => endings.some((t) => at >= t && at <= t + T(3000));
page.on('console', (m) => {
	if (m.type() === 'error' || /Content.Security.Policy/i.test(m.text()))
		consoleErrors.push({ text: m.text(), url: m.location()?.url ?? '',
		    at: Date.now() });
});
page.on('pageerror', (e) => pageErrors.push(String(e)));
page.on('request', (r) => {
	const u = r.url();
	if (!u.startsWith(origin) && !u.startsWith('data:') &&
	    !u.startsWith('blob:') && !u.startsWith(origin.replace(/^http/, 'ws')))
		external.push(u);
});
page.on('response', (r) => {
	if (r.status() >= 400)
		failedResponses.push({ url: r.url(), status: r.status(),
		    at: Date.now() });
});
// CSP violations as the page sees them (they also reach the console).
await context.addInitScript(() => {
	window.__cspViolations = [];
	document.addEventListener('securitypolicyviolation', (e) => {
		window.__cspViolations.push(`${e.violatedDirective} ` +
		    `${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
	});
});

const attr = (sel, name) => page.$eval(sel, (e, n) => e.getAttribute(n),
    name).catch(() => null);
const chartState = () => page.$eval('#chart', (e) => ({ ...e.dataset }));

async function waitFor(fn, timeout, step = 200) {
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

// Pixels of the candle colours on the chart's canvases: a drawn chart
// has many, an empty one none.
async function candlePixels() {
	return page.$$eval('#chart canvas', (canvases) => {
		const want = [[0x26, 0xa6, 0x9a], [0xef, 0x53, 0x50]];
		let n = 0;
		for (const c of canvases) {
			if (!c.width || !c.height)
				continue;
			const ctx = c.getContext('2d');
			if (!ctx)
				continue;
			const d = ctx.getImageData(0, 0, c.width, c.height).data;
			for (let i = 0; i < d.length; i += 4) {
				for (const w of want) {
					if (Math.abs(d[i] - w[0]) < 6 &&
					    Math.abs(d[i + 1] - w[1]) < 6 &&
					    Math.abs(d[i + 2] - w[2]) < 6 && d[i + 3] > 200)
						n++;
				}
			}
		}
		return n;
	});
}

function hmsIn(ms, tz) {
	return new Intl.DateTimeFormat('en-GB', { timeZone: tz,
	    hourCycle: 'h23', hour: '2-digit', minute: '2-digit',
	    second: '2-digit' }).format(new Date(ms));
}

// The legend's text and the start of the bar it describes, together.
async function legendAndLast() {
	await page.mouse.move(5, 5);	// off the chart: no crosshair
	return page.evaluate(() => {
		const l = document.getElementById('legend');
		return { legend: l.textContent, last: Number(l.dataset.start) };
	});
}

try {
	// ---- login page -------------------------------------------------
	await page.goto(BASE + '/', { waitUntil: 'load', timeout: T(20000) });
	const loginShown = await waitFor(() => page.isVisible('#login-form'),
	    10000);
	check(loginShown, 'without a session / shows the login page');
	check(await attr('#login-pass', 'type') === 'password',
	    'the password field is type=password');
	await page.fill('#login-pass', 'abc');
	await page.click('#login-form .pw-toggle');
	check(await attr('#login-pass', 'type') === 'text',
	    'the show-password toggle reveals the password');
	await page.click('#login-form .pw-toggle');
	check(await attr('#login-pass', 'type') === 'password',
	    'the toggle hides it again');
	await page.fill('#login-pass', '');
	await page.screenshot({ path: path.join(ART, 'login.png') });

	// One wrong password: the one generic message.
	await page.fill('#login-user', USER);
	await page.fill('#login-pass', PASSWORD + '-wrong');
	await page.click('#login-submit');
	const err = await waitFor(async () => await page.isVisible('#login-error') &&
	    await page.textContent('#login-error'), 15000);
	check(err && /login failed/i.test(err),
	    'a wrong password shows the generic login error', String(err));

	// ---- log in -----------------------------------------------------
	await page.fill('#login-user', USER);
	await page.fill('#login-pass', PASSWORD);
	await page.click('#login-submit');
	const inApp = await waitFor(() => page.isVisible('#app-view'), 15000);
	check(inApp, 'logging in shows the dashboard');
	if (!inApp)
		throw new Error('not logged in: ' + await page.textContent('body'));

	// ---- an empty start: no symbol yet, then the feed starts -------------
	const FEED_FLAG = process.env.TW_FEED_FLAG;
	if (FEED_FLAG && !fs.existsSync(FEED_FLAG)) {
		const empty = await waitFor(async () =>
		    await page.isVisible('#watch-empty') &&
		    /no data yet/i.test(await page.textContent('#chart-msg')), 10000);
		check(empty, 'before the feed starts the page says it waits for ' +
		    'data', await page.textContent('#chart-msg').catch(() => ''));
		console.log('# start the feed now');
		const fed = await waitFor(() => fs.existsSync(FEED_FLAG) &&
		    fs.readFileSync(FEED_FLAG, 'utf8').trim(), 30000);
		check(fed === '1', 'the feed is started', String(fed));
	}

	// ---- the chart --------------------------------------------------
	const drawn = await waitFor(async () => {
		const s = await chartState();
		return Number(s.bars) > 0 ? s : null;
	}, 40000);
	check(drawn, 'the candlestick chart has bars from the demo feed',
	    JSON.stringify(await chartState()));
	note(`chart: ${drawn?.symbol} ${drawn?.interval}s, ${drawn?.bars} bars`);
	const wl = await page.$$eval('#watch-body tr.row', (rows) => rows.length);
	check(wl > 0, 'the watchlist lists the demo symbols', `${wl} rows`);
	const badge = await waitFor(() => page.isVisible('#demo-badge'), 10000);
	check(badge, 'demo mode is marked as simulated data');
	const light = await waitFor(async () => {
		const s = await attr('#feed', 'data-state');
		return s === 'demo' || s === 'live' ? s : null;
	}, 15000);
	check(light, 'the feed light shows the feed up (demo)',
	    String(await attr('#feed', 'data-state')));
	const session = await page.textContent('#session');
	check(/^\d+:\d\d(:\d\d)?$/.test(session.trim()),
	    'the session countdown runs', session);

	// ---- a live update ------------------------------------------------
	const before = await chartState();
	const updated = await waitFor(async () => {
		const s = await chartState();
		return Number(s.updates) > Number(before.updates) &&
		    (s.lastStart !== before.lastStart ||
		    s.lastClose !== before.lastClose ||
		    s.lastVolume !== before.lastVolume) ? s : null;
	}, 20000);
	check(updated, 'a live update over /live changes the last bar',
	    `before ${JSON.stringify(before)}`);

	// ---- webui restarts: the page reconnects by itself ------------------
	const FLAG = process.env.TW_RESTART_FLAG;
	if (FLAG) {
		restartWindow.from = Date.now();
		console.log('# restart webui now');
		const down = await waitFor(async () => {
			const s = await attr('#feed', 'data-state');
			return s !== 'demo' && s !== 'live' ? s : null;
		}, 15000, 100);
		check(down, 'webui going away shows on the feed light', String(down));
		const back = await waitFor(() => fs.existsSync(FLAG) &&
		    fs.readFileSync(FLAG, 'utf8').trim(), 40000);
		check(back === '1', 'webui is restarted', String(back));
		const u0 = Number((await chartState()).updates);
		const again = await waitFor(async () => {
			const s = await attr('#feed', 'data-state');
			return (s === 'demo' || s === 'live') &&
			    await page.isVisible('#app-view') &&
			    Number((await chartState()).updates) > u0;
		}, 40000);
		check(again, 'the page reconnects by itself and live updates resume',
		    `${await attr('#feed', 'data-state')} ` +
		    JSON.stringify(await chartState()));
		restartWindow.to = Date.now();
	}

	// ---- interval switch: 1 s ---------------------------------------------
	await page.click('#interval-switch button[data-interval="1"]');
	const oneSec = await waitFor(async () => {
		const s = await chartState();
		return s.interval === '1' && Number(s.bars) >= 5 ? s : null;
	}, 20000);
	check(oneSec, 'switching to 1 s bars shows 1-second candles',
	    JSON.stringify(await chartState()));
	check(await attr('#interval-switch button[data-interval="1"]',
	    'aria-pressed') === 'true', 'the 1 s button shows as selected');
	if (oneSec) {
		check(Number(oneSec.lastStart) % 1000 === 0,
		    '1 s bars start on whole seconds');
	}
	const px = await waitFor(async () => {
		const n = await candlePixels();
		return n > 50 ? n : null;
	}, 10000);
	check(px, 'the chart canvas shows candles (candle-coloured pixels)',
	    `pixels ${px}`);

	// ---- anomalies ----------------------------------------------------
	await page.click('#anom-scope button[data-scope="all"]');
	await page.waitForTimeout(300);
	const nAnom = Number(await attr('#anom-list', 'data-count'));
	if (nAnom > 0) {
		note(`anomaly list: ${nAnom} anomalies; jumping to the first`);
		const key = await attr('#anom-list li', 'data-key');
		const [sym, iv] = key.split('|');
		await page.click('#anom-list li');
		const jumped = await waitFor(async () => {
			const s = await chartState();
			return await page.$('#anom-list li[aria-current="true"]') &&
			    s.symbol === sym && s.interval === iv &&
			    Number(s.markers) > 0;
		}, 15000);
		check(jumped, 'clicking an anomaly shows its symbol and interval ' +
		    'with the anomaly marked', `${key} ${JSON.stringify(
		    await chartState())}`);
	} else {
		note('anomaly list: the demo produced no anomaly in the test ' +
		    'time; checking the empty state');
		const empty = await page.isVisible('#anom-empty') &&
		    await page.textContent('#anom-empty');
		check(empty && /no anomalies/i.test(empty),
		    'the anomaly list shows its empty state', String(empty));
	}

	// ---- interval switch: 1 min and back ---------------------------------
	await page.click('#interval-switch button[data-interval="60"]');
	const oneMin = await waitFor(async () => {
		const s = await chartState();
		return s.interval === '60' && Number(s.bars) > 0 ? s : null;
	}, 20000);
	check(oneMin, 'switching to 1 min bars shows 1-minute candles',
	    JSON.stringify(await chartState()));
	if (oneMin) {
		check(Number(oneMin.lastStart) % 60000 === 0,
		    '1 min bars start on whole minutes');
	}
	await page.click('#interval-switch button[data-interval="1"]');
	check(await waitFor(async () => {
		const s = await chartState();
		return s.interval === '1' && Number(s.bars) > 0;
	}, 20000), 'and back to 1 s');

	// ---- time zone ------------------------------------------------------
	let utcOk = false;
	for (let i = 0; i < 5 && !utcOk; i++) {
		const { legend, last } = await legendAndLast();
		utcOk = last > 0 && legend.includes(hmsIn(last, 'UTC'));
		if (!utcOk && i === 4)
			note(`legend "${legend}" last ${last}`);
	}
	check(utcOk, 'times show in UTC by default');
	await page.selectOption('#tz-select', 'ny');
	let nyOk = false;
	let nyWhy = '';
	for (let i = 0; i < 5 && !nyOk; i++) {
		const { legend, last } = await legendAndLast();
		nyOk = last > 0 && legend.includes(hmsIn(last, 'America/New_York')) &&
		    hmsIn(last, 'America/New_York') !== hmsIn(last, 'UTC');
		nyWhy = `legend "${legend}" want ${hmsIn(last, 'America/New_York')}`;
		if (!nyOk)
			await page.waitForTimeout(200);
	}
	check(nyOk, 'switching to New York time relabels the times', nyWhy);
	await page.waitForTimeout(T(4000));	// a few more 1 s bars for the picture
	await page.mouse.move(5, 5);
	await page.screenshot({ path: path.join(ART, 'dashboard.png') });

	// The choice survives a reload, and so does the session.
	await page.reload({ waitUntil: 'load' });
	const back = await waitFor(() => page.isVisible('#app-view'), 15000);
	check(back, 'a reload keeps the session');
	check(await page.$eval('#tz-select', (e) => e.value) === 'ny',
	    'the time zone choice is remembered');
	check(await page.getAttribute('body', 'data-interval') === '1',
	    'the interval choice is remembered');

	// ---- health and users pages (the user is an admin) -------------------
	await page.click('.nav a[data-page="health"]');
	const feeds = await waitFor(async () => {
		const n = await page.$$eval('#health-feeds tbody tr td.num',
		    (r) => r.length);
		return n > 0 ? n : null;
	}, 10000);
	check(feeds, 'the health page lists the feeds');
	await page.click('.nav a[data-page="users"]');
	const me = await waitFor(() => page.$(`#users-table tr[data-user="${USER}"]`),
	    10000);
	check(me, 'the users page lists the admin');
	await page.click('.nav a[data-page="markets"]');

	// ---- the session ended elsewhere: /live closes 4401 ------------------
	// A second client (no browser) logs in as the same admin and ends all
	// of the admin's sessions; the page must notice by itself.
	const other = await request.newContext({ baseURL: BASE,
	    ignoreHTTPSErrors: true });
	endedWindow.from = Date.now();
	const lr = await other.post('/api/login', { data: { username: USER,
	    password: PASSWORD } });
	const csrf = lr.ok() ? (await lr.json()).csrf : null;
	const er = csrf ? await other.post(`/api/users/${encodeURIComponent(USER)}` +
	    '/logout', { data: {}, headers: { 'X-CSRF-Token': csrf,
	    Origin: origin } }) : null;
	check(er?.ok(), 'another client ends the admin\'s sessions',
	    `login ${lr.status()} logout ${er?.status()}`);
	await other.dispose();
	const ended = await waitFor(async () => await page.isVisible('#login-form') &&
	    /session has ended/i.test(await page.textContent('#login-notice')),
	    10000);
	endedWindow.to = Date.now();
	check(ended, 'an ended session brings the login page back by itself',
	    await page.textContent('#login-notice').catch(() => ''));
	await page.fill('#login-user', USER);
	await page.fill('#login-pass', PASSWORD);
	await page.click('#login-submit');
	check(await waitFor(async () => await page.isVisible('#app-view') &&
	    Number((await chartState()).bars) > 0, 20000),
	    'logging in again shows the chart again');

	// ---- logout ---------------------------------------------------------
	markEnding();
	await page.click('#logout');
	const out = await waitFor(() => page.isVisible('#login-form'), 10000);
	check(out, 'logging out shows the login page again');
	const status = await page.evaluate(async () =>
	    (await fetch('/api/me', { credentials: 'same-origin' })).status);
	check(status === 401, 'after logout /api/me is 401', String(status));

	// ---- a viewer who must change the password first ---------------------
	if (USER2 && PASSWORD2) {
		await page.fill('#login-user', USER2);
		await page.fill('#login-pass', PASSWORD2);
		await page.click('#login-submit');
		const forced = await waitFor(() => page.isVisible('#change-form'),
		    15000);
		check(forced && !await page.isVisible('#app-view') &&
		    !await page.isVisible('#change-cancel'),
		    'must_change: only the password-change form is shown');
		// The policy refuses a short one and says why.
		await page.fill('#change-current', PASSWORD2);
		await page.fill('#change-new', 'short');
		await page.fill('#change-again', 'short');
		markEnding();
		await page.click('#change-submit');
		const why = await waitFor(async () =>
		    await page.isVisible('#change-error') &&
		    await page.textContent('#change-error'), 15000);
		check(why && /refused/i.test(why),
		    'a password the policy refuses shows the reason', String(why));
		const fresh = 'Tw-' + PASSWORD2.split('').reverse().join('') + '-2';
		await page.fill('#change-current', PASSWORD2);
		await page.fill('#change-new', fresh);
		await page.fill('#change-again', fresh);
		markEnding();
		await page.click('#change-submit');
		const inAfter = await waitFor(() => page.isVisible('#app-view'),
		    15000);
		check(inAfter, 'after the change the dashboard opens',
		    await page.textContent('#change-error').catch(() => ''));
		const navs = await page.$$eval('.nav a', (as) => as.filter((a) =>
		    !a.hidden).map((a) => a.dataset.page).join(','));
		check(navs === 'markets', 'a viewer sees no health or users page',
		    navs);
		check(await waitFor(async () =>
		    Number((await chartState()).bars) > 0, 20000),
		    'the viewer sees the chart');
		// A change by choice: the dashboard stays, on a fresh session,
		// and live updates go on.
		await page.click('#user-button');
		check(await waitFor(async () => await page.isVisible('#change-form') &&
		    await page.isVisible('#change-cancel'), 5000),
		    'the user button opens the password form with a cancel');
		const fresher = fresh + 'x';
		await page.fill('#change-current', fresh);
		await page.fill('#change-new', fresher);
		await page.fill('#change-again', fresher);
		markEnding();
		await page.click('#change-submit');
		check(await waitFor(() => page.isVisible('#app-view'), 15000),
		    'a chosen password change returns to the dashboard',
		    await page.textContent('#change-error').catch(() => ''));
		const u0 = Number((await chartState()).updates);
		await page.waitForTimeout(T(3000));
		const stayed = await page.isVisible('#app-view');
		check(stayed && await waitFor(async () =>
		    Number((await chartState()).updates) > u0, 15000),
		    'and stays logged in with live updates',
		    stayed ? 'no update' : 'sent to the login page');
		await page.goto(BASE + '/#/users');
		check(await waitFor(async () =>
		    await page.getAttribute('body', 'data-page') === 'markets',
		    10000), 'a viewer sent to #/users stays on the markets page');
		markEnding();
		await page.click('#logout');
		check(await waitFor(() => page.isVisible('#login-form'), 10000),
		    'the viewer logs out');
	}
} catch (e) {
	check(false, 'the run finished', String(e?.stack || e).split('\n')
	    .slice(0, 3).join(' | '));
	await page.screenshot({ path: path.join(ART, 'failure.png') })
	    .catch(() => {});
}

// ---- what the browser said ---------------------------------------------------
// Some refusals are the point of a step: 401 where the page asks without a
// session (the first /api/me, the wrong password, the check after logout),
// 400 for the password the policy refuses. Chromium logs each failed
// response as a console error; those are not errors of the page.
function expectedFail(url, status, at) {
	const p = new URL(url).pathname;
	return (status === 401 && /^\/api\/(me|login)$/.test(p)) ||
	    (status === 400 && p === '/api/me/password') ||
	    (status === 401 && p.startsWith('/api/') &&
	    ((at >= endedWindow.from && at <= endedWindow.to) ||
	    nearEnding(at)));
}
const unexpectedFailed = failedResponses.filter((r) =>
    !expectedFail(r.url, r.status, r.at));
// While webui restarts, Chromium reports the refused connections.
const refused = /WebSocket connection|ERR_CONNECTION|Failed to load resource/;
const restarting = (m) => m.at >= restartWindow.from &&
    m.at <= restartWindow.to && refused.test(m.text);
const errors = consoleErrors.filter((m) => {
	if (restarting(m))
		return false;
	const st = /status of (\d+)/.exec(m.text);
	return !(/Failed to load resource/.test(m.text) && m.url && st &&
	    expectedFail(m.url, Number(st[1]), m.at));
});
const csp = await page.evaluate(() => window.__cspViolations ?? [])
    .catch(() => []);
check(csp.length === 0 && !errors.some((m) =>
    /Content.Security.Policy/i.test(m.text)), 'no CSP violation',
    [...csp, ...errors.map((m) => m.text)].slice(0, 3).join(' | '));
check(errors.length === 0 && pageErrors.length === 0,
    'no console error or uncaught exception',
    [...errors.map((m) => m.text), ...pageErrors].slice(0, 3).join(' | '));
check(unexpectedFailed.length === 0, 'no failed request',
    unexpectedFailed.slice(0, 3).map((r) => `${r.status} ${r.url}`).join(' '));
check(external.length === 0, 'no request leaves the server\'s origin',
    external.slice(0, 3).join(' '));

await browser.close();
process.exit(failed ? 1 : 0);
