/*
 * The venue paths' I/O side (docs/feedsim.md "Venue paths"): what a
 * client on /coinbase, /kraken or /binance sends and gets back, the
 * /crypto market's events in each venue's encoding (venues.h), and the
 * heartbeats. Each venue is one exchange of that market (venue_exchange):
 * a venue has one order book, and its trades print at that book's quotes,
 * so its declared sides agree with its own quotes as on the real venue. There is no auth on these paths; a Coinbase client must
 * subscribe within 5 s. Each venue message is a WebSocket frame of its
 * own, as the venues send them; data frames go through the same faults
 * as /crypto's (malformed, stall, drop).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "feedsim.h"
#include "tick.h"

#define SUB_DEADLINE_US	(5 * 1000000LL)	/* Coinbase: subscribe within */
#define REPLY_MAX	1024		/* one control reply */

static char	 buf[VENUE_MAX][2][VENUE_MSG_MAX];	/* per event */

static int
venue_of(const struct conn *c)
{
	return c->path - PATH_MAX_;
}

int
venue_setup(struct feedsim *fs)
{
	int n = fs->n_names[PATH_CRYPTO], v, i;
	char *w;

	fs->vwire_buf = calloc((size_t)(n > 0 ? n : 1) * VENUE_MAX,
	    VENUE_SYM_MAX);
	fs->vreq = malloc(sizeof(*fs->vreq));
	if (fs->vwire_buf == NULL || fs->vreq == NULL)
		return -1;
	for (v = 0; v < VENUE_MAX; v++) {
		if ((fs->vsym[v] = calloc((size_t)(n > 0 ? n : 1),
		    sizeof(*fs->vsym[v]))) == NULL)
			return -1;
		if ((fs->vwire[v] = calloc((size_t)(n > 0 ? n : 1),
		    sizeof(char *))) == NULL)
			return -1;
		for (i = 0; i < n; i++) {
			w = fs->vwire_buf + ((size_t)v * (size_t)n +
			    (size_t)i) * VENUE_SYM_MAX;
			if (venue_wire((enum venue)v, fs->names[PATH_CRYPTO][i],
			    0, w, VENUE_SYM_MAX) == -1)
				return -1;
			fs->vwire[v][i] = w;
		}
	}
	return 0;
}

void
venue_teardown(struct feedsim *fs)
{
	int v;

	for (v = 0; v < VENUE_MAX; v++) {
		free(fs->vwire[v]);
		free(fs->vsym[v]);
	}
	free(fs->vwire_buf);
	free(fs->vreq);
}

static void
client_log(struct conn *c, const char *what)
{
	struct feedsim *fs = c->fs;
	uint64_t held = 0;

	fs->c.client_errors++;
	if (ratelimit_ok(&fs->rl_client, clock_mono_ns(), &held))
		log_info("client error conn=%llu venue=%s: %s%s",
		    (unsigned long long)c->id, venue_name(venue_of(c)), what,
		    held > 0 ? " (and others not logged)" : "");
}

static void
reply(struct conn *c, const char *text, int n)
{
	if (n < 0 || n >= REPLY_MAX)
		fatalx("venue reply too long");	/* ours: a bug */
	conn_push_text(c, text, (size_t)n, 0);
}

/* Kraken's request times: RFC 3339 with microseconds. */
static void
kraken_times(char *in, char *out, int64_t t_in_ns)
{
	*venue_time(in, t_in_ns / NS_PER_MS) = '\0';
	*venue_time(out, clock_now_ns() / NS_PER_MS) = '\0';
}

static void
req_id(char *dst, size_t cap, const struct vreq *r)
{
	if (r->id[0] != '\0')
		snprintf(dst, cap, ",\"req_id\":%s", r->id);
	else
		dst[0] = '\0';
}

/* A venue's error message; close: then close the connection (1008). */
void
venue_error(struct conn *c, const char *why, int close)
{
	char text[REPLY_MAX], tin[40], tout[40];
	int n;

	switch (venue_of(c)) {
	case VENUE_COINBASE:
		n = snprintf(text, sizeof(text), "{\"type\":\"error\","
		    "\"message\":\"%s\"}", why);
		break;
	case VENUE_KRAKEN:
		kraken_times(tin, tout, clock_now_ns());
		n = snprintf(text, sizeof(text), "{\"error\":\"%s\","
		    "\"method\":\"error\",\"success\":false,\"time_in\":\"%s\","
		    "\"time_out\":\"%s\"}", why, tin, tout);
		break;
	default:
		n = snprintf(text, sizeof(text), "{\"code\":2,\"msg\":\"%s\","
		    "\"id\":null}", why);
		break;
	}
	if (n < 0 || n >= (int)sizeof(text))
		fatalx("venue error too long");
	if (close)
		conn_text_close(c, text, (size_t)n);
	else
		conn_push_text(c, text, (size_t)n, 0);
}

