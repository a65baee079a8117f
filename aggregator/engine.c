/*
 * The aggregator's engine (engine.h): feeds and their watermarks, symbols
 * and their quotes, series of bars in rings kept for late ticks, and the
 * decisions of when a bar is published. The arithmetic of one bar lives in
 * barcalc.c, the side rules in leeready.c and conditions.c, the anomaly
 * scores in anomaly.c, the declared-side check in sidecheck.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "conditions.h"
#include "engine.h"

/* Where a bar in a series' ring stands with its readers. */
enum slot_state {
	SLOT_FREE = 0,
	SLOT_OPEN,		/* never published as closed */
	SLOT_CLOSED,		/* published, unchanged since */
	SLOT_DIRTY		/* published, then changed by late ticks */
};

struct slot {
	struct bar_acc		 acc;
	uint8_t			 state;		/* enum slot_state */
	uint8_t			 live_dirty;	/* changed since the last live */
	uint8_t			 late;		/* took a tick after close */
	uint8_t			 blind;		/* a side inferred with no quote
						 * seen since the engine began */
	uint32_t		 revision;
	struct large_trade	 big;		/* the largest trade in it */
};

/* The header first: the per-tick fast path reads only it. */
struct series {
	unsigned		 newest;	/* index of the newest bar */
	unsigned		 n;		/* bars held */
	int64_t			 newest_start_ns;	/* its [start, end) */
	int64_t			 newest_end_ns;
	struct anomaly_state	 anom;
	struct slot		 ring[];	/* engine.ring_len[iv] of them */
};

/* How a trade's side was known, and whether a declared one was checked. */
struct side_info {
	enum side_how	 how;
	int		 inferred_known;
	int		 agree;
};

#define FEED_DELAY_ALPHA	(1.0 / 64.0)
#define OUTAGE_TAIL_NS		(250 * NS_PER_MS)
#define MAX_ANOMALIES		8	/* per bar at most */

void
engine_config_default(struct engine_config *c)
{
	memset(c, 0, sizeof(*c));
	c->intervals_s[0] = 1;
	c->intervals_s[1] = 60;
	c->n_intervals = 2;
	c->max_symbols = 16384;
	c->lateness_ns = 1 * NS_PER_S;
	c->late_max_ns = 2 * NS_PER_S;
	c->quiet_grace_ns = 2 * NS_PER_S;
	c->live_every_ns = 250 * NS_PER_MS;
	c->side_check_every_ns = 5 * NS_PER_S;
	anomaly_config_default(&c->anomaly);
	sidecheck_config_default(&c->side);
}

static int
interval_needs_tod(const struct engine *e)
{
	unsigned i;

	for (i = 0; i < e->cfg.n_intervals; i++)
		if (e->cfg.intervals_s[i] == 60)
			return 1;
	return 0;
}

int
engine_init(struct engine *e, const struct engine_config *cfg,
    const struct engine_out *out)
{
	unsigned i;
	int64_t iv_ns, n;

	memset(e, 0, sizeof(*e));
	e->cfg = *cfg;
	e->out = *out;
	if (cfg->n_intervals == 0 || cfg->n_intervals > ENGINE_MAX_INTERVALS ||
	    cfg->max_symbols == 0)
		return -1;
	for (i = 0; i < cfg->n_intervals; i++) {
		if (cfg->intervals_s[i] == 0)
			return -1;
		/* Enough bars to take a tick late_max behind the newest. */
		iv_ns = (int64_t)cfg->intervals_s[i] * NS_PER_S;
		n = (cfg->late_max_ns + iv_ns - 1) / iv_ns + 1;
		e->ring_len[i] = (unsigned)(n < 2 ? 2 : n > ENGINE_MAX_RING ?
		    ENGINE_MAX_RING : n);
		/* One block per symbol: each series, then its ring. */
		e->series_off[i] = e->series_bytes;
		e->series_bytes += sizeof(struct series) +
		    e->ring_len[i] * sizeof(struct slot);
	}
	if (symtab_init(&e->symtab, cfg->max_symbols) == -1 ||
	    (e->syms = calloc(cfg->max_symbols, sizeof(*e->syms))) == NULL ||
	    (e->series_slab = calloc(cfg->max_symbols, e->series_bytes)) ==
	    NULL ||
	    (e->venue_slab = calloc((size_t)cfg->max_symbols * ENGINE_VENUES,
	    sizeof(*e->venue_slab))) == NULL ||
	    (interval_needs_tod(e) && (e->tod_slab = calloc(cfg->max_symbols,
	    sizeof(*e->tod_slab))) == NULL)) {
		engine_free(e);
		return -1;
	}
	return 0;
}

