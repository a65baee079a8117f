/*
 * The auth core (auth.h): auth.db's schema, users, logins with their
 * throttle, sessions, API tokens and the audit log. The rules that need
 * no database live in pwpolicy.c and throttle.c; this file keeps their
 * state and never logs (callers do, without secrets).
 *
 * What is stored: passwords as libsodium argon2id strings (INTERACTIVE:
 * t=2, 64 MiB); session and API tokens as BLAKE2b-256 of the token text,
 * so the row finds the token's owner but gives no token back; a session's
 * CSRF value in plain text (useless without the session cookie, which is
 * only stored hashed).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "auth.h"
#include "db.h"
#include "pwpolicy.h"
#include "schema.h"
#include "throttle.h"

#define HASH_LEN		crypto_generichash_BYTES	/* 32 */
#define RANDOM_LEN		32
#define DAY_MS			INT64_C(86400000)
#define TOKEN_DAYS_MAX		3650
#define AUDIT_TEXT_MAX		512
#define DEFAULT_IDLE_MS		(INT64_C(30) * 60 * 1000)
#define DEFAULT_MAX_MS		(INT64_C(12) * 3600 * 1000)
/* A touch writes last_seen at most this often (and at most a tenth of the
 * idle timeout apart): one write per request would serialise workers. */
#define TOUCH_MIN_MS		1000
#define TOKEN_USE_MIN_MS	1000
/* "twk_" + 43 + "_" + 6: where the checksum starts. */
#define TOKEN_SUM_AT		(sizeof(AUTH_API_TOKEN_PREFIX) - 1 + 43 + 1)
#define TOKEN_SUM_LEN		6

_Static_assert(AUTH_PASSWORD_MIN_CP == PWPOLICY_MIN_CP, "policy minimum");
_Static_assert(AUTH_PASSWORD_MAX_BYTES == PWPOLICY_MAX_BYTES, "policy max");
_Static_assert(AUTH_API_TOKEN_LEN == TOKEN_SUM_AT + TOKEN_SUM_LEN,
    "token layout");

struct auth {
	sqlite3			*db;
	struct auth_limits	 lim;
	char			 actor[AUTH_NAME_MAX + 1];
	char			 err[256];
	int			 changes;	/* rows the last run() changed */
	/* Verified when the user does not exist, so a miss costs a hash. */
	char			 dummy[crypto_pwhash_STRBYTES];
};

/* Version 1. Roles as text so auth.db reads well in sqlite3(1). */
static const char auth_step1[] =
	"CREATE TABLE users ("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL,"
	" name_folded TEXT NOT NULL UNIQUE,"
	" role TEXT NOT NULL"
	"  CHECK (role IN ('viewer', 'user', 'manager', 'admin')),"
	" hash TEXT NOT NULL,"
	" disabled INTEGER NOT NULL DEFAULT 0,"
	" locked INTEGER NOT NULL DEFAULT 0,"
	" must_change INTEGER NOT NULL DEFAULT 0,"
	" created_ms INTEGER NOT NULL,"
	" changed_ms INTEGER NOT NULL,"
	" last_login_ms INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE sessions ("
	" id INTEGER PRIMARY KEY,"
	" token_hash BLOB NOT NULL UNIQUE,"
	" user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
	" created_ms INTEGER NOT NULL,"
	" last_seen_ms INTEGER NOT NULL,"
	" csrf TEXT NOT NULL);"
	"CREATE INDEX sessions_by_user ON sessions (user_id);"
	"CREATE TABLE api_tokens ("
	" id INTEGER PRIMARY KEY,"
	" token_hash BLOB NOT NULL UNIQUE,"
	" user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
	" name TEXT NOT NULL,"
	" created_ms INTEGER NOT NULL,"
	" expires_ms INTEGER NOT NULL DEFAULT 0,"
	" last_used_ms INTEGER NOT NULL DEFAULT 0,"
	" revoked INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX api_tokens_by_user ON api_tokens (user_id);"
	"CREATE TABLE login_failures ("
	" name_folded TEXT NOT NULL,"
	" addr TEXT NOT NULL,"
	" ts_ms INTEGER NOT NULL);"
	"CREATE INDEX login_failures_by_name ON login_failures"
	" (name_folded, ts_ms);"
	"CREATE INDEX login_failures_by_addr ON login_failures (addr, ts_ms);"
	"CREATE INDEX login_failures_by_ts ON login_failures (ts_ms);"
	"CREATE TABLE audit ("
	" id INTEGER PRIMARY KEY,"
	" ts_ms INTEGER NOT NULL,"
	" event TEXT NOT NULL,"
	" user TEXT,"
	" addr TEXT,"
	" outcome TEXT NOT NULL,"
	" detail TEXT,"
	" actor TEXT);"
	"CREATE INDEX audit_by_ts ON audit (ts_ms);";

static const char *const auth_steps[] = {
	auth_step1,
};

/* The user columns every reader selects, in user_read()'s order. */
#define USER_COLS	"u.id, u.name, u.role, u.disabled, u.locked, " \
			"u.must_change, u.created_ms, u.changed_ms, " \
			"u.last_login_ms"
#define USER_NCOLS	9

static const char *const role_names[] = {
	[AUTH_ROLE_NONE] = "none",
	[AUTH_ROLE_VIEWER] = "viewer",
	[AUTH_ROLE_USER] = "user",
	[AUTH_ROLE_MANAGER] = "manager",
	[AUTH_ROLE_ADMIN] = "admin",
};

/* ---- names, roles, errors ---------------------------------------- */

const char *
auth_role_name(enum auth_role r)
{
	if (r < AUTH_ROLE_NONE || r > AUTH_ROLE_ADMIN)
		return "none";
	return role_names[r];
}

enum auth_role
auth_role_parse(const char *s)
{
	int r;

	if (s == NULL)
		return AUTH_ROLE_NONE;
	for (r = AUTH_ROLE_VIEWER; r <= AUTH_ROLE_ADMIN; r++)
		if (strcasecmp(s, role_names[r]) == 0)
			return (enum auth_role)r;
	return AUTH_ROLE_NONE;
}

const char *
auth_strerror(int err)
{
	switch (err) {
	case AUTH_OK:
		return "ok";
	case AUTH_ERR_DB:
		return "database error";
	case AUTH_ERR_NOT_FOUND:
		return "not found";
	case AUTH_ERR_EXISTS:
		return "already exists";
	case AUTH_ERR_POLICY:
		return "refused by the password policy";
	case AUTH_ERR_INVALID:
		return "invalid argument";
	case AUTH_ERR_DENIED:
		return "denied";
	case AUTH_ERR_THROTTLED:
		return "too many attempts";
	case AUTH_ERR_LAST_ADMIN:
		return "would leave no enabled admin";
	}
	return "unknown error";
}

