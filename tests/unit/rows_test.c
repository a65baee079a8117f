/*
 * The store's pending rows (store/rows.c): which bus records become rows,
 * the chunked FIFO against a plain array, and the symbols upkeep
 * (store/symbols.c).
 */
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "../../store/rows.h"
#include "../../store/symbols.h"
#include "bus.h"

static struct bar
mkbar(const char *sym, int state, int64_t start_ms, uint32_t interval_s)
{
	struct bar b;

	memset(&b, 0, sizeof(b));
	snprintf(b.symbol, sizeof(b.symbol), "%s", sym);
	b.state = (uint8_t)state;
	b.start_ms = start_ms;
	b.interval_s = interval_s;
	return b;
}

enum rec { R_LIVE, R_CLOSED, R_CORRECTED, R_BAD_BAR, R_ANOMALY, R_CHECK,
    R_TRADE, R_QUOTE, R_STATUS, R_FEED_BAR, R_STAT };

static const struct {
	const char	*name;
	enum rec	 rec;
	enum rows_status want;
	enum row_kind	 want_kind;
} decode_cases[] = {
	{ "live bar: not stored", R_LIVE, ROWS_LIVE, ROW_BAR },
	{ "closed bar: a bars row", R_CLOSED, ROWS_OK, ROW_BAR },
	{ "corrected bar: a bars row", R_CORRECTED, ROWS_OK, ROW_BAR },
	{ "bar without a NUL: bad", R_BAD_BAR, ROWS_BAD, ROW_BAR },
	{ "anomaly", R_ANOMALY, ROWS_OK, ROW_ANOMALY },
	{ "side check", R_CHECK, ROWS_OK, ROW_SIDE_CHECK },
	{ "trade tick", R_TRADE, ROWS_OK, ROW_TICK },
	{ "quote tick", R_QUOTE, ROWS_OK, ROW_TICK },
	{ "status tick: not stored", R_STATUS, ROWS_NOT_STORED, ROW_TICK },
	{ "feed bar tick: not stored", R_FEED_BAR, ROWS_NOT_STORED, ROW_TICK },
	{ "stats record: no table", R_STAT, ROWS_OTHER_KIND, ROW_TICK },
};

/* Encodes the record a case names; returns its bus kind. */
static int
encode(enum rec r, uint8_t *buf)
{
	struct bar b = mkbar("AAPL", BAR_CLOSED, 60000, 60);
	struct anomaly a;
	struct side_check c;
	struct tick t;
	struct bus_stat s;

	memset(&a, 0, sizeof(a));
	memset(&c, 0, sizeof(c));
	memset(&t, 0, sizeof(t));
	memset(&s, 0, sizeof(s));
	strcpy(a.symbol, "AAPL");
	a.kind = ANOMALY_PRICE_JUMP;
	strcpy(c.symbol, "AAPL");
	strcpy(t.symbol, "AAPL");
	switch (r) {
	case R_LIVE: case R_CLOSED: case R_CORRECTED: case R_BAD_BAR:
		b.state = r == R_LIVE ? BAR_LIVE : r == R_CORRECTED ?
		    BAR_CORRECTED : BAR_CLOSED;
		bus_encode_bar(buf, &b);
		if (r == R_BAD_BAR)
			memset(buf, 'x', TICK_SYMBOL_LEN);
		return BUS_BARS;
	case R_ANOMALY:
		bus_encode_anomaly(buf, &a);
		return BUS_ANOMALIES;
	case R_CHECK:
		bus_encode_side_check(buf, &c);
		return BUS_SIDE_CHECKS;
	case R_STAT:
		bus_encode_stat(buf, &s);
		return BUS_STATS;
	default:
		t.kind = r == R_TRADE ? TICK_TRADE : r == R_QUOTE ? TICK_QUOTE :
		    r == R_STATUS ? TICK_STATUS : TICK_FEED_BAR;
		bus_encode_tick(buf, &t);
		return BUS_TICKS;
	}
}

static void
test_decode(void)
{
	uint8_t buf[BUS_BAR_SIZE];
	union row row;
	enum row_kind k;
	enum rows_status st;
	size_t i;
	int kind;

	for (i = 0; i < sizeof(decode_cases) / sizeof(decode_cases[0]); i++) {
		k = ROW_TICK;
		kind = encode(decode_cases[i].rec, buf);
		st = rows_decode(kind, buf, &row, &k);
		CHECK(st == decode_cases[i].want && (st != ROWS_OK ||
		    k == decode_cases[i].want_kind), "decode: %s (%s)",
		    decode_cases[i].name, rows_status_str(st));
	}
}

