/*
 * Counters and feed states from the bus (live_stats.h). Tables are kept
 * sorted, so every rendering comes out in the same order without sorting.
 */
#include <stdlib.h>
#include <string.h>

#include "live_stats.h"

#define METRIC_NAME_LEN	(sizeof("tapewatch_") + BUS_STAT_KEY_LEN)

static const char *const feed_state_names[] = {
	"stale", "reconnecting", "demo", "live"
};

/*
 * Names webui renders itself (webui_ are the HTTP side's): a bus key that
 * would collide is skipped.
 */
static const char *const reserved[] = {
	"last_event_age_seconds", "feed_up", "live_", "webui_"
};

void
live_stats_init(struct live_stats *s, const char *mode)
{
	memset(s, 0, sizeof(*s));
	s->demo_mode = mode != NULL && strcmp(mode, "demo") == 0;
}

void
live_stats_free(struct live_stats *s)
{
	int i;

	for (i = 0; i < s->n; i++)
		free(s->p[i].c);
	memset(s, 0, sizeof(*s));
}

/* The process named, inserted in order if new; NULL if the table is full. */
static struct live_process *
process_get(struct live_stats *s, const char *name)
{
	int lo = 0, hi = s->n, mid, c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if ((c = strcmp(s->p[mid].name, name)) == 0)
			return &s->p[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (s->n == LIVE_MAX_PROCESSES)
		return NULL;
	memmove(&s->p[lo + 1], &s->p[lo],
	    (size_t)(s->n - lo) * sizeof(s->p[0]));
	memset(&s->p[lo], 0, sizeof(s->p[0]));
	memcpy(s->p[lo].name, name, strlen(name) + 1);
	s->n++;
	return &s->p[lo];
}

static struct live_counter *
counter_find(const struct live_process *p, const char *key, int *at)
{
	int lo = 0, hi = p->n, mid, c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if ((c = strcmp(p->c[mid].key, key)) == 0)
			return &p->c[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (at != NULL)
		*at = lo;
	return NULL;
}

static struct live_counter *
counter_get(struct live_process *p, const char *key)
{
	struct live_counter *c, *nc;
	int at = 0, cap;

	if ((c = counter_find(p, key, &at)) != NULL)
		return c;
	if (p->n == LIVE_MAX_COUNTERS)
		return NULL;
	if (p->n == p->cap) {
		cap = p->cap == 0 ? 32 : p->cap * 2;
		if ((nc = realloc(p->c, (size_t)cap * sizeof(*nc))) == NULL)
			return NULL;
		p->c = nc;
		p->cap = cap;
	}
	memmove(&p->c[at + 1], &p->c[at], (size_t)(p->n - at) * sizeof(*c));
	memset(&p->c[at], 0, sizeof(*c));
	memcpy(p->c[at].key, key, strlen(key) + 1);
	p->n++;
	return &p->c[at];
}

int
live_stats_note(struct live_stats *s, const struct bus_stat *st,
    int64_t now_ms)
{
	struct live_process *p;
	struct live_counter *c;

	if (st->process[0] == '\0' || st->key[0] == '\0' ||
	    (p = process_get(s, st->process)) == NULL ||
	    (c = counter_get(p, st->key)) == NULL) {
		s->refused++;
		return -1;
	}
	c->value = st->value;
	c->at_ms = now_ms;
	p->last_ms = now_ms;
	return 0;
}

void
live_stats_note_bar(struct live_stats *s, int source, int asset_class)
{
	if (asset_class > ASSET_UNKNOWN && asset_class < ASSET_MAX &&
	    source > SOURCE_UNKNOWN && source < SOURCE_MAX)
		s->class_source[asset_class] = (uint8_t)source;
}

const char *
live_feed_state_name(enum live_feed_state st)
{
	if ((unsigned)st > LIVE_FEED_LIVE)
		return "?";
	return feed_state_names[st];
}

static int
ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);

	return n >= m && strcmp(s + n - m, tail) == 0;
}

static int
class_of(const char *process)
{
	if (ends_with(process, "stock"))
		return ASSET_STOCK;
	if (ends_with(process, "crypto"))
		return ASSET_CRYPTO;
	return ASSET_UNKNOWN;
}

/*
 * Who a collector is: its feed_source and feed_asset_class counters when
 * it publishes them (several crypto collectors each say their own);
 * otherwise the old guess, the class from the process name and the
 * source from the newest bar of that class.
 */
static void
feed_identity(const struct live_stats *s, const struct live_process *p,
    int *cls, int *src)
{
	const struct live_counter *c;

	c = counter_find(p, "feed_asset_class", NULL);
	if (c != NULL && c->value > ASSET_UNKNOWN && c->value < ASSET_MAX)
		*cls = (int)c->value;
	else
		*cls = class_of(p->name);
	c = counter_find(p, "feed_source", NULL);
	if (c != NULL && c->value > SOURCE_UNKNOWN && c->value < SOURCE_MAX) {
		*src = (int)c->value;
		return;
	}
	*src = s->class_source[*cls];
	if (*src == SOURCE_UNKNOWN && s->demo_mode)
		*src = SOURCE_DEMO;
}

