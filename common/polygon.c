/*
 * Polygon/Massive WebSocket frames to ticks (polygon.h, feeds.md §1-§3):
 * the hot path of both collectors. No I/O, no clock, no logging. The only
 * allocation is the token array, grown when a frame needs more tokens than
 * any frame before it, up to what POLYGON_MAX_FRAME can need.
 *
 * A frame takes two passes over memory that stays in cache:
 *  1. jsontok.c checks it is strict JSON (RFC 8259) and tokenizes it in
 *     one pass; a frame yields all of its events or none, so the whole
 *     text is checked before the first tick goes out;
 *  2. each array element is mapped to a tick, driven by one table per
 *     event type (the field lists of feeds.md §2), and handed over.
 *
 * Decisions the spec leaves open:
 *  - A number field may be a JSON number or a string holding one
 *    ("p":"161.87"), without spaces or escapes.
 *  - An optional field that is null counts as absent (Polygon omits
 *    optional fields, feeds.md §1; Go's client ignores null). A required
 *    field that is null has the wrong type.
 *  - Symbols are 1 to 23 bytes of ASCII '!' to '~' and trade ids printable
 *    ASCII, after decoding the escapes that stay in that range (\" \\ \/
 *    \u0041); anything else is FEED_BAD_VALUE. Keys, "ev" and "status" are
 *    decoded the same way when they hold a backslash; status messages are
 *    passed raw, as feed.h says.
 *  - A stock trade's size is "ds" (the fractional size string the Python
 *    client has parsed since 2026-02) when present, else "s"; "s" is still
 *    required. Bars' fractional "dv" is ignored: its meaning differs
 *    between clusters (feeds.md §2).
 *  - Prices of trades and bars, vwap included, must be > 0; bids and asks
 *    >= 0 (an empty side). A bar must end after it starts. High >= low is
 *    not checked: Polygon's vw can lie outside [l, h] (feeds.md §3.2).
 *  - A crypto trade's side comes from all of its conditions, also those
 *    beyond the eight a tick keeps.
 *  - When two fields fail, the first in the event's table is reported.
 *  - A key that appears twice: the last one counts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fixed.h"
#include "jsontok.h"
#include "polygon.h"

#define TOKENS_INITIAL	4096		/* ~200 events: most frames */
#define SYMBOL_MAX	(TICK_SYMBOL_LEN - 1)
#define TRADE_ID_MAX	(TICK_TRADE_ID_LEN - 1)
#define NAME_MAX_LEN	24		/* longest key, "ev" or status known */

/* The fields the event tables use, named after their keys. */
enum field {
	F_EV, F_SYM, F_PAIR, F_STATUS, F_MESSAGE,
	F_P, F_S, F_DS, F_T, F_X, F_I, F_Z, F_C,
	F_BX, F_BP, F_BS, F_AX, F_AP, F_AS,
	F_O, F_H, F_L, F_V, F_VW, F_E,
	F_MAX
};

/* What a field must hold and how it lands in the tick. */
enum value {
	V_SYMBOL,	/* 1..23 bytes of ASCII '!'..'~' */
	V_PRICE,	/* fixed point > 0 */
	V_BIDASK,	/* fixed point >= 0 */
	V_SIZE,		/* finite double >= 0 */
	V_MS,		/* Unix ms > 0, stored as ns */
	V_EXCHANGE,	/* 0..UINT32_MAX */
	V_TAPE,		/* 0..255 */
	V_TRADE_ID,	/* string or number; > 39 bytes truncated */
	V_CONDITIONS,	/* array of 0..65535; > 8 truncated */
	V_SIDE,		/* V_CONDITIONS, and the crypto side (polygon.h) */
	V_CONDITION	/* one scalar 0..65535 */
};

enum need {
	OPTIONAL,
	REQUIRED
};

struct row {
	uint8_t		 field;		/* enum field */
	uint8_t		 value;		/* enum value */
	uint8_t		 need;		/* enum need */
	uint16_t	 off;		/* where in struct tick */
};

#define AT(m)	offsetof(struct tick, m)

