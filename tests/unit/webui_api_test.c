/*
 * webui's API (webui/api*.c) against real files: market.db made by
 * schema_migrate with rows inserted here, auth.db made by auth_open with
 * users added through auth.h; requests built by hand go through
 * api_handle, and answers are parsed back with jansson and compared with
 * expectations written from docs/api.md and DESIGN.md.
 */
#include <sys/stat.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "../check.h"
#include "../../webui/api.h"
#include "../../webui/stats.h"
#include "db.h"
#include "schema.h"

#define T0	1700000000000LL		/* a minute boundary, in ms */
#define NOW	(T0 + 3600000)
#define ORIGIN	"https://127.0.0.1:8443"
#define HOST	"127.0.0.1:8443"

static const char *const pw[] = {
	"viewer-Pass-phrase-19-green", "user-Pass-phrase-27-yellow",
	"manager-Pass-phrase-38-violet", "admin-Pass-phrase-46-orange",
};
static const char *const names[] = { "vera", "ulf", "mona", "ada" };

static char dir[64];
static struct webui_config cfg;
static struct webui_stats stats;
static struct worker_ctx w;

struct client {
	char		 cookie[80];	/* "__Host-tw_session=..." */
	char		 token[AUTH_SESSION_TOKEN_LEN + 1];
	char		 csrf[AUTH_CSRF_LEN + 1];
	char		 bearer[AUTH_API_TOKEN_LEN + 1];
	const char	*addr;
};

struct answer {
	int		 status;
	const char	*body;
	json_t		*json;
	struct http_resp resp;
};

static void
answer_free(struct answer *a)
{
	json_decref(a->json);
	http_resp_free(&a->resp);
	memset(a, 0, sizeof(*a));
}

/*
 * One request. qs: "a=1&b=2" or NULL; body JSON text or NULL. The
 * client's cookie (or bearer) is sent; unsafe cookie requests carry its
 * CSRF token and our Origin unless csrf_off.
 */
static struct answer
call(const struct client *c, enum http_method m, const char *path,
    const char *qs, const char *body, int csrf_off)
{
	struct http_req r;
	struct answer a;
	char tmp[1024], *tok, *save = NULL, *eq;

	memset(&a, 0, sizeof(a));
	http_req_init(&r);
	r.method = m;
	snprintf(r.path, sizeof(r.path), "%s", path);
	if (qs != NULL) {
		snprintf(tmp, sizeof(tmp), "%s", qs);
		for (tok = strtok_r(tmp, "&", &save); tok != NULL;
		    tok = strtok_r(NULL, "&", &save))
			if ((eq = strchr(tok, '=')) != NULL)
				http_req_add_arg(&r, tok, (size_t)(eq - tok),
				    eq + 1, strlen(eq + 1));
	}
	snprintf(r.host, sizeof(r.host), HOST);
	snprintf(r.client_addr, sizeof(r.client_addr), "%s",
	    c != NULL && c->addr != NULL ? c->addr : "10.1.1.1");
	if (c != NULL && c->cookie[0] != '\0')
		snprintf(r.cookie, sizeof(r.cookie), "theme=dark; %s",
		    c->cookie);
	if (c != NULL && c->bearer[0] != '\0') {
		r.has_authorization = 1;
		snprintf(r.authorization, sizeof(r.authorization), "Bearer %s",
		    c->bearer);
	}
	if (c != NULL && c->cookie[0] != '\0' && http_method_unsafe(m) &&
	    !csrf_off) {
		r.has_origin = 1;
		snprintf(r.origin, sizeof(r.origin), ORIGIN);
		snprintf(r.csrf, sizeof(r.csrf), "%s", c->csrf);
	}
	if (body != NULL) {
		snprintf(r.content_type, sizeof(r.content_type),
		    "application/json");
		r.body = strdup(body);
		r.body_len = strlen(body);
	}
	r.now_ms = NOW;
	http_resp_init(&a.resp);
	api_handle(&w, &r, &a.resp);
	http_req_free(&r);
	a.status = a.resp.status;
	a.body = a.resp.body.p != NULL ? a.resp.body.p : "";
	a.json = json_loadb(a.body, a.resp.body.len, 0, NULL);
	return a;
}

static const char *
jstr(json_t *j, const char *key)
{
	const char *s = json_string_value(json_object_get(j, key));

	return s != NULL ? s : "";
}

static int
error_is(const struct answer *a, int status, const char *reason)
{
	return a->status == status && strcmp(jstr(a->json, "error"),
	    reason) == 0;
}

/* Logs c in; 0 on success (cookie, token and csrf set). */
static int
login(struct client *c, const char *name, const char *password)
{
	struct answer a;
	char body[256];
	const char *sc;
	int ok;

	snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":"
	    "\"%s\"}", name, password);
	a = call(c, HTTP_POST, "/api/login", NULL, body, 0);
	sc = http_resp_header_get(&a.resp, "Set-Cookie");
	ok = a.status == 200 && sc != NULL &&
	    strncmp(sc, "__Host-tw_session=", 18) == 0;
	if (ok) {
		snprintf(c->token, sizeof(c->token), "%.*s",
		    AUTH_SESSION_TOKEN_LEN, sc + 18);
		snprintf(c->cookie, sizeof(c->cookie), "__Host-tw_session=%s",
		    c->token);
		snprintf(c->csrf, sizeof(c->csrf), "%s", jstr(a.json, "csrf"));
	}
	answer_free(&a);
	return ok ? 0 : -1;
}

static void
exec_sql(sqlite3 *db, const char *sql)
{
	if (db_exec(db, sql) != SQLITE_OK) {
		fprintf(stderr, "sql failed: %s: %s\n", sql,
		    sqlite3_errmsg(db));
		exit(1);
	}
}

/*
 * market.db: AAPL 60 s bars at T0 + i min (i = 0..9), open 100 + i,
 * close 100.5 + i; one 1 s AAPL bar; BTC-USD 60 s bars a day apart for
 * the 24 h change, from two sources (demo 100 -> 110, kraken 200 -> 210);
 * three anomalies; side checks of two sources.
 */
static void
make_market(const char *path)
{
	char sql[512], err[256];
	sqlite3 *db;
	int i;

	if (db_open(&db, path, DB_CREATE, 1000, err, sizeof(err)) !=
	    SQLITE_OK || schema_migrate(db, err, sizeof(err)) != 0) {
		fprintf(stderr, "market.db: %s\n", err);
		exit(1);
	}
	for (i = 0; i < 10; i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO bars (symbol, "
		    "interval_s, start_ms, open, high, low, close, volume, "
		    "vwap, trades, buy_volume, sell_volume, source, "
		    "asset_class) VALUES ('AAPL', 60, %lld, %d, %d.75, %d.25, "
		    "%d.5, 1000.5, 0.1, %d, 600.25, 400.25, 'demo', 'stock')",
		    T0 + i * 60000LL, 100 + i, 100 + i, 99 + i, 100 + i, i);
		exec_sql(db, sql);
	}
	exec_sql(db, "INSERT INTO bars (symbol, interval_s, start_ms, close, "
	    "source) VALUES ('AAPL', 1, 1700000000000, 1.5, 'say \"hi\", "
	    "ok')");
	snprintf(sql, sizeof(sql), "INSERT INTO bars (symbol, interval_s, "
	    "start_ms, close, source) VALUES "
	    "('BTC-USD', 60, %lld, 100, 'demo'), "
	    "('BTC-USD', 60, %lld, 105, 'demo'), "
	    "('BTC-USD', 60, %lld, 200, 'kraken'), "
	    "('BTC-USD', 60, %lld, 205, 'kraken')",
	    NOW - 86400000LL - 120000, NOW - 60000,
	    NOW - 86400000LL - 120000, NOW - 60000);
	exec_sql(db, sql);
	snprintf(sql, sizeof(sql), "INSERT INTO symbols (symbol, asset_class, "
	    "source, last_price, last_price_ms) VALUES ('AAPL', 'stock', "
	    "'demo', 109.5, %lld), ('BTC-USD', 'crypto', 'demo', 110, %lld), "
	    "('BTC-USD', 'crypto', 'kraken', 210, %lld)",
	    T0 + 9 * 60000LL, NOW - 30000, NOW - 30000);
	exec_sql(db, sql);
	exec_sql(db, "INSERT INTO side_checks (symbol, source, exchange, "
	    "asset_class, trades, declared_buy, declared_sell, compared, "
	    "agree, at_bid, at_ask, inside, inverted, updated_ms) VALUES "
	    "('BTC-USD', 'kraken', 0, 'crypto', 100, 50, 40, 80, 60, 30, 45, "
	    "5, 0, 1700000000001), "
	    "('ETH-USD', 'kraken', 0, 'crypto', 0, 0, 0, 0, 0, 0, 0, 0, 0, "
	    "1700000000002), "
	    "('AAPL', 'polygon', 4, 'stock', 10, 5, 5, 8, 1, 2, 3, 5, 1, "
	    "1700000000003), "
	    "('AAPL', 'polygon', 11, 'stock', 30, 10, 10, 20, 19, 9, 9, 12, "
	    "0, 1700000000004)");
	exec_sql(db, "INSERT INTO anomalies (symbol, interval_s, start_ms, "
	    "kind, score, value, threshold, source) VALUES "
	    "('AAPL', 60, 1700000060000, 'volume_spike', 6.5, 5000, 5, "
	    "'demo'), "
	    "('AAPL', 60, 1700000300000, 'price_jump', 9.25, 2.5, 8, "
	    "'demo'), "
	    "('BTC-USD', 1, 1700000120000, 'large_trade', 4.5, 1e6, 4, "
	    "'kraken')");
	db_close(db);
}

