/*
 * The store process around its modules: the aggregator's bus (and, when
 * raw ticks are kept, the collectors') in, market.db out, replays asked
 * from the aggregator, counters out once a second, in one poll() loop.
 * Decides nothing itself: batch.c says when to write, writer.c how,
 * pager.c what to ask, rows.c what is kept (docs/store.md).
 */
#ifndef STORE_H
#define STORE_H

#include <stdint.h>

#include <sqlite3.h>

#include "batch.h"
#include "bus_nng.h"
#include "options.h"
#include "replay_client.h"
#include "rows.h"
#include "writer.h"

#define STORE_KNOWN_PUBLISHERS	8

struct store_counts {
	uint64_t	 received[ROW_KINDS];	/* rows queued */
	uint64_t	 skipped[ROWS_STATUS_MAX];	/* records not kept */
	uint64_t	 write_errors;	/* flushes that failed */
	uint64_t	 prune_errors;
	uint64_t	 no_memory;	/* rows lost to malloc */
	uint64_t	 replay_lost;	/* replies showing lost records */
	uint64_t	 gap_replays;	/* replays asked after a bus gap */
	uint64_t	 aggregator_restarts;
	int64_t		 latency_us;	/* of the last flush */
	int64_t		 latency_max_us;
};

struct store {
	struct store_options	 opt;
	sqlite3			*db;
	struct writer		 w;
	struct rows		 rows;
	struct batch		 batch;
	struct bus_sub		 sub;		/* the aggregator */
	struct bus_sub		 tick_sub;	/* collectors */
	struct bus_pub		 pub;		/* counters */
	struct bus_batch	 stats;
	struct replay_client	 rc;
	struct store_counts	 c;
	uint32_t		 publishers[STORE_KNOWN_PUBLISHERS];
	unsigned		 n_publishers;
	int			 sigfd;
	int			 quit;
	int			 dropping;	/* over the bound */
	int			 prune_failing;
	uint64_t		 rejected_logged;
	int64_t			 started_ns;
	int64_t			 next_second_ns;
	int64_t			 next_prune_ns;
	unsigned		 seconds;
};

/* Opens market.db (migrating it), signals, sockets; fatal() on failure. */
void	 store_open(struct store *, const struct store_options *);
/* Asks the aggregator to replay what the database lacks; why is logged. */
void	 store_replay(struct store *, const char *why);
/* Waits for the bus, a reply, a signal or the next deadline. */
void	 store_wait(struct store *);
/* Decodes waiting bus messages into rows; notices gaps and restarts. */
void	 store_take_bus(struct store *);
/* Sends the replay request due and takes the replies. */
void	 store_take_replay(struct store *);
/* Writes a batch when the policy says so. */
void	 store_flush(struct store *);
/* Once a second: tick pruning, counters, a replay after dropped rows. */
void	 store_housekeep(struct store *);
/* Writes what is held (one last try), closes everything. */
void	 store_close(struct store *);

#endif /* STORE_H */
