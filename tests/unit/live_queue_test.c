/*
 * webui/live_queue.c: a /live client's coalescing queue and its byte
 * budget (docs/live.md "Coalescing and slow clients").
 */
#include <stdio.h>
#include <string.h>

#include "../check.h"
#include "../../webui/live_queue.h"

static struct lq_msg *
msg(enum lq_kind kind, const char *text, const char *symbol,
    uint32_t interval_s, int64_t start_ms)
{
	return lq_msg_new(kind, text, strlen(text), symbol, interval_s,
	    start_ms);
}

/* Pushes and drops the caller's reference. */
static enum lq_result
push(struct lq *q, struct lq_msg *m)
{
	enum lq_result r = lq_push(q, m);

	lq_msg_unref(m);
	return r;
}

/* The texts waiting, joined by '|'. */
static const char *
texts(const struct lq *q)
{
	static char out[4096];
	const struct lq_entry *e;
	size_t n = 0;

	out[0] = '\0';
	for (e = q->head; e != NULL; e = e->next)
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s",
		    n > 0 ? "|" : "", (const char *)e->msg->data + LQ_PRE);
	return out;
}

static size_t
bytes_of(const struct lq *q)
{
	const struct lq_entry *e;
	size_t n = 0;

	for (e = q->head; e != NULL; e = e->next)
		n += e->msg->len;
	return n;
}

static void
test_order(void)
{
	struct lq q;
	struct lq_msg *m;

	lq_init(&q, 1 << 20);
	CHECK(lq_peek(&q) == NULL, "empty queue peeks NULL");
	push(&q, msg(LQ_PLAIN, "a", NULL, 0, 0));
	push(&q, msg(LQ_PLAIN, "bb", NULL, 0, 0));
	push(&q, msg(LQ_PLAIN, "a", NULL, 0, 0));
	CHECK(strcmp(texts(&q), "a|bb|a") == 0 && q.n == 3 && q.bytes == 4,
	    "plain messages kept, in order, counted");
	m = lq_peek(&q);
	CHECK(m != NULL && m->len == 1 &&
	    memcmp(lq_msg_text(m), "a", 2) == 0, "peek gives the oldest");
	lq_pop(&q);
	CHECK(strcmp(texts(&q), "bb|a") == 0 && q.bytes == 3, "pop drops it");
	lq_clear(&q);
	CHECK(q.n == 0 && q.bytes == 0 && q.head == NULL && q.tail == NULL,
	    "clear empties");
	lq_pop(&q);
	CHECK(q.n == 0, "pop on empty is harmless");
}

