/*
 * Token-bucket rate limit for log lines (ratelimit.h). No I/O.
 */
#include <stddef.h>

#include "ratelimit.h"
#include "tick.h"

void
ratelimit_init(struct ratelimit *rl, double per_s, double burst)
{
	rl->per_s = per_s;
	rl->burst = burst;
	rl->tokens = burst;
	rl->last_ns = 0;
	rl->suppressed = 0;
}

int
ratelimit_ok(struct ratelimit *rl, int64_t now_ns, uint64_t *suppressed)
{
	if (rl->last_ns != 0 && now_ns > rl->last_ns) {
		rl->tokens += (double)(now_ns - rl->last_ns) / NS_PER_S *
		    rl->per_s;
		if (rl->tokens > rl->burst)
			rl->tokens = rl->burst;
	}
	rl->last_ns = now_ns;
	if (rl->tokens < 1.0) {
		rl->suppressed++;
		return 0;
	}
	rl->tokens -= 1.0;
	if (suppressed != NULL)
		*suppressed = rl->suppressed;
	rl->suppressed = 0;
	return 1;
}
