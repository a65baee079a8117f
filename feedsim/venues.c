/*
 * The venues' messages and subscribe parsing (venues.h). Pure.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "encode.h"
#include "tick.h"
#include "venues.h"

#define PUT(p, lit)	(memcpy((p), (lit), sizeof(lit) - 1), \
			    (p) += sizeof(lit) - 1)

static const int64_t pow10s[19] = { 1LL, 10LL, 100LL, 1000LL, 10000LL,
	100000LL, 1000000LL, 10000000LL, 100000000LL, 1000000000LL,
	10000000000LL, 100000000000LL, 1000000000000LL, 10000000000000LL,
	100000000000000LL, 1000000000000000LL, 10000000000000000LL,
	100000000000000000LL, 1000000000000000000LL };

const char *
venue_name(enum venue v)
{
	static const char *const names[VENUE_MAX] = { "coinbase", "kraken",
		"binance" };

	return (unsigned)v < VENUE_MAX ? names[v] : "?";
}

int
venue_exchange(enum venue v)
{
	static const int exchange[VENUE_MAX] = { 1, 2, 1 };

	return (unsigned)v < VENUE_MAX ? exchange[v] : -1;
}

int
market_event_exchange(const struct market_event *ev)
{
	if (ev->kind == MKT_TRADE)
		return ev->u.trade.exchange;
	if (ev->kind == MKT_QUOTE)
		return ev->u.quote.bid_exchange;
	return -1;
}

int
venue_wire(enum venue v, const char *canon, int lower, char *out,
    size_t cap)
{
	const char *dash = strchr(canon, '-');
	size_t n = strlen(canon), i;
	char *o = out;

	if (n + 2 > cap)
		return -1;
	if (v != VENUE_BINANCE || dash == NULL) {
		memcpy(out, canon, n + 1);
		if (v == VENUE_KRAKEN && dash != NULL)
			out[dash - canon] = '/';
		return 0;
	}
	for (i = 0; i < n; i++)
		if (canon[i] != '-')
			*o++ = lower ? (char)tolower((unsigned char)canon[i]) :
			    canon[i];
	if (strcmp(dash + 1, "USD") == 0)
		*o++ = lower ? 't' : 'T';
	*o = '\0';
	return 0;
}

void
venue_update(struct venue_sym *s, const struct market_event *ev)
{
	const struct market_trade *t = &ev->u.trade;
	const struct market_quote *q = &ev->u.quote;

	if (ev->kind == MKT_QUOTE) {
		s->seq++;
		s->book_updates++;
		s->bid = q->bid;
		s->ask = q->ask;
		s->bid_size = q->bid_size;
		s->ask_size = q->ask_size;
		s->have_quote = 1;
		if (!s->have_trade && s->open == 0)
			s->open = s->high = s->low = s->last = q->bid;
	} else if (ev->kind == MKT_TRADE) {
		s->seq++;
		s->trades++;
		s->last = t->price;
		s->last_size = t->size;
		s->last_side = (uint8_t)venue_side(t);
		if (!s->have_trade) {
			s->open = s->high = s->low = t->price;
			s->have_trade = 1;
		}
		if (t->price > s->high)
			s->high = t->price;
		if (t->price < s->low)
			s->low = t->price;
		s->volume += t->size;
		s->notional += (double)t->price * (double)t->size;
	}
}

int
venue_side(const struct market_trade *t)
{
	if (t->side == SIDE_BUY || t->side == SIDE_SELL)
		return t->side;
	return (t->id_lo & 1) ? SIDE_BUY : SIDE_SELL;
}

static char *
two(char *p, int v)
{
	*p++ = (char)('0' + v / 10);
	*p++ = (char)('0' + v % 10);
	return p;
}

char *
venue_time(char *p, int64_t ms)
{
	int64_t days = ms / 86400000, rem = ms % 86400000, z, era, doe, yoe,
	    y, doy, mp, d, m;

	if (rem < 0) {
		rem += 86400000;
		days--;
	}
	/* Days to civil date (H. Hinnant's algorithm). */
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	p = two(p, (int)(y / 100));
	p = two(p, (int)(y % 100));
	*p++ = '-';
	p = two(p, (int)m);
	*p++ = '-';
	p = two(p, (int)d);
	*p++ = 'T';
	p = two(p, (int)(rem / 3600000));
	*p++ = ':';
	p = two(p, (int)(rem / 60000 % 60));
	*p++ = ':';
	p = two(p, (int)(rem / 1000 % 60));
	*p++ = '.';
	*p++ = (char)('0' + rem % 1000 / 100);
	p = two(p, (int)(rem % 100));
	PUT(p, "000Z");
	return p;
}

