/*
 * webui's bus side and the /live WebSocket (live.h, docs/live.md).
 *
 * One receiver thread reads the bus: it keeps counters in the stats table
 * and puts bars and anomalies in a bounded buffer, under the mutex, and
 * wakes the lws loop (lws_cancel_service). Everything about clients runs
 * on the lws thread: live_service() hands buffered records to the clients
 * that watch them, a one-second timer rechecks sessions and sends status,
 * and each client gets one lws_write per WRITEABLE.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libwebsockets.h>
#include <nng/nng.h>

#include "bus_nng.h"
#include "clock.h"
#include "live.h"
#include "live_proto.h"
#include "live_queue.h"
#include "live_stats.h"
#include "log.h"

#define INQ_MAX		8192		/* records between the threads */
#define TICK_US		1000000		/* recheck and status period */
#define KILL_AFTER_S	5		/* a closing client that never reads */
#define RX_BATCH	256		/* bus messages per wake-up */

_Static_assert(LQ_PRE >= LWS_PRE, "LQ_PRE must hold the WebSocket header");

enum item_kind {
	ITEM_BAR = 1,
	ITEM_ANOMALY
};

struct item {
	int		 kind;
	union {
		struct bar	 bar;
		struct anomaly	 an;
	}		 u;
};

struct live_session {
	struct live	*l;
	struct lws	*wsi;
	struct live_session *next;
	struct live_identity who;
	int		 has_who;
	int		 linked;
	struct live_watch watch;
	struct lq	 q;
	int64_t		 expires_ms;
	int		 malformed_row;
	int		 closing;
	int		 close_code;
	const char	*close_reason;
	int		 in_msg;
	const char	*rx_bad;
	size_t		 rx_len;
	char		 rx[LIVE_MAX_MESSAGE];
};

struct live_atomics {
	_Atomic uint64_t clients;
	_Atomic uint64_t messages_sent;
	_Atomic uint64_t messages_coalesced;
	_Atomic uint64_t dropped_slow;
	_Atomic uint64_t sessions_ended;
	_Atomic uint64_t malformed_frames;
	_Atomic uint64_t bus_messages;
	_Atomic uint64_t bus_gaps;
	_Atomic uint64_t bus_missed_records;
	_Atomic uint64_t bus_decode_errors;
	_Atomic uint64_t queue_drops;
};

struct live {
	struct lws_context *ctx;
	char		 mode[16];
	char		 masked_key[64];
	size_t		 client_queue_max;
	live_auth_fn	 auth;
	live_recheck_fn	 recheck;
	void		*auth_arg;

	pthread_mutex_t	 mu;		/* guards what follows, to "lws" */
	struct item	*fill;
	size_t		 n_fill;
	int		 stats_dirty;
	int		 ctx_gone;
	struct live_stats stats;

	struct live_atomics c;
	uint64_t	 record_errors;	/* receiver thread only */

	struct bus_sub	 sub;
	int		 has_sub;
	pthread_t	 thr;
	int		 has_thr;
	int		 wake[2];

	/* lws thread only */
	struct item	*drain;
	struct live_session *sessions;
	lws_sorted_usec_list_t sul;
	int		 sul_on;
	uint64_t	 status_sig;
	struct live_buf	 out;
};

/* For a protocol entry whose user field was left NULL. */
static struct live *live_default;

#define CNT_ADD(l, f, n) \
	atomic_fetch_add_explicit(&(l)->c.f, (n), memory_order_relaxed)
#define CNT_GET(l, f) \
	atomic_load_explicit(&(l)->c.f, memory_order_relaxed)

static int64_t
now_ms(void)
{
	return clock_now_ns() / 1000000;
}

/* --- the receiver thread ------------------------------------------- */

static void
rx_record(struct live *l, int kind, const uint8_t *rec, int64_t at_ms,
    int *woke)
{
	struct bus_stat st;
	struct item *it;

	if (kind == BUS_STATS) {
		if (bus_decode_stat(rec, &st) != BUS_OK) {
			l->record_errors++;
			return;
		}
		live_stats_note(&l->stats, &st, at_ms);
		if (!l->stats_dirty)
			*woke = 1;
		l->stats_dirty = 1;
		return;
	}
	if (l->n_fill == INQ_MAX) {
		CNT_ADD(l, queue_drops, 1);
		return;
	}
	it = &l->fill[l->n_fill];
	if (kind == BUS_BARS) {
		if (bus_decode_bar(rec, &it->u.bar) != BUS_OK) {
			l->record_errors++;
			return;
		}
		live_stats_note_bar(&l->stats, it->u.bar.source,
		    it->u.bar.asset_class);
		it->kind = ITEM_BAR;
	} else {
		if (bus_decode_anomaly(rec, &it->u.an) != BUS_OK) {
			l->record_errors++;
			return;
		}
		it->kind = ITEM_ANOMALY;
	}
	if (l->n_fill++ == 0)
		*woke = 1;
}

