/*
 * Rows waiting to be written (rows.h). No I/O, no clock.
 */
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "rows.h"

#define CHUNK_ELEMS	1024

struct rows_chunk {
	struct rows_chunk *next;
	max_align_t	 align[];	/* CHUNK_ELEMS elements follow */
};

static const char *const rows_status_names[ROWS_STATUS_MAX] = {
	"ok", "live", "not_stored", "other_kind", "bad"
};

static const size_t elem_sizes[ROW_KINDS] = {
	sizeof(struct bar), sizeof(struct anomaly), sizeof(struct side_check),
	sizeof(struct tick)
};

const char *
rows_status_str(enum rows_status st)
{
	if ((unsigned)st >= ROWS_STATUS_MAX)
		return "?";
	return rows_status_names[st];
}

void
rows_init(struct rows *r)
{
	int k;

	memset(r, 0, sizeof(*r));
	for (k = 0; k < ROW_KINDS; k++)
		r->q[k].elem_size = elem_sizes[k];
}

static void
fifo_free(struct rows_fifo *f)
{
	struct rows_chunk *c, *next;

	for (c = f->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(f->spare);
	f->head = f->tail = f->spare = NULL;
	f->n = f->head_off = f->tail_len = 0;
}

void
rows_free(struct rows *r)
{
	int k;

	for (k = 0; k < ROW_KINDS; k++)
		fifo_free(&r->q[k]);
}

static unsigned char *
elem(const struct rows_fifo *f, const struct rows_chunk *c, size_t i)
{
	return (unsigned char *)(uintptr_t)c->align + i * f->elem_size;
}

static struct rows_chunk *
chunk_new(struct rows_fifo *f)
{
	struct rows_chunk *c = f->spare;

	if (c != NULL)
		f->spare = NULL;
	else if ((c = malloc(sizeof(*c) + CHUNK_ELEMS * f->elem_size)) ==
	    NULL)
		return NULL;
	c->next = NULL;
	return c;
}

int
rows_push(struct rows *r, enum row_kind k, const union row *row)
{
	struct rows_fifo *f = &r->q[k];
	struct rows_chunk *c;

	if (f->tail == NULL || f->tail_len == CHUNK_ELEMS) {
		if ((c = chunk_new(f)) == NULL)
			return -1;
		if (f->tail == NULL) {
			f->head = c;
			f->head_off = 0;
		} else
			f->tail->next = c;
		f->tail = c;
		f->tail_len = 0;
	}
	memcpy(elem(f, f->tail, f->tail_len++), row, f->elem_size);
	f->n++;
	return 0;
}

size_t
rows_count(const struct rows *r, enum row_kind k)
{
	return r->q[k].n;
}

uint64_t
rows_total(const struct rows *r)
{
	uint64_t n = 0;
	int k;

	for (k = 0; k < ROW_KINDS; k++)
		n += r->q[k].n;
	return n;
}

const void *
rows_peek(const struct rows *r, enum row_kind k, size_t i)
{
	const struct rows_fifo *f = &r->q[k];
	const struct rows_chunk *c = f->head;

	i += f->head_off;
	while (i >= CHUNK_ELEMS) {
		c = c->next;
		i -= CHUNK_ELEMS;
	}
	return elem(f, c, i);
}

/* Drops the head chunk, keeping one as the spare. */
static void
chunk_release(struct rows_fifo *f)
{
	struct rows_chunk *c = f->head;

	f->head = c->next;
	if (f->head == NULL)
		f->tail = NULL;
	if (f->spare == NULL)
		f->spare = c;
	else
		free(c);
	f->head_off = 0;
}

void
rows_pop(struct rows *r, enum row_kind k, size_t n)
{
	struct rows_fifo *f = &r->q[k];
	size_t in_head;

	if (n > f->n)
		n = f->n;
	f->n -= n;
	while (n > 0) {
		in_head = (f->head == f->tail ? f->tail_len : CHUNK_ELEMS) -
		    f->head_off;
		if (n < in_head) {
			f->head_off += n;
			break;
		}
		n -= in_head;
		chunk_release(f);
	}
	if (f->n == 0 && f->head != NULL) {
		/* Empty but a chunk is left: start it over. */
		f->head_off = 0;
		f->tail_len = 0;
	}
}

static enum rows_status
decode_tick(const void *rec, union row *row, enum row_kind *kind)
{
	if (bus_decode_tick(rec, &row->tick) != BUS_OK)
		return ROWS_BAD;
	if (row->tick.kind != TICK_TRADE && row->tick.kind != TICK_QUOTE)
		return ROWS_NOT_STORED;
	*kind = ROW_TICK;
	return ROWS_OK;
}

enum rows_status
rows_decode(int bus_kind, const void *rec, union row *row,
    enum row_kind *kind)
{
	switch (bus_kind) {
	case BUS_BARS:
		if (bus_decode_bar(rec, &row->bar) != BUS_OK)
			return ROWS_BAD;
		if (row->bar.state == BAR_LIVE)
			return ROWS_LIVE;
		*kind = ROW_BAR;
		return ROWS_OK;
	case BUS_ANOMALIES:
		if (bus_decode_anomaly(rec, &row->anomaly) != BUS_OK)
			return ROWS_BAD;
		*kind = ROW_ANOMALY;
		return ROWS_OK;
	case BUS_SIDE_CHECKS:
		if (bus_decode_side_check(rec, &row->side_check) != BUS_OK)
			return ROWS_BAD;
		*kind = ROW_SIDE_CHECK;
		return ROWS_OK;
	case BUS_TICKS:
		return decode_tick(rec, row, kind);
	default:
		return ROWS_OTHER_KIND;
	}
}
