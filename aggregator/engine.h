/*
 * The aggregator's engine: ticks in, bars, anomalies and side checks out.
 * Pure: no I/O, no clock (event time comes with each tick; wall-clock time
 * comes in as now_ns for the decisions that need it), no logging; memory is
 * allocated at init for max_symbols (pages become resident as symbols come).
 *
 * Time is event time (DESIGN.md "Market semantics"). Each feed (a source
 * and asset class: one collector's stream) has a watermark, the newest
 * event time it has sent. A bar [start, end) closes when its feed's
 * watermark passes end + lateness; a quiet feed's bars close on the wall
 * clock once now - the feed's observed delay passes end + lateness +
 * grace, so a delayed feed, a replay and a live feed give the same bars.
 * A tick for a closed bar no older than late_max behind the watermark
 * updates it and it is published again as corrected; an older one is
 * counted as too late. A bar that overlaps a feed outage, a bus gap or the
 * time before the engine first heard its feed carries BAR_F_GAP.
 */
#ifndef ENGINE_H
#define ENGINE_H

#include <stdint.h>

#include "anomaly.h"
#include "bar.h"
#include "barcalc.h"
#include "dedup.h"
#include "leeready.h"
#include "sidecheck.h"
#include "symtab.h"
#include "tick.h"

#define ENGINE_MAX_INTERVALS	4
#define ENGINE_MAX_RING		8	/* bars a series keeps for late ticks */
#define ENGINE_VENUES		4	/* crypto venues tracked per symbol */
#define ENGINE_MAX_FEEDS	16
#define ENGINE_OUTAGES		8	/* recent outages remembered per feed */

struct engine_config {
	uint32_t	 intervals_s[ENGINE_MAX_INTERVALS];
	unsigned	 n_intervals;
	uint32_t	 max_symbols;
	int64_t		 lateness_ns;	/* watermark wait after a bar's end */
	int64_t		 late_max_ns;	/* how late a tick may still count */
	int64_t		 quiet_grace_ns;	/* wall-clock close margin */
	int64_t		 live_every_ns;	/* live updates, per series at most */
	int64_t		 side_check_every_ns;
	struct anomaly_config	 anomaly;
	struct sidecheck_config	 side;
};

struct engine_out {
	void	(*bar)(void *arg, const struct bar *);
	void	(*anomaly)(void *arg, const struct anomaly *);
	void	(*side_check)(void *arg, const struct side_check *);
	void	*arg;
};

struct engine_stats {
	uint64_t	 ticks;
	uint64_t	 trades;
	uint64_t	 quotes;
	uint64_t	 feed_bars;
	uint64_t	 status_ticks;
	uint64_t	 duplicates;
	uint64_t	 out_of_order;	/* older than the symbol's last trade */
	uint64_t	 late_applied;	/* updated a bar already published */
	uint64_t	 too_late;	/* older than late_max: dropped */
	uint64_t	 bars_inserted;	/* made for a late tick in a gap */
	uint64_t	 late_quotes;	/* quotes older than the bar's last */
	uint64_t	 ineligible_trades;	/* no volume under tape rules */
	uint64_t	 unknown_conditions;
	uint64_t	 bars_live;
	uint64_t	 bars_closed;
	uint64_t	 bars_corrected;
	uint64_t	 gap_bars;
	uint64_t	 anomalies;
	uint64_t	 side_inverted;
	uint64_t	 symbols;
	uint64_t	 symbols_dropped;	/* ticks for symbols beyond max */
	uint64_t	 feed_outages;
	uint64_t	 bus_gaps;
	uint64_t	 bad_ticks;	/* fields out of range: dropped */
};

/*
 * The quote in effect on one venue (crypto) or the NBBO (stocks), and the
 * tick test's state there (leeready.h): 32 bytes, two to a cache line.
 */
struct venue {
	int64_t			 bid;
	int64_t			 ask;
	int64_t			 last_px;	/* tick test: last trade price */
	uint32_t		 exchange;
	int8_t			 last_change;	/* tick test: enum side */
	uint8_t			 quoted;	/* a quote was seen */
};

/* A venue's declared-side check (sidecheck.h): read by declared trades. */
struct venue_check {
	struct side_check	 check;
	int			 dirty;		/* changed since published */
};

/*
 * Per symbol, one cache line: all that a tick of it reads besides its
 * bars (and, for a trade, its struct sym_cold). Bars live in rings in
 * engine.slots: ring_len[iv] of them per interval.
 */
