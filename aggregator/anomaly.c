/*
 * Anomaly checks on closed bars (anomaly.h, docs/metrics.md). No I/O, no
 * clock, no allocation: the histories are fixed rings owned by the caller,
 * the scratch space is on the stack.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "anomaly.h"
#include "robust.h"

#define MS_PER_DAY	86400000LL
#define MS_PER_HOUR	3600000LL
#define MS_PER_MIN	60000LL

#define TOD_MEAN_STEP	12.0	/* mean in 1/12 log units */
#define TOD_DEV_STEP	16.0	/* deviation in 1/16 log units */
#define TOD_MEAN_MAX	255
#define TOD_DEV_MAX	31

_Static_assert(sizeof(struct anomaly_state) <= 1024,
    "anomaly_state over its 1 KiB budget");
_Static_assert(sizeof(struct trade_history) <= 1024,
    "trade_history over its 1 KiB budget");
_Static_assert(sizeof(struct tod_profile) <= 2048,
    "tod_profile over its 2 KiB budget");

/* The defaults, with why. */
static const struct anomaly_config defaults = {
	/* An hour of 1-minute bars: long enough for a stable median, short
	 * enough to follow the day's rhythm. */
	.window = 60,
	/* MAD's relative standard error is about 1.2/sqrt(n): ~20 % at 30
	 * bars, so a fresh symbol's first half hour judges nothing and a z
	 * of 5 cannot be a lucky 3-sigma move off a tiny sample. */
	.min_samples = 30,
	/* Under normal data z >= 5 has odds of 3e-7 a bar; log volume is
	 * skewed, but even with heavy tails 5 robust sigmas is rare, while a
	 * real spike (news, a block, a sweep) clears it by far. */
	.volume_z = 5.0,
	/* A scale unit is never less than 0.25 in log(1 + v), so the least
	 * volume flagged after a flat stretch is e^(5 x 0.25) = 3.5x normal. */
	.volume_floor = 0.25,
	/* A week of sessions before a minute is judged against itself. */
	.tod_min_days = 5,
	/* Half-life ln 2 / -ln 0.8 = 3.1 days: follows a new regime within
	 * a week; with the 1/12 steps the mean moves whenever a day differs
	 * by more than 0.21 log units (the profile's quantization). */
	.tod_alpha = 0.2,
	/* Intraday returns are fat-tailed (Student-t, 3-5 degrees of
	 * freedom): there |z| >= 5 happens on 0.3-1 % of bars, several a
	 * day; at 8 it is 0.03-0.3 %. */
	.price_z = 8.0,
	/* 2.5 bp: after a flat stretch the least jump flagged is
	 * 8 x 2.5 = 20 bp, so a one-cent move in a quiet $10 stock (10 bp)
	 * is not one. */
	.price_floor = 2.5e-4,
	/* A return spanning more than 10 bars (overnight, a halt) is not a
	 * one-bar move. */
	.price_max_gap = 10,
	/* A ratio means the same in a 1 bp and a 50 bp market. Spreads
	 * double on ordinary intraday swings; 4x means liquidity has left
	 * the book (a judgement, to be tuned on live data). */
	.spread_ratio = 4.0,
	/* Below 1 bp a ratio means nothing to a trader: BTC-USD's one-cent
	 * spread is 0.002 bp at $43,000, and 10x that is still nothing. */
	.spread_min_bps = 1.0,
	/* 90 % of the volume on one side: (0.9 - 0.1) / 1 = 0.8. */
	.flow_imbalance = 0.8,
	/* At least a normal bar's volume, and 20 trades with a known side:
	 * 18 of 20 coin flips on one side has odds of 4e-4. */
	.flow_volume_ratio = 1.0,
	.flow_min_trades = 20,
	/* Trade sizes span orders of magnitude: with a log-notional MAD of
	 * 1.2, z = 4 is e^(4 x 1.4826 x 1.2) = ~1200x the median trade. */
	.trade_z = 10.0,
	.trade_floor = 0.25,
	/* 100 trades: a median and MAD worth trusting. */
	.trade_min_samples = 100,
};

void
anomaly_config_default(struct anomaly_config *c)
{
	*c = defaults;
}

/* ---- rings ---- */

static unsigned
ring_cap(const struct anomaly_config *c)
{
	if (c->window == 0 || c->window > ANOMALY_RING_LEN)
		return ANOMALY_RING_LEN;
	return c->window;
}

static double
bf16_to_double(uint16_t h)
{
	uint32_t bits = (uint32_t)h << 16;
	float f;

	memcpy(&f, &bits, sizeof(f));
	return f;
}

