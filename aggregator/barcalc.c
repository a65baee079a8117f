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
	if (spread < a->spread_min)
		a->spread_min = spread;
	if (spread > a->spread_max)
		a->spread_max = spread;
	a->last_spread = spread;
	a->has_spread = 1;
}

static int64_t
clamp_ns(int64_t t, int64_t lo, int64_t hi)
{
	return t < lo ? lo : t > hi ? hi : t;
}

static void
note_ts(struct bar_acc *a, int64_t ts_ns)
{
	if (ts_ns < a->first_ts_ns)
		a->first_ts_ns = ts_ns;
	if (ts_ns > a->last_ts_ns)
		a->last_ts_ns = ts_ns;
}

void
bar_acc_start(struct bar_acc *a, uint32_t interval_s, int64_t start_ms,
    const struct quote_carry *prevailing)
{
	memset(a, 0, sizeof(*a));
	a->interval_s = interval_s;
	a->high = INT64_MIN;
	a->low = INT64_MAX;
	a->spread_min = INT64_MAX;
	a->spread_max = INT64_MIN;
	a->first_ts_ns = INT64_MAX;
	a->last_ts_ns = INT64_MIN;
	a->open_ts_ns = INT64_MAX;
	a->close_ts_ns = INT64_MIN;
	a->start_ns = start_ms * NS_PER_MS;
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
	a->trades++;
	a->volume += size;
	a->pv += (double)price * size;
	if (side == SIDE_BUY) {
		a->buy_trades++;
		a->buy_volume += size;
		a->delta += size;
		if (a->delta > a->delta_max)
			a->delta_max = a->delta;
	} else if (side == SIDE_SELL) {
		a->sell_trades++;
		a->sell_volume += size;
		a->delta -= size;
		if (a->delta < a->delta_min)
			a->delta_min = a->delta;
	}
	if (how == SIDE_HOW_DECLARED)
		a->n_declared++;
	else if (how == SIDE_HOW_INFERRED)
		a->n_inferred++;
	else
		a->n_unknown++;
}

void
bar_acc_trade(struct bar_acc *a, int64_t ts_ns, int64_t price, double size,
    enum side side, enum side_how how, unsigned elig, int inferred_known,
    int agree)
{
	note_ts(a, ts_ns);
	if (elig & ELIG_UNLISTED)
		a->n_unknown_conditions++;
	if (elig & ELIG_HIGH_LOW) {
		if (price > a->high)
			a->high = price;
		if (price < a->low)
			a->low = price;
	}
	if (elig & ELIG_OPEN_CLOSE) {
		/* barcalc.h: strict < keeps the first arrival as the open,
		 * >= makes the last arrival the close. */
		if (ts_ns < a->open_ts_ns) {
			a->open = price;
			a->open_ts_ns = ts_ns;
		}
		if (ts_ns >= a->close_ts_ns) {
			a->close = price;
			a->close_ts_ns = ts_ns;
		}
	}
	if ((elig & ELIG_VOLUME) == 0)
		return;
	add_volume(a, price, size, side, how);
	if (inferred_known) {
		a->n_compared++;
		if (agree)
			a->n_agree++;
	}
}

int
bar_acc_quote(struct bar_acc *a, int64_t ts_ns, int64_t bid, int64_t ask)
{
	int64_t t, dt;
	int late = 0;

	a->quotes++;
	note_ts(a, ts_ns);
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
	t = clamp_ns(ts_ns, a->start_ns, bar_acc_end_ns(a));
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
		return;
	}
	out->spread_min = a->spread_min;
	out->spread_max = a->spread_max;
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
		out->spread_bps = a->q_bps;	/* the newest usable one's */
	}
}

void
bar_acc_result(const struct bar_acc *a, int64_t until_ns, struct bar *out)
{
	memset(out, 0, sizeof(*out));
	out->state = BAR_LIVE;
	out->interval_s = a->interval_s;
	out->start_ms = a->start_ns / NS_PER_MS;
	if (a->open_ts_ns == INT64_MAX)
		out->flags |= BAR_F_NO_PRICE;
	else if (a->high != INT64_MIN && a->low != INT64_MAX) {
		out->open = a->open;
		out->high = a->high;
		out->low = a->low;
		out->close = a->close;
	} else {
		/* unreachable via the table: open and close, no high, low */
		out->open = a->open;
		out->close = a->close;
	}
	out->volume = a->volume;
	/* pv/volume lies between two int64 prices: llround cannot fail. */
	out->vwap = a->volume > 0 ? llround(a->pv / a->volume) : 0;
	out->buy_volume = a->buy_volume;
	out->sell_volume = a->sell_volume;
	out->trades = a->trades;
	out->buy_trades = a->buy_trades;
	out->sell_trades = a->sell_trades;
	out->quotes = a->quotes;
	out->delta_min = a->delta_min;
	out->delta_max = a->delta_max;
	out->n_declared = a->n_declared;
	out->n_inferred = a->n_inferred;
	out->n_unknown = a->n_unknown;
	out->n_compared = a->n_compared;
	out->n_agree = a->n_agree;
	out->n_unknown_conditions = a->n_unknown_conditions;
	if (a->first_ts_ns != INT64_MAX) {
		out->first_ts_ns = a->first_ts_ns;
		out->last_ts_ns = a->last_ts_ns;
	}
	spread_result(a, clamp_ns(until_ns, a->start_ns, bar_acc_end_ns(a)),
	    out);
}

void
bar_acc_carry(const struct bar_acc *a, struct quote_carry *out)
{
	out->bid = a->q_bid;
	out->ask = a->q_ask;
}
