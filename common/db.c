/*
 * SQLite helpers (db.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "db.h"

/* Creates the file with mode 0600 unless it exists; SQLite would use 0644
 * (less the umask), and the -wal and -shm files copy the file's mode. */
static int
create_private(const char *path, char *err, size_t err_len)
{
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1 && errno != EEXIST) {
		snprintf(err, err_len, "cannot create %s: %s", path,
		    strerror(errno));
		return SQLITE_CANTOPEN;
	}
	if (fd != -1)
		close(fd);
	return SQLITE_OK;
}

/* PRAGMA journal_mode answers with the mode it ended up in. */
static int
set_wal(sqlite3 *db, char *err, size_t err_len)
{
	sqlite3_stmt *st;
	const unsigned char *mode;
	int rc;

	if ((rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &st,
	    NULL)) != SQLITE_OK)
		goto fail;
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_finalize(st);
		goto fail;
	}
	mode = sqlite3_column_text(st, 0);
	if (mode == NULL || strcmp((const char *)mode, "wal") != 0) {
		snprintf(err, err_len, "cannot use WAL: journal mode is %s",
		    mode != NULL ? (const char *)mode : "?");
		sqlite3_finalize(st);
		return SQLITE_ERROR;
	}
	sqlite3_finalize(st);
	return SQLITE_OK;
fail:
	snprintf(err, err_len, "journal_mode=WAL: %s", db_errstr(db, rc));
	return rc;
}

static int
configure(sqlite3 *db, enum db_mode mode, int busy_timeout_ms, char *err,
    size_t err_len)
{
	int rc;

	sqlite3_extended_result_codes(db, 1);
	if ((rc = sqlite3_busy_timeout(db, busy_timeout_ms)) != SQLITE_OK ||
	    (rc = db_exec(db, "PRAGMA foreign_keys=ON")) != SQLITE_OK) {
		snprintf(err, err_len, "configure: %s", db_errstr(db, rc));
		return rc;
	}
	if (mode == DB_READONLY)
		return SQLITE_OK;
	if ((rc = set_wal(db, err, err_len)) != SQLITE_OK)
		return rc;
	if ((rc = db_exec(db, "PRAGMA synchronous=NORMAL")) != SQLITE_OK) {
		snprintf(err, err_len, "synchronous=NORMAL: %s",
		    db_errstr(db, rc));
		return rc;
	}
	return SQLITE_OK;
}

int
db_open(sqlite3 **dbp, const char *path, enum db_mode mode,
    int busy_timeout_ms, char *err, size_t err_len)
{
	sqlite3 *db = NULL;
	int flags, rc;

	*dbp = NULL;
	if (mode == DB_CREATE &&
	    (rc = create_private(path, err, err_len)) != SQLITE_OK)
		return rc;
	flags = SQLITE_OPEN_NOMUTEX | (mode == DB_READONLY ?
	    SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE);
	if ((rc = sqlite3_open_v2(path, &db, flags, NULL)) != SQLITE_OK) {
		snprintf(err, err_len, "cannot open %s: %s", path,
		    db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		goto fail;
	}
	if ((rc = configure(db, mode, busy_timeout_ms, err, err_len)) !=
	    SQLITE_OK)
		goto fail;
	*dbp = db;
	return SQLITE_OK;
fail:
	sqlite3_close_v2(db);
	return rc;
}

void
db_close(sqlite3 *db)
{
	sqlite3_stmt *st;

	if (db == NULL)
		return;
	while ((st = sqlite3_next_stmt(db, NULL)) != NULL)
		sqlite3_finalize(st);
	sqlite3_close_v2(db);
}

int
db_exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

int
db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st)
{
	return sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
	    NULL);
}

int
db_step_done(sqlite3_stmt *st)
{
	int rc;

	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

int
db_query_int64(sqlite3 *db, const char *sql, int64_t *v, int *is_null)
{
	sqlite3_stmt *st;
	int rc;

	*v = 0;
	*is_null = 1;
	if ((rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL)) != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
			*v = sqlite3_column_int64(st, 0);
			*is_null = 0;
		}
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE)
		rc = SQLITE_OK;
	sqlite3_finalize(st);
	return rc;
}

int
db_begin(sqlite3 *db)
{
	return db_exec(db, "BEGIN IMMEDIATE");
}

int
db_commit(sqlite3 *db)
{
	return db_exec(db, "COMMIT");
}

void
db_rollback(sqlite3 *db)
{
	/* After some errors SQLite has rolled back already; a second
	 * ROLLBACK would only fail with "no transaction is active". */
	if (sqlite3_get_autocommit(db) == 0)
		(void)db_exec(db, "ROLLBACK");
}

int
db_is_row_error(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_CONSTRAINT:
	case SQLITE_MISMATCH:
	case SQLITE_TOOBIG:
	case SQLITE_RANGE:
		return 1;
	default:
		return 0;
	}
}

int
db_is_transient(int rc)
{
	return rc != SQLITE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE &&
	    !db_is_row_error(rc);
}

const char *
db_errstr(sqlite3 *db, int rc)
{
	if (db != NULL && sqlite3_extended_errcode(db) == rc)
		return sqlite3_errmsg(db);
	return sqlite3_errstr(rc);
}
