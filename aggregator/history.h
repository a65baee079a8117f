/*
 * The aggregator's memory of what it published, for replays (bus.h, struct
 * bus_replay_req; docs/store.md "Replay"): encoded records of one kind
 * (closed and corrected bars, or anomalies), each numbered with a cursor
 * (1, 2, 3, ... per kind and process) and tagged with its bar's end in ms.
 * A corrected bar is simply added again: the store upserts.
 *
 * The records of a kind are kept in up to HISTORY_MAX_RINGS rings that
 * share one cursor space: one ring per bar interval, so that a burst of
 * 1 s bars cannot push the 60 s bars of the last hours out (anomalies use
 * one ring). Each ring drops its own oldest records; a reply is the merge
 * of the rings by cursor, so the requester sees one increasing sequence,
 * as if there were one ring.
 *
 * Pure: no I/O, no clock; the rings are allocated once at init.
 *
 * A reply answers "records of this kind with cursor > after_cursor and
 * end_ms > since_ms, at most max_records": its header has kind, the
 * publisher id given, n_records, seq = the cursor of the last record in it
 * (after_cursor when it is empty; send it back as the next after_cursor)
 * and first_record, which tells what the reply's cursor range lacks. That
 * range is (after_cursor, seq], or (after_cursor, newest] for an empty
 * reply, so consecutive pages cover each cursor once and a loss is
 * reported once, in the page whose range it falls in. first_record is
 * after_cursor + 1 + L when L > 0, L being the cursors of that range that
 * no ring holds any more (overwritten) below the oldest cursor held by a
 * ring whose losses matter: one that overwrote a record ending after
 * since_ms (judged by the latest end it overwrote). Otherwise it is the
 * oldest cursor held, capped at after_cursor + 1; for one ring that is
 * simply its oldest cursor, loss or not. So first_record > after_cursor
 * + 1 exactly when a ring whose losses matter lost records in the range.
 * L counts lost cursors, not lost selected records: a lost record that
 * ended before since_ms, or one of a ring whose losses do not matter
 * lying below that bound, counts too, so L is an upper bound (the
 * store's "up to"); a first request (after_cursor 0) does not cry wolf
 * when only records older than since_ms were overwritten. An empty reply
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

#define HISTORY_MAX_RINGS	4

/* One ring: records in cursor order, oldest at head. */
struct history_ring {
	uint8_t		*recs;		/* capacity records */
	uint64_t	*cursor;	/* each record's cursor */
	int64_t		*end_ms;	/* each record's bar end */
	uint32_t	 capacity;
	uint32_t	 n;		/* records held */
	uint32_t	 head;		/* index of the oldest */
	int64_t		 dropped_end_ms; /* latest end overwritten */
	uint64_t	 dropped;	/* records overwritten */
};

struct history {
	struct history_ring	 ring[HISTORY_MAX_RINGS];
	unsigned		 n_rings;
	size_t			 record_size;
	uint8_t			 kind;		/* BUS_BARS, BUS_ANOMALIES */
	uint64_t		 next_cursor;	/* the cursor of the next add */
};

/*
 * Allocates n_rings (1 to HISTORY_MAX_RINGS) rings of capacity[i] records
 * (each > 0) of kind (BUS_BARS or BUS_ANOMALIES). Returns 0, or -1 with
 * errno EINVAL or ENOMEM.
 */
int	 history_init(struct history *, int kind, const uint32_t *capacity,
	    unsigned n_rings);
void	 history_free(struct history *);

/*
 * Copies one encoded record (the kind's record size) into ring (< n_rings),
 * overwriting that ring's oldest when it is full. end_ms is start_ms +
 * interval_s * 1000 of its bar. Returns the record's cursor.
 */
uint64_t history_add(struct history *, unsigned ring, const void *rec,
	    int64_t end_ms);

/* The oldest cursor any ring holds; next_cursor when all are empty. */
uint64_t history_oldest(const struct history *);

/* Bytes the rings take, as allocated. */
size_t	 history_bytes(const struct history *);

/* Records of the kind that fit in one reply of buf_len bytes. */
uint32_t history_reply_cap(const struct history *, size_t buf_len);

/*
 * Builds the whole reply message to req in buf (buf_len bytes, at least
 * BUS_HEADER_SIZE; HISTORY_REPLY_MAX is enough for a full page) and
 * returns its length. The reply's kind is the history's; the caller picks
 * the history by req->want_kind. max_records 0 means as many as fit.
 */
size_t	 history_answer(const struct history *,
	    const struct bus_replay_req *req, uint32_t publisher_id,
	    void *buf, size_t buf_len);

#endif /* HISTORY_H */