static void
feed_fill(const struct live_stats *s, const struct live_process *p,
    const struct live_counter *fs, int64_t now_ms, struct live_feed *f)
{
	const struct live_counter *age;
	int cls, src;

	memset(f, 0, sizeof(*f));
	memcpy(f->process, p->name, sizeof(f->process));
	feed_identity(s, p, &cls, &src);
	f->source = source_name(src);
	f->asset_class = asset_class_name(cls);
	f->feed_status = fs->value >= 0 && fs->value < FEED_STATUS_MAX ?
	    feed_status_name((int)fs->value) : "none";
	if (now_ms - p->last_ms > LIVE_STALE_MS)
		f->state = LIVE_FEED_STALE;
	else if (fs->value != FEED_LIVE)
		f->state = LIVE_FEED_RECONNECTING;
	else if (src == SOURCE_DEMO)
		f->state = LIVE_FEED_DEMO;
	else
		f->state = LIVE_FEED_LIVE;
	age = counter_find(p, "last_event_age_ms", NULL);
	if (age == NULL || age->value < 0)
		f->last_event_age_ms = -1;
	else
		f->last_event_age_ms = age->value +
		    (now_ms > age->at_ms ? now_ms - age->at_ms : 0);
}

int
live_stats_feeds(const struct live_stats *s, int64_t now_ms,
    struct live_feed *out, int max)
{
	const struct live_counter *fs;
	int i, n = 0;

	for (i = 0; i < s->n && n < max; i++) {
		if ((fs = counter_find(&s->p[i], "feed_status", NULL)) == NULL)
			continue;
		feed_fill(s, &s->p[i], fs, now_ms, &out[n++]);
	}
	return n;
}

static int
best_state(const struct live_feed *f, int n, const char *source,
    const char *asset_class, int unknown_source_only)
{
	int i, best = -1;

	for (i = 0; i < n; i++) {
		if (source != NULL && strcmp(f[i].source, source) != 0)
			continue;
		if (asset_class != NULL &&
		    strcmp(f[i].asset_class, asset_class) != 0)
			continue;
		if (unknown_source_only && strcmp(f[i].source,
		    source_name(SOURCE_UNKNOWN)) != 0)
			continue;
		if ((int)f[i].state > best)
			best = (int)f[i].state;
	}
	return best;
}

int
live_feeds_state_of(const struct live_feed *f, int n, const char *source,
    const char *asset_class)
{
	int best;

	if (source == NULL || *source == '\0')	/* a row from before v2 */
		return asset_class == NULL ? -1 :
		    best_state(f, n, NULL, asset_class, 0);
	if ((best = best_state(f, n, source, asset_class, 0)) >= 0 ||
	    asset_class == NULL)
		return best;
	if ((best = best_state(f, n, source, NULL, 0)) >= 0)
		return best;
	/* A collector whose source is not known yet may be this one. */
	return best_state(f, n, NULL, asset_class, 1);
}

static uint64_t
fnv(uint64_t h, const char *s)
{
	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	h ^= 0xff;
	h *= 1099511628211ull;
	return h;
}

uint64_t
live_feeds_signature(const struct live_feed *f, int n)
{
	uint64_t h = 14695981039346656037ull;
	int i;

	for (i = 0; i < n; i++) {
		h = fnv(h, f[i].process);
		h = fnv(h, f[i].source);
		h = fnv(h, f[i].asset_class);
		h = fnv(h, live_feed_state_name(f[i].state));
		h = fnv(h, f[i].feed_status);
	}
	return h;
}

int
live_metric_is_gauge(const char *key)
{
	static const char *const tails[] = {
		"_ms", "_us", "_s", "_bytes", "_limit", "_age"
	};
	size_t i;

	if (strcmp(key, "feed_status") == 0 || strcmp(key, "symbols") == 0 ||
	    strncmp(key, "pending_", 8) == 0)
		return 1;
	for (i = 0; i < sizeof(tails) / sizeof(tails[0]); i++)
		if (ends_with(key, tails[i]))
			return 1;
	return 0;
}

static void
feed_json(struct live_buf *b, const struct live_feed *f)
{
	live_buf_puts(b, "{");
	live_buf_key(b, "process");
	live_buf_str(b, f->process);
	live_buf_key(b, "source");
	live_buf_str(b, f->source);
	live_buf_key(b, "asset_class");
	live_buf_str(b, f->asset_class);
	live_buf_key(b, "state");
	live_buf_str(b, live_feed_state_name(f->state));
	live_buf_key(b, "feed_status");
	live_buf_str(b, f->feed_status);
	live_buf_key(b, "last_event_age_ms");
	if (f->last_event_age_ms < 0)
		live_buf_puts(b, "null");
	else
		live_buf_i64(b, f->last_event_age_ms);
	live_buf_puts(b, "}");
}

