/*
 * The lws side of webui (server.h).
 *
 * A connection's life: LWS_CALLBACK_HTTP copies the request into a job
 * (lwsreq.c); a body is collected up to HTTP_BODY_MAX (413 beyond, judged
 * from Content-Length before reading and while reading, chunked bodies
 * decoded here); the job goes to the pool; the answer comes back on
 * LWS_CALLBACK_EVENT_WAIT_CANCELLED and is written on HTTP_WRITEABLE, one
 * chunk per callback. Connection state lives in struct conn (lws's
 * per-session data), which lws keeps across keep-alive requests.
 */
#include <sys/signalfd.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "api.h"
#include "chunked.h"
#include "clock.h"
#include "live.h"
#include "log.h"
#include "lwsreq.h"
#include "route.h"
#include "secheaders.h"
#include "server.h"

/*
 * Mozilla's intermediate configuration, guidelines 6.0 (security.md §8),
 * in its order, which is the server's (see vhost_info).
 */
#define TLS12_CIPHERS	"ECDHE-ECDSA-AES128-GCM-SHA256:" \
			"ECDHE-RSA-AES128-GCM-SHA256:" \
			"ECDHE-ECDSA-AES256-GCM-SHA384:" \
			"ECDHE-RSA-AES256-GCM-SHA384:" \
			"ECDHE-ECDSA-CHACHA20-POLY1305:" \
			"ECDHE-RSA-CHACHA20-POLY1305"
#define TLS13_CIPHERS	"TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:" \
			"TLS_CHACHA20_POLY1305_SHA256"
#define TLS_GROUPS	"X25519:prime256v1:secp384r1"

#define SERVER_HEADER_POOL	1024	/* connections reading a head at once */
#define SERVER_HEAD_TIMEOUT_S	10	/* accept to a complete request head */

enum conn_state {
	CONN_IDLE = 0,
	CONN_BODY,		/* reading the request body */
	CONN_QUEUED,		/* a worker has it */
	CONN_WRITING,		/* the answer is going out */
	CONN_CLOSING		/* written; close when lws says writable */
};

struct conn {
	struct server	*s;
	struct lws	*wsi;
	enum conn_state	 state;
	struct pool_job	*job;
	struct buf	 body;
	struct chunked	 ch;
	int		 chunked;
	size_t		 sent;
	int		 head_sent;
	int64_t		 t0_ns;
};

static int64_t
now_ms(void)
{
	return clock_now_ns() / 1000000;
}

static struct server *
server_of(struct lws *wsi)
{
	return lws_context_user(lws_get_context(wsi));
}

/* --- writing answers -------------------------------------------------- */

static int
add_header(struct lws *wsi, const char *name, const char *value,
    unsigned char **p, unsigned char *end)
{
	char n[64];

	snprintf(n, sizeof(n), "%s:", name);
	return lws_add_http_header_by_name(wsi, (const unsigned char *)n,
	    (const unsigned char *)value, (int)strlen(value), p, end);
}

/* Status line, the vhost's security headers (lws adds them), ours. */
static int
write_head(struct conn *c, unsigned char **p, unsigned char *end)
{
	const struct http_resp *r = &c->job->resp;
	char date[HTTP_DATE_LEN + 1];
	int i;

	http_date(clock_now_ns() / 1000000000, date);
	if (lws_add_http_header_status(c->wsi, (unsigned)r->status, p, end) ||
	    add_header(c->wsi, "Date", date, p, end) ||
	    add_header(c->wsi, "Content-Type", r->content_type, p, end) ||
	    lws_add_http_header_content_length(c->wsi, r->body.len, p, end) ||
	    add_header(c->wsi, "Cache-Control", r->cache == HTTP_CACHE_NO_STORE ?
	    "no-store" : "no-cache", p, end))
		return -1;
	for (i = 0; i < r->n_headers; i++)
		if (add_header(c->wsi, r->headers[i].name, r->headers[i].value,
		    p, end))
			return -1;
	if (r->close && add_header(c->wsi, "Connection", "close", p, end))
		return -1;
	return lws_finalize_http_header(c->wsi, p, end) ? -1 : 0;
}

