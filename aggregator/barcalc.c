/*
 * One bar's arithmetic (barcalc.h, docs/metrics.md). No I/O, no clock, no
 * allocation. Working values use sentinels (INT64_MAX/INT64_MIN) so the
 * per-tick path is compares and adds; bar_acc_result() turns them into the
 * published zeros and flags.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "barcalc.h"

#define BPS_PER_UNIT	1e4	/* basis points in 1.0 */

static int
quote_usable(int64_t bid, int64_t ask)
{
	/* As leeready.c: a crossed quote has no meaningful spread. */
	return bid > 0 && ask > 0 && ask >= bid;
}

/* Makes bid/ask the quote in effect from t_ns. */
static void
spread_set(struct bar_acc *a, int64_t bid, int64_t ask, int64_t t_ns)
{
	int64_t spread;

	a->q_bid = bid;
	a->q_ask = ask;
	a->q_since_ns = t_ns;
	a->q_usable = (uint8_t)quote_usable(bid, ask);
	if (!a->q_usable)
		return;
	spread = ask - bid;		/* both > 0: cannot overflow */
	/* (ask - bid) / mid, mid = (ask + bid) / 2; doubles: no overflow. */
	a->q_bps = 2 * BPS_PER_UNIT * (double)spread /
	    ((double)ask + (double)bid);
	if (spread < a->bar.spread_min)
		a->bar.spread_min = spread;
	if (spread > a->bar.spread_max)
		a->bar.spread_max = spread;
	a->last_spread = spread;
	a->last_bps = a->q_bps;
	a->has_spread = 1;
}

static int64_t
clamp_ns(int64_t t, int64_t lo, int64_t hi)
{
	return t < lo ? lo : t > hi ? hi : t;
}

static void
note_ts(struct bar *b, int64_t ts_ns)
{
	if (ts_ns < b->first_ts_ns)
		b->first_ts_ns = ts_ns;
	if (ts_ns > b->last_ts_ns)
		b->last_ts_ns = ts_ns;
}

void
bar_acc_start(struct bar_acc *a, const char *symbol, int source,
    int asset_class, uint32_t interval_s, int64_t start_ms,
    const struct quote_carry *prevailing)
{
	struct bar *b = &a->bar;
	size_t len = strnlen(symbol, sizeof(b->symbol) - 1);

	memset(a, 0, sizeof(*a));
	memcpy(b->symbol, symbol, len);
	b->source = (uint8_t)source;
	b->asset_class = (uint8_t)asset_class;
	b->state = BAR_LIVE;
	b->interval_s = interval_s;
	b->start_ms = start_ms;
	b->high = INT64_MIN;
	b->low = INT64_MAX;
	b->spread_min = INT64_MAX;
	b->spread_max = INT64_MIN;
	b->first_ts_ns = INT64_MAX;
	b->last_ts_ns = INT64_MIN;
	a->open_ts_ns = INT64_MAX;
	a->close_ts_ns = INT64_MIN;
	a->start_ns = start_ms * NS_PER_MS;
	a->end_ns = a->start_ns + (int64_t)interval_s * NS_PER_S;
	a->q_last_ns = a->start_ns;
	if (prevailing != NULL)
		spread_set(a, prevailing->bid, prevailing->ask, a->start_ns);
	else
		spread_set(a, 0, 0, a->start_ns);
}

/* Volume, flow and side provenance of a volume-eligible trade. */
static void
add_volume(struct bar_acc *a, int64_t price, double size, enum side side,
    enum side_how how)
{
	struct bar *b = &a->bar;

	b->trades++;
	b->volume += size;
	a->pv += (double)price * size;
	if (side == SIDE_BUY) {
		b->buy_trades++;
		b->buy_volume += size;
		a->delta += size;
		if (a->delta > b->delta_max)
			b->delta_max = a->delta;
	} else if (side == SIDE_SELL) {
		b->sell_trades++;
		b->sell_volume += size;
		a->delta -= size;
		if (a->delta < b->delta_min)
			b->delta_min = a->delta;
	}
	if (how == SIDE_HOW_DECLARED)
		b->n_declared++;
	else if (how == SIDE_HOW_INFERRED)
		b->n_inferred++;
	else
		b->n_unknown++;
}

