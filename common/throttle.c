/*
 * The login throttle's rules (throttle.h). No I/O.
 */
#include "throttle.h"

int64_t
throttle_addr_wait(const int64_t *ts, size_t n, int64_t now_ms)
{
	size_t first = n, in_window;

	/* The failures still inside the window are a suffix of ts. */
	while (first > 0 && now_ms - ts[first - 1] < THROTTLE_ADDR_WINDOW_MS)
		first--;
	in_window = n - first;
	if (in_window < THROTTLE_ADDR_MAX)
		return 0;
	/* Allowed again once fewer than MAX remain: when the oldest of the
	 * newest MAX leaves. */
	return ts[n - THROTTLE_ADDR_MAX] + THROTTLE_ADDR_WINDOW_MS - now_ms;
}

int64_t
throttle_account_delay(size_t n)
{
	int64_t delay = THROTTLE_ACCT_BASE_MS;
	size_t i;

	if (n < THROTTLE_ACCT_FREE)
		return 0;
	for (i = THROTTLE_ACCT_FREE; i < n && delay < THROTTLE_ACCT_CAP_MS;
	    i++)
		delay *= 2;
	return delay < THROTTLE_ACCT_CAP_MS ? delay : THROTTLE_ACCT_CAP_MS;
}

int64_t
throttle_account_wait(const int64_t *ts, size_t n, int64_t now_ms)
{
	int64_t latest, delay;
	size_t first;

	if (n == 0)
		return 0;
	/* Counted back from the latest failure, not from now, so the delay
	 * it set stays until it has passed, whatever its length. */
	latest = ts[n - 1];
	first = n;
	while (first > 0 && latest - ts[first - 1] < THROTTLE_ACCT_WINDOW_MS)
		first--;
	delay = throttle_account_delay(n - first);
	if (delay == 0 || now_ms >= latest + delay)
		return 0;
	return latest + delay - now_ms;
}

int
throttle_lock_due(size_t n)
{
	return n >= THROTTLE_LOCK_MAX;
}
