// Times in the zone the user chose: UTC, the browser's local zone, or
// America/New_York (the US stock market's clock). lightweight-charts works
// in UTC seconds and draws UTC, so every label it shows comes from here
// (localization.timeFormatter, timeScale.tickMarkFormatter).

const KEY = 'tapewatch.tz';

export const ZONES = {
	utc: { label: 'UTC', tz: 'UTC' },
	local: { label: 'Local', tz: undefined },
	ny: { label: 'New York', tz: 'America/New_York' },
};

let zone = 'utc';
try {
	const saved = localStorage.getItem(KEY);
	if (saved && ZONES[saved])
		zone = saved;
} catch {
	// Storage refused (private mode): keep the default.
}

const cache = new Map();

function fmt(kind) {
	const key = zone + '/' + kind;
	let f = cache.get(key);
	if (f)
		return f;
	const tz = ZONES[zone].tz;
	const base = { timeZone: tz, hourCycle: 'h23' };
	const opts = {
		date: { year: 'numeric', month: '2-digit', day: '2-digit' },
		dayMonth: { month: 'short', day: 'numeric' },
		month: { month: 'short' },
		year: { year: 'numeric' },
		hm: { hour: '2-digit', minute: '2-digit' },
		hms: { hour: '2-digit', minute: '2-digit', second: '2-digit' },
		full: { year: 'numeric', month: '2-digit', day: '2-digit',
		    hour: '2-digit', minute: '2-digit', second: '2-digit' },
		zoneName: { timeZoneName: 'short' },
		ymd: { year: 'numeric', month: '2-digit', day: '2-digit' },
	}[kind];
	// en-CA gives ISO-like dates (2026-11-28); the rest reads the same in
	// any English locale.
	f = new Intl.DateTimeFormat(kind === 'date' || kind === 'full' ||
	    kind === 'ymd' ? 'en-CA' : 'en-GB', { ...base, ...opts });
	cache.set(key, f);
	return f;
}

export function getZone() {
	return zone;
}

export function setZone(z) {
	if (!ZONES[z])
		return;
	zone = z;
	try {
		localStorage.setItem(KEY, z);
	} catch {
		// Not remembered, still applied.
	}
}

export function zoneLabel() {
	return ZONES[zone].label;
}

// The short name of the zone right now, e.g. "EST", "UTC", "CET".
export function zoneAbbrev(ms = Date.now()) {
	const p = fmt('zoneName').formatToParts(new Date(ms));
	const n = p.find((x) => x.type === 'timeZoneName');
	return n ? n.value : ZONES[zone].label;
}

export function fmtDateTime(ms, seconds = true) {
	const d = new Date(ms);
	const date = fmt('date').format(d);
	const time = fmt(seconds ? 'hms' : 'hm').format(d);
	return date + ' ' + time;
}

export function fmtTime(ms, seconds = true) {
	return fmt(seconds ? 'hms' : 'hm').format(new Date(ms));
}

// Time of a list entry: only the time when it is today (in the zone).
export function fmtWhen(ms, seconds = true) {
	const d = new Date(ms);
	if (fmt('ymd').format(d) === fmt('ymd').format(new Date()))
		return fmtTime(ms, seconds);
	return fmt('dayMonth').format(d) + ' ' + fmtTime(ms, seconds);
}

// lightweight-charts' TickMarkType: Year 0, Month 1, DayOfMonth 2,
// Time 3, TimeWithSeconds 4.
export function tickMark(time, type) {
	const d = new Date(time * 1000);
	switch (type) {
	case 0:
		return fmt('year').format(d);
	case 1:
		return fmt('month').format(d);
	case 2:
		return fmt('dayMonth').format(d);
	case 3:
		return fmt('hm').format(d);
	default:
		return fmt('hms').format(d);
	}
}

export function crosshairTime(time) {
	return fmtDateTime(time * 1000, true) + ' ' + zoneAbbrev(time * 1000);
}

// Start of the calendar day containing ms in an IANA zone, as Unix ms
// (for "change since the first bar of the New York day").
export function dayStart(ms, tz) {
	const f = new Intl.DateTimeFormat('en-US', { timeZone: tz,
	    hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
	    hour: 'numeric', minute: 'numeric', second: 'numeric' });
	const part = (p, t) => Number(p.find((x) => x.type === t).value);
	const p = f.formatToParts(new Date(ms));
	const sinceMidnight = ((part(p, 'hour') % 24) * 3600 +
	    part(p, 'minute') * 60 + part(p, 'second')) * 1000 + ms % 1000;
	let guess = ms - sinceMidnight;
	// A DST change between midnight and now shifts midnight by the
	// difference; one correction step is enough for real zones.
	const q = f.formatToParts(new Date(guess));
	const off = (part(q, 'hour') % 24) * 3600 + part(q, 'minute') * 60;
	if (off !== 0)
		guess -= off > 12 * 3600 ? (off - 86400) * 1000 : off * 1000;
	return guess;
}