static void
sub_deadline(lws_sorted_usec_list_t *sul)
{
	struct conn *c = lws_container_of(sul, struct conn, auth_sul);

	if (c->authed || c->closing)
		return;
	c->fs->c.auth_timeouts++;
	log_info("subscribe timeout conn=%llu venue=coinbase",
	    (unsigned long long)c->id);
	venue_error(c, "Failed to subscribe: no subscribe message within "
	    "5 seconds", 1);
}

void
venue_open(struct conn *c)
{
	if (venue_of(c) == VENUE_COINBASE)
		lws_sul_schedule(c->fs->ctx, 0, &c->auth_sul, sub_deadline,
		    SUB_DEADLINE_US);
	else
		c->authed = 1;	/* nothing to wait for */
}

/* Sets or clears one (channel, symbol); returns whether it changed. */
static int
set_bit(struct conn *c, int chan, int sym, int on)
{
	uint8_t *b = &c->subs.bits[chan][sym];

	if (*b == on)
		return 0;
	*b = (uint8_t)on;
	c->subs.n_topics += on ? 1 : -1;
	return 1;
}

/* A reply whose size grows with the symbols: a frame of its own size. */
static struct frame *
big_frame(struct feedsim *fs)
{
	size_t cap = 256 + (size_t)VCH_OTHER + 1;

	cap += 3 * ((size_t)fs->n_names[PATH_CRYPTO] + 1) *
	    (VENUE_SYM_MAX + 16);
	return frame_get(fs, cap);
}

static char *
put(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}

static void
coinbase_subscriptions(struct conn *c)
{
	static const char *const names[3] = { "matches", "ticker",
		"heartbeat" };
	struct feedsim *fs = c->fs;
	struct frame *f = big_frame(fs);
	char *p = FRAME_TEXT(f), *start = p;
	int ch, i, first, firstch = 1;

	p = put(p, "{\"type\":\"subscriptions\",\"channels\":[");
	for (ch = 0; ch < 3; ch++) {
		first = 1;
		for (i = 0; i < fs->n_names[PATH_CRYPTO]; i++) {
			if (!c->subs.bits[ch][i])
				continue;
			if (first) {
				p = put(p, firstch ? "{\"name\":\"" :
				    ",{\"name\":\"");
				p = put(p, names[ch]);
				p = put(p, "\",\"product_ids\":[");
				firstch = 0;
			} else
				*p++ = ',';
			*p++ = '"';
			p = put(p, fs->names[PATH_CRYPTO][i]);
			*p++ = '"';
			first = 0;
		}
		if (!first)
			p = put(p, "]}");
	}
	p = put(p, "]}");
	f->len = (size_t)(p - start);
	conn_push(c, f);
}

static void
on_coinbase(struct conn *c, struct vreq *r)
{
	char text[REPLY_MAX];
	int i, j, on = r->op == VREQ_SUBSCRIBE;

	if (r->op == VREQ_BAD) {
		client_log(c, r->error);
		reply(c, text, snprintf(text, sizeof(text), "{\"type\":"
		    "\"error\",\"message\":\"Failed to subscribe\","
		    "\"reason\":\"%s\"}", r->error));
		return;
	}
	for (i = 0; i < r->n; i++) {
		if (r->item[i].sym >= 0)
			set_bit(c, r->item[i].chan, r->item[i].sym, on);
		else
			for (j = 0; j < c->fs->n_names[PATH_CRYPTO]; j++)
				set_bit(c, r->item[i].chan, j, 0);
	}
	if (on && !c->authed) {
		c->authed = 1;
		lws_sul_cancel(&c->auth_sul);
	}
	coinbase_subscriptions(c);
}

