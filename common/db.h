/*
 * SQLite the tapewatch way, for every process that opens a database (store,
 * webui, authctl): a new file is created with mode 0600, the journal is
 * WAL with synchronous=NORMAL (a crash loses at most the last commits,
 * never consistency), a busy timeout bounds how long a writer waits for
 * another, foreign keys are enforced. The statement helpers return SQLite
 * result codes (SQLITE_OK on success) and never log: the caller knows
 * what the statement was for. Nothing here knows a table (schema.h does).
 */
#ifndef DB_H
#define DB_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

enum db_mode {
	DB_CREATE = 1,		/* read-write; create the file (0600) */
	DB_READWRITE,		/* read-write; the file must exist */
	DB_READONLY		/* no writes; WAL must already be set */
};

/*
 * Opens path. busy_timeout_ms is how long a statement waits for another
 * connection's lock before SQLITE_BUSY (keep it short in a poll loop).
 * Returns SQLITE_OK and *dbp, or an error code with the reason in err
 * (*dbp is then NULL).
 */
int	 db_open(sqlite3 **dbp, const char *path, enum db_mode mode,
	    int busy_timeout_ms, char *err, size_t err_len);
/* Finalizes what is left and closes; NULL is fine. */
void	 db_close(sqlite3 *);

/* Runs one or more statements without results (DDL, PRAGMA). */
int	 db_exec(sqlite3 *, const char *sql);
/* Prepares a statement meant to be reused (bind, step, reset). */
int	 db_prepare(sqlite3 *, const char *sql, sqlite3_stmt **);
/*
 * Steps a statement that returns no rows (or whose rows do not matter)
 * once and resets it, keeping its bindings. SQLITE_OK or the error.
 */
int	 db_step_done(sqlite3_stmt *);
/*
 * Runs a query for one integer: SQLITE_OK with *v and *is_null (a NULL
 * or no row at all sets *is_null), or the error.
 */
int	 db_query_int64(sqlite3 *, const char *sql, int64_t *v,
	    int *is_null);

/* BEGIN IMMEDIATE: takes the write lock now, so BUSY comes here. */
int	 db_begin(sqlite3 *);
int	 db_commit(sqlite3 *);
/* Rolls back the open transaction, if SQLite has not already. */
void	 db_rollback(sqlite3 *);

/*
 * Whether an error is the database's state rather than the statement's
 * input: busy, locked, full, I/O, out of memory and the like, worth
 * retrying later. Constraint, mismatch, too big and range are not: they
 * belong to one row and fail the same way again.
 */
int	 db_is_transient(int rc);
/* Whether an error fails only its statement (the transaction goes on). */
int	 db_is_row_error(int rc);
/* The message for rc: the connection's when it has one for rc. */
const char *db_errstr(sqlite3 *, int rc);

#endif /* DB_H */