static void
set_reason(char *reason, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
set_reason(char *reason, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (reason == NULL || len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(reason, len, fmt, ap);
	va_end(ap);
}

static int
name_char_ok(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '@' ||
	    c == '-';
}

/* 1..AUTH_NAME_MAX bytes of [A-Za-z0-9._@-]. */
static int
name_valid(const char *name)
{
	size_t i;

	if (name == NULL || *name == '\0')
		return 0;
	for (i = 0; name[i] != '\0'; i++)
		if (i >= AUTH_NAME_MAX || !name_char_ok((unsigned char)name[i]))
			return 0;
	return 1;
}

/*
 * Any name a client sends, made safe to store and show: at most
 * AUTH_NAME_MAX bytes, non-printable and non-ASCII bytes as '?'; and its
 * case-folded form. A valid name comes out unchanged.
 */
static void
name_clean(const char *name, char shown[AUTH_NAME_MAX + 1],
    char folded[AUTH_NAME_MAX + 1])
{
	size_t i;
	int c;

	for (i = 0; name != NULL && name[i] != '\0' && i < AUTH_NAME_MAX;
	    i++) {
		c = (unsigned char)name[i];
		if (c <= ' ' || c >= 0x7f)
			c = '?';
		shown[i] = (char)c;
		folded[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	shown[i] = folded[i] = '\0';
}

/* ---- SQLite plumbing -------------------------------------------- */

static int
db_fail(struct auth *a, int rc)
{
	snprintf(a->err, sizeof(a->err), "%s", db_errstr(a->db, rc));
	return AUTH_ERR_DB;
}

/*
 * Binds by a format: 's' text (const char *, NULL binds NULL), 'i'
 * int64_t, 'b' a HASH_LEN blob (const uint8_t *).
 */
static int
bind_va(sqlite3_stmt *st, const char *fmt, va_list ap)
{
	const char *s;
	const uint8_t *b;
	int i, rc = SQLITE_OK;

	for (i = 1; rc == SQLITE_OK && fmt[i - 1] != '\0'; i++) {
		switch (fmt[i - 1]) {
		case 's':
			s = va_arg(ap, const char *);
			rc = sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
			break;
		case 'i':
			rc = sqlite3_bind_int64(st, i, va_arg(ap, int64_t));
			break;
		case 'b':
			b = va_arg(ap, const uint8_t *);
			rc = sqlite3_bind_blob(st, i, b, HASH_LEN,
			    SQLITE_STATIC);
			break;
		default:
			rc = SQLITE_MISUSE;	/* a bad format string */
		}
	}
	return rc;
}

/* Prepares and binds a query; the caller steps and finalizes it. */
static int
query(struct auth *a, sqlite3_stmt **st, const char *sql, const char *fmt,
    ...)
{
	va_list ap;
	int rc;

	if ((rc = sqlite3_prepare_v2(a->db, sql, -1, st, NULL)) != SQLITE_OK)
		return db_fail(a, rc);
	va_start(ap, fmt);
	rc = bind_va(*st, fmt, ap);
	va_end(ap);
	if (rc == SQLITE_OK)
		return AUTH_OK;
	db_fail(a, rc);
	sqlite3_finalize(*st);
	*st = NULL;
	return AUTH_ERR_DB;
}

/* Runs a statement without result rows; a->changes says what it did. */
static int
run(struct auth *a, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int rc;

	if ((rc = sqlite3_prepare_v2(a->db, sql, -1, &st, NULL)) != SQLITE_OK)
		return db_fail(a, rc);
	va_start(ap, fmt);
	rc = bind_va(st, fmt, ap);
	va_end(ap);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_DONE)
		rc = SQLITE_OK;
	a->changes = sqlite3_changes(a->db);
	sqlite3_finalize(st);
	if (rc == SQLITE_OK)
		return AUTH_OK;
	if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		db_fail(a, rc);
		return AUTH_ERR_EXISTS;
	}
	return db_fail(a, rc);
}

/* Steps a query to its one row: 1 a row, 0 none, AUTH_ERR_DB. */
static int
step_row(struct auth *a, sqlite3_stmt *st)
{
	int rc;

	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return db_fail(a, rc);
}

static int
tx_begin(struct auth *a)
{
	int rc;

	if ((rc = db_begin(a->db)) != SQLITE_OK)
		return db_fail(a, rc);
	return AUTH_OK;
}

/* Commits when rc is AUTH_OK, else rolls back; returns the outcome. */
static int
tx_end(struct auth *a, int rc)
{
	int src;

	if (rc != AUTH_OK) {
		db_rollback(a->db);
		return rc;
	}
	if ((src = db_commit(a->db)) != SQLITE_OK) {
		rc = db_fail(a, src);
		db_rollback(a->db);
	}
	return rc;
}

static void
user_read(sqlite3_stmt *st, int col, struct auth_user *u)
{
	const unsigned char *name;

	memset(u, 0, sizeof(*u));
	u->id = sqlite3_column_int64(st, col);
	if ((name = sqlite3_column_text(st, col + 1)) != NULL)
		snprintf(u->name, sizeof(u->name), "%s", (const char *)name);
	u->role = auth_role_parse((const char *)sqlite3_column_text(st,
	    col + 2));
	u->disabled = sqlite3_column_int(st, col + 3) != 0;
	u->locked = sqlite3_column_int(st, col + 4) != 0;
	u->must_change = sqlite3_column_int(st, col + 5) != 0;
	u->created_ms = sqlite3_column_int64(st, col + 6);
	u->changed_ms = sqlite3_column_int64(st, col + 7);
	u->last_login_ms = sqlite3_column_int64(st, col + 8);
}

/* The user named folded: AUTH_OK, AUTH_ERR_NOT_FOUND or AUTH_ERR_DB. */
static int
user_by_folded(struct auth *a, const char *folded, struct auth_user *u,
    char hash[crypto_pwhash_STRBYTES])
{
	sqlite3_stmt *st;
	const unsigned char *h;
	int rc;

	if ((rc = query(a, &st, "SELECT " USER_COLS ", u.hash FROM users u"
	    " WHERE u.name_folded = ?", "s", folded)) != AUTH_OK)
		return rc;
	if ((rc = step_row(a, st)) == 1) {
		user_read(st, 0, u);
		h = sqlite3_column_text(st, USER_NCOLS);
		if (hash != NULL)
			snprintf(hash, crypto_pwhash_STRBYTES, "%s",
			    h != NULL ? (const char *)h : "");
		rc = AUTH_OK;
	} else if (rc == 0)
		rc = AUTH_ERR_NOT_FOUND;
	sqlite3_finalize(st);
	return rc;
}

/* The user for a name given by a caller; invalid names do not exist. */
static int
user_find(struct auth *a, const char *name, struct auth_user *u)
{
	char shown[AUTH_NAME_MAX + 1], folded[AUTH_NAME_MAX + 1];

	if (!name_valid(name))
		return AUTH_ERR_NOT_FOUND;
	name_clean(name, shown, folded);
	return user_by_folded(a, folded, u, NULL);
}

/* ---- hashing ------------------------------------------------------ */

static void
token_hash(const char *text, uint8_t out[HASH_LEN])
{
	crypto_generichash(out, HASH_LEN, (const unsigned char *)text,
	    strlen(text), NULL, 0);
}

/* 32 random bytes as 43 base64url characters and a NUL. */
static void
random_text(char out[AUTH_SESSION_TOKEN_LEN + 1])
{
	unsigned char bin[RANDOM_LEN];

	randombytes_buf(bin, sizeof(bin));
	sodium_bin2base64(out, AUTH_SESSION_TOKEN_LEN + 1, bin, sizeof(bin),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(bin, sizeof(bin));
}

static int
hash_password(struct auth *a, const char *password,
    char out[crypto_pwhash_STRBYTES])
{
	if (crypto_pwhash_str(out, password, strlen(password),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		snprintf(a->err, sizeof(a->err), "cannot hash the password: "
		    "out of memory");
		return AUTH_ERR_DB;
	}
	return AUTH_OK;
}

int
auth_str_equal(const char *x, const char *y)
{
	uint8_t hx[HASH_LEN], hy[HASH_LEN];

	if (x == NULL || y == NULL)
		return 0;
	/* Equal-length digests: the compare time says nothing of x or y. */
	token_hash(x, hx);
	token_hash(y, hy);
	return sodium_memcmp(hx, hy, HASH_LEN) == 0;
}

/* ---- open, close, audit ------------------------------------------ */

int
auth_open(struct auth **ap, const char *path, int create,
    int busy_timeout_ms, char *reason, size_t reason_len)
{
	struct auth *a;
	char err[256], seed[AUTH_SESSION_TOKEN_LEN + 1];
	int rc;

	*ap = NULL;
	set_reason(reason, reason_len, "%s", "");
	if (sodium_init() < 0) {
		set_reason(reason, reason_len, "libsodium failed to start");
		return AUTH_ERR_DB;
	}
	if ((a = calloc(1, sizeof(*a))) == NULL) {
		set_reason(reason, reason_len, "out of memory");
		return AUTH_ERR_DB;
	}
	auth_set_limits(a, NULL);
	if (db_open(&a->db, path, create ? DB_CREATE : DB_READWRITE,
	    busy_timeout_ms, err, sizeof(err)) != SQLITE_OK) {
		set_reason(reason, reason_len, "%s", err);
		goto fail;
	}
	if (schema_apply(a->db, auth_steps, (int)(sizeof(auth_steps) /
	    sizeof(auth_steps[0])), "auth.db", err, sizeof(err)) == -1) {
		set_reason(reason, reason_len, "%s", err);
		goto fail;
	}
	random_text(seed);
	rc = hash_password(a, seed, a->dummy);
	sodium_memzero(seed, sizeof(seed));
	if (rc != AUTH_OK) {
		set_reason(reason, reason_len, "%s", a->err);
		goto fail;
	}
	*ap = a;
	return AUTH_OK;
fail:
	db_close(a->db);
	free(a);
	return AUTH_ERR_DB;
}

void
auth_close(struct auth *a)
{
	if (a == NULL)
		return;
	db_close(a->db);
	sodium_memzero(a, sizeof(*a));
	free(a);
}

void
auth_set_limits(struct auth *a, const struct auth_limits *lim)
{
	a->lim.session_idle_ms = DEFAULT_IDLE_MS;
	a->lim.session_max_ms = DEFAULT_MAX_MS;
	if (lim != NULL && lim->session_idle_ms > 0)
		a->lim.session_idle_ms = lim->session_idle_ms;
	if (lim != NULL && lim->session_max_ms > 0)
		a->lim.session_max_ms = lim->session_max_ms;
}

void
auth_set_actor(struct auth *a, const char *actor)
{
	snprintf(a->actor, sizeof(a->actor), "%s", actor != NULL ? actor : "");
}

const char *
auth_last_error(struct auth *a)
{
	return a->err;
}

/* Binds at most AUDIT_TEXT_MAX bytes of an audit field. */
static int
bind_capped(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, s,
	    (int)strnlen(s, AUDIT_TEXT_MAX), SQLITE_STATIC);
}

int
auth_audit(struct auth *a, int64_t now_ms, const char *event,
    const char *user, const char *client_addr, const char *outcome,
    const char *detail)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = sqlite3_prepare_v2(a->db, "INSERT INTO audit (ts_ms, event,"
	    " user, addr, outcome, detail, actor) VALUES (?, ?, ?, ?, ?, ?, ?)",
	    -1, &st, NULL)) != SQLITE_OK)
		return db_fail(a, rc);
	if ((rc = sqlite3_bind_int64(st, 1, now_ms)) != SQLITE_OK ||
	    (rc = bind_capped(st, 2, event != NULL ? event : "?")) !=
	    SQLITE_OK ||
	    (rc = bind_capped(st, 3, user)) != SQLITE_OK ||
	    (rc = bind_capped(st, 4, client_addr)) != SQLITE_OK ||
	    (rc = bind_capped(st, 5, outcome != NULL ? outcome : "?")) !=
	    SQLITE_OK ||
	    (rc = bind_capped(st, 6, detail)) != SQLITE_OK ||
	    (rc = bind_capped(st, 7, a->actor[0] != '\0' ? a->actor : NULL)) !=
	    SQLITE_OK || (rc = sqlite3_step(st)) != SQLITE_DONE) {
		rc = db_fail(a, rc);
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	return AUTH_OK;
}

/* ---- password policy and users ------------------------------------ */

int
auth_password_check(const char *user, const char *password, char *reason,
    size_t reason_len)
{
	enum pwpolicy_status st;

	set_reason(reason, reason_len, "%s", "");
	if (password == NULL) {
		set_reason(reason, reason_len, "no password given");
		return AUTH_ERR_POLICY;
	}
	if ((st = pwpolicy_check(user, password)) != PWPOLICY_OK) {
		set_reason(reason, reason_len, "%s", pwpolicy_reason(st));
		return AUTH_ERR_POLICY;
	}
	return AUTH_OK;
}

int
auth_name_check(const char *name, char *reason, size_t reason_len)
{
	if (name_valid(name))
		return AUTH_OK;
	set_reason(reason, reason_len, "a user name is 1 to %d characters of "
	    "A-Z a-z 0-9 . _ @ -", AUTH_NAME_MAX);
	return AUTH_ERR_INVALID;
}

/* What auth_user_add checks before hashing: name, role, not taken. */
static int
add_checks(struct auth *a, const char *name, enum auth_role role,
    char folded[AUTH_NAME_MAX + 1], char *reason, size_t reason_len)
{
	char shown[AUTH_NAME_MAX + 1];
	struct auth_user u;
	int rc;

	if ((rc = auth_name_check(name, reason, reason_len)) != AUTH_OK)
		return rc;
	if (role < AUTH_ROLE_VIEWER || role > AUTH_ROLE_ADMIN) {
		set_reason(reason, reason_len, "unknown role");
		return AUTH_ERR_INVALID;
	}
	name_clean(name, shown, folded);
	/* Before the 0.13 s hash; the UNIQUE constraint still decides. */
	if ((rc = user_by_folded(a, folded, &u, NULL)) == AUTH_ERR_NOT_FOUND)
		return AUTH_OK;
	if (rc == AUTH_OK) {
		set_reason(reason, reason_len, "user %s exists", u.name);
		return AUTH_ERR_EXISTS;
	}
	set_reason(reason, reason_len, "%s", a->err);
	return rc;
}

int
auth_user_add(struct auth *a, const char *name, enum auth_role role,
    const char *password, int must_change, int64_t now_ms, char *reason,
    size_t reason_len)
{
	char folded[AUTH_NAME_MAX + 1], hash[crypto_pwhash_STRBYTES];
	char detail[64];
	int rc;

	set_reason(reason, reason_len, "%s", "");
	if ((rc = add_checks(a, name, role, folded, reason, reason_len)) !=
	    AUTH_OK ||
	    (rc = auth_password_check(name, password, reason, reason_len)) !=
	    AUTH_OK)
		return rc;
	if ((rc = hash_password(a, password, hash)) != AUTH_OK) {
		set_reason(reason, reason_len, "%s", a->err);
		return rc;
	}
	snprintf(detail, sizeof(detail), "role=%s%s", auth_role_name(role),
	    must_change ? " must_change" : "");
	if ((rc = tx_begin(a)) == AUTH_OK &&
	    (rc = run(a, "INSERT INTO users (name, name_folded, role, hash,"
	    " must_change, created_ms, changed_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
	    "ssssiii", name, folded, auth_role_name(role), hash,
	    (int64_t)(must_change != 0), now_ms, now_ms)) == AUTH_OK)
		rc = auth_audit(a, now_ms, "user.add", name, NULL, "ok",
		    detail);
	rc = tx_end(a, rc);
	sodium_memzero(hash, sizeof(hash));
	if (rc == AUTH_ERR_EXISTS)
		set_reason(reason, reason_len, "user %s exists", name);
	else if (rc != AUTH_OK)
		set_reason(reason, reason_len, "%s", a->err);
	return rc;
}

int
auth_user_get(struct auth *a, const char *name, struct auth_user *u)
{
	return user_find(a, name, u);
}

int
auth_user_list(struct auth *a, int (*fn)(const struct auth_user *, void *),
    void *arg)
{
	struct auth_user u;
	sqlite3_stmt *st;
	int rc;

	if ((rc = query(a, &st, "SELECT " USER_COLS " FROM users u"
	    " ORDER BY u.name_folded", "")) != AUTH_OK)
		return rc;
	while ((rc = step_row(a, st)) == 1) {
		user_read(st, 0, &u);
		if (fn(&u, arg) != 0)
			break;
	}
	sqlite3_finalize(st);
	return rc < 0 ? rc : AUTH_OK;
}

int
auth_user_count(struct auth *a, int64_t *n)
{
	int is_null, rc;

	if ((rc = db_query_int64(a->db, "SELECT COUNT(*) FROM users", n,
	    &is_null)) != SQLITE_OK)
		return db_fail(a, rc);
	return AUTH_OK;
}

/* Ends every session of a user; a->changes says how many. */
static int
end_sessions(struct auth *a, int64_t user_id)
{
	return run(a, "DELETE FROM sessions WHERE user_id = ?", "i", user_id);
}

int
auth_user_set_password(struct auth *a, const char *name, const char *password,
    int64_t now_ms, char *reason, size_t reason_len)
{
	char hash[crypto_pwhash_STRBYTES], detail[64];
	struct auth_user u;
	int rc;

	set_reason(reason, reason_len, "%s", "");
	if ((rc = user_find(a, name, &u)) != AUTH_OK) {
		set_reason(reason, reason_len, "%s", rc == AUTH_ERR_NOT_FOUND ?
		    "no such user" : a->err);
		return rc;
	}
	if ((rc = auth_password_check(u.name, password, reason,
	    reason_len)) != AUTH_OK)
		return rc;
	if ((rc = hash_password(a, password, hash)) != AUTH_OK) {
		set_reason(reason, reason_len, "%s", a->err);
		return rc;
	}
	if ((rc = tx_begin(a)) == AUTH_OK &&
	    (rc = run(a, "UPDATE users SET hash = ?, changed_ms = ?,"
	    " must_change = 0 WHERE id = ?", "sii", hash, now_ms, u.id)) ==
	    AUTH_OK && (rc = end_sessions(a, u.id)) == AUTH_OK) {
		snprintf(detail, sizeof(detail), "sessions_ended=%d",
		    a->changes);
		rc = auth_audit(a, now_ms, "user.passwd", u.name, NULL, "ok",
		    detail);
	}
	rc = tx_end(a, rc);
	sodium_memzero(hash, sizeof(hash));
	if (rc != AUTH_OK)
		set_reason(reason, reason_len, "%s", a->err);
	return rc;
}

int
auth_user_set_must_change(struct auth *a, const char *name, int must_change,
    int64_t now_ms)
{
	struct auth_user u;
	int rc;

	if ((rc = user_find(a, name, &u)) != AUTH_OK)
		return rc;
	if ((rc = tx_begin(a)) == AUTH_OK &&
	    (rc = run(a, "UPDATE users SET must_change = ? WHERE id = ?", "ii",
	    (int64_t)(must_change != 0), u.id)) == AUTH_OK)
		rc = auth_audit(a, now_ms, "user.must_change", u.name, NULL,
		    "ok", must_change ? "set" : "cleared");
	return tx_end(a, rc);
}

/*
 * Inside a transaction: whether taking u's admin rights (demote, disable,
 * delete) would leave no enabled admin. AUTH_OK, AUTH_ERR_LAST_ADMIN or
 * AUTH_ERR_DB.
 */
static int
keeps_an_admin(struct auth *a, const struct auth_user *u)
{
	int64_t others;
	sqlite3_stmt *st;
	int rc;

	if (u->role != AUTH_ROLE_ADMIN || u->disabled)
		return AUTH_OK;
	if ((rc = query(a, &st, "SELECT COUNT(*) FROM users WHERE role ="
	    " 'admin' AND disabled = 0 AND id != ?", "i", u->id)) != AUTH_OK)
		return rc;
	if ((rc = step_row(a, st)) == 1) {
		others = sqlite3_column_int64(st, 0);
		rc = others > 0 ? AUTH_OK : AUTH_ERR_LAST_ADMIN;
	} else if (rc == 0)
		rc = db_fail(a, SQLITE_ERROR);
	sqlite3_finalize(st);
	return rc;
}

/* Begins a transaction and reads the user in it: the checks that follow
 * see what the change will change. */
static int
tx_user(struct auth *a, const char *name, struct auth_user *u)
{
	int rc;

	if (!name_valid(name))
		return AUTH_ERR_NOT_FOUND;
	if ((rc = tx_begin(a)) != AUTH_OK)
		return rc;
	if ((rc = user_find(a, name, u)) != AUTH_OK)
		db_rollback(a->db);
	return rc;
}

int
auth_user_set_role(struct auth *a, const char *name, enum auth_role role,
    int64_t now_ms)
{
	struct auth_user u;
	char detail[64];
	int rc;

	if (role < AUTH_ROLE_VIEWER || role > AUTH_ROLE_ADMIN)
		return AUTH_ERR_INVALID;
	if ((rc = tx_user(a, name, &u)) != AUTH_OK)
		return rc;
	if (role != AUTH_ROLE_ADMIN)
		rc = keeps_an_admin(a, &u);
	snprintf(detail, sizeof(detail), "%s -> %s", auth_role_name(u.role),
	    auth_role_name(role));
	if (rc == AUTH_OK && (rc = run(a, "UPDATE users SET role = ?"
	    " WHERE id = ?", "si", auth_role_name(role), u.id)) == AUTH_OK)
		rc = auth_audit(a, now_ms, "user.role", u.name, NULL, "ok",
		    detail);
	return tx_end(a, rc);
}

static int
disable(struct auth *a, const struct auth_user *u, int64_t now_ms)
{
	char detail[64];
	int rc;

	if ((rc = keeps_an_admin(a, u)) != AUTH_OK ||
	    (rc = run(a, "UPDATE users SET disabled = 1 WHERE id = ?", "i",
	    u->id)) != AUTH_OK || (rc = end_sessions(a, u->id)) != AUTH_OK)
		return rc;
	snprintf(detail, sizeof(detail), "sessions_ended=%d", a->changes);
	return auth_audit(a, now_ms, "user.disable", u->name, NULL, "ok",
	    detail);
}

static int
enable(struct auth *a, const struct auth_user *u, int64_t now_ms)
{
	char shown[AUTH_NAME_MAX + 1], folded[AUTH_NAME_MAX + 1];
	int rc;

	name_clean(u->name, shown, folded);
	if ((rc = run(a, "UPDATE users SET disabled = 0, locked = 0"
	    " WHERE id = ?", "i", u->id)) != AUTH_OK ||
	    (rc = run(a, "DELETE FROM login_failures WHERE name_folded = ?",
	    "s", folded)) != AUTH_OK)
		return rc;
	return auth_audit(a, now_ms, "user.enable", u->name, NULL, "ok",
	    u->locked ? "unlocked" : NULL);
}

int
auth_user_set_disabled(struct auth *a, const char *name, int disabled,
    int64_t now_ms)
{
	struct auth_user u;
	int rc;

	if ((rc = tx_user(a, name, &u)) != AUTH_OK)
		return rc;
	rc = disabled ? disable(a, &u, now_ms) : enable(a, &u, now_ms);
	return tx_end(a, rc);
}

int
auth_user_delete(struct auth *a, const char *name, int64_t now_ms)
{
	char shown[AUTH_NAME_MAX + 1], folded[AUTH_NAME_MAX + 1];
	struct auth_user u;
	int rc;

	if ((rc = tx_user(a, name, &u)) != AUTH_OK)
		return rc;
	name_clean(u.name, shown, folded);
	/* Sessions and tokens go by ON DELETE CASCADE. */
	if ((rc = keeps_an_admin(a, &u)) == AUTH_OK &&
	    (rc = run(a, "DELETE FROM users WHERE id = ?", "i", u.id)) ==
	    AUTH_OK && (rc = run(a, "DELETE FROM login_failures"
	    " WHERE name_folded = ?", "s", folded)) == AUTH_OK)
		rc = auth_audit(a, now_ms, "user.delete", u.name, NULL, "ok",
		    NULL);
	return tx_end(a, rc);
}

int
auth_user_logout(struct auth *a, const char *name, int64_t now_ms,
    int *ended)
{
	struct auth_user u;
	char detail[64];
	int rc;

	if (ended != NULL)
		*ended = 0;
	if ((rc = tx_user(a, name, &u)) != AUTH_OK)
		return rc;
	if ((rc = end_sessions(a, u.id)) == AUTH_OK) {
		if (ended != NULL)
			*ended = a->changes;
		snprintf(detail, sizeof(detail), "sessions_ended=%d",
		    a->changes);
		rc = auth_audit(a, now_ms, "user.logout", u.name, NULL, "ok",
		    detail);
	}
	return tx_end(a, rc);
}

/* ---- sessions ---------------------------------------------------- */

static int64_t
min64(int64_t x, int64_t y)
{
	return x < y ? x : y;
}

/* Fills s from a row of session_select (session columns, then user). */
static void
session_read(struct auth *a, sqlite3_stmt *st, struct auth_session *s)
{
	const unsigned char *csrf;

	memset(s, 0, sizeof(*s));
	s->id = sqlite3_column_int64(st, 0);
	s->created_ms = sqlite3_column_int64(st, 1);
	s->last_seen_ms = sqlite3_column_int64(st, 2);
	if ((csrf = sqlite3_column_text(st, 3)) != NULL)
		snprintf(s->csrf, sizeof(s->csrf), "%s", (const char *)csrf);
	user_read(st, 4, &s->user);
	s->idle_expires_ms = s->last_seen_ms + a->lim.session_idle_ms;
	s->expires_ms = min64(s->idle_expires_ms,
	    s->created_ms + a->lim.session_max_ms);
}

/* The session whose token hashes to h: 1 found, 0 not, AUTH_ERR_DB. */
static int
session_load(struct auth *a, const uint8_t h[HASH_LEN],
    struct auth_session *s)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = query(a, &st, "SELECT s.id, s.created_ms, s.last_seen_ms,"
	    " s.csrf, " USER_COLS " FROM sessions s JOIN users u"
	    " ON u.id = s.user_id WHERE s.token_hash = ?", "b", h)) != AUTH_OK)
		return rc;
	if ((rc = step_row(a, st)) == 1)
		session_read(a, st, s);
	sqlite3_finalize(st);
	return rc;
}

