/*
 * The /live protocol's pure parts (live_proto.h, docs/live.md). jansson
 * reads the clients' small control messages; what the server sends is
 * written by hand, because it is the hot path (every bar to every client)
 * and its numbers must read back exactly.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "live_proto.h"

void
live_buf_init(struct live_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void
live_buf_free(struct live_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

void
live_buf_reset(struct live_buf *b)
{
	b->len = 0;
	b->oom = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
}

/* Room for n more bytes and a NUL. */
static int
buf_room(struct live_buf *b, size_t n)
{
	size_t cap;
	char *p;

	if (b->oom)
		return -1;
	if (b->len + n + 1 <= b->cap)
		return 0;
	cap = b->cap == 0 ? 512 : b->cap;
	while (cap < b->len + n + 1)
		cap *= 2;
	if ((p = realloc(b->p, cap)) == NULL) {
		b->oom = 1;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

void
live_buf_raw(struct live_buf *b, const char *s, size_t n)
{
	if (buf_room(b, n) == -1)
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
live_buf_puts(struct live_buf *b, const char *s)
{
	live_buf_raw(b, s, strlen(s));
}

void
live_buf_printf(struct live_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_room(b, (size_t)n) == -1)
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* Length of the valid UTF-8 sequence at s, or 0 if it is not one. */
static size_t
utf8_len(const unsigned char *s)
{
	unsigned c = s[0];
	size_t n, i;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates, beyond U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

void
live_buf_str(struct live_buf *b, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	live_buf_raw(b, "\"", 1);
	while (*s != '\0') {
		if (*s == '"' || *s == '\\') {
			live_buf_raw(b, "\\", 1);
			live_buf_raw(b, (const char *)s, 1);
			s++;
		} else if (*s < 0x20 || *s == 0x7f) {
			live_buf_printf(b, "\\u%04x", *s);
			s++;
		} else if ((n = utf8_len(s)) == 0) {
			live_buf_puts(b, "\\ufffd");
			s++;
		} else {
			live_buf_raw(b, (const char *)s, n);
			s += n;
		}
	}
	live_buf_raw(b, "\"", 1);
}

void
live_buf_key(struct live_buf *b, const char *key)
{
	char last = b->len > 0 ? b->p[b->len - 1] : '\0';

	if (last != '{' && last != '[' && last != '\0')
		live_buf_raw(b, ",", 1);
	live_buf_str(b, key);
	live_buf_raw(b, ":", 1);
}

void
live_buf_i64(struct live_buf *b, int64_t v)
{
	live_buf_printf(b, "%lld", (long long)v);
}

void
live_buf_double(struct live_buf *b, double v)
{
	char text[40];
	int prec;

	if (!isfinite(v)) {
		live_buf_puts(b, "null");
		return;
	}
	/*
	 * %.15g is shortest whenever the shortest round trip has at most 15
	 * digits (a double holds 15.95): prices and sizes almost always.
	 */
	for (prec = 15; prec <= 17; prec++) {
		snprintf(text, sizeof(text), "%.*g", prec, v);
		if (strtod(text, NULL) == v)
			break;
	}
	live_buf_puts(b, text);
}

void
live_buf_price(struct live_buf *b, int64_t fixed, int present)
{
	if (!present) {
		live_buf_puts(b, "null");
		return;
	}
	live_buf_double(b, (double)fixed / (double)PRICE_SCALE);
}

static void
set_reason(char *reason, size_t len, const char *text)
{
	snprintf(reason, len, "%s", text);
}

static int
symbol_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n >= TICK_SYMBOL_LEN)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '-' ||
		    c == '_' || c == ':' || c == '/'))
			return 0;
	}
	return 1;
}

