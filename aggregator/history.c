/*
 * The replay ring (history.h). No I/O, no clock; allocated once.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"

int
history_init(struct history *h, int kind, uint32_t capacity)
{
	memset(h, 0, sizeof(*h));
	if ((kind != BUS_BARS && kind != BUS_ANOMALIES) || capacity == 0) {
		errno = EINVAL;
		return -1;
	}
	h->record_size = bus_record_size(kind);
	h->recs = calloc(capacity, h->record_size);
	h->end_ms = calloc(capacity, sizeof(*h->end_ms));
	if (h->recs == NULL || h->end_ms == NULL) {
		history_free(h);
		errno = ENOMEM;
		return -1;
	}
	h->kind = (uint8_t)kind;
	h->capacity = capacity;
	h->next_cursor = 1;
	h->dropped_end_ms = INT64_MIN;
	return 0;
}

void
history_free(struct history *h)
{
	free(h->recs);
	free(h->end_ms);
	h->recs = NULL;
	h->end_ms = NULL;
}

/* Where the record with cursor c lives (c >= 1). */
static size_t
slot(const struct history *h, uint64_t c)
{
	return (size_t)((c - 1) % h->capacity);
}

uint64_t
history_add(struct history *h, const void *rec, int64_t end_ms)
{
	uint64_t c = h->next_cursor++;
	size_t i = slot(h, c);

	if (c > h->capacity) {
		/* Overwrites cursor c - capacity. */
		if (h->end_ms[i] > h->dropped_end_ms)
			h->dropped_end_ms = h->end_ms[i];
		h->dropped++;
	}
	memcpy(h->recs + i * h->record_size, rec, h->record_size);
	h->end_ms[i] = end_ms;
	return c;
}

uint64_t
history_oldest(const struct history *h)
{
	if (h->next_cursor > h->capacity)
		return h->next_cursor - h->capacity;
	return 1;
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

/*
 * first_record of a reply: the oldest cursor held, unless everything
 * overwritten ended at or before since_ms, so nothing asked for is gone.
 */
static uint64_t
first_record(const struct history *h, const struct bus_replay_req *req)
{
	uint64_t oldest = history_oldest(h);

	if (req->after_cursor < oldest - 1 &&
	    h->dropped_end_ms <= req->since_ms)
		return req->after_cursor + 1;
	return oldest;
}

size_t
history_answer(const struct history *h, const struct bus_replay_req *req,
    uint32_t publisher_id, void *buf, size_t buf_len)
{
	struct bus_header hdr;
	uint8_t *out = (uint8_t *)buf + BUS_HEADER_SIZE;
	uint64_t c, newest = h->next_cursor - 1;
	uint32_t cap = history_reply_cap(h, buf_len);

	if (req->max_records != 0 && req->max_records < cap)
		cap = req->max_records;
	memset(&hdr, 0, sizeof(hdr));
	hdr.kind = h->kind;
	hdr.publisher_id = publisher_id;
	hdr.seq = req->after_cursor;
	hdr.first_record = first_record(h, req);
	c = history_oldest(h);
	if (req->after_cursor >= c && req->after_cursor < newest)
		c = req->after_cursor + 1;
	for (; req->after_cursor < newest && c <= newest &&
	    hdr.n_records < cap; c++) {
		if (h->end_ms[slot(h, c)] <= req->since_ms)
			continue;
		memcpy(out, h->recs + slot(h, c) * h->record_size,
		    h->record_size);
		out += h->record_size;
		hdr.n_records++;
		hdr.seq = c;
	}
	bus_encode_header(buf, &hdr);
	return BUS_HEADER_SIZE + (size_t)hdr.n_records * h->record_size;
}