/* A new session for user_id: the token goes to token_out only. */
static int
session_create(struct auth *a, int64_t user_id, int64_t now_ms,
    char token_out[AUTH_SESSION_TOKEN_LEN + 1], uint8_t h[HASH_LEN])
{
	char csrf[AUTH_CSRF_LEN + 1];

	random_text(token_out);
	random_text(csrf);
	token_hash(token_out, h);
	return run(a, "INSERT INTO sessions (token_hash, user_id, created_ms,"
	    " last_seen_ms, csrf) VALUES (?, ?, ?, ?, ?)", "biiis", h, user_id,
	    now_ms, now_ms, csrf);
}

int
auth_session_check(struct auth *a, const char *token, int64_t now_ms,
    int touch, struct auth_session *s)
{
	uint8_t h[HASH_LEN];
	int64_t gap;
	int rc;

	memset(s, 0, sizeof(*s));
	if (token == NULL || strlen(token) != AUTH_SESSION_TOKEN_LEN)
		return AUTH_ERR_DENIED;
	token_hash(token, h);
	if ((rc = session_load(a, h, s)) <= 0)
		return rc == 0 ? AUTH_ERR_DENIED : rc;
	if (now_ms >= s->expires_ms) {
		rc = run(a, "DELETE FROM sessions WHERE id = ?", "i", s->id);
		memset(s, 0, sizeof(*s));
		return rc == AUTH_OK ? AUTH_ERR_DENIED : rc;
	}
	if (s->user.disabled) {
		memset(s, 0, sizeof(*s));
		return AUTH_ERR_DENIED;
	}
	gap = min64(TOUCH_MIN_MS, a->lim.session_idle_ms / 10);
	if (touch && now_ms - s->last_seen_ms >= gap) {
		if ((rc = run(a, "UPDATE sessions SET last_seen_ms = ?"
		    " WHERE id = ?", "ii", now_ms, s->id)) != AUTH_OK)
			return rc;
		s->last_seen_ms = now_ms;
		s->idle_expires_ms = now_ms + a->lim.session_idle_ms;
		s->expires_ms = min64(s->idle_expires_ms,
		    s->created_ms + a->lim.session_max_ms);
	}
	return AUTH_OK;
}