static void
rx_message(struct live *l, const struct bus_header *h, const uint8_t *body,
    int *woke)
{
	const uint8_t *rec = body + BUS_HEADER_SIZE;
	size_t size = bus_record_size(h->kind);
	int64_t at_ms = now_ms();
	uint32_t i;

	if (h->kind != BUS_STATS && h->kind != BUS_BARS &&
	    h->kind != BUS_ANOMALIES)
		return;
	pthread_mutex_lock(&l->mu);
	for (i = 0; i < h->n_records; i++, rec += size)
		rx_record(l, h->kind, rec, at_ms, woke);
	pthread_mutex_unlock(&l->mu);
}

static void
rx_drain(struct live *l)
{
	struct bus_gap_event ev;
	struct bus_header h;
	uint64_t bad = 0;
	nng_msg *m;
	int n = 0, woke = 0, i;

	while (n++ < RX_BATCH && bus_sub_recv(&l->sub, &m, &h, &ev) == 1) {
		rx_message(l, &h, nng_msg_body(m), &woke);
		nng_msg_free(m);
	}
	for (i = 0; i < BUS_STATUS_MAX; i++)
		bad += l->sub.bad[i];
	atomic_store(&l->c.bus_messages, l->sub.gaps.messages);
	atomic_store(&l->c.bus_gaps, l->sub.gaps.gaps);
	atomic_store(&l->c.bus_missed_records, l->sub.gaps.missed_records);
	atomic_store(&l->c.bus_decode_errors, bad + l->record_errors);
	if (!woke)
		return;
	/* Under the mutex: the context may be going away (ctx_gone). */
	pthread_mutex_lock(&l->mu);
	if (!l->ctx_gone)
		lws_cancel_service(l->ctx);
	pthread_mutex_unlock(&l->mu);
}

static void *
rx_main(void *arg)
{
	struct live *l = arg;
	struct pollfd pfd[2];

	for (;;) {
		pfd[0].fd = l->sub.fd;
		pfd[0].events = POLLIN;
		pfd[1].fd = l->wake[0];
		pfd[1].events = POLLIN;
		pfd[0].revents = pfd[1].revents = 0;
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("live: poll");
			return NULL;
		}
		if (pfd[1].revents != 0)
			return NULL;
		if (pfd[0].revents != 0)
			rx_drain(l);
	}
}

/* --- clients (lws thread) ------------------------------------------- */

static struct live *
live_of(struct lws *wsi)
{
	const struct lws_protocols *p = lws_get_protocol(wsi);

	if (p != NULL && p->user != NULL)
		return p->user;
	return live_default;
}

static void
begin_close(struct live_session *s, int code, const char *reason)
{
	if (s->closing)
		return;
	s->closing = 1;
	s->close_code = code;
	s->close_reason = reason;
	lq_clear(&s->q);
	lws_callback_on_writable(s->wsi);
	/* A client that stopped reading never gets WRITEABLE again. */
	lws_set_timeout(s->wsi, PENDING_TIMEOUT_USER_OK, KILL_AFTER_S);
}

static void
session_push(struct live_session *s, struct lq_msg *m)
{
	uint64_t before = s->q.coalesced;
	int was_empty = s->q.n == 0;

	if (s->closing)
		return;
	switch (lq_push(&s->q, m)) {
	case LQ_OVER:
		CNT_ADD(s->l, dropped_slow, 1);
		log_info("live: %s dropped: more than %zu bytes waiting",
		    s->who.user, s->q.max_bytes);
		begin_close(s, 1013, "too slow");
		return;
	case LQ_NOMEM:
		log_warnx("live: out of memory queueing for %s", s->who.user);
		begin_close(s, LWS_CLOSE_STATUS_UNEXPECTED_CONDITION,
		    "out of memory");
		return;
	default:
		break;
	}
	if (s->q.coalesced != before)
		CNT_ADD(s->l, messages_coalesced, s->q.coalesced - before);
	if (was_empty)
		lws_callback_on_writable(s->wsi);
}

