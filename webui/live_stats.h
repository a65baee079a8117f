/*
 * What webui knows of the other processes from the bus: each process's
 * newest counters, each collector's feed state (docs/live.md "status"),
 * and their renderings for /metrics, /api/health and the status message.
 * Pure: no locking (live.c holds its mutex around every call), no clock.
 */
#ifndef LIVE_STATS_H
#define LIVE_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "bus.h"
#include "live_proto.h"

#define LIVE_STALE_MS		10000	/* no counters for this long: stale */
#define LIVE_MAX_PROCESSES	64
#define LIVE_MAX_COUNTERS	256	/* per process */

struct live_counter {
	char		 key[BUS_STAT_KEY_LEN];
	int64_t		 value;
	int64_t		 at_ms;		/* when it arrived */
};

struct live_process {
	char		 name[BUS_STAT_PROCESS_LEN];
	struct live_counter *c;		/* sorted by key */
	int		 n;
	int		 cap;
	int64_t		 last_ms;	/* newest record from it */
};

struct live_stats {
	struct live_process p[LIVE_MAX_PROCESSES];	/* sorted by name */
	int		 n;
	uint8_t		 class_source[ASSET_MAX];	/* newest bar's */
	int		 demo_mode;
	uint64_t	 refused;	/* records past the table's limits */
};

/* webui's own counters (docs/live.md "Metrics and health"). */
struct live_counters {
	uint64_t	 clients;
	uint64_t	 messages_sent;
	uint64_t	 messages_coalesced;
	uint64_t	 dropped_slow;
	uint64_t	 sessions_ended;
	uint64_t	 malformed_frames;
	uint64_t	 bus_messages;
	uint64_t	 bus_gaps;
	uint64_t	 bus_missed_records;
	uint64_t	 bus_decode_errors;
	uint64_t	 queue_drops;
};

enum live_feed_state {
	LIVE_FEED_STALE = 0,
	LIVE_FEED_RECONNECTING,
	LIVE_FEED_DEMO,
	LIVE_FEED_LIVE
};

struct live_feed {
	char		 process[BUS_STAT_PROCESS_LEN];
	const char	*source;
	const char	*asset_class;
	enum live_feed_state state;
	const char	*feed_status;
	int64_t		 last_event_age_ms;	/* -1: none yet */
};

/* mode: "demo" or "live". */
void	 live_stats_init(struct live_stats *, const char *mode);
void	 live_stats_free(struct live_stats *);
/* Keeps a counter; -1 when refused (table full or out of memory). */
int	 live_stats_note(struct live_stats *, const struct bus_stat *,
	    int64_t now_ms);
/* Learns which source feeds an asset class, from its bars. */
void	 live_stats_note_bar(struct live_stats *, int source,
	    int asset_class);

const char *live_feed_state_name(enum live_feed_state);
/* Collectors (processes with a feed_status counter), sorted by name. */
int	 live_stats_feeds(const struct live_stats *, int64_t now_ms,
	    struct live_feed *out, int max);
/*
 * The best state (enum live_feed_state) among the feeds reading source
 * whose asset class is asset_class (NULL: any); -1 when none does. When
 * no feed matches both: any feed of that source, then a feed of that
 * class whose source is not known yet. An empty source (a row written
 * before sources were recorded) matches by asset class alone.
 */
int	 live_feeds_state_of(const struct live_feed *, int n,
	    const char *source, const char *asset_class);
/* Changes when anything but the ages in the feeds changes. */
uint64_t live_feeds_signature(const struct live_feed *, int n);

/* The metric type by the key's name: 1 gauge, 0 counter. */
int	 live_metric_is_gauge(const char *key);

void	 live_encode_status(struct live_buf *, const struct live_feed *,
	    int n, const char *mode, int64_t now_ms);
void	 live_stats_metrics(struct live_buf *, const struct live_stats *,
	    const struct live_counters *, int64_t now_ms);
void	 live_stats_health(struct live_buf *, const struct live_stats *,
	    const struct live_counters *, const char *mode,
	    const char *masked_key, int64_t now_ms);

#endif /* LIVE_STATS_H */
