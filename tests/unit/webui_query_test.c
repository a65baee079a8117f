/*
 * webui's query-string rules (webui/query.c): every parameter of
 * /api/bars and /api/anomalies, each way of getting one wrong, and the
 * defaults. Expectations come from docs/api.md.
 */
#include <stdio.h>
#include <string.h>

#include "../check.h"
#include "../../webui/query.h"

static const int64_t intervals[] = { 1, 60 };

#define SOURCE_ERR	"source: want 1 to 16 characters of a-z 0-9 _ -"

/* "a=1&b=2" into r's arguments, as lws would hand them over. */
static void
mkreq(struct http_req *r, const char *qs)
{
	char tmp[1024], *tok, *save = NULL, *eq;

	http_req_init(r);
	snprintf(tmp, sizeof(tmp), "%s", qs);
	for (tok = strtok_r(tmp, "&", &save); tok != NULL;
	    tok = strtok_r(NULL, "&", &save)) {
		if ((eq = strchr(tok, '=')) != NULL)
			http_req_add_arg(r, tok, (size_t)(eq - tok), eq + 1,
			    strlen(eq + 1));
		else
			http_req_add_arg(r, tok, strlen(tok), "", 0);
	}
}

static const struct {
	const char	*qs;
	const char	*err;		/* NULL: accepted */
} bars_cases[] = {
	{ "symbol=AAPL", NULL },
	{ "symbol=BTC-USD&interval=1", NULL },
	{ "symbol=X:BTCUSD&interval=60&from=0&to=100&limit=20000", NULL },
	{ "symbol=a.b/c_d-e:f", NULL },
	{ "symbol=ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", NULL },	/* 32 */
	{ "", "missing parameter: symbol" },
	{ "interval=60", "missing parameter: symbol" },
	{ "symbol=", "symbol: want 1 to 32 characters of A-Z a-z 0-9 . : / _ -" },
	{ "symbol", "symbol: want 1 to 32 characters of A-Z a-z 0-9 . : / _ -" },
	{ "symbol=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456",
	  "symbol: want 1 to 32 characters of A-Z a-z 0-9 . : / _ -" },
	{ "symbol=AA PL", "symbol: want 1 to 32 characters of A-Z a-z 0-9 . : / _ -" },
	{ "symbol=AAPL;x", "symbol: want 1 to 32 characters of A-Z a-z 0-9 . : / _ -" },
	{ "symbol=%41", "symbol: want 1 to 32 characters of A-Z a-z 0-9 . : / _ -" },
	{ "symbol=A&symbol=B", "duplicate parameter: symbol" },
	{ "symbol=A&limit=5&limit=5", "duplicate parameter: limit" },
	{ "symbol=A&foo=1", "unknown parameter: foo" },
	{ "symbol=A&Symbol=B", "unknown parameter: Symbol" },
	{ "symbol=A&token=twk_x", "unknown parameter: token" },
	{ "symbol=A&interval=0", "interval: want an integer from 1 to 604800" },
	{ "symbol=A&interval=-60", "interval: want an integer from 1 to 604800" },
	{ "symbol=A&interval=60s", "interval: want an integer from 1 to 604800" },
	{ "symbol=A&interval=", "interval: want an integer from 1 to 604800" },
	{ "symbol=A&interval=5", "interval: want one of 1,60 (seconds)" },
	{ "symbol=A&interval=3600", "interval: want one of 1,60 (seconds)" },
	{ "symbol=A&from=abc", "from: want an integer from 0 to 9007199254740992" },
	{ "symbol=A&from=1.5", "from: want an integer from 0 to 9007199254740992" },
	{ "symbol=A&from=-1", "from: want an integer from 0 to 9007199254740992" },
	{ "symbol=A&from= 1", "from: want an integer from 0 to 9007199254740992" },
	{ "symbol=A&from=1e3", "from: want an integer from 0 to 9007199254740992" },
	{ "symbol=A&from=0x10", "from: want an integer from 0 to 9007199254740992" },
	{ "symbol=A&to=99999999999999999999",
	  "to: want an integer from 0 to 9007199254740992" },
	{ "symbol=A&from=10&to=9", "from: after to" },
	{ "symbol=A&from=10&to=10", NULL },
	{ "symbol=A&limit=0", "limit: want an integer from 1 to 20000" },
	{ "symbol=A&limit=20001", "limit: want an integer from 1 to 20000" },
	{ "symbol=A&limit=-1", "limit: want an integer from 1 to 20000" },
	{ "symbol=A&limit=1", NULL },
	{ "symbol=A&source=coinbase", NULL },
	{ "symbol=A&source=a_b-9", NULL },
	{ "symbol=A&source=abcdefghijklmnop", NULL },		/* 16 */
	{ "symbol=A&source=abcdefghijklmnopq", SOURCE_ERR },
	{ "symbol=A&source=", SOURCE_ERR },
	{ "symbol=A&source", SOURCE_ERR },
	{ "symbol=A&source=Kraken", SOURCE_ERR },
	{ "symbol=A&source=a.b", SOURCE_ERR },
	{ "symbol=A&source=a b", SOURCE_ERR },
	{ "symbol=A&source=a/b", SOURCE_ERR },
	{ "symbol=A&source=%27", SOURCE_ERR },
	{ "symbol=A&source=demo&source=demo", "duplicate parameter: source" },
	{ "symbol=A&sources=demo", "unknown parameter: sources" },
};