/* One chunk of the answer: 1 when all of it is out, 0 more, -1 error. */
static int
write_chunk(struct conn *c)
{
	const struct http_resp *r = &c->job->resp;
	unsigned char *start = c->s->wbuf + LWS_PRE, *p = start,
	    *end = start + SERVER_WRITE_CHUNK;
	size_t n, body_len = c->job->req.method == HTTP_HEAD ? 0 : r->body.len;
	int final;

	if (!c->head_sent) {
		if (write_head(c, &p, end) == -1)
			return -1;
		c->head_sent = 1;
	}
	n = body_len - c->sent;
	if (n > (size_t)(end - p))
		n = (size_t)(end - p);
	if (n > 0)
		memcpy(p, r->body.p + c->sent, n);
	p += n;
	c->sent += n;
	final = c->sent == body_len;
	if (lws_write(c->wsi, start, (size_t)(p - start), final ?
	    LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) != (int)(p - start))
		return -1;
	return final;
}

/* Method, path without the query, status, time: debug only, no secrets. */
static void
log_request(struct conn *c)
{
	char path[128];
	size_t i;

	for (i = 0; i + 1 < sizeof(path) && c->job->req.path[i] != '\0'; i++)
		path[i] = c->job->req.path[i] >= 0x20 &&
		    c->job->req.path[i] < 0x7f ? c->job->req.path[i] : '?';
	path[i] = '\0';
	log_debug("%s %s %d %.1fms", http_method_name(c->job->req.method),
	    path, c->job->resp.status,
	    (double)(clock_mono_ns() - c->t0_ns) / 1e6);
}

static void
conn_reset(struct conn *c)
{
	pool_job_free(c->job);
	c->job = NULL;
	buf_free(&c->body);
	c->state = CONN_IDLE;
	c->chunked = 0;
	c->sent = 0;
	c->head_sent = 0;
}

static int
on_writeable(struct conn *c)
{
	int rc, close_after;

	if (c->state == CONN_CLOSING)
		return -1;
	if (c->state != CONN_WRITING || c->job == NULL)
		return 0;
	if ((rc = write_chunk(c)) == -1)
		return -1;
	if (rc == 0) {
		lws_callback_on_writable(c->wsi);
		return 0;
	}
	stats_response(&c->s->stats, c->job->resp.status, c->job->resp.event);
	log_request(c);
	close_after = c->job->resp.close;
	conn_reset(c);
	if (close_after) {
		/* After what lws may still hold is out. */
		c->state = CONN_CLOSING;
		lws_callback_on_writable(c->wsi);
		return 0;
	}
	return lws_http_transaction_completed(c->wsi) ? -1 : 0;
}

/* Starts writing the job's answer. */
static void
answer(struct conn *c)
{
	c->state = CONN_WRITING;
	c->sent = 0;
	c->head_sent = 0;
	lws_callback_on_writable(c->wsi);
}

/* An answer decided here, without a worker. */
static void
answer_now(struct conn *c, int status, int close_after, const char *reason)
{
	http_resp_error(&c->job->resp, status, "%s", reason);
	c->job->resp.close = close_after;
	answer(c);
}

/* --- requests ----------------------------------------------------------- */

static void
dispatch(struct conn *c)
{
	struct server *s = c->s;

	if (c->body.len > 0 || c->body.p != NULL) {
		c->job->req.body = buf_take(&c->body, &c->job->req.body_len);
	}
	c->job->owner = c;
	c->state = CONN_QUEUED;
	if (pool_submit(&s->pool, c->job) == -1) {
		c->job->owner = NULL;
		atomic_fetch_add(&s->stats.queue_full, 1);
		http_resp_header(&c->job->resp, "Retry-After", "1");
		answer_now(c, 503, 0, "busy: try again");
	}
}

static void
healthz(struct conn *c)
{
	struct http_resp *r = &c->job->resp;

	if (pool_market_ok(&c->s->pool, now_ms()))
		http_resp_json_text(r, 200, "{\"status\":\"ok\"}", 15);
	else
		http_resp_error(r, 503, "market.db not readable");
	answer(c);
}

/* Content-Length as a number; -1 absent, -2 not a number. */
static int64_t
content_length(struct lws *wsi)
{
	char v[32], *end;
	long long n;

	if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH) <= 0)
		return -1;
	if (lws_hdr_copy(wsi, v, sizeof(v), WSI_TOKEN_HTTP_CONTENT_LENGTH) <= 0)
		return -2;
	n = strtoll(v, &end, 10);
	if (end == v || *end != '\0' || n < 0)
		return -2;
	return n;
}

static int
is_chunked(struct lws *wsi)
{
	char v[64];

	if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) <= 0)
		return 0;
	if (lws_hdr_copy(wsi, v, sizeof(v),
	    WSI_TOKEN_HTTP_TRANSFER_ENCODING) <= 0)
		return -1;
	return strcasecmp(v, "chunked") == 0 ? 1 : -1;
}

