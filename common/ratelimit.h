/*
 * A token bucket for log lines on hot paths: at most burst lines at once,
 * refilled at per_s lines a second; the caller reports how many lines were
 * suppressed when one gets through. Time comes in as now_ns. No I/O.
 */
#ifndef RATELIMIT_H
#define RATELIMIT_H

#include <stdint.h>

struct ratelimit {
	double		 per_s;
	double		 burst;
	double		 tokens;
	int64_t		 last_ns;
	uint64_t	 suppressed;	/* since the last line let through */
};

void	 ratelimit_init(struct ratelimit *, double per_s, double burst);
/*
 * Returns 1 when a line may be written now (and then *suppressed, when not
 * NULL, receives how many were held back since the last one), 0 otherwise.
 */
int	 ratelimit_ok(struct ratelimit *, int64_t now_ns, uint64_t *suppressed);

#endif /* RATELIMIT_H */
