/*
 * Stall detection that adapts to each feed's own message rate: a quiet
 * symbol is not a dead socket. The limit is factor times a moving average
 * of the gaps between data messages, clamped to [min, max]; before the
 * feed has shown its rate, the limit is max. Only data messages count:
 * status and heartbeat frames keep no feed alive. Pure: time comes in.
 */
#ifndef STALL_H
#define STALL_H

#include <stdint.h>

struct stall {
	int64_t		 min_ns;
	int64_t		 max_ns;
	double		 factor;
	double		 mean_gap_ns;	/* EWMA; 0 until two data messages */
	int64_t		 last_data_ns;	/* or the connection's start */
	uint64_t	 n_data;
	int		 fresh;	/* no data yet on this connection */
};

void	 stall_init(struct stall *, int64_t min_ns, int64_t max_ns,
	    double factor);
/* A new connection: the clock starts now; the learned rate is kept. */
void	 stall_connected(struct stall *, int64_t now_ns);
/* A data message arrived. */
void	 stall_data(struct stall *, int64_t now_ns);
int64_t	 stall_limit_ns(const struct stall *);
/* 1 when no data came for longer than the limit. */
int	 stall_expired(const struct stall *, int64_t now_ns);

#endif /* STALL_H */