/* Decides how the body comes: 1 wait for it, 0 none, -1 answered. */
static int
plan_body(struct conn *c)
{
	enum http_method m = c->job->req.method;
	int64_t cl = content_length(c->wsi);
	int ch = is_chunked(c->wsi);

	if (ch == -1 || cl == -2 || (ch == 1 && cl >= 0)) {
		answer_now(c, 400, 1, "bad Content-Length or Transfer-Encoding");
		return -1;
	}
	if (ch == 1) {
		/* lws 4.1 hands the body over undecoded and never ends it. */
		c->chunked = 1;
		chunked_init(&c->ch, HTTP_BODY_MAX);
		c->job->resp.close = 1;
		return 1;
	}
	if (cl > HTTP_BODY_MAX) {
		answer_now(c, 413, 1, "body too large (64 KiB at most)");
		return -1;
	}
	if (cl > 0 || (cl == 0 && m == HTTP_POST))
		return 1;	/* lws calls BODY_COMPLETION, even for 0 */
	/*
	 * No length and not chunked is an empty body (RFC 9112 §6.3), but
	 * lws 4.1 waits for one after a POST, PUT or PATCH: the connection
	 * ends after the answer.
	 */
	if (cl == -1 && (m == HTTP_POST || m == HTTP_PUT || m == HTTP_PATCH))
		c->job->resp.close = 1;
	return 0;
}

static int
on_request(struct conn *c, struct lws *wsi, const char *path)
{
	const struct route *route;
	const char *reason;
	char param[8], allow[8];

	if (c->job != NULL)
		conn_reset(c);
	c->s = server_of(wsi);
	c->wsi = wsi;
	c->t0_ns = clock_mono_ns();
	c->job = pool_job_new();
	lwsreq_copy(wsi, path, &c->job->req);
	if ((reason = lwsreq_malformed(wsi, path)) != NULL) {
		answer_now(c, 400, 1, reason);
		return 0;
	}
	if (strcmp(c->job->req.path, "/healthz") == 0 &&
	    (c->job->req.method == HTTP_GET || c->job->req.method == HTTP_HEAD)) {
		healthz(c);
		return 0;
	}
	if (route_match(c->job->req.method, c->job->req.path, &route, param,
	    sizeof(param), allow, sizeof(allow)) == ROUTE_OK)
		c->job->hashes = (route->flags & ROUTE_HASHES) != 0;
	switch (plan_body(c)) {
	case 1:
		c->state = CONN_BODY;
		return 0;
	case 0:
		dispatch(c);
		return 0;
	default:
		return 0;
	}
}

static int
on_body(struct conn *c, const char *in, size_t len)
{
	if (c->state != CONN_BODY || c->job == NULL)
		return 0;	/* answered already: the rest is dropped */
	if (c->chunked) {
		switch (chunked_feed(&c->ch, in, len, &c->body)) {
		case CHUNKED_MORE:
			return 0;
		case CHUNKED_DONE:
			dispatch(c);
			return 0;
		case CHUNKED_TOO_BIG:
			answer_now(c, 413, 1, "body too large (64 KiB at most)");
			return 0;
		case CHUNKED_BAD:
			answer_now(c, 400, 1, "bad chunked body");
			return 0;
		}
	}
	if (len > HTTP_BODY_MAX - c->body.len) {
		answer_now(c, 413, 1, "body too large (64 KiB at most)");
		return 0;
	}
	buf_add(&c->body, in, len);
	return 0;
}

static void
on_close(struct conn *c)
{
	if (c->job != NULL && c->state == CONN_QUEUED) {
		/* The worker's answer is freed when it comes back. */
		c->job->owner = NULL;
		c->job = NULL;
	}
	conn_reset(c);
}

/* Hands the answered jobs back to their connections. */
static void
take_answers(struct server *s)
{
	struct pool_job *j;
	struct conn *c;

	while ((j = pool_take_done(&s->pool)) != NULL) {
		if (j->resp.end_session[0] != '\0') {
			live_end_session(s->live, j->resp.end_session);
			livegate_forget(&s->gate, j->resp.end_session);
		}
		if ((c = j->owner) == NULL) {
			pool_job_free(j);	/* the client left */
			continue;
		}
		answer(c);
	}
}

/* --- the protocols ------------------------------------------------------ */

