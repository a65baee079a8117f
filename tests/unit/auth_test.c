/*
 * The auth core (common/auth.c) against a real auth.db in a temp
 * directory, with a clock the test sets. A second SQLite connection reads
 * (and, to set up throttle states without 100 hashes, writes) the same
 * file, the way an operator with sqlite3(1) would. Each argon2id hash
 * takes ~0.13 s, so users and logins are few.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "../check.h"
#include "auth.h"

#define T0	INT64_C(1700000000000)
#define SEC	INT64_C(1000)
#define MIN	(60 * SEC)
#define HOUR	(60 * MIN)
#define DAY	(24 * HOUR)

static const char pw_alice[] = "glacier maple lantern";
static const char pw_bob[] = "purple otters juggle quietly";
static const char pw_carol[] = "seven brass kettles humming";
static const char pw_carol2[] = "orchard violin tunnel breeze";
static const char pw_dave[] = "copper falcon winter harbor";

static char dir[64], path[128];
static sqlite3 *raw;		/* the test's own connection */
static struct auth *a;

static int64_t
raw_int(const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_prepare_v2(raw, sql, -1, &st, NULL) != SQLITE_OK) {
		printf("# %s: %s\n", sql, sqlite3_errmsg(raw));
		return -1;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int
raw_exec(const char *sql)
{
	int rc = sqlite3_exec(raw, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		printf("# %s: %s\n", sql, sqlite3_errmsg(raw));
	return rc;
}

static void
raw_text(const char *sql, char *out, size_t len)
{
	sqlite3_stmt *st;

	out[0] = '\0';
	if (sqlite3_prepare_v2(raw, sql, -1, &st, NULL) != SQLITE_OK)
		return;
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_text(st, 0) != NULL)
		snprintf(out, len, "%s",
		    (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

/* Seeds n login failures of name from addr at time ts. */
static void
seed_failures(const char *name, const char *addr, int64_t ts, int n)
{
	char sql[256];
	int i;

	raw_exec("BEGIN");
	for (i = 0; i < n; i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO login_failures"
		    " (name_folded, addr, ts_ms) VALUES ('%s', '%s', %lld)",
		    name, addr, (long long)ts);
		raw_exec(sql);
	}
	raw_exec("COMMIT");
}

static int
contains(const char *buf, size_t n, const char *needle, size_t len)
{
	size_t i;

	for (i = 0; i + len <= n; i++)
		if (memcmp(buf + i, needle, len) == 0)
			return 1;
	return 0;
}

/* Whether needle appears in any file of the directory (db, -wal, -shm). */
static int
dir_contains(const char *needle)
{
	DIR *d;
	struct dirent *e;
	char p[512], *buf;
	FILE *f;
	size_t n, len = strlen(needle);
	long size;
	int found = 0;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while (!found && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if ((f = fopen(p, "rb")) == NULL)
			continue;
		fseek(f, 0, SEEK_END);
		size = ftell(f);
		rewind(f);
		if (size > 0 && (buf = malloc((size_t)size)) != NULL) {
			n = fread(buf, 1, (size_t)size, f);
			found = contains(buf, n, needle, len);
			free(buf);
		}
		fclose(f);
	}
	closedir(d);
	return found;
}

static int64_t
audit_count(const char *event, const char *outcome, const char *detail)
{
	char sql[512];

	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM audit WHERE event ="
	    " '%s' AND outcome = '%s' AND ('%s' = '' OR detail = '%s')",
	    event, outcome, detail, detail);
	return raw_int(sql);
}

static int
login(const char *name, const char *pw, const char *addr, int64_t now,
    char token[AUTH_SESSION_TOKEN_LEN + 1], struct auth_session *s)
{
	int64_t retry;

	return auth_login(a, name, pw, addr, now, token, s, &retry);
}

static double
secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
test_open(void)
{
	struct auth *b;
	struct stat sb;
	char reason[AUTH_REASON_LEN], missing[160];

	CHECK(auth_open(&a, path, 1, 1000, reason, sizeof(reason)) == AUTH_OK,
	    "open creates auth.db (%s)", reason);
	CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600,
	    "auth.db has mode 0600 (%o)", (unsigned)(sb.st_mode & 0777));
	CHECK(sqlite3_open_v2(path, &raw, SQLITE_OPEN_READWRITE, NULL) ==
	    SQLITE_OK, "a second connection opens it");
	sqlite3_busy_timeout(raw, 2000);
	CHECK(raw_int("PRAGMA user_version") == 1, "schema version 1");
	snprintf(missing, sizeof(missing), "%s/nodir/auth.db", dir);
	CHECK(auth_open(&b, missing, 1, 1000, reason, sizeof(reason)) ==
	    AUTH_ERR_DB && b == NULL && strstr(reason, "nodir") != NULL,
	    "missing directory refused with a reason (%s)", reason);
	snprintf(missing, sizeof(missing), "%s/absent.db", dir);
	CHECK(auth_open(&b, missing, 0, 1000, reason, sizeof(reason)) ==
	    AUTH_ERR_DB, "without create a missing file is an error");
	auth_set_actor(a, "unit-test");
}

static void
test_users(void)
{
	struct auth_user u;
	char reason[AUTH_REASON_LEN], hash[256], longname[AUTH_NAME_MAX + 2];
	int64_t n;

	CHECK(auth_user_add(a, "Alice", AUTH_ROLE_ADMIN, pw_alice, 0, T0,
	    reason, sizeof(reason)) == AUTH_OK, "add Alice (%s)", reason);
	CHECK(auth_user_add(a, "aLICE", AUTH_ROLE_USER, pw_bob, 0, T0,
	    reason, sizeof(reason)) == AUTH_ERR_EXISTS,
	    "add aLICE refused: names compare case-folded (%s)", reason);
	CHECK(auth_user_add(a, "bad name", AUTH_ROLE_USER, pw_bob, 0, T0,
	    reason, sizeof(reason)) == AUTH_ERR_INVALID,
	    "a name with a space refused (%s)", reason);
	memset(longname, 'x', AUTH_NAME_MAX + 1);
	longname[AUTH_NAME_MAX + 1] = '\0';
	CHECK(auth_user_add(a, longname, AUTH_ROLE_USER, pw_bob, 0, T0, reason,
	    sizeof(reason)) == AUTH_ERR_INVALID, "a 65-byte name refused");
	CHECK(auth_user_add(a, "bob", AUTH_ROLE_NONE, pw_bob, 0, T0, reason,
	    sizeof(reason)) == AUTH_ERR_INVALID, "role none refused");
	CHECK(auth_user_add(a, "bob", AUTH_ROLE_USER, "password1234567", 0,
	    T0, reason, sizeof(reason)) == AUTH_ERR_POLICY &&
	    strstr(reason, "common") != NULL &&
	    strstr(reason, "password1234567") == NULL,
	    "a common password refused with the reason (%s)", reason);
	CHECK(auth_user_add(a, "bob", AUTH_ROLE_USER, "my bob password is",
	    0, T0, reason, sizeof(reason)) == AUTH_ERR_POLICY,
	    "a password with the user name refused (%s)", reason);
	CHECK(auth_user_add(a, "bob", AUTH_ROLE_USER, pw_bob, 0, T0 + 1,
	    reason, sizeof(reason)) == AUTH_OK, "add bob");
	CHECK(auth_user_add(a, "carol", AUTH_ROLE_VIEWER, pw_carol, 1, T0 + 2,
	    reason, sizeof(reason)) == AUTH_OK, "add carol, must change");
	CHECK(auth_user_get(a, "ALICE", &u) == AUTH_OK &&
	    strcmp(u.name, "Alice") == 0 && u.role == AUTH_ROLE_ADMIN &&
	    u.created_ms == T0 && u.changed_ms == T0 && u.last_login_ms == 0 &&
	    !u.disabled && !u.locked && !u.must_change,
	    "get ALICE finds Alice as created");
	CHECK(auth_user_get(a, "carol", &u) == AUTH_OK && u.must_change,
	    "carol has must_change");
	CHECK(auth_user_get(a, "nobody", &u) == AUTH_ERR_NOT_FOUND,
	    "get unknown user: not found");
	CHECK(auth_user_count(a, &n) == AUTH_OK && n == 3, "3 users");
	raw_text("SELECT hash FROM users WHERE name_folded = 'alice'", hash,
	    sizeof(hash));
	CHECK(strncmp(hash, "$argon2id$v=19$m=65536,t=2,p=1$", 31) == 0,
	    "hash is argon2id INTERACTIVE (%.40s)", hash);
	CHECK(audit_count("user.add", "ok", "") == 3, "3 user.add audited");
	CHECK(raw_int("SELECT COUNT(*) FROM audit WHERE event = 'user.add'"
	    " AND actor = 'unit-test'") == 3, "the actor is audited");
}

static int
collect_names(const struct auth_user *u, void *arg)
{
	strcat(arg, u->name);
	strcat(arg, ",");
	return 0;
}

static void
test_list(void)
{
	char names[256] = "";

	CHECK(auth_user_list(a, collect_names, names) == AUTH_OK &&
	    strcmp(names, "Alice,bob,carol,") == 0,
	    "list in case-folded name order (%s)", names);
}

static void
test_login(void)
{
	char tok[AUTH_SESSION_TOKEN_LEN + 1], tok2[AUTH_SESSION_TOKEN_LEN + 1];
	struct auth_session s, s2;
	struct auth_user u;
	double t_unknown, t_delayed;

	CHECK(login("alice", pw_alice, "10.0.0.1", T0 + MIN, tok, &s) ==
	    AUTH_OK && strlen(tok) == AUTH_SESSION_TOKEN_LEN &&
	    s.user.role == AUTH_ROLE_ADMIN && strlen(s.csrf) == AUTH_CSRF_LEN &&
	    s.expires_ms == T0 + MIN + 30 * MIN,
	    "login with a case-folded name succeeds");
	CHECK(dir_contains(tok) == 0, "the session token is not stored");
	CHECK(auth_session_check(a, tok, T0 + MIN, 0, &s2) == AUTH_OK &&
	    s2.id == s.id && strcmp(s2.csrf, s.csrf) == 0,
	    "the new session checks");
	CHECK(login("alice", pw_alice, "10.0.0.1", T0 + MIN, tok2, &s2) ==
	    AUTH_OK && strcmp(tok, tok2) != 0 && s2.id != s.id,
	    "a second login makes a new token");
	CHECK(auth_user_get(a, "alice", &u) == AUTH_OK &&
	    u.last_login_ms == T0 + MIN, "last_login recorded");
	CHECK(login("alice", "GLACIER MAPLE LANTERN", "10.0.0.1", T0 + MIN,
	    tok2, &s2) == AUTH_ERR_DENIED && tok2[0] == '\0',
	    "the password is not case-folded");
	t_unknown = secs();
	CHECK(login("mallory", pw_alice, "10.0.0.1", T0 + MIN, tok2, &s2) ==
	    AUTH_ERR_DENIED, "unknown user denied");
	t_unknown = secs() - t_unknown;
	CHECK(t_unknown > 0.03, "unknown user still costs a hash (%.3f s)",
	    t_unknown);
	CHECK(login("carol", pw_carol, "10.0.0.2", T0 + MIN, tok2, &s2) ==
	    AUTH_OK && s2.user.must_change, "must_change user logs in, "
	    "the session says must_change");
	CHECK(audit_count("login", "ok", "") == 3 &&
	    audit_count("login", "failed", "bad password") == 1 &&
	    audit_count("login", "failed", "unknown user") == 1,
	    "every attempt audited with its outcome");
	CHECK(raw_int("SELECT COUNT(*) FROM audit WHERE event = 'login' AND"
	    " addr = '10.0.0.1'") == 4, "the address is audited");
	/* "Eve", "EVE", ... are one account for the throttle. */
	const char *eves[] = { "Eve", "EVE", "eve", "eVe", "evE" };
	for (int i = 0; i < 5; i++)
		login(eves[i], pw_alice, "10.0.1.1", T0 + 2 * MIN, tok2, &s2);
	t_delayed = secs();
	CHECK(login("EvE", pw_alice, "10.0.1.2", T0 + 2 * MIN + 999, tok2,
	    &s2) == AUTH_ERR_DENIED && audit_count("login", "failed",
	    "delayed") == 1, "6th attempt within 1 s of 5 failures delayed, "
	    "names case-folded, any address");
	t_delayed = secs() - t_delayed;
	/* Relative, so a loaded machine slows both alike. */
	CHECK(t_delayed < t_unknown / 3, "a delayed attempt checks no "
	    "password (%.3f s against %.3f s)", t_delayed, t_unknown);
	CHECK(raw_int("SELECT COUNT(*) FROM login_failures WHERE"
	    " name_folded = 'eve'") == 6, "the delayed attempt counts");
}

static void
test_account_delay_known(void)
{
	char tok[AUTH_SESSION_TOKEN_LEN + 1];
	struct auth_session s;
	int64_t t = T0 + 10 * MIN;

	seed_failures("bob", "10.0.2.1", t, 5);
	CHECK(login("bob", pw_bob, "10.0.2.2", t + 999, tok, &s) ==
	    AUTH_ERR_DENIED, "right password inside the delay denied");
	/* Now 6 failures, the latest at t + 999: wait 2 s from there. */
	CHECK(login("bob", pw_bob, "10.0.2.2", t + 999 + 1999, tok, &s) ==
	    AUTH_ERR_DENIED, "still inside the doubled delay");
	CHECK(login("bob", pw_bob, "10.0.2.2", t + 2998 + 4000, tok, &s) ==
	    AUTH_OK, "right password after the delay accepted");
	CHECK(raw_int("SELECT COUNT(*) FROM login_failures WHERE"
	    " name_folded = 'bob'") == 0, "success clears the failures");
}

static void
test_addr_throttle(void)
{
	char tok[AUTH_SESSION_TOKEN_LEN + 1];
	struct auth_session s;
	int64_t retry = 0, t = T0 + 20 * MIN;
	int64_t before;

	/* 19 failures of 19 names, the oldest at t - 60 s, then a 20th. */
	for (int i = 0; i < 19; i++) {
		char name[16];

		snprintf(name, sizeof(name), "u%d", i);
		seed_failures(name, "192.0.2.9", t - 60 * SEC + i, 1);
	}
	CHECK(login("u99", "wrong wrong wrong", "192.0.2.9", t, tok, &s) ==
	    AUTH_ERR_DENIED, "20th failure from one address: denied");
	before = raw_int("SELECT COUNT(*) FROM login_failures");
	CHECK(auth_login(a, "alice", pw_alice, "192.0.2.9", t + 1, tok, &s,
	    &retry) == AUTH_ERR_THROTTLED && retry == 5 * MIN - 60 * SEC - 1,
	    "21st attempt throttled, retry when the oldest leaves (%lld)",
	    (long long)retry);
	CHECK(raw_int("SELECT COUNT(*) FROM login_failures") == before &&
	    audit_count("login", "throttled", "") == 1,
	    "a throttled attempt is audited, not counted");
	CHECK(auth_login(a, "alice", pw_alice, "192.0.2.10", t + 1, tok, &s,
	    &retry) == AUTH_OK, "another address is not throttled");
	CHECK(auth_login(a, "alice", pw_alice, "192.0.2.9",
	    t + 5 * MIN - 60 * SEC, tok, &s, &retry) == AUTH_OK,
	    "the address may try again once the oldest left");
}

static void
test_lock(void)
{
	char tok[AUTH_SESSION_TOKEN_LEN + 1];
	struct auth_session s;
	struct auth_user u;
	int64_t t = T0 + 2 * HOUR;

	/* 99 failures half an hour ago: their delay is long over. */
	seed_failures("bob", "10.0.3.1", t - 30 * MIN, 99);
	seed_failures("ghost", "10.0.3.1", t - 30 * MIN, 99);
	seed_failures("bob", "10.0.3.1", t - 2 * HOUR, 1);
	CHECK(login("bob", "wrong wrong wrong", "10.0.3.2", t, tok, &s) ==
	    AUTH_ERR_DENIED && auth_user_get(a, "bob", &u) == AUTH_OK &&
	    u.locked, "the 100th failure within an hour locks bob");
	CHECK(raw_int("SELECT COUNT(*) FROM login_failures WHERE ts_ms <"
	    " 1700000000000 + 3600000") == 0,
	    "failures older than an hour pruned");
	CHECK(audit_count("user.lock", "locked", "") == 1, "lock audited");
	CHECK(login("ghost", "wrong wrong wrong", "10.0.3.2", t, tok, &s) ==
	    AUTH_ERR_DENIED, "an unknown name at 100 failures: denied");
	CHECK(login("bob", pw_bob, "10.0.3.3", t + 16 * MIN, tok, &s) ==
	    AUTH_ERR_DENIED && audit_count("login", "failed", "locked") == 1,
	    "a locked account refuses the right password");
	CHECK(auth_user_set_disabled(a, "bob", 0, t + 17 * MIN) == AUTH_OK &&
	    auth_user_get(a, "bob", &u) == AUTH_OK && !u.locked &&
	    raw_int("SELECT COUNT(*) FROM login_failures WHERE"
	    " name_folded = 'bob'") == 0, "enable unlocks and clears failures");
	CHECK(login("bob", pw_bob, "10.0.3.3", t + 17 * MIN, tok, &s) ==
	    AUTH_OK, "bob logs in after enable");
}

static void
test_rehash(void)
{
	char weak[crypto_pwhash_STRBYTES], sql[512], hash[256];
	char tok[AUTH_SESSION_TOKEN_LEN + 1];
	struct auth_session s;

	/* OWASP's floor (m=19 MiB, t=2), which INTERACTIVE exceeds. */
	if (crypto_pwhash_str(weak, pw_dave, strlen(pw_dave), 2,
	    19456 * 1024) != 0)
		abort();
	snprintf(sql, sizeof(sql), "INSERT INTO users (name, name_folded,"
	    " role, hash, created_ms, changed_ms) VALUES ('dave', 'dave',"
	    " 'user', '%s', 1, 1)", weak);
	raw_exec(sql);
	CHECK(strstr(weak, "m=19456,") != NULL, "seeded a m=19456 hash");
	CHECK(login("dave", pw_dave, "10.0.4.1", T0 + 3 * HOUR, tok, &s) ==
	    AUTH_OK, "login with the old hash works");
	raw_text("SELECT hash FROM users WHERE name = 'dave'", hash,
	    sizeof(hash));
	CHECK(strncmp(hash, "$argon2id$v=19$m=65536,t=2,p=1$", 31) == 0,
	    "the hash was upgraded on login (%.40s)", hash);
	CHECK(login("dave", pw_dave, "10.0.4.1", T0 + 3 * HOUR, tok, &s) ==
	    AUTH_OK, "login with the upgraded hash works");
}

static void
test_sessions(void)
{
	char tok[AUTH_SESSION_TOKEN_LEN + 1];
	struct auth_session s;
	int64_t t = T0 + 4 * HOUR;
	int removed;

	login("alice", pw_alice, "10.0.5.1", t, tok, &s);
	CHECK(auth_session_check(a, tok, t + 30 * MIN - 1, 0, &s) == AUTH_OK,
	    "idle: 1 ms before 30 min still valid");
	CHECK(auth_session_check(a, tok, t + 30 * MIN, 0, &s) ==
	    AUTH_ERR_DENIED, "idle: at 30 min expired");
	CHECK(auth_session_check(a, tok, t, 0, &s) == AUTH_ERR_DENIED,
	    "an expired session is deleted");

	login("alice", pw_alice, "10.0.5.1", t, tok, &s);
	for (int64_t x = t + 20 * MIN; x < t + 12 * HOUR; x += 20 * MIN)
		if (auth_session_check(a, tok, x, 1, &s) != AUTH_OK) {
			CHECK(0, "touch every 20 min keeps it at %lld",
			    (long long)(x - t));
			break;
		}
	CHECK(s.expires_ms == t + 12 * HOUR && s.last_seen_ms > t + 11 * HOUR,
	    "expiry is min(idle, absolute)");
	CHECK(auth_session_check(a, tok, t + 12 * HOUR, 1, &s) ==
	    AUTH_ERR_DENIED, "absolute: at 12 h expired despite activity");

	struct auth_limits lim = { 2 * SEC, 5 * SEC };
	auth_set_limits(a, &lim);
	login("alice", pw_alice, "10.0.5.1", t, tok, &s);
	CHECK(s.expires_ms == t + 2 * SEC, "limits from auth_set_limits");
	CHECK(auth_session_prune(a, t + 2 * SEC, &removed) == AUTH_OK &&
	    removed >= 1 && auth_session_check(a, tok, t + 1, 0, &s) ==
	    AUTH_ERR_DENIED, "prune removes expired sessions (%d)", removed);
	auth_set_limits(a, NULL);

	login("alice", pw_alice, "10.0.5.1", t, tok, &s);
	CHECK(auth_session_end(a, tok, t) == AUTH_OK &&
	    auth_session_check(a, tok, t, 0, &s) == AUTH_ERR_DENIED,
	    "session_end ends it");
	CHECK(auth_session_end(a, tok, t) == AUTH_ERR_NOT_FOUND,
	    "ending it twice: not found");
	CHECK(auth_session_check(a, "short", t, 0, &s) == AUTH_ERR_DENIED &&
	    auth_session_check(a, NULL, t, 0, &s) == AUTH_ERR_DENIED,
	    "malformed tokens denied");
}

/* A role change, password change, disable, delete, logout on sessions. */
static void
test_user_changes(void)
{
	char tok[AUTH_SESSION_TOKEN_LEN + 1], tok2[AUTH_SESSION_TOKEN_LEN + 1];
	char reason[AUTH_REASON_LEN];
	struct auth_session s;
	struct auth_user u;
	int64_t t = T0 + 5 * HOUR;
	int ended = -1;

	login("bob", pw_bob, "10.0.6.1", t, tok, &s);
	CHECK(auth_user_set_role(a, "BOB", AUTH_ROLE_MANAGER, t) == AUTH_OK &&
	    auth_session_check(a, tok, t, 0, &s) == AUTH_OK &&
	    s.user.role == AUTH_ROLE_MANAGER, "a role change shows at once");
	CHECK(auth_user_set_role(a, "bob", AUTH_ROLE_NONE, t) ==
	    AUTH_ERR_INVALID, "role none refused");
	CHECK(auth_user_set_role(a, "nobody", AUTH_ROLE_USER, t) ==
	    AUTH_ERR_NOT_FOUND, "role of an unknown user: not found");

	login("carol", pw_carol, "10.0.6.1", t, tok2, &s);
	CHECK(auth_user_set_password(a, "carol", "carol carol carol carol", t,
	    reason, sizeof(reason)) == AUTH_ERR_POLICY,
	    "a new password with the name refused (%s)", reason);
	CHECK(auth_user_set_password(a, "carol", pw_carol2, t + 1, reason,
	    sizeof(reason)) == AUTH_OK && auth_session_check(a, tok2, t + 1, 0,
	    &s) == AUTH_ERR_DENIED, "a password change ends sessions");
	CHECK(auth_user_get(a, "carol", &u) == AUTH_OK && !u.must_change &&
	    u.changed_ms == t + 1, "it clears must_change, sets changed_ms");
	CHECK(login("carol", pw_carol, "10.0.6.1", t + 2, tok2, &s) ==
	    AUTH_ERR_DENIED && login("carol", pw_carol2, "10.0.6.1", t + 2,
	    tok2, &s) == AUTH_OK, "the old password no longer works");
	CHECK(auth_user_set_must_change(a, "carol", 1, t) == AUTH_OK &&
	    auth_session_check(a, tok2, t + 2, 0, &s) == AUTH_OK &&
	    s.user.must_change, "set_must_change shows in the session");

	CHECK(auth_user_logout(a, "carol", t, &ended) == AUTH_OK &&
	    ended == 1 && auth_session_check(a, tok2, t + 2, 0, &s) ==
	    AUTH_ERR_DENIED, "logout ends the user's sessions (%d)", ended);

	CHECK(auth_user_set_disabled(a, "bob", 1, t) == AUTH_OK &&
	    auth_session_check(a, tok, t, 0, &s) == AUTH_ERR_DENIED,
	    "disable ends sessions");
	CHECK(login("bob", pw_bob, "10.0.6.2", t + MIN, tok, &s) ==
	    AUTH_ERR_DENIED && audit_count("login", "failed", "disabled") == 1,
	    "a disabled user cannot log in");
	auth_user_set_disabled(a, "bob", 0, t + MIN);
	login("bob", pw_bob, "10.0.6.2", t + MIN, tok, &s);
	CHECK(auth_user_delete(a, "bob", t + MIN) == AUTH_OK &&
	    auth_session_check(a, tok, t + MIN, 0, &s) == AUTH_ERR_DENIED &&
	    auth_user_get(a, "bob", &u) == AUTH_ERR_NOT_FOUND,
	    "delete ends sessions and the user");
	CHECK(raw_int("SELECT COUNT(*) FROM sessions WHERE user_id NOT IN"
	    " (SELECT id FROM users)") == 0, "no orphan sessions");
	CHECK(auth_user_delete(a, "bob", t) == AUTH_ERR_NOT_FOUND,
	    "delete twice: not found");
}

static void
test_last_admin(void)
{
	int64_t t = T0 + 6 * HOUR;

	CHECK(auth_user_set_role(a, "alice", AUTH_ROLE_USER, t) ==
	    AUTH_ERR_LAST_ADMIN, "demoting the last admin refused");
	CHECK(auth_user_set_disabled(a, "alice", 1, t) == AUTH_ERR_LAST_ADMIN,
	    "disabling the last admin refused");
	CHECK(auth_user_delete(a, "alice", t) == AUTH_ERR_LAST_ADMIN,
	    "deleting the last admin refused");
	CHECK(auth_user_set_role(a, "carol", AUTH_ROLE_ADMIN, t) == AUTH_OK &&
	    auth_user_set_disabled(a, "carol", 1, t) == AUTH_OK,
	    "a second admin, disabled");
	CHECK(auth_user_set_role(a, "alice", AUTH_ROLE_USER, t) ==
	    AUTH_ERR_LAST_ADMIN, "a disabled admin does not count");
	CHECK(auth_user_set_disabled(a, "carol", 0, t) == AUTH_OK &&
	    auth_user_set_role(a, "alice", AUTH_ROLE_MANAGER, t) == AUTH_OK,
	    "with an enabled second admin, demoting works");
	CHECK(auth_user_set_role(a, "carol", AUTH_ROLE_ADMIN, t) == AUTH_OK,
	    "an admin may be set admin again");
	CHECK(auth_user_set_role(a, "alice", AUTH_ROLE_ADMIN, t) == AUTH_OK,
	    "alice admin again");
}

static int
collect_tokens(const struct auth_token_info *t, void *arg)
{
	char line[160];

	snprintf(line, sizeof(line), "%lld:%s:%s:%d,", (long long)t->id,
	    t->user, t->name, t->revoked);
	strcat(arg, line);
	return 0;
}

static void
test_tokens(void)
{
	char tok[AUTH_API_TOKEN_LEN + 1], tok2[AUTH_API_TOKEN_LEN + 1];
	char bad[AUTH_API_TOKEN_LEN + 1], list[512] = "", want[512];
	struct auth_user u;
	int64_t id = 0, id2 = 0, t = T0 + 7 * HOUR;

	CHECK(auth_token_create(a, "alice", "ci", 0, t, tok, &id) ==
	    AUTH_OK && strncmp(tok, "twk_", 4) == 0 &&
	    strlen(tok) == AUTH_API_TOKEN_LEN && tok[47] == '_' && id > 0,
	    "token created: twk_ + 43 + _ + 6");
	CHECK(dir_contains(tok) == 0 && dir_contains(tok + 4) == 0,
	    "the API token is not stored");
	CHECK(auth_token_check(a, tok, t + 5 * SEC, &u) == AUTH_OK &&
	    strcmp(u.name, "Alice") == 0 && u.role == AUTH_ROLE_ADMIN,
	    "token checks as its user");
	CHECK(raw_int("SELECT last_used_ms FROM api_tokens WHERE id = 1") ==
	    t + 5 * SEC, "last_used updated");
	memcpy(bad, tok, sizeof(bad));
	bad[10] = bad[10] == 'A' ? 'B' : 'A';
	CHECK(auth_token_check(a, bad, t, &u) == AUTH_ERR_INVALID,
	    "a typo in the random part fails the checksum");
	memcpy(bad, tok, sizeof(bad));
	bad[50] = bad[50] == 'A' ? 'B' : 'A';
	CHECK(auth_token_check(a, bad, t, &u) == AUTH_ERR_INVALID,
	    "a typo in the checksum fails it");
	CHECK(auth_token_check(a, "twk_short", t, &u) == AUTH_ERR_DENIED &&
	    auth_token_check(a, NULL, t, &u) == AUTH_ERR_DENIED,
	    "malformed tokens denied");
	memcpy(bad, tok, sizeof(bad));
	bad[0] = 'x';
	CHECK(auth_token_check(a, bad, t, &u) == AUTH_ERR_DENIED,
	    "a wrong prefix denied");

	CHECK(auth_token_create(a, "carol", "nightly", 1, t, tok2, &id2) ==
	    AUTH_OK, "a 1-day token");
	CHECK(auth_token_check(a, tok2, t + DAY - 1, &u) == AUTH_OK,
	    "1 ms before a day it works");
	CHECK(auth_token_check(a, tok2, t + DAY, &u) == AUTH_ERR_DENIED,
	    "after a day it is expired");
	CHECK(auth_token_create(a, "alice", "", 0, t, bad, NULL) ==
	    AUTH_ERR_INVALID && auth_token_create(a, "alice", "x", -1, t, bad,
	    NULL) == AUTH_ERR_INVALID && auth_token_create(a, "nobody", "x",
	    0, t, bad, NULL) == AUTH_ERR_NOT_FOUND,
	    "bad name, days, user refused");

	auth_user_set_role(a, "alice", AUTH_ROLE_ADMIN, t);
	CHECK(auth_user_add(a, "erin", AUTH_ROLE_ADMIN, pw_bob, 0, t, NULL, 0)
	    == AUTH_OK && auth_user_set_disabled(a, "alice", 1, t) == AUTH_OK &&
	    auth_token_check(a, tok, t, &u) == AUTH_ERR_DENIED,
	    "a disabled user's token refused");
	CHECK(auth_user_set_disabled(a, "alice", 0, t) == AUTH_OK &&
	    auth_token_check(a, tok, t, &u) == AUTH_OK,
	    "enabled again, the token works");

	CHECK(auth_token_list(a, NULL, collect_tokens, list) == AUTH_OK,
	    "token list");
	snprintf(want, sizeof(want), "%lld:Alice:ci:0,%lld:carol:nightly:0,",
	    (long long)id, (long long)id2);
	CHECK(strcmp(list, want) == 0, "token list is %s (%s)", want, list);
	CHECK(auth_token_revoke(a, id, t) == AUTH_OK &&
	    auth_token_check(a, tok, t, &u) == AUTH_ERR_DENIED,
	    "a revoked token is refused at once");
	CHECK(auth_token_revoke(a, 9999, t) == AUTH_ERR_NOT_FOUND,
	    "revoking an unknown id: not found");
	list[0] = '\0';
	snprintf(want, sizeof(want), "%lld:Alice:ci:1,", (long long)id);
	CHECK(auth_token_list(a, "ALICE", collect_tokens, list) == AUTH_OK &&
	    strcmp(list, want) == 0, "token list of one user (%s)", list);
	CHECK(auth_token_list(a, "nobody", collect_tokens, list) ==
	    AUTH_ERR_NOT_FOUND, "token list of an unknown user");
	CHECK(auth_user_delete(a, "carol", t) == AUTH_OK &&
	    raw_int("SELECT COUNT(*) FROM api_tokens") == 1,
	    "deleting a user deletes their tokens");
	CHECK(audit_count("token.create", "ok", "") == 2 &&
	    audit_count("token.revoke", "ok", "") == 1,
	    "token changes audited");
}

static void
test_misc(void)
{
	CHECK(auth_str_equal("abc", "abc"), "str_equal equal");
	CHECK(!auth_str_equal("abc", "abd"), "str_equal differ");
	CHECK(!auth_str_equal("abc", "abcd"), "str_equal lengths differ");
	CHECK(!auth_str_equal(NULL, "abc") && !auth_str_equal(NULL, NULL),
	    "str_equal with NULL is false");
	CHECK(auth_role_parse("Manager") == AUTH_ROLE_MANAGER &&
	    auth_role_parse("root") == AUTH_ROLE_NONE &&
	    strcmp(auth_role_name(AUTH_ROLE_VIEWER), "viewer") == 0,
	    "role names");
	CHECK(auth_audit(a, T0, "csrf", "alice", "10.0.0.9", "refused",
	    "bad token") == AUTH_OK && audit_count("csrf", "refused",
	    "bad token") == 1, "auth_audit writes a row");
}

static void
test_no_secrets(void)
{
	const char *pws[] = { pw_alice, pw_bob, pw_carol, pw_carol2, pw_dave,
	    "wrong wrong wrong", "GLACIER MAPLE LANTERN" };
	size_t i;
	int leaked = 0;

	auth_close(a);	/* checkpoints the WAL into the file */
	a = NULL;
	for (i = 0; i < sizeof(pws) / sizeof(pws[0]); i++)
		if (dir_contains(pws[i]) != 0) {
			printf("# found \"%s\"\n", pws[i]);
			leaked = 1;
		}
	CHECK(!leaked, "no password anywhere in auth.db's files");
}

static void
cleanup(void)
{
	DIR *d;
	struct dirent *e;
	char p[512];

	sqlite3_close(raw);
	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

int
main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/auth_test.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/auth.db", dir);
	test_open();
	if (a == NULL)
		return check_report();
	test_users();
	test_list();
	test_login();
	test_account_delay_known();
	test_addr_throttle();
	test_lock();
	test_rehash();
	test_sessions();
	test_user_changes();
	test_last_admin();
	test_tokens();
	test_misc();
	test_no_secrets();
	cleanup();
	return check_report();
}
