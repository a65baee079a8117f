/*
 * The store's I/O (store.h): sockets, market.db, the poll loop's steps.
 */
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "clock.h"
#include "db.h"
#include "log.h"
#include "schema.h"
#include "sigfd.h"
#include "stats.h"
#include "store.h"

#define DRAIN_MAX	256	/* bus messages per loop turn */
#define STATS_MAX	64	/* counters in one message */
#define PRUNE_AGAIN_MS	50	/* a full pruning step: next one soon */
#define CLOSE_WAIT_MS	1500	/* a final flush may retry this long */

/* Whether the file system that holds path has no block left for us. */
static int
disk_full(const char *path)
{
	char dir[PATH_MAX];
	struct statvfs sv;

	snprintf(dir, sizeof(dir), "%s", path);
	return statvfs(dirname(dir), &sv) == 0 && sv.f_bavail == 0;
}

/* Sleeps ms unless a signal comes first: then the store exits. */
static void
open_wait(struct store *s, int64_t ms)
{
	struct signalfd_siginfo si;
	struct pollfd pfd;

	pfd.fd = s->sigfd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, (int)ms) == 1 &&
	    read(s->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		log_info("signal %u: stopping before market.db opened",
		    si.ssi_signo);
		exit(0);
	}
}

/*
 * Opens and migrates market.db. A full disk is waited out, not fatal:
 * opening a WAL database creates its -shm file, which a full disk refuses
 * (an I/O error), and a store that exited at once would be given up by
 * its supervisor and stay down once space came back. Any other error
 * stays fatal.
 */
static void
open_migrated(struct store *s)
{
	char err[512];
	unsigned tries = 0;
	int64_t t0 = clock_mono_ns();
	int full, rc;

	for (;;) {
		rc = db_open(&s->db, s->opt.db_path, DB_CREATE,
		    (int)s->opt.busy_timeout_ms, err, sizeof(err));
		if (rc == SQLITE_OK &&
		    schema_migrate(s->db, err, sizeof(err)) == 0)
			break;
		full = disk_full(s->opt.db_path);
		if (rc == SQLITE_OK) {
			db_close(s->db);
			s->db = NULL;
			if (!full)
				fatalx("%s", err);
		} else if (!full && (rc & 0xff) != SQLITE_FULL)
			fatalx("%s", err);
		if (tries++ == 0)
			log_warnx("cannot open %s: %s%s; retrying in %" PRId64
			    " ms, doubling to %d s", s->opt.db_path, err,
			    full ? " (its disk is full)" : "",
			    batch_backoff_ms(tries), BATCH_RETRY_MAX_MS / 1000);
		open_wait(s, batch_backoff_ms(tries));
	}
	if (tries > 0)
		log_info("opened %s after %u failures in %.1f s",
		    s->opt.db_path, tries,
		    (double)(clock_mono_ns() - t0) / NS_PER_S);
}

static void
open_db(struct store *s)
{
	int64_t end_ms;
	int found, rc;

	open_migrated(s);
	if ((rc = writer_open(&s->w, s->db)) != SQLITE_OK)
		fatalx("prepare statements: %s", db_errstr(s->db, rc));
	if (writer_newest_end(&s->w, &end_ms, &found) != SQLITE_OK)
		fatalx("read %s: %s", s->opt.db_path, sqlite3_errmsg(s->db));
	log_info("opened %s schema=%d newest_bar_end_ms=%" PRId64,
	    s->opt.db_path, SCHEMA_VERSION, found ? end_ms : 0);
}

static void
open_sub(struct bus_sub *sub, const char *list, const uint8_t *kinds,
    int n_kinds)
{
	const char *urls[BUS_MAX_URLS];
	char *copy;
	int n, rv;

	if ((copy = strdup(list)) == NULL)
		fatal("strdup");
	if ((n = bus_split_urls(copy, urls, BUS_MAX_URLS)) <= 0)
		fatalx("bad URL list \"%s\"", list);
	if ((rv = bus_sub_open(sub, urls, n, kinds, n_kinds)) != 0)
		fatalx("cannot subscribe to %s: %s", list, nng_strerror(rv));
	free(copy);	/* nng copied the URLs */
}

