/*
 * The Polygon handshake state machine and its control messages.
 */
#include <string.h>

#include "../check.h"
#include "polygon_session.h"

static void
test_handshake(void)
{
	struct polygon_session s;

	polygon_session_start(&s);
	CHECK(polygon_session_status(&s, FSS_CONNECTED) == PA_SEND_AUTH,
	    "connected -> send auth");
	CHECK(polygon_session_status(&s, FSS_CONNECTED) == PA_NONE,
	    "a second connected does not send auth twice");
	CHECK(polygon_session_status(&s, FSS_AUTH_SUCCESS) ==
	    PA_SEND_SUBSCRIBE && s.phase == PP_LIVE,
	    "auth_success -> subscribe, live");
	CHECK(polygon_session_status(&s, FSS_SUCCESS) == PA_NONE,
	    "subscription acks need nothing");
	CHECK(polygon_session_status(&s, FSS_SLOW_CONSUMER) == PA_KICKED,
	    "slow_consumer -> kicked");
	CHECK(polygon_session_status(&s, FSS_MAX_CONNECTIONS) == PA_KICKED,
	    "max_connections -> kicked");

	polygon_session_start(&s);
	CHECK(polygon_session_status(&s, FSS_SUCCESS) == PA_SEND_AUTH,
	    "the spec's first \"success\" also starts auth");
	CHECK(polygon_session_status(&s, FSS_AUTH_FAILED) == PA_AUTH_FAILED,
	    "auth_failed -> give up this connection");
	polygon_session_start(&s);
	polygon_session_status(&s, FSS_CONNECTED);
	CHECK(polygon_session_status(&s, FSS_AUTH_TIMEOUT) == PA_AUTH_FAILED,
	    "auth_timeout -> give up this connection");
	polygon_session_start(&s);
	CHECK(polygon_session_status(&s, FSS_AUTH_SUCCESS) == PA_WARN,
	    "auth_success before auth was sent is odd, not fatal");
	CHECK(polygon_session_status(&s, FSS_ERROR) == PA_WARN,
	    "error -> warn");
	CHECK(polygon_session_status(&s, FSS_OTHER) == PA_NONE,
	    "unknown status -> nothing");
}

static void
test_messages(void)
{
	static const struct {
		const char	*name;
		int		 ac;
		const char	*symbols;
		const char	*want;	/* NULL: must fail */
	} subs[] = {
		{ "stocks", ASSET_STOCK, "AAPL,MSFT",
		  "{\"action\":\"subscribe\",\"params\":\"T.AAPL,Q.AAPL,"
		  "AM.AAPL,T.MSFT,Q.MSFT,AM.MSFT\"}" },
		{ "crypto, spaces trimmed", ASSET_CRYPTO, " BTC-USD , ETH-USD",
		  "{\"action\":\"subscribe\",\"params\":\"XT.BTC-USD,"
		  "XQ.BTC-USD,XA.BTC-USD,XT.ETH-USD,XQ.ETH-USD,XA.ETH-USD\"}" },
		{ "wildcard", ASSET_STOCK, "*",
		  "{\"action\":\"subscribe\",\"params\":\"T.*,Q.*,AM.*\"}" },
		{ "empty entries skipped", ASSET_STOCK, ",,SPY,",
		  "{\"action\":\"subscribe\",\"params\":\"T.SPY,Q.SPY,"
		  "AM.SPY\"}" },
		{ "nothing to subscribe", ASSET_STOCK, " , ", NULL },
		{ "quote in a symbol", ASSET_STOCK, "AA\"PL", NULL },
		{ "backslash in a symbol", ASSET_CRYPTO, "BTC\\USD", NULL },
	};
	char buf[256], tiny[40];
	size_t i, n;

	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		n = polygon_subscribe_message(buf, sizeof(buf), subs[i].ac,
		    subs[i].symbols);
		if (subs[i].want == NULL)
			CHECK(n == 0, "subscribe: %s fails", subs[i].name);
		else
			CHECK(n == strlen(subs[i].want) &&
			    strcmp(buf, subs[i].want) == 0,
			    "subscribe: %s", subs[i].name);
	}
	CHECK(polygon_subscribe_message(tiny, sizeof(tiny), ASSET_STOCK,
	    "AAPL,MSFT") == 0, "subscribe: too long for the buffer fails");

	n = polygon_auth_message(buf, sizeof(buf), "Abc123");
	CHECK(n > 0 && strcmp(buf,
	    "{\"action\":\"auth\",\"params\":\"Abc123\"}") == 0, "auth message");
	n = polygon_auth_message(buf, sizeof(buf), "a\"b\\c\n");
	CHECK(n > 0 && strcmp(buf,
	    "{\"action\":\"auth\",\"params\":\"a\\\"b\\\\c\\u000a\"}") == 0,
	    "auth message escapes the key");
	CHECK(polygon_auth_message(tiny, sizeof(tiny),
	    "0123456789012345678901234567890123456789") == 0,
	    "auth message too long fails");
}

int
main(void)
{
	test_handshake();
	test_messages();
	return check_report();
}
