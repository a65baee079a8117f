/*
 * The aggregator's replay endpoint: an nng rep0 socket that answers the
 * store's requests (bus.h, struct bus_replay_req) from the history rings
 * (history.h), which own the protocol's rules. The socket's receive fd
 * joins the aggregator's poll(); replay_serve() answers whatever waits
 * without blocking. Every request gets an answer, because rep0 drops a
 * request's return path at the next receive: a malformed one gets an
 * empty BUS_BARS reply and is counted.
 */
#ifndef REPLAY_H
#define REPLAY_H

#include <stdint.h>

#include <nng/nng.h>

#include "history.h"

struct replay {
	nng_socket	 sock;
	int		 fd;		/* readable: a request waits */
	uint64_t	 requests;	/* answered, malformed included */
	uint64_t	 malformed;
	uint64_t	 records;	/* records sent in replies */
	/* Replies nng refused: the requester times out, asks again. */
	uint64_t	 send_failures;
};

/* Listens on url. Returns 0 or an nng error code. */
int	 replay_open(struct replay *, const char *url);
int	 replay_fd(const struct replay *);
/*
 * Answers every request waiting (at most a bounded number per call, so
 * the caller's loop keeps its pace), never blocking. publisher_id is the
 * aggregator's bus publisher id, so the requester can tell a restart.
 */
void	 replay_serve(struct replay *, const struct history *bars,
	    const struct history *anomalies, uint32_t publisher_id);
void	 replay_close(struct replay *);

#endif /* REPLAY_H */
