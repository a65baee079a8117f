/*
 * Reconnect backoff and the adaptive stall limit.
 */
#include <stdint.h>

#include "../check.h"
#include "backoff.h"
#include "stall.h"
#include "tick.h"

static void
test_backoff(void)
{
	static const struct {
		unsigned	 attempt;
		int64_t		 lo, hi;	/* equal jitter: [ceil/2, ceil] */
	} want[] = {
		{ 0, 125, 250 }, { 1, 250, 500 }, { 2, 500, 1000 },
		{ 3, 1000, 2000 }, { 4, 2000, 4000 }, { 5, 4000, 8000 },
		{ 6, 8000, 16000 }, { 7, 15000, 30000 }, { 8, 15000, 30000 },
		{ 1000, 15000, 30000 }, { 4294967295u, 15000, 30000 },
	};
	static const uint32_t rs[] = { 0, 1, 12345, 0x7fffffff, 0xffffffff };
	unsigned i, j;
	int64_t d;
	int ok;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		ok = 1;
		for (j = 0; j < sizeof(rs) / sizeof(rs[0]); j++) {
			d = backoff_delay_ms(want[i].attempt, rs[j]);
			if (d < want[i].lo || d > want[i].hi)
				ok = 0;
		}
		CHECK(ok, "backoff attempt %u within [%lld, %lld] ms",
		    want[i].attempt, (long long)want[i].lo,
		    (long long)want[i].hi);
	}
	CHECK(backoff_delay_ms(0, 0) == 125 && backoff_delay_ms(0, 125) == 250,
	    "jitter spans the whole upper half");
	CHECK(backoff_delay_ms(20, 15000) == 30000,
	    "never above the 30 s cap");
}

static void
test_stall(void)
{
	struct stall s;
	int64_t t = 1000 * NS_PER_S;
	int i;

	stall_init(&s, 10 * NS_PER_S, 300 * NS_PER_S, 20);
	stall_connected(&s, t);
	CHECK(stall_limit_ns(&s) == 300 * NS_PER_S,
	    "before the rate is known the limit is the maximum");
	CHECK(!stall_expired(&s, t + 299 * NS_PER_S) &&
	    stall_expired(&s, t + 301 * NS_PER_S), "expires after the max");

	/* A busy feed: a message every 100 ms -> 20 * 0.1 s = 2 s -> min. */
	for (i = 0; i < 100; i++) {
		t += NS_PER_S / 10;
		stall_data(&s, t);
	}
	CHECK(stall_limit_ns(&s) == 10 * NS_PER_S, "busy feed: limit is min");
	CHECK(!stall_expired(&s, t + 9 * NS_PER_S) &&
	    stall_expired(&s, t + 11 * NS_PER_S), "busy feed stalls after 10 s");

	/* A quiet feed: one message every 5 s -> limit near 100 s. */
	stall_init(&s, 10 * NS_PER_S, 300 * NS_PER_S, 20);
	stall_connected(&s, t);
	for (i = 0; i < 200; i++) {
		t += 5 * NS_PER_S;
		stall_data(&s, t);
	}
	CHECK(stall_limit_ns(&s) > 99 * NS_PER_S &&
	    stall_limit_ns(&s) < 101 * NS_PER_S,
	    "quiet feed: limit is 20 x its 5 s gap (%lld ns)",
	    (long long)stall_limit_ns(&s));
	CHECK(!stall_expired(&s, t + 60 * NS_PER_S),
	    "a quiet minute on a quiet feed is not a stall");

	/* The gap from connect to first data is the handshake: not learned. */
	stall_connected(&s, t + 1000 * NS_PER_S);
	stall_data(&s, t + 1250 * NS_PER_S);
	CHECK(stall_limit_ns(&s) > 99 * NS_PER_S &&
	    stall_limit_ns(&s) < 101 * NS_PER_S,
	    "reconnect wait is not taken as the feed's gap");

	/* Very quiet: clamp to max. */
	stall_init(&s, 10 * NS_PER_S, 300 * NS_PER_S, 20);
	stall_connected(&s, 0);
	stall_data(&s, 60 * NS_PER_S);
	stall_data(&s, 120 * NS_PER_S);
	CHECK(stall_limit_ns(&s) == 300 * NS_PER_S, "very quiet: clamp to max");
}

int
main(void)
{
	test_backoff();
	test_stall();
	return check_report();
}
