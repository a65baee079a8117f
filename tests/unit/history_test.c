/*
 * The replay rings (aggregator/history.c): paging, the since filter,
 * wrap-around, loss detection, the size cap; with several rings in one
 * cursor space, the merge by cursor, paging across rings and loss
 * detection when one ring overwrote records and another did not. Records
 * are anomalies whose start_ms is the cursor they were added with, so a
 * reply says exactly which records it holds. Expected values are worked
 * out by hand in the comments.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "bus.h"
#include "../../aggregator/history.h"

/* How a table row numbers the bar ends of the records it adds. */
enum ends {
	ENDS_RISING,		/* end_ms = cursor * 1000 */
	ENDS_ZIGZAG		/* odd cursors end late, even ones early */
};

static int64_t
end_of(enum ends e, uint64_t c)
{
	if (e == ENDS_ZIGZAG && c % 2 == 1)
		return 1000000 + (int64_t)c;
	return (int64_t)c * 1000;
}

/* Adds the record with the next cursor to ring, ending at end_ms. */
static void
add(struct history *h, unsigned ring, int64_t end_ms)
{
	uint8_t rec[BUS_ANOMALY_SIZE];
	struct anomaly a;
	uint64_t c = h->next_cursor;

	memset(&a, 0, sizeof(a));
	strcpy(a.symbol, "TEST");
	a.kind = ANOMALY_VOLUME_SPIKE;
	a.interval_s = 1;
	a.start_ms = (int64_t)c;
	bus_encode_anomaly(rec, &a);
	if (history_add(h, ring, rec, end_ms) != c)
		abort();
}

static void
fill(struct history *h, uint64_t n, enum ends e)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		add(h, 0, end_of(e, h->next_cursor));
}

static int
init1(struct history *h, int kind, uint32_t capacity)
{
	return history_init(h, kind, &capacity, 1);
}

struct reply {
	struct bus_header h;
	uint64_t	  cursors[64];
	int		  ok;		/* decodes as a bus message */
};

static void
ask(const struct history *h, uint64_t after, int64_t since, uint32_t max,
    struct reply *r)
{
	static uint8_t buf[HISTORY_REPLY_MAX];
	struct bus_replay_req req = { BUS_ANOMALIES, since, after, max };
	struct anomaly a;
	size_t len;
	uint32_t i;

	memset(r, 0, sizeof(*r));
	len = history_answer(h, &req, 0xabcd, buf, sizeof(buf));
	r->ok = bus_decode_header(buf, len, &r->h) == BUS_OK;
	for (i = 0; r->ok && i < r->h.n_records && i < 64; i++) {
		if (bus_decode_anomaly(buf + BUS_HEADER_SIZE +
		    i * BUS_ANOMALY_SIZE, &a) != BUS_OK)
			r->ok = 0;
		r->cursors[i] = (uint64_t)a.start_ms;
	}
}

