/*
 * Exponential backoff with equal jitter (backoff.h). No I/O.
 */
#include "backoff.h"

int64_t
backoff_delay_ms(unsigned attempt, uint32_t r)
{
	int64_t ceiling = BACKOFF_BASE_MS, half;

	/* 250 << 7 = 32000 already passes the cap: stop shifting there. */
	while (attempt-- > 0 && ceiling < BACKOFF_CAP_MS)
		ceiling *= 2;
	if (ceiling > BACKOFF_CAP_MS)
		ceiling = BACKOFF_CAP_MS;
	half = ceiling / 2;
	return half + (int64_t)(r % (uint32_t)(half + 1));
}