struct sym {
	_Alignas(64) struct venue nbbo;	/* stocks; crypto: the latest venue's
					 * bid, ask and quoted */
	int64_t			 last_trade_ts_ns;
	uint32_t		 aux;		/* dense index: crypto, of its
						 * venue set; others, of the
						 * NBBO's check and tod profile */
	uint8_t			 source;
	uint8_t			 asset_class;
	uint8_t			 feed;		/* index into engine.feeds */
	uint8_t			 n_venues;	/* crypto */
	uint8_t			 newest[ENGINE_MAX_INTERVALS];	/* ring index */
	uint8_t			 n[ENGINE_MAX_INTERVALS];	/* bars held */
	uint8_t			 pending[ENGINE_MAX_INTERVALS];	/* bitmask:
						 * bars open or changed since
						 * published */
	uint8_t			 venue_hint[ENGINE_VENUES];	/* crypto: each
						 * venue's exchange, low byte:
						 * reads only its line */
};

/* Per symbol, what only trades read. */
struct sym_cold {
	struct dedup		 dedup;		/* recent trade ids */
	struct trade_history	 trades;
};

struct outage {
	int64_t		 from_ns;
	int64_t		 to_ns;		/* INT64_MAX while it lasts */
};

struct feed {
	uint8_t		 source;
	uint8_t		 asset_class;
	uint32_t	 publisher_id;	/* the bus stream it comes on */
	int64_t		 watermark_ns;	/* newest event time seen */
	double		 delay_ns;	/* receive - event time, averaged */
	int		 down;		/* an outage is open */
	struct outage	 outages[ENGINE_OUTAGES];
	unsigned	 n_outages;	/* total ever; the last 8 are kept */
};

struct slot;

struct engine {
	struct engine_config	 cfg;
	struct engine_out	 out;
	struct engine_stats	 stats;
	struct symtab		 symtab;
	struct feed		 feeds[ENGINE_MAX_FEEDS];
	unsigned		 n_feeds;
	unsigned		 ring_len[ENGINE_MAX_INTERVALS];
	unsigned		 ring_off[ENGINE_MAX_INTERVALS];	/* first slot
						 * of each ring in a symbol's */
	unsigned		 slots_per_sym;
	int64_t			 iv_ns[ENGINE_MAX_INTERVALS];
	/*
	 * Per-symbol state, allocated once for max_symbols and indexed by
	 * the symbol's symtab index, except the profiles and venue sets,
	 * handed out densely to the symbols that need them: pages are only
	 * touched (resident) for symbols that exist, and nothing on the
	 * heap interleaves with the bus's short-lived messages.
	 */
	struct sym		*syms;		/* 64-byte aligned */
	struct slot		*slots;		/* slots_per_sym each; aligned */
	struct sym_cold		*cold;
	struct anomaly_state	*anom;		/* n_intervals each */
	struct tod_profile	*tod_slab;	/* stocks, if 60 s bars */
	struct venue_check	*nbbo_check_slab;	/* touched only by
						 * a stock trade with a side */
	struct venue		*venue_slab;	/* ENGINE_VENUES per set */
	struct venue_check	*check_slab;	/* ENGINE_VENUES per set */
	void			*mem[8];	/* as allocated, to free */
	uint32_t		 n_nbbo;	/* handed out, densely */
	uint32_t		 n_venue_sets;
	int64_t			 now_ns;	/* wall clock, last advance */
	int64_t			 last_live_ns;
	int64_t			 last_side_ns;
};

/* Defaults: 1 s and 60 s bars, 1 s lateness, 2 s late bound, ... */
void	 engine_config_default(struct engine_config *);
/* Returns 0, or -1 on ENOMEM or a bad configuration. */
int	 engine_init(struct engine *, const struct engine_config *,
	    const struct engine_out *);
void	 engine_free(struct engine *);

/* One tick, from a bus message of publisher_id. */
void	 engine_tick(struct engine *, const struct tick *,
	    uint32_t publisher_id);
/*
 * n ticks of one bus message, in order: the same as engine_tick() on each,
 * faster with many symbols, as it looks a few ticks ahead and prefetches
 * their symbols' state while it works on the current one.
 */
void	 engine_ticks(struct engine *, const struct tick *, unsigned n,
	    uint32_t publisher_id);
/* The bus lost messages of publisher_id: its feeds have an outage. */
void	 engine_bus_gap(struct engine *, uint32_t publisher_id);
/*
 * Closes what the watermarks or the wall clock allow, publishes
 * corrections, live updates (every live_every_ns) and side checks.
 * Call it often (every few tens of ms) and after a batch of ticks.
 */
void	 engine_advance(struct engine *, int64_t now_ns);

#endif /* ENGINE_H */