/* Encodes what l->out holds into a message; NULL when out of memory. */
static struct lq_msg *
out_msg(struct live *l, enum lq_kind kind, const char *symbol,
    uint32_t interval_s, int64_t start_ms)
{
	struct lq_msg *m = NULL;

	if (!l->out.oom)
		m = lq_msg_new(kind, l->out.p, l->out.len, symbol, interval_s,
		    start_ms);
	if (m == NULL)
		log_warnx("live: out of memory encoding a message");
	live_buf_reset(&l->out);
	return m;
}

static void
push_out(struct live_session *s, enum lq_kind kind)
{
	struct lq_msg *m;

	if ((m = out_msg(s->l, kind, NULL, 0, 0)) == NULL)
		return;
	session_push(s, m);
	lq_msg_unref(m);
}

static void
dispatch_bar(struct live *l, const struct bar *b)
{
	struct live_session *s;
	struct lq_msg *m = NULL;
	enum lq_kind kind = b->state == BAR_LIVE ? LQ_LIVE : LQ_FINAL;

	for (s = l->sessions; s != NULL; s = s->next) {
		if (s->closing ||
		    !live_watch_bar(&s->watch, b->symbol, b->interval_s))
			continue;
		if (m == NULL) {
			live_encode_bar(&l->out, b);
			if ((m = out_msg(l, kind, b->symbol, b->interval_s,
			    b->start_ms)) == NULL)
				return;
		}
		session_push(s, m);
	}
	lq_msg_unref(m);
}

static void
dispatch_anomaly(struct live *l, const struct anomaly *a)
{
	struct live_session *s;
	struct lq_msg *m = NULL;

	for (s = l->sessions; s != NULL; s = s->next) {
		if (s->closing || !live_watch_symbol(&s->watch, a->symbol))
			continue;
		if (m == NULL) {
			live_encode_anomaly(&l->out, a);
			if ((m = out_msg(l, LQ_PLAIN, NULL, 0, 0)) == NULL)
				return;
		}
		session_push(s, m);
	}
	lq_msg_unref(m);
}

/* The status message now, and whether the feeds changed since the last. */
static struct lq_msg *
status_msg(struct live *l, int64_t now, int *changed)
{
	struct live_feed f[LIVE_MAX_PROCESSES];
	uint64_t sig;
	int n;

	pthread_mutex_lock(&l->mu);
	n = live_stats_feeds(&l->stats, now, f, LIVE_MAX_PROCESSES);
	pthread_mutex_unlock(&l->mu);
	sig = live_feeds_signature(f, n);
	*changed = sig != l->status_sig;
	l->status_sig = sig;
	live_encode_status(&l->out, f, n, l->mode, now);
	return out_msg(l, LQ_STATUS, NULL, 0, 0);
}

/*
 * Sends the status to every client, or with only_on_change only when a
 * feed changed; to the one client named in any case (a new one).
 */
static void
send_status(struct live *l, struct live_session *one, int64_t now,
    int only_on_change)
{
	struct live_session *s;
	struct lq_msg *m;
	int changed;

	if ((m = status_msg(l, now, &changed)) == NULL)
		return;
	for (s = l->sessions; s != NULL; s = s->next)
		if (s == one || changed || !only_on_change)
			session_push(s, m);
	lq_msg_unref(m);
}

static void
broadcast_status(struct live *l, int64_t now, int only_on_change)
{
	send_status(l, NULL, now, only_on_change);
}

static void
push_status(struct live *l, struct live_session *s, int64_t now)
{
	send_status(l, s, now, 1);
}

void
live_service(struct live *l)
{
	struct item *batch;
	size_t n, i;
	int dirty;

	if (l == NULL)
		return;
	pthread_mutex_lock(&l->mu);
	batch = l->fill;
	l->fill = l->drain;
	l->drain = batch;
	n = l->n_fill;
	l->n_fill = 0;
	dirty = l->stats_dirty;
	l->stats_dirty = 0;
	pthread_mutex_unlock(&l->mu);
	for (i = 0; i < n; i++) {
		if (batch[i].kind == ITEM_BAR)
			dispatch_bar(l, &batch[i].u.bar);
		else
			dispatch_anomaly(l, &batch[i].u.an);
	}
	if (dirty)
		broadcast_status(l, now_ms(), 1);
}