static void
feeds_json(struct live_buf *b, const struct live_feed *f, int n)
{
	int i;

	live_buf_puts(b, "[");
	for (i = 0; i < n; i++) {
		if (i > 0)
			live_buf_puts(b, ",");
		feed_json(b, &f[i]);
	}
	live_buf_puts(b, "]");
}

void
live_encode_status(struct live_buf *b, const struct live_feed *f, int n,
    const char *mode, int64_t now_ms)
{
	live_buf_puts(b, "{");
	live_buf_key(b, "type");
	live_buf_str(b, "status");
	live_buf_key(b, "mode");
	live_buf_str(b, mode);
	live_buf_key(b, "server_ms");
	live_buf_i64(b, now_ms);
	live_buf_key(b, "feeds");
	feeds_json(b, f, n);
	live_buf_puts(b, "}");
}

/* Prometheus: tapewatch_ + the key, every other byte made _. */
static void
metric_name(char *out, const char *key)
{
	size_t n = strlen("tapewatch_");
	char c;

	memcpy(out, "tapewatch_", n);
	for (; *key != '\0' && n + 1 < METRIC_NAME_LEN; key++) {
		c = *key;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_'))
			c = '_';
		out[n++] = c;
	}
	out[n] = '\0';
}

static int
is_reserved(const char *name)
{
	const char *rest = name + strlen("tapewatch_");
	size_t i;

	for (i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (strncmp(rest, reserved[i], strlen(reserved[i])) == 0)
			return 1;
	return 0;
}

/* A label value: printable ASCII, with \ and " escaped. */
static void
label(struct live_buf *b, const char *name, const char *v)
{
	live_buf_puts(b, name);
	live_buf_puts(b, "=\"");
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			live_buf_raw(b, "\\", 1);
		if (*v >= 0x20 && *v < 0x7f)
			live_buf_raw(b, v, 1);
		else
			live_buf_raw(b, "_", 1);
	}
	live_buf_puts(b, "\"");
}

struct sample {
	char			 name[METRIC_NAME_LEN];
	const struct live_process *p;
	const struct live_counter *c;
};

static int
cmp_sample(const void *a, const void *b)
{
	const struct sample *x = a, *y = b;
	int c;

	if ((c = strcmp(x->name, y->name)) != 0)
		return c;
	return strcmp(x->p->name, y->p->name);
}

static void
type_line(struct live_buf *b, const char *name, int gauge)
{
	live_buf_printf(b, "# TYPE %s %s\n", name, gauge ? "gauge" : "counter");
}

static void
bus_metrics(struct live_buf *b, const struct live_stats *s)
{
	struct sample *v;
	size_t n = 0, i, total = 0;
	int j;

	for (j = 0; j < s->n; j++)
		total += (size_t)s->p[j].n;
	if (total == 0 || (v = calloc(total, sizeof(*v))) == NULL) {
		if (total > 0)
			b->oom = 1;
		return;
	}
	for (j = 0; j < s->n; j++) {
		for (i = 0; i < (size_t)s->p[j].n; i++) {
			metric_name(v[n].name, s->p[j].c[i].key);
			if (is_reserved(v[n].name))
				continue;
			v[n].p = &s->p[j];
			v[n].c = &s->p[j].c[i];
			n++;
		}
	}
	qsort(v, n, sizeof(*v), cmp_sample);
	for (i = 0; i < n; i++) {
		/* Two keys that differ only in sanitized bytes: keep one. */
		if (i > 0 && cmp_sample(&v[i - 1], &v[i]) == 0)
			continue;
		if (i == 0 || strcmp(v[i - 1].name, v[i].name) != 0)
			type_line(b, v[i].name,
			    live_metric_is_gauge(v[i].c->key));
		live_buf_printf(b, "%s{", v[i].name);
		label(b, "process", v[i].p->name);
		live_buf_printf(b, "} %lld\n", (long long)v[i].c->value);
	}
	free(v);
}

static void
own_metric(struct live_buf *b, const char *name, int gauge, uint64_t v)
{
	type_line(b, name, gauge);
	live_buf_printf(b, "%s{process=\"webui\"} %llu\n", name,
	    (unsigned long long)v);
}