static const struct {
	const char	*name;
	uint32_t	 capacity;
	uint64_t	 added;
	enum ends	 ends;
	uint64_t	 after;
	int64_t		 since;
	uint32_t	 max;
	uint32_t	 want_n;
	uint64_t	 want_first_cursor;	/* of the records, 0: none */
	uint64_t	 want_seq;
	uint64_t	 want_first_record;
} cases[] = {
	{ "empty ring: empty reply, nothing lost", 8, 0, ENDS_RISING,
	  0, INT64_MIN, 0, 0, 0, 0, 1 },
	{ "all held, from the start", 8, 5, ENDS_RISING,
	  0, INT64_MIN, 0, 5, 1, 5, 1 },
	{ "after a cursor", 8, 5, ENDS_RISING,
	  3, INT64_MIN, 0, 2, 4, 5, 1 },
	{ "at the end: empty, seq stays", 8, 5, ENDS_RISING,
	  5, INT64_MIN, 0, 0, 0, 5, 1 },
	{ "beyond the end (old cursor space): empty", 8, 5, ENDS_RISING,
	  900, INT64_MIN, 0, 0, 0, 900, 1 },
	{ "huge cursor does not wrap", 8, 5, ENDS_RISING,
	  UINT64_MAX, INT64_MIN, 0, 0, 0, UINT64_MAX, 1 },
	{ "max_records pages", 8, 5, ENDS_RISING,
	  0, INT64_MIN, 2, 2, 1, 2, 1 },
	{ "since filters by bar end", 8, 6, ENDS_RISING,
	  0, 3000, 0, 3, 4, 6, 1 },
	{ "since equal to an end excludes it", 8, 6, ENDS_RISING,
	  0, 5000, 0, 1, 6, 6, 1 },
	{ "since filters non-monotonic ends", 8, 6, ENDS_ZIGZAG,
	  0, 500000, 0, 3, 1, 5, 1 },
	{ "since past everything: empty", 8, 6, ENDS_RISING,
	  0, 10000, 0, 0, 0, 0, 1 },
	{ "wrapped: oldest first", 4, 10, ENDS_RISING,
	  6, INT64_MIN, 0, 4, 7, 10, 7 },
	{ "wrapped, asked from 0: loss shown", 4, 10, ENDS_RISING,
	  0, INT64_MIN, 0, 4, 7, 10, 7 },
	{ "wrapped, asked after 5: cursor 6 lost", 4, 10, ENDS_RISING,
	  5, INT64_MIN, 0, 4, 7, 10, 7 },
	{ "wrapped, dropped ones before since: no loss", 4, 10, ENDS_RISING,
	  0, 6000, 0, 4, 7, 10, 1 },
	{ "wrapped, one dropped after since: loss", 4, 10, ENDS_RISING,
	  0, 5999, 0, 4, 7, 10, 7 },
	{ "wrapped, paging inside the ring", 4, 10, ENDS_RISING,
	  7, INT64_MIN, 2, 2, 8, 9, 7 },
	{ "wrapped many times", 3, 1000, ENDS_RISING,
	  0, INT64_MIN, 0, 3, 998, 1000, 998 },
};

static void
test_table(void)
{
	struct history h;
	struct reply r;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (init1(&h, BUS_ANOMALIES, cases[i].capacity) == -1)
			abort();
		fill(&h, cases[i].added, cases[i].ends);
		ask(&h, cases[i].after, cases[i].since, cases[i].max, &r);
		CHECK(r.ok && r.h.kind == BUS_ANOMALIES &&
		    r.h.publisher_id == 0xabcd &&
		    r.h.n_records == cases[i].want_n &&
		    (cases[i].want_n == 0 ||
		    r.cursors[0] == cases[i].want_first_cursor) &&
		    r.h.seq == cases[i].want_seq &&
		    r.h.first_record == cases[i].want_first_record,
		    "%s (n=%u first=%llu seq=%llu first_record=%llu)",
		    cases[i].name, r.h.n_records,
		    (unsigned long long)r.cursors[0],
		    (unsigned long long)r.h.seq,
		    (unsigned long long)r.h.first_record);
		history_free(&h);
	}
}

/* Pages to the end the way the store does, over a wrapped ring. */
static void
test_paging_to_end(void)
{
	struct history h;
	struct reply r;
	uint64_t after = 900, want = 901;
	int pages = 0, in_order = 1, lost = 0;

	if (init1(&h, BUS_ANOMALIES, 100) == -1)
		abort();
	fill(&h, 1000, ENDS_RISING);
	for (;;) {
		ask(&h, after, INT64_MIN, 7, &r);
		if (r.h.first_record > after + 1)
			lost = 1;
		if (r.h.n_records == 0)
			break;
		for (uint32_t i = 0; i < r.h.n_records; i++)
			if (r.cursors[i] != want++)
				in_order = 0;
		after = r.h.seq;
		pages++;
	}
	CHECK(in_order && want == 1001 && pages == 15 && !lost &&
	    r.h.seq == 1000, "paging: every record once, in order, then an "
	    "empty reply (pages=%d next=%llu)", pages,
	    (unsigned long long)want);

	/* The store fell behind: the ring moved past its cursor. */
	fill(&h, 150, ENDS_RISING);	/* cursors 1001..1150 */
	ask(&h, 1000, INT64_MIN, 7, &r);
	CHECK(r.h.first_record == 1051 && r.cursors[0] == 1051,
	    "paging: a ring that overwrote the next page shows the loss "
	    "(first_record=%llu)", (unsigned long long)r.h.first_record);
	history_free(&h);
}

