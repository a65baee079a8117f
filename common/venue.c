/*
 * What the venue parsers share: dispatch by source, the tokenizer with its
 * growing token array, typed field readers, RFC 3339 times. The venues'
 * own rules are in coinbase.c, kraken.c and binance.c.
 */
#include <stdlib.h>
#include <string.h>

#include "fixed.h"
#include "venue.h"

int
venue_parser_init(struct venue_parser *vp, enum source src)
{
	memset(vp, 0, sizeof(*vp));
	if (src != SOURCE_COINBASE && src != SOURCE_KRAKEN &&
	    src != SOURCE_BINANCE)
		return -1;
	vp->source = (uint8_t)src;
	vp->n_tokens = 256;
	if ((vp->tokens = calloc(vp->n_tokens, sizeof(*vp->tokens))) == NULL)
		return -1;
	return 0;
}

void
venue_parser_free(struct venue_parser *vp)
{
	free(vp->tokens);
	vp->tokens = NULL;
	vp->n_tokens = 0;
}

/* Valid JSON needs at most one token per two bytes (jsontok.h). */
static int
tokens_grow(struct venue_parser *vp, size_t len)
{
	size_t bound = len / 2 + 1, want = (size_t)vp->n_tokens * 2;
	struct jt *p;

	if (vp->n_tokens >= bound)
		return 1;
	if (want > bound)
		want = bound;
	if ((p = realloc(vp->tokens, want * sizeof(*p))) == NULL)
		return -1;
	vp->tokens = p;
	vp->n_tokens = (unsigned)want;
	return 0;
}

enum feed_parse
venue_tokenize(struct venue_parser *vp, const char *js, size_t len,
    struct venue_frame *f)
{
	enum jt_status r;
	unsigned n;
	int grown;

	if (len > VENUE_MAX_FRAME)
		return FEED_TOO_LARGE;
	while ((r = jsontok_parse(js, len, vp->tokens, vp->n_tokens, &n)) ==
	    JT_NOMEM) {
		if ((grown = tokens_grow(vp, len)) == -1)
			return FEED_TOO_LARGE;
		if (grown == 1)
			return FEED_BAD_JSON;
	}
	if (r != JT_OK)
		return FEED_BAD_JSON;
	f->js = js;
	f->tok = vp->tokens;
	f->n = (int)n;
	return FEED_OK;
}

enum feed_parse
venue_parse_frame(struct venue_parser *vp, const char *frame, size_t len,
    int64_t recv_ns, const struct feed_handler *h, struct feed_counts *c)
{
	struct venue_frame f;
	enum feed_parse st;

	c->frames++;
	if ((st = venue_tokenize(vp, frame, len, &f)) != FEED_OK) {
		c->skipped[st]++;
		return st;
	}
	switch (vp->source) {
	case SOURCE_COINBASE:
		return coinbase_parse(vp, &f, recv_ns, h, c);
	case SOURCE_KRAKEN:
		return kraken_parse(vp, &f, recv_ns, h, c);
	case SOURCE_BINANCE:
		return binance_parse(vp, &f, recv_ns, h, c);
	default:
		return FEED_UNKNOWN_EV;
	}
}

int
venue_symbol_to(enum source src, const char *canonical, char *out,
    size_t cap)
{
	switch (src) {
	case SOURCE_COINBASE:
		return coinbase_symbol_to(canonical, out, cap);
	case SOURCE_KRAKEN:
		return kraken_symbol_to(canonical, out, cap);
	case SOURCE_BINANCE:
		return binance_symbol_to(canonical, out, cap);
	default:
		return -1;
	}
}

int
venue_symbol_from(enum source src, const char *s, size_t len, char *out,
    size_t cap)
{
	switch (src) {
	case SOURCE_COINBASE:
		return coinbase_symbol_from(s, len, out, cap);
	case SOURCE_KRAKEN:
		return kraken_symbol_from(s, len, out, cap);
	case SOURCE_BINANCE:
		return binance_symbol_from(s, len, out, cap);
	default:
		return -1;
	}
}

int
venue_subscribe_msg(enum source src, const char *const *symbols, size_t n,
    char *out, size_t cap)
{
	switch (src) {
	case SOURCE_COINBASE:
		return coinbase_subscribe_msg(symbols, n, out, cap);
	case SOURCE_KRAKEN:
		return kraken_subscribe_msg(symbols, n, out, cap);
	case SOURCE_BINANCE:
		return binance_subscribe_msg(symbols, n, out, cap);
	default:
		return -1;
	}
}

/* ---- fields ---- */

