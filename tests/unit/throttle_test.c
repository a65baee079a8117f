/*
 * The login throttle's rules (common/throttle.c) at their boundaries,
 * with a clock the test sets. Expectations from security.md §4.2: per
 * address 20 failures / 5 min; per account a delay of 1 s doubling after
 * 5 failures / 5 min, capped at 15 min; 100 failures / hour lock.
 */
#include <stdint.h>

#include "../check.h"
#include "throttle.h"

#define MIN_MS	(60 * 1000)

/* n failures at start, start + step, ... */
static void
fill(int64_t *ts, size_t n, int64_t start, int64_t step)
{
	size_t i;

	for (i = 0; i < n; i++)
		ts[i] = start + (int64_t)i * step;
}

static void
test_addr(void)
{
	int64_t ts[40];
	int64_t t0 = 1000000;

	fill(ts, 19, t0, 1000);
	CHECK(throttle_addr_wait(ts, 19, t0 + 20000) == 0,
	    "addr: 19 failures in 5 min allowed");
	fill(ts, 20, t0, 1000);
	/* The oldest (t0) leaves the window at t0 + 5 min. */
	CHECK(throttle_addr_wait(ts, 20, t0 + 20000) == 5 * MIN_MS - 20000,
	    "addr: 20 failures refused, retry when the oldest leaves");
	CHECK(throttle_addr_wait(ts, 20, t0 + 5 * MIN_MS - 1) == 1,
	    "addr: 1 ms before the oldest leaves still refused");
	CHECK(throttle_addr_wait(ts, 20, t0 + 5 * MIN_MS) == 0,
	    "addr: allowed when the oldest leaves the window");
	fill(ts, 21, t0, 1000);
	/* 21 in the window: the second oldest is the oldest of the newest
	 * 20, so 19 remain only once it leaves too. */
	CHECK(throttle_addr_wait(ts, 21, t0 + 30000) ==
	    t0 + 1000 + 5 * MIN_MS - (t0 + 30000),
	    "addr: 21 failures, retry when the 2nd oldest leaves");
	fill(ts, 30, t0, 1000);
	CHECK(throttle_addr_wait(ts, 30, t0 + 29000 + 5 * MIN_MS) == 0,
	    "addr: failures older than 5 min do not count");
	CHECK(throttle_addr_wait(ts, 0, t0) == 0, "addr: no failures");
}

static void
test_delay(void)
{
	CHECK(throttle_account_delay(0) == 0, "delay: 0 failures none");
	CHECK(throttle_account_delay(4) == 0, "delay: 4 failures none");
	CHECK(throttle_account_delay(5) == 1000, "delay: 5 failures 1 s");
	CHECK(throttle_account_delay(6) == 2000, "delay: 6 failures 2 s");
	CHECK(throttle_account_delay(7) == 4000, "delay: 7 failures 4 s");
	CHECK(throttle_account_delay(14) == 512000,
	    "delay: 14 failures 512 s");
	CHECK(throttle_account_delay(15) == 15 * MIN_MS,
	    "delay: 15 failures capped at 15 min (not 1024 s)");
	CHECK(throttle_account_delay(1000) == 15 * MIN_MS,
	    "delay: 1000 failures capped at 15 min");
}

static void
test_account(void)
{
	int64_t ts[THROTTLE_ACCT_SCAN];
	int64_t t0 = 5000000;

	fill(ts, 4, t0, 0);
	CHECK(throttle_account_wait(ts, 4, t0) == 0,
	    "account: 4 failures, next attempt at once");
	fill(ts, 5, t0, 0);
	CHECK(throttle_account_wait(ts, 5, t0) == 1000,
	    "account: 5 failures, wait 1 s");
	CHECK(throttle_account_wait(ts, 5, t0 + 999) == 1,
	    "account: 5 failures, 999 ms later still waiting");
	CHECK(throttle_account_wait(ts, 5, t0 + 1000) == 0,
	    "account: 5 failures, 1 s later allowed");
	fill(ts, 6, t0, 0);
	CHECK(throttle_account_wait(ts, 6, t0 + 1000) == 1000,
	    "account: 6 failures, 1 s later still 1 s to wait");
	CHECK(throttle_account_wait(ts, 6, t0 + 2000) == 0,
	    "account: 6 failures, 2 s later allowed");
	/* The delay runs from the latest failure. */
	fill(ts, 6, t0, 100);
	CHECK(throttle_account_wait(ts, 6, t0 + 500) == 2000,
	    "account: delay counts from the latest failure");
	fill(ts, THROTTLE_ACCT_SCAN, t0, 0);
	CHECK(throttle_account_wait(ts, THROTTLE_ACCT_SCAN, t0 + 1) ==
	    15 * MIN_MS - 1, "account: 16 failures, 15 min cap");
	CHECK(throttle_account_wait(ts, THROTTLE_ACCT_SCAN,
	    t0 + 15 * MIN_MS) == 0, "account: allowed after the 15 min cap");
	/* 4 failures, then one 5 min after the first: not 5 within 5 min. */
	fill(ts, 4, t0, 0);
	ts[4] = t0 + 5 * MIN_MS;
	CHECK(throttle_account_wait(ts, 5, t0 + 5 * MIN_MS) == 0,
	    "account: 5th failure exactly 5 min later does not trigger");
	ts[4] = t0 + 5 * MIN_MS - 1;
	CHECK(throttle_account_wait(ts, 5, t0 + 5 * MIN_MS - 1) == 1000,
	    "account: 5th failure 1 ms inside 5 min triggers");
	fill(ts, 5, t0, 0);
	CHECK(throttle_account_wait(ts, 5, t0 + 10 * MIN_MS) == 0,
	    "account: an old burst no longer delays");
}

static void
test_lock(void)
{
	CHECK(!throttle_lock_due(99), "lock: 99 failures in an hour no");
	CHECK(throttle_lock_due(100), "lock: 100 failures in an hour yes");
	CHECK(throttle_lock_due(101), "lock: 101 failures in an hour yes");
}

int
main(void)
{
	test_addr();
	test_delay();
	test_account();
	test_lock();
	return check_report();
}