static void
own_metrics(struct live_buf *b, const struct live_counters *c)
{
	own_metric(b, "tapewatch_live_bus_decode_errors", 0,
	    c->bus_decode_errors);
	own_metric(b, "tapewatch_live_bus_gaps", 0, c->bus_gaps);
	own_metric(b, "tapewatch_live_bus_messages", 0, c->bus_messages);
	own_metric(b, "tapewatch_live_bus_missed_records", 0,
	    c->bus_missed_records);
	own_metric(b, "tapewatch_live_clients", 1, c->clients);
	own_metric(b, "tapewatch_live_clients_dropped_slow", 0,
	    c->dropped_slow);
	own_metric(b, "tapewatch_live_malformed_frames", 0,
	    c->malformed_frames);
	own_metric(b, "tapewatch_live_messages_coalesced", 0,
	    c->messages_coalesced);
	own_metric(b, "tapewatch_live_messages_sent", 0, c->messages_sent);
	own_metric(b, "tapewatch_live_queue_drops", 0, c->queue_drops);
	own_metric(b, "tapewatch_live_sessions_ended", 0, c->sessions_ended);
}

void
live_stats_metrics(struct live_buf *b, const struct live_stats *s,
    const struct live_counters *c, int64_t now_ms)
{
	struct live_feed f[LIVE_MAX_PROCESSES];
	int64_t age;
	int i, n;

	bus_metrics(b, s);
	if (s->n > 0)
		type_line(b, "tapewatch_last_event_age_seconds", 1);
	for (i = 0; i < s->n; i++) {
		age = now_ms > s->p[i].last_ms ? now_ms - s->p[i].last_ms : 0;
		live_buf_puts(b, "tapewatch_last_event_age_seconds{");
		label(b, "process", s->p[i].name);
		live_buf_printf(b, "} %lld.%03lld\n", (long long)(age / 1000),
		    (long long)(age % 1000));
	}
	n = live_stats_feeds(s, now_ms, f, LIVE_MAX_PROCESSES);
	if (n > 0)
		type_line(b, "tapewatch_feed_up", 1);
	for (i = 0; i < n; i++) {
		live_buf_puts(b, "tapewatch_feed_up{");
		label(b, "process", f[i].process);
		live_buf_puts(b, ",");
		label(b, "source", f[i].source);
		live_buf_puts(b, ",");
		label(b, "asset_class", f[i].asset_class);
		live_buf_printf(b, "} %d\n", f[i].state == LIVE_FEED_LIVE ||
		    f[i].state == LIVE_FEED_DEMO);
	}
	own_metrics(b, c);
}

static void
process_json(struct live_buf *b, const struct live_process *p,
    int64_t now_ms)
{
	int i;

	live_buf_key(b, p->name);
	live_buf_puts(b, "{");
	live_buf_key(b, "counters");
	live_buf_puts(b, "{");
	for (i = 0; i < p->n; i++) {
		live_buf_key(b, p->c[i].key);
		live_buf_i64(b, p->c[i].value);
	}
	live_buf_puts(b, "}");
	live_buf_key(b, "last_event_age_ms");
	live_buf_i64(b, now_ms > p->last_ms ? now_ms - p->last_ms : 0);
	live_buf_puts(b, "}");
}

static void
own_json(struct live_buf *b, const struct live_counters *c)
{
	static const char *const names[] = {
		"clients", "messages_sent", "messages_coalesced",
		"dropped_slow", "sessions_ended", "malformed_frames",
		"bus_messages", "bus_gaps", "bus_missed_records",
		"bus_decode_errors", "queue_drops"
	};
	const uint64_t v[] = {
		c->clients, c->messages_sent, c->messages_coalesced,
		c->dropped_slow, c->sessions_ended, c->malformed_frames,
		c->bus_messages, c->bus_gaps, c->bus_missed_records,
		c->bus_decode_errors, c->queue_drops
	};
	size_t i;

	live_buf_puts(b, "{");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		live_buf_key(b, names[i]);
		live_buf_printf(b, "%llu", (unsigned long long)v[i]);
	}
	live_buf_puts(b, "}");
}

void
live_stats_health(struct live_buf *b, const struct live_stats *s,
    const struct live_counters *c, const char *mode, const char *masked_key,
    int64_t now_ms)
{
	struct live_feed f[LIVE_MAX_PROCESSES];
	int i, n;

	n = live_stats_feeds(s, now_ms, f, LIVE_MAX_PROCESSES);
	live_buf_puts(b, "{");
	live_buf_key(b, "mode");
	live_buf_str(b, mode);
	live_buf_key(b, "api_key");
	live_buf_str(b, masked_key != NULL ? masked_key : "");
	live_buf_key(b, "feeds");
	feeds_json(b, f, n);
	live_buf_key(b, "processes");
	live_buf_puts(b, "{");
	for (i = 0; i < s->n; i++)
		process_json(b, &s->p[i], now_ms);
	live_buf_puts(b, "}");
	live_buf_key(b, "live");
	own_json(b, c);
	live_buf_puts(b, "}");
}