void
bar_acc_trade(struct bar_acc *a, int64_t ts_ns, int64_t price, double size,
    enum side side, enum side_how how, unsigned elig, int inferred_known,
    int agree)
{
	struct bar *b = &a->bar;

	note_ts(b, ts_ns);
	if (elig & ELIG_UNLISTED)
		b->n_unknown_conditions++;
	if (elig & ELIG_HIGH_LOW) {
		if (price > b->high)
			b->high = price;
		if (price < b->low)
			b->low = price;
	}
	if (elig & ELIG_OPEN_CLOSE) {
		/* barcalc.h: strict < keeps the first arrival as the open,
		 * >= makes the last arrival the close. */
		if (ts_ns < a->open_ts_ns) {
			b->open = price;
			a->open_ts_ns = ts_ns;
		}
		if (ts_ns >= a->close_ts_ns) {
			b->close = price;
			a->close_ts_ns = ts_ns;
		}
	}
	if ((elig & ELIG_VOLUME) == 0)
		return;
	add_volume(a, price, size, side, how);
	if (inferred_known) {
		b->n_compared++;
		if (agree)
			b->n_agree++;
	}
}

int
bar_acc_quote(struct bar_acc *a, int64_t ts_ns, int64_t bid, int64_t ask)
{
	int64_t t, dt;
	int late = 0;

	a->bar.quotes++;
	note_ts(&a->bar, ts_ns);
	/*
	 * A quote older than the last one (venues' clocks differ, feeds
	 * reorder) takes effect at the last one's time: the quote in force
	 * follows arrival order, and the past is never rewritten.
	 */
	if (ts_ns < a->q_last_ns) {
		a->n_late_quotes++;
		ts_ns = a->q_last_ns;
		late = 1;
	}
	a->q_last_ns = ts_ns;
	/* A size-only update changes no spread: splitting is a no-op. */
	if (bid == a->q_bid && ask == a->q_ask)
		return late;
	t = clamp_ns(ts_ns, a->start_ns, a->end_ns);
	if (a->q_usable && t > a->q_since_ns) {
		dt = t - a->q_since_ns;
		a->spread_ns += (double)(a->q_ask - a->q_bid) * (double)dt;
		a->bps_ns += a->q_bps * (double)dt;
		a->covered_ns += dt;
	}
	spread_set(a, bid, ask, t);
	return late;
}

/* The spread fields of out, weighted up to u_ns. */
static void
spread_result(const struct bar_acc *a, int64_t u_ns, struct bar *out)
{
	double spread_ns = a->spread_ns, bps_ns = a->bps_ns;
	int64_t covered = a->covered_ns, dt;

	if (!a->has_spread) {
		out->flags |= BAR_F_NO_SPREAD;
		out->spread_mean = out->spread_min = out->spread_max = 0;
		out->spread_bps = 0;
		return;
	}
	if (a->q_usable && u_ns > a->q_since_ns) {
		dt = u_ns - a->q_since_ns;
		spread_ns += (double)(a->q_ask - a->q_bid) * (double)dt;
		bps_ns += a->q_bps * (double)dt;
		covered += dt;
	}
	if (covered > 0) {
		out->spread_mean = llround(spread_ns / (double)covered);
		out->spread_bps = bps_ns / (double)covered;
	} else {
		/* Only zero-length quotes so far (a snapshot at the very
		 * start): the newest usable spread is the best answer. */
		out->spread_mean = a->last_spread;
		out->spread_bps = a->last_bps;
	}
}

void
bar_acc_result(const struct bar_acc *a, int64_t until_ns, struct bar *out)
{
	*out = a->bar;
	if (a->open_ts_ns == INT64_MAX) {
		out->flags |= BAR_F_NO_PRICE;
		out->open = out->high = out->low = out->close = 0;
	}
	if (out->high == INT64_MIN || out->low == INT64_MAX)
		out->high = out->low = 0;	/* unreachable via the table */
	/* pv/volume lies between two int64 prices: llround cannot fail. */
	out->vwap = a->bar.volume > 0 ? llround(a->pv / a->bar.volume) : 0;
	if (out->first_ts_ns == INT64_MAX) {
		out->first_ts_ns = 0;
		out->last_ts_ns = 0;
	}
	spread_result(a, clamp_ns(until_ns, a->start_ns, a->end_ns), out);
}

void
bar_acc_carry(const struct bar_acc *a, struct quote_carry *out)
{
	out->bid = a->q_bid;
	out->ask = a->q_ask;
}
