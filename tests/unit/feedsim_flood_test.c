/*
 * feedsim's --flood fault in the synthetic market (market.h): the flooded
 * symbol gets its extra events at the asked rate, a third of them trades
 * or so; every other symbol's events, as a client reads them, are exactly
 * those of the same market without a flood; the stream stays in time
 * order; the minute aggregate of the flooded symbol counts the flood's
 * trades; a flood is as deterministic as the rest; a bad flood is
 * refused. Expectations are computed here from the events themselves.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "../../feedsim/encode.h"
#include "../../feedsim/market.h"
#include "tick.h"

#define START_NS	(1706649600000LL * NS_PER_MS)
#define MIN_MS		60000LL

static const char *const cryptos[] = { "BTC-USD", "ETH-USD", "DOGE-USD",
	"NEW-USD" };
static const char *const stocks[] = { "AAPL", "MSFT", "SPY" };

static int
setup(struct market *m, int asset, const char *flood, double flood_rate,
    uint64_t seed)
{
	struct market_cfg c;

	memset(&c, 0, sizeof(c));
	c.asset = asset;
	c.names = asset == ASSET_CRYPTO ? cryptos : stocks;
	c.n_names = asset == ASSET_CRYPTO ? 4 : 3;
	c.seed = seed;
	c.rate = 400;
	c.burst = 2.5;
	c.start_ns = START_NS;
	c.flood = flood;
	c.flood_rate = flood_rate;
	return market_init(m, &c);
}

/* Every event of name up to until_ns, encoded, one per line. */
struct stream {
	char	*text;
	size_t	 len, cap;
	uint64_t n;
};

static void
stream_add(struct stream *s, const struct market_event *ev)
{
	char buf[ENCODE_EVENT_MAX + 32], *e;
	size_t n;

	e = encode_event(buf, ev);
	e += snprintf(e, 32, " %lld\n", (long long)ev->send_ns);
	n = (size_t)(e - buf);
	if (s->len + n > s->cap) {
		s->cap = (s->cap + n) * 2;
		if ((s->text = realloc(s->text, s->cap)) == NULL)
			abort();
	}
	memcpy(s->text + s->len, buf, n);
	s->len += n;
	s->n++;
}

/* The events of every symbol but skip (NULL: all) before until_ns. */
static void
collect(struct market *m, const char *skip, int64_t until_ns,
    struct stream *s)
{
	struct market_event ev;

	while (market_peek_ns(m) < until_ns) {
		if (market_next(m, &ev) != 0)
			abort();
		if (skip == NULL || strcmp(ev.name, skip) != 0)
			stream_add(s, &ev);
	}
}

static void
test_others_unchanged(int asset, const char *flood)
{
	struct market a, b;
	struct stream sa = { 0 }, sb = { 0 };
	int64_t until = START_NS + 150 * NS_PER_S;	/* three minute closes */
	const char *an = asset == ASSET_CRYPTO ? "crypto" : "stocks";

	if (setup(&a, asset, NULL, 0, 5) != 0 ||
	    setup(&b, asset, flood, 5000, 5) != 0)
		abort();
	collect(&a, flood, until, &sa);
	collect(&b, flood, until, &sb);
	CHECK(sa.n > 10000 && sa.n == sb.n && sa.len == sb.len &&
	    memcmp(sa.text, sb.text, sa.len) == 0,
	    "%s: every other symbol's events (aggregates too), as encoded, "
	    "equal those without the flood (%llu events)", an,
	    (unsigned long long)sa.n);
	CHECK(a.n_flood == 0 && b.n_flood > 0,
	    "%s: only the flooded market counts flood events", an);
	free(sa.text);
	free(sb.text);
	market_free(&a);
	market_free(&b);
}