/*
 * log() of a bfloat16, remembered: LARGE_TRADE takes the log of the 256
 * notionals of the trade history at every bar close, and there are only
 * 32,640 positive finite bfloat16 values. The same log() of the same
 * value, so the results are exactly those of calling it; the table is
 * filled as values come (a notional's range spans a few of its pages).
 * Process-wide: like the rest of the engine, not for several threads.
 */
static double
log_bf16(uint16_t h)
{
	static double memo[0x7f80];	/* 0: not yet (log 1 = 0 is 0x3f80) */
	double *p;

	if (h == 0 || h >= 0x7f80)
		return log(bf16_to_double(h));	/* zero, infinite, NaN */
	p = &memo[h];
	if (*p == 0 && h != 0x3f80)
		*p = log(bf16_to_double(h));
	return *p;
}

/* Rounds to the nearest bfloat16, ties to even; x is finite. */
static uint16_t
double_to_bf16(double x)
{
	float f = (float)x;
	uint32_t bits;

	memcpy(&bits, &f, sizeof(bits));
	bits += 0x7fffu + ((bits >> 16) & 1u);
	return (uint16_t)(bits >> 16);
}

static void
ring_push(struct anomaly_ring *r, unsigned cap, double x)
{
	if (r->head >= cap)
		r->head = 0;
	r->v[r->head] = double_to_bf16(x);
	r->head = (uint8_t)((r->head + 1) % cap);
	if (r->n < cap)
		r->n++;
}

/*
 * Median and scale of a sample: MAD, or when the MAD is 0 (over half the
 * values equal, as with prices on a tick grid) the mean absolute
 * deviation, each made a standard deviation; never below floor. Returns
 * the scale.
 */
static double
sample_stats(const double *x, unsigned n, double floor, double *median)
{
	double scratch[TRADE_HISTORY_LEN], mad, scale;

	robust_median_mad(x, n, scratch, median, &mad);
	scale = ROBUST_MAD_TO_SD * mad;
	if (mad == 0)
		scale = ROBUST_MEANAD_TO_SD * robust_mean_absdev(x, n, *median);
	return scale > floor ? scale : floor;
}

/*
 * sample_stats() of the logs of n bfloat16 values that are positive, +0 or
 * +infinity (the trade history's), done without selections over doubles:
 * their logs sort as their bit patterns do, so two counting passes over
 * the bytes order them, the median is read off the middle and the MAD
 * found by walking outward from it, the nearer side first. Every order
 * statistic is the very double the selections would pick, so the results
 * are the same, for a fraction of the cost: LARGE_TRADE needs them over
 * 256 trades at every bar close.
 */
static double
bf16_log_stats(const uint16_t *v, unsigned n, double floor, double *median)
{
	uint16_t tmp[TRADE_HISTORY_LEN], a[TRADE_HISTORY_LEN];
	double x[TRADE_HISTORY_LEN], m, lo, hi, dl, dr, d = 0, prev = 0, mad;
	unsigned cnt[256], i, sum, c, k = n / 2, l, r, t;

	if (n == 0 || n > TRADE_HISTORY_LEN) {
		*median = 0;
		return floor > 0 ? floor : 0;
	}
	/* LSD radix sort: by the low byte, then (stably) by the high. */
	memset(cnt, 0, sizeof(cnt));
	for (i = 0; i < n; i++)
		cnt[v[i] & 0xff]++;
	for (i = 0, sum = 0; i < 256; i++) {
		c = cnt[i];
		cnt[i] = sum;
		sum += c;
	}
	for (i = 0; i < n; i++)
		tmp[cnt[v[i] & 0xff]++] = v[i];
	memset(cnt, 0, sizeof(cnt));
	for (i = 0; i < n; i++)
		cnt[tmp[i] >> 8]++;
	for (i = 0, sum = 0; i < 256; i++) {
		c = cnt[i];
		cnt[i] = sum;
		sum += c;
	}
	for (i = 0; i < n; i++)
		a[cnt[tmp[i] >> 8]++] = tmp[i];
	/* robust_median(): the k-th smallest, with the (k-1)-th if even. */
	hi = m = log_bf16(a[k]);
	if (n % 2 == 0) {
		lo = log_bf16(a[k - 1]);
		m = lo + (hi - lo) / 2;
	}
	if (!isfinite(m)) {
		/* An infinite median: as sample_stats() does it. */
		for (i = 0; i < n; i++)
			x[i] = log_bf16(v[i]);
		return sample_stats(x, n, floor, median);
	}
	/* The deviations grow away from m on either side: merge them. */
	for (r = 0; r < n && log_bf16(a[r]) < m; r++)
		;
	l = r;		/* a[l - 1] is the nearest below m */
	for (t = 0; t <= k; t++) {
		dl = l > 0 ? fabs(log_bf16(a[l - 1]) - m) : INFINITY;
		dr = r < n ? fabs(log_bf16(a[r]) - m) : INFINITY;
		prev = d;
		if (r < n && (l == 0 || dr <= dl)) {
			d = dr;
			r++;
		} else {
			d = dl;
			l--;
		}
	}
	/* d is the k-th smallest deviation, prev the (k-1)-th. */
	mad = n % 2 == 1 ? d : prev + (d - prev) / 2;
	*median = m;
	if (mad != 0) {
		d = ROBUST_MAD_TO_SD * mad;
		return d > floor ? d : floor;
	}
	for (i = 0; i < n; i++)
		x[i] = log_bf16(v[i]);
	d = ROBUST_MEANAD_TO_SD * robust_mean_absdev(x, n, m);
	return d > floor ? d : floor;
}