/* feeds.md §2, in the order the fields are checked. */
static const struct row stock_trade[] = {
	{ F_SYM, V_SYMBOL, REQUIRED, AT(symbol) },
	{ F_P, V_PRICE, REQUIRED, AT(price) },
	{ F_S, V_SIZE, REQUIRED, AT(size) },
	{ F_T, V_MS, REQUIRED, AT(ts_ns) },
	{ F_DS, V_SIZE, OPTIONAL, AT(size) },	/* overrides "s" */
	{ F_X, V_EXCHANGE, OPTIONAL, AT(exchange) },
	{ F_I, V_TRADE_ID, OPTIONAL, AT(trade_id) },
	{ F_Z, V_TAPE, OPTIONAL, AT(tape) },
	{ F_C, V_CONDITIONS, OPTIONAL, AT(conditions) },
};

/* "c" is one scalar here; "i" (indicators) can exceed 255: ignored. */
static const struct row stock_quote[] = {
	{ F_SYM, V_SYMBOL, REQUIRED, AT(symbol) },
	{ F_BP, V_BIDASK, REQUIRED, AT(bid) },
	{ F_BS, V_SIZE, REQUIRED, AT(bid_size) },
	{ F_AP, V_BIDASK, REQUIRED, AT(ask) },
	{ F_AS, V_SIZE, REQUIRED, AT(ask_size) },
	{ F_T, V_MS, REQUIRED, AT(ts_ns) },
	{ F_BX, V_EXCHANGE, OPTIONAL, AT(exchange) },
	{ F_AX, V_EXCHANGE, OPTIONAL, AT(ask_exchange) },
	{ F_Z, V_TAPE, OPTIONAL, AT(tape) },
	{ F_C, V_CONDITION, OPTIONAL, AT(conditions) },
};

/* "z" is the average trade size here, not the tape: ignored. */
static const struct row stock_bar[] = {
	{ F_SYM, V_SYMBOL, REQUIRED, AT(symbol) },
	{ F_O, V_PRICE, REQUIRED, AT(open) },
	{ F_H, V_PRICE, REQUIRED, AT(high) },
	{ F_L, V_PRICE, REQUIRED, AT(low) },
	{ F_C, V_PRICE, REQUIRED, AT(close) },
	{ F_V, V_SIZE, REQUIRED, AT(volume) },
	{ F_S, V_MS, REQUIRED, AT(ts_ns) },
	{ F_E, V_MS, REQUIRED, AT(end_ns) },
	{ F_VW, V_PRICE, OPTIONAL, AT(vwap) },
};

static const struct row crypto_trade[] = {
	{ F_PAIR, V_SYMBOL, REQUIRED, AT(symbol) },
	{ F_P, V_PRICE, REQUIRED, AT(price) },
	{ F_S, V_SIZE, REQUIRED, AT(size) },
	{ F_T, V_MS, REQUIRED, AT(ts_ns) },
	{ F_X, V_EXCHANGE, OPTIONAL, AT(exchange) },
	{ F_I, V_TRADE_ID, OPTIONAL, AT(trade_id) },
	{ F_C, V_SIDE, OPTIONAL, AT(conditions) },
};

/* A crypto quote is one venue's: "x" is both the bid and the ask venue. */
static const struct row crypto_quote[] = {
	{ F_PAIR, V_SYMBOL, REQUIRED, AT(symbol) },
	{ F_BP, V_BIDASK, REQUIRED, AT(bid) },
	{ F_BS, V_SIZE, REQUIRED, AT(bid_size) },
	{ F_AP, V_BIDASK, REQUIRED, AT(ask) },
	{ F_AS, V_SIZE, REQUIRED, AT(ask_size) },
	{ F_T, V_MS, REQUIRED, AT(ts_ns) },
	{ F_X, V_EXCHANGE, OPTIONAL, AT(exchange) },
	{ F_X, V_EXCHANGE, OPTIONAL, AT(ask_exchange) },
};

static const struct row crypto_bar[] = {
	{ F_PAIR, V_SYMBOL, REQUIRED, AT(symbol) },
	{ F_O, V_PRICE, REQUIRED, AT(open) },
	{ F_H, V_PRICE, REQUIRED, AT(high) },
	{ F_L, V_PRICE, REQUIRED, AT(low) },
	{ F_C, V_PRICE, REQUIRED, AT(close) },
	{ F_V, V_SIZE, REQUIRED, AT(volume) },
	{ F_S, V_MS, REQUIRED, AT(ts_ns) },
	{ F_E, V_MS, REQUIRED, AT(end_ns) },
	{ F_VW, V_PRICE, OPTIONAL, AT(vwap) },
};