int
venue_str_is(const struct venue_frame *f, int i, const char *s)
{
	const struct jt *t = &f->tok[i];
	size_t len = strlen(s);

	return t->type == JT_STRING && !t->escaped &&
	    (size_t)(t->end - t->start) == len &&
	    memcmp(f->js + t->start, s, len) == 0;
}

int
venue_key(const struct venue_frame *f, int obj, const char *key)
{
	int i, k;

	if (obj < 0 || obj >= f->n || f->tok[obj].type != JT_OBJECT)
		return -1;
	for (i = obj + 1, k = 0; k < f->tok[obj].size; k++) {
		if (venue_str_is(f, i, key))
			return i + 1;
		i = f->tok[i + 1].next;
	}
	return -1;
}

static enum feed_parse
number_text(const struct venue_frame *f, int i, const char **s, size_t *len)
{
	const struct jt *t = &f->tok[i];

	if (t->type != JT_NUMBER && t->type != JT_STRING)
		return FEED_BAD_TYPE;
	*s = f->js + t->start;
	*len = (size_t)(t->end - t->start);
	return FEED_OK;
}

enum feed_parse
venue_get_fixed(const struct venue_frame *f, int i, int64_t min,
    int64_t *out)
{
	enum feed_parse st;
	const char *s;
	size_t len;

	if ((st = number_text(f, i, &s, &len)) != FEED_OK)
		return st;
	if (fixed_parse(s, len, out) == -1 || *out < min)
		return FEED_BAD_VALUE;
	return FEED_OK;
}

enum feed_parse
venue_get_size(const struct venue_frame *f, int i, double *out)
{
	enum feed_parse st;
	const char *s;
	size_t len;

	if ((st = number_text(f, i, &s, &len)) != FEED_OK)
		return st;
	if (num_parse_double(s, len, out) == -1 || !(*out >= 0))
		return FEED_BAD_VALUE;
	*out += 0.0;		/* -0 is 0 */
	return FEED_OK;
}

enum feed_parse
venue_get_int(const struct venue_frame *f, int i, int64_t lo, int64_t hi,
    int64_t *out)
{
	enum feed_parse st;
	const char *s;
	size_t len;

	if ((st = number_text(f, i, &s, &len)) != FEED_OK)
		return st;
	if (num_parse_int64(s, len, out) == -1 || *out < lo || *out > hi)
		return FEED_BAD_VALUE;
	return FEED_OK;
}

int
venue_get_text(const struct venue_frame *f, int i, char *out, size_t cap)
{
	const struct jt *t = &f->tok[i];
	size_t len = (size_t)(t->end - t->start), k;
	const char *s = f->js + t->start;

	if (t->type != JT_STRING || t->escaped || len == 0 || len >= cap)
		return -1;
	for (k = 0; k < len; k++)
		if (s[k] < 0x21 || s[k] > 0x7e)
			return -1;
	memcpy(out, s, len);
	out[len] = '\0';
	return (int)len;
}

enum feed_parse
venue_get_trade_id(const struct venue_frame *f, int i, struct tick *tk)
{
	const struct jt *t = &f->tok[i];
	size_t len = (size_t)(t->end - t->start), k;
	const char *s = f->js + t->start;

	if (t->type == JT_NUMBER) {
		for (k = 0; k < len; k++)
			if (s[k] < '0' || s[k] > '9')
				return FEED_BAD_VALUE;
	} else if (t->type != JT_STRING)
		return FEED_BAD_TYPE;
	if (t->escaped || len == 0)
		return FEED_BAD_VALUE;
	for (k = 0; k < len; k++)
		if (s[k] < 0x21 || s[k] > 0x7e)
			return FEED_BAD_VALUE;
	if (len >= TICK_TRADE_ID_LEN) {
		len = TICK_TRADE_ID_LEN - 1;
		tk->flags |= TICK_F_TRADE_ID_TRUNCATED;
	}
	memcpy(tk->trade_id, s, len);
	tk->trade_id[len] = '\0';
	return FEED_OK;
}

enum feed_parse
venue_need(const struct venue_frame *f, int obj, const char *key, int *i)
{
	if ((*i = venue_key(f, obj, key)) < 0)
		return FEED_MISSING_FIELD;
	return FEED_OK;
}

enum feed_parse
venue_get_symbol(const struct venue_parser *vp, const struct venue_frame *f,
    int obj, const char *key, struct tick *tk)
{
	const struct jt *t;
	enum feed_parse st;
	int i;

	if ((st = venue_need(f, obj, key, &i)) != FEED_OK)
		return st;
	t = &f->tok[i];
	if (t->type != JT_STRING)
		return FEED_BAD_TYPE;
	if (t->escaped || venue_symbol_from(vp->source, f->js + t->start,
	    (size_t)(t->end - t->start), tk->symbol, sizeof(tk->symbol)) < 0)
		return FEED_BAD_VALUE;
	return FEED_OK;
}

