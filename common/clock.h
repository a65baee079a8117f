/*
 * Clocks for the I/O layers; pure modules take time as arguments instead.
 */
#ifndef CLOCK_H
#define CLOCK_H

#include <stdint.h>

int64_t	 clock_now_ns(void);	/* wall clock, Unix epoch */
int64_t	 clock_mono_ns(void);	/* monotonic, for intervals */

#endif /* CLOCK_H */