static int
cmp_symbol(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int
has_symbol(const struct live_watch *w, const char *s)
{
	int i;

	for (i = 0; i < w->n_symbols; i++)
		if (strcmp(w->symbols[i], s) == 0)
			return 1;
	return 0;
}

static int
parse_symbols(json_t *arr, struct live_watch *w, char *reason, size_t rlen)
{
	size_t i;
	json_t *v;
	const char *s;

	if (!json_is_array(arr)) {
		set_reason(reason, rlen, "symbols: missing or not an array");
		return -1;
	}
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v)) {
			set_reason(reason, rlen, "symbols: not a string");
			return -1;
		}
		s = json_string_value(v);
		if (strcmp(s, "*") == 0) {
			w->all = 1;
		} else if (!symbol_ok(s)) {
			set_reason(reason, rlen,
			    "symbols: 1 to 23 of A-Z a-z 0-9 . - _ : /");
			return -1;
		}
		if (has_symbol(w, s))
			continue;
		if (w->n_symbols == LIVE_MAX_SYMBOLS) {
			set_reason(reason, rlen, "symbols: at most 64");
			return -1;
		}
		/* "*" is kept in symbols[] for the answer, not in sorted[]. */
		snprintf(w->symbols[w->n_symbols++], TICK_SYMBOL_LEN, "%s", s);
	}
	if (w->n_symbols == 0) {
		set_reason(reason, rlen, "symbols: at least one");
		return -1;
	}
	return 0;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int
parse_intervals(json_t *arr, struct live_watch *w, char *reason,
    size_t rlen)
{
	size_t i;
	json_t *v;
	json_int_t iv;
	int j, dup;

	if (!json_is_array(arr)) {
		set_reason(reason, rlen, "intervals: missing or not an array");
		return -1;
	}
	json_array_foreach(arr, i, v) {
		iv = json_is_integer(v) ? json_integer_value(v) : 0;
		if (iv < 1 || iv > LIVE_MAX_INTERVAL_S) {
			set_reason(reason, rlen,
			    "intervals: integers 1..86400");
			return -1;
		}
		for (dup = 0, j = 0; j < w->n_intervals; j++)
			dup |= w->intervals[j] == (uint32_t)iv;
		if (dup)
			continue;
		if (w->n_intervals == LIVE_MAX_INTERVALS) {
			set_reason(reason, rlen, "intervals: at most 8");
			return -1;
		}
		w->intervals[w->n_intervals++] = (uint32_t)iv;
	}
	if (w->n_intervals == 0) {
		set_reason(reason, rlen, "intervals: at least one");
		return -1;
	}
	qsort(w->intervals, (size_t)w->n_intervals, sizeof(w->intervals[0]),
	    cmp_u32);
	return 0;
}

static int
parse_watch(json_t *root, struct live_watch *w, char *reason, size_t rlen)
{
	int i, n = 0;

	memset(w, 0, sizeof(*w));
	if (parse_symbols(json_object_get(root, "symbols"), w, reason,
	    rlen) == -1)
		return -1;
	if (parse_intervals(json_object_get(root, "intervals"), w, reason,
	    rlen) == -1)
		return -1;
	for (i = 0; i < w->n_symbols; i++)
		if (strcmp(w->symbols[i], "*") != 0)
			memcpy(w->sorted[n++], w->symbols[i], TICK_SYMBOL_LEN);
	qsort(w->sorted, (size_t)n, TICK_SYMBOL_LEN, cmp_symbol);
	return 0;
}

int
live_parse_request(const char *text, size_t len, struct live_request *req,
    char *reason, size_t reason_len)
{
	json_error_t err;
	json_t *root, *op;
	const char *name;
	int rc = -1;

	memset(req, 0, sizeof(*req));
	if (len > LIVE_MAX_MESSAGE) {
		set_reason(reason, reason_len,
		    "message longer than 4096 bytes");
		return -1;
	}
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
	if (root == NULL || !json_is_object(root)) {
		set_reason(reason, reason_len, "not a JSON object");
		goto done;
	}
	op = json_object_get(root, "op");
	if (!json_is_string(op)) {
		set_reason(reason, reason_len, "op: missing or not a string");
		goto done;
	}
	name = json_string_value(op);
	if (strcmp(name, "ping") == 0) {
		req->op = LIVE_OP_PING;
		rc = 0;
	} else if (strcmp(name, "watch") == 0) {
		if ((rc = parse_watch(root, &req->watch, reason,
		    reason_len)) == 0)
			req->op = LIVE_OP_WATCH;
	} else
		set_reason(reason, reason_len, "op: unknown");
done:
	json_decref(root);
	return rc;
}