/* ---- handing over ---- */

void
venue_emit(const struct feed_handler *h, struct feed_counts *c,
    const struct tick *tk)
{
	c->ticks[tk->kind]++;
	if (h->on_tick != NULL)
		h->on_tick(h->arg, tk);
}

void
venue_status(const struct feed_handler *h, struct feed_counts *c,
    enum feed_server_status st, const char *text, size_t len)
{
	c->status_messages++;
	if (h->on_status != NULL)
		h->on_status(h->arg, st, text, len);
}

/* ---- subscribe messages ---- */

void
venue_put(struct venue_out *o, const char *s, size_t n)
{
	if (o->err || o->cap - o->len <= n) {
		o->err = 1;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

void
venue_put_str(struct venue_out *o, const char *s)
{
	venue_put(o, s, strlen(s));
}

int
venue_out_end(struct venue_out *o)
{
	if (o->err || o->len > VENUE_SUBSCRIBE_MAX) {
		if (o->cap > 0)
			o->p[0] = '\0';
		return -1;
	}
	return (int)o->len;
}

void
venue_put_symbols(struct venue_out *o, enum source src,
    const char *const *symbols, size_t n)
{
	char sym[TICK_SYMBOL_LEN];
	size_t i;
	int len;

	venue_put(o, "[", 1);
	for (i = 0; i < n; i++) {
		if ((len = venue_symbol_to(src, symbols[i], sym,
		    sizeof(sym))) < 0) {
			o->err = 1;
			return;
		}
		if (i > 0)
			venue_put(o, ",", 1);
		venue_put(o, "\"", 1);
		venue_put(o, sym, (size_t)len);
		venue_put(o, "\"", 1);
	}
	venue_put(o, "]", 1);
}

/* ---- time ---- */

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; H. Hinnant's
 * days_from_civil). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
digits(const char *s, size_t n, int *out)
{
	size_t k;
	int v = 0;

	for (k = 0; k < n; k++) {
		if (s[k] < '0' || s[k] > '9')
			return -1;
		v = v * 10 + (s[k] - '0');
	}
	*out = v;
	return 0;
}

int
venue_rfc3339_ns(const char *s, size_t len, int64_t *ns)
{
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };
	int y, mo, d, h, mi, sec, leap;
	int64_t frac = 0, scale = 100000000, secs;
	size_t k;

	/* YYYY-MM-DDTHH:MM:SS, then .fraction, then Z or +00:00 */
	if (len < 20 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
		return -1;
	if (digits(s, 4, &y) || digits(s + 5, 2, &mo) ||
	    digits(s + 8, 2, &d) || digits(s + 11, 2, &h) ||
	    digits(s + 14, 2, &mi) || digits(s + 17, 2, &sec))
		return -1;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && !leap) || h > 23 || mi > 59 || sec > 60)
		return -1;
	k = 19;
	if (k < len && s[k] == '.') {
		if (++k >= len || s[k] < '0' || s[k] > '9')
			return -1;
		for (; k < len && s[k] >= '0' && s[k] <= '9'; k++) {
			frac += (s[k] - '0') * scale;
			scale /= 10;
		}
	}
	if (!((len - k == 1 && (s[k] == 'Z' || s[k] == 'z')) ||
	    (len - k == 6 && memcmp(s + k, "+00:00", 6) == 0)))
		return -1;
	if (sec == 60)		/* a leap second: the last instant of :59 */
		sec = 59, frac = NS_PER_S - 1;
	secs = ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60 + sec;
	if (secs > (INT64_MAX - frac) / NS_PER_S)	/* after 2262-04-11 */
		return -1;
	*ns = secs * NS_PER_S + frac;
	return 0;
}

enum feed_parse
venue_get_rfc3339(const struct venue_frame *f, int i, int64_t *ns)
{
	const struct jt *t = &f->tok[i];

	if (t->type != JT_STRING)
		return FEED_BAD_TYPE;
	if (t->escaped || venue_rfc3339_ns(f->js + t->start,
	    (size_t)(t->end - t->start), ns) == -1)
		return FEED_BAD_VALUE;
	return FEED_OK;
}

void
venue_tick_init(const struct venue_parser *vp, struct tick *tk,
    enum tick_kind kind, int64_t recv_ns)
{
	memset(tk, 0, sizeof(*tk));
	tk->kind = (uint8_t)kind;
	tk->asset_class = ASSET_CRYPTO;
	tk->source = vp->source;
	tk->recv_ns = recv_ns;
	tk->ts_ns = recv_ns;
}