static void
make_auth(const char *path)
{
	char reason[AUTH_REASON_LEN], err[256];
	struct auth *a;
	int i;

	if (auth_open(&a, path, 1, 1000, err, sizeof(err)) != AUTH_OK) {
		fprintf(stderr, "auth.db: %s\n", err);
		exit(1);
	}
	for (i = 0; i < 4; i++)
		if (auth_user_add(a, names[i], (enum auth_role)(i + 1), pw[i],
		    0, NOW - 1000, reason, sizeof(reason)) != AUTH_OK) {
			fprintf(stderr, "add %s: %s\n", names[i], reason);
			exit(1);
		}
	auth_close(a);
}

static void
setup(void)
{
	static char market[128], authp[128], www[128], real[PATH_MAX];
	char file[256];
	char err[256];
	FILE *f;

	snprintf(dir, sizeof(dir), "/tmp/tw-webui-unit-XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(market, sizeof(market), "%s/market.db", dir);
	snprintf(authp, sizeof(authp), "%s/auth.db", dir);
	snprintf(www, sizeof(www), "%s/www", dir);
	mkdir(www, 0700);
	snprintf(file, sizeof(file), "%s/index.html", www);
	if ((f = fopen(file, "w")) == NULL)
		exit(1);
	fputs("<!doctype html><title>t</title>\n", f);
	fclose(f);
	snprintf(file, sizeof(file), "%s/secret.txt", dir);
	if ((f = fopen(file, "w")) == NULL)
		exit(1);
	fputs("outside the root\n", f);
	fclose(f);
	snprintf(file, sizeof(file), "%s/link.txt", www);
	if (symlink("../secret.txt", file) == -1)
		perror("symlink");
	make_market(market);
	make_auth(authp);
	if (realpath(www, real) == NULL)
		exit(1);
	cfg.market_db = market;
	cfg.auth_db = authp;
	cfg.web_root = real;
	cfg.intervals[0] = 1;
	cfg.intervals[1] = 60;
	cfg.n_intervals = 2;
	cfg.limits.session_idle_ms = 30 * 60000;
	cfg.limits.session_max_ms = 12 * 3600000;
	cfg.mode = "demo";
	cfg.masked_key = "abcd\xe2\x80\xa6wxyz";
	cfg.busy_timeout_ms = 1000;
	stats_init(&stats, 1, 1, NOW);
	if (worker_open(&w, &cfg, NULL, &stats, err, sizeof(err)) == -1) {
		fprintf(stderr, "worker: %s\n", err);
		exit(1);
	}
}

static void
teardown(void)
{
	char cmd[128];

	worker_close(&w);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

/* --- sessions --------------------------------------------------------- */

static void
test_login(struct client *admin)
{
	struct client c = { .addr = "10.2.0.1" };
	struct answer a, b[3];
	const char *sc;
	int i, same = 1;

	a = call(&c, HTTP_POST, "/api/login", NULL, "{\"username\":\"ada\","
	    "\"password\":\"admin-Pass-phrase-46-orange\"}", 0);
	sc = http_resp_header_get(&a.resp, "Set-Cookie");
	CHECK(a.status == 200 && strcmp(jstr(a.json, "user"), "ada") == 0 &&
	    strcmp(jstr(a.json, "role"), "admin") == 0 &&
	    json_is_false(json_object_get(a.json, "must_change")) &&
	    strlen(jstr(a.json, "csrf")) == AUTH_CSRF_LEN &&
	    json_integer_value(json_object_get(a.json, "expires_ms")) ==
	    NOW + 30 * 60000, "login: 200 {user, role, expires_ms = now + "
	    "idle, must_change, csrf}");
	CHECK(sc != NULL && strlen(sc) == 18 + 43 + 43 &&
	    strncmp(sc, "__Host-tw_session=", 18) == 0 &&
	    strcmp(sc + 18 + 43, "; Path=/; Secure; HttpOnly; "
	    "SameSite=Strict") == 0, "login: cookie __Host-, Secure, "
	    "HttpOnly, SameSite=Strict, Path=/, no Domain (%s)",
	    sc != NULL ? sc + 61 : "none");
	CHECK(a.resp.cache == HTTP_CACHE_NO_STORE && a.resp.event ==
	    HTTP_EV_LOGIN_OK, "login: no-store, counted ok");
	answer_free(&a);
	CHECK(login(admin, "ADA", pw[3]) == 0,
	    "login: the name is case-insensitive");

	/* Unknown user, wrong password, disabled user: one answer. */
	b[0] = call(&c, HTTP_POST, "/api/login", NULL,
	    "{\"username\":\"nobody\",\"password\":\"x-Pass-phrase-46-ora\"}",
	    0);
	b[1] = call(&c, HTTP_POST, "/api/login", NULL,
	    "{\"username\":\"vera\",\"password\":\"wrong-Pass-phrase-19\"}", 0);
	a = call(admin, HTTP_POST, "/api/users/ulf/disable", NULL, "{}", 0);
	answer_free(&a);
	b[2] = call(&c, HTTP_POST, "/api/login", NULL, "{\"username\":"
	    "\"ulf\",\"password\":\"user-Pass-phrase-27-yellow\"}", 0);
	a = call(admin, HTTP_POST, "/api/users/ulf/enable", NULL, "{}", 0);
	answer_free(&a);
	for (i = 0; i < 3; i++) {
		if (b[i].status != 401 || strcmp(b[i].body,
		    "{\"error\":\"login failed\"}") != 0 ||
		    b[i].resp.n_headers != 0)
			same = 0;
		CHECK(b[i].resp.event == HTTP_EV_LOGIN_FAILED,
		    "login failure %d counted as failed", i);
	}
	CHECK(same, "login: unknown user, wrong password, disabled user: "
	    "the same 401 {\"error\":\"login failed\"}, no header");
	for (i = 0; i < 3; i++)
		answer_free(&b[i]);

	a = call(&c, HTTP_POST, "/api/login", NULL, "{\"username\":\"ada\"}",
	    0);
	CHECK(error_is(&a, 400, "password: want a string"),
	    "login: missing password is a 400");
	answer_free(&a);
	a = call(&c, HTTP_POST, "/api/login", NULL, "{\"username\":1,"
	    "\"password\":\"x\"}", 0);
	CHECK(error_is(&a, 400, "username: want a string"),
	    "login: a number as user name is a 400");
	answer_free(&a);
	a = call(&c, HTTP_POST, "/api/login", NULL, "{\"username\":", 0);
	CHECK(error_is(&a, 400, "malformed JSON body"),
	    "login: malformed JSON is a 400");
	answer_free(&a);
	a = call(&c, HTTP_POST, "/api/login", NULL, "[1,2]", 0);
	CHECK(error_is(&a, 400, "body must be a JSON object"),
	    "login: an array is a 400");
	answer_free(&a);
	a = call(&c, HTTP_POST, "/api/login", NULL, "{\"username\":\"a\","
	    "\"username\":\"b\",\"password\":\"x\"}", 0);
	CHECK(error_is(&a, 400, "malformed JSON body"),
	    "login: duplicate keys are malformed");
	answer_free(&a);
}

static void
test_login_content_type(void)
{
	struct http_req r;
	struct http_resp resp;

	http_req_init(&r);
	r.method = HTTP_POST;
	snprintf(r.path, sizeof(r.path), "/api/login");
	snprintf(r.content_type, sizeof(r.content_type),
	    "application/x-www-form-urlencoded");
	r.body = strdup("username=ada&password=x");
	r.body_len = strlen(r.body);
	r.now_ms = NOW;
	http_resp_init(&resp);
	api_handle(&w, &r, &resp);
	CHECK(resp.status == 415, "login: a form body is a 415");
	http_resp_free(&resp);
	snprintf(r.content_type, sizeof(r.content_type),
	    "Application/JSON; charset=utf-8");
	free(r.body);
	r.body = strdup("{\"username\":\"vera\",\"password\":\"" 
	    "viewer-Pass-phrase-19-green\"}");
	r.body_len = strlen(r.body);
	r.has_origin = 1;
	snprintf(r.origin, sizeof(r.origin), "https://evil.example");
	snprintf(r.host, sizeof(r.host), HOST);
	http_resp_init(&resp);
	api_handle(&w, &r, &resp);
	CHECK(resp.status == 403 && resp.event == HTTP_EV_CSRF_REFUSED,
	    "login: posted from another site's page is a 403");
	http_resp_free(&resp);
	r.has_origin = 0;
	http_resp_init(&resp);
	api_handle(&w, &r, &resp);
	CHECK(resp.status == 200, "login: JSON type with parameters, any "
	    "case, no Origin (a script) is fine");
	http_resp_free(&resp);
	http_req_free(&r);
}

static void
test_throttle(void)
{
	struct client c = { .addr = "10.9.9.9" };
	struct answer a;
	int i, fails = 0;
	const char *ra;

	/* 20 failures from one address in 5 minutes; the 21st is a 429. */
	for (i = 0; i < 20; i++) {
		a = call(&c, HTTP_POST, "/api/login", NULL, "{\"username\":"
		    "\"ghost\",\"password\":\"not-the-Pass-phrase-0\"}", 0);
		fails += a.status == 401;
		answer_free(&a);
	}
	a = call(&c, HTTP_POST, "/api/login", NULL, "{\"username\":\"vera\","
	    "\"password\":\"viewer-Pass-phrase-19-green\"}", 0);
	ra = http_resp_header_get(&a.resp, "Retry-After");
	CHECK(fails == 20 && a.status == 429 && ra != NULL && atoi(ra) > 0 &&
	    atoi(ra) <= 300 && a.resp.event == HTTP_EV_LOGIN_THROTTLED,
	    "throttle: 20 failures from one address, then 429 with "
	    "Retry-After in (0, 300] even with the right password (%s)",
	    ra != NULL ? ra : "none");
	answer_free(&a);
	c.addr = "10.9.9.10";
	CHECK(login(&c, "vera", pw[0]) == 0,
	    "throttle: another address logs in");
}

static void
test_me(struct client *admin)
{
	struct client none = { .addr = NULL }, both, bad, tok;
	char reason[AUTH_REASON_LEN];
	struct answer a;
	struct auth *au;
	int64_t id;
	char err[256];

	a = call(admin, HTTP_GET, "/api/me", NULL, NULL, 0);
	CHECK(a.status == 200 && strcmp(jstr(a.json, "user"), "ada") == 0 &&
	    strcmp(jstr(a.json, "csrf"), admin->csrf) == 0 &&
	    strcmp(jstr(a.json, "auth"), "session") == 0 &&
	    a.resp.cache == HTTP_CACHE_NO_STORE,
	    "me: the session's user, csrf, no-store");
	answer_free(&a);
	a = call(&none, HTTP_GET, "/api/me", NULL, NULL, 0);
	CHECK(error_is(&a, 401, "authentication required"),
	    "me: nothing is 401");
	answer_free(&a);
	bad = *admin;
	bad.cookie[20] ^= 1;
	a = call(&bad, HTTP_GET, "/api/me", NULL, NULL, 0);
	CHECK(error_is(&a, 401, "invalid session or token"),
	    "me: a changed cookie is 401");
	answer_free(&a);

	/* An API token of the manager. */
	memset(&tok, 0, sizeof(tok));
	if (auth_open(&au, cfg.auth_db, 0, 1000, err, sizeof(err)) !=
	    AUTH_OK || auth_token_create(au, "mona", "test", 0, NOW,
	    tok.bearer, &id) != AUTH_OK)
		fprintf(stderr, "token: %s\n", err);
	auth_close(au);
	(void)reason;
	a = call(&tok, HTTP_GET, "/api/me", NULL, NULL, 0);
	CHECK(a.status == 200 && strcmp(jstr(a.json, "user"), "mona") == 0 &&
	    strcmp(jstr(a.json, "auth"), "token") == 0 &&
	    json_is_null(json_object_get(a.json, "csrf")),
	    "me: a Bearer token is its user, no csrf");
	answer_free(&a);
	a = call(&tok, HTTP_GET, "/api/health", NULL, NULL, 0);
	CHECK(a.status == 200, "bearer of a manager: /api/health 200");
	answer_free(&a);
	a = call(&tok, HTTP_GET, "/api/users", NULL, NULL, 0);
	CHECK(error_is(&a, 403, "forbidden"),
	    "bearer of a manager: /api/users 403");
	answer_free(&a);
	a = call(&tok, HTTP_POST, "/api/logout", NULL, "{}", 0);
	CHECK(a.status == 200, "bearer: POST needs no CSRF token");
	answer_free(&a);
	tok.bearer[AUTH_API_TOKEN_LEN - 1] =
	    tok.bearer[AUTH_API_TOKEN_LEN - 1] == 'A' ? 'B' : 'A';
	a = call(&tok, HTTP_GET, "/api/me", NULL, NULL, 0);
	CHECK(a.status == 401, "bearer with a broken checksum is 401");
	answer_free(&a);

	both = *admin;
	snprintf(both.bearer, sizeof(both.bearer), "%s",
	    "twk_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456_abcdef");
	a = call(&both, HTTP_GET, "/api/me", NULL, NULL, 0);
	CHECK(a.status == 400, "cookie and bearer together are 400");
	answer_free(&a);
}

static void
test_csrf_logout(void)
{
	struct client c = { .addr = "10.3.0.1" }, wrong;
	struct answer a;
	char key[CREDS_SESSION_KEY_LEN + 1];

	if (login(&c, "vera", pw[0]) == -1) {
		CHECK(0, "csrf: login");
		return;
	}
	a = call(&c, HTTP_POST, "/api/logout", NULL, "{}", 1);
	CHECK(error_is(&a, 403, "csrf") && a.resp.event ==
	    HTTP_EV_CSRF_REFUSED, "logout without token or Origin: 403 csrf");
	answer_free(&a);
	wrong = c;
	wrong.csrf[0] = wrong.csrf[0] == 'A' ? 'B' : 'A';
	a = call(&wrong, HTTP_POST, "/api/logout", NULL, "{}", 0);
	CHECK(error_is(&a, 403, "csrf"), "logout with a wrong token: 403");
	answer_free(&a);
	a = call(&c, HTTP_POST, "/api/logout", NULL, "{}", 0);
	creds_session_key(c.token, key);
	CHECK(a.status == 200 && strcmp(a.body, "{\"ok\":true}") == 0 &&
	    strcmp(http_resp_header_get(&a.resp, "Set-Cookie"),
	    "__Host-tw_session=; Path=/; Secure; HttpOnly; SameSite=Strict; "
	    "Max-Age=0") == 0 && strcmp(http_resp_header_get(&a.resp,
	    "Clear-Site-Data"), "\"cache\", \"cookies\", \"storage\"") == 0 &&
	    strcmp(a.resp.end_session, key) == 0,
	    "logout: 200, expired cookie, Clear-Site-Data, its /live "
	    "sockets named for closing");
	answer_free(&a);
	a = call(&c, HTTP_GET, "/api/me", NULL, NULL, 0);
	CHECK(a.status == 401, "after logout the cookie is 401");
	answer_free(&a);
}

/* --- roles ------------------------------------------------------------ */

static void
test_role_matrix(struct client *cl)
{
	static const struct {
		const char	*path, *qs;
		int		 least;		/* index into names */
	} gets[] = {
		{ "/api/me", NULL, 0 },
		{ "/api/symbols", NULL, 0 },
		{ "/api/bars", "symbol=AAPL", 0 },
		{ "/api/anomalies", NULL, 0 },
		{ "/api/export.csv", "symbol=AAPL", 1 },
		{ "/api/side-check", NULL, 0 },
		{ "/api/health", NULL, 2 },
		{ "/metrics", NULL, 2 },
		{ "/api/users", NULL, 3 },
	};
	struct answer a;
	size_t i;
	int k;

	for (i = 0; i < sizeof(gets) / sizeof(gets[0]); i++)
		for (k = 0; k < 4; k++) {
			a = call(&cl[k], HTTP_GET, gets[i].path, gets[i].qs,
			    NULL, 0);
			if (k >= gets[i].least)
				CHECK(a.status == 200, "role %s GET %s: 200 "
				    "(got %d)", names[k], gets[i].path,
				    a.status);
			else
				CHECK(error_is(&a, 403, "forbidden"),
				    "role %s GET %s: 403 (got %d)", names[k],
				    gets[i].path, a.status);
			answer_free(&a);
		}
	a = call(&cl[2], HTTP_POST, "/api/users/vera/disable", NULL, "{}", 0);
	CHECK(error_is(&a, 403, "forbidden"), "manager cannot disable users");
	answer_free(&a);
}

/* --- market data -------------------------------------------------------- */

static int64_t
bar_int(json_t *bars, size_t i, const char *key)
{
	return json_integer_value(json_object_get(json_array_get(bars, i),
	    key));
}

/* A symbol of two sources, schema v2 (docs/api.md "source"). */
static void
test_bars_sources(struct client *c)
{
	struct answer a;
	json_t *bars;

	a = call(c, HTTP_GET, "/api/bars", "symbol=AAPL&limit=1", NULL, 0);
	CHECK(a.status == 200 && strcmp(jstr(a.json, "source"), "demo") == 0,
	    "bars without source, one in symbols: its source at the top");
	answer_free(&a);
	a = call(c, HTTP_GET, "/api/bars", "symbol=BTC-USD", NULL, 0);
	CHECK(error_is(&a, 400, "BTC-USD comes from several sources (demo, "
	    "kraken): add source="), "bars of two sources without source: "
	    "400 naming them (got %d %s)", a.status, a.body);
	answer_free(&a);
	a = call(c, HTTP_GET, "/api/bars", "symbol=BTC-USD&source=kraken",
	    NULL, 0);
	bars = json_object_get(a.json, "bars");
	CHECK(a.status == 200 && json_array_size(bars) == 2 &&
	    json_number_value(json_object_get(json_array_get(bars, 0),
	    "close")) == 200 && json_number_value(json_object_get(
	    json_array_get(bars, 1), "close")) == 205 &&
	    strcmp(jstr(json_array_get(bars, 1), "source"), "kraken") == 0 &&
	    strcmp(jstr(a.json, "source"), "kraken") == 0,
	    "bars with source: that series only, source at the top");
	answer_free(&a);
	a = call(c, HTTP_GET, "/api/bars", "symbol=BTC-USD&source=demo&"
	    "from=0&limit=1", NULL, 0);
	bars = json_object_get(a.json, "bars");
	CHECK(a.status == 200 && json_array_size(bars) == 1 &&
	    json_number_value(json_object_get(json_array_get(bars, 0),
	    "close")) == 100 && json_is_true(json_object_get(a.json,
	    "truncated")), "bars with source and from: that series only");
	answer_free(&a);
	a = call(c, HTTP_GET, "/api/bars", "symbol=BTC-USD&source=binance",
	    NULL, 0);
	CHECK(a.status == 200 && json_array_size(json_object_get(a.json,
	    "bars")) == 0 && strcmp(jstr(a.json, "source"), "binance") == 0,
	    "bars of a source without bars: none, the source as given");
	answer_free(&a);
	a = call(c, HTTP_GET, "/api/bars", "symbol=NOPE", NULL, 0);
	CHECK(a.status == 200 && json_is_null(json_object_get(a.json,
	    "source")), "bars of an unknown symbol: source null");
	answer_free(&a);
	a = call(c, HTTP_GET, "/api/bars", "symbol=AAPL&source=Demo", NULL, 0);
	CHECK(error_is(&a, 400, "source: want 1 to 16 characters of a-z 0-9 "
	    "_ -"), "bars source=Demo: 400 naming source");
	answer_free(&a);
}

static void
test_bars(struct client *c)
{
	struct answer a;
	json_t *bars, *b0;
	size_t i;
	int ok;

	a = call(c, HTTP_GET, "/api/bars", "symbol=AAPL&interval=60&limit=3",
	    NULL, 0);
	bars = json_object_get(a.json, "bars");
	CHECK(a.status == 200 && json_array_size(bars) == 3 &&
	    bar_int(bars, 0, "start_ms") == T0 + 7 * 60000 &&
	    bar_int(bars, 2, "start_ms") == T0 + 9 * 60000 &&
	    json_is_true(json_object_get(a.json, "truncated")) &&
	    strcmp(jstr(a.json, "symbol"), "AAPL") == 0 &&
	    json_integer_value(json_object_get(a.json, "interval_s")) == 60,
	    "bars without from: the newest 3, oldest first, truncated");
	b0 = json_array_get(bars, 0);
	CHECK(json_real_value(json_object_get(b0, "open")) == 0 &&
	    json_number_value(json_object_get(b0, "open")) == 107 &&
	    json_real_value(json_object_get(b0, "high")) == 107.75 &&
	    json_real_value(json_object_get(b0, "low")) == 106.25 &&
	    json_real_value(json_object_get(b0, "close")) == 107.5 &&
	    json_real_value(json_object_get(b0, "volume")) == 1000.5 &&
	    json_real_value(json_object_get(b0, "vwap")) == 0.1 &&
	    json_integer_value(json_object_get(b0, "trades")) == 7 &&
	    json_real_value(json_object_get(b0, "buy_volume")) == 600.25 &&
	    json_is_null(json_object_get(b0, "quotes")) &&
	    strcmp(jstr(b0, "source"), "demo") == 0 &&
	    strcmp(jstr(b0, "asset_class"), "stock") == 0 &&
	    strcmp(jstr(b0, "symbol"), "AAPL") == 0 &&
	    json_integer_value(json_object_get(b0, "gap")) == 0,
	    "bars: values by column name, NULL as null");
	CHECK(json_object_size(b0) == 36, "bars: every column of the table "
	    "(%zu keys)", json_object_size(b0));
	answer_free(&a);

	a = call(c, HTTP_GET, "/api/bars", "symbol=AAPL&from=1700000060000"
	    "&to=1700000180000", NULL, 0);
	bars = json_object_get(a.json, "bars");
	CHECK(json_array_size(bars) == 3 && bar_int(bars, 0, "start_ms") ==
	    T0 + 60000 && bar_int(bars, 2, "start_ms") == T0 + 180000 &&
	    json_is_false(json_object_get(a.json, "truncated")),
	    "bars from..to: both bounds inclusive, interval defaults to 60");
	answer_free(&a);

	a = call(c, HTTP_GET, "/api/bars", "symbol=AAPL&from=1700000060000"
	    "&limit=2", NULL, 0);
	bars = json_object_get(a.json, "bars");
	CHECK(json_array_size(bars) == 2 && bar_int(bars, 0, "start_ms") ==
	    T0 + 60000 && bar_int(bars, 1, "start_ms") == T0 + 120000 &&
	    json_is_true(json_object_get(a.json, "truncated")),
	    "bars from + limit: the first ones after from, truncated");
	answer_free(&a);

	a = call(c, HTTP_GET, "/api/bars", "symbol=AAPL&to=1700000060000",
	    NULL, 0);
	bars = json_object_get(a.json, "bars");
	CHECK(json_array_size(bars) == 2 && bar_int(bars, 1, "start_ms") ==
	    T0 + 60000 && json_is_false(json_object_get(a.json, "truncated")),
	    "bars to only: everything up to it");
	answer_free(&a);

	a = call(c, HTTP_GET, "/api/bars", "symbol=AAPL&limit=20000", NULL, 0);
	bars = json_object_get(a.json, "bars");
	for (ok = 1, i = 1; i < json_array_size(bars); i++)
		if (bar_int(bars, i, "start_ms") <= bar_int(bars, i - 1,
		    "start_ms"))
			ok = 0;
	CHECK(json_array_size(bars) == 10 && ok &&
	    json_is_false(json_object_get(a.json, "truncated")),
	    "bars: all ten, increasing start_ms");
	answer_free(&a);

	a = call(c, HTTP_GET, "/api/bars", "symbol=AAPL&interval=1", NULL, 0);
	bars = json_object_get(a.json, "bars");
	CHECK(json_array_size(bars) == 1 && strcmp(jstr(json_array_get(bars,
	    0), "source"), "say \"hi\", ok") == 0,
	    "bars interval 1: the text read back through JSON escaping");
	answer_free(&a);

	a = call(c, HTTP_GET, "/api/bars", "symbol=NOPE", NULL, 0);
	CHECK(a.status == 200 && json_array_size(json_object_get(a.json,
	    "bars")) == 0, "bars of an unknown symbol: none");
	answer_free(&a);
	a = call(c, HTTP_GET, "/api/bars", "symbol=AAPL&limit=0", NULL, 0);
	CHECK(error_is(&a, 400, "limit: want an integer from 1 to 20000"),
	    "bars limit=0: 400 naming limit");
	answer_free(&a);
	a = call(c, HTTP_GET, "/api/bars", "symbol=AAPL&interval=5", NULL, 0);
	CHECK(error_is(&a, 400, "interval: want one of 1,60 (seconds)"),
	    "bars interval=5: 400 naming interval");
	answer_free(&a);
	a = call(c, HTTP_GET, "/api/bars", "symbol=AAPL&x=1", NULL, 0);
	CHECK(error_is(&a, 400, "unknown parameter: x"),
	    "bars unknown parameter: 400");
	answer_free(&a);
	test_bars_sources(c);
}

/* The answer cache: a repeat is served from it, a commit invalidates it. */
static void
test_bars_cache(struct client *c)
{
	struct answer a, b;
	uint64_t hits;
	char err[256], sql[256];
	sqlite3 *db;

	a = call(c, HTTP_GET, "/api/bars", "symbol=AAPL&limit=5", NULL, 0);
	hits = w.cache_hits;
	b = call(c, HTTP_GET, "/api/bars", "symbol=AAPL&limit=5", NULL, 0);
	CHECK(w.cache_hits == hits + 1 && a.status == 200 &&
	    b.status == 200 && strcmp(a.body, b.body) == 0,
	    "bars cache: the same query again is the same answer, cached");
	answer_free(&b);
	if (db_open(&db, cfg.market_db, DB_READWRITE, 1000, err,
	    sizeof(err)) != SQLITE_OK) {
		CHECK(0, "open market.db to write: %s", err);
		answer_free(&a);
		return;
	}
	snprintf(sql, sizeof(sql), "INSERT INTO bars (symbol, interval_s, "
	    "start_ms, close) VALUES ('AAPL', 60, %lld, 555.5)",
	    T0 + 10 * 60000LL);
	exec_sql(db, sql);
	b = call(c, HTTP_GET, "/api/bars", "symbol=AAPL&limit=5", NULL, 0);
	CHECK(b.status == 200 && strcmp(a.body, b.body) != 0 &&
	    bar_int(json_object_get(b.json, "bars"), 4, "start_ms") ==
	    T0 + 10 * 60000LL, "bars cache: a commit by the store is seen at "
	    "once");
	answer_free(&b);
	snprintf(sql, sizeof(sql), "DELETE FROM bars WHERE start_ms = %lld",
	    T0 + 10 * 60000LL);
	exec_sql(db, sql);
	db_close(db);
	b = call(c, HTTP_GET, "/api/bars", "symbol=AAPL&limit=5", NULL, 0);
	CHECK(strcmp(a.body, b.body) == 0, "bars cache: and its removal too");
	answer_free(&a);
	answer_free(&b);
}

static void
test_export(struct client *c)
{
	static const char header[] = "symbol,interval_s,start_ms,open,high,"
	    "low,close,volume,vwap,trades,buy_volume,sell_volume,buy_trades,"
	    "sell_trades,quotes,spread_mean,spread_min,spread_max,spread_bps,"
	    "delta_min,delta_max,n_declared,n_inferred,n_unknown,n_compared,"
	    "n_agree,n_unknown_conditions,gap,late,revision,flags,source,"
	    "asset_class,first_ts_ns,last_ts_ns,updated_ms\r\n";
	struct answer a;
	const char *cd;

	a = call(c, HTTP_GET, "/api/export.csv", "symbol=AAPL&from="
	    "1700000000000&limit=2", NULL, 0);
	cd = http_resp_header_get(&a.resp, "Content-Disposition");
	CHECK(a.status == 200 && strcmp(a.resp.content_type,
	    "text/csv; charset=utf-8") == 0 && cd != NULL &&
	    strcmp(cd, "attachment; filename=\"AAPL-demo-60s.csv\"") == 0,
	    "export: text/csv, attachment AAPL-demo-60s.csv (the source of "
	    "the symbols table)");
	CHECK(strncmp(a.body, header, strlen(header)) == 0,
	    "export: a header line of the column names");
	CHECK(strcmp(a.body + strlen(header),
	    "AAPL,60,1700000000000,100,100.75,99.25,100.5,1000.5,0.1,0,600.25,"
	    "400.25,,,,,,,,,,,,,,,,0,0,0,0,demo,stock,,,\r\n"
	    "AAPL,60,1700000060000,101,101.75,100.25,101.5,1000.5,0.1,1,600.25,"
	    "400.25,,,,,,,,,,,,,,,,0,0,0,0,demo,stock,,,\r\n") == 0,
	    "export: two records, nulls empty, CRLF");
	answer_free(&a);
	a = call(c, HTTP_GET, "/api/export.csv", "symbol=AAPL&interval=1",
	    NULL, 0);
	CHECK(strstr(a.body, ",\"say \"\"hi\"\", ok\",") != NULL,
	    "export: a text with a comma and quotes is quoted, quotes "
	    "doubled");
	answer_free(&a);
	a = call(c, HTTP_GET, "/api/export.csv", "symbol=BTC-USD&"
	    "source=kraken", NULL, 0);
	cd = http_resp_header_get(&a.resp, "Content-Disposition");
	CHECK(a.status == 200 && cd != NULL && strcmp(cd, "attachment; "
	    "filename=\"BTC-USD-kraken-60s.csv\"") == 0 &&
	    strstr(a.body, ",200,") != NULL && strstr(a.body, ",205,") !=
	    NULL && strstr(a.body, ",100,") == NULL &&
	    strstr(a.body, "demo") == NULL,
	    "export with source: that series, SYMBOL-SOURCE-60s.csv");
	answer_free(&a);
	a = call(c, HTTP_GET, "/api/export.csv", "symbol=BTC-USD", NULL, 0);
	CHECK(error_is(&a, 400, "BTC-USD comes from several sources (demo, "
	    "kraken): add source="), "export of two sources without source: "
	    "400");
	answer_free(&a);
	a = call(c, HTTP_GET, "/api/export.csv", "symbol=NOPE", NULL, 0);
	cd = http_resp_header_get(&a.resp, "Content-Disposition");
	CHECK(a.status == 200 && cd != NULL && strcmp(cd, "attachment; "
	    "filename=\"NOPE-60s.csv\"") == 0,
	    "export without any source: SYMBOL-60s.csv");
	answer_free(&a);
}

static void
test_anomalies(struct client *c)
{
	struct answer a;
	json_t *an;

	a = call(c, HTTP_GET, "/api/anomalies", NULL, NULL, 0);
	an = json_object_get(a.json, "anomalies");
	CHECK(a.status == 200 && json_array_size(an) == 3 &&
	    bar_int(an, 0, "start_ms") == 1700000300000 &&
	    bar_int(an, 1, "start_ms") == 1700000120000 &&
	    bar_int(an, 2, "start_ms") == 1700000060000 &&
	    strcmp(jstr(json_array_get(an, 0), "kind"), "price_jump") == 0 &&
	    json_real_value(json_object_get(json_array_get(an, 0),
	    "score")) == 9.25, "anomalies: all symbols, newest first");
	answer_free(&a);
	a = call(c, HTTP_GET, "/api/anomalies", "symbol=AAPL&limit=1", NULL,
	    0);
	an = json_object_get(a.json, "anomalies");
	CHECK(json_array_size(an) == 1 && bar_int(an, 0, "start_ms") ==
	    1700000300000 && json_is_true(json_object_get(a.json,
	    "truncated")), "anomalies of AAPL, limit 1: the newest");
	answer_free(&a);
	a = call(c, HTTP_GET, "/api/anomalies", "interval=1", NULL, 0);
	an = json_object_get(a.json, "anomalies");
	CHECK(json_array_size(an) == 1 && strcmp(jstr(json_array_get(an, 0),
	    "symbol"), "BTC-USD") == 0, "anomalies interval=1: one");
	answer_free(&a);
	a = call(c, HTTP_GET, "/api/anomalies", "from=1700000100000&"
	    "to=1700000200000", NULL, 0);
	CHECK(json_array_size(json_object_get(a.json, "anomalies")) == 1,
	    "anomalies from..to");
	answer_free(&a);
	a = call(c, HTTP_GET, "/api/anomalies", "source=kraken", NULL, 0);
	an = json_object_get(a.json, "anomalies");
	CHECK(a.status == 200 && json_array_size(an) == 1 &&
	    strcmp(jstr(json_array_get(an, 0), "source"), "kraken") == 0 &&
	    strcmp(jstr(json_array_get(an, 0), "kind"), "large_trade") == 0,
	    "anomalies source=kraken: that source only");
	answer_free(&a);
	a = call(c, HTTP_GET, "/api/anomalies", "symbol=AAPL&source=kraken",
	    NULL, 0);
	CHECK(a.status == 200 && json_array_size(json_object_get(a.json,
	    "anomalies")) == 0, "anomalies symbol and source: both apply");
	answer_free(&a);
	a = call(c, HTTP_GET, "/api/anomalies", "source=a.b", NULL, 0);
	CHECK(error_is(&a, 400, "source: want 1 to 16 characters of a-z 0-9 "
	    "_ -"), "anomalies bad source: 400");
	answer_free(&a);
}

static json_t *
find_row(json_t *arr, const char *k1, const char *v1, const char *k2,
    int64_t v2)
{
	json_t *r;
	size_t i;

	json_array_foreach(arr, i, r)
		if (strcmp(jstr(r, k1), v1) == 0 && (k2 == NULL ||
		    json_integer_value(json_object_get(r, k2)) == v2))
			return r;
	return NULL;
}

static int
num_is(json_t *o, const char *key, double want)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) && json_number_value(v) == want;
}

