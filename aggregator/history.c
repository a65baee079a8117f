/*
 * The replay rings (history.h). No I/O, no clock; allocated once.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"

static void
ring_free(struct history_ring *r)
{
	free(r->recs);
	free(r->cursor);
	free(r->end_ms);
	memset(r, 0, sizeof(*r));
}

int
history_init(struct history *h, int kind, const uint32_t *capacity,
    unsigned n_rings)
{
	struct history_ring *r;
	unsigned i;

	memset(h, 0, sizeof(*h));
	if ((kind != BUS_BARS && kind != BUS_ANOMALIES) || n_rings == 0 ||
	    n_rings > HISTORY_MAX_RINGS) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < n_rings; i++)
		if (capacity[i] == 0) {
			errno = EINVAL;
			return -1;
		}
	h->record_size = bus_record_size(kind);
	h->kind = (uint8_t)kind;
	h->n_rings = n_rings;
	h->next_cursor = 1;
	for (i = 0; i < n_rings; i++) {
		r = &h->ring[i];
		r->capacity = capacity[i];
		r->dropped_end_ms = INT64_MIN;
		r->recs = calloc(capacity[i], h->record_size);
		r->cursor = calloc(capacity[i], sizeof(*r->cursor));
		r->end_ms = calloc(capacity[i], sizeof(*r->end_ms));
		if (r->recs == NULL || r->cursor == NULL || r->end_ms == NULL) {
			history_free(h);
			errno = ENOMEM;
			return -1;
		}
	}
	return 0;
}

void
history_free(struct history *h)
{
	unsigned i;

	for (i = 0; i < HISTORY_MAX_RINGS; i++)
		ring_free(&h->ring[i]);
	h->n_rings = 0;
}

size_t
history_bytes(const struct history *h)
{
	size_t n = 0;
	unsigned i;

	for (i = 0; i < h->n_rings; i++)
		n += (size_t)h->ring[i].capacity * (h->record_size +
		    sizeof(*h->ring[i].cursor) + sizeof(*h->ring[i].end_ms));
	return n;
}

/* The array index of a ring's k-th oldest record (k < n). */
static uint32_t
at(const struct history_ring *r, uint32_t k)
{
	return (uint32_t)(((uint64_t)r->head + k) % r->capacity);
}

uint64_t
history_add(struct history *h, unsigned ring, const void *rec,
    int64_t end_ms)
{
	struct history_ring *r = &h->ring[ring];
	uint64_t c = h->next_cursor++;
	uint32_t i;

	if (r->n < r->capacity)
		i = at(r, r->n++);
	else {
		/* Overwrites the oldest. */
		i = r->head;
		if (r->end_ms[i] > r->dropped_end_ms)
			r->dropped_end_ms = r->end_ms[i];
		r->dropped++;
		r->head = (r->head + 1) % r->capacity;
	}
	memcpy(r->recs + (size_t)i * h->record_size, rec, h->record_size);
	r->cursor[i] = c;
	r->end_ms[i] = end_ms;
	return c;
}

uint64_t
history_oldest(const struct history *h)
{
	uint64_t oldest = h->next_cursor;
	unsigned i;

	for (i = 0; i < h->n_rings; i++)
		if (h->ring[i].n > 0 &&
		    h->ring[i].cursor[h->ring[i].head] < oldest)
			oldest = h->ring[i].cursor[h->ring[i].head];
	return oldest;
}

uint32_t
history_reply_cap(const struct history *h, size_t buf_len)
{
	size_t n;

	if (buf_len > HISTORY_REPLY_MAX)
		buf_len = HISTORY_REPLY_MAX;
	if (buf_len < BUS_HEADER_SIZE)
		return 0;
	n = (buf_len - BUS_HEADER_SIZE) / h->record_size;
	return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

/* How many of a ring's records have a cursor <= c (binary search). */
static uint32_t
ring_upto(const struct history_ring *r, uint64_t c)
{
	uint32_t lo = 0, hi = r->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (r->cursor[at(r, mid)] <= c)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * first_record of a reply covering the cursors (after, last] (history.h):
 * after + 1 + the cursors there that no ring holds and that a ring which
 * overwrote records ending after since_ms may have held; with none, the
 * oldest cursor held, capped at after + 1.
 */
static uint64_t
first_record(const struct history *h, const struct bus_replay_req *req,
    uint64_t last)
{
	const struct history_ring *r;
	uint64_t after = req->after_cursor, bound = 0, held = 0, oldest;
	unsigned i;

	for (i = 0; i < h->n_rings; i++) {
		r = &h->ring[i];
		/* A ring that overwrote anything is full: n > 0. */
		if (r->dropped > 0 && r->dropped_end_ms > req->since_ms &&
		    r->cursor[r->head] > bound)
			bound = r->cursor[r->head];
	}
	/* What such a ring lost lies below its oldest held cursor. */
	if (bound > 0 && last > bound - 1)
		last = bound - 1;
	if (bound > 0 && last > after) {
		for (i = 0; i < h->n_rings; i++)
			held += ring_upto(&h->ring[i], last) -
			    ring_upto(&h->ring[i], after);
		if (last - after > held)
			return after + 1 + (last - after - held);
	}
	oldest = history_oldest(h);
	return oldest - 1 <= after ? oldest : after + 1;
}

size_t
history_answer(const struct history *h, const struct bus_replay_req *req,
    uint32_t publisher_id, void *buf, size_t buf_len)
{
	const struct history_ring *r, *best;
	struct bus_header hdr;
	uint8_t *out = (uint8_t *)buf + BUS_HEADER_SIZE;
	uint32_t pos[HISTORY_MAX_RINGS], cap = history_reply_cap(h, buf_len), i;
	uint64_t c;
	unsigned k, bi = 0;

	if (req->max_records != 0 && req->max_records < cap)
		cap = req->max_records;
	memset(&hdr, 0, sizeof(hdr));
	hdr.kind = h->kind;
	hdr.publisher_id = publisher_id;
	hdr.seq = req->after_cursor;
	for (k = 0; k < h->n_rings; k++)
		pos[k] = ring_upto(&h->ring[k], req->after_cursor);
	/* Merge by cursor: the oldest record after the cursor, each time. */
	while (hdr.n_records < cap) {
		best = NULL;
		for (k = 0; k < h->n_rings; k++) {
			r = &h->ring[k];
			if (pos[k] < r->n && (best == NULL ||
			    r->cursor[at(r, pos[k])] <
			    best->cursor[at(best, pos[bi])])) {
				best = r;
				bi = k;
			}
		}
		if (best == NULL)
			break;
		i = at(best, pos[bi]++);
		c = best->cursor[i];
		if (best->end_ms[i] <= req->since_ms)
			continue;
		memcpy(out, best->recs + (size_t)i * h->record_size,
		    h->record_size);
		out += h->record_size;
		hdr.n_records++;
		hdr.seq = c;
	}
	hdr.first_record = first_record(h, req, hdr.n_records > 0 ? hdr.seq :
	    h->next_cursor - 1);
	bus_encode_header(buf, &hdr);
	return BUS_HEADER_SIZE + (size_t)hdr.n_records * h->record_size;
}
