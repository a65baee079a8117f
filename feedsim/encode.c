/*
 * JSON for market events and status messages (encode.h). No snprintf on
 * the event path: digits come from a two-digit table, fixed text from
 * memcpy of literals whose lengths the compiler knows.
 */
#include <string.h>

#include "encode.h"
#include "tick.h"

/* Copies a string literal; the length is a compile-time constant. */
#define PUT(p, lit)	(memcpy((p), (lit), sizeof(lit) - 1), \
			    (p) += sizeof(lit) - 1)

static const char digits2[] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";

static const int64_t pow10s[19] = { 1LL, 10LL, 100LL, 1000LL, 10000LL,
	100000LL, 1000000LL, 10000000LL, 100000000LL, 1000000000LL,
	10000000000LL, 100000000000LL, 1000000000000LL, 10000000000000LL,
	100000000000000LL, 1000000000000000LL, 10000000000000000LL,
	100000000000000000LL, 1000000000000000000LL };

char *
encode_uint(char *p, uint64_t v)
{
	char tmp[20], *t = tmp + sizeof(tmp);
	size_t n;

	while (v >= 100) {
		t -= 2;
		memcpy(t, digits2 + (v % 100) * 2, 2);
		v /= 100;
	}
	if (v >= 10) {
		t -= 2;
		memcpy(t, digits2 + v * 2, 2);
	} else
		*--t = (char)('0' + v);
	n = (size_t)(tmp + sizeof(tmp) - t);
	memcpy(p, t, n);
	return p + n;
}

char *
encode_int(char *p, int64_t v)
{
	if (v >= 0)
		return encode_uint(p, (uint64_t)v);
	*p++ = '-';
	return encode_uint(p, 0 - (uint64_t)v);
}

/* Writes f, a fraction of width digits, zero-padded, f != 0. */
static char *
fraction(char *p, uint64_t f, int width)
{
	char tmp[20];
	char *e;
	int n;

	while (f % 10 == 0) {
		f /= 10;
		width--;
	}
	e = encode_uint(tmp, f);
	n = (int)(e - tmp);
	*p++ = '.';
	for (; n < width; width--)
		*p++ = '0';
	memcpy(p, tmp, (size_t)n);
	return p + n;
}

/* "4.522e-05": mantissa digits of v, exponent for scale. */
static char *
exponent_form(char *p, uint64_t v, int scale)
{
	char tmp[20];
	int n, e;

	while (v % 10 == 0) {
		v /= 10;
		scale--;
	}
	n = (int)(encode_uint(tmp, v) - tmp);
	e = scale - (n - 1);	/* value = d.ddd * 10^-e */
	*p++ = tmp[0];
	if (n > 1) {
		*p++ = '.';
		memcpy(p, tmp + 1, (size_t)n - 1);
		p += n - 1;
	}
	PUT(p, "e-");
	if (e < 10)
		*p++ = '0';
	return encode_uint(p, (uint64_t)e);
}

char *
encode_decimal(char *p, int64_t v, int scale)
{
	uint64_t u, ip, fp, one;

	if (v < 0) {
		*p++ = '-';
		u = 0 - (uint64_t)v;
	} else
		u = (uint64_t)v;
	one = (uint64_t)pow10s[scale];
	ip = u / one;
	fp = u % one;
	if (ip == 0 && fp != 0 && scale > 4 &&
	    fp < (uint64_t)pow10s[scale - 4])
		return exponent_form(p, fp, scale);
	p = encode_uint(p, ip);
	return fp == 0 ? p : fraction(p, fp, scale);
}

static char *
put_sym(char *p, const struct market_event *ev)
{
	size_t n = strlen(ev->name);

	memcpy(p, ev->name, n);
	p += n;
	*p++ = '"';
	return p;
}

static char *
put_conds(char *p, const struct market_trade *t)
{
	int i;

	PUT(p, ",\"c\":[");
	for (i = 0; i < t->n_cond; i++) {
		if (i > 0)
			*p++ = ',';
		p = encode_uint(p, t->cond[i]);
	}
	*p++ = ']';
	return p;
}

#define PRICE(p, v)	encode_decimal((p), (v), MARKET_PRICE_DIGITS)