static void
test_live(void)
{
	struct lq q;
	enum lq_result r;

	lq_init(&q, 1 << 20);
	push(&q, msg(LQ_LIVE, "A60@0v1", "AAPL", 60, 0));
	push(&q, msg(LQ_LIVE, "B60@0v1", "MSFT", 60, 0));
	push(&q, msg(LQ_LIVE, "A1@0v1", "AAPL", 1, 0));
	r = push(&q, msg(LQ_LIVE, "A60@0v2", "AAPL", 60, 0));
	CHECK(r == LQ_REPLACED, "a newer live bar replaces the waiting one");
	CHECK(strcmp(texts(&q), "A60@0v2|B60@0v1|A1@0v1") == 0,
	    "... in its place (%s)", texts(&q));
	CHECK(q.n == 3 && q.bytes == bytes_of(&q) && q.coalesced == 1,
	    "... counted once, bytes right");
	push(&q, msg(LQ_LIVE, "A60@0v3-longer", "AAPL", 60, 0));
	CHECK(q.bytes == bytes_of(&q), "bytes follow a longer replacement");

	/* The closed bar supersedes the waiting live one. */
	r = push(&q, msg(LQ_FINAL, "A60@0closed", "AAPL", 60, 0));
	CHECK(r == LQ_QUEUED &&
	    strcmp(texts(&q), "B60@0v1|A1@0v1|A60@0closed") == 0,
	    "a closed bar removes the waiting live update (%s)", texts(&q));
	CHECK(q.coalesced == 3 && q.bytes == bytes_of(&q),
	    "... counted as coalesced");
	/* The next bar's live update goes after the closed one. */
	push(&q, msg(LQ_LIVE, "A60@60v1", "AAPL", 60, 60000));
	push(&q, msg(LQ_LIVE, "A60@60v2", "AAPL", 60, 60000));
	CHECK(strcmp(texts(&q),
	    "B60@0v1|A1@0v1|A60@0closed|A60@60v2") == 0,
	    "live after closed is queued after it, then coalesced");
	/* A correction of an older bar leaves a newer live update. */
	push(&q, msg(LQ_FINAL, "A60@0corr", "AAPL", 60, 0));
	CHECK(strcmp(texts(&q),
	    "B60@0v1|A1@0v1|A60@0closed|A60@60v2|A60@0corr") == 0,
	    "a correction keeps a later bar's live update (%s)", texts(&q));
	/* Closed and corrected bars are never coalesced away. */
	push(&q, msg(LQ_FINAL, "A60@0corr2", "AAPL", 60, 0));
	CHECK(strcmp(texts(&q), "B60@0v1|A1@0v1|A60@0closed|A60@60v2|"
	    "A60@0corr|A60@0corr2") == 0, "finals all kept, in order");
	/* After the live update is written, a new one is appended. */
	lq_clear(&q);
	push(&q, msg(LQ_LIVE, "x1", "X", 1, 0));
	lq_pop(&q);
	push(&q, msg(LQ_LIVE, "x2", "X", 1, 0));
	CHECK(strcmp(texts(&q), "x2") == 0 && q.n == 1,
	    "a written live update is not replaced");
	lq_clear(&q);
}

static void
test_many_keys(void)
{
	char sym[TICK_SYMBOL_LEN], text[64];
	struct lq q;
	int i, ok = 1;
	const struct lq_entry *e;

	lq_init(&q, 1 << 24);
	for (i = 0; i < 1000; i++) {
		snprintf(sym, sizeof(sym), "S%d", i);
		snprintf(text, sizeof(text), "%d:1", i);
		push(&q, msg(LQ_LIVE, text, sym, 60, 0));
	}
	for (i = 999; i >= 0; i--) {
		snprintf(sym, sizeof(sym), "S%d", i);
		snprintf(text, sizeof(text), "%d:2", i);
		if (push(&q, msg(LQ_LIVE, text, sym, 60, 0)) != LQ_REPLACED)
			ok = 0;
	}
	CHECK(ok && q.n == 1000, "1000 keys: every update replaced");
	for (i = 0, e = q.head; e != NULL; e = e->next, i++) {
		snprintf(text, sizeof(text), "%d:2", i);
		if (strcmp((const char *)e->msg->data + LQ_PRE, text) != 0)
			ok = 0;
	}
	CHECK(ok && i == 1000, "1000 keys: first order kept, newest values");
	/* Pop half, then finals for all: only the rest are removed. */
	for (i = 0; i < 500; i++)
		lq_pop(&q);
	for (i = 0; i < 1000; i++) {
		snprintf(sym, sizeof(sym), "S%d", i);
		push(&q, msg(LQ_FINAL, "f", sym, 60, 0));
	}
	CHECK(q.n == 1000 && q.coalesced == 1500 && q.bytes == bytes_of(&q),
	    "finals remove exactly the waiting live updates");
	lq_clear(&q);
}

