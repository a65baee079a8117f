/*
 * What the venue parsers' unit tests share (coinbase_test.c, kraken_test.c,
 * binance_test.c): one parser of VENUE_TEST_SOURCE, a handler that keeps
 * every tick and status it is handed, and a field-by-field tick compare.
 * Included once by each test, after it defines VENUE_TEST_SOURCE.
 */
#ifndef VENUE_SUPPORT_H
#define VENUE_SUPPORT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "feed.h"
#include "tick.h"
#include "venue.h"

#define MESSAGE_MAX	512

/* ---- collecting what the parser hands over ---- */

struct item {
	int			 is_status;
	struct tick		 tick;
	enum feed_server_status	 status;
	char			 message[MESSAGE_MAX];
};

struct got {
	struct item	*v;
	size_t		 n, cap;
};

static struct venue_parser vp;

static struct item *
got_push(struct got *g)
{
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 16;
		if ((g->v = realloc(g->v, g->cap * sizeof(*g->v))) == NULL) {
			perror("realloc");
			exit(1);
		}
	}
	memset(&g->v[g->n], 0, sizeof(g->v[0]));
	return &g->v[g->n++];
}

static void
on_tick(void *arg, const struct tick *t)
{
	got_push(arg)->tick = *t;
}

static void
on_status(void *arg, enum feed_server_status st, const char *msg, size_t len)
{
	struct item *it = got_push(arg);

	it->is_status = 1;
	it->status = st;
	if (len >= MESSAGE_MAX)
		len = MESSAGE_MAX - 1;
	memcpy(it->message, msg, len);
}

static enum feed_parse
run_len(const char *frame, size_t len, int64_t recv_ns, struct got *g,
    struct feed_counts *c)
{
	struct feed_handler h = { on_tick, on_status, NULL };

	h.arg = g;
	return venue_parse_frame(&vp, frame, len, recv_ns, &h, c);
}

static enum feed_parse
run(const char *frame, int64_t recv_ns, struct got *g, struct feed_counts *c)
{
	return run_len(frame, strlen(frame), recv_ns, g, c);
}

/* The parser of VENUE_TEST_SOURCE, or exit. */
static void
venue_test_init(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (venue_parser_init(&vp, VENUE_TEST_SOURCE) == -1) {
		fprintf(stderr, "venue_parser_init failed\n");
		exit(1);
	}
}

static uint64_t
skipped_total(const struct feed_counts *c)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < FEED_PARSE_MAX; i++)
		n += c->skipped[i];
	return n;
}

/* UTC to ns with libc: a second opinion on venue_rfc3339_ns. */
static int64_t
utc_ns(int y, int mo, int d, int h, int mi, int s, int64_t frac)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return (int64_t)timegm(&tm) * NS_PER_S + frac;
}

/* A tick as the venue's parser must make it, before the test's fields. */
static struct tick
want_tick(int kind, int64_t recv_ns)
{
	struct tick t;

	memset(&t, 0, sizeof(t));
	t.kind = (uint8_t)kind;
	t.asset_class = ASSET_CRYPTO;
	t.source = VENUE_TEST_SOURCE;
	t.recv_ns = recv_ns;
	t.ts_ns = recv_ns;
	return t;
}

/* The first field where two ticks differ, NULL when none does. */
static const char *
tick_diff(const struct tick *a, const struct tick *b)
{
	if (a->kind != b->kind)
		return "kind";
	if (a->side != b->side)
		return "side";
	if (a->asset_class != b->asset_class)
		return "asset_class";
	if (a->source != b->source)
		return "source";
	if (a->flags != b->flags)
		return "flags";
	if (a->ts_ns != b->ts_ns)
		return "ts_ns";
	if (a->recv_ns != b->recv_ns)
		return "recv_ns";
	if (memcmp(a->symbol, b->symbol, sizeof(a->symbol)) != 0)
		return "symbol";
	if (memcmp(a->trade_id, b->trade_id, sizeof(a->trade_id)) != 0)
		return "trade_id";
	if (a->price != b->price)
		return "price";
	if (a->size != b->size)
		return "size";
	if (a->bid != b->bid)
		return "bid";
	if (a->bid_size != b->bid_size)
		return "bid_size";
	if (a->ask != b->ask)
		return "ask";
	if (a->ask_size != b->ask_size)
		return "ask_size";
	if (a->tape || a->n_conditions || a->status || a->exchange ||
	    a->ask_exchange || a->open || a->high || a->low || a->close ||
	    a->vwap || a->volume != 0 || a->end_ns)
		return "a field this venue has no use for";
	return NULL;
}

#endif /* VENUE_SUPPORT_H */