void
engine_free(struct engine *e)
{
	free(e->series_slab);
	free(e->tod_slab);
	free(e->venue_slab);
	free(e->syms);
	e->syms = NULL;
	symtab_free(&e->symtab);
}

/* ---- feeds ---- */

static void
outage_open(struct engine *e, struct feed *f)
{
	struct outage *o;

	if (f->down)
		return;
	o = &f->outages[f->n_outages++ % ENGINE_OUTAGES];
	o->from_ns = f->watermark_ns;
	o->to_ns = INT64_MAX;
	f->down = 1;
	e->stats.feed_outages++;
}

static struct feed *
feed_get(struct engine *e, const struct tick *t, uint32_t publisher_id)
{
	struct feed *f;
	unsigned i;

	for (i = 0; i < e->n_feeds; i++) {
		f = &e->feeds[i];
		if (f->source == t->source && f->asset_class == t->asset_class)
			goto found;
	}
	if (e->n_feeds == ENGINE_MAX_FEEDS)
		return NULL;
	f = &e->feeds[e->n_feeds++];
	f->source = t->source;
	f->asset_class = t->asset_class;
	/* Before its first data, a feed is an outage: bars that began then
	 * are partial. */
	f->watermark_ns = INT64_MIN;
	outage_open(e, f);
	e->stats.feed_outages--;	/* not an outage of the feed's own */
found:
	f->publisher_id = publisher_id;
	return f;
}

static void
feed_data(struct feed *f, const struct tick *t)
{
	struct outage *o;
	double delay = (double)(t->recv_ns - t->ts_ns);

	/*
	 * The outage ends a little after the first tick seen again: venues'
	 * clocks differ, so ticks stamped just after it may have been among
	 * those lost.
	 */
	if (f->down) {
		o = &f->outages[(f->n_outages - 1) % ENGINE_OUTAGES];
		o->to_ns = (t->ts_ns > o->from_ns ? t->ts_ns : o->from_ns) +
		    OUTAGE_TAIL_NS;
		f->down = 0;
	}
	if (t->ts_ns > f->watermark_ns)
		f->watermark_ns = t->ts_ns;
	if (f->delay_ns == 0)
		f->delay_ns = delay;
	else
		f->delay_ns += FEED_DELAY_ALPHA * (delay - f->delay_ns);
}

static int
feed_overlaps_outage(const struct feed *f, int64_t start_ns, int64_t end_ns)
{
	unsigned i, n = f->n_outages < ENGINE_OUTAGES ? f->n_outages :
	    ENGINE_OUTAGES;

	for (i = 0; i < n; i++)
		if (f->outages[i].from_ns < end_ns &&
		    f->outages[i].to_ns > start_ns)
			return 1;
	return 0;
}

static void
feed_status(struct engine *e, const struct tick *t, uint32_t publisher_id)
{
	struct feed *f;

	e->stats.status_ticks++;
	if ((f = feed_get(e, t, publisher_id)) == NULL)
		return;
	switch (t->status) {
	case FEED_DISCONNECTED:
	case FEED_STALLED:
	case FEED_AUTH_FAILED:
	case FEED_KICKED:
		outage_open(e, f);
		break;
	default:
		break;		/* the outage ends with the next data */
	}
}

void
engine_bus_gap(struct engine *e, uint32_t publisher_id)
{
	unsigned i;

	e->stats.bus_gaps++;
	for (i = 0; i < e->n_feeds; i++)
		if (e->feeds[i].publisher_id == publisher_id)
			outage_open(e, &e->feeds[i]);
}

/* ---- symbols ---- */

static struct sym *
sym_get(struct engine *e, const struct tick *t, struct feed *f)
{
	struct sym *s;
	int idx, added;

	if ((idx = symtab_get(&e->symtab, t->symbol, t->source, &added)) < 0) {
		e->stats.symbols_dropped++;
		return NULL;
	}
	s = &e->syms[idx];
	if (!added)
		return s;
	s->series = (struct series *)(void *)(e->series_slab +
	    (size_t)idx * e->series_bytes);
	/* Handed out in order, so stocks' and crypto's share no pages. */
	if (t->asset_class == ASSET_STOCK && e->tod_slab != NULL)
		s->tod = &e->tod_slab[e->n_tod++];
	if (t->asset_class == ASSET_CRYPTO)
		s->venues = &e->venue_slab[(size_t)e->n_venue_sets++ *
		    ENGINE_VENUES];
	s->source = t->source;
	s->asset_class = t->asset_class;
	s->feed = (uint8_t)(f - e->feeds);
	e->stats.symbols++;
	return s;
}