static void
on_kraken(struct conn *c, struct vreq *r, int64_t t_in)
{
	static const char *const chan[3] = { "\"channel\":\"trade\"",
		"\"channel\":\"ticker\",\"event_trigger\":\"bbo\"",
		"\"channel\":\"ticker\",\"event_trigger\":\"trades\"" };
	const char *method = r->op == VREQ_SUBSCRIBE ? "subscribe" :
	    "unsubscribe";
	char text[REPLY_MAX], tin[40], tout[40], rid[VREQ_ID_MAX + 16];
	const struct vreq_item *it;
	int i;

	kraken_times(tin, tout, t_in);
	req_id(rid, sizeof(rid), r);
	if (r->op == VREQ_PING) {
		reply(c, text, snprintf(text, sizeof(text), "{\"method\":"
		    "\"pong\"%s,\"time_in\":\"%s\",\"time_out\":\"%s\"}", rid,
		    tin, tout));
		return;
	}
	if (r->op == VREQ_BAD) {
		client_log(c, r->error);
		reply(c, text, snprintf(text, sizeof(text), "{\"error\":\"%s\","
		    "\"method\":\"%s\"%s,\"success\":false,\"time_in\":\"%s\","
		    "\"time_out\":\"%s\"}", r->error, r->method, rid, tin,
		    tout));
		return;
	}
	for (i = 0; i < r->n; i++) {
		it = &r->item[i];
		if (it->sym < 0 || (r->op == VREQ_UNSUBSCRIBE &&
		    !c->subs.bits[it->chan][it->sym])) {
			reply(c, text, snprintf(text, sizeof(text),
			    "{\"error\":\"%s%s\",\"method\":\"%s\"%s,"
			    "\"success\":false,\"symbol\":\"%s\",\"time_in\":"
			    "\"%s\",\"time_out\":\"%s\"}", it->sym < 0 ?
			    "Currency pair not supported " :
			    "Subscription Not Found", it->sym < 0 ? it->wire :
			    "", method, rid, it->wire, tin, tout));
			continue;
		}
		set_bit(c, it->chan, it->sym, r->op == VREQ_SUBSCRIBE);
		reply(c, text, snprintf(text, sizeof(text), "{\"method\":"
		    "\"%s\"%s,\"result\":{%s%s,\"symbol\":\"%s\"},"
		    "\"success\":true,\"time_in\":\"%s\",\"time_out\":\"%s\"}",
		    method, rid, chan[it->chan], r->op == VREQ_SUBSCRIBE ?
		    (r->snapshot ? ",\"snapshot\":true" :
		    ",\"snapshot\":false") : "",
		    c->fs->vwire[VENUE_KRAKEN][it->sym], tin, tout));
	}
}

static void
binance_list(struct conn *c, const struct vreq *r)
{
	static const char *const kind[2] = { "@trade", "@bookTicker" };
	struct feedsim *fs = c->fs;
	struct frame *f = big_frame(fs);
	char *p = FRAME_TEXT(f), *start = p, lower[VENUE_SYM_MAX];
	int ch, i, first = 1;

	p = put(p, "{\"result\":[");
	for (i = 0; i < fs->n_names[PATH_CRYPTO]; i++)
		for (ch = 0; ch < 2; ch++) {
			if (!c->subs.bits[ch][i])
				continue;
			if (!first)
				*p++ = ',';
			first = 0;
			venue_wire(VENUE_BINANCE, fs->names[PATH_CRYPTO][i], 1,
			    lower, sizeof(lower));
			*p++ = '"';
			p = put(p, lower);
			p = put(p, kind[ch]);
			*p++ = '"';
		}
	p = put(p, "],\"id\":");
	p = put(p, r->id);
	*p++ = '}';
	f->len = (size_t)(p - start);
	conn_push(c, f);
}

static void
on_binance(struct conn *c, struct vreq *r)
{
	char text[REPLY_MAX];
	int i;

	if (r->op == VREQ_BAD) {
		client_log(c, r->error);
		reply(c, text, snprintf(text, sizeof(text), "{\"code\":%d,"
		    "\"msg\":\"%s\",\"id\":%s}", r->code, r->error, r->id));
		return;
	}
	if (r->op == VREQ_LIST) {
		binance_list(c, r);
		return;
	}
	for (i = 0; i < r->n; i++)
		set_bit(c, r->item[i].chan, r->item[i].sym,
		    r->op == VREQ_SUBSCRIBE);
	reply(c, text, snprintf(text, sizeof(text), "{\"result\":null,"
	    "\"id\":%s}", r->id));
}

