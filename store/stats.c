/*
 * The store's counters on the bus and in the log (stats.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "stats.h"
#include "store.h"

static void
add(struct store *s, const char *key, int64_t v, int64_t now)
{
	struct bus_stat st;

	memset(&st, 0, sizeof(st));
	snprintf(st.process, sizeof(st.process), "store");
	snprintf(st.key, sizeof(st.key), "%s", key);
	st.value = v;
	if (bus_batch_add_stat(&s->stats, &st, now) == s->stats.max_records)
		bus_pub_flush(&s->pub, &s->stats);
}

static int64_t
file_bytes(const char *path, const char *suffix)
{
	char buf[1100];
	struct stat sb;

	snprintf(buf, sizeof(buf), "%s%s", path, suffix);
	return stat(buf, &sb) == 0 ? (int64_t)sb.st_size : 0;
}

static void
add_rows(struct store *s, int64_t now)
{
	const struct writer_counts *w = &s->w.c;

	add(s, "bars_written", (int64_t)w->rows[ROW_BAR], now);
	add(s, "anomalies_written", (int64_t)w->rows[ROW_ANOMALY], now);
	add(s, "side_checks_written", (int64_t)w->rows[ROW_SIDE_CHECK], now);
	add(s, "ticks_written", (int64_t)w->rows[ROW_TICK], now);
	add(s, "bars_stale", (int64_t)w->stale_bars, now);
	add(s, "rows_rejected", (int64_t)w->rejected, now);
	add(s, "transactions", (int64_t)w->transactions, now);
	add(s, "symbol_upserts", (int64_t)w->symbol_upserts, now);
	add(s, "ticks_pruned", (int64_t)w->pruned, now);
	add(s, "bars_received", (int64_t)s->c.received[ROW_BAR], now);
	add(s, "live_bars_skipped", (int64_t)s->c.skipped[ROWS_LIVE], now);
	add(s, "bad_records", (int64_t)s->c.skipped[ROWS_BAD], now);
	add(s, "pending_rows", (int64_t)rows_total(&s->rows), now);
	add(s, "dropped_rows", (int64_t)(s->batch.dropped + s->c.no_memory),
	    now);
	add(s, "write_errors", (int64_t)s->c.write_errors, now);
	add(s, "prune_errors", (int64_t)s->c.prune_errors, now);
	add(s, "write_latency_ms", s->c.latency_us / 1000, now);
	add(s, "write_latency_us", s->c.latency_us, now);
	add(s, "write_latency_max_ms", s->c.latency_max_us / 1000, now);
}

static void
add_bus(struct store *s, int64_t now)
{
	const struct pager *p = &s->rc.pager;

	add(s, "replays", (int64_t)p->runs, now);
	add(s, "replay_requests", (int64_t)p->requests, now);
	add(s, "replay_records", (int64_t)p->records, now);
	add(s, "replay_lost", (int64_t)s->c.replay_lost, now);
	add(s, "replay_timeouts", (int64_t)p->timeouts, now);
	add(s, "replay_send_failures", (int64_t)p->send_failures, now);
	add(s, "gap_replays", (int64_t)s->c.gap_replays, now);
	add(s, "bus_gaps", (int64_t)s->sub.gaps.gaps, now);
	add(s, "bus_missed_records", (int64_t)s->sub.gaps.missed_records,
	    now);
	add(s, "tick_gaps", (int64_t)s->tick_sub.gaps.gaps, now);
	add(s, "aggregator_restarts", (int64_t)s->c.aggregator_restarts,
	    now);
}

void
stats_publish(struct store *s, int64_t now)
{
	add_rows(s, now);
	add_bus(s, now);
	add(s, "db_bytes", file_bytes(s->opt.db_path, ""), now);
	add(s, "wal_bytes", file_bytes(s->opt.db_path, "-wal"), now);
	add(s, "uptime_s", (now - s->started_ns) / NS_PER_S, now);
	bus_pub_flush(&s->pub, &s->stats);
}

void
stats_log(const struct store *s)
{
	const struct writer_counts *w = &s->w.c;

	log_info("stats bars=%" PRIu64 " anomalies=%" PRIu64 " side_checks=%"
	    PRIu64 " ticks=%" PRIu64 " transactions=%" PRIu64 " pending=%"
	    PRIu64 " dropped=%" PRIu64 " write_errors=%" PRIu64 " replays=%"
	    PRIu64 " replay_records=%" PRIu64 " bus_gaps=%" PRIu64
	    " latency_ms=%.1f", w->rows[ROW_BAR], w->rows[ROW_ANOMALY],
	    w->rows[ROW_SIDE_CHECK], w->rows[ROW_TICK], w->transactions,
	    rows_total(&s->rows), s->batch.dropped + s->c.no_memory,
	    s->c.write_errors, s->rc.pager.runs, s->rc.pager.records,
	    s->sub.gaps.gaps, (double)s->c.latency_us / 1000);
}
