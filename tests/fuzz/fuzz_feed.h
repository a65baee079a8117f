/*
 * What the feed parsers' fuzz harnesses share: each defines FUZZ_INIT
 * (make the parser) and FUZZ_PARSE (parse one frame), then includes this,
 * which supplies LLVMFuzzerTestOneInput. The input is one WebSocket frame,
 * copied into a buffer of exactly its size and not NUL-terminated, as
 * ws_client.c hands it to collector.c's on_frame, so ASan sees any read
 * past its end.
 *
 * Checked on every input, abort() on a violation:
 *  - every tick keeps the contract of tick.h and the parser's header
 *    (kind, side, source, class, recv_ns, symbol and trade id text,
 *    prices > 0, bids/asks >= 0, sizes finite and >= 0, bar end > start);
 *  - every status has a known code and a text of at most the frame's
 *    length, all of whose bytes can be read;
 *  - the counts: frames + 1 exactly, ticks and status_messages move with
 *    the callbacks, a refused frame counts one skip of the reason it
 *    returns and no event, a usable one no more results than events
 *    (exactly as many when FUZZ_EVENTS_EXACT: Polygon's arrays);
 *  - parsing the same frame again gives the same result (no state leaks
 *    from one frame into the next).
 */
#ifndef FUZZ_FEED_H
#define FUZZ_FEED_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "tick.h"
#include "fuzz_check.h"

#define FUZZ_RECV_NS	1700000000123456789LL

/* Set by the harness: what every tick must carry. */
static uint8_t	fz_source, fz_class;
static int	fz_bars;	/* does this parser make TICK_FEED_BAR? */

struct fz_run {
	uint64_t	 ticks, statuses;
	uint64_t	 hash;		/* FNV-1a of everything handed over */
	size_t		 frame_len;
};

static void
fz_hash(struct fz_run *r, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		r->hash = (r->hash ^ b[i]) * 0x100000001b3ULL;
}

/* NUL within cap, 1..cap-1 bytes of '!'..'~' (or ' '..'~' when spaces). */
static void
fz_text(const char *s, size_t cap, int may_be_empty, int spaces)
{
	const char *nul = memchr(s, '\0', cap);
	size_t i, n;

	FZ_CHECK(nul != NULL);
	n = (size_t)(nul - s);
	FZ_CHECK(may_be_empty || n > 0);
	for (i = 0; i < n; i++)
		FZ_CHECK(s[i] >= (spaces ? 0x20 : 0x21) && s[i] <= 0x7e);
}

static void
fz_size(double d)
{
	FZ_CHECK(isfinite(d) && d >= 0 && !signbit(d));
}

static void
fz_on_tick(void *arg, const struct tick *t)
{
	struct fz_run *r = arg;

	r->ticks++;
	FZ_CHECK(t->kind == TICK_TRADE || t->kind == TICK_QUOTE ||
	    (fz_bars && t->kind == TICK_FEED_BAR));
	FZ_CHECK(t->side < SIDE_MAX);
	FZ_CHECK(t->source == fz_source && t->asset_class == fz_class);
	FZ_CHECK(t->recv_ns == FUZZ_RECV_NS);
	FZ_CHECK(t->status == FEED_NONE);
	FZ_CHECK(t->n_conditions <= TICK_MAX_CONDITIONS);
	FZ_CHECK((t->flags & ~(TICK_F_CONDITIONS_TRUNCATED |
	    TICK_F_TRADE_ID_TRUNCATED)) == 0);
	fz_text(t->symbol, TICK_SYMBOL_LEN, 0, 0);
	fz_text(t->trade_id, TICK_TRADE_ID_LEN, 1, 1);
	if (fz_class == ASSET_STOCK)
		FZ_CHECK(t->side == SIDE_UNKNOWN);
	switch (t->kind) {
	case TICK_TRADE:
		FZ_CHECK(t->price > 0);
		fz_size(t->size);
		break;
	case TICK_QUOTE:
		FZ_CHECK(t->bid >= 0 && t->ask >= 0);
		fz_size(t->bid_size);
		fz_size(t->ask_size);
		FZ_CHECK(t->side == SIDE_UNKNOWN);
		break;
	case TICK_FEED_BAR:
		FZ_CHECK(t->open > 0 && t->high > 0 && t->low > 0 &&
		    t->close > 0 && t->vwap >= 0);
		fz_size(t->volume);
		FZ_CHECK(t->end_ns > t->ts_ns);
		break;
	}
	/* Parsers zero the tick first, so its padding hashes alike. */
	fz_hash(r, t, sizeof(*t));
}

