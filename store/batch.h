/*
 * When the store writes (docs/store.md "Batching" and "Failures"): a flush
 * is due when max_rows rows wait or the oldest has waited max_delay; a
 * flush writes at most max_rows rows in one transaction (the rest are due
 * at once after it). After a failed flush the next waits 250 ms, doubling
 * to 30 s; the rows stay, up to max_pending; rows beyond that are dropped
 * and counted, and once writing works again a replay from the aggregator
 * is due, to win back the bars and anomalies among them.
 *
 * Pure: no I/O, no clock (time comes in as now_ns). The rows themselves
 * live in rows.h; this module keeps only the counts and times.
 */
#ifndef BATCH_H
#define BATCH_H

#include <stdint.h>

#define BATCH_RETRY_MIN_MS	250
#define BATCH_RETRY_MAX_MS	30000

struct batch_policy {
	uint32_t	 max_rows;	/* flush size, and its trigger */
	int64_t		 max_delay_ns;	/* longest a row waits */
	uint64_t	 max_pending;	/* rows held at most */
};

struct batch {
	struct batch_policy p;
	int64_t		 first_ns;	/* oldest row came */
	unsigned	 failures;	/* flushes failed in a row */
	int64_t		 retry_ns;	/* failed: wait until */
	int64_t		 episode_ns;	/* failing since */
	uint64_t	 episode_failures; /* of the last one */
	uint64_t	 dropped;	/* rows refused past max_pending */
	int		 replay_due;	/* dropped: replay */
};

void	 batch_init(struct batch *, const struct batch_policy *);

/*
 * A row arrives while pending rows wait. Returns 1 when it may be kept,
 * 0 when it must be dropped (counted; a replay becomes due).
 */
int	 batch_admit(struct batch *, uint64_t pending, int64_t now_ns);

/* Whether a flush should run now. */
int	 batch_due(const struct batch *, uint64_t pending, int64_t now_ns);
/* When batch_due() next turns true; INT64_MAX when nothing waits. */
int64_t	 batch_next_ns(const struct batch *, uint64_t pending);
/* Rows the next flush should write. */
uint32_t batch_flush_rows(const struct batch *, uint64_t pending);

enum batch_event {
	BATCH_QUIET = 0,	/* nothing to report */
	BATCH_EPISODE_START,	/* the first failure after a success */
	BATCH_RECOVERED		/* the first success after failures */
};

/* A flush committed. BATCH_RECOVERED when it ended an episode. */
enum batch_event batch_ok(struct batch *);
/*
 * A flush failed and was rolled back; the next waits. Returns
 * BATCH_EPISODE_START for the first failure of an episode.
 */
enum batch_event batch_failed(struct batch *, int64_t now_ns);
/* Delay after the n-th failure in a row (n >= 1): 250 ms doubling. */
int64_t	 batch_backoff_ms(unsigned failures);

/*
 * Returns 1, once, when dropped rows should be replayed now: writing
 * works and the backlog is under half the bound.
 */
int	 batch_take_replay(struct batch *, uint64_t pending);

#endif /* BATCH_H */
