/*
 * bustap URL...: prints every record published on the given bus endpoints
 * as one JSON line, and a line for every sequence gap it sees, for
 * operators and tests. With --summary it prints nothing per record and
 * one line of totals at exit (the benchmark's counter).
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "bus.h"
#include "bus_nng.h"
#include "clock.h"
#include "config.h"
#include "log.h"
#include "print.h"
#include "sigfd.h"

struct bustap {
	struct bus_sub	 sub;
	const char	*kind;
	long		 max_records;
	int64_t		 duration_ms;
	int		 summary;
	int		 sigfd;
	uint64_t	 records;
	uint64_t	 bad_seen[BUS_STATUS_MAX];
	int64_t		 first_ns, last_ns;
	int		 quit;
};

static int
print_record(const struct bus_header *h, const uint8_t *p)
{
	struct side_check c;
	struct anomaly a;
	struct bus_stat s;
	struct tick t;
	struct bar b;

	switch (h->kind) {
	case BUS_TICKS:
		if (bus_decode_tick(p, &t) != BUS_OK)
			return -1;
		print_tick(stdout, h, &t);
		return 0;
	case BUS_STATS:
		if (bus_decode_stat(p, &s) != BUS_OK)
			return -1;
		print_stat(stdout, h, &s);
		return 0;
	case BUS_BARS:
		if (bus_decode_bar(p, &b) != BUS_OK)
			return -1;
		print_bar(stdout, h, &b);
		return 0;
	case BUS_ANOMALIES:
		if (bus_decode_anomaly(p, &a) != BUS_OK)
			return -1;
		print_anomaly(stdout, h, &a);
		return 0;
	case BUS_SIDE_CHECKS:
		if (bus_decode_side_check(p, &c) != BUS_OK)
			return -1;
		print_side_check(stdout, h, &c);
		return 0;
	default:
		return -1;
	}
}

static void
print_records(const struct bus_header *h, const uint8_t *p)
{
	uint32_t i;
	size_t rsize = bus_record_size(h->kind);

	for (i = 0; i < h->n_records; i++, p += rsize)
		if (print_record(h, p) == -1)
			print_bad(stdout, BUS_BAD_RECORD, 1);
}

/* Drains what waits; returns -1 once enough records were seen. */
static int
drain(struct bustap *bt)
{
	struct bus_gap_event ev;
	struct bus_header h;
	nng_msg *m;
	int i;

	while (bus_sub_recv(&bt->sub, &m, &h, &ev) == 1) {
		bt->last_ns = clock_mono_ns();
		if (bt->records == 0)
			bt->first_ns = bt->last_ns;
		bt->records += h.n_records;
		if (!bt->summary) {
			if (ev.missed_messages > 0)
				print_gap(stdout, &h, &ev);
			print_records(&h, (const uint8_t *)nng_msg_body(m) +
			    BUS_HEADER_SIZE);
		}
		nng_msg_free(m);
		if (bt->max_records > 0 &&
		    bt->records >= (uint64_t)bt->max_records)
			return -1;
	}
	for (i = 0; i < BUS_STATUS_MAX; i++)
		if (bt->sub.bad[i] != bt->bad_seen[i] && !bt->summary)
			print_bad(stdout, (enum bus_status)i, bt->sub.bad[i]);
	memcpy(bt->bad_seen, bt->sub.bad, sizeof(bt->bad_seen));
	fflush(stdout);
	return 0;
}

static void
print_summary(const struct bustap *bt)
{
	const struct bus_gaps *g = &bt->sub.gaps;
	double secs = (double)(bt->last_ns - bt->first_ns) / NS_PER_S;

	printf("{\"summary\":{\"records\":%" PRIu64 ",\"messages\":%" PRIu64
	    ",\"gaps\":%" PRIu64 ",\"missed_messages\":%" PRIu64
	    ",\"missed_records\":%" PRIu64 ",\"restarts\":%" PRIu64
	    ",\"seconds\":%.3f,\"records_per_s\":%.0f}}\n", bt->records,
	    g->messages, g->gaps, g->missed_messages, g->missed_records,
	    g->restarts, secs, secs > 0 ? (double)bt->records / secs : 0.0);
	fflush(stdout);
}