static void
fz_on_status(void *arg, enum feed_server_status st, const char *msg,
    size_t len)
{
	struct fz_run *r = arg;
	volatile char sink = 0;
	size_t i;

	r->statuses++;
	FZ_CHECK(st >= FSS_OTHER && st < FSS_MAX);
	FZ_CHECK(len <= r->frame_len);
	FZ_CHECK(len == 0 || msg != NULL);
	for (i = 0; i < len; i++)	/* ASan: every byte readable */
		sink ^= msg[i];
	(void)sink;
	fz_hash(r, &st, sizeof(st));
	fz_hash(r, msg, len);
}

static enum feed_parse	FUZZ_PARSE(const char *, size_t,
			    const struct feed_handler *, struct feed_counts *);
static int		FUZZ_INIT(void);

static enum feed_parse
fz_run_once(const char *frame, size_t len, struct fz_run *r,
    struct feed_counts *c)
{
	struct feed_handler h = { fz_on_tick, fz_on_status, NULL };
	struct feed_counts before;
	enum feed_parse st;
	uint64_t ticks = 0, skips = 0;
	int i;

	memset(r, 0, sizeof(*r));
	r->hash = 0xcbf29ce484222325ULL;
	r->frame_len = len;
	h.arg = r;
	before = *c;
	st = FUZZ_PARSE(frame, len, &h, c);
	FZ_CHECK(st >= FEED_OK && st < FEED_PARSE_MAX);
	FZ_CHECK(c->frames == before.frames + 1);
	for (i = 0; i < TICK_KIND_MAX; i++) {
		FZ_CHECK(c->ticks[i] >= before.ticks[i]);
		ticks += c->ticks[i] - before.ticks[i];
	}
	FZ_CHECK(c->ticks[TICK_NONE] == before.ticks[TICK_NONE]);
	FZ_CHECK(c->ticks[TICK_STATUS] == before.ticks[TICK_STATUS]);
	for (i = 0; i < FEED_PARSE_MAX; i++) {
		FZ_CHECK(c->skipped[i] >= before.skipped[i]);
		skips += c->skipped[i] - before.skipped[i];
	}
	FZ_CHECK(c->skipped[FEED_OK] == before.skipped[FEED_OK]);
	FZ_CHECK(ticks == r->ticks);
	FZ_CHECK(c->status_messages - before.status_messages == r->statuses);
	FZ_CHECK(c->events >= before.events);
	if (st != FEED_OK) {
		/* A refused frame: one skip of its reason, nothing else. */
		FZ_CHECK(skips == 1 && c->skipped[st] == before.skipped[st] + 1);
		FZ_CHECK(c->events == before.events && ticks == 0 &&
		    r->statuses == 0);
	} else {
#ifdef FUZZ_EVENTS_EXACT
		/* Every element yields a tick, a status or a skip. */
		FZ_CHECK(ticks + r->statuses + skips ==
		    c->events - before.events);
#else
		/* Heartbeats yield nothing and are not skips. */
		FZ_CHECK(ticks + r->statuses + skips <=
		    c->events - before.events);
#endif
	}
	fz_hash(r, &st, sizeof(st));
	return st;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	static struct feed_counts counts;
	struct fz_run r1, r2;
	char *frame;

	if (!ready) {
		if (FUZZ_INIT() == -1) {
			fprintf(stderr, "parser init failed\n");
			abort();
		}
		ready = 1;
	}
	/* Exactly size bytes (malloc(0) may return NULL: keep one). */
	if ((frame = malloc(size ? size : 1)) == NULL)
		abort();
	if (size > 0)
		memcpy(frame, data, size);
	fz_run_once(frame, size, &r1, &counts);
	fz_run_once(frame, size, &r2, &counts);
	FZ_CHECK(r1.ticks == r2.ticks && r1.statuses == r2.statuses &&
	    r1.hash == r2.hash);
	free(frame);
	return 0;
}

#endif /* FUZZ_FEED_H */