/* Median and scale of a ring; 0 when it holds fewer than min values. */
static int
ring_stats(const struct anomaly_ring *r, unsigned min, double floor,
    double *median, double *scale)
{
	double x[ANOMALY_RING_LEN];
	unsigned i;

	if (r->n < min || r->n == 0)
		return 0;
	for (i = 0; i < r->n; i++)
		x[i] = bf16_to_double(r->v[i]);
	*scale = sample_stats(x, r->n, floor, median);
	return 1;
}

/* ---- output ---- */

struct emitter {
	const struct bar	*b;
	struct anomaly		*out;
	int			 max;
	int			 n;
};

/* Appends an anomaly about the bar; NULL when out is full. */
static struct anomaly *
emit(struct emitter *e, int kind, double score, double value,
    double threshold)
{
	struct anomaly *a;

	if (e->n >= e->max)
		return NULL;
	a = &e->out[e->n++];
	memset(a, 0, sizeof(*a));
	memcpy(a->symbol, e->b->symbol, sizeof(a->symbol));
	a->symbol[sizeof(a->symbol) - 1] = '\0';
	a->source = e->b->source;
	a->asset_class = e->b->asset_class;
	a->kind = (uint8_t)kind;
	a->interval_s = e->b->interval_s;
	a->start_ms = e->b->start_ms;
	a->score = score;
	a->value = value;
	a->threshold = threshold;
	a->ts_ns = e->b->start_ms * NS_PER_MS;
	return a;
}

/* ---- US Eastern time ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil, "chrono-Compatible Low-Level Date Algorithms"). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The year of a day count (Hinnant's civil_from_days, year only). */
static int64_t
year_from_days(int64_t z)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	return yoe + era * 400 + (mp >= 10 ? 1 : 0);
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* The day of the nth Sunday (n >= 1) of month m of year y. */
static int64_t
nth_sunday(int64_t y, unsigned m, unsigned n)
{
	int64_t first = days_from_civil(y, m, 1);
	/* 1970-01-01 was a Thursday: weekday 4 with Sunday = 0. */
	int64_t wd = ((first + 4) % 7 + 7) % 7;

	return first + (7 - wd) % 7 + 7 * (int64_t)(n - 1);
}

int
tod_minute_et(int64_t utc_ms)
{
	int64_t y = year_from_days(floor_div(utc_ms, MS_PER_DAY));
	/* 02:00 EST = 07:00 UTC; 02:00 EDT = 06:00 UTC. */
	int64_t dst_on = nth_sunday(y, 3, 2) * MS_PER_DAY + 7 * MS_PER_HOUR;
	int64_t dst_off = nth_sunday(y, 11, 1) * MS_PER_DAY + 6 * MS_PER_HOUR;
	int64_t off = utc_ms >= dst_on && utc_ms < dst_off ? -4 : -5;
	int64_t local = utc_ms + off * MS_PER_HOUR;

	return (int)((local - floor_div(local, MS_PER_DAY) * MS_PER_DAY) /
	    MS_PER_MIN);
}

/* ---- the time-of-day profile ---- */

struct tod_cell {
	double		 mean;
	double		 dev;
	unsigned	 days;
};

static struct tod_cell
tod_get(const struct tod_profile *p, unsigned i)
{
	struct tod_cell c;
	uint16_t w = p->minute[i];

	c.mean = (double)(w >> 8) / TOD_MEAN_STEP;
	c.dev = (double)((w >> 3) & TOD_DEV_MAX) / TOD_DEV_STEP;
	c.days = w & 7u;
	return c;
}