/* Crypto quotes and trades are per venue (feeds.md §2): its slot. */
static struct venue *
venue_get(struct sym *s, uint32_t exchange)
{
	unsigned i;

	if (s->venues == NULL)
		return &s->nbbo;
	for (i = 0; i < s->n_venues; i++)
		if (s->venues[i].exchange == exchange)
			return &s->venues[i];
	if (s->n_venues == ENGINE_VENUES)
		return &s->venues[ENGINE_VENUES - 1];	/* the rest, pooled */
	s->venues[s->n_venues].exchange = exchange;
	return &s->venues[s->n_venues++];
}

/* ---- series: the bars of one symbol and interval ---- */

static struct series *
series_of(const struct engine *e, const struct sym *s, unsigned iv)
{
	return (struct series *)(void *)((char *)s->series +
	    e->series_off[iv]);
}

static int64_t
bar_start_ms(int64_t ts_ns, uint32_t interval_s)
{
	int64_t iv_ns = (int64_t)interval_s * NS_PER_S;
	int64_t q = ts_ns / iv_ns;

	if (ts_ns < 0 && q * iv_ns != ts_ns)
		q--;		/* floor, also before 1970 */
	return q * iv_ns / NS_PER_MS;
}

static int64_t
slot_end_ns(const struct slot *sl)
{
	return sl->acc.bar.start_ms * NS_PER_MS +
	    (int64_t)sl->acc.bar.interval_s * NS_PER_S;
}

static void	publish(struct engine *, struct sym *, unsigned, struct slot *);

/* Starts a bar in the ring, pushing out the oldest if it is full. */
static struct slot *
series_new(struct engine *e, struct sym *s, unsigned iv, int64_t start_ms)
{
	struct series *se = series_of(e, s, iv);
	struct quote_carry carry;
	struct slot *sl;
	unsigned i;

	if (se->n < e->ring_len[iv]) {
		i = se->n == 0 ? 0 : (se->newest + 1) % e->ring_len[iv];
		se->n++;
	} else {
		i = (se->newest + 1) % e->ring_len[iv];	/* the oldest */
		if (se->ring[i].state == SLOT_OPEN ||
		    se->ring[i].state == SLOT_DIRTY)
			publish(e, s, iv, &se->ring[i]);
	}
	se->newest = i;
	sl = &se->ring[i];
	memset(sl, 0, sizeof(*sl));
	carry.bid = s->nbbo.bid;
	carry.ask = s->nbbo.ask;
	bar_acc_start(&sl->acc, e->symtab.names[s - e->syms], s->source,
	    s->asset_class, e->cfg.intervals_s[iv], start_ms, &carry);
	sl->state = SLOT_OPEN;
	/* No quote known at its start: its spread misses a first part. */
	sl->blind = !s->nbbo.quoted;
	se->newest_start_ns = sl->acc.start_ns;
	se->newest_end_ns = sl->acc.end_ns;
	return sl;
}

/*
 * The bar a tick at ts_ns belongs to, made if it is the newest; NULL when
 * it is too late (older than the ring, or than late_max behind the
 * feed's watermark for a bar already published).
 */
static struct slot *
series_slot(struct engine *e, struct sym *s, unsigned iv, int64_t ts_ns,
    int64_t watermark_ns)
{
	struct series *se = series_of(e, s, iv);
	struct slot *sl;
	int64_t start;
	unsigned k, i;

	/* Nearly every tick falls in the newest bar: no division then. */
	if (ts_ns >= se->newest_start_ns && ts_ns < se->newest_end_ns &&
	    se->n > 0)
		return &se->ring[se->newest];
	start = bar_start_ms(ts_ns, e->cfg.intervals_s[iv]);
	if (se->n == 0 || start > se->ring[se->newest].acc.bar.start_ms)
		return series_new(e, s, iv, start);
	for (k = 1; k < se->n; k++) {
		i = (se->newest + e->ring_len[iv] - k) % e->ring_len[iv];
		sl = &se->ring[i];
		if (sl->acc.bar.start_ms != start)
			continue;
		if (sl->state != SLOT_OPEN &&
		    watermark_ns - ts_ns > e->cfg.late_max_ns)
			return NULL;
		return sl;
	}
	return NULL;	/* no bar held for that time */
}