int
auth_session_end(struct auth *a, const char *token, int64_t now_ms)
{
	uint8_t h[HASH_LEN];
	int rc;

	(void)now_ms;	/* the caller audits the logout */
	if (token == NULL)
		return AUTH_ERR_NOT_FOUND;
	token_hash(token, h);
	if ((rc = run(a, "DELETE FROM sessions WHERE token_hash = ?", "b",
	    h)) != AUTH_OK)
		return rc;
	return a->changes > 0 ? AUTH_OK : AUTH_ERR_NOT_FOUND;
}

int
auth_session_prune(struct auth *a, int64_t now_ms, int *removed)
{
	int rc;

	if (removed != NULL)
		*removed = 0;
	if ((rc = run(a, "DELETE FROM sessions WHERE last_seen_ms <= ?"
	    " OR created_ms <= ?", "ii", now_ms - a->lim.session_idle_ms,
	    now_ms - a->lim.session_max_ms)) != AUTH_OK)
		return rc;
	if (removed != NULL)
		*removed = a->changes;
	return AUTH_OK;
}

/* ---- login ------------------------------------------------------- */

/* Failure times of a name or an address, newest last, at most max. */
static int
failure_times(struct auth *a, const char *sql, const char *key,
    int64_t since_ms, int64_t *ts, size_t max, size_t *n)
{
	sqlite3_stmt *st;
	size_t i;
	int rc;

	*n = 0;
	if ((rc = query(a, &st, sql, "sii", key, since_ms, (int64_t)max)) !=
	    AUTH_OK)
		return rc;
	/* The query gives newest first; the throttle wants oldest first. */
	while (*n < max && (rc = step_row(a, st)) == 1)
		ts[(*n)++] = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc < 0)
		return rc;
	for (i = 0; i < *n / 2; i++) {
		int64_t t = ts[i];

		ts[i] = ts[*n - 1 - i];
		ts[*n - 1 - i] = t;
	}
	return AUTH_OK;
}