/* The side_checks rows of make_market, summed by hand. */
static void
test_side_check(struct client *c)
{
	struct answer a;
	json_t *rows, *by, *r;

	a = call(c, HTTP_GET, "/api/side-check", NULL, NULL, 0);
	rows = json_object_get(a.json, "side_checks");
	by = json_object_get(a.json, "by_source");
	CHECK(a.status == 200 && json_array_size(rows) == 4 &&
	    json_array_size(by) == 2, "side-check: every row, two sources");
	CHECK(strcmp(jstr(json_array_get(rows, 0), "source"), "kraken") == 0 &&
	    strcmp(jstr(json_array_get(rows, 0), "symbol"), "BTC-USD") == 0 &&
	    strcmp(jstr(json_array_get(rows, 1), "symbol"), "ETH-USD") == 0 &&
	    strcmp(jstr(json_array_get(rows, 2), "source"), "polygon") == 0 &&
	    json_integer_value(json_object_get(json_array_get(rows, 2),
	    "exchange")) == 4 && json_integer_value(json_object_get(
	    json_array_get(rows, 3), "exchange")) == 11,
	    "side-check: ordered by source, symbol, exchange");
	r = find_row(rows, "symbol", "BTC-USD", NULL, 0);
	CHECK(r != NULL && num_is(r, "trades", 100) &&
	    num_is(r, "declared_buy", 50) && num_is(r, "declared_sell", 40) &&
	    num_is(r, "compared", 80) && num_is(r, "agree", 60) &&
	    num_is(r, "agreement", 0.75) && num_is(r, "at_bid", 30) &&
	    num_is(r, "at_ask", 45) && num_is(r, "inside", 5) &&
	    num_is(r, "at_bid_share", 0.3) && num_is(r, "at_ask_share", 0.45) &&
	    num_is(r, "inverted", 0) && num_is(r, "updated_ms",
	    1700000000001.0) && strcmp(jstr(r, "asset_class"), "crypto") == 0 &&
	    json_object_size(r) == 17, "side-check: a row's columns and "
	    "ratios (60/80, 30/100, 45/100)");
	r = find_row(rows, "symbol", "ETH-USD", NULL, 0);
	CHECK(r != NULL && json_is_null(json_object_get(r, "agreement")) &&
	    json_is_null(json_object_get(r, "at_bid_share")) &&
	    json_is_null(json_object_get(r, "at_ask_share")),
	    "side-check: ratios null when compared or trades is 0");
	r = find_row(by, "source", "polygon", NULL, 0);
	CHECK(r != NULL && num_is(r, "symbols", 1) && num_is(r, "trades", 40) &&
	    num_is(r, "declared_buy", 15) && num_is(r, "declared_sell", 15) &&
	    num_is(r, "compared", 28) && num_is(r, "agree", 20) &&
	    num_is(r, "agreement", 20.0 / 28) && num_is(r, "at_bid", 11) &&
	    num_is(r, "at_ask", 12) && num_is(r, "inside", 17) &&
	    num_is(r, "at_bid_share", 11.0 / 40) &&
	    num_is(r, "at_ask_share", 12.0 / 40) && num_is(r, "inverted", 1),
	    "side-check: polygon's sums over two exchanges of one symbol");
	r = find_row(by, "source", "kraken", NULL, 0);
	CHECK(r != NULL && json_array_get(by, 0) == r &&
	    num_is(r, "symbols", 2) && num_is(r, "trades", 100) &&
	    num_is(r, "agreement", 0.75) && num_is(r, "inverted", 0),
	    "side-check: kraken's sums over two symbols, sources ordered");
	answer_free(&a);

	a = call(c, HTTP_GET, "/api/side-check", "symbol=AAPL", NULL, 0);
	rows = json_object_get(a.json, "side_checks");
	by = json_object_get(a.json, "by_source");
	CHECK(a.status == 200 && json_array_size(rows) == 2 &&
	    json_array_size(by) == 1 && num_is(json_array_get(by, 0),
	    "trades", 40), "side-check symbol=AAPL: its rows and sums");
	answer_free(&a);
	a = call(c, HTTP_GET, "/api/side-check", "source=kraken&symbol=ETH-USD",
	    NULL, 0);
	rows = json_object_get(a.json, "side_checks");
	CHECK(a.status == 200 && json_array_size(rows) == 1 &&
	    num_is(json_array_get(json_object_get(a.json, "by_source"), 0),
	    "symbols", 1), "side-check symbol and source: both apply");
	answer_free(&a);
	a = call(c, HTTP_GET, "/api/side-check", "source=binance", NULL, 0);
	CHECK(a.status == 200 && strcmp(a.body,
	    "{\"side_checks\":[],\"by_source\":[]}") == 0,
	    "side-check of an unknown source: empty arrays");
	answer_free(&a);
	a = call(c, HTTP_GET, "/api/side-check", "exchange=4", NULL, 0);
	CHECK(error_is(&a, 400, "unknown parameter: exchange"),
	    "side-check unknown parameter: 400");
	answer_free(&a);
	a = call(c, HTTP_GET, "/api/side-check", "source=KRAKEN", NULL, 0);
	CHECK(error_is(&a, 400, "source: want 1 to 16 characters of a-z 0-9 "
	    "_ -"), "side-check bad source: 400");
	answer_free(&a);
	a = call(c, HTTP_GET, "/api/side-check", "symbol=A%20B", NULL, 0);
	CHECK(a.status == 400 && strstr(jstr(a.json, "error"), "symbol") !=
	    NULL, "side-check bad symbol: 400");
	answer_free(&a);
}