/* Events, trades and order of the flooded symbol over 100 s. */
static void
test_rate(void)
{
	struct market a, b;
	struct market_event ev;
	int64_t until = START_NS + 100 * NS_PER_S, last = 0;
	int64_t bid[256] = { 0 }, ask[256] = { 0 };
	double rate = 3000, extra, sd;
	uint64_t n_plain = 0, n_flood = 0, trades = 0, ordered = 1;
	uint64_t at_quote = 0, sided = 0;
	const struct market_trade *t;

	if (setup(&a, ASSET_CRYPTO, NULL, 0, 9) != 0 ||
	    setup(&b, ASSET_CRYPTO, "DOGE-USD", rate, 9) != 0)
		abort();
	while (market_peek_ns(&a) < until) {
		market_next(&a, &ev);
		if (ev.kind != MKT_AGG && strcmp(ev.name, "DOGE-USD") == 0)
			n_plain++;
	}
	while (market_peek_ns(&b) < until) {
		market_next(&b, &ev);
		if (ev.send_ns < last)
			ordered = 0;
		last = ev.send_ns;
		if (ev.kind == MKT_AGG || strcmp(ev.name, "DOGE-USD") != 0)
			continue;
		n_flood++;
		if (ev.kind == MKT_QUOTE) {
			bid[ev.u.quote.bid_exchange] = ev.u.quote.bid;
			ask[ev.u.quote.bid_exchange] = ev.u.quote.ask;
			continue;
		}
		trades++;
		t = &ev.u.trade;
		if (t->n_cond == 1 && (t->cond[0] == 1 || t->cond[0] == 2)) {
			sided++;
			at_quote += t->price == (t->cond[0] == 2 ?
			    ask[t->exchange] : bid[t->exchange]);
		}
	}
	/* Poisson: the extra count is within 6 sigma of rate x 100 s. */
	extra = (double)(n_flood - n_plain);
	sd = sqrt(rate * 100);
	CHECK(fabs(extra - rate * 100) < 6 * sd,
	    "flood: %.0f extra events of DOGE-USD in 100 s at %.0f/s "
	    "(want %.0f +- %.0f)", extra, rate, rate * 100, 6 * sd);
	CHECK(b.n_flood == (uint64_t)extra,
	    "flood: the market counts the flood's events (%llu)",
	    (unsigned long long)b.n_flood);
	CHECK(ordered, "flood: the merged stream stays in time order");
	CHECK(sided > 1000 && at_quote == sided,
	    "flood: every sided trade of the pair prints at its venue's "
	    "quote, main stream and flood together (%llu of %llu)",
	    (unsigned long long)at_quote, (unsigned long long)sided);
	/* The flood trades as a burst does: about 35% trades. */
	CHECK(fabs((double)trades / (double)n_flood - 0.35) < 0.03,
	    "flood: about a third trades (%.3f)",
	    (double)trades / (double)n_flood);
	market_free(&a);
	market_free(&b);
}

/*
 * The minute aggregate (XA) of the flooded pair: its volume and trade
 * count are those of every trade of the pair stamped in the minute, the
 * flood's included.
 */
static void
test_aggregate(void)
{
	struct market m;
	struct market_event ev;
	int64_t vol[4] = { 0 }, until = START_NS + 200 * NS_PER_S, mi;
	uint32_t n[4] = { 0 };
	int aggs = 0, good = 0;

	if (setup(&m, ASSET_CRYPTO, "ETH-USD", 2000, 3) != 0)
		abort();
	while (market_peek_ns(&m) < until) {
		market_next(&m, &ev);
		if (strcmp(ev.name, "ETH-USD") != 0)
			continue;
		if (ev.kind == MKT_TRADE) {
			mi = ev.ts_ms / MIN_MS % 4;
			vol[mi] += ev.u.trade.size;
			n[mi]++;
		} else if (ev.kind == MKT_AGG) {
			mi = ev.u.agg.start_ms / MIN_MS % 4;
			aggs++;
			good += ev.u.agg.volume == vol[mi] &&
			    ev.u.agg.n_trades == n[mi] && n[mi] > 20000;
			vol[mi] = 0;
			n[mi] = 0;
		}
	}
	CHECK(aggs == 3 && good == aggs,
	    "flood: each minute aggregate of the flooded pair counts every "
	    "trade, the flood's too (%d of %d)", good, aggs);
	market_free(&m);
}

static uint64_t
hash_stream(const char *flood, double rate)
{
	struct market m;
	struct stream s = { 0 };
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	if (setup(&m, ASSET_STOCK, flood, rate, 21) != 0)
		abort();
	collect(&m, NULL, START_NS + 20 * NS_PER_S, &s);
	for (i = 0; i < s.len; i++)
		h = (h ^ (uint8_t)s.text[i]) * 0x100000001b3ULL;
	free(s.text);
	market_free(&m);
	return h;
}

static void
test_determinism_and_config(void)
{
	struct market m;

	CHECK(hash_stream("SPY", 4000) == hash_stream("SPY", 4000),
	    "flood: same seed and flood, same stream (stocks)");
	CHECK(hash_stream("SPY", 4000) != hash_stream("AAPL", 4000),
	    "flood: another flooded symbol, another stream");
	CHECK(hash_stream(NULL, 0) == hash_stream("SPY", 0),
	    "flood: a rate of 0 is no flood");
	CHECK(setup(&m, ASSET_CRYPTO, "XRP-USD", 100, 1) == -1,
	    "flood: a symbol the market does not have is refused");
	CHECK(setup(&m, ASSET_CRYPTO, "BTC-USD", INFINITY, 1) == -1,
	    "flood: an infinite rate is refused");
	CHECK(setup(&m, ASSET_CRYPTO, "BTC-USD", 1e7, 1) == 0 &&
	    market_peek_ns(&m) >= START_NS, "flood: a huge rate is taken");
	market_free(&m);
}

int
main(void)
{
	test_others_unchanged(ASSET_CRYPTO, "DOGE-USD");
	test_others_unchanged(ASSET_STOCK, "MSFT");
	test_rate();
	test_aggregate();
	test_determinism_and_config();
	return check_report();
}
