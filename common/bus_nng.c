/*
 * nng pub/sub sockets for the bus (bus_nng.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include <nng/nng.h>
#include <nng/protocol/pubsub0/pub.h>
#include <nng/protocol/pubsub0/sub.h>
#include <nng/supplemental/util/platform.h>

#include "bus_nng.h"

#define RECV_MAX_BYTES		(16u * 1024 * 1024)
#define REDIAL_MIN_MS		50
#define REDIAL_MAX_MS		1000
#define LINGER_MS		100

static uint32_t
random_publisher_id(void)
{
	uint32_t id = 0;

	while (id == 0) {
		if (getrandom(&id, sizeof(id), 0) != (ssize_t)sizeof(id))
			id = 0;
	}
	return id;
}

int
bus_pub_open(struct bus_pub *p, const char *url)
{
	int rv;

	memset(p, 0, sizeof(*p));
	p->publisher_id = random_publisher_id();
	if ((rv = nng_pub0_open(&p->sock)) != 0)
		return rv;
	if ((rv = nng_socket_set_int(p->sock, NNG_OPT_SENDBUF,
	    BUS_NNG_QUEUE)) != 0 ||
	    (rv = nng_listen(p->sock, url, NULL, 0)) != 0) {
		nng_close(p->sock);
		return rv;
	}
	return 0;
}

int
bus_pub_send(struct bus_pub *p, const void *msg, size_t len)
{
	int rv;

	/* PUB never blocks; a copy is made, so msg may be reused at once. */
	rv = nng_send(p->sock, (void *)(uintptr_t)msg, len, NNG_FLAG_NONBLOCK);
	if (rv != 0)
		p->send_failures++;
	else
		p->messages++;
	return rv;
}

int
bus_pub_flush(struct bus_pub *p, struct bus_batch *b)
{
	const void *msg;
	size_t len;

	if (bus_batch_take(b, &msg, &len) == -1)
		return 0;
	return bus_pub_send(p, msg, len);
}

void
bus_pub_close(struct bus_pub *p)
{
	/* nng 1.5 does not linger: give the pipes a moment to drain what
	 * was queued, so a clean stop loses nothing. */
	if (p->messages > 0)
		nng_msleep(LINGER_MS);
	nng_close(p->sock);
}

int
bus_sub_open(struct bus_sub *s, const char *const *urls, int n_urls,
    const uint8_t *kinds, int n_kinds)
{
	int i, rv;

	memset(s, 0, sizeof(*s));
	bus_gaps_init(&s->gaps);
	if ((rv = nng_sub0_open(&s->sock)) != 0)
		return rv;
	if ((rv = nng_socket_set_int(s->sock, NNG_OPT_RECVBUF,
	    BUS_NNG_QUEUE)) != 0 ||
	    (rv = nng_socket_set_size(s->sock, NNG_OPT_RECVMAXSZ,
	    RECV_MAX_BYTES)) != 0 ||
	    (rv = nng_socket_set_ms(s->sock, NNG_OPT_RECONNMINT,
	    REDIAL_MIN_MS)) != 0 ||
	    (rv = nng_socket_set_ms(s->sock, NNG_OPT_RECONNMAXT,
	    REDIAL_MAX_MS)) != 0)
		goto fail;
	for (i = 0; i < n_kinds; i++)
		if ((rv = nng_socket_set(s->sock, NNG_OPT_SUB_SUBSCRIBE,
		    &kinds[i], 1)) != 0)
			goto fail;
	if (n_kinds == 0 &&
	    (rv = nng_socket_set(s->sock, NNG_OPT_SUB_SUBSCRIBE, "", 0)) != 0)
		goto fail;
	/* NONBLOCK: a publisher that is not up yet is dialed again later. */
	for (i = 0; i < n_urls; i++)
		if ((rv = nng_dial(s->sock, urls[i], NULL,
		    NNG_FLAG_NONBLOCK)) != 0)
			goto fail;
	if ((rv = nng_socket_get_int(s->sock, NNG_OPT_RECVFD, &s->fd)) != 0)
		goto fail;
	return 0;
fail:
	nng_close(s->sock);
	return rv;
}

int
bus_sub_recv(struct bus_sub *s, nng_msg **mp, struct bus_header *h,
    struct bus_gap_event *ev)
{
	enum bus_status st;
	nng_msg *m;

	for (;;) {
		if (nng_recvmsg(s->sock, &m, NNG_FLAG_NONBLOCK) != 0)
			return 0;
		st = bus_decode_header(nng_msg_body(m), nng_msg_len(m), h);
		if (st == BUS_OK)
			break;
		s->bad[st]++;
		nng_msg_free(m);
	}
	bus_gaps_note(&s->gaps, h, ev);
	*mp = m;
	return 1;
}

/*
 * Every caller is a process on its way out, and nng 1.5.2's nng_close can
 * deadlock on a sub socket whose dialers are redialing a publisher that
 * went away (nng issue #1543, fixed after 1.5.2; seen here when a whole
 * pipeline stops at once). A subscriber holds nothing worth flushing, so
 * the socket is left for exit to release rather than risk a hang that
 * supervisord would have to SIGKILL.
 */
void
bus_sub_close(struct bus_sub *s)
{
	(void)s;
}

void
bus_default_url(char *buf, size_t len, const char *run_dir, const char *name)
{
	snprintf(buf, len, "ipc://%s/%s.ipc", run_dir, name);
}

int
bus_split_urls(char *list, const char **urls, int max)
{
	char *p, *save = NULL;
	int n = 0;

	for (p = strtok_r(list, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save)) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			continue;
		if (n == max)
			return -1;
		urls[n++] = p;
	}
	return n;
}