static void
test_symbols(struct client *c)
{
	struct answer a;
	json_t *s, *aapl, *btc, *kr;

	a = call(c, HTTP_GET, "/api/symbols", NULL, NULL, 0);
	s = json_object_get(a.json, "symbols");
	aapl = json_array_get(s, 0);
	btc = json_array_get(s, 1);
	kr = json_array_get(s, 2);
	CHECK(a.status == 200 && json_array_size(s) == 3 &&
	    strcmp(jstr(a.json, "mode"), "demo") == 0 &&
	    strcmp(jstr(aapl, "symbol"), "AAPL") == 0 &&
	    strcmp(jstr(aapl, "asset_class"), "stock") == 0 &&
	    json_real_value(json_object_get(aapl, "last_price")) == 109.5,
	    "symbols: ordered, with asset class and last price");
	CHECK(json_is_null(json_object_get(aapl, "change_24h")),
	    "symbols: no bar a day before: change null");
	CHECK(json_number_value(json_object_get(btc, "ref_price_24h")) ==
	    100 && json_number_value(json_object_get(btc, "change_24h")) ==
	    10 && json_number_value(json_object_get(btc, "change_24h_pct")) ==
	    10 && strcmp(jstr(btc, "source"), "demo") == 0,
	    "symbols: 24 h change from the close a day before (100 -> "
	    "110: +10, +10 %%)");
	CHECK(strcmp(jstr(kr, "symbol"), "BTC-USD") == 0 &&
	    strcmp(jstr(kr, "source"), "kraken") == 0 &&
	    json_number_value(json_object_get(kr, "last_price")) == 210 &&
	    json_number_value(json_object_get(kr, "ref_price_24h")) == 200 &&
	    json_number_value(json_object_get(kr, "change_24h")) == 10 &&
	    json_number_value(json_object_get(kr, "change_24h_pct")) == 5,
	    "symbols: one row per source, ordered by source, each with the "
	    "24 h change of its own bars (200 -> 210: +5 %%)");
	answer_free(&a);
}