static int
addr_wait(struct auth *a, const char *addr, int64_t now_ms, int64_t *wait)
{
	int64_t ts[THROTTLE_ADDR_MAX];
	size_t n;
	int rc;

	*wait = 0;
	if ((rc = failure_times(a, "SELECT ts_ms FROM login_failures"
	    " WHERE addr = ? AND ts_ms > ? ORDER BY ts_ms DESC LIMIT ?", addr,
	    now_ms - THROTTLE_ADDR_WINDOW_MS, ts, THROTTLE_ADDR_MAX, &n)) !=
	    AUTH_OK)
		return rc;
	*wait = throttle_addr_wait(ts, n, now_ms);
	return AUTH_OK;
}

static int
account_wait(struct auth *a, const char *folded, int64_t now_ms,
    int64_t *wait)
{
	int64_t ts[THROTTLE_ACCT_SCAN];
	size_t n;
	int rc;

	*wait = 0;
	if ((rc = failure_times(a, "SELECT ts_ms FROM login_failures"
	    " WHERE name_folded = ? AND ts_ms > ? ORDER BY ts_ms DESC LIMIT ?",
	    folded, now_ms - THROTTLE_KEEP_MS, ts, THROTTLE_ACCT_SCAN, &n)) !=
	    AUTH_OK)
		return rc;
	*wait = throttle_account_wait(ts, n, now_ms);
	return AUTH_OK;
}