/* A corrected bar is added again: both versions replay, in order. */
static void
test_corrected_twice(void)
{
	uint8_t rec[BUS_BAR_SIZE], buf[4096];
	struct bus_replay_req req = { BUS_BARS, 0, 0, 0 };
	struct history h;
	struct bus_header hdr;
	struct bar b, b0, b1;
	size_t len;

	if (init1(&h, BUS_BARS, 16) == -1)
		abort();
	memset(&b, 0, sizeof(b));
	strcpy(b.symbol, "AAPL");
	b.state = BAR_CLOSED;
	b.interval_s = 60;
	b.start_ms = 60000;
	b.close = 100 * PRICE_SCALE;
	bus_encode_bar(rec, &b);
	history_add(&h, 0, rec, 120000);
	b.state = BAR_CORRECTED;
	b.revision = 1;
	b.close = 101 * PRICE_SCALE;
	bus_encode_bar(rec, &b);
	history_add(&h, 0, rec, 120000);
	len = history_answer(&h, &req, 7, buf, sizeof(buf));
	CHECK(bus_decode_header(buf, len, &hdr) == BUS_OK &&
	    hdr.kind == BUS_BARS && hdr.n_records == 2 &&
	    bus_decode_bar(buf + BUS_HEADER_SIZE, &b0) == BUS_OK &&
	    bus_decode_bar(buf + BUS_HEADER_SIZE + BUS_BAR_SIZE, &b1) ==
	    BUS_OK && b0.revision == 0 && b1.revision == 1 &&
	    b1.close == 101 * PRICE_SCALE,
	    "a corrected bar replays after the original");
	history_free(&h);
}

/* The reply stays under HISTORY_REPLY_MAX and under the buffer. */
static void
test_size_cap(void)
{
	static uint8_t buf[HISTORY_REPLY_MAX + 4096];
	uint8_t rec[BUS_BAR_SIZE];
	struct bus_replay_req req = { BUS_BARS, INT64_MIN, 0, 0 };
	struct history h;
	struct bus_header hdr;
	uint32_t cap, i;
	size_t len;

	uint32_t caps[2] = { 6000, 6000 };

	if (history_init(&h, BUS_BARS, caps, 2) == -1)
		abort();
	memset(rec, 0, sizeof(rec));
	for (i = 0; i < 10000; i++)
		history_add(&h, i % 2, rec, i);
	cap = (HISTORY_REPLY_MAX - BUS_HEADER_SIZE) / BUS_BAR_SIZE;
	len = history_answer(&h, &req, 1, buf, sizeof(buf));
	CHECK(len <= HISTORY_REPLY_MAX && bus_decode_header(buf, len, &hdr) ==
	    BUS_OK && hdr.n_records == cap && hdr.seq == cap,
	    "max_records 0: as many as fit under 1 MB (%u)", hdr.n_records);
	req.max_records = 1000000;
	len = history_answer(&h, &req, 1, buf, sizeof(buf));
	CHECK(len <= HISTORY_REPLY_MAX && bus_decode_header(buf, len, &hdr) ==
	    BUS_OK && hdr.n_records == cap,
	    "a larger max_records is capped too");
	len = history_answer(&h, &req, 1, buf, BUS_HEADER_SIZE +
	    3 * BUS_BAR_SIZE + 100);
	CHECK(bus_decode_header(buf, len, &hdr) == BUS_OK &&
	    hdr.n_records == 3, "a small buffer holds what fits (3)");
	CHECK(history_reply_cap(&h, 10) == 0, "no room for a header: cap 0");
	history_free(&h);
}

