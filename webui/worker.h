/*
 * What one worker thread owns: its auth.db connection, its read-only
 * market.db connection (opened when first needed and again after an
 * error, so webui starts before the store has made the file) and its
 * prepared statements. Shared, read-only: the configuration, the live
 * side and the counters.
 */
#ifndef WORKER_H
#define WORKER_H

#include <stdint.h>

#include <sqlite3.h>

#include "auth.h"
#include "buf.h"
#include "query.h"

struct live;
struct webui_stats;

struct webui_config {
	const char	*market_db;
	const char	*auth_db;
	const char	*web_root;		/* a real path */
	int64_t		 intervals[QUERY_MAX_INTERVALS];
	int		 n_intervals;
	struct auth_limits limits;
	const char	*mode;			/* "demo" or "live" */
	const char	*masked_key;		/* "" when none */
	int		 busy_timeout_ms;
};

enum worker_stmt {
	ST_BARS_FIRST,		/* from a start time, oldest first */
	ST_BARS_LAST,		/* the newest, returned oldest first */
	ST_BARS_FIRST_SRC,	/* the same, of one source */
	ST_BARS_LAST_SRC,
	ST_SOURCES,		/* the sources of a symbol (symbols table) */
	ST_SYMBOLS,
	ST_REF_PRICE,		/* a series' close 24 h before */
	ST_DATA_VERSION,	/* changes when another connection commits */
	ST_COUNT
};

/*
 * The last few /api/bars answers, kept while market.db has not changed
 * (PRAGMA data_version): a dashboard asks the same range again and again,
 * and rendering a day of bars is most of the cost.
 */
#define WORKER_CACHE_ENTRIES	4
#define WORKER_CACHE_MAX	(2 * 1024 * 1024)	/* bytes per answer */

struct worker_cache {
	char		 key[128];	/* "" when empty */
	int64_t		 data_version;
	uint64_t	 used;		/* for least recently used */
	struct buf	 body;
};

struct worker_ctx {
	const struct webui_config *cfg;
	struct auth	*auth;
	sqlite3		*market;
	sqlite3_stmt	*st[ST_COUNT];
	int64_t		 market_retry_ms;	/* no reopen before */
	int		 market_warned;
	struct live	*live;			/* NULL in unit tests */
	struct webui_stats *stats;
	struct worker_cache cache[WORKER_CACHE_ENTRIES];
	uint64_t	 cache_clock;
	uint64_t	 cache_hits;
};

/* Opens auth.db (which must exist). 0, or -1 with the reason. */
int		 worker_open(struct worker_ctx *, const struct webui_config *,
		    struct live *, struct webui_stats *, char *err,
		    size_t err_len);
void		 worker_close(struct worker_ctx *);

/*
 * The market.db connection, opened (read-only, schema checked) if need
 * be; NULL when the file is missing or not at our schema version (tried
 * again a second later).
 */
sqlite3		*worker_market(struct worker_ctx *, int64_t now_ms);
/* A prepared statement of the market connection, or NULL. */
sqlite3_stmt	*worker_stmt(struct worker_ctx *, enum worker_stmt);
/* Drops the market connection after an error (reopened when needed). */
void		 worker_market_reset(struct worker_ctx *, int rc);

/* market.db's data_version as this connection sees it; -1 on error. */
int64_t		 worker_data_version(struct worker_ctx *);
/* A cached answer for key at data_version, or NULL. */
const struct buf *worker_cache_get(struct worker_ctx *, const char *key,
		    int64_t data_version);
/* Keeps a copy of an answer (unless too big). */
void		 worker_cache_put(struct worker_ctx *, const char *key,
		    int64_t data_version, const struct buf *body);

#endif /* WORKER_H */