static void
recheck_sessions(struct live *l, int64_t now)
{
	struct live_session *s;
	int64_t exp;

	for (s = l->sessions; s != NULL; s = s->next) {
		if (s->closing)
			continue;
		exp = s->expires_ms;
		if (l->recheck != NULL ?
		    l->recheck(s->who.session_key, l->auth_arg, &exp) != 0 :
		    now >= s->expires_ms) {
			CNT_ADD(l, sessions_ended, 1);
			begin_close(s, 4401, "session ended");
			continue;
		}
		if (exp != s->expires_ms) {
			s->expires_ms = exp;
			live_encode_session(&l->out, exp);
			push_out(s, LQ_SESSION);
		}
	}
}

static void
tick(lws_sorted_usec_list_t *sul)
{
	struct live *l = lws_container_of(sul, struct live, sul);
	int64_t now = now_ms();

	recheck_sessions(l, now);
	broadcast_status(l, now, 0);
	lws_sul_schedule(l->ctx, 0, &l->sul, tick, TICK_US);
}

void
live_end_session(struct live *l, const char *session_key)
{
	struct live_session *s;

	if (l == NULL || session_key == NULL)
		return;
	for (s = l->sessions; s != NULL; s = s->next) {
		if (s->closing || strcmp(s->who.session_key, session_key) != 0)
			continue;
		CNT_ADD(l, sessions_ended, 1);
		begin_close(s, 4401, "session ended");
	}
}

static void
malformed(struct live_session *s, const char *reason)
{
	CNT_ADD(s->l, malformed_frames, 1);
	if (++s->malformed_row >= LIVE_MALFORMED_CLOSE) {
		begin_close(s, LWS_CLOSE_STATUS_POLICY_VIOLATION,
		    "too many malformed messages");
		return;
	}
	live_encode_error(&s->l->out, reason);
	push_out(s, LQ_PLAIN);
}

static void
client_message(struct live_session *s)
{
	struct live_request req;
	char reason[96];

	if (s->rx_bad != NULL) {
		malformed(s, s->rx_bad);
		return;
	}
	if (live_parse_request(s->rx, s->rx_len, &req, reason,
	    sizeof(reason)) == -1) {
		malformed(s, reason);
		return;
	}
	s->malformed_row = 0;
	if (req.op == LIVE_OP_WATCH) {
		s->watch = req.watch;
		live_encode_watching(&s->l->out, &s->watch);
	} else
		live_encode_pong(&s->l->out, now_ms());
	push_out(s, LQ_PLAIN);
}

/* Gathers a message's fragments; oversize and binary ones are errors. */
static void
client_rx(struct live_session *s, struct lws *wsi, const void *in,
    size_t len)
{
	if (s->closing)
		return;
	if (!s->in_msg) {
		s->in_msg = 1;
		s->rx_len = 0;
		s->rx_bad = NULL;
	}
	if (lws_frame_is_binary(wsi))
		s->rx_bad = "binary messages are not accepted";
	else if (s->rx_bad == NULL && s->rx_len + len > LIVE_MAX_MESSAGE)
		s->rx_bad = "message longer than 4096 bytes";
	else if (s->rx_bad == NULL) {
		memcpy(s->rx + s->rx_len, in, len);
		s->rx_len += len;
	}
	if (!lws_is_final_fragment(wsi) ||
	    lws_remaining_packet_payload(wsi) > 0)
		return;
	s->in_msg = 0;
	client_message(s);
}

static int
client_established(struct live *l, struct live_session *s, struct lws *wsi)
{
	if (!s->has_who)
		return -1;
	s->l = l;
	s->wsi = wsi;
	s->expires_ms = s->who.expires_ms;
	lq_init(&s->q, l->client_queue_max);
	s->next = l->sessions;
	l->sessions = s;
	s->linked = 1;
	CNT_ADD(l, clients, 1);
	live_encode_hello(&l->out, s->who.user, s->who.role, s->expires_ms,
	    l->mode, now_ms());
	push_out(s, LQ_PLAIN);
	push_status(l, s, now_ms());
	return 0;
}