static void
test_init(void)
{
	uint32_t caps[5] = { 8, 8, 8, 8, 8 }, zero_second[2] = { 8, 0 };
	struct history h;

	CHECK(init1(&h, BUS_TICKS, 8) == -1 && errno == EINVAL,
	    "init: only bars or anomalies");
	CHECK(init1(&h, BUS_BARS, 0) == -1 && errno == EINVAL,
	    "init: capacity 0 refused");
	CHECK(history_init(&h, BUS_BARS, zero_second, 2) == -1 &&
	    errno == EINVAL, "init: capacity 0 refused in any ring");
	CHECK(history_init(&h, BUS_BARS, caps, 0) == -1 && errno == EINVAL &&
	    history_init(&h, BUS_BARS, caps, HISTORY_MAX_RINGS + 1) == -1 &&
	    errno == EINVAL, "init: 1 to HISTORY_MAX_RINGS rings");
	CHECK(init1(&h, BUS_BARS, 8) == 0 && history_oldest(&h) == 1 &&
	    h.next_cursor == 1, "init: empty, cursors from 1");
	CHECK(history_bytes(&h) == 8 * (BUS_BAR_SIZE + 16),
	    "init: its size, records with their cursor and end");
	history_free(&h);
	history_free(&h);	/* twice is harmless */
	CHECK(history_init(&h, BUS_BARS, caps, HISTORY_MAX_RINGS) == 0 &&
	    history_oldest(&h) == 1, "init: four rings");
	history_free(&h);
}

/*
 * Two rings, A (capacity 3) and B (capacity 4), cursors handed out in
 * turn: 1 A, 2 A, 3 B, 4 A, 5 A, 6 B, 7 A, 8 A, 9 B, 10 A, each ending at
 * cursor x 1000 ms. A took 1 2 4 5 7 8 10, holds 7 8 10 and overwrote
 * 1 2 4 5 (latest end 5000); B holds 3 6 9 and overwrote nothing.
 */
static void
two_rings(struct history *h)
{
	static const unsigned ring_of[10] = { 0, 0, 1, 0, 0, 1, 0, 0, 1, 0 };
	uint32_t caps[2] = { 3, 4 };
	unsigned i;

	if (history_init(h, BUS_ANOMALIES, caps, 2) == -1)
		abort();
	for (i = 0; i < 10; i++)
		add(h, ring_of[i], (int64_t)(i + 1) * 1000);
}

static const struct {
	const char	*name;
	uint64_t	 after;
	int64_t		 since;
	uint32_t	 max;
	uint32_t	 want_n;
	uint64_t	 want[6];	/* the cursors, in order */
	uint64_t	 want_seq;
	uint64_t	 want_first_record;
} merge_cases[] = {
	/* Merged by cursor; 1 2 4 5 lost: 0 + 1 + 4 = 5. */
	{ "two rings: merged by cursor, A's 4 lost shown", 0, INT64_MIN, 0,
	  6, { 3, 6, 7, 8, 9, 10 }, 10, 5 },
	/* A page of 2 covers (0, 6]: 1 2 4 5 lost there. */
	{ "two rings: first page of 2 shows the 4 lost", 0, INT64_MIN, 2,
	  2, { 3, 6 }, 6, 5 },
	/* (6, 8]: nothing lost there; the oldest held is 3. */
	{ "two rings: next page, nothing lost, oldest held", 6, INT64_MIN, 2,
	  2, { 7, 8 }, 8, 3 },
	/* (3, 7]: 4 and 5 lost: 3 + 1 + 2 = 6. */
	{ "two rings: after 3, the 2 lost after it", 3, INT64_MIN, 2,
	  2, { 6, 7 }, 7, 6 },
	/* Only B's records are before A's oldest (7): the reply is all B. */
	{ "two rings: a page of B alone before A's oldest", 0, INT64_MIN, 1,
	  1, { 3 }, 3, 3 },
	/* (3, 6]: 4 5 lost: 3 + 1 + 2 = 6. */
	{ "two rings: the page after it shows A's loss in its range", 3,
	  INT64_MIN, 1, 1, { 6 }, 6, 6 },
	/* A overwrote ends up to 5000 only: since 5000 excludes them all,
	 * no loss; the cap is after + 1. */
	{ "two rings: losses before since do not count", 0, 5000, 0,
	  5, { 6, 7, 8, 9, 10 }, 10, 1 },
	/* since 4999: 3 (end 3000) is filtered out; A's loss of 5 (end
	 * 5000) matters: the 4 cursors lost in (0, 6] count, all of them
	 * (an upper bound: only 5 was selected). */
	{ "two rings: one lost end after since: loss shown", 0, 4999, 0,
	  5, { 6, 7, 8, 9, 10 }, 10, 5 },
	/* Empty reply at the end: covers (10, 10]; the oldest held is 3. */
	{ "two rings: at the end, empty, nothing lost", 10, INT64_MIN, 0,
	  0, { 0 }, 10, 3 },
	/* Empty reply, since past every end: nothing lost matters. */
	{ "two rings: since past all: empty, no loss", 0, 20000, 0,
	  0, { 0 }, 0, 1 },
	/* (6, 10]: the lost cursors are all below A's oldest, 7. */
	{ "two rings: after 6 with since, nothing lost in the range", 6,
	  4500, 0, 4, { 7, 8, 9, 10 }, 10, 3 },
};