/* --- passwords and users -------------------------------------------------- */

static void
test_password_change(struct client *admin)
{
	struct client c = { .addr = "10.4.0.1" }, other = { .addr = "10.4.0.2" };
	const char *newpw = "a-Brand-new-Pass-phrase-for-her-55";
	struct answer a;
	char body[256];

	/* mona must change: the admin resets her password. */
	a = call(admin, HTTP_POST, "/api/users/mona/password", NULL,
	    "{\"password\":\"Reset-by-admin-Pass-phrase-77\"}", 0);
	CHECK(a.status == 200 && json_is_true(json_object_get(a.json,
	    "must_change")), "admin reset: 200, must_change set");
	answer_free(&a);
	if (login(&c, "mona", "Reset-by-admin-Pass-phrase-77") == -1 ||
	    login(&other, "mona", "Reset-by-admin-Pass-phrase-77") == -1) {
		CHECK(0, "login with the reset password");
		return;
	}
	a = call(&c, HTTP_GET, "/api/symbols", NULL, NULL, 0);
	CHECK(error_is(&a, 403, "password change required"),
	    "must_change: symbols 403");
	answer_free(&a);
	a = call(&c, HTTP_GET, "/api/me", NULL, NULL, 0);
	CHECK(a.status == 200 && json_is_true(json_object_get(a.json,
	    "must_change")), "must_change: me 200 says so");
	answer_free(&a);
	a = call(&c, HTTP_POST, "/api/me/password", NULL, "{\"current\":"
	    "\"Reset-by-admin-Pass-phrase-77\",\"new\":\"short\"}", 0);
	CHECK(a.status == 400 && strstr(jstr(a.json, "error"), "15") != NULL,
	    "password change: the policy's reason (%s)", jstr(a.json,
	    "error"));
	answer_free(&a);
	snprintf(body, sizeof(body), "{\"current\":\"wrong-Pass-phrase-11\","
	    "\"new\":\"%s\"}", newpw);
	a = call(&c, HTTP_POST, "/api/me/password", NULL, body, 0);
	CHECK(error_is(&a, 403, "current password is wrong"),
	    "password change: wrong current is 403 (%d)", a.status);
	answer_free(&a);
	snprintf(body, sizeof(body), "{\"current\":\"Reset-by-admin-Pass-"
	    "phrase-77\",\"new\":\"%s\"}", newpw);
	a = call(&c, HTTP_POST, "/api/me/password", NULL, body, 1);
	CHECK(error_is(&a, 403, "csrf"), "password change needs CSRF");
	answer_free(&a);
	a = call(&c, HTTP_POST, "/api/me/password", NULL, body, 0);
	CHECK(a.status == 200 && json_is_false(json_object_get(a.json,
	    "must_change")) && strncmp(http_resp_header_get(&a.resp,
	    "Set-Cookie") != NULL ? http_resp_header_get(&a.resp,
	    "Set-Cookie") : "", "__Host-tw_session=", 18) == 0 &&
	    strlen(jstr(a.json, "csrf")) == AUTH_CSRF_LEN,
	    "password change: 200, a fresh session cookie, must_change off");
	answer_free(&a);
	a = call(&c, HTTP_GET, "/api/me", NULL, NULL, 0);
	CHECK(a.status == 401, "password change: the old session ended");
	answer_free(&a);
	a = call(&other, HTTP_GET, "/api/me", NULL, NULL, 0);
	CHECK(a.status == 401, "password change: other sessions ended");
	answer_free(&a);
	CHECK(login(&c, "mona", newpw) == 0, "the new password logs in");
	a = call(&c, HTTP_GET, "/api/symbols", NULL, NULL, 0);
	CHECK(a.status == 200, "after the change symbols are allowed");
	answer_free(&a);
}

