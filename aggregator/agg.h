/*
 * The aggregator process around the engine: configuration, the bus
 * (ticks in; bars, anomalies, side checks and counters out), the replay
 * endpoint, signals and timers, in one poll() loop. Decides nothing about
 * markets: engine.c does.
 */
#ifndef AGG_H
#define AGG_H

#include <stdint.h>

#include "bus_nng.h"
#include "engine.h"
#include "history.h"
#include "replay.h"

_Static_assert(HISTORY_MAX_RINGS >= ENGINE_MAX_INTERVALS,
    "a bar history ring per interval");

#define AGG_WAKE_MS	50	/* the engine advances at least this often */
#define AGG_TICK_CHUNK	256	/* ticks decoded, then folded together */

struct agg_config {
	const char		*tick_urls;	/* comma list of nng URLs */
	const char		*bus_url;	/* where bars go */
	const char		*replay_url;	/* req/rep for the store */
	uint32_t		 history_bars[ENGINE_MAX_INTERVALS];	/* per
						 * interval, in its order */
	long			 history_anomalies;
	struct engine_config	 engine;
};

struct aggregator {
	struct agg_config	 cfg;
	struct engine		 engine;
	struct bus_sub		 sub;
	struct tick		 ticks[AGG_TICK_CHUNK];
	struct bus_pub		 pub;
	struct bus_batch	 bars;
	struct bus_batch	 anomalies;
	struct bus_batch	 side_checks;
	struct bus_batch	 stats;
	struct history		 bar_history;	/* a ring per interval */
	struct history		 anomaly_history;	/* one ring */
	struct replay		 replay;
	int			 sigfd;
	int			 timerfd;
	int			 quit;
	int64_t			 started_ns;
	int64_t			 last_stats_ns;
	uint64_t		 messages;
};

/* Reads defaults, environment and flags; 0 or an exit status. */
int	 agg_config_load(struct agg_config *, int argc, char **argv);
/* Signals, sockets, engine; fatal() on what cannot work. */
void	 agg_open(struct aggregator *, const struct agg_config *);
/* Waits for ticks, a request, the timer or a signal (at most wake_ms). */
void	 agg_wait(struct aggregator *);
/* Decodes waiting tick messages into the engine. */
void	 agg_fold_ticks(struct aggregator *);
/* Closes bars, answers replays, publishes what is due. */
void	 agg_publish(struct aggregator *, int64_t now_ns);
void	 agg_close(struct aggregator *);

#endif /* AGG_H */