static void
client_closed(struct live *l, struct live_session *s)
{
	struct live_session **pp;

	if (!s->linked)
		return;
	for (pp = &l->sessions; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	s->linked = 0;
	lq_clear(&s->q);
	atomic_fetch_sub(&l->c.clients, 1);
}

static int
client_writeable(struct live_session *s, struct lws *wsi)
{
	struct lq_msg *m;

	if (s->closing) {
		lws_close_reason(wsi, (enum lws_close_status)s->close_code,
		    (unsigned char *)(uintptr_t)s->close_reason,
		    strlen(s->close_reason));
		return -1;
	}
	if ((m = lq_peek(&s->q)) == NULL)
		return 0;
	if (lws_write(wsi, lq_msg_text(m), m->len, LWS_WRITE_TEXT) < 0)
		return -1;
	lq_pop(&s->q);
	CNT_ADD(s->l, messages_sent, 1);
	if (s->q.n > 0)
		lws_callback_on_writable(wsi);
	return 0;
}

static int
filter(struct live *l, struct live_session *s, struct lws *wsi)
{
	struct live_identity who;

	memset(&who, 0, sizeof(who));
	if (l == NULL || l->auth == NULL || s == NULL ||
	    l->auth(wsi, l->auth_arg, &who) != 0)
		return 1;
	who.user[sizeof(who.user) - 1] = '\0';
	who.role[sizeof(who.role) - 1] = '\0';
	who.session_key[sizeof(who.session_key) - 1] = '\0';
	memset(s, 0, sizeof(*s));
	s->who = who;
	s->has_who = 1;
	return 0;
}

/* The context is being destroyed: no more timers or wake-ups. */
static void
context_gone(struct live *l)
{
	if (l == NULL)
		return;
	if (l->sul_on)
		lws_sul_cancel(&l->sul);
	l->sul_on = 0;
	pthread_mutex_lock(&l->mu);
	l->ctx_gone = 1;
	pthread_mutex_unlock(&l->mu);
}

int
live_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct live *l = live_of(wsi);
	struct live_session *s = user;

	switch (reason) {
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		return filter(l, s, wsi);
	case LWS_CALLBACK_ESTABLISHED:
		if (l == NULL || s == NULL)
			return -1;
		return client_established(l, s, wsi);
	case LWS_CALLBACK_RECEIVE:
		if (s != NULL && s->linked)
			client_rx(s, wsi, in, len);
		return 0;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		if (s == NULL || !s->linked)
			return 0;
		return client_writeable(s, wsi);
	case LWS_CALLBACK_CLOSED:
		if (l != NULL && s != NULL)
			client_closed(l, s);
		return 0;
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
		live_service(l);
		return 0;
	case LWS_CALLBACK_PROTOCOL_DESTROY:
		context_gone(l);
		return 0;
	default:
		return 0;
	}
}

size_t
live_session_size(void)
{
	return sizeof(struct live_session);
}

/* --- setup and the HTTP workers' side ------------------------------- */

static int
start_bus(struct live *l, const struct live_config *cfg)
{
	static const uint8_t kinds[] = { BUS_STATS, BUS_BARS, BUS_ANOMALIES };
	int rv, i;

	if ((rv = bus_sub_open(&l->sub, cfg->bus_urls, cfg->n_bus_urls,
	    kinds, (int)sizeof(kinds))) != 0) {
		log_warnx("live: bus: %s", nng_strerror(rv));
		return -1;
	}
	l->has_sub = 1;
	if (pipe(l->wake) == -1) {
		log_warn("live: pipe");
		return -1;
	}
	for (i = 0; i < 2; i++)
		(void)fcntl(l->wake[i], F_SETFD, FD_CLOEXEC);
	if ((rv = pthread_create(&l->thr, NULL, rx_main, l)) != 0) {
		log_warnx("live: thread: %s", strerror(rv));
		return -1;
	}
	l->has_thr = 1;
	for (i = 0; i < cfg->n_bus_urls; i++)
		log_info("live: subscribed to %s", cfg->bus_urls[i]);
	return 0;
}

