/*
 * Synthetic ticks for the benchmarks: N symbols, half stocks and half
 * crypto pairs on 3 venues, 70 % quotes, prices walking a cent at a time,
 * trade ids unique, crypto trades with a declared side. Deterministic.
 */
#ifndef SYNTH_H
#define SYNTH_H

#include <stdint.h>

#include "tick.h"

struct synth {
	unsigned	 n_symbols;
	int64_t		*px;
	uint64_t	 seed;
	uint64_t	 n;		/* ticks made */
};

int	 synth_init(struct synth *, unsigned n_symbols, uint64_t seed);
void	 synth_free(struct synth *);
/* The next tick, at event time ts_ns. */
void	 synth_next(struct synth *, int64_t ts_ns, struct tick *);

#endif /* SYNTH_H */