/* Locks an existing account once it has failed THROTTLE_LOCK_MAX times
 * within the hour. Inside the failure's transaction. */
static int
maybe_lock(struct auth *a, const char *shown, const char *folded,
    int64_t now_ms)
{
	sqlite3_stmt *st;
	int64_t n = 0;
	int rc;

	if ((rc = query(a, &st, "SELECT COUNT(*) FROM login_failures"
	    " WHERE name_folded = ? AND ts_ms > ?", "si", folded,
	    now_ms - THROTTLE_LOCK_WINDOW_MS)) != AUTH_OK)
		return rc;
	if ((rc = step_row(a, st)) == 1)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc < 0)
		return rc;
	if (!throttle_lock_due((size_t)n))
		return AUTH_OK;
	if ((rc = run(a, "UPDATE users SET locked = 1 WHERE name_folded = ?"
	    " AND locked = 0", "s", folded)) != AUTH_OK || a->changes == 0)
		return rc;
	return auth_audit(a, now_ms, "user.lock", shown, NULL, "locked",
	    "100 failed logins within an hour");
}

/*
 * A failed attempt (outcome says why), inside the caller's transaction:
 * its failure row unless the gate already claimed one, the audit row and
 * maybe the lock.
 */
static int
failure_note(struct auth *a, const char *shown, const char *folded,
    const char *addr, int64_t now_ms, const char *outcome, int claimed)
{
	int rc;

	if (!claimed && (rc = run(a, "INSERT INTO login_failures"
	    " (name_folded, addr, ts_ms) VALUES (?, ?, ?)", "ssi", folded, addr,
	    now_ms)) != AUTH_OK)
		return rc;
	if ((rc = auth_audit(a, now_ms, "login", shown, addr, "failed",
	    outcome)) != AUTH_OK)
		return rc;
	return maybe_lock(a, shown, folded, now_ms);
}

/* A checked password was wrong (its failure was claimed at the gate). */
static int
login_failed(struct auth *a, const char *shown, const char *folded,
    const char *addr, int64_t now_ms, const char *outcome)
{
	int rc;

	if ((rc = tx_begin(a)) == AUTH_OK)
		rc = failure_note(a, shown, folded, addr, now_ms, outcome, 1);
	rc = tx_end(a, rc);
	return rc == AUTH_OK ? AUTH_ERR_DENIED : rc;
}

/*
 * The success path: a rehash when the stored parameters are not the
 * current ones (done before the transaction: it takes 0.13 s), then the
 * failures cleared, last_login, the session and the audit row at once.
 */
