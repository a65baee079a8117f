/*
 * JSON lines for bustap (print.h). Strings are escaped here; prices are
 * exact decimals from fixed point; sizes the shortest text that reads
 * back as the same double.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixed.h"
#include "print.h"

static void
put_str(FILE *f, const char *key, const char *s)
{
	const unsigned char *p;

	fprintf(f, ",\"%s\":\"", key);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void
put_price(FILE *f, const char *key, int64_t v)
{
	char buf[FIXED_TEXT_MAX];

	fixed_format(buf, v);
	fprintf(f, ",\"%s\":%s", key, buf);
}

static void
put_double(FILE *f, const char *key, double v)
{
	char buf[40];

	snprintf(buf, sizeof(buf), "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, sizeof(buf), "%.17g", v);
	fprintf(f, ",\"%s\":%s", key, buf);
}

static void
put_i64(FILE *f, const char *key, int64_t v)
{
	fprintf(f, ",\"%s\":%" PRId64, key, v);
}

static void
put_conditions(FILE *f, const struct tick *t)
{
	unsigned i;

	fprintf(f, ",\"conditions\":[");
	for (i = 0; i < t->n_conditions; i++)
		fprintf(f, "%s%u", i == 0 ? "" : ",", t->conditions[i]);
	fputc(']', f);
}

static void
put_kind_fields(FILE *f, const struct tick *t)
{
	switch (t->kind) {
	case TICK_TRADE:
		put_price(f, "price", t->price);
		put_double(f, "size", t->size);
		put_str(f, "side", side_name(t->side));
		put_str(f, "trade_id", t->trade_id);
		put_i64(f, "exchange", t->exchange);
		put_i64(f, "tape", t->tape);
		put_conditions(f, t);
		break;
	case TICK_QUOTE:
		put_price(f, "bid", t->bid);
		put_double(f, "bid_size", t->bid_size);
		put_price(f, "ask", t->ask);
		put_double(f, "ask_size", t->ask_size);
		put_i64(f, "exchange", t->exchange);
		put_i64(f, "ask_exchange", t->ask_exchange);
		put_i64(f, "tape", t->tape);
		put_conditions(f, t);
		break;
	case TICK_FEED_BAR:
		put_price(f, "open", t->open);
		put_price(f, "high", t->high);
		put_price(f, "low", t->low);
		put_price(f, "close", t->close);
		put_price(f, "vwap", t->vwap);
		put_double(f, "volume", t->volume);
		put_i64(f, "end_ns", t->end_ns);
		break;
	case TICK_STATUS:
		put_str(f, "status", feed_status_name(t->status));
		break;
	default:
		break;
	}
}

void
print_tick(FILE *f, const struct bus_header *h, const struct tick *t)
{
	fprintf(f, "{\"seq\":%" PRIu64 ",\"publisher_id\":%" PRIu32,
	    h->seq, h->publisher_id);
	put_str(f, "kind", tick_kind_name(t->kind));
	put_i64(f, "ts_ns", t->ts_ns);
	put_i64(f, "recv_ns", t->recv_ns);
	put_str(f, "symbol", t->symbol);
	put_str(f, "asset_class", asset_class_name(t->asset_class));
	put_str(f, "source", source_name(t->source));
	put_kind_fields(f, t);
	if (t->flags != 0)
		put_i64(f, "flags", t->flags);
	fputs("}\n", f);
}

void
print_stat(FILE *f, const struct bus_header *h, const struct bus_stat *s)
{
	fprintf(f, "{\"seq\":%" PRIu64 ",\"publisher_id\":%" PRIu32
	    ",\"kind\":\"stat\"", h->seq, h->publisher_id);
	put_str(f, "process", s->process);
	put_str(f, "key", s->key);
	put_i64(f, "value", s->value);
	fputs("}\n", f);
}

void
print_gap(FILE *f, const struct bus_header *h, const struct bus_gap_event *ev)
{
	fprintf(f, "{\"gap\":{\"publisher_id\":%" PRIu32 ",\"bus_kind\":\"%s\","
	    "\"expected_seq\":%" PRIu64 ",\"seq\":%" PRIu64 ","
	    "\"missed_messages\":%" PRIu64 ",\"missed_records\":%" PRIu64
	    "}}\n", h->publisher_id, bus_kind_name(h->kind), ev->expected_seq,
	    h->seq, ev->missed_messages, ev->missed_records);
}

void
print_bad(FILE *f, enum bus_status st, uint64_t count)
{
	fprintf(f, "{\"bad_message\":{\"reason\":\"%s\",\"total\":%" PRIu64
	    "}}\n", bus_status_str(st), count);
}