static void
test_bars_cases(void)
{
	struct bars_query q;
	struct http_req r;
	char err[160];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(bars_cases) / sizeof(bars_cases[0]); i++) {
		mkreq(&r, bars_cases[i].qs);
		err[0] = '\0';
		rc = query_bars(&r, intervals, 2, &q, err, sizeof(err));
		if (bars_cases[i].err == NULL)
			CHECK(rc == 0, "bars \"%s\" accepted (%s)",
			    bars_cases[i].qs, err);
		else
			CHECK(rc == -1 && strcmp(err, bars_cases[i].err) == 0,
			    "bars \"%s\" -> \"%s\" (got \"%s\")",
			    bars_cases[i].qs, bars_cases[i].err, err);
	}
}

static void
test_bars_defaults(void)
{
	static const int64_t only1[] = { 1 }, big[] = { 5, 300 };
	struct bars_query q;
	struct http_req r;
	char err[160];

	mkreq(&r, "symbol=AAPL");
	CHECK(query_bars(&r, intervals, 2, &q, err, sizeof(err)) == 0 &&
	    strcmp(q.symbol, "AAPL") == 0 && q.interval_s == 60 &&
	    q.limit == 1000 && !q.has_from && !q.has_to && q.from_ms == 0 &&
	    q.to_ms == (int64_t)1 << 53,
	    "bars defaults: interval 60, limit 1000, the whole range");
	mkreq(&r, "symbol=AAPL");
	CHECK(query_bars(&r, only1, 1, &q, err, sizeof(err)) == 0 &&
	    q.interval_s == 1, "bars default interval without 60: the largest");
	mkreq(&r, "symbol=AAPL");
	CHECK(query_bars(&r, big, 2, &q, err, sizeof(err)) == 0 &&
	    q.interval_s == 300, "bars default interval 5,300: 300");
	CHECK(q.source[0] == '\0', "bars default: no source");
	mkreq(&r, "symbol=X&interval=1&from=5&to=7&limit=3&source=kraken");
	CHECK(query_bars(&r, intervals, 2, &q, err, sizeof(err)) == 0 &&
	    q.interval_s == 1 && q.has_from && q.from_ms == 5 && q.has_to &&
	    q.to_ms == 7 && q.limit == 3 && strcmp(q.source, "kraken") == 0,
	    "bars values as given");
	http_req_init(&r);
	r.args_overflow = 1;
	CHECK(query_bars(&r, intervals, 2, &q, err, sizeof(err)) == -1 &&
	    strcmp(err, "query string too long") == 0,
	    "bars: an overflowing query string is refused");
}

static void
test_anomalies(void)
{
	struct anomalies_query q;
	struct http_req r;
	char err[160];

	mkreq(&r, "");
	CHECK(query_anomalies(&r, intervals, 2, &q, err, sizeof(err)) == 0 &&
	    q.symbol[0] == '\0' && q.interval_s == 0 && q.limit == 1000,
	    "anomalies: nothing required, all symbols and intervals");
	mkreq(&r, "symbol=ETH-USD&interval=1&from=1&to=2&limit=7");
	CHECK(query_anomalies(&r, intervals, 2, &q, err, sizeof(err)) == 0 &&
	    strcmp(q.symbol, "ETH-USD") == 0 && q.interval_s == 1 &&
	    q.from_ms == 1 && q.to_ms == 2 && q.limit == 7,
	    "anomalies: values as given");
	mkreq(&r, "kind=volume_spike");
	CHECK(query_anomalies(&r, intervals, 2, &q, err, sizeof(err)) == -1 &&
	    strcmp(err, "unknown parameter: kind") == 0,
	    "anomalies: unknown parameter");
	mkreq(&r, "interval=2");
	CHECK(query_anomalies(&r, intervals, 2, &q, err, sizeof(err)) == -1 &&
	    strcmp(err, "interval: want one of 1,60 (seconds)") == 0,
	    "anomalies: interval not configured");
	mkreq(&r, "from=3&from=4");
	CHECK(query_anomalies(&r, intervals, 2, &q, err, sizeof(err)) == -1 &&
	    strcmp(err, "duplicate parameter: from") == 0,
	    "anomalies: duplicate parameter");
	mkreq(&r, "");
	CHECK(query_anomalies(&r, intervals, 2, &q, err, sizeof(err)) == 0 &&
	    q.source[0] == '\0', "anomalies: every source by default");
	mkreq(&r, "source=binance&symbol=BTC-USD");
	CHECK(query_anomalies(&r, intervals, 2, &q, err, sizeof(err)) == 0 &&
	    strcmp(q.source, "binance") == 0, "anomalies: source as given");
	mkreq(&r, "source=BINANCE");
	CHECK(query_anomalies(&r, intervals, 2, &q, err, sizeof(err)) == -1 &&
	    strcmp(err, "source: want 1 to 16 characters of a-z 0-9 _ -") ==
	    0, "anomalies: bad source");
}