static int
login_succeeded(struct auth *a, const struct auth_user *u,
    const char hash[crypto_pwhash_STRBYTES], const char *password, const char *addr, int64_t now_ms,
    char token_out[AUTH_SESSION_TOKEN_LEN + 1], struct auth_session *s)
{
	char shown[AUTH_NAME_MAX + 1], folded[AUTH_NAME_MAX + 1];
	char fresh[crypto_pwhash_STRBYTES], detail[64];
	uint8_t h[HASH_LEN];
	int rc, rehash;

	name_clean(u->name, shown, folded);
	rehash = crypto_pwhash_str_needs_rehash(hash,
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0;
	if (rehash && hash_password(a, password, fresh) != AUTH_OK)
		rehash = 0;	/* keep the old hash; try again next time */
	if ((rc = tx_begin(a)) == AUTH_OK &&
	    (rc = run(a, "DELETE FROM login_failures WHERE name_folded = ?",
	    "s", folded)) == AUTH_OK &&
	    (!rehash || (rc = run(a, "UPDATE users SET hash = ? WHERE id = ?",
	    "si", fresh, u->id)) == AUTH_OK) &&
	    (rc = run(a, "UPDATE users SET last_login_ms = ? WHERE id = ?",
	    "ii", now_ms, u->id)) == AUTH_OK &&
	    (rc = session_create(a, u->id, now_ms, token_out, h)) == AUTH_OK) {
		snprintf(detail, sizeof(detail), "session=%lld%s",
		    (long long)sqlite3_last_insert_rowid(a->db),
		    rehash ? " rehashed" : "");
		rc = auth_audit(a, now_ms, "login", u->name, addr, "ok",
		    detail);
	}
	rc = tx_end(a, rc);
	sodium_memzero(fresh, sizeof(fresh));
	if (rc == AUTH_OK && (rc = session_load(a, h, s)) == 1)
		return AUTH_OK;
	sodium_memzero(token_out, AUTH_SESSION_TOKEN_LEN + 1);
	return rc == 0 ? db_fail(a, SQLITE_ERROR) : rc;
}

/* Why a verified attempt is refused, or NULL when it is not. */
static const char *
login_refusal(int found, int verified, const struct auth_user *u)
{
	if (!found)
		return "unknown user";
	if (!verified)
		return "bad password";
	if (u->disabled)
		return "disabled";
	if (u->locked)
		return "locked";
	return NULL;
}

/*
 * The throttles, before any password is looked at: AUTH_OK to go on,
 * AUTH_ERR_THROTTLED (address), AUTH_ERR_DENIED (account delay, counted
 * as a failure) or AUTH_ERR_DB. One write transaction decides and, when
 * the attempt may go on, claims its failure row at once: an attempt
 * hashing in another thread meanwhile counts toward both limits, so
 * concurrent attempts cannot pass a gate that only one of them may.
 * A success deletes the claim with the name's other failures.
 */
static int
login_gate(struct auth *a, const char *shown, const char *folded,
    const char *addr, int64_t now_ms, int64_t *retry_after_ms)
{
	char detail[64];
	int64_t wait;
	int rc, out = AUTH_OK;

	if ((rc = tx_begin(a)) != AUTH_OK)
		return rc;
	if ((rc = run(a, "DELETE FROM login_failures WHERE ts_ms <= ?", "i",
	    now_ms - THROTTLE_KEEP_MS)) != AUTH_OK ||
	    (rc = addr_wait(a, addr, now_ms, &wait)) != AUTH_OK)
		return tx_end(a, rc);
	if (wait > 0) {
		/* Audited, counted nowhere: the address is waiting. */
		snprintf(detail, sizeof(detail), "retry_after_ms=%lld",
		    (long long)wait);
		rc = auth_audit(a, now_ms, "login", shown, addr, "throttled",
		    detail);
		if (retry_after_ms != NULL)
			*retry_after_ms = wait;
		out = AUTH_ERR_THROTTLED;
	} else if ((rc = account_wait(a, folded, now_ms, &wait)) == AUTH_OK &&
	    wait > 0) {
		rc = failure_note(a, shown, folded, addr, now_ms, "delayed", 0);
		out = AUTH_ERR_DENIED;
	} else if (rc == AUTH_OK)
		rc = run(a, "INSERT INTO login_failures (name_folded, addr, ts_ms)"
		    " VALUES (?, ?, ?)", "ssi", folded, addr, now_ms);
	rc = tx_end(a, rc);
	return rc != AUTH_OK ? rc : out;
}

int
auth_login(struct auth *a, const char *name, const char *password,
    const char *client_addr, int64_t now_ms,
    char token_out[AUTH_SESSION_TOKEN_LEN + 1], struct auth_session *s,
    int64_t *retry_after_ms)
{
	char shown[AUTH_NAME_MAX + 1], folded[AUTH_NAME_MAX + 1];
	char hash[crypto_pwhash_STRBYTES];
	const char *addr = client_addr != NULL ? client_addr : "";
	const char *why;
	struct auth_user u;
	int found, rc, verified;

	token_out[0] = '\0';
	memset(s, 0, sizeof(*s));
	memset(&u, 0, sizeof(u));
	if (retry_after_ms != NULL)
		*retry_after_ms = 0;
	name_clean(name, shown, folded);
	if ((rc = login_gate(a, shown, folded, addr, now_ms,
	    retry_after_ms)) != AUTH_OK)
		return rc;
	if ((rc = user_by_folded(a, folded, &u, hash)) == AUTH_ERR_DB)
		return rc;
	if ((found = rc == AUTH_OK) == 0)
		memcpy(hash, a->dummy, sizeof(hash));
	verified = password != NULL &&
	    strnlen(password, AUTH_PASSWORD_MAX_BYTES + 1) <=
	    AUTH_PASSWORD_MAX_BYTES && crypto_pwhash_str_verify(hash,
	    password, strlen(password)) == 0;
	if ((why = login_refusal(found, verified, &u)) != NULL)
		rc = login_failed(a, shown, folded, addr, now_ms, why);
	else
		rc = login_succeeded(a, &u, hash, password, addr, now_ms,
		    token_out, s);
	sodium_memzero(hash, sizeof(hash));
	return rc;
}

/* ---- API tokens -------------------------------------------------- */

/* The checksum of a token's random part: 6 base64url characters. */
static void
token_sum(const char *random43, char out[TOKEN_SUM_LEN + 1])
{
	uint8_t h[HASH_LEN];

	crypto_generichash(h, HASH_LEN, (const unsigned char *)random43, 43,
	    NULL, 0);
	sodium_bin2base64(out, TOKEN_SUM_LEN + 1, h, 4,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static int
b64url_char(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* 1 well-formed, 0 not: prefix, lengths, alphabet, separator. */
static int
token_well_formed(const char *t)
{
	size_t i, plen = sizeof(AUTH_API_TOKEN_PREFIX) - 1;

	if (strnlen(t, AUTH_API_TOKEN_LEN + 1) != AUTH_API_TOKEN_LEN ||
	    strncmp(t, AUTH_API_TOKEN_PREFIX, plen) != 0 ||
	    t[TOKEN_SUM_AT - 1] != '_')
		return 0;
	for (i = plen; i < AUTH_API_TOKEN_LEN; i++)
		if (i != TOKEN_SUM_AT - 1 && !b64url_char((unsigned char)t[i]))
			return 0;
	return 1;
}

static int
token_name_valid(const char *name)
{
	size_t i, len;

	if (name == NULL || (len = strlen(name)) == 0 ||
	    len > AUTH_TOKEN_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)name[i] < ' ' || name[i] == 0x7f)
			return 0;
	return 1;
}

int
auth_token_create(struct auth *a, const char *user, const char *name,
    int days, int64_t now_ms, char token_out[AUTH_API_TOKEN_LEN + 1],
    int64_t *id)
{
	char rnd[AUTH_SESSION_TOKEN_LEN + 1], sum[TOKEN_SUM_LEN + 1];
	char detail[AUTH_TOKEN_NAME_MAX + 64];
	struct auth_user u;
	uint8_t h[HASH_LEN];
	int64_t expires;
	int rc;

	token_out[0] = '\0';
	if (!token_name_valid(name) || days < 0 || days > TOKEN_DAYS_MAX)
		return AUTH_ERR_INVALID;
	if ((rc = tx_user(a, user, &u)) != AUTH_OK)
		return rc;
	random_text(rnd);
	token_sum(rnd, sum);
	snprintf(token_out, AUTH_API_TOKEN_LEN + 1, "%s%s_%s",
	    AUTH_API_TOKEN_PREFIX, rnd, sum);
	sodium_memzero(rnd, sizeof(rnd));
	token_hash(token_out, h);
	expires = days > 0 ? now_ms + days * DAY_MS : 0;
	if ((rc = run(a, "INSERT INTO api_tokens (token_hash, user_id, name,"
	    " created_ms, expires_ms) VALUES (?, ?, ?, ?, ?)", "bisii", h, u.id,
	    name, now_ms, expires)) == AUTH_OK) {
		if (id != NULL)
			*id = sqlite3_last_insert_rowid(a->db);
		snprintf(detail, sizeof(detail), "id=%lld name=%s days=%d",
		    (long long)sqlite3_last_insert_rowid(a->db), name, days);
		rc = auth_audit(a, now_ms, "token.create", u.name, NULL, "ok",
		    detail);
	}
	if ((rc = tx_end(a, rc)) != AUTH_OK)
		sodium_memzero(token_out, AUTH_API_TOKEN_LEN + 1);
	return rc;
}

/* The token row for hash h: 1 found (fills the rest), 0 not, or error. */
static int
token_load(struct auth *a, const uint8_t h[HASH_LEN], int64_t *id,
    int64_t *expires_ms, int64_t *last_used_ms, int *revoked,
    struct auth_user *u)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = query(a, &st, "SELECT t.id, t.expires_ms, t.last_used_ms,"
	    " t.revoked, " USER_COLS " FROM api_tokens t JOIN users u"
	    " ON u.id = t.user_id WHERE t.token_hash = ?", "b", h)) != AUTH_OK)
		return rc;
	if ((rc = step_row(a, st)) == 1) {
		*id = sqlite3_column_int64(st, 0);
		*expires_ms = sqlite3_column_int64(st, 1);
		*last_used_ms = sqlite3_column_int64(st, 2);
		*revoked = sqlite3_column_int(st, 3) != 0;
		user_read(st, 4, u);
	}
	sqlite3_finalize(st);
	return rc;
}

