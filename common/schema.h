/*
 * market.db's schema (DESIGN.md "Storage", docs/store.md): its tables are
 * a contract with the web API, so a change is a new migration step here,
 * in the same change as docs/store.md and the tests. The version lives in
 * PRAGMA user_version; opening migrates it step by step (N to N+1) inside
 * one transaction, so a database is always at a version some code knew,
 * and a database newer than this code is refused, never guessed at.
 */
#ifndef SCHEMA_H
#define SCHEMA_H

#include <stddef.h>

#include <sqlite3.h>

/* The version this code writes and reads: the number of steps. */
#define SCHEMA_VERSION	2

/*
 * Brings market.db to SCHEMA_VERSION. Returns 0, or -1 with the reason in
 * err (a newer database, or a step that failed: nothing was changed).
 */
int	 schema_migrate(sqlite3 *, char *err, size_t err_len);

/*
 * For processes that only read: 0 when the database is at SCHEMA_VERSION,
 * -1 with the reason (older: the store has not migrated it yet; newer:
 * this code is too old) in err. *version receives what was found.
 */
int	 schema_check(sqlite3 *, int *version, char *err, size_t err_len);

/*
 * The engine under both, for any database (auth.db has its own steps):
 * steps[i] takes user_version i to i + 1; n_steps is the newest version.
 * Reads the version and applies the missing steps in one BEGIN IMMEDIATE
 * transaction, so two processes migrating at once take turns. Returns 0
 * or -1 with the reason in err; on -1 nothing was changed.
 */
int	 schema_apply(sqlite3 *, const char *const *steps, int n_steps,
	    const char *what, char *err, size_t err_len);

#endif /* SCHEMA_H */