struct event_type {
	const struct row	*rows;
	size_t			 n_rows;
	uint8_t			 kind;		/* enum tick_kind */
};

#define EVENT(rows, kind)	{ rows, sizeof(rows) / sizeof(rows[0]), kind }

static const struct event_type stock_types[] = {
	EVENT(stock_trade, TICK_TRADE),
	EVENT(stock_quote, TICK_QUOTE),
	EVENT(stock_bar, TICK_FEED_BAR),
};

static const struct event_type crypto_types[] = {
	EVENT(crypto_trade, TICK_TRADE),
	EVENT(crypto_quote, TICK_QUOTE),
	EVENT(crypto_bar, TICK_FEED_BAR),
};

#define STATUS(name, st)	{ name, sizeof(name) - 1, st }

/* feeds.md §1: "connected" on live servers, "success" in the spec. */
static const struct {
	const char		*name;
	size_t			 len;
	enum feed_server_status	 status;
} status_names[] = {
	STATUS("connected", FSS_CONNECTED),
	STATUS("success", FSS_SUCCESS),
	STATUS("auth_success", FSS_AUTH_SUCCESS),
	STATUS("auth_failed", FSS_AUTH_FAILED),
	STATUS("auth_timeout", FSS_AUTH_TIMEOUT),
	STATUS("auth_required", FSS_AUTH_REQUIRED),
	STATUS("error", FSS_ERROR),
	STATUS("max_connections", FSS_MAX_CONNECTIONS),
	STATUS("force_disconnect", FSS_FORCE_DISCONNECT),
	STATUS("slow_consumer", FSS_SLOW_CONSUMER),
};

/* A tokenized frame. */
struct frame {
	const char		*js;
	const struct jt		*tok;
	int			 n;
};

/* One object's fields: the token of each field's value, 0 when absent. */
struct event {
	const struct frame	*f;
	int			 at[F_MAX];
};

/* ---- tokens ---- */

/*
 * Valid JSON needs at most one token per two bytes (each container takes
 * two, each other token one plus a separator), so a frame that runs out
 * of that many is not JSON.
 */
static int
tokens_grow(struct polygon_parser *pp, size_t len)
{
	size_t bound = len / 2 + 1, want = (size_t)pp->n_tokens * 2;
	void *p;

	if (pp->n_tokens >= bound)
		return 1;
	if (want > bound)
		want = bound;
	if ((p = realloc(pp->tokens, want * sizeof(struct jt))) == NULL)
		return -1;
	pp->tokens = p;
	pp->n_tokens = (unsigned)want;
	return 0;
}

static enum feed_parse
frame_tokenize(struct polygon_parser *pp, const char *js, size_t len,
    struct frame *f)
{
	enum jt_status r;
	unsigned n;
	int grown;

	if (len > POLYGON_MAX_FRAME)
		return FEED_TOO_LARGE;
	while ((r = jsontok_parse(js, len, pp->tokens, pp->n_tokens, &n)) ==
	    JT_NOMEM) {
		if ((grown = tokens_grow(pp, len)) == -1)
			return FEED_TOO_LARGE;	/* no memory to hold it */
		if (grown == 1)
			return FEED_BAD_JSON;	/* beyond what JSON can need */
	}
	if (r != JT_OK)
		return FEED_BAD_JSON;
	f->js = js;
	f->tok = pp->tokens;
	f->n = (int)n;
	return FEED_OK;
}

/* ---- values ---- */