static unsigned
quantize(double v, double step, unsigned max)
{
	double q = round(v * step);

	if (!(q > 0))
		return 0;
	return q > max ? max : (unsigned)q;
}

/*
 * Learns x into minute i: the first days are averaged equally (weight
 * 1/(days+1), so the deviation is not biased low while it warms up), then
 * exponentially with alpha.
 */
static void
tod_learn(struct tod_profile *p, unsigned i, double x, double alpha)
{
	struct tod_cell c = tod_get(p, i);
	double wm, wd;

	if (c.days == 0) {
		c.mean = x;
		c.dev = 0;
	} else {
		wm = 1.0 / (c.days + 1);
		wd = 1.0 / c.days;
		if (c.days >= TOD_MAX_DAYS || wm < alpha)
			wm = alpha;
		if (c.days >= TOD_MAX_DAYS || wd < alpha)
			wd = alpha;
		c.dev += wd * (fabs(x - c.mean) - c.dev);
		c.mean += wm * (x - c.mean);
	}
	if (c.days < TOD_MAX_DAYS)
		c.days++;
	p->minute[i] = (uint16_t)(quantize(c.mean, TOD_MEAN_STEP,
	    TOD_MEAN_MAX) << 8 | quantize(c.dev, TOD_DEV_STEP,
	    TOD_DEV_MAX) << 3 | c.days);
}

/* The profile slot of a bar, or -1 when the TOD rule does not apply. */
static int
tod_slot(const struct tod_profile *tod, const struct bar *b)
{
	int m;

	if (tod == NULL || b->asset_class != ASSET_STOCK ||
	    b->interval_s != 60)
		return -1;
	m = tod_minute_et(b->start_ms) - TOD_FIRST_MINUTE;
	return m >= 0 && m < TOD_MINUTES ? m : -1;
}

/* ---- the checks ---- */

/* VOLUME_SPIKE_TOD when the bar's minute is ripe, else VOLUME_SPIKE. */
static void
check_volume(const struct anomaly_config *c, const struct anomaly_state *st,
    const struct tod_profile *tod, const struct bar *b, struct emitter *e)
{
	double x = log1p(b->volume), med, scale, z;
	int slot = tod_slot(tod, b);
	struct tod_cell cell;

	if (!(b->volume > 0))
		return;
	if (slot >= 0) {
		cell = tod_get(tod, (unsigned)slot);
		/* The count saturates at 7: a larger minimum means 7. */
		if (cell.days > 0 && (cell.days >= c->tod_min_days ||
		    cell.days == TOD_MAX_DAYS)) {
			scale = ROBUST_MEANAD_TO_SD * cell.dev;
			if (scale < c->volume_floor)
				scale = c->volume_floor;
			z = (x - cell.mean) / scale;
			if (z >= c->volume_z)
				emit(e, ANOMALY_VOLUME_SPIKE_TOD, z, b->volume,
				    c->volume_z);
			return;		/* anomaly.h: TOD decides */
		}
	}
	if (!ring_stats(&st->volume, c->min_samples, c->volume_floor, &med,
	    &scale))
		return;
	z = (x - med) / scale;
	if (z >= c->volume_z)
		emit(e, ANOMALY_VOLUME_SPIKE, z, b->volume, c->volume_z);
}

/* The log return this bar judges and learns, or 0 if none applies. */
static int
bar_return(const struct anomaly_config *c, const struct anomaly_state *st,
    const struct bar *b, double *r)
{
	int64_t span_ms = b->start_ms - st->prev_start_ms;
	int64_t max_ms = (int64_t)c->price_max_gap * b->interval_s * 1000;

	if ((b->flags & BAR_F_NO_PRICE) || b->close <= 0 ||
	    st->prev_close <= 0 || span_ms <= 0 || span_ms > max_ms)
		return 0;
	*r = log((double)b->close / (double)st->prev_close);
	return 1;
}

static void
check_price(const struct anomaly_config *c, const struct anomaly_state *st,
    const struct bar *b, struct emitter *e)
{
	double r, med, scale, z;

	if (!bar_return(c, st, b, &r) ||
	    !ring_stats(&st->ret, c->min_samples, c->price_floor, &med, &scale))
		return;
	z = fabs(r - med) / scale;
	if (z >= c->price_z)
		emit(e, ANOMALY_PRICE_JUMP, z, r, c->price_z);
}