static int
has_interval(const struct live_watch *w, uint32_t interval_s)
{
	int i;

	for (i = 0; i < w->n_intervals; i++)
		if (w->intervals[i] == interval_s)
			return 1;
	return 0;
}

static int
named(const struct live_watch *w, const char *symbol)
{
	int n = w->n_symbols - (w->all ? 1 : 0);

	if (n <= 0)
		return 0;
	return bsearch(symbol, w->sorted, (size_t)n, TICK_SYMBOL_LEN,
	    cmp_symbol) != NULL;
}

int
live_watch_bar(const struct live_watch *w, const char *symbol,
    uint32_t interval_s)
{
	if (w->n_intervals == 0)
		return 0;
	if (w->all && interval_s == w->intervals[w->n_intervals - 1])
		return 1;
	return has_interval(w, interval_s) && named(w, symbol);
}

int
live_watch_symbol(const struct live_watch *w, const char *symbol)
{
	if (w->n_intervals == 0)
		return 0;
	return w->all || named(w, symbol);
}

static void
key_i64(struct live_buf *b, const char *key, int64_t v)
{
	live_buf_key(b, key);
	live_buf_i64(b, v);
}

static void
key_double(struct live_buf *b, const char *key, double v)
{
	live_buf_key(b, key);
	live_buf_double(b, v);
}

static void
key_price(struct live_buf *b, const char *key, int64_t v, int present)
{
	live_buf_key(b, key);
	live_buf_price(b, v, present);
}

static void
key_str(struct live_buf *b, const char *key, const char *v)
{
	live_buf_key(b, key);
	live_buf_str(b, v);
}

/* Money and volume columns, as store/writer.c binds them. */
static void
bar_money(struct live_buf *b, const struct bar *r)
{
	int has_price = (r->flags & BAR_F_NO_PRICE) == 0;
	int has_spread = (r->flags & BAR_F_NO_SPREAD) == 0;

	key_price(b, "open", r->open, has_price);
	key_price(b, "high", r->high, has_price);
	key_price(b, "low", r->low, has_price);
	key_price(b, "close", r->close, has_price);
	key_double(b, "volume", r->volume);
	key_price(b, "vwap", r->vwap, r->volume > 0);
	key_i64(b, "trades", r->trades);
	key_double(b, "buy_volume", r->buy_volume);
	key_double(b, "sell_volume", r->sell_volume);
	key_i64(b, "buy_trades", r->buy_trades);
	key_i64(b, "sell_trades", r->sell_trades);
	key_i64(b, "quotes", r->quotes);
	key_price(b, "spread_mean", r->spread_mean, has_spread);
	key_price(b, "spread_min", r->spread_min, has_spread);
	key_price(b, "spread_max", r->spread_max, has_spread);
	live_buf_key(b, "spread_bps");
	if (has_spread)
		live_buf_double(b, r->spread_bps);
	else
		live_buf_puts(b, "null");
	key_double(b, "delta_min", r->delta_min);
	key_double(b, "delta_max", r->delta_max);
}

