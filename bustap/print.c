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

static void
put_head(FILE *f, const struct bus_header *h, const char *kind)
{
	fprintf(f, "{\"seq\":%" PRIu64 ",\"publisher_id\":%" PRIu32,
	    h->seq, h->publisher_id);
	put_str(f, "kind", kind);
}

void
print_bar(FILE *f, const struct bus_header *h, const struct bar *b)
{
	put_head(f, h, "bar");
	put_str(f, "state", bar_state_name(b->state));
	put_str(f, "symbol", b->symbol);
	put_str(f, "source", source_name(b->source));
	put_str(f, "asset_class", asset_class_name(b->asset_class));
	put_i64(f, "interval_s", b->interval_s);
	put_i64(f, "start_ms", b->start_ms);
	put_i64(f, "revision", b->revision);
	put_i64(f, "flags", b->flags);
	put_price(f, "open", b->open);
	put_price(f, "high", b->high);
	put_price(f, "low", b->low);
	put_price(f, "close", b->close);
	put_price(f, "vwap", b->vwap);
	put_double(f, "volume", b->volume);
	put_double(f, "buy_volume", b->buy_volume);
	put_double(f, "sell_volume", b->sell_volume);
	put_i64(f, "trades", b->trades);
	put_i64(f, "buy_trades", b->buy_trades);
	put_i64(f, "sell_trades", b->sell_trades);
	put_i64(f, "quotes", b->quotes);
	put_price(f, "spread_mean", b->spread_mean);
	put_price(f, "spread_min", b->spread_min);
	put_price(f, "spread_max", b->spread_max);
	put_double(f, "spread_bps", b->spread_bps);
	put_double(f, "delta_min", b->delta_min);
	put_double(f, "delta_max", b->delta_max);
	put_i64(f, "n_declared", b->n_declared);
	put_i64(f, "n_inferred", b->n_inferred);
	put_i64(f, "n_unknown", b->n_unknown);
	put_i64(f, "n_compared", b->n_compared);
	put_i64(f, "n_agree", b->n_agree);
	put_i64(f, "n_unknown_conditions", b->n_unknown_conditions);
	put_i64(f, "first_ts_ns", b->first_ts_ns);
	put_i64(f, "last_ts_ns", b->last_ts_ns);
	put_i64(f, "updated_ns", b->updated_ns);
	fputs("}\n", f);
}

void
print_anomaly(FILE *f, const struct bus_header *h, const struct anomaly *a)
{
	put_head(f, h, "anomaly");
	put_str(f, "anomaly", anomaly_kind_name(a->kind));
	put_str(f, "symbol", a->symbol);
	put_str(f, "source", source_name(a->source));
	put_str(f, "asset_class", asset_class_name(a->asset_class));
	put_i64(f, "interval_s", a->interval_s);
	put_i64(f, "start_ms", a->start_ms);
	put_double(f, "score", a->score);
	put_double(f, "value", a->value);
	put_double(f, "threshold", a->threshold);
	put_i64(f, "ts_ns", a->ts_ns);
	put_i64(f, "exchange", a->exchange);
	fputs("}\n", f);
}

void
print_side_check(FILE *f, const struct bus_header *h,
    const struct side_check *c)
{
	put_head(f, h, "side_check");
	put_str(f, "symbol", c->symbol);
	put_str(f, "source", source_name(c->source));
	put_i64(f, "exchange", c->exchange);
	put_i64(f, "trades", (int64_t)c->trades);
	put_i64(f, "declared_buy", (int64_t)c->declared_buy);
	put_i64(f, "declared_sell", (int64_t)c->declared_sell);
	put_i64(f, "compared", (int64_t)c->compared);
	put_i64(f, "agree", (int64_t)c->agree);
	put_i64(f, "at_bid", (int64_t)c->at_bid);
	put_i64(f, "at_ask", (int64_t)c->at_ask);
	put_i64(f, "inside", (int64_t)c->inside);
	put_i64(f, "inverted", c->inverted);
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
