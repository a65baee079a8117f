/*
 * The store's flush policy (store/batch.c): when a flush is due, how big
 * it is, the retry schedule after failures, the memory bound.
 */
#include <stdint.h>

#include "../check.h"
#include "../../store/batch.h"
#include "tick.h"

#define MS	NS_PER_MS

static const struct batch_policy policy = { 100, 500 * MS, 1000 };

static const struct {
	const char	*name;
	uint64_t	 pending;
	int64_t		 first_ns;	/* the oldest row came */
	int64_t		 retry_ns;	/* after a failure */
	int64_t		 now_ns;
	int		 want_due;
	int64_t		 want_next_ns;
} due_cases[] = {
	{ "nothing pending: never due", 0, 0, 0, 1000000 * MS, 0, INT64_MAX },
	{ "one young row waits", 1, 0, 0, 499 * MS, 0, 500 * MS },
	{ "one row at max_delay is due", 1, 0, 0, 500 * MS, 1, 500 * MS },
	{ "max_rows waiting: due at once", 100, 10 * MS, 0, 10 * MS, 1, 0 },
	{ "more than max_rows: due at once", 5000, 10 * MS, 0, 10 * MS, 1,
	  0 },
	{ "a failure's backoff holds a full batch", 100, 0, 1000 * MS,
	  900 * MS, 0, 1000 * MS },
	{ "backoff over: due", 100, 0, 1000 * MS, 1000 * MS, 1, 1000 * MS },
	{ "backoff later than the delay wins", 1, 0, 700 * MS, 600 * MS, 0,
	  700 * MS },
	{ "delay later than the backoff wins", 1, 0, 200 * MS, 300 * MS, 0,
	  500 * MS },
};

static void
test_due(void)
{
	struct batch b;
	size_t i;

	for (i = 0; i < sizeof(due_cases) / sizeof(due_cases[0]); i++) {
		batch_init(&b, &policy);
		b.first_ns = due_cases[i].first_ns;
		b.retry_ns = due_cases[i].retry_ns;
		CHECK(batch_due(&b, due_cases[i].pending,
		    due_cases[i].now_ns) == due_cases[i].want_due &&
		    batch_next_ns(&b, due_cases[i].pending) ==
		    due_cases[i].want_next_ns, "due: %s", due_cases[i].name);
	}
}

static const struct {
	unsigned	 failures;
	int64_t		 want_ms;
} backoff_cases[] = {
	{ 0, 250 }, { 1, 250 }, { 2, 500 }, { 3, 1000 }, { 4, 2000 },
	{ 5, 4000 }, { 6, 8000 }, { 7, 16000 }, { 8, 30000 }, { 9, 30000 },
	{ 1000, 30000 }, { UINT32_MAX, 30000 },
};

static void
test_backoff(void)
{
	size_t i;

	for (i = 0; i < sizeof(backoff_cases) / sizeof(backoff_cases[0]);
	    i++)
		CHECK(batch_backoff_ms(backoff_cases[i].failures) ==
		    backoff_cases[i].want_ms, "backoff after %u failures: %lld "
		    "ms", backoff_cases[i].failures,
		    (long long)backoff_cases[i].want_ms);
}

static const struct {
	uint64_t	 pending;
	uint32_t	 want;
} size_cases[] = {
	{ 0, 0 }, { 7, 7 }, { 100, 100 }, { 250, 100 }, { 5000000, 100 },
};

static void
test_flush_rows(void)
{
	struct batch b;
	size_t i;

	batch_init(&b, &policy);
	for (i = 0; i < sizeof(size_cases) / sizeof(size_cases[0]); i++)
		CHECK(batch_flush_rows(&b, size_cases[i].pending) ==
		    size_cases[i].want, "flush size: %llu pending -> %u rows",
		    (unsigned long long)size_cases[i].pending,
		    size_cases[i].want);
}

/* A failure episode: retries spaced out, one start, one recovery. */
static void
test_episode(void)
{
	struct batch b;
	enum batch_event e1, e2, e3, e4;
	int64_t r1, r2;

	batch_init(&b, &policy);
	batch_admit(&b, 0, 0);
	e1 = batch_failed(&b, 1000 * MS);
	r1 = b.retry_ns;
	e2 = batch_failed(&b, r1);
	r2 = b.retry_ns;
	CHECK(e1 == BATCH_EPISODE_START && e2 == BATCH_QUIET &&
	    r1 == 1250 * MS && r2 == r1 + 500 * MS,
	    "episode: the first failure is reported, retries at +250, +500 ms");
	CHECK(!batch_due(&b, 500, r2 - 1) && batch_due(&b, 500, r2),
	    "episode: nothing is written before the retry time");
	e3 = batch_ok(&b);
	CHECK(e3 == BATCH_RECOVERED && b.episode_failures == 2 &&
	    b.failures == 0 && batch_due(&b, 1, r2),
	    "episode: recovery reported with its count; the rest is due now");
	e4 = batch_ok(&b);
	CHECK(e4 == BATCH_QUIET, "episode: later successes are quiet");
}

/* The bound: rows past max_pending are dropped; a replay follows. */
static void
test_bound(void)
{
	struct batch_policy p = { 10, 500 * MS, 4 };
	struct batch b;
	int kept = 0, i;

	batch_init(&b, &p);
	for (i = 0; i < 6; i++)
		kept += batch_admit(&b, (uint64_t)i < 4 ? (uint64_t)i : 4,
		    i * MS);
	CHECK(kept == 4 && b.dropped == 2 && b.replay_due,
	    "bound: 4 kept, 2 dropped, a replay is due");
	CHECK(b.first_ns == 0, "bound: the oldest row's time is kept");
	batch_failed(&b, 10 * MS);
	CHECK(batch_take_replay(&b, 0) == 0,
	    "bound: no replay while writes still fail");
	batch_ok(&b);
	CHECK(batch_take_replay(&b, 3) == 0,
	    "bound: no replay while the backlog is over half the bound");
	CHECK(batch_take_replay(&b, 2) == 1 && batch_take_replay(&b, 2) == 0,
	    "bound: one replay once writes work and the backlog is small");
	batch_admit(&b, 0, 77 * MS);
	CHECK(b.first_ns == 77 * MS, "bound: an empty queue's next row "
	    "starts the delay");
}

int
main(void)
{
	test_due();
	test_backoff();
	test_flush_rows();
	test_episode();
	test_bound();
	return check_report();
}
