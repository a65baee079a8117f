/*
 * A /live client's coalescing queue (live_queue.h). A doubly linked list
 * in write order; waiting live bars are also chained by key so that a
 * newer one finds the one it replaces without walking the queue.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live_queue.h"

/* FNV-1a over the symbol and the interval. */
static uint32_t
key_hash(const char *symbol, uint32_t interval_s)
{
	uint32_t h = 2166136261u;
	int i;

	for (; *symbol != '\0'; symbol++) {
		h ^= (unsigned char)*symbol;
		h *= 16777619u;
	}
	for (i = 0; i < 4; i++) {
		h ^= (interval_s >> (8 * i)) & 0xff;
		h *= 16777619u;
	}
	return h;
}

struct lq_msg *
lq_msg_new(enum lq_kind kind, const char *text, size_t len,
    const char *symbol, uint32_t interval_s, int64_t start_ms)
{
	struct lq_msg *m;

	if ((m = malloc(sizeof(*m) + LQ_PRE + len + 1)) == NULL)
		return NULL;
	memset(m, 0, sizeof(*m));
	m->refs = 1;
	m->kind = (uint8_t)kind;
	m->len = len;
	memset(m->data, 0, LQ_PRE);
	memcpy(m->data + LQ_PRE, text, len);
	m->data[LQ_PRE + len] = '\0';
	if (symbol != NULL) {
		snprintf(m->symbol, sizeof(m->symbol), "%s", symbol);
		m->interval_s = interval_s;
		m->start_ms = start_ms;
		m->hash = key_hash(m->symbol, interval_s);
	}
	return m;
}

void
lq_msg_ref(struct lq_msg *m)
{
	m->refs++;
}

void
lq_msg_unref(struct lq_msg *m)
{
	if (m != NULL && --m->refs == 0)
		free(m);
}

void
lq_init(struct lq *q, size_t max_bytes)
{
	memset(q, 0, sizeof(*q));
	q->max_bytes = max_bytes;
}

static int
same_key(const struct lq_msg *a, const struct lq_msg *b)
{
	return a->hash == b->hash && a->interval_s == b->interval_s &&
	    strcmp(a->symbol, b->symbol) == 0;
}

static struct lq_entry *
live_find(const struct lq *q, const struct lq_msg *m)
{
	struct lq_entry *e;

	for (e = q->live[m->hash % LQ_BUCKETS]; e != NULL; e = e->hnext)
		if (same_key(e->msg, m))
			return e;
	return NULL;
}

static void
live_unchain(struct lq *q, struct lq_entry *e)
{
	struct lq_entry **pp = &q->live[e->msg->hash % LQ_BUCKETS];

	while (*pp != NULL && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp == e)
		*pp = e->hnext;
	e->hnext = NULL;
}

/* Takes e out of the queue and frees it. */
static void
entry_remove(struct lq *q, struct lq_entry *e)
{
	if (e->msg->kind == LQ_LIVE)
		live_unchain(q, e);
	else if (e == q->status)
		q->status = NULL;
	else if (e == q->session)
		q->session = NULL;
	if (e->prev != NULL)
		e->prev->next = e->next;
	else
		q->head = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	else
		q->tail = e->prev;
	q->n--;
	q->bytes -= e->msg->len;
	lq_msg_unref(e->msg);
	free(e);
}

static int
over(const struct lq *q, size_t bytes)
{
	return q->n > 0 && bytes > q->max_bytes;
}

/* Puts m in place of e's message. */
static enum lq_result
replace(struct lq *q, struct lq_entry *e, struct lq_msg *m)
{
	size_t bytes = q->bytes - e->msg->len + m->len;

	if (q->n > 1 && bytes > q->max_bytes)
		return LQ_OVER;
	q->bytes = bytes;
	lq_msg_ref(m);
	lq_msg_unref(e->msg);
	e->msg = m;
	q->coalesced++;
	return LQ_REPLACED;
}

static enum lq_result
append(struct lq *q, struct lq_msg *m)
{
	struct lq_entry *e;

	if (over(q, q->bytes + m->len))
		return LQ_OVER;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return LQ_NOMEM;
	lq_msg_ref(m);
	e->msg = m;
	e->prev = q->tail;
	if (q->tail != NULL)
		q->tail->next = e;
	else
		q->head = e;
	q->tail = e;
	q->n++;
	q->bytes += m->len;
	if (m->kind == LQ_LIVE) {
		e->hnext = q->live[m->hash % LQ_BUCKETS];
		q->live[m->hash % LQ_BUCKETS] = e;
	} else if (m->kind == LQ_STATUS)
		q->status = e;
	else if (m->kind == LQ_SESSION)
		q->session = e;
	return LQ_QUEUED;
}

enum lq_result
lq_push(struct lq *q, struct lq_msg *m)
{
	struct lq_entry *e;

	switch (m->kind) {
	case LQ_LIVE:
		if ((e = live_find(q, m)) != NULL)
			return replace(q, e, m);
		break;
	case LQ_FINAL:
		/* The final bar says all a waiting live update would. */
		if ((e = live_find(q, m)) != NULL &&
		    e->msg->start_ms <= m->start_ms) {
			entry_remove(q, e);
			q->coalesced++;
		}
		break;
	case LQ_STATUS:
		if (q->status != NULL)
			return replace(q, q->status, m);
		break;
	case LQ_SESSION:
		if (q->session != NULL)
			return replace(q, q->session, m);
		break;
	default:
		break;
	}
	return append(q, m);
}

struct lq_msg *
lq_peek(const struct lq *q)
{
	return q->head != NULL ? q->head->msg : NULL;
}

void
lq_pop(struct lq *q)
{
	if (q->head != NULL)
		entry_remove(q, q->head);
}

void
lq_clear(struct lq *q)
{
	while (q->head != NULL)
		entry_remove(q, q->head);
}