/* Marks a published bar as changed, to be published again. */
static void
slot_touched(struct engine *e, struct slot *sl)
{
	if (sl->state == SLOT_CLOSED || sl->state == SLOT_DIRTY) {
		sl->state = SLOT_DIRTY;
		sl->late = 1;
		e->stats.late_applied++;
	}
	sl->live_dirty = 1;
}

/* ---- ticks ---- */

static void
on_quote(struct engine *e, struct sym *s, const struct feed *f,
    const struct tick *t)
{
	struct venue *v = venue_get(s, t->exchange);
	struct slot *sl;
	unsigned iv;

	e->stats.quotes++;
	/* The bars first: a new bar starts from the quote before this one. */
	for (iv = 0; iv < e->cfg.n_intervals; iv++) {
		sl = series_slot(e, s, iv, t->ts_ns, f->watermark_ns);
		if (sl == NULL || sl->state != SLOT_OPEN) {
			/* Rewriting a published bar's spread history would
			 * need the quotes before it: late quotes only count. */
			e->stats.late_quotes++;
			continue;
		}
		if (bar_acc_quote(&sl->acc, t->ts_ns, t->bid, t->ask) != 0)
			e->stats.late_quotes++;
		sl->live_dirty = 1;
	}
	v->bid = t->bid;
	v->ask = t->ask;
	v->quoted = 1;
	if (v != &s->nbbo) {
		/* A crypto symbol's spread is its latest venue's. */
		s->nbbo.bid = t->bid;
		s->nbbo.ask = t->ask;
		s->nbbo.quoted = 1;
	}
}

static void
side_inverted(struct engine *e, struct sym *s, const struct venue *v,
    const struct tick *t)
{
	struct anomaly a;

	memset(&a, 0, sizeof(a));
	memcpy(a.symbol, t->symbol, sizeof(a.symbol));
	a.source = s->source;
	a.asset_class = s->asset_class;
	a.kind = ANOMALY_SIDE_INVERTED;
	a.interval_s = e->cfg.intervals_s[0];
	a.start_ms = bar_start_ms(t->ts_ns, a.interval_s);
	a.value = v->check.compared > 0 ?
	    (double)v->check.agree / (double)v->check.compared : 0;
	a.threshold = e->cfg.side.max_agreement;
	a.score = 1.0 - a.value;
	a.ts_ns = t->ts_ns;
	a.exchange = v->exchange;
	e->stats.side_inverted++;
	e->stats.anomalies++;
	e->out.anomaly(e->out.arg, &a);
}

/* The side of a trade and how it was known (DESIGN.md, feeds.md §5). */
static enum side
trade_side(struct engine *e, struct sym *s, struct venue *v,
    const struct tick *t, struct side_info *si)
{
	enum side inferred, by_quote;
	enum quote_pos pos;

	inferred = leeready_classify(&v->lr, t->price, v->bid, v->ask);
	by_quote = quote_rule(t->price, v->bid, v->ask);
	pos = quote_position(t->price, v->bid, v->ask);
	si->inferred_known = 0;
	si->agree = 0;
	if (t->side == SIDE_BUY || t->side == SIDE_SELL) {
		v->check.exchange = v->exchange;
		memcpy(v->check.symbol, t->symbol, sizeof(v->check.symbol));
		v->check.source = s->source;
		v->check.asset_class = s->asset_class;
		if (sidecheck_note(&v->check, (enum side)t->side, by_quote,
		    pos, &e->cfg.side) == SIDECHECK_TURNED_INVERTED)
			side_inverted(e, s, v, t);
		v->check_dirty = 1;
		si->how = SIDE_HOW_DECLARED;
		si->inferred_known = by_quote != SIDE_UNKNOWN;
		si->agree = by_quote == t->side;
		return (enum side)t->side;
	}
	si->how = inferred == SIDE_UNKNOWN ? SIDE_HOW_UNKNOWN :
	    SIDE_HOW_INFERRED;
	return inferred;
}

