/*
 * The aggregator's engine (engine.h): feeds and their watermarks, symbols
 * and their quotes, series of bars in rings kept for late ticks, and the
 * decisions of when a bar is published. The arithmetic of one bar lives in
 * barcalc.c, the side rules in leeready.c and conditions.c, the anomaly
 * scores in anomaly.c, the declared-side check in sidecheck.c.
 *
 * Memory is laid out for thousands of symbols, where the state a tick
 * needs is never in the cache: per symbol one 64-byte line (struct sym)
 * and the bars, 64-byte aligned (a quote reads two lines of each bar it
 * updates, a trade four); what only trades read (duplicate ids, trade
 * history, side checks), the anomaly rings and the time-of-day profiles
 * are kept apart, where they cost no cache line to the common path.
 * engine_ticks() prefetches those lines a few ticks ahead.
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

/*
 * A bar of a series' ring: 320 bytes, aligned. Its flags ride in
 * acc.user, on the cache line every tick of it reads.
 */
struct slot {
	_Alignas(64) struct bar_acc acc;
	uint32_t		 revision;
	struct large_trade	 big;		/* the largest trade in it */
};

#define STATE(sl)	((sl)->acc.user[0])	/* enum slot_state */
#define LIVE_DIRTY(sl)	((sl)->acc.user[1])	/* changed since the last live */
#define LATE(sl)	((sl)->acc.user[2])	/* took a tick after close */
#define BLIND(sl)	((sl)->acc.user[3])	/* a side inferred with no quote
						 * seen since the engine began */

_Static_assert(sizeof(struct sym) == 64, "struct sym is one cache line");
_Static_assert(ENGINE_MAX_RING <= 8, "sym.pending has 8 bits per ring");
_Static_assert(ENGINE_MAX_FEEDS <= 256, "sym.feed is a byte");

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

/*
 * n zeroed elements of size bytes, 64-byte aligned; *mem is what to free.
 * Large, so calloc() maps fresh pages: untouched ones stay non-resident.
 */
static void *
slab(void **mem, size_t n, size_t size)
{
	if (n > (SIZE_MAX - 64) / size ||
	    (*mem = calloc(1, n * size + 64)) == NULL)
		return NULL;
	return (void *)(((uintptr_t)*mem + 63) & ~(uintptr_t)63);
}

int
engine_init(struct engine *e, const struct engine_config *cfg,
    const struct engine_out *out)
{
	size_t max;
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
		e->ring_off[i] = e->slots_per_sym;
		e->slots_per_sym += e->ring_len[i];
		e->iv_ns[i] = iv_ns;
	}
	max = cfg->max_symbols;
	if (symtab_init(&e->symtab, cfg->max_symbols) == -1 ||
	    (e->syms = slab(&e->mem[0], max, sizeof(*e->syms))) == NULL ||
	    (e->slots = slab(&e->mem[1], max * e->slots_per_sym,
	    sizeof(*e->slots))) == NULL ||
	    (e->cold = slab(&e->mem[2], max, sizeof(*e->cold))) == NULL ||
	    (e->anom = slab(&e->mem[3], max * cfg->n_intervals,
	    sizeof(*e->anom))) == NULL ||
	    (e->venue_slab = slab(&e->mem[4], max * ENGINE_VENUES,
	    sizeof(*e->venue_slab))) == NULL ||
	    (e->check_slab = slab(&e->mem[5], max * ENGINE_VENUES,
	    sizeof(*e->check_slab))) == NULL ||
	    (e->nbbo_check_slab = slab(&e->mem[6], max,
	    sizeof(*e->nbbo_check_slab))) == NULL ||
	    (interval_needs_tod(e) && (e->tod_slab = slab(&e->mem[7], max,
	    sizeof(*e->tod_slab))) == NULL)) {
		engine_free(e);
		return -1;
	}
	return 0;
}

