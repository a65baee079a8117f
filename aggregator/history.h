/*
 * The aggregator's memory of what it published, for replays (bus.h, struct
 * bus_replay_req; docs/store.md "Replay"): a ring of encoded records of
 * one kind (closed and corrected bars, or anomalies), each numbered with a
 * cursor (1, 2, 3, ... per ring and process) and tagged with its bar's end
 * in ms. A corrected bar is simply added again: the store upserts.
 *
 * Pure: no I/O, no clock; the ring is allocated once at init.
 *
 * A reply answers "records of this kind with cursor > after_cursor and
 * end_ms > since_ms, at most max_records": its header has kind, the
 * publisher id given, n_records, seq = the cursor of the last record in it
 * (after_cursor when it is empty; send it back as the next after_cursor)
 * and first_record = the oldest cursor the ring holds. When the ring has
 * overwritten records the request would have selected, first_record is
 * more than after_cursor + 1: the requester lost some. When it overwrote
 * only records the since_ms filter excludes (judged by the latest end of
 * any record overwritten), first_record is capped at after_cursor + 1 so
 * that a first request (after_cursor 0) does not cry wolf. An empty reply
 * means there is nothing more.
 */
#ifndef HISTORY_H
#define HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "bus.h"

/*
 * A reply stays under this many bytes, header included: below nng's
 * customary 1 MiB receive limit, so any requester can take it.
 */
#define HISTORY_REPLY_MAX	1000000

struct history {
	uint8_t		*recs;		/* capacity records */
	int64_t		*end_ms;	/* each record's bar end */
	size_t		 record_size;
	uint32_t	 capacity;
	uint8_t		 kind;		/* BUS_BARS, BUS_ANOMALIES */
	uint64_t	 next_cursor;	/* the cursor of the next add */
	int64_t		 dropped_end_ms; /* latest end overwritten */
	uint64_t	 dropped;	/* records overwritten */
};

/*
 * Allocates a ring of capacity records of kind (BUS_BARS or
 * BUS_ANOMALIES). Returns 0, or -1 with errno EINVAL or ENOMEM.
 */
int	 history_init(struct history *, int kind, uint32_t capacity);
void	 history_free(struct history *);

/*
 * Copies one encoded record (the kind's record size) in, overwriting the
 * oldest when full. end_ms is start_ms + interval_s * 1000 of its bar.
 * Returns the record's cursor.
 */
uint64_t history_add(struct history *, const void *rec, int64_t end_ms);

/* The oldest cursor held; next_cursor when the ring is empty. */
uint64_t history_oldest(const struct history *);

/* Records of the ring's kind that fit in one reply of buf_len bytes. */
uint32_t history_reply_cap(const struct history *, size_t buf_len);

/*
 * Builds the whole reply message to req in buf (buf_len bytes, at least
 * BUS_HEADER_SIZE; HISTORY_REPLY_MAX is enough for a full page) and
 * returns its length. The reply's kind is the ring's; the caller picks
 * the ring by req->want_kind. max_records 0 means as many as fit.
 */
size_t	 history_answer(const struct history *,
	    const struct bus_replay_req *req, uint32_t publisher_id,
	    void *buf, size_t buf_len);

#endif /* HISTORY_H */