static void
on_trade(struct engine *e, struct sym *s, const struct feed *f,
    const struct tick *t)
{
	struct venue *v = venue_get(s, t->exchange);
	struct side_info si;
	struct slot *sl;
	unsigned elig = ELIG_ALL, n_unknown = 0, iv;
	enum side side;
	double notional;
	int blind, no_history;

	e->stats.trades++;
	if (dedup_seen(&s->dedup, t)) {
		e->stats.duplicates++;
		return;
	}
	if (t->ts_ns < s->last_trade_ts_ns)
		e->stats.out_of_order++;
	else
		s->last_trade_ts_ns = t->ts_ns;
	if (s->asset_class == ASSET_STOCK) {
		elig = conditions_eligibility(t->conditions, t->n_conditions,
		    &n_unknown);
		e->stats.unknown_conditions += n_unknown;
	}
	if ((elig & ELIG_VOLUME) == 0)
		e->stats.ineligible_trades++;
	/*
	 * A side inferred before any quote came, or by the tick test with no
	 * trade before it, and a declared side that no quote could check,
	 * lack what a longer-running engine knew: after a start or restart
	 * such a bar is incomplete.
	 */
	no_history = !v->quoted || (v->lr.last_px == 0 &&
	    t->side != SIDE_BUY && t->side != SIDE_SELL);
	side = trade_side(e, s, v, t, &si);
	blind = no_history && (elig & ELIG_VOLUME);
	notional = (double)t->price / (double)PRICE_SCALE * t->size;
	if (elig & ELIG_VOLUME)
		trade_history_add(&s->trades, notional);
	for (iv = 0; iv < e->cfg.n_intervals; iv++) {
		if ((sl = series_slot(e, s, iv, t->ts_ns, f->watermark_ns)) ==
		    NULL) {
			e->stats.too_late++;
			continue;
		}
		bar_acc_trade(&sl->acc, t->ts_ns, t->price, t->size, side,
		    si.how, elig, si.inferred_known, si.agree);
		if (blind)
			sl->blind = 1;
		if ((elig & ELIG_VOLUME) && notional > sl->big.notional) {
			sl->big.notional = notional;
			sl->big.ts_ns = t->ts_ns;
			sl->big.exchange = t->exchange;
		}
		slot_touched(e, sl);
	}
}

static int
tick_sane(const struct tick *t)
{
	if (t->symbol[0] == '\0' || t->ts_ns <= 0)
		return 0;
	if (t->kind == TICK_TRADE)
		return t->price > 0 && t->size >= 0 && isfinite(t->size);
	return t->bid >= 0 && t->ask >= 0;
}

void
engine_tick(struct engine *e, const struct tick *t, uint32_t publisher_id)
{
	struct feed *f;
	struct sym *s;

	e->stats.ticks++;
	if (t->kind == TICK_STATUS) {
		feed_status(e, t, publisher_id);
		return;
	}
	if (t->kind == TICK_FEED_BAR) {
		e->stats.feed_bars++;
		return;
	}
	if ((t->kind != TICK_TRADE && t->kind != TICK_QUOTE) || !tick_sane(t)) {
		e->stats.bad_ticks++;
		return;
	}
	if ((f = feed_get(e, t, publisher_id)) == NULL) {
		e->stats.bad_ticks++;
		return;
	}
	feed_data(f, t);
	if ((s = sym_get(e, t, f)) == NULL)
		return;
	if (t->kind == TICK_QUOTE)
		on_quote(e, s, f, t);
	else
		on_trade(e, s, f, t);
}

/* ---- publishing ---- */

static void
run_anomalies(struct engine *e, struct sym *s, unsigned iv, struct slot *sl,
    const struct bar *b)
{
	struct anomaly out[MAX_ANOMALIES];
	struct tod_profile *tod;
	int i, n;

	tod = e->cfg.intervals_s[iv] == 60 ? s->tod : NULL;
	n = anomaly_check(&e->cfg.anomaly, &series_of(e, s, iv)->anom, tod,
	    &s->trades, b, &sl->big, out, MAX_ANOMALIES);
	for (i = 0; i < n; i++) {
		e->stats.anomalies++;
		e->out.anomaly(e->out.arg, &out[i]);
	}
}