static void
open_bus(struct store *s)
{
	/* Stats too: the first message of an aggregator says it is there. */
	static const uint8_t kinds[] = { BUS_BARS, BUS_ANOMALIES,
	    BUS_SIDE_CHECKS, BUS_STATS };
	static const uint8_t tick_kinds[] = { BUS_TICKS };
	int rv;

	open_sub(&s->sub, s->opt.bus_urls, kinds, sizeof(kinds));
	if (s->opt.ticks)
		open_sub(&s->tick_sub, s->opt.tick_urls, tick_kinds, 1);
	if ((rv = bus_pub_open(&s->pub, s->opt.publish_url)) != 0)
		fatalx("cannot publish on %s: %s", s->opt.publish_url,
		    nng_strerror(rv));
	if (bus_batch_init(&s->stats, BUS_STATS, s->pub.publisher_id,
	    STATS_MAX) == -1)
		fatal("stats batch");
	if ((rv = replay_client_open(&s->rc, s->opt.replay_url,
	    (uint32_t)s->opt.replay_page,
	    s->opt.replay_timeout_ms * NS_PER_MS)) != 0)
		fatalx("cannot dial %s: %s", s->opt.replay_url,
		    nng_strerror(rv));
}

void
store_open(struct store *s, const struct store_options *opt)
{
	struct batch_policy p;

	memset(s, 0, sizeof(*s));
	s->opt = *opt;
	s->started_ns = clock_mono_ns();
	s->next_second_ns = s->started_ns + NS_PER_S;
	s->sigfd = sigfd_open();	/* before nng starts its threads */
	open_db(s);
	rows_init(&s->rows);
	p.max_rows = (uint32_t)opt->flush_rows;
	p.max_delay_ns = opt->flush_ms * NS_PER_MS;
	p.max_pending = (uint64_t)opt->max_pending;
	batch_init(&s->batch, &p);
	/* Subscribed before any replay is asked: nothing falls between. */
	open_bus(s);
	log_info("ready bus=%s replay=%s publish=%s ticks=%s",
	    opt->bus_urls, opt->replay_url, opt->publish_url,
	    opt->ticks ? opt->tick_urls : "off");
}

void
store_replay(struct store *s, const char *why)
{
	int64_t since_ms = INT64_MIN;
	int found = 0, rc;

	rc = writer_replay_since(&s->w, s->opt.replay_window_ms, &since_ms,
	    &found);
	if (rc != SQLITE_OK)
		log_warnx("replay: cannot read where to start (%s): asking "
		    "for everything", db_errstr(s->db, rc));
	if (rc != SQLITE_OK || !found)
		since_ms = INT64_MIN;	/* all the aggregator holds */
	else
		since_ms -= s->opt.replay_margin_ms;
	if (!pager_start(&s->rc.pager, since_ms, clock_mono_ns()))
		log_info("replay: %s, after the replay going on", why);
	else if (since_ms == INT64_MIN)
		log_info("replay: %s, asking for all the aggregator holds",
		    why);
	else
		log_info("replay: %s, asking for bars ending after %" PRId64
		    " ms", why, since_ms);
}

/* Replays may fill half the bound; the other half is for the bus. */
static uint32_t
replay_room(const struct store *s)
{
	uint64_t half = (uint64_t)s->opt.max_pending / 2 + 1;
	uint64_t pending = rows_total(&s->rows);

	if (pending >= half)
		return 0;
	return half - pending > UINT32_MAX ? UINT32_MAX :
	    (uint32_t)(half - pending);
}