static void
tls_tune(SSL_CTX *ctx)
{
	/* lws's ECDH setup leaves only P-256; X25519 comes first here. */
	if (SSL_CTX_set1_groups_list(ctx, TLS_GROUPS) != 1 ||
	    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1)
		fatalx("cannot set the TLS groups and versions");
}

static int
cb_http(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct conn *c = user;

	switch (reason) {
	case LWS_CALLBACK_OPENSSL_LOAD_EXTRA_SERVER_VERIFY_CERTS:
		tls_tune(user);
		return 0;
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		/* An upgrade that did not ask for "live". */
		lwsreq_write_error(wsi, 400, "websocket protocol \"live\" "
		    "required");
		return -1;
	case LWS_CALLBACK_HTTP:
		return on_request(c, wsi, in != NULL ? in : "/");
	case LWS_CALLBACK_HTTP_BODY:
		return on_body(c, in, len);
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		if (c->state == CONN_BODY && c->job != NULL)
			dispatch(c);
		return 0;
	case LWS_CALLBACK_HTTP_WRITEABLE:
		return on_writeable(c);
	case LWS_CALLBACK_CLOSED_HTTP:
		if (c != NULL)
			on_close(c);
		return 0;
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
		take_answers(lws_context_user(lws_get_context(wsi)));
		return 0;
	default:
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
}

/* The raw-fd protocols refuse a WebSocket client that names one. */
static int
not_for_clients(struct lws *wsi, enum lws_callback_reasons reason,
    void *user, void *in, size_t len)
{
	if (reason == LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION ||
	    reason == LWS_CALLBACK_ESTABLISHED)
		return -1;
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static int
cb_signal(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct server *s = server_of(wsi);
	struct signalfd_siginfo si;

	if (reason != LWS_CALLBACK_RAW_RX_FILE)
		return not_for_clients(wsi, reason, user, in, len);
	if (read(s->sigfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return 0;
	log_info("signal %s: stopping", strsignal((int)si.ssi_signo));
	s->stop = 1;
	return 0;
}

/*
 * lws drops a request whose method it does not know (TRACE, PROPFIND...)
 * with a 403; LWS_SERVER_OPTION_FALLBACK_TO_APPLY_LISTEN_ACCEPT_CONFIG
 * hands it here instead, as raw bytes, to be answered 405 as HTTP says.
 */
struct fallback {
	int		 state;		/* 0 new, 1 answer due, 2 written */
};

static int
cb_fallback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct server *s = server_of(wsi);
	struct fallback *f = user;
	unsigned char *start;

	switch (reason) {
	case LWS_CALLBACK_RAW_RX:
		if (f != NULL && f->state == 0) {
			f->state = 1;
			lws_callback_on_writable(wsi);
		}
		return 0;
	case LWS_CALLBACK_RAW_WRITEABLE:
		if (f == NULL || f->state != 1)
			return -1;
		f->state = 2;
		start = s->wbuf + LWS_PRE;
		memcpy(start, s->not_allowed, s->not_allowed_len);
		if (lws_write(wsi, start, s->not_allowed_len, LWS_WRITE_RAW) !=
		    (int)s->not_allowed_len)
			return -1;
		stats_response(&s->stats, 405, HTTP_EV_NONE);
		log_debug("unknown method 405");
		lws_callback_on_writable(wsi);
		return 0;
	case LWS_CALLBACK_RAW_ADOPT:
	case LWS_CALLBACK_RAW_CLOSE:
		return 0;
	default:
		return not_for_clients(wsi, reason, user, in, len);
	}
}

/* The whole 405 answer, built once. */
static void
make_not_allowed(struct server *s)
{
	static const char body[] = "{\"error\":\"method not allowed\"}";
	const struct sec_header *h;
	struct buf b;
	size_t n, i;

	buf_init(&b);
	buf_adds(&b, "HTTP/1.1 405 Method Not Allowed\r\n");
	h = secheaders(&n);
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s: %s\r\n", h[i].name, h[i].value);
	buf_printf(&b, "Content-Type: %s\r\nContent-Length: %zu\r\n"
	    "Cache-Control: no-store\r\nAllow: GET, HEAD, POST, DELETE\r\n"
	    "Connection: close\r\n\r\n%s", HTTP_JSON, sizeof(body) - 1, body);
	if (b.len > SERVER_WRITE_CHUNK)
		fatalx("405 answer too long");
	s->not_allowed = buf_take(&b, &s->not_allowed_len);
}

/* secheaders.h as the vhost's header list ("name:" as lws wants). */
static void
make_headers(struct server *s)
{
	const struct sec_header *h;
	struct lws_protocol_vhost_options *o;
	size_t n, i, len;
	char *name;

	h = secheaders(&n);
	if ((o = calloc(n, sizeof(*o))) == NULL)
		fatal("calloc");
	for (i = 0; i < n; i++) {
		len = strlen(h[i].name) + 2;
		if ((name = malloc(len)) == NULL)
			fatal("malloc");
		snprintf(name, len, "%s:", h[i].name);
		o[i].name = name;
		o[i].value = h[i].value;
		o[i].next = i + 1 < n ? &o[i + 1] : NULL;
	}
	s->headers = o;
}

static void
lws_log(int level, const char *line)
{
	log_emit(level == LLL_ERR ? LOG_LEVEL_ERROR : LOG_LEVEL_WARN, line);
}

static void
make_protocols(struct server *s)
{
	struct lws_protocols *p = s->protocols;

	memset(s->protocols, 0, sizeof(s->protocols));
	/* The first takes every HTTP request. */
	p[0].name = "http";
	p[0].callback = cb_http;
	p[0].per_session_data_size = sizeof(struct conn);
	p[1].name = "live";
	p[1].callback = live_callback;
	p[1].per_session_data_size = live_session_size();
	p[1].rx_buffer_size = 4096;
	p[1].user = s->live;
	p[2].name = "tw-signal";
	p[2].callback = cb_signal;
	p[3].name = "tw-fallback";
	p[3].callback = cb_fallback;
	p[3].per_session_data_size = sizeof(struct fallback);
}

static const struct lws_protocol_vhost_options raw_option = {
	NULL, NULL, "raw", ""
};
static const struct lws_protocol_vhost_options fallback_pvo = {
	NULL, &raw_option, "tw-fallback", ""
};

static void
vhost_info(struct server *s, struct lws_context_creation_info *info)
{
	const struct webui_options *o = s->opt;

	memset(info, 0, sizeof(*info));
	info->vhost_name = "default";
	info->port = o->port;
	info->iface = o->host[0] != '\0' ? o->host : NULL;
	info->protocols = s->protocols;
	info->headers = s->headers;
	info->user = s;
	info->keepalive_timeout = 30;
	info->timeout_secs = 20;
	info->timeout_secs_ah_idle = SERVER_HEAD_TIMEOUT_S;
	/*
	 * The fallback protocol by the "raw" option, not listen_accept_
	 * protocol: lws 4.1 would adopt every accepted socket with that
	 * protocol's (small) per-session data, then hand it to "http".
	 */
	info->pvo = &fallback_pvo;
	info->options = LWS_SERVER_OPTION_FAIL_UPON_UNABLE_TO_BIND |
	    LWS_SERVER_OPTION_FALLBACK_TO_APPLY_LISTEN_ACCEPT_CONFIG |
	    LWS_SERVER_OPTION_VALIDATE_UTF8;
	if (!o->ipv6)
		info->options |= LWS_SERVER_OPTION_DISABLE_IPV6;
	if (o->plain_http)
		return;
	info->options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info->ssl_cert_filepath = o->tls_cert;
	info->ssl_private_key_filepath = o->tls_key;
	info->ssl_cipher_list = TLS12_CIPHERS;
	info->tls1_3_plus_cipher_list = TLS13_CIPHERS;
	/*
	 * Our order wins (Mozilla's intermediate lets the client pick; every
	 * suite here is strong either way, and testssl rates a server without
	 * an order HIGH), except that a client listing ChaCha20 first (no
	 * AES hardware) gets it: the reason Mozilla gives for client order.
	 * No session tickets: their key is never rotated while webui runs,
	 * so it would unseal every resumed session (Mozilla: tickets off);
	 * resumption uses the server's session cache instead.
	 */
	info->ssl_options_set = SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3 |
	    SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1 | SSL_OP_NO_COMPRESSION |
	    SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
	    SSL_OP_PRIORITIZE_CHACHA | SSL_OP_NO_TICKET;
	info->alpn = "http/1.1";	/* every client takes the h1 path */
}

static void
create_context(struct server *s)
{
	struct lws_context_creation_info info;

	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	/* The vhost comes after live_create, which needs the context. */
	info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
	if (!s->opt->plain_http)
		info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.user = s;
	info.pt_serv_buf_size = SERVER_WRITE_CHUNK + 4096;
	info.max_http_header_data = 8192;
	/*
	 * lws holds a header table from accept until the request head is
	 * in, for at most timeout_secs_ah_idle (vhost_info); a connection
	 * that finds none free waits without being read. 256 idle sockets
	 * kept every new client waiting 10-20 s: 1024 tables are at most
	 * ~9 MiB (docs/security.md, "Connections").
	 */
	info.max_http_header_pool = SERVER_HEADER_POOL;
	info.timeout_secs = 20;
	if ((s->ctx = lws_create_context(&info)) == NULL)
		fatalx("cannot create the lws context");
}

static void
start_live(struct server *s)
{
	struct live_config lc;

	memset(&lc, 0, sizeof(lc));
	lc.bus_urls = s->opt->bus_urls;
	lc.n_bus_urls = s->opt->n_bus_urls;
	lc.client_queue_max = (size_t)s->opt->live_queue_max;
	lc.mode = s->opt->cfg.mode;
	lc.masked_key = s->opt->cfg.masked_key;
	lc.auth = livegate_auth;
	lc.recheck = livegate_recheck;
	lc.auth_arg = &s->gate;
	if ((s->live = live_create(s->ctx, &lc)) == NULL)
		fatalx("cannot start the live side");
}

static void
open_auth(struct server *s)
{
	char err[256];
	int64_t users = 0;

	if (auth_open(&s->auth, s->opt->cfg.auth_db, 1,
	    s->opt->cfg.busy_timeout_ms, err, sizeof(err)) != AUTH_OK)
		fatalx("auth.db %s: %s", s->opt->cfg.auth_db, err);
	auth_set_limits(s->auth, &s->opt->cfg.limits);
	if (auth_user_count(s->auth, &users) == AUTH_OK && users == 0)
		log_warnx("auth.db has no users: nobody can log in until one "
		    "is added (authctl add NAME --role admin)");
}

void
server_open(struct server *s, const struct webui_options *o)
{
	struct lws_context_creation_info vinfo;
	lws_sock_file_fd_type fd;
	char err[256];

	s->opt = o;
	stats_init(&s->stats, (int)o->workers, (int)o->hash_slots, now_ms());
	open_auth(s);
	livegate_init(&s->gate, s->auth, &s->stats,
	    o->cfg.limits.session_max_ms);
	if ((s->wbuf = malloc(LWS_PRE + SERVER_WRITE_CHUNK)) == NULL)
		fatal("malloc");
	make_headers(s);
	make_not_allowed(s);
	lws_set_log_level(LLL_ERR | LLL_WARN, lws_log);
	create_context(s);
	start_live(s);
	make_protocols(s);
	vhost_info(s, &vinfo);
	if ((s->vh = lws_create_vhost(s->ctx, &vinfo)) == NULL)
		fatalx("cannot serve on %s", o->listen);
	fd.filefd = s->sigfd;
	if (lws_adopt_descriptor_vhost(s->vh, LWS_ADOPT_RAW_FILE_DESC, fd,
	    "tw-signal", NULL) == NULL)
		fatalx("cannot watch the signal descriptor");
	if (pool_start(&s->pool, &o->cfg, s->live, &s->stats, s->ctx,
	    (int)o->workers, (int)o->hash_slots, err, sizeof(err)) == -1)
		fatalx("workers: %s", err);
	s->pool_started = 1;
	log_info("serving %s://%s%s%s:%d workers=%ld hash_slots=%ld "
	    "web_root=%s mode=%s", o->plain_http ? "http" : "https",
	    o->ipv6 ? "[" : "", o->host[0] != '\0' ? o->host :
	    o->ipv6 ? "::" : "0.0.0.0", o->ipv6 ? "]" : "",
	    lws_get_vhost_listen_port(s->vh), o->workers, o->hash_slots,
	    o->cfg.web_root, o->cfg.mode);
}

void
server_run(struct server *s)
{
	while (!s->stop)
		if (lws_service(s->ctx, 0) < 0)
			break;
}

void
server_close(struct server *s)
{
	size_t i, n;

	if (s->pool_started)
		pool_stop(&s->pool);	/* each worker ends its job */
	lws_context_destroy(s->ctx);	/* closes connections, the sigfd */
	live_destroy(s->live);		/* after the context: live.h */
	if (s->pool_started)
		pool_free(&s->pool);
	livegate_free(&s->gate);
	auth_close(s->auth);
	secheaders(&n);
	for (i = 0; i < n; i++)
		free((char *)(uintptr_t)s->headers[i].name);
	free(s->headers);
	free(s->not_allowed);
	free(s->wbuf);
}