void
venue_message(struct conn *c, const char *msg, size_t len)
{
	struct feedsim *fs = c->fs;
	struct vreq *r = fs->vreq;
	int v = venue_of(c);
	int64_t t_in = clock_now_ns();
	const char *const *names = v == VENUE_BINANCE ? fs->vwire[v] :
	    v == VENUE_KRAKEN ? fs->vwire[v] : fs->names[PATH_CRYPTO];

	venue_parse((enum venue)v, msg, len, names, fs->n_names[PATH_CRYPTO],
	    r);
	if (v == VENUE_COINBASE)
		on_coinbase(c, r);
	else if (v == VENUE_KRAKEN)
		on_kraken(c, r, t_in);
	else
		on_binance(c, r);
	if (r->op == VREQ_SUBSCRIBE || r->op == VREQ_UNSUBSCRIBE)
		log_info("%s conn=%llu venue=%s items=%d held=%d",
		    r->op == VREQ_SUBSCRIBE ? "subscribe" : "unsubscribe",
		    (unsigned long long)c->id, venue_name(v), r->n,
		    c->subs.n_topics);
}

/* Writes the message k (0: trade or quote, 1: kraken's ticker on a trade). */
static size_t
encode(struct feedsim *fs, int v, int k, const struct market_event *ev)
{
	const struct venue_sym *s = &fs->vsym[v][ev->sym];
	const char *w = fs->vwire[v][ev->sym];
	char *p = buf[v][k], *e;

	if (k == 1)
		e = kraken_ticker(p, s, w);
	else if (v == VENUE_COINBASE)
		e = ev->kind == MKT_TRADE ? coinbase_match(p, ev, s) :
		    coinbase_ticker(p, ev, s);
	else if (v == VENUE_KRAKEN)
		e = ev->kind == MKT_TRADE ? kraken_trade(p, ev, s, w) :
		    kraken_ticker(p, s, w);
	else
		e = ev->kind == MKT_TRADE ? binance_trade(p, ev, s, w) :
		    binance_book(p, s, w);
	return (size_t)(e - p);
}

/* One crypto event to every venue connection that wants it. */
void
venue_dispatch(struct feedsim *fs, const struct market_event *ev)
{
	size_t len[VENUE_MAX][2];
	struct conn *c;
	int v, k, chan[2], mine[VENUE_MAX];

	if (ev->kind == MKT_AGG)
		return;
	for (v = 0; v < VENUE_MAX; v++) {
		mine[v] = market_event_exchange(ev) == venue_exchange(v);
		if (mine[v])
			venue_update(&fs->vsym[v][ev->sym], ev);
	}
	memset(len, 0, sizeof(len));
	for (c = fs->head; c != NULL; c = c->next) {
		if (!PATH_VENUE(c->path) || !c->authed || c->closing ||
		    !mine[venue_of(c)])
			continue;
		v = venue_of(c);
		chan[0] = ev->kind == MKT_TRADE ? VCH_TRADE : VCH_QUOTE;
		/* Kraken's default ticker comes on trades. */
		chan[1] = v == VENUE_KRAKEN && ev->kind == MKT_TRADE ?
		    VCH_OTHER : -1;
		for (k = 0; k < 2; k++) {
			if (chan[k] < 0 || !c->subs.bits[chan[k]][ev->sym])
				continue;
			if (fs->stalled) {
				fs->c.withheld++;
				continue;
			}
			if (len[v][k] == 0)
				len[v][k] = encode(fs, v, k, ev);
			fs->c.venue_msgs[v]++;
			conn_push_text(c, buf[v][k], len[v][k], 1);
		}
	}
}

/* Once a second: Coinbase per subscribed product, Kraken per client. */
void
venue_heartbeats(struct feedsim *fs, int64_t virt_ms)
{
	char text[VENUE_MSG_MAX];
	struct conn *c;
	size_t n;
	int i;

	for (c = fs->head; c != NULL; c = c->next) {
		if (!PATH_VENUE(c->path) || !c->authed || c->closing ||
		    c->subs.n_topics == 0)
			continue;
		if (fs->stalled) {
			fs->c.withheld++;
			continue;
		}
		if (venue_of(c) == VENUE_KRAKEN) {
			conn_push_text(c, "{\"channel\":\"heartbeat\"}", 23, 0);
			continue;
		}
		if (venue_of(c) != VENUE_COINBASE)
			continue;
		for (i = 0; i < fs->n_names[PATH_CRYPTO]; i++) {
			if (!c->subs.bits[VCH_OTHER][i])
				continue;
			n = (size_t)(coinbase_heartbeat(text,
			    fs->names[PATH_CRYPTO][i],
			    &fs->vsym[VENUE_COINBASE][i], virt_ms) -
			    text);
			conn_push_text(c, text, n, 0);
		}
	}
}