static void
test_two_rings(void)
{
	struct history h;
	struct reply r;
	size_t i;
	uint32_t k;
	int same;

	two_rings(&h);
	CHECK(history_oldest(&h) == 3 && h.ring[0].dropped == 4 &&
	    h.ring[1].dropped == 0 && h.ring[0].dropped_end_ms == 5000,
	    "two rings: A overwrote 4, B none; the oldest held is 3");
	for (i = 0; i < sizeof(merge_cases) / sizeof(merge_cases[0]); i++) {
		ask(&h, merge_cases[i].after, merge_cases[i].since,
		    merge_cases[i].max, &r);
		same = r.ok && r.h.n_records == merge_cases[i].want_n &&
		    r.h.seq == merge_cases[i].want_seq &&
		    r.h.first_record == merge_cases[i].want_first_record;
		for (k = 0; same && k < r.h.n_records; k++)
			same = r.cursors[k] == merge_cases[i].want[k];
		CHECK(same, "%s (n=%u seq=%llu first_record=%llu)",
		    merge_cases[i].name, r.h.n_records,
		    (unsigned long long)r.h.seq,
		    (unsigned long long)r.h.first_record);
	}
	history_free(&h);
}

/*
 * Both rings lost records; B's losses end before since, A's after it.
 * Cursors: 1 B 1000, 2 A 2000, 3 B 3000, 4 A 4000, 5 B 5000, 6 A 6000,
 * 7 A 7000, 8 B 8000; capacities 2 and 2. A holds 6 7 (lost 2 4, latest
 * end 4000), B holds 5 8 (lost 1 3, latest end 3000).
 */
static void
test_both_lost(void)
{
	static const unsigned ring_of[8] = { 1, 0, 1, 0, 1, 0, 0, 1 };
	uint32_t caps[2] = { 2, 2 };
	struct history h;
	struct reply r;
	unsigned i;

	if (history_init(&h, BUS_ANOMALIES, caps, 2) == -1)
		abort();
	for (i = 0; i < 8; i++)
		add(&h, ring_of[i], (int64_t)(i + 1) * 1000);
	/* Both matter: every cursor in (0, 5] but 5 is lost: 1 + 4 = 5. */
	ask(&h, 0, INT64_MIN, 0, &r);
	CHECK(r.h.n_records == 4 && r.cursors[0] == 5 && r.cursors[3] == 8 &&
	    r.h.first_record == 5, "both lost: 1-4 lost, 5-8 replayed "
	    "(first_record=%llu)", (unsigned long long)r.h.first_record);
	/* After 2: 3 and 4 lost: 2 + 1 + 2. */
	ask(&h, 2, INT64_MIN, 0, &r);
	CHECK(r.h.first_record == 5, "both lost: after 2, 3 and 4 lost");
	/* After 4: nothing lost after it; 5 is the oldest held. */
	ask(&h, 4, INT64_MIN, 0, &r);
	CHECK(r.h.first_record == 5 && r.h.n_records == 4,
	    "both lost: after 4, nothing lost");
	/*
	 * since 3500: only A's losses matter (4000 > 3500; B's 3000 does
	 * not); below A's oldest (6) the cursors 1-4 are not held: 4, an
	 * upper bound (only 4, ending 4000, was selected and lost).
	 */
	ask(&h, 0, 3500, 0, &r);
	CHECK(r.h.n_records == 4 && r.h.first_record == 5,
	    "both lost: one ring matters, cursors below its oldest count "
	    "(first_record=%llu)", (unsigned long long)r.h.first_record);
	/* since 4000: neither ring's losses matter: capped at 0 + 1. */
	ask(&h, 0, 4000, 0, &r);
	CHECK(r.h.n_records == 4 && r.cursors[0] == 5 &&
	    r.h.first_record == 1, "both lost: neither matters, no loss");
	history_free(&h);
}