static char *
stock_trade(char *p, const struct market_event *ev)
{
	const struct market_trade *t = &ev->u.trade;

	PUT(p, "{\"ev\":\"T\",\"sym\":\"");
	p = put_sym(p, ev);
	PUT(p, ",\"x\":");
	p = encode_uint(p, t->exchange);
	PUT(p, ",\"i\":\"");
	p = encode_uint(p, t->id_lo);
	PUT(p, "\",\"z\":");
	p = encode_uint(p, ev->tape);
	PUT(p, ",\"p\":");
	p = PRICE(p, t->price);
	PUT(p, ",\"s\":");
	p = encode_int(p, t->size);
	if (t->n_cond > 0)
		p = put_conds(p, t);
	PUT(p, ",\"t\":");
	p = encode_int(p, ev->ts_ms);
	PUT(p, ",\"q\":");
	p = encode_uint(p, ev->seq);
	if (t->trf_id != 0) {
		PUT(p, ",\"trfi\":");
		p = encode_uint(p, t->trf_id);
		PUT(p, ",\"trft\":");
		p = encode_int(p, t->trf_ms);
	}
	*p++ = '}';
	return p;
}

static char *
stock_quote(char *p, const struct market_event *ev)
{
	const struct market_quote *q = &ev->u.quote;

	PUT(p, "{\"ev\":\"Q\",\"sym\":\"");
	p = put_sym(p, ev);
	PUT(p, ",\"bx\":");
	p = encode_uint(p, q->bid_exchange);
	PUT(p, ",\"bp\":");
	p = PRICE(p, q->bid);
	PUT(p, ",\"bs\":");
	p = encode_int(p, q->bid_size);
	PUT(p, ",\"ax\":");
	p = encode_uint(p, q->ask_exchange);
	PUT(p, ",\"ap\":");
	p = PRICE(p, q->ask);
	PUT(p, ",\"as\":");
	p = encode_int(p, q->ask_size);
	if (q->cond >= 0) {
		PUT(p, ",\"c\":");
		p = encode_int(p, q->cond);
	}
	if (q->indicator != 0) {
		PUT(p, ",\"i\":[");
		p = encode_uint(p, q->indicator);
		*p++ = ']';
	}
	PUT(p, ",\"t\":");
	p = encode_int(p, ev->ts_ms);
	PUT(p, ",\"q\":");
	p = encode_uint(p, ev->seq);
	PUT(p, ",\"z\":");
	p = encode_uint(p, ev->tape);
	*p++ = '}';
	return p;
}

/* o, c, h, l of an aggregate, in feeds.md §2's order. */
static char *
put_ochl(char *p, const struct market_agg *a)
{
	PUT(p, ",\"o\":");
	p = PRICE(p, a->open);
	PUT(p, ",\"c\":");
	p = PRICE(p, a->close);
	PUT(p, ",\"h\":");
	p = PRICE(p, a->high);
	PUT(p, ",\"l\":");
	return PRICE(p, a->low);
}

static char *
put_window(char *p, const struct market_agg *a)
{
	PUT(p, ",\"s\":");
	p = encode_int(p, a->start_ms);
	PUT(p, ",\"e\":");
	p = encode_int(p, a->end_ms);
	*p++ = '}';
	return p;
}

static char *
stock_agg(char *p, const struct market_event *ev)
{
	const struct market_agg *a = &ev->u.agg;

	PUT(p, "{\"ev\":\"AM\",\"sym\":\"");
	p = put_sym(p, ev);
	PUT(p, ",\"v\":");
	p = encode_int(p, a->volume);
	PUT(p, ",\"av\":");
	p = encode_int(p, a->day_volume);
	PUT(p, ",\"op\":");
	p = PRICE(p, a->day_open);
	PUT(p, ",\"vw\":");
	p = PRICE(p, a->vwap);
	p = put_ochl(p, a);
	PUT(p, ",\"a\":");
	p = PRICE(p, a->day_vwap);
	PUT(p, ",\"z\":");
	p = encode_int(p, a->avg_size);
	return put_window(p, a);
}

static char *
hex(char *p, uint64_t v, int nibbles)
{
	static const char xd[] = "0123456789abcdef";
	int i;

	for (i = nibbles - 1; i >= 0; i--)
		*p++ = xd[(v >> (i * 4)) & 0xf];
	return p;
}