static void
test_singletons(void)
{
	struct lq q;

	lq_init(&q, 1 << 20);
	push(&q, msg(LQ_STATUS, "s1", NULL, 0, 0));
	push(&q, msg(LQ_PLAIN, "p", NULL, 0, 0));
	push(&q, msg(LQ_SESSION, "e1", NULL, 0, 0));
	push(&q, msg(LQ_STATUS, "s2", NULL, 0, 0));
	push(&q, msg(LQ_SESSION, "e2", NULL, 0, 0));
	CHECK(strcmp(texts(&q), "s2|p|e2") == 0 && q.coalesced == 2,
	    "status and session replace their waiting one (%s)", texts(&q));
	lq_pop(&q);
	push(&q, msg(LQ_STATUS, "s3", NULL, 0, 0));
	CHECK(strcmp(texts(&q), "p|e2|s3") == 0,
	    "a written status is not replaced");
	lq_clear(&q);
	push(&q, msg(LQ_STATUS, "s4", NULL, 0, 0));
	CHECK(strcmp(texts(&q), "s4") == 0 && q.status != NULL,
	    "clear forgets the waiting status");
	lq_clear(&q);
}

static void
test_budget(void)
{
	char big[501];
	struct lq q;
	enum lq_result r;

	lq_init(&q, 100);
	r = push(&q, msg(LQ_PLAIN, "0123456789012345678901234567890123456789"
	    "01234567890123456789", NULL, 0, 0));
	CHECK(r == LQ_QUEUED && q.bytes == 60, "budget: 60 of 100 bytes");
	r = push(&q, msg(LQ_PLAIN, "0123456789012345678901234567890123456789",
	    NULL, 0, 0));
	CHECK(r == LQ_QUEUED && q.bytes == 100, "budget: exactly 100 is fine");
	r = push(&q, msg(LQ_PLAIN, "x", NULL, 0, 0));
	CHECK(r == LQ_OVER && q.bytes == 100 && q.n == 2,
	    "budget: 101 bytes is over, nothing queued");
	r = push(&q, msg(LQ_FINAL, "x", "AAPL", 60, 0));
	CHECK(r == LQ_OVER, "budget: finals are not exempt");
	lq_clear(&q);
	memset(big, 'b', 500);
	big[500] = '\0';
	r = push(&q, msg(LQ_PLAIN, big, NULL, 0, 0));
	CHECK(r == LQ_QUEUED, "budget: an empty queue takes any message");
	r = push(&q, msg(LQ_PLAIN, "x", NULL, 0, 0));
	CHECK(r == LQ_OVER, "budget: but nothing after it");
	lq_clear(&q);
	/* A replacement that grows past the budget is over too. */
	push(&q, msg(LQ_LIVE, "0123456789012345678901234567890123456789",
	    "A", 1, 0));
	push(&q, msg(LQ_PLAIN, "0123456789012345678901234567890123456789",
	    NULL, 0, 0));
	r = push(&q, msg(LQ_LIVE, "01234567890123456789012345678901234567890"
	    "12345678901234567890", "A", 1, 0));
	CHECK(r == LQ_OVER && q.bytes == 80, "budget: a growing replacement");
	lq_clear(&q);
}

static void
test_refs(void)
{
	struct lq a, b;
	struct lq_msg *m;

	lq_init(&a, 1 << 20);
	lq_init(&b, 1 << 20);
	m = msg(LQ_LIVE, "shared", "AAPL", 60, 0);
	lq_push(&a, m);
	lq_push(&b, m);
	CHECK(m->refs == 3, "a shared message has a reference per queue");
	lq_pop(&a);
	CHECK(m->refs == 2, "pop releases one");
	lq_push(&b, m);
	CHECK(m->refs == 2 && b.n == 1, "replacing by itself keeps the count");
	lq_clear(&b);
	CHECK(m->refs == 1, "clear releases");
	lq_msg_unref(m);
	m = lq_msg_new(LQ_PLAIN, "abc", 3, NULL, 0, 0);
	CHECK(m != NULL && m->data[LQ_PRE + 3] == '\0' &&
	    memcmp(lq_msg_text(m), "abc", 3) == 0,
	    "text after the headroom, NUL-terminated");
	lq_msg_unref(m);
}

int
main(void)
{
	test_order();
	test_live();
	test_many_keys();
	test_singletons();
	test_budget();
	test_refs();
	return check_report();
}