void
engine_free(struct engine *e)
{
	unsigned i;

	for (i = 0; i < sizeof(e->mem) / sizeof(e->mem[0]); i++) {
		free(e->mem[i]);
		e->mem[i] = NULL;
	}
	e->syms = NULL;
	e->slots = NULL;
	e->cold = NULL;
	e->anom = NULL;
	e->tod_slab = NULL;
	e->nbbo_check_slab = NULL;
	e->venue_slab = NULL;
	e->check_slab = NULL;
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
	/*
	 * Another publisher for a known feed: its collector restarted (one
	 * collector per feed). One that was killed or crashed reported no
	 * outage, and what the feed sent between its last tick and the new
	 * process's first is lost.
	 */
	if (f->publisher_id != 0 && f->publisher_id != publisher_id)
		outage_open(e, f);
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

static uint32_t
sym_index(const struct engine *e, const struct sym *s)
{
	return (uint32_t)(s - e->syms);
}

/* idx: the symbol's symtab index when the caller looked it up, else -1. */
static struct sym *
sym_get(struct engine *e, const struct tick *t, struct feed *f, int idx)
{
	struct sym *s;
	int added = 0;

	if (idx < 0 && (idx = symtab_get(&e->symtab, t->symbol, t->source,
	    &added)) < 0) {
		e->stats.symbols_dropped++;
		return NULL;
	}
	s = &e->syms[idx];
	if (!added)
		return s;
	/* Handed out in order, so stocks' and crypto's share no pages. */
	if (t->asset_class == ASSET_CRYPTO)
		s->aux = e->n_venue_sets++;
	else
		s->aux = e->n_nbbo++;
	s->source = t->source;
	s->asset_class = t->asset_class;
	s->feed = (uint8_t)(f - e->feeds);
	e->stats.symbols++;
	return s;
}

static struct tod_profile *
sym_tod(const struct engine *e, const struct sym *s)
{
	if (s->asset_class != ASSET_STOCK || e->tod_slab == NULL)
		return NULL;
	return &e->tod_slab[s->aux];
}

/*
 * Crypto quotes and trades are per venue (feeds.md §2): the index of its
 * slot in the symbol's venue set, or -1 for the NBBO (stocks).
 */
static int
venue_index(struct engine *e, struct sym *s, uint32_t exchange)
{
	struct venue *vs;
	unsigned i;

	if (s->asset_class != ASSET_CRYPTO)
		return -1;
	vs = &e->venue_slab[(size_t)s->aux * ENGINE_VENUES];
	for (i = 0; i < s->n_venues; i++)
		if (s->venue_hint[i] == (uint8_t)exchange &&
		    vs[i].exchange == exchange)
			return (int)i;
	if (s->n_venues == ENGINE_VENUES)
		return ENGINE_VENUES - 1;	/* the rest, pooled */
	vs[s->n_venues].exchange = exchange;
	s->venue_hint[s->n_venues] = (uint8_t)exchange;
	return s->n_venues++;
}

/* venue_index() as it will likely be, changing nothing: for prefetches. */
static unsigned
venue_guess(const struct sym *s, uint32_t exchange)
{
	unsigned i;

	for (i = 0; i < s->n_venues; i++)
		if (s->venue_hint[i] == (uint8_t)exchange)
			return i;
	return s->n_venues < ENGINE_VENUES ? s->n_venues : ENGINE_VENUES - 1;
}

static struct venue *
venue_at(struct engine *e, struct sym *s, int vi)
{
	if (vi < 0)
		return &s->nbbo;
	return &e->venue_slab[(size_t)s->aux * ENGINE_VENUES + (unsigned)vi];
}

static struct venue_check *
venue_check_at(struct engine *e, struct sym *s, int vi)
{
	if (vi < 0)
		return &e->nbbo_check_slab[s->aux];
	return &e->check_slab[(size_t)s->aux * ENGINE_VENUES + (unsigned)vi];
}

/* ---- series: the bars of one symbol and interval ---- */

/* The ring of (symbol idx, interval iv). */
static struct slot *
ring_of(const struct engine *e, uint32_t idx, unsigned iv)
{
	return &e->slots[(size_t)idx * e->slots_per_sym + e->ring_off[iv]];
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

/* Marks slot i of a ring as open or changed since published, or not. */
static void
pending_set(struct sym *s, unsigned iv, unsigned i, int on)
{
	if (on)
		s->pending[iv] = (uint8_t)(s->pending[iv] | 1u << i);
	else
		s->pending[iv] = (uint8_t)(s->pending[iv] & ~(1u << i));
}

static void	publish(struct engine *, struct sym *, unsigned, struct slot *);

/* Starts a bar in the ring, pushing out the oldest if it is full. */
static struct slot *
series_new(struct engine *e, struct sym *s, unsigned iv, int64_t start_ms)
{
	struct slot *ring = ring_of(e, sym_index(e, s), iv), *sl;
	struct quote_carry carry;
	unsigned i;

	if (s->n[iv] < e->ring_len[iv]) {
		i = s->n[iv] == 0 ? 0 : (s->newest[iv] + 1) % e->ring_len[iv];
		s->n[iv]++;
	} else {
		i = (s->newest[iv] + 1) % e->ring_len[iv];	/* the oldest */
		if (STATE(&ring[i]) == SLOT_OPEN ||
		    STATE(&ring[i]) == SLOT_DIRTY)
			publish(e, s, iv, &ring[i]);
	}
	s->newest[iv] = (uint8_t)i;
	sl = &ring[i];
	memset(sl, 0, sizeof(*sl));
	carry.bid = s->nbbo.bid;
	carry.ask = s->nbbo.ask;
	bar_acc_start(&sl->acc, e->cfg.intervals_s[iv], start_ms, &carry);
	STATE(sl) = SLOT_OPEN;
	/* No quote known at its start: its spread misses a first part. */
	BLIND(sl) = !s->nbbo.quoted;
	pending_set(s, iv, i, 1);
	return sl;
}

/*
 * A bar for an interval that had none when newer ones began: a late tick
 * into a quiet second (a venue that stamps its quotes on receipt and its
 * trades at the match is always a little ahead with the quotes). The
 * newer bars move up one place, keeping the ring in time order; a full
 * ring publishes and drops its oldest first, as series_new() does. NULL
 * when start_ns is older than every bar held in a full ring.
 */
static struct slot *
series_insert(struct engine *e, struct sym *s, unsigned iv, int64_t start_ns,
    int64_t watermark_ns)
{
	struct slot *ring = ring_of(e, sym_index(e, s), iv), *sl;
	unsigned len = e->ring_len[iv], newer = 0, k, from, to, oldest;
	struct quote_carry carry = { 0, 0 };

	while (newer < s->n[iv] && ring[(s->newest[iv] + len - newer) %
	    len].acc.start_ns > start_ns)
		newer++;
	if (s->n[iv] == len) {
		if (newer == len)
			return NULL;	/* older than the ring */
		oldest = (s->newest[iv] + 1) % len;
		if (STATE(&ring[oldest]) == SLOT_OPEN ||
		    STATE(&ring[oldest]) == SLOT_DIRTY)
			publish(e, s, iv, &ring[oldest]);
		pending_set(s, iv, oldest, 0);
	} else
		s->n[iv]++;
	for (k = 0; k < newer; k++) {
		from = (s->newest[iv] + len - k) % len;
		to = (from + 1) % len;
		ring[to] = ring[from];
		pending_set(s, iv, to, (s->pending[iv] >> from & 1u) != 0);
	}
	s->newest[iv] = (uint8_t)((s->newest[iv] + 1) % len);
	to = (s->newest[iv] + len - newer) % len;
	sl = &ring[to];
	/* The quote in effect: the one the bar before it ended with. */
	if (newer + 1 < s->n[iv])
		bar_acc_carry(&ring[(to + len - 1) % len].acc, &carry);
	memset(sl, 0, sizeof(*sl));
	bar_acc_start(&sl->acc, e->cfg.intervals_s[iv], start_ns / NS_PER_MS,
	    &carry);
	STATE(sl) = SLOT_OPEN;
	BLIND(sl) = carry.bid == 0 && carry.ask == 0;
	/* Its interval had closed, empty: it comes after its time. */
	LATE(sl) = watermark_ns >= bar_acc_end_ns(&sl->acc) +
	    e->cfg.lateness_ns;
	pending_set(s, iv, to, 1);
	e->stats.bars_inserted++;
	return sl;
}

/* series_slot() when the tick is not in the newest bar. */
static struct slot *
series_slot_older(struct engine *e, struct sym *s, unsigned iv,
    int64_t ts_ns, int64_t watermark_ns)
{
	struct slot *ring = ring_of(e, sym_index(e, s), iv), *sl;
	unsigned k, i, len = e->ring_len[iv];
	int64_t start_ns;

	start_ns = bar_start_ms(ts_ns, e->cfg.intervals_s[iv]) * NS_PER_MS;
	if (s->n[iv] == 0 || start_ns > ring[s->newest[iv]].acc.start_ns)
		return series_new(e, s, iv, start_ns / NS_PER_MS);
	if (watermark_ns - ts_ns > e->cfg.late_max_ns) {
		/* Beyond the late bound: only a bar still open takes it. */
		for (k = 1; k < s->n[iv]; k++) {
			sl = &ring[(s->newest[iv] + len - k) % len];
			if (sl->acc.start_ns == start_ns)
				return STATE(sl) == SLOT_OPEN ? sl : NULL;
		}
		return NULL;
	}
	for (k = 1; k < s->n[iv]; k++) {
		i = (s->newest[iv] + len - k) % len;
		sl = &ring[i];
		if (sl->acc.start_ns == start_ns)
			return sl;
		if (sl->acc.start_ns < start_ns)
			break;	/* an interval with no bar yet */
	}
	return series_insert(e, s, iv, start_ns, watermark_ns);
}

/*
 * The bar a tick at ts_ns belongs to, made if it is the newest; NULL when
 * it is too late (older than the ring, or than late_max behind the
 * feed's watermark for a bar already published).
 */
static inline struct slot *
series_slot(struct engine *e, struct sym *s, unsigned iv, int64_t ts_ns,
    int64_t watermark_ns)
{
	struct slot *sl = &ring_of(e, sym_index(e, s), iv)[s->newest[iv]];

	/* Nearly every tick falls in the newest bar: no division then. */
	if (s->n[iv] > 0 && ts_ns >= sl->acc.start_ns &&
	    ts_ns - sl->acc.start_ns < e->iv_ns[iv])
		return sl;
	return series_slot_older(e, s, iv, ts_ns, watermark_ns);
}

/* Marks a published bar as changed, to be published again. */
static void
slot_touched(struct engine *e, struct sym *s, unsigned iv, struct slot *sl)
{
	if (STATE(sl) == SLOT_CLOSED || STATE(sl) == SLOT_DIRTY) {
		STATE(sl) = SLOT_DIRTY;
		LATE(sl) = 1;
		pending_set(s, iv, (unsigned)(sl - ring_of(e, sym_index(e, s),
		    iv)), 1);
		e->stats.late_applied++;
	}
	LIVE_DIRTY(sl) = 1;
}

/* ---- ticks ---- */

static void
on_quote(struct engine *e, struct sym *s, const struct feed *f,
    const struct tick *t)
{
	struct venue *v = venue_at(e, s, venue_index(e, s, t->exchange));
	struct slot *sl;
	unsigned iv;

	e->stats.quotes++;
	/* The bars first: a new bar starts from the quote before this one. */
	for (iv = 0; iv < e->cfg.n_intervals; iv++) {
		sl = series_slot(e, s, iv, t->ts_ns, f->watermark_ns);
		if (sl == NULL || STATE(sl) != SLOT_OPEN) {
			/* Rewriting a published bar's spread history would
			 * need the quotes before it: late quotes only count. */
			e->stats.late_quotes++;
			continue;
		}
		if (bar_acc_quote(&sl->acc, t->ts_ns, t->bid, t->ask) != 0)
			e->stats.late_quotes++;
		LIVE_DIRTY(sl) = 1;
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
    const struct side_check *c, const struct tick *t)
{
	struct anomaly a;

	memset(&a, 0, sizeof(a));
	memcpy(a.symbol, t->symbol, sizeof(a.symbol));
	a.source = s->source;
	a.asset_class = s->asset_class;
	a.kind = ANOMALY_SIDE_INVERTED;
	a.interval_s = e->cfg.intervals_s[0];
	a.start_ms = bar_start_ms(t->ts_ns, a.interval_s);
	a.value = c->compared > 0 ? (double)c->agree / (double)c->compared : 0;
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
trade_side(struct engine *e, struct sym *s, int vi, const struct tick *t,
    struct side_info *si)
{
	struct venue *v = venue_at(e, s, vi);
	struct leeready lr = { v->last_px, v->last_change };
	struct venue_check *vc;
	enum side inferred, by_quote;
	enum quote_pos pos;

	inferred = leeready_classify(&lr, t->price, v->bid, v->ask);
	v->last_px = lr.last_px;
	v->last_change = (int8_t)lr.last_change;
	by_quote = quote_rule(t->price, v->bid, v->ask);
	pos = quote_position(t->price, v->bid, v->ask);
	si->inferred_known = 0;
	si->agree = 0;
	if (t->side == SIDE_BUY || t->side == SIDE_SELL) {
		vc = venue_check_at(e, s, vi);
		vc->check.exchange = v->exchange;
		memcpy(vc->check.symbol, t->symbol, sizeof(vc->check.symbol));
		vc->check.source = s->source;
		vc->check.asset_class = s->asset_class;
		if (sidecheck_note(&vc->check, (enum side)t->side, by_quote,
		    pos, &e->cfg.side) == SIDECHECK_TURNED_INVERTED)
			side_inverted(e, s, v, &vc->check, t);
		vc->dirty = 1;
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
	struct sym_cold *c = &e->cold[sym_index(e, s)];
	int vi = venue_index(e, s, t->exchange);
	struct venue *v = venue_at(e, s, vi);
	struct side_info si;
	struct slot *sl;
	unsigned elig = ELIG_ALL, n_unknown = 0, iv;
	enum side side;
	double notional;
	int blind, no_history;

	e->stats.trades++;
	if (dedup_seen(&c->dedup, t)) {
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
	no_history = !v->quoted || (v->last_px == 0 &&
	    t->side != SIDE_BUY && t->side != SIDE_SELL);
	side = trade_side(e, s, vi, t, &si);
	blind = no_history && (elig & ELIG_VOLUME);
	notional = (double)t->price / (double)PRICE_SCALE * t->size;
	if (elig & ELIG_VOLUME)
		trade_history_add(&c->trades, notional);
	for (iv = 0; iv < e->cfg.n_intervals; iv++) {
		if ((sl = series_slot(e, s, iv, t->ts_ns, f->watermark_ns)) ==
		    NULL) {
			e->stats.too_late++;
			continue;
		}
		bar_acc_trade(&sl->acc, t->ts_ns, t->price, t->size, side,
		    si.how, elig, si.inferred_known, si.agree);
		if (blind)
			BLIND(sl) = 1;
		if ((elig & ELIG_VOLUME) && notional > sl->big.notional) {
			sl->big.notional = notional;
			sl->big.ts_ns = t->ts_ns;
			sl->big.exchange = t->exchange;
		}
		slot_touched(e, s, iv, sl);
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

/* A trade or a quote that makes sense: its symbol is looked up. */
static int
tick_wants_symbol(const struct tick *t)
{
	return (t->kind == TICK_TRADE || t->kind == TICK_QUOTE) &&
	    tick_sane(t);
}

/*
 * engine_tick(). wanted: tick_wants_symbol(t) is known to be true; idx:
 * then the tick's symbol index if it was found, else -1.
 */
static void
tick_one(struct engine *e, const struct tick *t, uint32_t publisher_id,
    int wanted, int idx)
{
	struct feed *f;
	struct sym *s;

	e->stats.ticks++;
	if (!wanted && t->kind == TICK_STATUS) {
		feed_status(e, t, publisher_id);
		return;
	}
	if (!wanted && t->kind == TICK_FEED_BAR) {
		e->stats.feed_bars++;
		return;
	}
	if (!wanted && !tick_wants_symbol(t)) {
		e->stats.bad_ticks++;
		return;
	}
	if ((f = feed_get(e, t, publisher_id)) == NULL) {
		e->stats.bad_ticks++;
		return;
	}
	feed_data(f, t);
	if ((s = sym_get(e, t, f, idx)) == NULL)
		return;
	if (t->kind == TICK_QUOTE)
		on_quote(e, s, f, t);
	else
		on_trade(e, s, f, t);
}

void
engine_tick(struct engine *e, const struct tick *t, uint32_t publisher_id)
{
	tick_one(e, t, publisher_id, 0, -1);
}

/*
 * engine_ticks(): three lookups ahead of the tick being worked on. With
 * thousands of symbols each of a tick's cache lines is a miss of about
 * 100 ns; the prefetches let those of several ticks overlap. A stage reads
 * only lines an earlier stage prefetched: the symtab slot at AHEAD * 3,
 * the symbol's line at AHEAD * 2, then its bars, venues and trade state at
 * AHEAD. What a stage finds may be stale by the time the tick is worked on
 * (an earlier tick started a bar, or added the symbol): then a prefetch
 * was wasted, nothing else, as tick_one() looks again.
 */
#define AHEAD		4
#define PIPE		16	/* > AHEAD * 3, a power of two */
/*
 * With fewer symbols their state (4-6 KB each) stays in a 1 MB L2 cache,
 * and looking ahead only costs time (a fifth, measured with 13 symbols).
 */
#define PIPE_MIN_SYMBOLS	256

struct ahead {
	struct symtab_key	 key;
	int			 wanted;	/* tick_wants_symbol() */
	int			 idx;		/* -1: unknown */
};

/*
 * The prefetch helpers must be inlined: gcc takes a function that only
 * reads memory and prefetches for one without side effects, and a call
 * to it returning nothing is then dropped as dead code.
 */
#define PREFETCHER	static inline __attribute__((always_inline)) void

PREFETCHER
prefetch_lines(const void *p, unsigned from, unsigned to)
{
	unsigned i;

	for (i = from; i < to; i++)
		__builtin_prefetch((const char *)p + i * 64, 1);
}

/* Stage 3: the bars the tick will update, its venue and side check. */
PREFETCHER
prefetch_sym_state(const struct engine *e, const struct tick *t, int idx)
{
	const struct sym *s = &e->syms[idx];
	const struct slot *ring;
	const char *vc;
	size_t vi;
	unsigned iv;

	for (iv = 0; iv < e->cfg.n_intervals; iv++) {
		if (s->n[iv] == 0)
			continue;
		/* A quote: the first two lines; a trade all but the second
		 * (struct bar_acc). */
		ring = ring_of(e, (uint32_t)idx, iv);
		if (t->kind == TICK_QUOTE)
			prefetch_lines(&ring[s->newest[iv]], 0, 2);
		else {
			prefetch_lines(&ring[s->newest[iv]], 0, 1);
			prefetch_lines(&ring[s->newest[iv]], 2, 5);
		}
	}
	if (s->asset_class != ASSET_CRYPTO)
		return;
	vi = (size_t)s->aux * ENGINE_VENUES + venue_guess(s, t->exchange);
	__builtin_prefetch(&e->venue_slab[vi], 1);
	if (t->kind == TICK_TRADE &&
	    (t->side == SIDE_BUY || t->side == SIDE_SELL)) {
		vc = (const char *)&e->check_slab[vi];
		__builtin_prefetch(vc, 1);
		__builtin_prefetch(vc + sizeof(e->check_slab[0]) - 1, 1);
	}
}

void
engine_ticks(struct engine *e, const struct tick *t, unsigned n,
    uint32_t publisher_id)
{
	struct ahead a[PIPE], *p;
	unsigned i, j;

	if (e->symtab.n < PIPE_MIN_SYMBOLS) {
		for (i = 0; i < n; i++)
			tick_one(e, &t[i], publisher_id, 0, -1);
		return;
	}
	for (i = 0; i < n + AHEAD * 3; i++) {
		if (i < n) {
			/* Stage 1: hash, prefetch the symtab slot. */
			p = &a[i % PIPE];
			p->idx = -1;
			if ((p->wanted = tick_wants_symbol(&t[i])))
				symtab_key(&e->symtab, t[i].symbol,
				    t[i].source, &p->key);
		}
		if (i >= AHEAD && (j = i - AHEAD) < n &&
		    (p = &a[j % PIPE])->wanted) {
			/* Stage 2: the symbol's index; its line. */
			if ((p->idx = symtab_find(&e->symtab, &p->key)) >= 0) {
				__builtin_prefetch(&e->syms[p->idx], 1);
				if (t[j].kind == TICK_TRADE)
					prefetch_lines(&e->cold[p->idx], 0, 3);
			}
		}
		if (i >= AHEAD * 2 && (j = i - AHEAD * 2) < n &&
		    a[j % PIPE].idx >= 0)
			prefetch_sym_state(e, &t[j], a[j % PIPE].idx);
		if (i >= AHEAD * 3) {
			j = i - AHEAD * 3;
			p = &a[j % PIPE];
			tick_one(e, &t[j], publisher_id, p->wanted, p->idx);
		}
	}
}

/* ---- publishing ---- */

static void
run_anomalies(struct engine *e, struct sym *s, unsigned iv, struct slot *sl,
    const struct bar *b)
{
	uint32_t idx = sym_index(e, s);
	struct anomaly out[MAX_ANOMALIES];
	struct tod_profile *tod;
	int i, n;

	tod = e->cfg.intervals_s[iv] == 60 ? sym_tod(e, s) : NULL;
	n = anomaly_check(&e->cfg.anomaly,
	    &e->anom[(size_t)idx * e->cfg.n_intervals + iv], tod,
	    &e->cold[idx].trades, b, &sl->big, out, MAX_ANOMALIES);
	for (i = 0; i < n; i++) {
		e->stats.anomalies++;
		e->out.anomaly(e->out.arg, &out[i]);
	}
}

/* The bar as it stands, its identity and gap flag filled in. */
static void
slot_result(const struct engine *e, const struct sym *s,
    const struct slot *sl, int64_t until_ns, struct bar *b)
{
	const struct feed *f = &e->feeds[s->feed];

	bar_acc_result(&sl->acc, until_ns, b);
	memcpy(b->symbol, e->symtab.names[sym_index(e, s)], sizeof(b->symbol));
	b->source = s->source;
	b->asset_class = s->asset_class;
	if (BLIND(sl) || feed_overlaps_outage(f, sl->acc.start_ns,
	    bar_acc_end_ns(&sl->acc)))
		b->flags |= BAR_F_GAP;
	b->updated_ns = e->now_ns;
}

/* Publishes a bar closed (first time) or corrected (after late ticks). */
static void
publish(struct engine *e, struct sym *s, unsigned iv, struct slot *sl)
{
	int first = STATE(sl) == SLOT_OPEN;
	struct bar b;

	slot_result(e, s, sl, bar_acc_end_ns(&sl->acc), &b);
	if (!first)
		sl->revision++;
	b.state = first ? BAR_CLOSED : BAR_CORRECTED;
	b.revision = sl->revision;
	if (LATE(sl))
		b.flags |= BAR_F_LATE;
	if (first && (b.flags & BAR_F_GAP))
		e->stats.gap_bars++;
	STATE(sl) = SLOT_CLOSED;
	LIVE_DIRTY(sl) = 0;
	pending_set(s, iv, (unsigned)(sl - ring_of(e, sym_index(e, s), iv)),
	    0);
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
	int64_t end_ns = bar_acc_end_ns(&sl->acc);
	struct bar b;

	slot_result(e, s, sl, f->watermark_ns < end_ns ? f->watermark_ns :
	    end_ns, &b);
	b.state = BAR_LIVE;
	LIVE_DIRTY(sl) = 0;
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

/* Only bars open or changed since published (sym.pending) need a look. */
static void
series_advance(struct engine *e, struct sym *s, unsigned iv, int64_t limit,
    int live)
{
	struct slot *ring = ring_of(e, sym_index(e, s), iv), *sl;
	unsigned k, i, len = e->ring_len[iv];

	/* Oldest first, so a store sees bars in time order. */
	for (k = s->n[iv]; k-- > 0 && s->pending[iv] != 0;) {
		i = (s->newest[iv] + len - k) % len;
		if ((s->pending[iv] & 1u << i) == 0)
			continue;
		sl = &ring[i];
		if ((STATE(sl) == SLOT_OPEN &&
		    bar_acc_end_ns(&sl->acc) <= limit) ||
		    STATE(sl) == SLOT_DIRTY)
			publish(e, s, iv, sl);
	}
	sl = &ring[s->newest[iv]];
	if (live && s->n[iv] > 0 && (s->pending[iv] & 1u << s->newest[iv]) &&
	    STATE(sl) == SLOT_OPEN && LIVE_DIRTY(sl))
		publish_live(e, s, sl);
}

static void
publish_side_checks(struct engine *e, struct sym *s)
{
	struct venue_check *vc;
	unsigned i;

	for (i = 0; i < s->n_venues; i++) {
		vc = venue_check_at(e, s, (int)i);
		if (!vc->dirty)
			continue;
		vc->check.updated_ns = e->now_ns;
		vc->dirty = 0;
		e->out.side_check(e->out.arg, &vc->check);
	}
}

/*
 * What engine_advance() will read a few symbols on: the first line of
 * every bar still pending, and all of those older than the newest (as
 * good as due: the newest is seldom closed before the next begins), with
 * the series' anomaly rings and the trade history anomaly_check() reads.
 */
PREFETCHER
prefetch_advance(const struct engine *e, uint32_t i)
{
	const struct sym *s = &e->syms[i];
	const struct slot *ring;
	unsigned iv, k;
	int due = 0;

	for (iv = 0; iv < e->cfg.n_intervals; iv++) {
		ring = ring_of(e, i, iv);
		for (k = 0; k < e->ring_len[iv]; k++) {
			if ((s->pending[iv] & 1u << k) == 0)
				continue;
			if (k == s->newest[iv]) {
				__builtin_prefetch(&ring[k], 1);
				continue;
			}
			prefetch_lines(&ring[k], 0, sizeof(ring[k]) / 64);
			prefetch_lines(&e->anom[(size_t)i * e->cfg.n_intervals +
			    iv], 0, (sizeof(e->anom[0]) + 63) / 64);
			due = 1;
		}
	}
	if (due)
		prefetch_lines(&e->cold[i].trades, 0,
		    (sizeof(e->cold[i].trades) + 63) / 64);
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
		if (i + AHEAD * 2 < e->symtab.n)
			__builtin_prefetch(&e->syms[i + AHEAD * 2], 1);
		if (i + AHEAD < e->symtab.n)
			prefetch_advance(e, i + AHEAD);
		s = &e->syms[i];
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