void
live_encode_bar(struct live_buf *b, const struct bar *r)
{
	live_buf_puts(b, "{");
	key_str(b, "type", "bar");
	key_str(b, "state", bar_state_name(r->state));
	key_str(b, "symbol", r->symbol);
	key_i64(b, "interval_s", r->interval_s);
	key_i64(b, "start_ms", r->start_ms);
	bar_money(b, r);
	key_i64(b, "n_declared", r->n_declared);
	key_i64(b, "n_inferred", r->n_inferred);
	key_i64(b, "n_unknown", r->n_unknown);
	key_i64(b, "n_compared", r->n_compared);
	key_i64(b, "n_agree", r->n_agree);
	key_i64(b, "n_unknown_conditions", r->n_unknown_conditions);
	key_i64(b, "gap", (r->flags & BAR_F_GAP) != 0);
	key_i64(b, "late", (r->flags & BAR_F_LATE) != 0);
	key_i64(b, "revision", r->revision);
	key_i64(b, "flags", r->flags);
	key_str(b, "source", source_name(r->source));
	key_str(b, "asset_class", asset_class_name(r->asset_class));
	key_i64(b, "first_ts_ns", r->first_ts_ns);
	key_i64(b, "last_ts_ns", r->last_ts_ns);
	/* The store's updated_ms: truncated, as it binds updated_ns / 1e6. */
	key_i64(b, "updated_ms", r->updated_ns / 1000000);
	live_buf_puts(b, "}");
}

void
live_encode_anomaly(struct live_buf *b, const struct anomaly *a)
{
	live_buf_puts(b, "{");
	key_str(b, "type", "anomaly");
	key_str(b, "symbol", a->symbol);
	key_i64(b, "interval_s", a->interval_s);
	key_i64(b, "start_ms", a->start_ms);
	key_str(b, "kind", anomaly_kind_name(a->kind));
	key_double(b, "score", a->score);
	key_double(b, "value", a->value);
	key_double(b, "threshold", a->threshold);
	key_i64(b, "ts_ns", a->ts_ns);
	key_i64(b, "exchange", a->exchange);
	key_str(b, "source", source_name(a->source));
	key_str(b, "asset_class", asset_class_name(a->asset_class));
	live_buf_puts(b, "}");
}

void
live_encode_hello(struct live_buf *b, const char *user, const char *role,
    int64_t expires_ms, const char *mode, int64_t now_ms)
{
	live_buf_puts(b, "{");
	key_str(b, "type", "hello");
	key_str(b, "user", user);
	key_str(b, "role", role);
	key_i64(b, "expires_ms", expires_ms);
	key_str(b, "mode", mode);
	key_i64(b, "server_ms", now_ms);
	key_i64(b, "max_symbols", LIVE_MAX_SYMBOLS);
	key_i64(b, "max_intervals", LIVE_MAX_INTERVALS);
	key_i64(b, "max_message", LIVE_MAX_MESSAGE);
	live_buf_puts(b, "}");
}

void
live_encode_watching(struct live_buf *b, const struct live_watch *w)
{
	int i;

	live_buf_puts(b, "{");
	key_str(b, "type", "watching");
	live_buf_key(b, "symbols");
	live_buf_puts(b, "[");
	for (i = 0; i < w->n_symbols; i++) {
		if (i > 0)
			live_buf_puts(b, ",");
		live_buf_str(b, w->symbols[i]);
	}
	live_buf_puts(b, "]");
	live_buf_key(b, "intervals");
	live_buf_puts(b, "[");
	for (i = 0; i < w->n_intervals; i++) {
		if (i > 0)
			live_buf_puts(b, ",");
		live_buf_i64(b, w->intervals[i]);
	}
	live_buf_puts(b, "]}");
}

void
live_encode_pong(struct live_buf *b, int64_t now_ms)
{
	live_buf_puts(b, "{");
	key_str(b, "type", "pong");
	key_i64(b, "server_ms", now_ms);
	live_buf_puts(b, "}");
}

void
live_encode_error(struct live_buf *b, const char *reason)
{
	live_buf_puts(b, "{");
	key_str(b, "type", "error");
	key_str(b, "reason", reason);
	live_buf_puts(b, "}");
}

void
live_encode_session(struct live_buf *b, int64_t expires_ms)
{
	live_buf_puts(b, "{");
	key_str(b, "type", "session");
	key_i64(b, "expires_ms", expires_ms);
	live_buf_puts(b, "}");
}