static void
test_side_check(void)
{
	struct side_check_query q;
	struct http_req r;
	char err[160];

	mkreq(&r, "");
	CHECK(query_side_check(&r, &q, err, sizeof(err)) == 0 &&
	    q.symbol[0] == '\0' && q.source[0] == '\0',
	    "side-check: both optional");
	mkreq(&r, "source=coinbase&symbol=BTC-USD");
	CHECK(query_side_check(&r, &q, err, sizeof(err)) == 0 &&
	    strcmp(q.symbol, "BTC-USD") == 0 &&
	    strcmp(q.source, "coinbase") == 0, "side-check: values as given");
	mkreq(&r, "source=coin base");
	CHECK(query_side_check(&r, &q, err, sizeof(err)) == -1 &&
	    strcmp(err, "source: want 1 to 16 characters of a-z 0-9 _ -") ==
	    0, "side-check: bad source");
	mkreq(&r, "symbol=<b>");
	CHECK(query_side_check(&r, &q, err, sizeof(err)) == -1 &&
	    strncmp(err, "symbol: ", 8) == 0, "side-check: bad symbol");
	mkreq(&r, "symbol=A&limit=5");
	CHECK(query_side_check(&r, &q, err, sizeof(err)) == -1 &&
	    strcmp(err, "unknown parameter: limit") == 0,
	    "side-check: no other parameter");
	mkreq(&r, "source=a&source=b");
	CHECK(query_side_check(&r, &q, err, sizeof(err)) == -1 &&
	    strcmp(err, "duplicate parameter: source") == 0,
	    "side-check: duplicate parameter");
	http_req_init(&r);
	r.args_overflow = 1;
	CHECK(query_side_check(&r, &q, err, sizeof(err)) == -1 &&
	    strcmp(err, "query string too long") == 0,
	    "side-check: an overflowing query string is refused");
}

static void
test_helpers(void)
{
	int64_t v, iv[8];

	CHECK(query_int64("0", &v) == 0 && v == 0, "int64 0");
	CHECK(query_int64("-42", &v) == 0 && v == -42, "int64 -42");
	CHECK(query_int64("9223372036854775807", &v) == 0 &&
	    v == INT64_MAX, "int64 max");
	CHECK(query_int64("9223372036854775808", &v) == -1, "int64 overflow");
	CHECK(query_int64("", &v) == -1 && query_int64("-", &v) == -1 &&
	    query_int64("+1", &v) == -1 && query_int64("1 ", &v) == -1,
	    "int64: empty, lone sign, plus, trailing space refused");
	CHECK(query_source_ok("coinbase") && query_source_ok("a-b_1") &&
	    !query_source_ok("") && !query_source_ok("Kraken") &&
	    !query_source_ok("abcdefghijklmnopq") && !query_source_ok("a\"") &&
	    !query_source_ok("a\nb"), "source syntax");
	CHECK(query_symbol_ok("BTC-USD") && !query_symbol_ok("") &&
	    !query_symbol_ok("A\"B") && !query_symbol_ok("A\nB"),
	    "symbol syntax");
	CHECK(query_parse_intervals("1,60", iv, 8) == 2 && iv[0] == 1 &&
	    iv[1] == 60, "intervals 1,60");
	CHECK(query_parse_intervals("60,1", iv, 8) == -1 &&
	    query_parse_intervals("0", iv, 8) == -1 &&
	    query_parse_intervals("", iv, 8) == -1 &&
	    query_parse_intervals("1,2,3", iv, 2) == -1 &&
	    query_parse_intervals("1,x", iv, 8) == -1,
	    "intervals: decreasing, zero, empty, too many, junk refused");
}

int
main(void)
{
	test_bars_cases();
	test_bars_defaults();
	test_anomalies();
	test_side_check();
	test_helpers();
	return check_report();
}