/* A version 4 UUID from 128 random bits, as the live feed's "i". */
static char *
uuid(char *p, uint64_t hi, uint64_t lo)
{
	hi = (hi & ~0xf000ULL) | 0x4000ULL;
	lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
	p = hex(p, hi >> 32, 8);
	*p++ = '-';
	p = hex(p, hi >> 16, 4);
	*p++ = '-';
	p = hex(p, hi, 4);
	*p++ = '-';
	p = hex(p, lo >> 48, 4);
	*p++ = '-';
	return hex(p, lo, 12);
}

#define SIZE(p, v)	encode_decimal((p), (v), MARKET_SIZE_DIGITS)

static char *
crypto_trade(char *p, const struct market_event *ev)
{
	const struct market_trade *t = &ev->u.trade;

	PUT(p, "{\"ev\":\"XT\",\"pair\":\"");
	p = put_sym(p, ev);
	PUT(p, ",\"p\":");
	p = PRICE(p, t->price);
	PUT(p, ",\"t\":");
	p = encode_int(p, ev->ts_ms);
	PUT(p, ",\"s\":");
	p = SIZE(p, t->size);
	if (t->n_cond > 0)
		p = put_conds(p, t);
	PUT(p, ",\"i\":\"");
	p = uuid(p, t->id_hi, t->id_lo);
	PUT(p, "\",\"x\":");
	p = encode_uint(p, t->exchange);
	PUT(p, ",\"r\":");
	p = encode_int(p, ev->recv_ms);
	*p++ = '}';
	return p;
}

static char *
crypto_quote(char *p, const struct market_event *ev)
{
	const struct market_quote *q = &ev->u.quote;

	PUT(p, "{\"ev\":\"XQ\",\"pair\":\"");
	p = put_sym(p, ev);
	PUT(p, ",\"bp\":");
	p = PRICE(p, q->bid);
	PUT(p, ",\"bs\":");
	p = SIZE(p, q->bid_size);
	PUT(p, ",\"ap\":");
	p = PRICE(p, q->ask);
	PUT(p, ",\"as\":");
	p = SIZE(p, q->ask_size);
	PUT(p, ",\"t\":");
	p = encode_int(p, ev->ts_ms);
	PUT(p, ",\"x\":");
	p = encode_uint(p, q->bid_exchange);
	PUT(p, ",\"r\":");
	p = encode_int(p, ev->recv_ms);
	*p++ = '}';
	return p;
}

static char *
crypto_agg(char *p, const struct market_event *ev)
{
	const struct market_agg *a = &ev->u.agg;

	PUT(p, "{\"ev\":\"XA\",\"pair\":\"");
	p = put_sym(p, ev);
	PUT(p, ",\"v\":");
	p = SIZE(p, a->volume);
	PUT(p, ",\"vw\":");
	p = PRICE(p, a->vwap);
	PUT(p, ",\"z\":");
	p = SIZE(p, a->avg_size);
	p = put_ochl(p, a);
	return put_window(p, a);
}

char *
encode_event(char *p, const struct market_event *ev)
{
	int crypto = ev->asset == ASSET_CRYPTO;

	switch (ev->kind) {
	case MKT_TRADE:
		return crypto ? crypto_trade(p, ev) : stock_trade(p, ev);
	case MKT_QUOTE:
		return crypto ? crypto_quote(p, ev) : stock_quote(p, ev);
	default:
		return crypto ? crypto_agg(p, ev) : stock_agg(p, ev);
	}
}

/* A JSON string body; *p must have room for 6 bytes per input byte. */
static char *
escape(char *p, const char *s, size_t n)
{
	static const char xd[] = "0123456789abcdef";
	unsigned char c;
	size_t i;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			*p++ = '\\';
			*p++ = (char)c;
		} else if (c >= 0x80) {
			*p++ = '?';	/* never echo a peer's invalid UTF-8 */
		} else if (c < 0x20 || c == 0x7f) {
			PUT(p, "\\u00");
			*p++ = xd[c >> 4];
			*p++ = xd[c & 0xf];
		} else
			*p++ = (char)c;
	}
	return p;
}

char *
encode_status(char *p, const char *end, const char *status,
    const char *msg, size_t msg_len)
{
	size_t n = strlen(status);

	if (end - p < 0 || (size_t)(end - p) < 64 + 6 * (n + msg_len))
		return NULL;
	PUT(p, "{\"ev\":\"status\",\"status\":\"");
	p = escape(p, status, n);
	PUT(p, "\",\"message\":\"");
	p = escape(p, msg, msg_len);
	PUT(p, "\"}");
	return p;
}