static void
test_users(struct client *admin)
{
	struct client bob = { .addr = "10.5.0.1" };
	struct answer a;
	json_t *u;
	size_t i;
	int found = 0;

	a = call(admin, HTTP_POST, "/api/users", NULL, "{\"name\":\"bob\","
	    "\"role\":\"viewer\",\"password\":\"Own-secret-Pass-phrase-2024x\","
	    "\"must_change\":false}", 0);
	CHECK(a.status == 201 && strcmp(jstr(a.json, "name"), "bob") == 0 &&
	    strcmp(jstr(a.json, "role"), "viewer") == 0 &&
	    json_is_false(json_object_get(a.json, "must_change")),
	    "users add: 201 with the user");
	answer_free(&a);
	a = call(admin, HTTP_POST, "/api/users", NULL, "{\"name\":\"BOB\","
	    "\"role\":\"user\",\"password\":\"Own-secret-Pass-phrase-2024y\"}",
	    0);
	CHECK(error_is(&a, 409, "user exists"),
	    "users add: same name in another case is 409");
	answer_free(&a);
	a = call(admin, HTTP_POST, "/api/users", NULL, "{\"name\":\"cy\","
	    "\"role\":\"root\",\"password\":\"Own-secret-Pass-phrase-2024y\"}",
	    0);
	CHECK(a.status == 400 && strstr(jstr(a.json, "error"), "role") !=
	    NULL, "users add: unknown role is 400");
	answer_free(&a);
	a = call(admin, HTTP_POST, "/api/users", NULL, "{\"name\":\"cy\","
	    "\"role\":\"user\",\"password\":\"password123456789\"}", 0);
	CHECK(a.status == 400, "users add: a common password is 400 (%s)",
	    jstr(a.json, "error"));
	answer_free(&a);
	a = call(admin, HTTP_POST, "/api/users", NULL, "{\"name\":\"dee\","
	    "\"role\":\"user\",\"password\":\"Own-secret-Pass-phrase-2024z\"}",
	    0);
	CHECK(a.status == 201 && json_is_true(json_object_get(a.json,
	    "must_change")), "users add: must_change defaults to true");
	answer_free(&a);

	a = call(admin, HTTP_GET, "/api/users", NULL, NULL, 0);
	u = json_object_get(a.json, "users");
	for (i = 0; i < json_array_size(u); i++)
		if (strcmp(jstr(json_array_get(u, i), "name"), "bob") == 0)
			found = 1;
	CHECK(a.status == 200 && found && json_array_size(u) == 6,
	    "users list: everyone, bob included");
	answer_free(&a);

	if (login(&bob, "bob", "Own-secret-Pass-phrase-2024x") == -1) {
		CHECK(0, "bob logs in");
		return;
	}
	a = call(admin, HTTP_POST, "/api/users/bob/role", NULL,
	    "{\"role\":\"manager\"}", 0);
	CHECK(a.status == 200 && strcmp(jstr(a.json, "role"), "manager") == 0,
	    "users role: 200");
	answer_free(&a);
	a = call(&bob, HTTP_GET, "/api/health", NULL, NULL, 0);
	CHECK(a.status == 200, "a role change applies on the next request");
	answer_free(&a);
	a = call(admin, HTTP_POST, "/api/users/bob/disable", NULL, NULL, 0);
	CHECK(a.status == 200 && json_is_true(json_object_get(a.json,
	    "disabled")), "users disable: 200, disabled");
	answer_free(&a);
	a = call(&bob, HTTP_GET, "/api/me", NULL, NULL, 0);
	CHECK(a.status == 401, "a disabled user's session is 401");
	answer_free(&a);
	a = call(admin, HTTP_POST, "/api/users/bob/enable", NULL, "{}", 0);
	CHECK(a.status == 200 && json_is_false(json_object_get(a.json,
	    "disabled")), "users enable: 200");
	answer_free(&a);
	a = call(admin, HTTP_POST, "/api/users/ada/role", NULL,
	    "{\"role\":\"viewer\"}", 0);
	CHECK(a.status == 409, "demoting the last admin is 409");
	answer_free(&a);
	a = call(admin, HTTP_POST, "/api/users/ada/disable", NULL, "{}", 0);
	CHECK(a.status == 409, "disabling the last admin is 409");
	answer_free(&a);
	a = call(admin, HTTP_DELETE, "/api/users/ada", NULL, NULL, 0);
	CHECK(a.status == 409, "deleting the last admin is 409");
	answer_free(&a);
	if (login(&bob, "bob", "Own-secret-Pass-phrase-2024x") == -1)
		CHECK(0, "bob logs in again");
	a = call(admin, HTTP_POST, "/api/users/bob/logout", NULL, "{}", 0);
	CHECK(a.status == 200 && json_integer_value(json_object_get(a.json,
	    "ended")) == 1, "users logout: one session ended");
	answer_free(&a);
	a = call(&bob, HTTP_GET, "/api/me", NULL, NULL, 0);
	CHECK(a.status == 401, "after users logout bob's cookie is 401");
	answer_free(&a);
	a = call(admin, HTTP_DELETE, "/api/users/bob", NULL, NULL, 0);
	CHECK(a.status == 200 && strcmp(jstr(a.json, "deleted"), "bob") == 0,
	    "users delete: 200");
	answer_free(&a);
	a = call(admin, HTTP_POST, "/api/users/bob/delete", NULL, "{}", 0);
	CHECK(error_is(&a, 404, "no such user"), "deleting again: 404");
	answer_free(&a);
	a = call(admin, HTTP_POST, "/api/users/b%20b/role", NULL,
	    "{\"role\":\"user\"}", 0);
	CHECK(a.status == 404, "users: a name that cannot exist is 404");
	answer_free(&a);
}

