/*
 * The store's replay requests to the aggregator (docs/store.md "Replay"):
 * an nng req0 socket dialed to the aggregator's replay endpoint, driven by
 * the pager (pager.h), never blocking: sends are non-blocking (no
 * aggregator yet is a failed send, retried with backoff), the socket's
 * receive fd joins the store's poll(), and unanswered requests time out.
 */
#ifndef REPLAY_CLIENT_H
#define REPLAY_CLIENT_H

#include <stdint.h>

#include <nng/nng.h>

#include "pager.h"

struct replay_client {
	nng_socket	 sock;
	int		 fd;		/* readable when a reply waits */
	const char	*url;
	struct pager	 pager;
};

/* Dials url in the background. Returns 0 or an nng error code. */
int	 replay_client_open(struct replay_client *, const char *url,
	    uint32_t max_records, int64_t timeout_ns);
/*
 * Sends the request that is due, if any, for at most room records; gives
 * up on a late reply.
 */
void	 replay_client_send(struct replay_client *, int64_t now_ns,
	    uint32_t room);
/*
 * Takes a reply if one waits: returns 1 with the message (*m, free it
 * with nng_msg_free), its header and what it means (the records are
 * worth storing only when out->take); 0 when none waits.
 */
int	 replay_client_recv(struct replay_client *, int64_t now_ns,
	    nng_msg **m, struct bus_header *h, struct pager_reply *out);
void	 replay_client_close(struct replay_client *);

#endif /* REPLAY_CLIENT_H */
