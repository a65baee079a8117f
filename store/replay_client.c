/*
 * Replay requests over nng req0 (replay_client.h).
 */
#include <string.h>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>

#include "log.h"
#include "replay_client.h"

#define REPLY_MAX_BYTES		(4u * 1024 * 1024)
#define REDIAL_MIN_MS		50
#define REDIAL_MAX_MS		1000
#define WARN_AFTER_FAILURES	4	/* 1.75 s of failed sends */

int
replay_client_open(struct replay_client *rc, const char *url,
    uint32_t max_records, int64_t timeout_ns)
{
	int rv;

	memset(rc, 0, sizeof(*rc));
	rc->url = url;
	pager_init(&rc->pager, max_records, timeout_ns);
	if ((rv = nng_req0_open(&rc->sock)) != 0)
		return rv;
	if ((rv = nng_socket_set_size(rc->sock, NNG_OPT_RECVMAXSZ,
	    REPLY_MAX_BYTES)) != 0 ||
	    (rv = nng_socket_set_ms(rc->sock, NNG_OPT_RECONNMINT,
	    REDIAL_MIN_MS)) != 0 ||
	    (rv = nng_socket_set_ms(rc->sock, NNG_OPT_RECONNMAXT,
	    REDIAL_MAX_MS)) != 0 ||
	    (rv = nng_dial(rc->sock, url, NULL, NNG_FLAG_NONBLOCK)) != 0 ||
	    (rv = nng_socket_get_int(rc->sock, NNG_OPT_RECVFD, &rc->fd)) != 0) {
		nng_close(rc->sock);
		return rv;
	}
	return 0;
}

void
replay_client_send(struct replay_client *rc, int64_t now_ns, uint32_t room)
{
	struct bus_replay_req req;
	struct bus_header h;
	uint8_t msg[BUS_HEADER_SIZE + BUS_REPLAY_REQ_SIZE];
	int rv;

	if (pager_check_timeout(&rc->pager, now_ns) == PAGER_FIRST_FAILURE)
		log_warnx("replay: no answer from %s, asking again", rc->url);
	if (!pager_request(&rc->pager, now_ns, room, &req))
		return;
	memset(&h, 0, sizeof(h));
	h.kind = BUS_REPLAY_REQ;
	h.n_records = 1;
	bus_encode_header(msg, &h);
	bus_encode_replay_req(msg + BUS_HEADER_SIZE, &req);
	/* No pipe yet (the aggregator is not up) fails at once: EAGAIN. */
	if ((rv = nng_send(rc->sock, msg, sizeof(msg), NNG_FLAG_NONBLOCK)) ==
	    0)
		pager_sent(&rc->pager, now_ns);
	else {
		(void)pager_send_failed(&rc->pager, now_ns);
		/* The dial takes a moment at start: say so only if it lasts. */
		if (rc->pager.failures == WARN_AFTER_FAILURES)
			log_warnx("replay: cannot reach the aggregator at %s "
			    "(%s), retrying", rc->url, nng_strerror(rv));
	}
}

int
replay_client_recv(struct replay_client *rc, int64_t now_ns, nng_msg **mp,
    struct bus_header *h, struct pager_reply *out)
{
	enum bus_status st;
	nng_msg *m;

	memset(out, 0, sizeof(*out));
	if (!rc->pager.in_flight ||
	    nng_recvmsg(rc->sock, &m, NNG_FLAG_NONBLOCK) != 0)
		return 0;
	st = bus_decode_header(nng_msg_body(m), nng_msg_len(m), h);
	if (st != BUS_OK) {
		log_warnx("replay: undecodable reply from %s: %s", rc->url,
		    bus_status_str(st));
		pager_reply_bad(&rc->pager, now_ns);
		out->bad = 1;
	} else
		pager_reply(&rc->pager, h, now_ns, out);
	*mp = m;
	return 1;
}

void
replay_client_close(struct replay_client *rc)
{
	nng_close(rc->sock);
}