/* The index of the token after token i and everything inside it. */
static int
tok_next(const struct frame *f, int i)
{
	return f->tok[i].next;
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The escape at s[0] == '\\' as one byte in [lo, '~'], or -1. */
static int
unescape(const char *s, const char *end, int lo, int *used)
{
	int c = -1, i, h;

	*used = 2;
	if (end - s >= 2 && (s[1] == '"' || s[1] == '\\' || s[1] == '/'))
		c = s[1];
	else if (end - s >= 6 && s[1] == 'u') {
		*used = 6;
		c = 0;
		for (i = 2; i < 6; i++) {
			h = hex_value(s[i]);
			if (h < 0)
				return -1;
			c = c << 4 | h;
		}
	}
	return c >= lo && c <= '~' ? c : -1;
}

/*
 * Copies a JSON string's content as ASCII in [lo, '~'], decoding the
 * escapes that stay in that range, into dst (cap bytes, NUL-terminated,
 * the rest cut off). Returns the decoded length, cut or not, or -1 when a
 * character is out of range.
 */
static int
ascii_copy(char *dst, size_t cap, const struct jt *t, const char *js,
    int lo)
{
	const char *s = js + t->start, *end = js + t->end;
	size_t n = 0;
	int c, used;

	while (s < end) {
		if (*s == '\\') {
			if ((c = unescape(s, end, lo, &used)) < 0)
				return -1;
			s += used;
		} else if ((c = (unsigned char)*s++) < lo || c > '~')
			return -1;
		if (n + 1 < cap)
			dst[n] = (char)c;
		n++;
	}
	dst[n + 1 < cap ? n : cap - 1] = '\0';
	return (int)n;
}

/*
 * A string's text for matching names: raw when it has no escape, else
 * decoded into buf. NULL when it cannot be a name we know.
 */
static const char *
name_text(const struct frame *f, const struct jt *t, char *buf, size_t *len)
{
	const char *s = f->js + t->start;
	int n;

	*len = (size_t)(t->end - t->start);
	if (!t->escaped)
		return s;
	n = ascii_copy(buf, NAME_MAX_LEN + 1, t, f->js, ' ');
	if (n < 0 || n > NAME_MAX_LEN)
		return NULL;
	*len = (size_t)n;
	return buf;
}

#define K2(a, b)	((unsigned char)(a) << 8 | (unsigned char)(b))

/* A key's field, F_MAX for the keys no table uses. */
static int
key_field_raw(const char *k, size_t len)
{
	switch (len) {
	case 1:
		switch (k[0]) {
		case 'c': return F_C;
		case 'e': return F_E;
		case 'h': return F_H;
		case 'i': return F_I;
		case 'l': return F_L;
		case 'o': return F_O;
		case 'p': return F_P;
		case 's': return F_S;
		case 't': return F_T;
		case 'v': return F_V;
		case 'x': return F_X;
		case 'z': return F_Z;
		}
		break;
	case 2:
		switch (K2(k[0], k[1])) {
		case K2('e', 'v'): return F_EV;
		case K2('a', 'p'): return F_AP;
		case K2('a', 's'): return F_AS;
		case K2('a', 'x'): return F_AX;
		case K2('b', 'p'): return F_BP;
		case K2('b', 's'): return F_BS;
		case K2('b', 'x'): return F_BX;
		case K2('d', 's'): return F_DS;
		case K2('v', 'w'): return F_VW;
		}
		break;
	case 3:
		return memcmp(k, "sym", 3) == 0 ? F_SYM : F_MAX;
	case 4:
		return memcmp(k, "pair", 4) == 0 ? F_PAIR : F_MAX;
	case 6:
		return memcmp(k, "status", 6) == 0 ? F_STATUS : F_MAX;
	case 7:
		return memcmp(k, "message", 7) == 0 ? F_MESSAGE : F_MAX;
	}
	return F_MAX;
}

static int
key_field(const struct frame *f, const struct jt *t)
{
	char buf[NAME_MAX_LEN + 1];
	const char *s;
	size_t len;
	int fld;

	len = (size_t)(t->end - t->start);
	fld = key_field_raw(f->js + t->start, len);
	if (fld != F_MAX || len < 2 || !t->escaped)
		return fld;
	/* Rare: a key spelled with escapes ("\u0070" is "p"). */
	if ((s = name_text(f, t, buf, &len)) == NULL)
		return F_MAX;
	return key_field_raw(s, len);
}

/* Records the object's fields; returns the token after the object. */
static int
event_fields(const struct frame *f, int obj, struct event *e)
{
	int m, key, fld;

	memset(e->at, 0, sizeof(e->at));
	e->f = f;
	key = obj + 1;
	for (m = 0; m < f->tok[obj].size; m++) {
		fld = key_field(f, &f->tok[key]);
		if (fld != F_MAX)
			e->at[fld] = key + 1;
		key = tok_next(f, key + 1);
	}
	return key;
}

static int
is_null(const struct jt *t)
{
	return t->type == JT_NULL;
}

/* The field's token; NULL when absent, or null and optional. */
static enum feed_parse
field_tok(const struct event *e, int fld, int need, const struct jt **t)
{
	*t = NULL;
	if (e->at[fld] == 0)
		return need == REQUIRED ? FEED_MISSING_FIELD : FEED_OK;
	*t = &e->f->tok[e->at[fld]];
	if (need == OPTIONAL && is_null(*t))
		*t = NULL;
	return FEED_OK;
}

/* A number's text: a JSON number, or a string that parses as one. */
static enum feed_parse
number_text(const struct frame *f, const struct jt *t, const char **s,
    size_t *len)
{
	if (t->type != JT_NUMBER && t->type != JT_STRING)
		return FEED_BAD_TYPE;
	*s = f->js + t->start;
	*len = (size_t)(t->end - t->start);
	return FEED_OK;
}

static enum feed_parse
get_fixed(const struct frame *f, const struct jt *t, int64_t min,
    int64_t *out)
{
	enum feed_parse st;
	const char *s;
	size_t len;

	if ((st = number_text(f, t, &s, &len)) != FEED_OK)
		return st;
	if (fixed_parse(s, len, out) == -1 || *out < min)
		return FEED_BAD_VALUE;
	return FEED_OK;
}

static enum feed_parse
get_size(const struct frame *f, const struct jt *t, double *out)
{
	enum feed_parse st;
	const char *s;
	size_t len;

	if ((st = number_text(f, t, &s, &len)) != FEED_OK)
		return st;
	if (num_parse_double(s, len, out) == -1 || !(*out >= 0))
		return FEED_BAD_VALUE;
	*out += 0.0;		/* -0 is 0 */
	return FEED_OK;
}

static enum feed_parse
get_int(const struct frame *f, const struct jt *t, int64_t lo, int64_t hi,
    int64_t *out)
{
	enum feed_parse st;
	const char *s;
	size_t len;

	if ((st = number_text(f, t, &s, &len)) != FEED_OK)
		return st;
	if (num_parse_int64(s, len, out) == -1 || *out < lo || *out > hi)
		return FEED_BAD_VALUE;
	return FEED_OK;
}

static enum feed_parse
get_symbol(const struct frame *f, const struct jt *t, char *dst)
{
	int n;

	if (t->type != JT_STRING)
		return FEED_BAD_TYPE;
	n = ascii_copy(dst, TICK_SYMBOL_LEN, t, f->js, '!');
	if (n < 1 || n > SYMBOL_MAX)
		return FEED_BAD_VALUE;
	return FEED_OK;
}

/* A trade id is a string, or a number kept as its text. */
static enum feed_parse
get_trade_id(const struct frame *f, const struct jt *t, struct tick *tk)
{
	const char *s;
	size_t len;
	int n;

	if (t->type == JT_STRING) {
		n = ascii_copy(tk->trade_id, TICK_TRADE_ID_LEN, t, f->js, ' ');
		if (n < 0)
			return FEED_BAD_VALUE;
		len = (size_t)n;
	} else if (number_text(f, t, &s, &len) == FEED_OK) {
		/* The rest of the tick is zero: this stays NUL-terminated. */
		memcpy(tk->trade_id, s,
		    len > TRADE_ID_MAX ? TRADE_ID_MAX : len);
	} else
		return FEED_BAD_TYPE;
	if (len > TRADE_ID_MAX)
		tk->flags |= TICK_F_TRADE_ID_TRUNCATED;
	return FEED_OK;
}

static enum feed_parse
get_condition(const struct frame *f, const struct jt *t, uint16_t *out)
{
	enum feed_parse st;
	int64_t v;

	if ((st = get_int(f, t, 0, UINT16_MAX, &v)) != FEED_OK)
		return st;
	*out = (uint16_t)v;
	return FEED_OK;
}

/*
 * All codes are checked, the first eight kept. The crypto side comes from
 * all of them: 1 alone is a sell, 2 alone a buy (polygon.h).
 */
static enum feed_parse
get_conditions(const struct frame *f, const struct jt *a, struct tick *tk,
    int with_side)
{
	enum feed_parse st;
	uint16_t code;
	int j, has_sell = 0, has_buy = 0;

	if (a->type != JT_ARRAY)
		return FEED_BAD_TYPE;
	/* Elements are consecutive tokens as long as each is a scalar. */
	for (j = 0; j < a->size; j++) {
		if ((st = get_condition(f, a + 1 + j, &code)) != FEED_OK)
			return st;
		has_sell |= code == 1;
		has_buy |= code == 2;
		if (j < TICK_MAX_CONDITIONS)
			tk->conditions[j] = code;
	}
	tk->n_conditions = (uint8_t)(a->size < TICK_MAX_CONDITIONS ?
	    a->size : TICK_MAX_CONDITIONS);
	if (a->size > TICK_MAX_CONDITIONS)
		tk->flags |= TICK_F_CONDITIONS_TRUNCATED;
	if (with_side && has_sell != has_buy)
		tk->side = has_sell ? SIDE_SELL : SIDE_BUY;
	return FEED_OK;
}

/* Unix ms to ns, which must fit an int64 (until 2262). */
static enum feed_parse
get_ms(const struct frame *f, const struct jt *t, int64_t *ns)
{
	enum feed_parse st;
	int64_t ms;

	if ((st = get_int(f, t, 1, INT64_MAX / NS_PER_MS, &ms)) != FEED_OK)
		return st;
	*ns = ms * NS_PER_MS;
	return FEED_OK;
}

static enum feed_parse
row_apply(const struct frame *f, const struct row *r, const struct jt *t,
    struct tick *tk)
{
	char *p = (char *)tk + r->off;
	enum feed_parse st;
	int64_t v;

	switch (r->value) {
	case V_SYMBOL:
		return get_symbol(f, t, p);
	case V_PRICE:
		return get_fixed(f, t, 1, (int64_t *)(void *)p);
	case V_BIDASK:
		return get_fixed(f, t, 0, (int64_t *)(void *)p);
	case V_SIZE:
		return get_size(f, t, (double *)(void *)p);
	case V_MS:
		return get_ms(f, t, (int64_t *)(void *)p);
	case V_TRADE_ID:
		return get_trade_id(f, t, tk);
	case V_CONDITIONS:
	case V_SIDE:
		return get_conditions(f, t, tk, r->value == V_SIDE);
	case V_CONDITION:
		tk->n_conditions = 1;
		return get_condition(f, t, &tk->conditions[0]);
	}
	/* V_EXCHANGE, V_TAPE */
	st = get_int(f, t, 0, r->value == V_TAPE ? UINT8_MAX : UINT32_MAX, &v);
	if (st == FEED_OK && r->value == V_TAPE)
		*(uint8_t *)p = (uint8_t)v;
	else if (st == FEED_OK)
		*(uint32_t *)(void *)p = (uint32_t)v;
	return st;
}

static enum feed_parse
event_build(const struct event *e, const struct event_type *et,
    struct tick *tk)
{
	const struct jt *t;
	enum feed_parse st;
	size_t i;

	tk->kind = et->kind;
	for (i = 0; i < et->n_rows; i++) {
		st = field_tok(e, et->rows[i].field, et->rows[i].need, &t);
		if (st == FEED_OK && t != NULL)
			st = row_apply(e->f, &et->rows[i], t, tk);
		if (st != FEED_OK)
			return st;
	}
	/* A bar covers [ts_ns, end_ns). */
	if (tk->kind == TICK_FEED_BAR && tk->end_ns <= tk->ts_ns)
		return FEED_BAD_VALUE;
	return FEED_OK;
}

/* ---- events ---- */

struct walk {
	const struct polygon_parser	*pp;
	struct frame			 f;
	int64_t				 recv_ns;
	const struct feed_handler	*h;
	struct feed_counts		*c;
};

/* The event type of an "ev" for this parser's asset class, or NULL. */
static const struct event_type *
event_type(const struct polygon_parser *pp, const char *ev, size_t len)
{
	const struct event_type *types;

	types = pp->asset_class == ASSET_STOCK ? stock_types :
	    pp->asset_class == ASSET_CRYPTO ? crypto_types : NULL;
	if (types == NULL)
		return NULL;
	if (types == crypto_types) {
		if (len < 2 || ev[0] != 'X')
			return NULL;
		ev++;
		len--;
		if (len == 2 && memcmp(ev, "AS", 2) == 0)
			return &types[2];
	} else if (len == 2 && memcmp(ev, "AM", 2) == 0)
		return &types[2];
	if (len != 1)
		return NULL;
	switch (ev[0]) {
	case 'T':
		return &types[0];
	case 'Q':
		return &types[1];
	case 'A':
		return &types[2];
	}
	return NULL;
}

static enum feed_parse
status_event(struct walk *w, const struct event *e)
{
	char buf[NAME_MAX_LEN + 1];
	const struct jt *st, *msg;
	enum feed_parse rc;
	const char *s;
	size_t len = 0;

	if ((rc = field_tok(e, F_STATUS, REQUIRED, &st)) != FEED_OK)
		return rc;
	if (st->type != JT_STRING)
		return FEED_BAD_TYPE;
	if ((rc = field_tok(e, F_MESSAGE, OPTIONAL, &msg)) != FEED_OK)
		return rc;
	if (msg != NULL && msg->type != JT_STRING)
		return FEED_BAD_TYPE;
	if ((s = name_text(&w->f, st, buf, &len)) == NULL) {
		s = "";			/* no status we know */
		len = 0;
	}
	w->c->status_messages++;
	if (w->h->on_status != NULL)
		w->h->on_status(w->h->arg, polygon_status_from(s, len),
		    msg != NULL ? w->f.js + msg->start : "",
		    msg != NULL ? (size_t)(msg->end - msg->start) : 0);
	return FEED_OK;
}

/* Element obj is an object: its tick or status, or why there is none. */
static enum feed_parse
event_one(struct walk *w, int obj, int *next)
{
	char buf[NAME_MAX_LEN + 1];
	const struct event_type *et;
	const struct jt *ev;
	struct event e;
	struct tick tk;
	enum feed_parse st;
	const char *s;
	size_t len;

	*next = event_fields(&w->f, obj, &e);
	if (e.at[F_EV] == 0 || (ev = &w->f.tok[e.at[F_EV]])->type !=
	    JT_STRING)
		return FEED_NO_EV;
	if ((s = name_text(&w->f, ev, buf, &len)) == NULL)
		return FEED_UNKNOWN_EV;
	if (len == 6 && memcmp(s, "status", 6) == 0)
		return status_event(w, &e);
	if ((et = event_type(w->pp, s, len)) == NULL)
		return FEED_UNKNOWN_EV;
	memset(&tk, 0, sizeof(tk));
	tk.asset_class = w->pp->asset_class;
	tk.source = w->pp->source;
	tk.recv_ns = w->recv_ns;
	if ((st = event_build(&e, et, &tk)) != FEED_OK)
		return st;
	w->c->ticks[tk.kind]++;
	if (w->h->on_tick != NULL)
		w->h->on_tick(w->h->arg, &tk);
	return FEED_OK;
}

/* ---- the interface ---- */

int
polygon_parser_init(struct polygon_parser *pp, enum asset_class ac,
    enum source src)
{
	memset(pp, 0, sizeof(*pp));
	pp->asset_class = (uint8_t)ac;
	pp->source = (uint8_t)src;
	if ((pp->tokens = calloc(TOKENS_INITIAL, sizeof(struct jt))) == NULL)
		return -1;
	pp->n_tokens = TOKENS_INITIAL;
	return 0;
}

void
polygon_parser_free(struct polygon_parser *pp)
{
	free(pp->tokens);
	pp->tokens = NULL;
	pp->n_tokens = 0;
}

/*
 * The handler's on_tick and on_status may be NULL (the events are still
 * counted). The tick handed to on_tick lives on the stack: copy it.
 */
enum feed_parse
polygon_parse_frame(struct polygon_parser *pp, const char *frame, size_t len,
    int64_t recv_ns, const struct feed_handler *h, struct feed_counts *c)
{
	struct walk w = { pp, { NULL, NULL, 0 }, recv_ns, h, c };
	enum feed_parse st;
	int i, k, next;

	c->frames++;
	st = frame_tokenize(pp, frame, len, &w.f);
	if (st == FEED_OK && w.f.tok[0].type != JT_ARRAY)
		st = FEED_NOT_ARRAY;
	if (st != FEED_OK) {
		c->skipped[st]++;
		return st;
	}
	for (i = 1, k = 0; k < w.f.tok[0].size; k++, i = next) {
		c->events++;
		if (w.f.tok[i].type != JT_OBJECT) {
			st = FEED_NOT_OBJECT;
			next = tok_next(&w.f, i);
		} else
			st = event_one(&w, i, &next);
		if (st != FEED_OK)
			c->skipped[st]++;
	}
	return FEED_OK;
}

enum feed_server_status
polygon_status_from(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++)
		if (status_names[i].len == len &&
		    memcmp(status_names[i].name, s, len) == 0)
			return status_names[i].status;
	return FSS_OTHER;
}
