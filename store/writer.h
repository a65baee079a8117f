/*
 * The store's SQLite side: prepared upserts for bars, anomalies and side
 * checks and inserts for ticks, reused for every row; one transaction per
 * flush with the symbols table kept current inside it; tick pruning in
 * small steps; the query that says where a replay should start. The
 * column rules (REAL prices, NULLs) are docs/store.md's.
 *
 * Errors are SQLite result codes. A failed flush is rolled back and its
 * rows stay queued; a row SQLite refuses on its own (a constraint) is
 * counted and skipped so that it cannot block the rows behind it.
 */
#ifndef WRITER_H
#define WRITER_H

#include <stdint.h>

#include <sqlite3.h>

#include "rows.h"
#include "symbols.h"

struct writer_counts {
	uint64_t	 rows[ROW_KINDS];	/* committed */
	uint64_t	 stale_bars;	/* not applied: kept stored */
	uint64_t	 rejected;	/* rows SQLite refused, skipped */
	uint64_t	 transactions;	/* committed flushes */
	uint64_t	 symbol_upserts;
	uint64_t	 pruned;	/* ticks deleted */
	int		 last_reject_rc; /* why the last was refused */
};

struct writer {
	sqlite3		*db;
	sqlite3_stmt	*insert[ROW_KINDS];
	sqlite3_stmt	*symbol;
	sqlite3_stmt	*prune;
	sqlite3_stmt	*since;
	struct symbols	 syms;
	struct writer_counts c;
};

/* Prepares the statements on db (migrated). SQLITE_OK, or the error. */
int	 writer_open(struct writer *, sqlite3 *db);
void	 writer_close(struct writer *);

/*
 * Writes the oldest max_rows rows (bars first, then anomalies, side
 * checks, ticks) in one transaction and removes them from *r once
 * committed. Returns SQLITE_OK, or the error after rolling back (rows
 * kept).
 */
int	 writer_flush(struct writer *, struct rows *r, uint32_t max_rows);

/* Deletes at most max_rows ticks older than before_ns, oldest first. */
int	 writer_prune_ticks(struct writer *, int64_t before_ns, int max_rows,
	    int *deleted);

/*
 * Where a replay should start: the oldest "newest bar end" among the
 * symbols whose newest bar was published within window_ms of the newest
 * publication stored. Symbols of a delayed feed count too, a stopped
 * feed's do not. *found is 0 when no bar is stored (replay everything).
 */
int	 writer_replay_since(struct writer *, int64_t window_ms,
	    int64_t *since_ms, int *found);

/* max(start_ms + interval_s * 1000) over bars, via the start_ms index. */
int	 writer_newest_end(struct writer *, int64_t *end_ms, int *found);

/* Whether a bar's spread columns hold values (docs/store.md). Pure. */
int	 writer_bar_has_spread(const struct bar *);

#endif /* WRITER_H */
