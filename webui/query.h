/*
 * Query-string rules of the API (docs/api.md): every parameter is named in
 * a spec, appears at most once, and has a strict syntax; anything else is
 * a 400 whose reason names the parameter. No I/O.
 */
#ifndef QUERY_H
#define QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "http.h"

#define QUERY_SYMBOL_MAX	32	/* bytes of [A-Za-z0-9.:/_-] */
#define QUERY_SOURCE_MAX	16	/* bytes of [a-z0-9_-] */
#define QUERY_LIMIT_MAX		20000
#define QUERY_LIMIT_DEFAULT	1000
#define QUERY_MAX_INTERVALS	8

enum query_type {
	QUERY_SYMBOL,		/* 1..32 bytes of [A-Za-z0-9.:/_-] */
	QUERY_SOURCE,		/* 1..16 bytes of [a-z0-9_-] */
	QUERY_INT		/* decimal integer within [min, max] */
};

struct query_param {
	const char	*name;
	enum query_type	 type;
	int64_t		 min, max;
	int		 required;
};

struct query_value {
	int		 present;
	int64_t		 i;
	char		 s[QUERY_SYMBOL_MAX + 1];
};

/*
 * Checks args against spec (n_spec entries) and fills out[i] for spec[i].
 * Returns 0, or -1 with the reason in err: an unknown or duplicated
 * parameter, a missing required one, a bad value.
 */
int	 query_parse(const struct http_arg *args, int n_args,
	    const struct query_param *spec, int n_spec,
	    struct query_value *out, char *err, size_t err_len);

/* Whether s is a valid symbol (syntax only). */
int	 query_symbol_ok(const char *s);
/* Whether s is a valid source name (bus names: demo, coinbase, ...). */
int	 query_source_ok(const char *s);
/* Strict decimal int64: optional '-', digits, no spaces. 0 or -1. */
int	 query_int64(const char *s, int64_t *v);

/*
 * The bars (and export.csv) query: symbol, source, interval, from, to,
 * limit.
 */
struct bars_query {
	char		 symbol[QUERY_SYMBOL_MAX + 1];
	char		 source[QUERY_SOURCE_MAX + 1];	/* "" = not given */
	int64_t		 interval_s;
	int64_t		 from_ms, to_ms;	/* inclusive bounds of start_ms */
	int		 has_from, has_to;
	int64_t		 limit;
};

/*
 * intervals: the configured bar intervals (TW_BAR_INTERVALS); interval
 * must be one of them and defaults to 60 when 60 is configured, else to
 * the largest. from must not be after to.
 */
int	 query_bars(const struct http_req *, const int64_t *intervals,
	    int n_intervals, struct bars_query *, char *err, size_t err_len);

/* The anomalies query: symbol, source and interval optional. */
struct anomalies_query {
	char		 symbol[QUERY_SYMBOL_MAX + 1];	/* "" = all */
	char		 source[QUERY_SOURCE_MAX + 1];	/* "" = all */
	int64_t		 interval_s;			/* 0 = all */
	int64_t		 from_ms, to_ms;
	int		 has_from, has_to;
	int64_t		 limit;
};

int	 query_anomalies(const struct http_req *, const int64_t *intervals,
	    int n_intervals, struct anomalies_query *, char *err,
	    size_t err_len);

/* The side-check query: symbol and source, both optional ("" = all). */
struct side_check_query {
	char		 symbol[QUERY_SYMBOL_MAX + 1];
	char		 source[QUERY_SOURCE_MAX + 1];
};

int	 query_side_check(const struct http_req *, struct side_check_query *,
	    char *err, size_t err_len);

/* "1,60" -> increasing positive intervals; the count, or -1. */
int	 query_parse_intervals(const char *, int64_t *out, int max);

#endif /* QUERY_H */
