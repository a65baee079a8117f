/*
 * Query-string checks (query.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"

/* Times are Unix ms; the bound keeps from/to arithmetic far from overflow. */
#define MS_MAX		((int64_t)1 << 53)

int
query_symbol_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > QUERY_SYMBOL_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789.:/_-", s[i]) == NULL)
			return 0;
	return 1;
}

int
query_source_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > QUERY_SOURCE_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyz0123456789_-", s[i]) ==
		    NULL)
			return 0;
	return 1;
}

int
query_int64(const char *s, int64_t *v)
{
	const char *p = s;
	char *end;
	long long x;

	if (*p == '-')
		p++;
	if (*p < '0' || *p > '9')
		return -1;
	for (; *p != '\0'; p++)
		if (*p < '0' || *p > '9')
			return -1;
	errno = 0;
	x = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*v = x;
	return 0;
}

static int
spec_index(const struct query_param *spec, int n_spec, const char *name)
{
	int i;

	for (i = 0; i < n_spec; i++)
		if (strcmp(spec[i].name, name) == 0)
			return i;
	return -1;
}

/* A name for an error message that cannot carry control bytes. */
static void
safe_name(char *out, size_t cap, const char *s)
{
	size_t i;

	for (i = 0; i + 1 < cap && s[i] != '\0' && i < 32; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	out[i] = '\0';
}

static int
parse_value(const struct query_param *p, const char *v,
    struct query_value *out, char *err, size_t err_len)
{
	if (p->type == QUERY_SYMBOL) {
		if (!query_symbol_ok(v)) {
			snprintf(err, err_len, "%s: want 1 to %d characters of "
			    "A-Z a-z 0-9 . : / _ -", p->name, QUERY_SYMBOL_MAX);
			return -1;
		}
		snprintf(out->s, sizeof(out->s), "%s", v);
		return 0;
	}
	if (p->type == QUERY_SOURCE) {
		if (!query_source_ok(v)) {
			snprintf(err, err_len, "%s: want 1 to %d characters of "
			    "a-z 0-9 _ -", p->name, QUERY_SOURCE_MAX);
			return -1;
		}
		snprintf(out->s, sizeof(out->s), "%s", v);
		return 0;
	}
	if (query_int64(v, &out->i) == -1 || out->i < p->min ||
	    out->i > p->max) {
		snprintf(err, err_len, "%s: want an integer from %lld to %lld",
		    p->name, (long long)p->min, (long long)p->max);
		return -1;
	}
	return 0;
}

int
query_parse(const struct http_arg *args, int n_args,
    const struct query_param *spec, int n_spec, struct query_value *out,
    char *err, size_t err_len)
{
	char name[40];
	int i, k;

	memset(out, 0, sizeof(*out) * (size_t)n_spec);
	for (i = 0; i < n_args; i++) {
		if ((k = spec_index(spec, n_spec, args[i].name)) == -1) {
			safe_name(name, sizeof(name), args[i].name);
			snprintf(err, err_len, "unknown parameter: %s", name);
			return -1;
		}
		if (out[k].present) {
			snprintf(err, err_len, "duplicate parameter: %s",
			    spec[k].name);
			return -1;
		}
		out[k].present = 1;
		if (parse_value(&spec[k], args[i].value, &out[k], err,
		    err_len) == -1)
			return -1;
	}
	for (k = 0; k < n_spec; k++)
		if (spec[k].required && !out[k].present) {
			snprintf(err, err_len, "missing parameter: %s",
			    spec[k].name);
			return -1;
		}
	return 0;
}

static int64_t
default_interval(const int64_t *intervals, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (intervals[i] == 60)
			return 60;
	return n > 0 ? intervals[n - 1] : 60;
}

static int
check_interval(int64_t v, const int64_t *intervals, int n, char *err,
    size_t err_len)
{
	char list[128];
	size_t used = 0;
	int i;

	for (i = 0; i < n; i++)
		if (intervals[i] == v)
			return 0;
	list[0] = '\0';
	for (i = 0; i < n && used < sizeof(list) - 24; i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used,
		    "%s%lld", i > 0 ? "," : "", (long long)intervals[i]);
	snprintf(err, err_len, "interval: want one of %s (seconds)", list);
	return -1;
}

enum { P_SYMBOL, P_SOURCE, P_INTERVAL, P_FROM, P_TO, P_LIMIT, P_COUNT };

static const struct query_param bars_spec[P_COUNT] = {
	{ "symbol", QUERY_SYMBOL, 0, 0, 1 },
	{ "source", QUERY_SOURCE, 0, 0, 0 },
	{ "interval", QUERY_INT, 1, 7 * 86400, 0 },
	{ "from", QUERY_INT, 0, MS_MAX, 0 },
	{ "to", QUERY_INT, 0, MS_MAX, 0 },
	{ "limit", QUERY_INT, 1, QUERY_LIMIT_MAX, 0 },
};

/* The parts bars and anomalies share: interval, range, limit. */
static int
common_parts(const struct query_value *v, const int64_t *intervals,
    int n_intervals, int64_t *interval, int64_t *from, int64_t *to,
    int *has_from, int *has_to, int64_t *limit, char *err, size_t err_len)
{
	if (v[P_INTERVAL].present && check_interval(v[P_INTERVAL].i,
	    intervals, n_intervals, err, err_len) == -1)
		return -1;
	*interval = v[P_INTERVAL].present ? v[P_INTERVAL].i : 0;
	*has_from = v[P_FROM].present;
	*has_to = v[P_TO].present;
	*from = *has_from ? v[P_FROM].i : 0;
	*to = *has_to ? v[P_TO].i : MS_MAX;
	if (*from > *to) {
		snprintf(err, err_len, "from: after to");
		return -1;
	}
	*limit = v[P_LIMIT].present ? v[P_LIMIT].i : QUERY_LIMIT_DEFAULT;
	return 0;
}

int
query_bars(const struct http_req *r, const int64_t *intervals,
    int n_intervals, struct bars_query *q, char *err, size_t err_len)
{
	struct query_value v[P_COUNT];

	memset(q, 0, sizeof(*q));
	if (r->args_overflow) {
		snprintf(err, err_len, "query string too long");
		return -1;
	}
	if (query_parse(r->args, r->n_args, bars_spec, P_COUNT, v, err,
	    err_len) == -1)
		return -1;
	if (common_parts(v, intervals, n_intervals, &q->interval_s,
	    &q->from_ms, &q->to_ms, &q->has_from, &q->has_to, &q->limit, err,
	    err_len) == -1)
		return -1;
	if (q->interval_s == 0)
		q->interval_s = default_interval(intervals, n_intervals);
	snprintf(q->symbol, sizeof(q->symbol), "%s", v[P_SYMBOL].s);
	snprintf(q->source, sizeof(q->source), "%.*s", QUERY_SOURCE_MAX,
	    v[P_SOURCE].s);
	return 0;
}

int
query_anomalies(const struct http_req *r, const int64_t *intervals,
    int n_intervals, struct anomalies_query *q, char *err, size_t err_len)
{
	struct query_param spec[P_COUNT];
	struct query_value v[P_COUNT];

	memset(q, 0, sizeof(*q));
	if (r->args_overflow) {
		snprintf(err, err_len, "query string too long");
		return -1;
	}
	memcpy(spec, bars_spec, sizeof(spec));
	spec[P_SYMBOL].required = 0;
	if (query_parse(r->args, r->n_args, spec, P_COUNT, v, err,
	    err_len) == -1)
		return -1;
	if (common_parts(v, intervals, n_intervals, &q->interval_s,
	    &q->from_ms, &q->to_ms, &q->has_from, &q->has_to, &q->limit, err,
	    err_len) == -1)
		return -1;
	snprintf(q->symbol, sizeof(q->symbol), "%s", v[P_SYMBOL].s);
	snprintf(q->source, sizeof(q->source), "%.*s", QUERY_SOURCE_MAX,
	    v[P_SOURCE].s);
	return 0;
}

int
query_side_check(const struct http_req *r, struct side_check_query *q,
    char *err, size_t err_len)
{
	static const struct query_param spec[] = {
		{ "symbol", QUERY_SYMBOL, 0, 0, 0 },
		{ "source", QUERY_SOURCE, 0, 0, 0 },
	};
	struct query_value v[2];

	memset(q, 0, sizeof(*q));
	if (r->args_overflow) {
		snprintf(err, err_len, "query string too long");
		return -1;
	}
	if (query_parse(r->args, r->n_args, spec, 2, v, err, err_len) == -1)
		return -1;
	snprintf(q->symbol, sizeof(q->symbol), "%s", v[0].s);
	snprintf(q->source, sizeof(q->source), "%.*s", QUERY_SOURCE_MAX,
	    v[1].s);
	return 0;
}

int
query_parse_intervals(const char *s, int64_t *out, int max)
{
	char tmp[256], *tok, *save = NULL;
	int64_t v;
	int n = 0;

	if (strlen(s) >= sizeof(tmp))
		return -1;
	snprintf(tmp, sizeof(tmp), "%s", s);
	for (tok = strtok_r(tmp, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (n == max || query_int64(tok, &v) == -1 || v < 1 ||
		    v > 7 * 86400 || (n > 0 && v <= out[n - 1]))
			return -1;
		out[n++] = v;
	}
	return n > 0 ? n : -1;
}
