/*
 * Reconnect delays: exponential from 250 ms, doubling, capped at 30 s, with
 * "equal jitter" (half fixed, half random) so that many clients restarted
 * together do not reconnect in step, and never more than the cap. Pure: the
 * random number comes in.
 */
#ifndef BACKOFF_H
#define BACKOFF_H

#include <stdint.h>

#define BACKOFF_BASE_MS	250
#define BACKOFF_CAP_MS	30000

/* Delay before attempt n (0 = the first retry), from random bits r. */
int64_t	 backoff_delay_ms(unsigned attempt, uint32_t r);

#endif /* BACKOFF_H */