/* --- the rest ----------------------------------------------------------- */

static void
test_misc(struct client *admin)
{
	struct client none = { .addr = NULL };
	struct answer a;

	a = call(&none, HTTP_GET, "/api/nope", NULL, NULL, 0);
	CHECK(a.status == 404 && strcmp(a.body, "{\"error\":\"not found\"}") ==
	    0, "unknown route: 404 {\"error\":\"not found\"}");
	answer_free(&a);
	a = call(&none, HTTP_GET, "/api/login", NULL, NULL, 0);
	CHECK(a.status == 405 && strcmp(http_resp_header_get(&a.resp,
	    "Allow"), "POST") == 0, "GET /api/login: 405 Allow: POST");
	answer_free(&a);
	a = call(&none, HTTP_OTHER, "/", NULL, NULL, 0);
	CHECK(a.status == 405, "an unknown method on a file: 405");
	answer_free(&a);
	a = call(&none, HTTP_GET, "/", NULL, NULL, 0);
	CHECK(a.status == 200 && strcmp(a.resp.content_type,
	    "text/html; charset=utf-8") == 0 && a.resp.cache ==
	    HTTP_CACHE_NO_CACHE && strstr(a.body, "<title>t</title>") != NULL,
	    "static /: index.html, text/html, no-cache, no login needed");
	answer_free(&a);
	a = call(&none, HTTP_GET, "/missing.js", NULL, NULL, 0);
	CHECK(error_is(&a, 404, "not found"), "static missing: 404 JSON");
	answer_free(&a);
	a = call(&none, HTTP_GET, "/link.txt", NULL, NULL, 0);
	CHECK(a.status == 404, "static: a link out of the root is 404");
	answer_free(&a);
	a = call(&none, HTTP_GET, "/../secret.txt", NULL, NULL, 0);
	CHECK(a.status == 404, "static: .. is 404");
	answer_free(&a);
	a = call(&none, HTTP_GET, "/healthz", NULL, NULL, 0);
	CHECK(a.status == 200 && strcmp(a.body, "{\"status\":\"ok\"}") == 0,
	    "healthz: 200 without login");
	answer_free(&a);
	a = call(admin, HTTP_GET, "/live", NULL, NULL, 0);
	CHECK(error_is(&a, 400, "websocket upgrade required"),
	    "plain GET /live: 400");
	answer_free(&a);
	a = call(admin, HTTP_GET, "/metrics", NULL, NULL, 0);
	CHECK(a.status == 200 && strcmp(a.resp.content_type,
	    "text/plain; version=0.0.4; charset=utf-8") == 0 &&
	    strstr(a.body, "# TYPE tapewatch_webui_responses_total counter\n"
	    "tapewatch_webui_responses_total{class=\"1xx\"}") != NULL &&
	    strstr(a.body, "tapewatch_webui_logins_total{outcome=\"failed\"}") !=
	    NULL, "metrics: Prometheus text with webui's counters");
	answer_free(&a);
	a = call(admin, HTTP_GET, "/api/health", NULL, NULL, 0);
	CHECK(a.status == 200 && strcmp(jstr(a.json, "mode"), "demo") == 0 &&
	    strcmp(jstr(a.json, "feed_key"), "abcd\xe2\x80\xa6wxyz") == 0 &&
	    json_is_object(json_object_get(a.json, "webui")),
	    "health: mode, the masked key as given, webui's counters");
	answer_free(&a);
}

