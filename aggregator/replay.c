/*
 * The replay endpoint (replay.h): nng rep0, non-blocking.
 */
#include <string.h>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/rep.h>

#include "replay.h"

#define REQUEST_MAX_BYTES	4096	/* a request is 64 bytes */
#define SERVE_MAX		32	/* requests answered per call */

int
replay_open(struct replay *r, const char *url)
{
	int rv;

	memset(r, 0, sizeof(*r));
	if ((rv = nng_rep0_open(&r->sock)) != 0)
		return rv;
	if ((rv = nng_socket_set_size(r->sock, NNG_OPT_RECVMAXSZ,
	    REQUEST_MAX_BYTES)) != 0 ||
	    (rv = nng_listen(r->sock, url, NULL, 0)) != 0 ||
	    (rv = nng_socket_get_int(r->sock, NNG_OPT_RECVFD, &r->fd)) != 0) {
		nng_close(r->sock);
		return rv;
	}
	return 0;
}

int
replay_fd(const struct replay *r)
{
	return r->fd;
}

/* The history a request asks, or NULL when the request is malformed. */
static const struct history *
decode(const void *body, size_t len, const struct history *bars,
    const struct history *anomalies, struct bus_replay_req *req)
{
	struct bus_header h;

	if (bus_decode_header(body, len, &h) != BUS_OK ||
	    h.kind != BUS_REPLAY_REQ || h.n_records != 1 ||
	    bus_decode_replay_req((const uint8_t *)body + BUS_HEADER_SIZE,
	    req) != BUS_OK)
		return NULL;
	return req->want_kind == BUS_BARS ? bars : anomalies;
}

/* Builds the reply to one request in m, a HISTORY_REPLY_MAX message. */
static void
answer(struct replay *r, nng_msg *req_msg, nng_msg *m,
    const struct history *bars, const struct history *anomalies,
    uint32_t publisher_id)
{
	const struct history *hist;
	struct bus_replay_req req;
	struct bus_header h;
	size_t len;

	hist = decode(nng_msg_body(req_msg), nng_msg_len(req_msg), bars,
	    anomalies, &req);
	if (hist != NULL)
		len = history_answer(hist, &req, publisher_id,
		    nng_msg_body(m), HISTORY_REPLY_MAX);
	else {
		r->malformed++;
		memset(&h, 0, sizeof(h));
		h.kind = BUS_BARS;
		h.publisher_id = publisher_id;
		bus_encode_header(nng_msg_body(m), &h);
		len = BUS_HEADER_SIZE;
	}
	nng_msg_chop(m, HISTORY_REPLY_MAX - len);
	r->records += (len - BUS_HEADER_SIZE) /
	    bus_record_size(hist != NULL ? hist->kind : BUS_BARS);
}

void
replay_serve(struct replay *r, const struct history *bars,
    const struct history *anomalies, uint32_t publisher_id)
{
	nng_msg *req_msg, *m;
	int i;

	for (i = 0; i < SERVE_MAX; i++) {
		if (nng_recvmsg(r->sock, &req_msg, NNG_FLAG_NONBLOCK) != 0)
			return;
		r->requests++;
		if (nng_msg_alloc(&m, HISTORY_REPLY_MAX) != 0) {
			/* Unanswered: the requester times out, asks again. */
			r->send_failures++;
			nng_msg_free(req_msg);
			continue;
		}
		answer(r, req_msg, m, bars, anomalies, publisher_id);
		nng_msg_free(req_msg);
		if (nng_sendmsg(r->sock, m, NNG_FLAG_NONBLOCK) != 0) {
			r->send_failures++;
			nng_msg_free(m);
		}
	}
}

void
replay_close(struct replay *r)
{
	nng_close(r->sock);
}