static void
check_spread(const struct anomaly_config *c, const struct anomaly_state *st,
    const struct bar *b, struct emitter *e)
{
	double x[ANOMALY_RING_LEN], med, ratio;
	unsigned i;

	if ((b->flags & BAR_F_NO_SPREAD) || st->spread.n < c->min_samples ||
	    st->spread.n == 0)
		return;
	for (i = 0; i < st->spread.n; i++)
		x[i] = bf16_to_double(st->spread.v[i]);
	med = robust_median(x, st->spread.n);
	if (!(med > 0))
		return;		/* locked markets: no ratio to take */
	ratio = b->spread_bps / med;
	if (ratio >= c->spread_ratio && b->spread_bps >= c->spread_min_bps)
		emit(e, ANOMALY_SPREAD_BLOWOUT, ratio, b->spread_bps,
		    c->spread_ratio);
}

static void
check_flow(const struct anomaly_config *c, const struct anomaly_state *st,
    const struct bar *b, struct emitter *e)
{
	double both = b->buy_volume + b->sell_volume, med, scale, imb;

	if (b->buy_trades + b->sell_trades < c->flow_min_trades ||
	    !(both > 0) ||
	    !ring_stats(&st->volume, c->min_samples, 0, &med, &scale))
		return;
	/* The ring holds log(1 + v); the median commutes with it. */
	if (both < c->flow_volume_ratio * expm1(med))
		return;
	imb = (b->buy_volume - b->sell_volume) / both;
	if (fabs(imb) >= c->flow_imbalance)
		emit(e, ANOMALY_ONE_SIDED_FLOW, fabs(imb), imb,
		    c->flow_imbalance);
}


static void
check_trade(const struct anomaly_config *c, const struct trade_history *th,
    const struct large_trade *big, struct emitter *e)
{
	double med, scale, z;
	struct anomaly *a;
	unsigned n;

	if (th == NULL || big == NULL || !(big->notional > 0) ||
	    th->n < c->trade_min_samples || th->n == 0)
		return;
	n = th->n;
	scale = bf16_log_stats(th->v, n, c->trade_floor, &med);
	z = (log(big->notional) - med) / scale;
	if (z < c->trade_z)
		return;
	if ((a = emit(e, ANOMALY_LARGE_TRADE, z, big->notional,
	    c->trade_z)) != NULL) {
		a->ts_ns = big->ts_ns;
		a->exchange = big->exchange;
	}
}

/* ---- learning ---- */

static void
learn(const struct anomaly_config *c, struct anomaly_state *st,
    struct tod_profile *tod, const struct bar *b)
{
	unsigned cap = ring_cap(c);
	int slot = tod_slot(tod, b);
	double r;

	if (b->volume > 0) {
		ring_push(&st->volume, cap, log1p(b->volume));
		if (slot >= 0)
			tod_learn(tod, (unsigned)slot, log1p(b->volume),
			    c->tod_alpha);
	}
	if (bar_return(c, st, b, &r))
		ring_push(&st->ret, cap, r);
	if ((b->flags & BAR_F_NO_SPREAD) == 0)
		ring_push(&st->spread, cap, b->spread_bps);
}

static void
remember_close(struct anomaly_state *st, const struct bar *b)
{
	if ((b->flags & BAR_F_NO_PRICE) || b->close <= 0)
		return;
	st->prev_close = b->close;
	st->prev_start_ms = b->start_ms;
}

int
anomaly_check(const struct anomaly_config *c, struct anomaly_state *st,
    struct tod_profile *tod, const struct trade_history *th,
    const struct bar *b, const struct large_trade *max_trade,
    struct anomaly *out, int max_out)
{
	struct emitter e = { b, out, max_out, 0 };

	if ((b->flags & BAR_F_GAP) == 0) {
		check_volume(c, st, tod, b, &e);
		check_price(c, st, b, &e);
		check_spread(c, st, b, &e);
		check_flow(c, st, b, &e);
		check_trade(c, th, max_trade, &e);
		learn(c, st, tod, b);
	}
	remember_close(st, b);
	return e.n;
}

void
trade_history_add(struct trade_history *th, double notional)
{
	float f = (float)notional;

	if (!(f > 0) || isinf(f))
		return;		/* also NaN */
	th->v[th->head % TRADE_HISTORY_LEN] = double_to_bf16(notional);
	th->head = (uint16_t)((th->head + 1) % TRADE_HISTORY_LEN);
	if (th->n < TRADE_HISTORY_LEN)
		th->n++;
}