/* The FIFO against an array, across chunk boundaries. */
static void
test_fifo(void)
{
	static int64_t model[20000];
	struct rows r;
	union row row;
	size_t head = 0, tail = 0, n, i;
	const struct bar *b;
	int ok = 1, step;

	rows_init(&r);
	srand(7);
	for (step = 0; step < 2000; step++) {
		n = (size_t)(rand() % 40);
		if (rand() % 3 != 0 && tail + n < 20000) {
			for (i = 0; i < n; i++) {
				row.bar = mkbar("X", BAR_CLOSED,
				    (int64_t)tail, 1);
				if (rows_push(&r, ROW_BAR, &row) == -1)
					ok = 0;
				model[tail] = (int64_t)tail;
				tail++;
			}
		} else {
			if (n > tail - head)
				n = tail - head;
			rows_pop(&r, ROW_BAR, n);
			head += n;
		}
		if (rows_count(&r, ROW_BAR) != tail - head)
			ok = 0;
		for (i = 0; i < tail - head && ok; i += 97) {
			b = rows_peek(&r, ROW_BAR, i);
			if (b->start_ms != model[head + i])
				ok = 0;
		}
	}
	CHECK(ok && tail > 5000, "fifo: pushes and pops match an array (%zu "
	    "rows through)", tail);
	rows_pop(&r, ROW_BAR, 1000000);
	CHECK(rows_count(&r, ROW_BAR) == 0 && rows_total(&r) == 0,
	    "fifo: popping more than held empties it");
	row.bar = mkbar("Y", BAR_CLOSED, 42, 1);
	rows_push(&r, ROW_BAR, &row);
	b = rows_peek(&r, ROW_BAR, 0);
	CHECK(rows_total(&r) == 1 && b->start_ms == 42 &&
	    strcmp(b->symbol, "Y") == 0, "fifo: usable again after emptying");
	rows_free(&r);
}

static void
test_kinds_apart(void)
{
	struct rows r;
	union row row;

	rows_init(&r);
	row.bar = mkbar("A", BAR_CLOSED, 1, 1);
	rows_push(&r, ROW_BAR, &row);
	memset(&row, 0, sizeof(row));
	strcpy(row.anomaly.symbol, "B");
	rows_push(&r, ROW_ANOMALY, &row);
	rows_push(&r, ROW_ANOMALY, &row);
	CHECK(rows_count(&r, ROW_BAR) == 1 &&
	    rows_count(&r, ROW_ANOMALY) == 2 && rows_total(&r) == 3 &&
	    strcmp(((const struct anomaly *)rows_peek(&r, ROW_ANOMALY,
	    1))->symbol, "B") == 0, "fifo: one queue per table");
	rows_free(&r);
}

static void
test_symbols(void)
{
	static struct symbols s;
	struct bar b;
	const struct symbols_entry *e = NULL;
	char name[16];
	unsigned i;
	int full = 0;

	symbols_reset(&s);
	b = mkbar("AAPL", BAR_CLOSED, 120000, 60);
	b.close = 101 * PRICE_SCALE;
	b.updated_ns = 181000 * NS_PER_MS;
	symbols_note(&s, &b);
	b = mkbar("AAPL", BAR_CLOSED, 60000, 60);	/* older */
	b.close = 100 * PRICE_SCALE;
	b.updated_ns = 500000 * NS_PER_MS;	/* a late correction */
	symbols_note(&s, &b);
	b = mkbar("AAPL", BAR_CLOSED, 180000, 1);	/* newest, no price */
	b.flags = BAR_F_NO_PRICE;
	symbols_note(&s, &b);
	for (i = 0; i < SYMBOLS_SLOTS; i++)
		if (strcmp(s.slots[i].symbol, "AAPL") == 0)
			e = &s.slots[i];
	CHECK(s.n == 1 && e != NULL && e->first_ms == 60000 &&
	    e->last_ms == 181000 && e->has_price &&
	    e->last_price == 101 * PRICE_SCALE && e->price_ms == 180000 &&
	    e->updated_ms == 500000,
	    "symbols: first start, last end, the newest priced close, "
	    "the newest publication");
	symbols_reset(&s);
	for (i = 0; i < SYMBOLS_SLOTS && !full; i++) {
		snprintf(name, sizeof(name), "S%u", i);
		b = mkbar(name, BAR_CLOSED, 0, 1);
		full = symbols_note(&s, &b) == -1;
	}
	CHECK(full && s.n == SYMBOLS_MAX, "symbols: full at %d, said so",
	    SYMBOLS_MAX);
	symbols_reset(&s);
	CHECK(s.n == 0 && symbols_note(&s, &b) == 0, "symbols: reset empties");
}

int
main(void)
{
	test_decode();
	test_fifo();
	test_kinds_apart();
	test_symbols();
	return check_report();
}