/*
 * Pages to the end the way the store does, over two rings that both
 * overwrote: A (50) takes 3 of every 4 cursors, B (200) the 4th, 1000
 * cursors: A took 750 and holds the last 50, B took 250 and holds the last
 * 200. Every record held comes once, in cursor order, and the losses
 * reported over all pages add up to exactly the 700 + 50 overwritten.
 */
static void
test_paging_two_rings(void)
{
	uint32_t caps[2] = { 50, 200 };
	struct history h;
	struct reply r;
	uint64_t after = 0, lost = 0, prev = 0, got = 0, c;
	int pages = 0, in_order = 1, held_a = 0, held_b = 0;
	uint32_t i;

	if (history_init(&h, BUS_ANOMALIES, caps, 2) == -1)
		abort();
	for (c = 1; c <= 1000; c++)
		add(&h, c % 4 == 0 ? 1 : 0, (int64_t)c * 1000);
	for (;;) {
		ask(&h, after, INT64_MIN, 7, &r);
		if (r.h.first_record > after + 1)
			lost += r.h.first_record - after - 1;
		if (r.h.n_records == 0)
			break;
		for (i = 0; i < r.h.n_records; i++) {
			if (r.cursors[i] <= prev)
				in_order = 0;
			prev = r.cursors[i];
			if (prev % 4 == 0)
				held_b++;
			else
				held_a++;
			got++;
		}
		after = r.h.seq;
		pages++;
	}
	/* 250 records, 7 a page: 36 pages. */
	CHECK(in_order && got == 250 && held_a == 50 && held_b == 200 &&
	    pages == 36 && r.h.seq == 1000, "two rings paged: every record "
	    "held once, in order (got=%llu pages=%d)", (unsigned long long)got,
	    pages);
	CHECK(lost == 750, "two rings paged: losses add up to the 750 "
	    "overwritten, each counted once (lost=%llu)",
	    (unsigned long long)lost);
	history_free(&h);
}

/*
 * The since filter over merged rings: A's records end late (their bars
 * are long), B's early, interleaved; the filter keeps A's alone and the
 * pages still move on by cursor.
 */
static void
test_since_across_rings(void)
{
	uint32_t caps[2] = { 100, 100 };
	struct history h;
	struct reply r;
	uint64_t c, after = 0;
	int ok = 1, n = 0;
	uint32_t i;

	if (history_init(&h, BUS_ANOMALIES, caps, 2) == -1)
		abort();
	for (c = 1; c <= 60; c++)
		add(&h, c % 3 == 0 ? 0 : 1, c % 3 == 0 ? 500000 + (int64_t)c :
		    (int64_t)c);
	/* since 1000: only cursors 3, 6, ..., 60 (A): 20 of them. */
	for (;;) {
		ask(&h, after, 1000, 6, &r);
		if (r.h.first_record > after + 1)
			ok = 0;
		if (r.h.n_records == 0)
			break;
		for (i = 0; i < r.h.n_records; i++) {
			if (r.cursors[i] % 3 != 0)
				ok = 0;
			n++;
		}
		after = r.h.seq;
	}
	CHECK(ok && n == 20 && r.h.seq == 60, "since across rings: only "
	    "the later ends, no loss (n=%d)", n);
	history_free(&h);
}

int
main(void)
{
	test_init();
	test_table();
	test_paging_to_end();
	test_corrected_twice();
	test_size_cap();
	test_two_rings();
	test_both_lost();
	test_paging_two_rings();
	test_since_across_rings();
	return check_report();
}
