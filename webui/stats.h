/*
 * webui's own counters, shared by the lws thread and the workers
 * (atomics), and their Prometheus text (format 0.0.4) for /metrics and
 * the JSON for /api/health.
 */
#ifndef STATS_H
#define STATS_H

#include <stdatomic.h>
#include <stdint.h>

#include "buf.h"
#include "http.h"

struct webui_stats {
	atomic_uint_fast64_t	 responses[5];	/* by status class 1xx..5xx */
	atomic_uint_fast64_t	 logins_ok;
	atomic_uint_fast64_t	 logins_failed;
	atomic_uint_fast64_t	 logins_throttled;
	atomic_uint_fast64_t	 csrf_refused;
	atomic_uint_fast64_t	 live_upgrades;	/* accepted */
	atomic_uint_fast64_t	 live_refused;
	atomic_uint_fast64_t	 queue_full;	/* requests refused with 503 */
	atomic_int_fast64_t	 queue_depth;	/* jobs waiting */
	atomic_int_fast64_t	 hashing;	/* argon2id jobs running */
	int			 workers;
	int			 hash_slots;
	int64_t			 started_ms;
};

void	 stats_init(struct webui_stats *, int workers, int hash_slots,
	    int64_t now_ms);
/* Counts a written response and the event it carried. */
void	 stats_response(struct webui_stats *, int status, enum http_event);
void	 stats_prometheus(const struct webui_stats *, int64_t now_ms,
	    struct buf *);
void	 stats_json(const struct webui_stats *, int64_t now_ms, struct buf *);

#endif /* STATS_H */