struct live *
live_create(struct lws_context *ctx, const struct live_config *cfg)
{
	struct live *l;

	if ((l = calloc(1, sizeof(*l))) == NULL) {
		log_warnx("live: out of memory");
		return NULL;
	}
	l->wake[0] = l->wake[1] = -1;
	l->ctx = ctx;
	snprintf(l->mode, sizeof(l->mode), "%s",
	    cfg->mode != NULL ? cfg->mode : "live");
	snprintf(l->masked_key, sizeof(l->masked_key), "%s",
	    cfg->masked_key != NULL ? cfg->masked_key : "");
	l->client_queue_max = cfg->client_queue_max;
	l->auth = cfg->auth;
	l->recheck = cfg->recheck;
	l->auth_arg = cfg->auth_arg;
	pthread_mutex_init(&l->mu, NULL);
	live_stats_init(&l->stats, l->mode);
	live_buf_init(&l->out);
	if (l->auth == NULL)
		log_warnx("live: no auth function: every upgrade is refused");
	if ((l->fill = calloc(INQ_MAX, sizeof(*l->fill))) == NULL ||
	    (l->drain = calloc(INQ_MAX, sizeof(*l->drain))) == NULL) {
		log_warnx("live: out of memory");
		live_destroy(l);
		return NULL;
	}
	if (cfg->n_bus_urls > 0 && start_bus(l, cfg) == -1) {
		live_destroy(l);
		return NULL;
	}
	if (cfg->n_bus_urls == 0)
		log_warnx("live: no bus endpoints: no live data");
	lws_sul_schedule(ctx, 0, &l->sul, tick, TICK_US);
	l->sul_on = 1;
	live_default = l;
	return l;
}

/*
 * Call after lws_context_destroy(): sessions and the protocol's callbacks
 * still point here until the context is gone.
 */
void
live_destroy(struct live *l)
{
	struct live_session *s;

	if (l == NULL)
		return;
	if (l->sul_on)
		lws_sul_cancel(&l->sul);
	if (l->has_thr) {
		if (write(l->wake[1], "x", 1) == -1)
			log_warn("live: wake");
		pthread_join(l->thr, NULL);
	}
	if (l->wake[0] != -1)
		close(l->wake[0]);
	if (l->wake[1] != -1)
		close(l->wake[1]);
	if (l->has_sub)
		bus_sub_close(&l->sub);
	for (s = l->sessions; s != NULL; s = s->next) {
		lq_clear(&s->q);
		s->linked = 0;
	}
	if (live_default == l)
		live_default = NULL;
	live_stats_free(&l->stats);
	live_buf_free(&l->out);
	free(l->fill);
	free(l->drain);
	pthread_mutex_destroy(&l->mu);
	free(l);
}

static void
counters(struct live *l, struct live_counters *c)
{
	c->clients = CNT_GET(l, clients);
	c->messages_sent = CNT_GET(l, messages_sent);
	c->messages_coalesced = CNT_GET(l, messages_coalesced);
	c->dropped_slow = CNT_GET(l, dropped_slow);
	c->sessions_ended = CNT_GET(l, sessions_ended);
	c->malformed_frames = CNT_GET(l, malformed_frames);
	c->bus_messages = CNT_GET(l, bus_messages);
	c->bus_gaps = CNT_GET(l, bus_gaps);
	c->bus_missed_records = CNT_GET(l, bus_missed_records);
	c->bus_decode_errors = CNT_GET(l, bus_decode_errors);
	c->queue_drops = CNT_GET(l, queue_drops);
}

static char *
take(struct live_buf *b, size_t *len)
{
	if (b->oom || b->p == NULL) {
		live_buf_free(b);
		return NULL;
	}
	if (len != NULL)
		*len = b->len;
	return b->p;
}

char *
live_metrics_text(struct live *l, size_t *len)
{
	struct live_counters c;
	struct live_buf b;

	live_buf_init(&b);
	counters(l, &c);
	pthread_mutex_lock(&l->mu);
	live_stats_metrics(&b, &l->stats, &c, now_ms());
	pthread_mutex_unlock(&l->mu);
	return take(&b, len);
}

char *
live_health_json(struct live *l, int64_t now, size_t *len)
{
	struct live_counters c;
	struct live_buf b;

	live_buf_init(&b);
	counters(l, &c);
	pthread_mutex_lock(&l->mu);
	live_stats_health(&b, &l->stats, &c, l->mode, l->masked_key, now);
	pthread_mutex_unlock(&l->mu);
	return take(&b, len);
}

int
live_feed_state(struct live *l, const char *source, const char *asset_class,
    char *state, size_t state_len)
{
	struct live_feed f[LIVE_MAX_PROCESSES];
	int n, best;

	pthread_mutex_lock(&l->mu);
	n = live_stats_feeds(&l->stats, now_ms(), f, LIVE_MAX_PROCESSES);
	pthread_mutex_unlock(&l->mu);
	best = live_feeds_state_of(f, n, source, asset_class);
	if (state != NULL && state_len > 0)
		snprintf(state, state_len, "%s", best < 0 ? "unknown" :
		    live_feed_state_name((enum live_feed_state)best));
	return best == LIVE_FEED_DEMO || best == LIVE_FEED_LIVE;
}
