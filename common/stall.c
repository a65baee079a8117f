/*
 * Adaptive stall limit (stall.h). No I/O.
 */
#include "stall.h"

/* Weight of the newest gap: ~the last 32 gaps set the average. */
#define GAP_ALPHA	(1.0 / 32.0)

void
stall_init(struct stall *s, int64_t min_ns, int64_t max_ns, double factor)
{
	s->min_ns = min_ns;
	s->max_ns = max_ns < min_ns ? min_ns : max_ns;
	s->factor = factor;
	s->mean_gap_ns = 0;
	s->last_data_ns = 0;
	s->n_data = 0;
	s->fresh = 1;
}

void
stall_connected(struct stall *s, int64_t now_ns)
{
	s->last_data_ns = now_ns;
	s->fresh = 1;
}

void
stall_data(struct stall *s, int64_t now_ns)
{
	double gap;

	/* The first message after a connect measures the handshake, not
	 * the feed: only gaps between data messages are averaged. */
	if (!s->fresh && now_ns > s->last_data_ns) {
		gap = (double)(now_ns - s->last_data_ns);
		if (s->mean_gap_ns == 0)
			s->mean_gap_ns = gap;
		else
			s->mean_gap_ns += GAP_ALPHA * (gap - s->mean_gap_ns);
	}
	s->fresh = 0;
	s->n_data++;
	s->last_data_ns = now_ns;
}

int64_t
stall_limit_ns(const struct stall *s)
{
	double limit;

	if (s->mean_gap_ns == 0)
		return s->max_ns;
	limit = s->factor * s->mean_gap_ns;
	if (limit < (double)s->min_ns)
		return s->min_ns;
	if (limit > (double)s->max_ns)
		return s->max_ns;
	return (int64_t)limit;
}

int
stall_expired(const struct stall *s, int64_t now_ns)
{
	return now_ns - s->last_data_ns > stall_limit_ns(s);
}