static uint8_t
kind_from_name(const char *name)
{
	int k;

	for (k = BUS_TICKS; k < BUS_REPLAY_REQ; k++)
		if (strcmp(bus_kind_name(k), name) == 0)
			return (uint8_t)k;
	return BUS_NONE;
}

static int
open_sub(struct bustap *bt, int n_urls, char **urls)
{
	uint8_t kinds[1];
	int n_kinds = 1, rv;

	if (strcmp(bt->kind, "all") == 0)
		n_kinds = 0;
	else if ((kinds[0] = kind_from_name(bt->kind)) == BUS_NONE) {
		fprintf(stderr, "--kind: ticks, stats, bars, anomalies, "
		    "side_checks or all\n");
		return EX_USAGE_ERR;
	}
	if ((rv = bus_sub_open(&bt->sub, (const char *const *)urls, n_urls,
	    kinds, n_kinds)) != 0)
		fatalx("cannot subscribe: %s", nng_strerror(rv));
	return 0;
}

static void
serve(struct bustap *bt)
{
	struct signalfd_siginfo si;
	struct pollfd pfd[2];
	int64_t deadline = bt->duration_ms > 0 ?
	    clock_mono_ns() + bt->duration_ms * NS_PER_MS : 0;
	int timeout;

	pfd[0].fd = bt->sub.fd;
	pfd[0].events = POLLIN;
	pfd[1].fd = bt->sigfd;
	pfd[1].events = POLLIN;
	while (!bt->quit) {
		timeout = deadline == 0 ? -1 : (int)((deadline -
		    clock_mono_ns()) / NS_PER_MS) + 1;
		if (deadline != 0 && timeout <= 0)
			break;
		if (poll(pfd, 2, timeout) == -1 && errno != EINTR)
			fatal("poll");
		if (pfd[1].revents & POLLIN) {
			if (read(bt->sigfd, &si, sizeof(si)) > 0)
				bt->quit = 1;
		}
		if (drain(bt) == -1)
			break;
	}
}

int
main(int argc, char *argv[])
{
	struct bustap bt;
	struct config_args pos;
	const struct config_opt opts[] = {
		{ "kind", NULL, CONFIG_STR, &bt.kind, "all", 0, 0,
		  "records to show: ticks, stats, bars, anomalies, side_checks or all" },
		{ "count", NULL, CONFIG_INT, &bt.max_records, "0", 0, 1e15,
		  "exit after this many records (0: never)" },
		{ "duration", NULL, CONFIG_DURATION, &bt.duration_ms, "0", 0,
		  1e12, "exit after this long (0: never)" },
		{ "summary", NULL, CONFIG_BOOL, &bt.summary, "0", 0, 0,
		  "print only totals, at exit" },
		{ NULL, NULL, CONFIG_END, NULL, NULL, 0, 0, NULL }
	};
	int rc;

	memset(&bt, 0, sizeof(bt));
	log_init("bustap");
	if ((rc = config_load(opts, argc, argv, "bustap [options] URL...",
	    &pos)) != 0)
		return rc;
	if (pos.argc == 0) {
		fprintf(stderr, "usage: bustap [options] URL... "
		    "(e.g. ipc://var/run/ingest-crypto.ipc)\n");
		return EX_USAGE_ERR;
	}
	bt.sigfd = sigfd_open();	/* before nng starts its threads */
	if ((rc = open_sub(&bt, pos.argc, pos.argv)) != 0)
		return rc;
	serve(&bt);
	if (bt.summary)
		print_summary(&bt);
	bus_sub_close(&bt.sub);
	return 0;
}