int
auth_token_check(struct auth *a, const char *token, int64_t now_ms,
    struct auth_user *user)
{
	char sum[TOKEN_SUM_LEN + 1];
	struct auth_user u;
	uint8_t h[HASH_LEN];
	int64_t id = 0, expires = 0, last_used = 0;
	int rc, revoked = 1;

	memset(user, 0, sizeof(*user));
	if (token == NULL || !token_well_formed(token))
		return AUTH_ERR_DENIED;
	token_sum(token + sizeof(AUTH_API_TOKEN_PREFIX) - 1, sum);
	if (sodium_memcmp(sum, token + TOKEN_SUM_AT, TOKEN_SUM_LEN) != 0)
		return AUTH_ERR_INVALID;
	token_hash(token, h);
	if ((rc = token_load(a, h, &id, &expires, &last_used, &revoked,
	    &u)) <= 0)
		return rc == 0 ? AUTH_ERR_DENIED : rc;
	if (revoked || (expires != 0 && now_ms >= expires) || u.disabled)
		return AUTH_ERR_DENIED;
	if (now_ms - last_used >= TOKEN_USE_MIN_MS && (rc = run(a,
	    "UPDATE api_tokens SET last_used_ms = ? WHERE id = ?", "ii",
	    now_ms, id)) != AUTH_OK)
		return rc;
	*user = u;
	return AUTH_OK;
}

int
auth_token_revoke(struct auth *a, int64_t id, int64_t now_ms)
{
	sqlite3_stmt *st;
	char user[AUTH_NAME_MAX + 1], detail[64];
	const unsigned char *name;
	int rc;

	if ((rc = tx_begin(a)) != AUTH_OK)
		return rc;
	if ((rc = query(a, &st, "SELECT u.name FROM api_tokens t JOIN users u"
	    " ON u.id = t.user_id WHERE t.id = ?", "i", id)) != AUTH_OK)
		return tx_end(a, rc);
	if ((rc = step_row(a, st)) == 1) {
		name = sqlite3_column_text(st, 0);
		snprintf(user, sizeof(user), "%s",
		    name != NULL ? (const char *)name : "");
	}
	sqlite3_finalize(st);
	if (rc <= 0)
		return tx_end(a, rc == 0 ? AUTH_ERR_NOT_FOUND : rc);
	snprintf(detail, sizeof(detail), "id=%lld", (long long)id);
	if ((rc = run(a, "UPDATE api_tokens SET revoked = 1 WHERE id = ?",
	    "i", id)) == AUTH_OK)
		rc = auth_audit(a, now_ms, "token.revoke", user, NULL, "ok",
		    detail);
	return tx_end(a, rc);
}

static void
token_info_read(sqlite3_stmt *st, struct auth_token_info *t)
{
	const unsigned char *s;

	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(st, 0);
	if ((s = sqlite3_column_text(st, 1)) != NULL)
		snprintf(t->user, sizeof(t->user), "%s", (const char *)s);
	if ((s = sqlite3_column_text(st, 2)) != NULL)
		snprintf(t->name, sizeof(t->name), "%s", (const char *)s);
	t->created_ms = sqlite3_column_int64(st, 3);
	t->expires_ms = sqlite3_column_int64(st, 4);
	t->last_used_ms = sqlite3_column_int64(st, 5);
	t->revoked = sqlite3_column_int(st, 6) != 0;
}

int
auth_token_list(struct auth *a, const char *user,
    int (*fn)(const struct auth_token_info *, void *), void *arg)
{
	char shown[AUTH_NAME_MAX + 1], folded[AUTH_NAME_MAX + 1];
	struct auth_token_info t;
	struct auth_user u;
	sqlite3_stmt *st;
	int rc;

	if (user != NULL && (rc = user_find(a, user, &u)) != AUTH_OK)
		return rc;
	name_clean(user, shown, folded);
	if ((rc = query(a, &st, "SELECT t.id, u.name, t.name, t.created_ms,"
	    " t.expires_ms, t.last_used_ms, t.revoked FROM api_tokens t"
	    " JOIN users u ON u.id = t.user_id WHERE ? IS NULL"
	    " OR u.name_folded = ? ORDER BY t.id", "ss",
	    user != NULL ? folded : NULL, folded)) != AUTH_OK)
		return rc;
	while ((rc = step_row(a, st)) == 1) {
		token_info_read(st, &t);
		if (fn(&t, arg) != 0)
			break;
	}
	sqlite3_finalize(st);
	return rc < 0 ? rc : AUTH_OK;
}