/* Publishes a bar closed (first time) or corrected (after late ticks). */
static void
publish(struct engine *e, struct sym *s, unsigned iv, struct slot *sl)
{
	const struct feed *f = &e->feeds[s->feed];
	int64_t end_ns = slot_end_ns(sl);
	int first = sl->state == SLOT_OPEN;
	struct bar b;

	bar_acc_result(&sl->acc, end_ns, &b);
	if (!first)
		sl->revision++;
	b.state = first ? BAR_CLOSED : BAR_CORRECTED;
	b.revision = sl->revision;
	if (sl->late)
		b.flags |= BAR_F_LATE;
	if (sl->blind ||
	    feed_overlaps_outage(f, b.start_ms * NS_PER_MS, end_ns)) {
		b.flags |= BAR_F_GAP;
		if (first)
			e->stats.gap_bars++;
	}
	b.updated_ns = e->now_ns;
	sl->state = SLOT_CLOSED;
	sl->live_dirty = 0;
	if (first)
		e->stats.bars_closed++;
	else
		e->stats.bars_corrected++;
	e->out.bar(e->out.arg, &b);
	if (first)	/* anomaly.c neither judges nor learns a gap bar */
		run_anomalies(e, s, iv, sl, &b);
}

/* A coalesced update of the newest, still open, bar. */
static void
publish_live(struct engine *e, struct sym *s, struct slot *sl)
{
	const struct feed *f = &e->feeds[s->feed];
	int64_t end_ns = slot_end_ns(sl);
	int64_t until = f->watermark_ns < end_ns ? f->watermark_ns : end_ns;
	struct bar b;

	bar_acc_result(&sl->acc, until, &b);
	b.state = BAR_LIVE;
	if (sl->blind ||
	    feed_overlaps_outage(f, b.start_ms * NS_PER_MS, end_ns))
		b.flags |= BAR_F_GAP;
	b.updated_ns = e->now_ns;
	sl->live_dirty = 0;
	e->stats.bars_live++;
	e->out.bar(e->out.arg, &b);
}

/*
 * The end a bar may have to be closed now: the feed's watermark less the
 * lateness, or, for a quiet feed, the wall clock less the feed's delay,
 * the lateness and the grace.
 */
static int64_t
close_limit_ns(const struct engine *e, const struct feed *f)
{
	int64_t by_clock, by_mark = INT64_MIN;

	if (f->watermark_ns != INT64_MIN)
		by_mark = f->watermark_ns - e->cfg.lateness_ns;
	by_clock = e->now_ns - (int64_t)f->delay_ns - e->cfg.lateness_ns -
	    e->cfg.quiet_grace_ns;
	if (f->watermark_ns == INT64_MIN)
		by_clock = INT64_MIN;	/* no data yet: nothing to close */
	return by_mark > by_clock ? by_mark : by_clock;
}

static void
series_advance(struct engine *e, struct sym *s, unsigned iv, int64_t limit,
    int live)
{
	struct series *se = series_of(e, s, iv);
	struct slot *sl;
	unsigned k, i;

	/* Oldest first, so a store sees bars in time order. */
	for (k = se->n; k-- > 0;) {
		i = (se->newest + e->ring_len[iv] - k) % e->ring_len[iv];
		sl = &se->ring[i];
		if ((sl->state == SLOT_OPEN && slot_end_ns(sl) <= limit) ||
		    sl->state == SLOT_DIRTY)
			publish(e, s, iv, sl);
	}
	sl = &se->ring[se->newest];
	if (live && se->n > 0 && sl->state == SLOT_OPEN && sl->live_dirty)
		publish_live(e, s, sl);
}

static void
publish_side_checks(struct engine *e, struct sym *s)
{
	unsigned i;

	for (i = 0; i < s->n_venues; i++) {
		if (!s->venues[i].check_dirty)
			continue;
		s->venues[i].check.updated_ns = e->now_ns;
		s->venues[i].check_dirty = 0;
		e->out.side_check(e->out.arg, &s->venues[i].check);
	}
}

void
engine_advance(struct engine *e, int64_t now_ns)
{
	int live = now_ns - e->last_live_ns >= e->cfg.live_every_ns;
	int side = now_ns - e->last_side_ns >= e->cfg.side_check_every_ns;
	struct sym *s;
	uint32_t i;
	unsigned iv;
	int64_t limit;

	e->now_ns = now_ns;
	for (i = 0; i < e->symtab.n; i++) {
		s = &e->syms[i];
		if (s->series == NULL)
			continue;
		limit = close_limit_ns(e, &e->feeds[s->feed]);
		for (iv = 0; iv < e->cfg.n_intervals; iv++)
			series_advance(e, s, iv, limit, live);
		if (side)
			publish_side_checks(e, s);
	}
	if (live)
		e->last_live_ns = now_ns;
	if (side)
		e->last_side_ns = now_ns;
}