static void
test_market_missing(struct client *admin)
{
	struct webui_config bad = cfg;
	struct worker_ctx saved = w;
	struct answer a;
	char err[256];

	bad.market_db = "/nonexistent/market.db";
	if (worker_open(&w, &bad, NULL, &stats, err, sizeof(err)) == -1) {
		CHECK(0, "worker for a missing market.db");
		w = saved;
		return;
	}
	a = call(admin, HTTP_GET, "/api/bars", "symbol=AAPL", NULL, 0);
	CHECK(error_is(&a, 503, "market data unavailable") &&
	    strcmp(http_resp_header_get(&a.resp, "Retry-After"), "5") == 0,
	    "bars without market.db: 503 with Retry-After");
	answer_free(&a);
	a = call(admin, HTTP_GET, "/healthz", NULL, NULL, 0);
	CHECK(a.status == 503, "healthz without market.db: 503");
	answer_free(&a);
	a = call(admin, HTTP_GET, "/api/me", NULL, NULL, 0);
	CHECK(a.status == 200, "sessions work without market.db");
	answer_free(&a);
	worker_close(&w);
	w = saved;
}

int
main(void)
{
	struct client cl[4] = { { .addr = "10.0.0.1" }, { .addr = "10.0.0.2" },
	    { .addr = "10.0.0.3" }, { .addr = "10.0.0.4" } };
	struct client admin = { .addr = "10.0.0.9" };
	int i;

	setup();
	test_login(&admin);
	test_login_content_type();
	for (i = 0; i < 4; i++)
		CHECK(login(&cl[i], names[i], pw[i]) == 0, "login %s",
		    names[i]);
	test_me(&admin);
	test_csrf_logout();
	test_role_matrix(cl);
	test_bars(&cl[0]);
	test_bars_cache(&cl[0]);
	test_export(&cl[1]);
	test_anomalies(&cl[0]);
	test_symbols(&cl[0]);
	test_side_check(&cl[0]);
	test_users(&admin);
	test_password_change(&admin);
	test_misc(&admin);
	test_market_missing(&admin);
	test_throttle();
	teardown();
	return check_report();
}
