/*
 * Bus sockets over nng pub/sub (DESIGN.md "The bus"). A publisher binds
 * its own endpoint; a subscriber dials any number of publishers and keeps
 * redialing them. Both set nng's queues to the maximum, because pub/sub
 * drops silently when a queue is full (research/deps.md §3b); what is lost
 * anyway shows up as sequence gaps, which the subscriber counts.
 */
#ifndef BUS_NNG_H
#define BUS_NNG_H

#include <stddef.h>
#include <stdint.h>

#include <nng/nng.h>

#include "bus.h"

#define BUS_NNG_QUEUE	8192	/* nng's maximum queue length */
#define BUS_MAX_URLS	16

struct bus_pub {
	nng_socket	 sock;
	uint32_t	 publisher_id;	/* random, never 0 */
	uint64_t	 messages;
	uint64_t	 send_failures;	/* messages nng refused: lost */
};

/* Binds url. Returns 0, or an nng error code (log with nng_strerror). */
int	 bus_pub_open(struct bus_pub *, const char *url);
/* Sends one message without blocking; counts a failure as a loss. */
int	 bus_pub_send(struct bus_pub *, const void *msg, size_t len);
/* Takes the batch's message, if any, and sends it. */
int	 bus_pub_flush(struct bus_pub *, struct bus_batch *);
void	 bus_pub_close(struct bus_pub *);

struct bus_sub {
	nng_socket	 sock;
	int		 fd;		/* readable when a message waits */
	struct bus_gaps	 gaps;
	uint64_t	 bad[BUS_STATUS_MAX];	/* undecodable, by reason */
};

/*
 * Dials every url (retrying in the background until each publisher is
 * up) and subscribes to the given kinds (all kinds when n_kinds is 0).
 * Returns 0 or an nng error code.
 */
int	 bus_sub_open(struct bus_sub *, const char *const *urls, int n_urls,
	    const uint8_t *kinds, int n_kinds);
/*
 * Receives one message without blocking. Returns 1 and a message whose
 * header is decoded and whose gaps are noted (free it with nng_msg_free),
 * 0 when none waits. Undecodable messages are counted in bad[] and
 * skipped.
 */
int	 bus_sub_recv(struct bus_sub *, nng_msg **, struct bus_header *,
	    struct bus_gap_event *);
/* For a process on its way out: leaves the socket to exit (bus_nng.c). */
void	 bus_sub_close(struct bus_sub *);

/* Default endpoint of a publisher: ipc://RUN_DIR/NAME.ipc. */
void	 bus_default_url(char *buf, size_t len, const char *run_dir,
	    const char *name);

/* Splits a comma list of URLs in place; returns how many, or -1. */
int	 bus_split_urls(char *list, const char **urls, int max);

#endif /* BUS_NNG_H */
