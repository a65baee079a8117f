/*
 * webui's counters (stats.h).
 */
#include <string.h>

#include "stats.h"

static const char *const classes[5] = { "1xx", "2xx", "3xx", "4xx", "5xx" };

void
stats_init(struct webui_stats *s, int workers, int hash_slots, int64_t now_ms)
{
	int i;

	for (i = 0; i < 5; i++)
		atomic_init(&s->responses[i], 0);
	atomic_init(&s->logins_ok, 0);
	atomic_init(&s->logins_failed, 0);
	atomic_init(&s->logins_throttled, 0);
	atomic_init(&s->csrf_refused, 0);
	atomic_init(&s->live_upgrades, 0);
	atomic_init(&s->live_refused, 0);
	atomic_init(&s->queue_full, 0);
	atomic_init(&s->queue_depth, 0);
	atomic_init(&s->hashing, 0);
	s->workers = workers;
	s->hash_slots = hash_slots;
	s->started_ms = now_ms;
}

void
stats_response(struct webui_stats *s, int status, enum http_event ev)
{
	atomic_fetch_add(&s->responses[http_status_class(status)], 1);
	switch (ev) {
	case HTTP_EV_LOGIN_OK:
		atomic_fetch_add(&s->logins_ok, 1);
		break;
	case HTTP_EV_LOGIN_FAILED:
		atomic_fetch_add(&s->logins_failed, 1);
		break;
	case HTTP_EV_LOGIN_THROTTLED:
		atomic_fetch_add(&s->logins_throttled, 1);
		break;
	case HTTP_EV_CSRF_REFUSED:
		atomic_fetch_add(&s->csrf_refused, 1);
		break;
	case HTTP_EV_NONE:
		break;
	}
}

static void
prom(struct buf *b, const char *name, const char *type, const char *help,
    uint64_t v)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n", name, help, name,
	    type, name, (unsigned long long)v);
}

void
stats_prometheus(const struct webui_stats *s, int64_t now_ms, struct buf *b)
{
	int i;

	buf_adds(b, "# HELP tapewatch_webui_responses_total HTTP responses written, "
	    "by status class.\n# TYPE tapewatch_webui_responses_total counter\n");
	for (i = 0; i < 5; i++)
		buf_printf(b, "tapewatch_webui_responses_total{class=\"%s\"} %llu\n",
		    classes[i], (unsigned long long)atomic_load(
		    &s->responses[i]));
	buf_adds(b, "# HELP tapewatch_webui_logins_total Login attempts, by "
	    "outcome.\n# TYPE tapewatch_webui_logins_total counter\n");
	buf_printf(b, "tapewatch_webui_logins_total{outcome=\"ok\"} %llu\n",
	    (unsigned long long)atomic_load(&s->logins_ok));
	buf_printf(b, "tapewatch_webui_logins_total{outcome=\"failed\"} %llu\n",
	    (unsigned long long)atomic_load(&s->logins_failed));
	buf_printf(b, "tapewatch_webui_logins_total{outcome=\"throttled\"} %llu\n",
	    (unsigned long long)atomic_load(&s->logins_throttled));
	prom(b, "tapewatch_webui_csrf_refused_total", "counter",
	    "State-changing requests refused by the CSRF or Origin rule.",
	    atomic_load(&s->csrf_refused));
	prom(b, "tapewatch_webui_live_upgrades_total", "counter",
	    "WebSocket upgrades of /live accepted.",
	    atomic_load(&s->live_upgrades));
	prom(b, "tapewatch_webui_live_refused_total", "counter",
	    "WebSocket upgrades of /live refused (no session, foreign origin).",
	    atomic_load(&s->live_refused));
	prom(b, "tapewatch_webui_queue_full_total", "counter",
	    "Requests answered 503 because the worker queue was full.",
	    atomic_load(&s->queue_full));
	prom(b, "tapewatch_webui_queue_depth", "gauge",
	    "Requests waiting for a worker.",
	    (uint64_t)atomic_load(&s->queue_depth));
	prom(b, "tapewatch_webui_hashing", "gauge",
	    "Password hashes (argon2id) running now.",
	    (uint64_t)atomic_load(&s->hashing));
	prom(b, "tapewatch_webui_workers", "gauge", "Worker threads.",
	    (uint64_t)s->workers);
	prom(b, "tapewatch_webui_uptime_seconds", "gauge",
	    "Seconds since webui started.",
	    (uint64_t)((now_ms - s->started_ms) / 1000));
}

void
stats_json(const struct webui_stats *s, int64_t now_ms, struct buf *b)
{
	buf_printf(b, "{\"responses\":{\"1xx\":%llu,\"2xx\":%llu,"
	    "\"3xx\":%llu,\"4xx\":%llu,\"5xx\":%llu},",
	    (unsigned long long)atomic_load(&s->responses[0]),
	    (unsigned long long)atomic_load(&s->responses[1]),
	    (unsigned long long)atomic_load(&s->responses[2]),
	    (unsigned long long)atomic_load(&s->responses[3]),
	    (unsigned long long)atomic_load(&s->responses[4]));
	buf_printf(b, "\"logins_ok\":%llu,\"logins_failed\":%llu,"
	    "\"logins_throttled\":%llu,\"csrf_refused\":%llu,",
	    (unsigned long long)atomic_load(&s->logins_ok),
	    (unsigned long long)atomic_load(&s->logins_failed),
	    (unsigned long long)atomic_load(&s->logins_throttled),
	    (unsigned long long)atomic_load(&s->csrf_refused));
	buf_printf(b, "\"live_upgrades\":%llu,\"live_refused\":%llu,"
	    "\"queue_full\":%llu,\"queue_depth\":%lld,\"hashing\":%lld,"
	    "\"workers\":%d,\"uptime_s\":%lld}",
	    (unsigned long long)atomic_load(&s->live_upgrades),
	    (unsigned long long)atomic_load(&s->live_refused),
	    (unsigned long long)atomic_load(&s->queue_full),
	    (long long)atomic_load(&s->queue_depth),
	    (long long)atomic_load(&s->hashing), s->workers,
	    (long long)((now_ms - s->started_ms) / 1000));
}
