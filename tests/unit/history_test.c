/*
 * The replay ring (aggregator/history.c): paging, the since filter,
 * wrap-around, loss detection, the size cap. Records are anomalies whose
 * start_ms is the cursor they were added with, so a reply says exactly
 * which records it holds.
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

static void
fill(struct history *h, uint64_t n, enum ends e)
{
	uint8_t rec[BUS_ANOMALY_SIZE];
	struct anomaly a;
	uint64_t i, c;

	for (i = 0; i < n; i++) {
		c = h->next_cursor;
		memset(&a, 0, sizeof(a));
		strcpy(a.symbol, "TEST");
		a.kind = ANOMALY_VOLUME_SPIKE;
		a.interval_s = 1;
		a.start_ms = (int64_t)c;
		bus_encode_anomaly(rec, &a);
		if (history_add(h, rec, end_of(e, c)) != c)
			abort();
	}
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
		if (history_init(&h, BUS_ANOMALIES, cases[i].capacity) == -1)
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

	if (history_init(&h, BUS_ANOMALIES, 100) == -1)
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

	if (history_init(&h, BUS_BARS, 16) == -1)
		abort();
	memset(&b, 0, sizeof(b));
	strcpy(b.symbol, "AAPL");
	b.state = BAR_CLOSED;
	b.interval_s = 60;
	b.start_ms = 60000;
	b.close = 100 * PRICE_SCALE;
	bus_encode_bar(rec, &b);
	history_add(&h, rec, 120000);
	b.state = BAR_CORRECTED;
	b.revision = 1;
	b.close = 101 * PRICE_SCALE;
	bus_encode_bar(rec, &b);
	history_add(&h, rec, 120000);
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

	if (history_init(&h, BUS_BARS, 10000) == -1)
		abort();
	memset(rec, 0, sizeof(rec));
	for (i = 0; i < 10000; i++)
		history_add(&h, rec, i);
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
	struct history h;

	CHECK(history_init(&h, BUS_TICKS, 8) == -1 && errno == EINVAL,
	    "init: only bars or anomalies");
	CHECK(history_init(&h, BUS_BARS, 0) == -1 && errno == EINVAL,
	    "init: capacity 0 refused");
	CHECK(history_init(&h, BUS_BARS, 8) == 0 && history_oldest(&h) == 1 &&
	    h.next_cursor == 1, "init: empty, cursors from 1");
	history_free(&h);
	history_free(&h);	/* twice is harmless */
}

int
main(void)
{
	test_init();
	test_table();
	test_paging_to_end();
	test_corrected_twice();
	test_size_cap();
	return check_report();
}