void
store_wait(struct store *s)
{
	struct signalfd_siginfo si;
	struct pollfd pfd[4];
	int64_t now = clock_mono_ns(), next;
	int n = 3, timeout;

	next = batch_next_ns(&s->batch, rows_total(&s->rows));
	/* Without room for a page, a flush must come first: wait for it. */
	if (replay_room(s) > 0 && pager_next_ns(&s->rc.pager) < next)
		next = pager_next_ns(&s->rc.pager);
	if (s->next_second_ns < next)
		next = s->next_second_ns;
	if (s->opt.ticks && s->next_prune_ns < next)
		next = s->next_prune_ns;
	timeout = next <= now ? 0 : (int)((next - now) / NS_PER_MS) + 1;
	pfd[0].fd = s->sigfd;
	pfd[1].fd = s->sub.fd;
	pfd[2].fd = s->rc.fd;
	if (s->opt.ticks)
		pfd[n++].fd = s->tick_sub.fd;
	for (int i = 0; i < n; i++)
		pfd[i].events = POLLIN;
	if (poll(pfd, (nfds_t)n, timeout) == -1 && errno != EINTR)
		fatal("poll");
	if ((pfd[0].revents & POLLIN) &&
	    read(s->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		log_info("signal %u: stopping", si.ssi_signo);
		s->quit = 1;
	}
}

/* Queues a row, unless the backlog is at its bound. */
static void
keep(struct store *s, enum row_kind k, const union row *row, int64_t now)
{
	if (!batch_admit(&s->batch, rows_total(&s->rows), now)) {
		if (!s->dropping)
			log_warnx("%" PRIu64 " rows wait, the bound: dropping "
			    "new rows until writes catch up (bars and "
			    "anomalies will be replayed)",
			    rows_total(&s->rows));
		s->dropping = 1;
		return;
	}
	if (rows_push(&s->rows, k, row) == -1) {
		s->c.no_memory++;
		s->batch.replay_due = 1;
		return;
	}
	s->c.received[k]++;
}

static void
take_records(struct store *s, const struct bus_header *h, const uint8_t *p)
{
	size_t rsize = bus_record_size(h->kind);
	int64_t now = clock_mono_ns();
	enum rows_status st;
	enum row_kind k;
	union row row;
	uint32_t i;

	for (i = 0; i < h->n_records; i++, p += rsize) {
		st = rows_decode(h->kind, p, &row, &k);
		if (st == ROWS_OK)
			keep(s, k, &row, now);
		else
			s->c.skipped[st]++;
	}
}

/* A publisher id not heard before: an aggregator joined or restarted. */
static void
note_publisher(struct store *s, uint32_t id)
{
	unsigned i;

	for (i = 0; i < s->n_publishers && i < STORE_KNOWN_PUBLISHERS; i++)
		if (s->publishers[i] == id)
			return;
	if (s->n_publishers == 0)
		log_info("aggregator joined publisher=%08x", id);
	else {
		s->c.aggregator_restarts++;
		log_warnx("aggregator restarted: new publisher=%08x", id);
	}
	s->publishers[s->n_publishers++ % STORE_KNOWN_PUBLISHERS] = id;
	/* What it published before our pipe was up is only in its ring. */
	store_replay(s, s->n_publishers == 1 ? "aggregator joined" :
	    "aggregator restarted");
}

static void
note_gap(struct store *s, const struct bus_header *h,
    const struct bus_gap_event *ev)
{
	if (ev->missed_messages == 0 ||
	    (h->kind != BUS_BARS && h->kind != BUS_ANOMALIES))
		return;
	s->c.gap_replays++;
	log_warnx("bus gap on %s: %" PRIu64 " messages (%" PRIu64
	    " records) lost", bus_kind_name(h->kind), ev->missed_messages,
	    ev->missed_records);
	store_replay(s, "bus gap");
}

static void
drain(struct store *s, struct bus_sub *sub, int is_ticks)
{
	struct bus_gap_event ev;
	struct bus_header h;
	nng_msg *m;
	int i;

	for (i = 0; i < DRAIN_MAX && bus_sub_recv(sub, &m, &h, &ev) == 1;
	    i++) {
		if (!is_ticks) {
			note_publisher(s, h.publisher_id);
			note_gap(s, &h, &ev);
		}
		take_records(s, &h, (const uint8_t *)nng_msg_body(m) +
		    BUS_HEADER_SIZE);
		nng_msg_free(m);
	}
}

void
store_take_bus(struct store *s)
{
	drain(s, &s->sub, 0);
	if (s->opt.ticks)
		drain(s, &s->tick_sub, 1);
}

static void
note_reply(struct store *s, const struct pager_reply *r)
{
	if (r->restarted)
		log_warnx("replay: the aggregator restarted during the "
		    "replay: starting over");
	if (r->lost && s->rc.pager.since_ms == INT64_MIN)
		log_info("replay: the aggregator no longer holds its oldest "
		    "%" PRIu64 " records (the database was empty)",
		    r->lost_records);
	else if (r->lost) {
		s->c.replay_lost++;
		log_warnx("replay: the aggregator no longer holds up to %"
		    PRIu64 " records asked for: those bars are lost",
		    r->lost_records);
	}
	if (r->run_done)
		log_info("replay: done, %" PRIu64 " records in %" PRIu64
		    " requests so far", s->rc.pager.records,
		    s->rc.pager.requests);
}

void
store_take_replay(struct store *s)
{
	struct pager_reply r;
	struct bus_header h;
	nng_msg *m;
	int64_t now = clock_mono_ns();

	replay_client_send(&s->rc, now, replay_room(s));
	while (replay_client_recv(&s->rc, now, &m, &h, &r) == 1) {
		if (r.take)
			take_records(s, &h, (const uint8_t *)nng_msg_body(m) +
			    BUS_HEADER_SIZE);
		nng_msg_free(m);
		note_reply(s, &r);
		replay_client_send(&s->rc, now, replay_room(s));
	}
}

static void
flush_failed(struct store *s, int rc, int64_t now)
{
	s->c.write_errors++;
	if (batch_failed(&s->batch, now) == BATCH_EPISODE_START)
		log_warnx("write failed: %s; keeping %" PRIu64 " rows, "
		    "retrying in %" PRId64 " ms (then doubling to %d s)",
		    db_errstr(s->db, rc), rows_total(&s->rows),
		    batch_backoff_ms(s->batch.failures),
		    BATCH_RETRY_MAX_MS / 1000);
}

static void
flush_done(struct store *s, int64_t now)
{
	if (batch_ok(&s->batch) == BATCH_RECOVERED)
		log_info("writes resumed after %" PRIu64 " failures in %.1f s;"
		    " %" PRIu64 " rows waiting, %" PRIu64 " dropped so far",
		    s->batch.episode_failures, (double)(now -
		    s->batch.episode_ns) / NS_PER_S, rows_total(&s->rows),
		    s->batch.dropped);
	if (s->w.c.rejected > s->rejected_logged) {
		log_warnx("sqlite refused %" PRIu64 " rows (%s): skipped",
		    s->w.c.rejected - s->rejected_logged,
		    sqlite3_errstr(s->w.c.last_reject_rc));
		s->rejected_logged = s->w.c.rejected;
	}
}

/* One transaction; returns the SQLite result. */
static int
flush_once(struct store *s)
{
	int64_t t0 = clock_mono_ns(), t1;
	uint32_t n = batch_flush_rows(&s->batch, rows_total(&s->rows));
	int rc;

	rc = writer_flush(&s->w, &s->rows, n);
	t1 = clock_mono_ns();
	s->c.latency_us = (t1 - t0) / 1000;
	if (s->c.latency_us > s->c.latency_max_us)
		s->c.latency_max_us = s->c.latency_us;
	if (rc == SQLITE_OK)
		flush_done(s, t1);
	else
		flush_failed(s, rc, t1);
	return rc;
}

void
store_flush(struct store *s)
{
	if (batch_due(&s->batch, rows_total(&s->rows), clock_mono_ns()))
		(void)flush_once(s);
}

static void
prune(struct store *s, int64_t now)
{
	int64_t before_ns;
	int deleted, rc;

	if (!s->opt.ticks || now < s->next_prune_ns)
		return;
	s->next_prune_ns = now + NS_PER_S;
	if (s->batch.failures > 0)
		return;		/* the database is not taking writes */
	before_ns = clock_now_ns() - s->opt.ticks_retention_ms * NS_PER_MS;
	rc = writer_prune_ticks(&s->w, before_ns, (int)s->opt.prune_rows,
	    &deleted);
	if (rc != SQLITE_OK) {
		s->c.prune_errors++;
		if (!s->prune_failing)
			log_warnx("tick pruning failed: %s; retrying each "
			    "second", db_errstr(s->db, rc));
		s->prune_failing = 1;
		deleted = 0;
	} else
		s->prune_failing = 0;
	if (deleted == s->opt.prune_rows)
		s->next_prune_ns = now + PRUNE_AGAIN_MS * NS_PER_MS;
}

void
store_housekeep(struct store *s)
{
	int64_t now = clock_mono_ns();

	prune(s, now);
	if (now < s->next_second_ns)
		return;
	s->next_second_ns += NS_PER_S;
	if (s->next_second_ns < now)
		s->next_second_ns = now + NS_PER_S;
	s->seconds++;
	if (batch_take_replay(&s->batch, rows_total(&s->rows))) {
		s->dropping = 0;
		store_replay(s, "rows were dropped");
	}
	stats_publish(s, now);
	if (s->seconds % STATS_SUMMARY_S == 0)
		stats_log(s);
}

void
store_close(struct store *s)
{
	int64_t deadline = clock_mono_ns() + CLOSE_WAIT_MS * NS_PER_MS;

	/* Whatever the policy says: write all, briefly retrying. */
	while (rows_total(&s->rows) > 0 && clock_mono_ns() < deadline) {
		if (flush_once(s) != SQLITE_OK)
			(void)poll(NULL, 0, 100);	/* a short sleep */
	}
	if (rows_total(&s->rows) > 0)
		log_warnx("exiting with %" PRIu64 " rows unwritten",
		    rows_total(&s->rows));
	stats_publish(s, clock_mono_ns());
	stats_log(s);
	replay_client_close(&s->rc);
	if (s->opt.ticks)
		bus_sub_close(&s->tick_sub);
	bus_sub_close(&s->sub);
	bus_pub_close(&s->pub);
	bus_batch_free(&s->stats);
	writer_close(&s->w);
	db_close(s->db);
	rows_free(&s->rows);
	close(s->sigfd);
}