char *
venue_fixed(char *p, int64_t v, int scale, int min_frac)
{
	uint64_t u, one, ip, fp;
	int width = scale, i;
	char tmp[20];

	if (v < 0) {
		*p++ = '-';
		u = 0 - (uint64_t)v;
	} else
		u = (uint64_t)v;
	one = (uint64_t)pow10s[scale];
	ip = u / one;
	fp = u % one;
	p = encode_uint(p, ip);
	while (width > min_frac && fp % 10 == 0) {
		fp /= 10;
		width--;
	}
	if (width == 0)
		return p;
	*p++ = '.';
	for (i = width - 1; i >= 0; i--) {
		tmp[i] = (char)('0' + fp % 10);
		fp /= 10;
	}
	memcpy(p, tmp, (size_t)width);
	return p + width;
}

#define PRICE_S(p, v)	venue_fixed((p), (v), MARKET_PRICE_DIGITS, 0)
#define SIZE_S(p, v)	venue_fixed((p), (v), MARKET_SIZE_DIGITS, 0)

static char *
str(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
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

/* splitmix64's finalizer: order ids derived from the trade's id bits. */
static uint64_t
mix(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

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

static const char *
side_str(int side)
{
	return side == SIDE_BUY ? "buy" : "sell";
}

/* Coinbase's "side" on a match is the maker's: the aggressor's opposite. */
char *
coinbase_match(char *p, const struct market_event *ev,
    const struct venue_sym *s)
{
	const struct market_trade *t = &ev->u.trade;
	int side = venue_side(t);

	PUT(p, "{\"type\":\"match\",\"trade_id\":");
	p = encode_uint(p, s->trades);
	PUT(p, ",\"maker_order_id\":\"");
	p = uuid(p, mix(t->id_hi), mix(t->id_lo));
	PUT(p, "\",\"taker_order_id\":\"");
	p = uuid(p, mix(t->id_hi ^ 1), mix(t->id_lo ^ 1));
	PUT(p, "\",\"side\":\"");
	p = str(p, side_str(side == SIDE_BUY ? SIDE_SELL : SIDE_BUY));
	PUT(p, "\",\"size\":\"");
	p = SIZE_S(p, t->size);
	PUT(p, "\",\"price\":\"");
	p = PRICE_S(p, t->price);
	PUT(p, "\",\"product_id\":\"");
	p = str(p, ev->name);
	PUT(p, "\",\"sequence\":");
	p = encode_uint(p, s->seq);
	PUT(p, ",\"time\":\"");
	p = venue_time(p, ev->ts_ms);
	PUT(p, "\"}");
	return p;
}

/* Figures since start, as Coinbase's "24h" fields, all strings. */
char *
coinbase_ticker(char *p, const struct market_event *ev,
    const struct venue_sym *s)
{
	PUT(p, "{\"type\":\"ticker\",\"sequence\":");
	p = encode_uint(p, s->seq);
	PUT(p, ",\"product_id\":\"");
	p = str(p, ev->name);
	PUT(p, "\",\"price\":\"");
	p = PRICE_S(p, s->last);
	PUT(p, "\",\"open_24h\":\"");
	p = PRICE_S(p, s->open);
	PUT(p, "\",\"volume_24h\":\"");
	p = SIZE_S(p, s->volume);
	PUT(p, "\",\"low_24h\":\"");
	p = PRICE_S(p, s->low);
	PUT(p, "\",\"high_24h\":\"");
	p = PRICE_S(p, s->high);
	PUT(p, "\",\"best_bid\":\"");
	p = PRICE_S(p, s->bid);
	PUT(p, "\",\"best_bid_size\":\"");
	p = SIZE_S(p, s->bid_size);
	PUT(p, "\",\"best_ask\":\"");
	p = PRICE_S(p, s->ask);
	PUT(p, "\",\"best_ask_size\":\"");
	p = SIZE_S(p, s->ask_size);
	if (s->have_trade) {
		PUT(p, "\",\"side\":\"");
		p = str(p, side_str(s->last_side));
		PUT(p, "\",\"trade_id\":");
		p = encode_uint(p, s->trades);
		PUT(p, ",\"last_size\":\"");
		p = SIZE_S(p, s->last_size);
	}
	PUT(p, "\",\"time\":\"");
	p = venue_time(p, ev->ts_ms);
	PUT(p, "\"}");
	return p;
}

char *
coinbase_heartbeat(char *p, const char *product, const struct venue_sym *s,
    int64_t now_ms)
{
	PUT(p, "{\"type\":\"heartbeat\",\"sequence\":");
	p = encode_uint(p, s->seq);
	PUT(p, ",\"last_trade_id\":");
	p = encode_uint(p, s->trades);
	PUT(p, ",\"product_id\":\"");
	p = str(p, product);
	PUT(p, "\",\"time\":\"");
	p = venue_time(p, now_ms);
	PUT(p, "\"}");
	return p;
}

/* Kraken: numbers as JSON numbers; "side" is the taker's. */
char *
kraken_trade(char *p, const struct market_event *ev,
    const struct venue_sym *s, const char *wire)
{
	const struct market_trade *t = &ev->u.trade;

	PUT(p, "{\"channel\":\"trade\",\"type\":\"update\",\"data\":[{"
	    "\"symbol\":\"");
	p = str(p, wire);
	PUT(p, "\",\"side\":\"");
	p = str(p, side_str(venue_side(t)));
	PUT(p, "\",\"price\":");
	p = PRICE_S(p, t->price);
	PUT(p, ",\"qty\":");
	p = SIZE_S(p, t->size);
	PUT(p, ",\"ord_type\":\"market\",\"trade_id\":");
	p = encode_uint(p, s->trades);
	PUT(p, ",\"timestamp\":\"");
	p = venue_time(p, ev->ts_ms);
	PUT(p, "\"}]}");
	return p;
}

static int64_t
vwap(const struct venue_sym *s)
{
	if (s->volume <= 0)
		return s->last;
	return llround(s->notional / (double)s->volume);
}

char *
kraken_ticker(char *p, const struct venue_sym *s, const char *wire)
{
	int64_t change = s->last - s->open, pct = 0;

	if (s->open > 0)
		pct = llround((double)change * 10000.0 / (double)s->open);
	PUT(p, "{\"channel\":\"ticker\",\"type\":\"update\",\"data\":[{"
	    "\"symbol\":\"");
	p = str(p, wire);
	PUT(p, "\",\"bid\":");
	p = PRICE_S(p, s->bid);
	PUT(p, ",\"bid_qty\":");
	p = SIZE_S(p, s->bid_size);
	PUT(p, ",\"ask\":");
	p = PRICE_S(p, s->ask);
	PUT(p, ",\"ask_qty\":");
	p = SIZE_S(p, s->ask_size);
	PUT(p, ",\"last\":");
	p = PRICE_S(p, s->last);
	PUT(p, ",\"volume\":");
	p = SIZE_S(p, s->volume);
	PUT(p, ",\"vwap\":");
	p = PRICE_S(p, vwap(s));
	PUT(p, ",\"low\":");
	p = PRICE_S(p, s->low);
	PUT(p, ",\"high\":");
	p = PRICE_S(p, s->high);
	PUT(p, ",\"change\":");
	p = PRICE_S(p, change);
	PUT(p, ",\"change_pct\":");
	p = venue_fixed(p, pct, 2, 0);
	PUT(p, "}]}");
	return p;
}

/* Binance: strings with 8 decimals; "m" = the buyer is the maker. */
char *
binance_trade(char *p, const struct market_event *ev,
    const struct venue_sym *s, const char *wire)
{
	const struct market_trade *t = &ev->u.trade;

	PUT(p, "{\"e\":\"trade\",\"E\":");
	p = encode_int(p, ev->recv_ms);
	PUT(p, ",\"s\":\"");
	p = str(p, wire);
	PUT(p, "\",\"t\":");
	p = encode_uint(p, s->trades);
	PUT(p, ",\"p\":\"");
	p = venue_fixed(p, t->price, MARKET_PRICE_DIGITS, 8);
	PUT(p, "\",\"q\":\"");
	p = venue_fixed(p, t->size, MARKET_SIZE_DIGITS, 8);
	PUT(p, "\",\"T\":");
	p = encode_int(p, ev->ts_ms);
	if (venue_side(t) == SIDE_SELL)
		PUT(p, ",\"m\":true,\"M\":true}");
	else
		PUT(p, ",\"m\":false,\"M\":true}");
	return p;
}

char *
binance_book(char *p, const struct venue_sym *s, const char *wire)
{
	PUT(p, "{\"u\":");
	p = encode_uint(p, s->book_updates);
	PUT(p, ",\"s\":\"");
	p = str(p, wire);
	PUT(p, "\",\"b\":\"");
	p = venue_fixed(p, s->bid, MARKET_PRICE_DIGITS, 8);
	PUT(p, "\",\"B\":\"");
	p = venue_fixed(p, s->bid_size, MARKET_SIZE_DIGITS, 8);
	PUT(p, "\",\"a\":\"");
	p = venue_fixed(p, s->ask, MARKET_PRICE_DIGITS, 8);
	PUT(p, "\",\"A\":\"");
	p = venue_fixed(p, s->ask_size, MARKET_SIZE_DIGITS, 8);
	PUT(p, "\"}");
	return p;
}

/* Parsing. */

static void bad(struct vreq *, int, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
bad(struct vreq *r, int code, const char *fmt, ...)
{
	va_list ap;

	r->op = VREQ_BAD;
	r->code = code;
	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
}

/* A peer's string, safe to echo: printable ASCII, bounded. */
static void
safe_copy(char *dst, size_t cap, const char *s)
{
	size_t i;

	for (i = 0; i + 1 < cap && s[i] != '\0'; i++)
		dst[i] = s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"' &&
		    s[i] != '\\' ? s[i] : '?';
	dst[i] = '\0';
}

static int
find_sym(const char *const *names, int n, const char *s, int icase)
{
	int i;

	for (i = 0; i < n; i++)
		if (icase ? strcasecmp(names[i], s) == 0 :
		    strcmp(names[i], s) == 0)
			return i;
	return -1;
}

static int
add_item(struct vreq *r, int chan, int sym, const char *wire)
{
	struct vreq_item *it;

	if (r->n == VREQ_MAX) {
		bad(r, 2, "Invalid request: too many parameters%s", "");
		return -1;
	}
	it = &r->item[r->n++];
	it->chan = (uint8_t)chan;
	it->sym = sym;
	safe_copy(it->wire, sizeof(it->wire), wire);
	return 0;
}

static int
coinbase_channel(const char *name)
{
	if (strcmp(name, "matches") == 0)
		return VCH_TRADE;
	if (strcmp(name, "ticker") == 0)
		return VCH_QUOTE;
	if (strcmp(name, "heartbeat") == 0)
		return VCH_OTHER;
	return -1;
}

/* Products of one channel: its own list, else the message's. */
static int
coinbase_products(struct vreq *r, int chan, json_t *own, json_t *top,
    const char *const *names, int n_names)
{
	json_t *list = own != NULL ? own : top, *v;
	size_t i;
	int sym;

	if (list != NULL && !json_is_array(list)) {
		bad(r, 0, "product_ids must be an array%s", "");
		return -1;
	}
	if (list == NULL || json_array_size(list) == 0) {
		if (r->op == VREQ_UNSUBSCRIBE)
			return add_item(r, chan, -1, "");
		bad(r, 0, "No product ids provided%s", "");
		return -1;
	}
	json_array_foreach(list, i, v) {
		if (!json_is_string(v)) {
			bad(r, 0, "product_ids must be strings%s", "");
			return -1;
		}
		if ((sym = find_sym(names, n_names, json_string_value(v),
		    0)) < 0) {
			char w[VENUE_SYM_MAX];

			safe_copy(w, sizeof(w), json_string_value(v));
			bad(r, 0, "%s is not a valid product", w);
			return -1;
		}
		if (add_item(r, chan, sym, json_string_value(v)) == -1)
			return -1;
	}
	return 0;
}

static void
parse_coinbase(json_t *root, const char *const *names, int n_names,
    struct vreq *r)
{
	json_t *type = json_object_get(root, "type"), *chans, *top, *c, *nm;
	const char *name;
	char w[VENUE_SYM_MAX];
	size_t i;
	int ch;

	if (!json_is_string(type)) {
		bad(r, 0, "type must be a string%s", "");
		return;
	}
	if (strcmp(json_string_value(type), "subscribe") == 0)
		r->op = VREQ_SUBSCRIBE;
	else if (strcmp(json_string_value(type), "unsubscribe") == 0)
		r->op = VREQ_UNSUBSCRIBE;
	else {
		safe_copy(w, sizeof(w), json_string_value(type));
		bad(r, 0, "%s is not a valid type", w);
		return;
	}
	top = json_object_get(root, "product_ids");
	chans = json_object_get(root, "channels");
	if (!json_is_array(chans) || json_array_size(chans) == 0) {
		bad(r, 0, "channels must be a non-empty array%s", "");
		return;
	}
	json_array_foreach(chans, i, c) {
		nm = json_is_object(c) ? json_object_get(c, "name") : c;
		if (!json_is_string(nm)) {
			bad(r, 0, "a channel must be a name or an object with "
			    "a name%s", "");
			return;
		}
		name = json_string_value(nm);
		if ((ch = coinbase_channel(name)) < 0) {
			safe_copy(w, sizeof(w), name);
			bad(r, 0, "%s is not a valid channel", w);
			return;
		}
		if (coinbase_products(r, ch, json_is_object(c) ?
		    json_object_get(c, "product_ids") : NULL, top, names,
		    n_names) == -1)
			return;
	}
}

/* Echoes an id: an integer, or for binance also a short string or null. */
static int
copy_id(json_t *id, int strings, struct vreq *r)
{
	if (id == NULL)
		return 0;
	if (json_is_integer(id)) {
		snprintf(r->id, sizeof(r->id), "%lld",
		    (long long)json_integer_value(id));
		return 0;
	}
	if (strings && json_is_null(id)) {
		snprintf(r->id, sizeof(r->id), "null");
		return 0;
	}
	if (strings && json_is_string(id) && json_string_length(id) <= 36) {
		r->id[0] = '"';
		safe_copy(r->id + 1, sizeof(r->id) - 2, json_string_value(id));
		strcat(r->id, "\"");
		return 0;
	}
	return -1;
}

static void
parse_kraken(json_t *root, const char *const *names, int n_names,
    struct vreq *r)
{
	json_t *m = json_object_get(root, "method"), *params, *ch, *syms, *v,
	    *trig, *snap;
	const char *method, *chan;
	size_t i;
	int c;

	snprintf(r->method, sizeof(r->method), "error");
	if (!json_is_string(m)) {
		bad(r, 0, "Malformed request%s", "");
		return;
	}
	method = json_string_value(m);
	safe_copy(r->method, sizeof(r->method), method);
	if (copy_id(json_object_get(root, "req_id"), 0, r) == -1) {
		bad(r, 0, "req_id must be an integer%s", "");
		return;
	}
	if (strcmp(method, "ping") == 0) {
		r->op = VREQ_PING;
		return;
	}
	if (strcmp(method, "subscribe") == 0)
		r->op = VREQ_SUBSCRIBE;
	else if (strcmp(method, "unsubscribe") == 0)
		r->op = VREQ_UNSUBSCRIBE;
	else {
		bad(r, 0, "Method not supported%s", "");
		return;
	}
	params = json_object_get(root, "params");
	ch = json_object_get(params, "channel");
	syms = json_object_get(params, "symbol");
	if (!json_is_object(params) || !json_is_string(ch)) {
		bad(r, 0, "Missing channel%s", "");
		return;
	}
	chan = json_string_value(ch);
	if (strcmp(chan, "trade") == 0)
		c = VCH_TRADE;
	else if (strcmp(chan, "ticker") == 0) {
		trig = json_object_get(params, "event_trigger");
		if (trig == NULL || (json_is_string(trig) &&
		    strcmp(json_string_value(trig), "trades") == 0))
			c = VCH_OTHER;
		else if (json_is_string(trig) &&
		    strcmp(json_string_value(trig), "bbo") == 0)
			c = VCH_QUOTE;
		else {
			bad(r, 0, "Invalid event_trigger%s", "");
			return;
		}
	} else {
		bad(r, 0, "Channel not supported%s", "");
		return;
	}
	snap = json_object_get(params, "snapshot");
	if (snap != NULL && !json_is_boolean(snap)) {
		bad(r, 0, "snapshot must be a boolean%s", "");
		return;
	}
	r->snapshot = snap == NULL || json_is_true(snap);
	if (!json_is_array(syms) || json_array_size(syms) == 0) {
		bad(r, 0, "Missing symbol%s", "");
		return;
	}
	json_array_foreach(syms, i, v) {
		if (!json_is_string(v)) {
			bad(r, 0, "symbol must be an array of strings%s", "");
			return;
		}
		if (add_item(r, c, find_sym(names, n_names,
		    json_string_value(v), 0), json_string_value(v)) == -1)
			return;
	}
}

/* "btcusdt@trade": the symbol (any case, as Binance) and the stream. */
static int
binance_stream(const char *s, const char *const *names, int n_names,
    struct vreq *r)
{
	const char *at = strchr(s, '@');
	char sym[VENUE_SYM_MAX];
	size_t n;
	int c, i;

	if (at == NULL || (n = (size_t)(at - s)) == 0 || n >= sizeof(sym)) {
		char w[VENUE_SYM_MAX];

		safe_copy(w, sizeof(w), s);
		bad(r, 2, "Invalid request: invalid stream name %s", w);
		return -1;
	}
	memcpy(sym, s, n);
	sym[n] = '\0';
	if (strcmp(at + 1, "trade") == 0)
		c = VCH_TRADE;
	else if (strcmp(at + 1, "bookTicker") == 0)
		c = VCH_QUOTE;
	else {
		char w[VENUE_SYM_MAX];

		safe_copy(w, sizeof(w), s);
		bad(r, 2, "Invalid request: stream not served: %s", w);
		return -1;
	}
	if ((i = find_sym(names, n_names, sym, 1)) < 0) {
		char w[VENUE_SYM_MAX];

		safe_copy(w, sizeof(w), sym);
		bad(r, 2, "Invalid request: unknown symbol %s", w);
		return -1;
	}
	return add_item(r, c, i, s);
}

static void
parse_binance(json_t *root, const char *const *names, int n_names,
    struct vreq *r)
{
	json_t *m = json_object_get(root, "method"), *params, *v;
	const char *method;
	size_t i;

	snprintf(r->id, sizeof(r->id), "null");
	if (copy_id(json_object_get(root, "id"), 1, r) == -1) {
		bad(r, 2, "Invalid request: request ID must be an unsigned "
		    "integer%s", "");
		return;
	}
	if (!json_is_string(m)) {
		bad(r, 2, "Invalid request: missing field `method`%s", "");
		return;
	}
	method = json_string_value(m);
	if (strcmp(method, "LIST_SUBSCRIPTIONS") == 0) {
		r->op = VREQ_LIST;
		return;
	}
	if (strcmp(method, "SUBSCRIBE") == 0)
		r->op = VREQ_SUBSCRIBE;
	else if (strcmp(method, "UNSUBSCRIBE") == 0)
		r->op = VREQ_UNSUBSCRIBE;
	else {
		char w[VENUE_SYM_MAX];

		safe_copy(w, sizeof(w), method);
		bad(r, 2, "Invalid request: unknown variant %s, expected one "
		    "of SUBSCRIBE, UNSUBSCRIBE, LIST_SUBSCRIPTIONS", w);
		return;
	}
	params = json_object_get(root, "params");
	if (!json_is_array(params)) {
		bad(r, 2, "Invalid request: params must be an array%s", "");
		return;
	}
	json_array_foreach(params, i, v) {
		if (!json_is_string(v)) {
			bad(r, 1, "Invalid value type: expected String%s", "");
			return;
		}
		if (binance_stream(json_string_value(v), names, n_names,
		    r) == -1)
			return;
	}
}

void
venue_parse(enum venue v, const char *msg, size_t len,
    const char *const *names, int n_names, struct vreq *r)
{
	json_t *root;

	memset(r, 0, offsetof(struct vreq, item));
	r->snapshot = 1;
	if ((root = json_loadb(msg, len, 0, NULL)) == NULL ||
	    !json_is_object(root)) {
		if (v == VENUE_BINANCE)
			snprintf(r->id, sizeof(r->id), "null");
		snprintf(r->method, sizeof(r->method), "error");
		bad(r, 3, v == VENUE_BINANCE ? "Invalid JSON%s" :
		    v == VENUE_KRAKEN ? "Malformed request%s" :
		    "malformed JSON%s", "");
		json_decref(root);
		return;
	}
	if (v == VENUE_COINBASE)
		parse_coinbase(root, names, n_names, r);
	else if (v == VENUE_KRAKEN)
		parse_kraken(root, names, n_names, r);
	else
		parse_binance(root, names, n_names, r);
	json_decref(root);
}
