/*
 * The store's flush policy (batch.h). No I/O, no clock.
 */
#include <string.h>

#include "batch.h"
#include "tick.h"

void
batch_init(struct batch *b, const struct batch_policy *p)
{
	memset(b, 0, sizeof(*b));
	b->p = *p;
	if (b->p.max_rows == 0)
		b->p.max_rows = 1;
}

int
batch_admit(struct batch *b, uint64_t pending, int64_t now_ns)
{
	if (pending >= b->p.max_pending) {
		b->dropped++;
		b->replay_due = 1;
		return 0;
	}
	if (pending == 0)
		b->first_ns = now_ns;
	return 1;
}

int
batch_due(const struct batch *b, uint64_t pending, int64_t now_ns)
{
	return pending > 0 && now_ns >= batch_next_ns(b, pending);
}

int64_t
batch_next_ns(const struct batch *b, uint64_t pending)
{
	int64_t at;

	if (pending == 0)
		return INT64_MAX;
	if (pending >= b->p.max_rows)
		at = INT64_MIN;
	else
		at = b->first_ns + b->p.max_delay_ns;
	return at > b->retry_ns ? at : b->retry_ns;
}

uint32_t
batch_flush_rows(const struct batch *b, uint64_t pending)
{
	return pending < b->p.max_rows ? (uint32_t)pending : b->p.max_rows;
}

enum batch_event
batch_ok(struct batch *b)
{
	enum batch_event ev = b->failures > 0 ? BATCH_RECOVERED : BATCH_QUIET;

	/* Rows left over keep first_ns: they have waited, so are due now. */
	if (ev == BATCH_RECOVERED)
		b->episode_failures = b->failures;
	b->failures = 0;
	b->retry_ns = 0;
	return ev;
}

enum batch_event
batch_failed(struct batch *b, int64_t now_ns)
{
	enum batch_event ev = BATCH_QUIET;

	if (b->failures == 0) {
		b->episode_ns = now_ns;
		ev = BATCH_EPISODE_START;
	}
	b->failures++;
	b->retry_ns = now_ns + batch_backoff_ms(b->failures) * NS_PER_MS;
	return ev;
}

int64_t
batch_backoff_ms(unsigned failures)
{
	int64_t ms = BATCH_RETRY_MIN_MS;
	unsigned i;

	for (i = 1; i < failures && ms < BATCH_RETRY_MAX_MS; i++)
		ms *= 2;
	return ms < BATCH_RETRY_MAX_MS ? ms : BATCH_RETRY_MAX_MS;
}

int
batch_take_replay(struct batch *b, uint64_t pending)
{
	if (!b->replay_due || b->failures > 0 || pending > b->p.max_pending / 2)
		return 0;
	b->replay_due = 0;
	return 1;
}
