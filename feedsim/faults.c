/*
 * Malformed frames (faults.h). Pure.
 */
#include <stdio.h>
#include <string.h>

#include "faults.h"

/* Elements longer than this are copied as they are, not stringified. */
#define STRINGIFY_MAX	1024

const char *
fault_kind_str(enum fault_kind k)
{
	static const char *const names[] = { "invalid_json", "truncated",
		"broken_events" };

	return (unsigned)k < FAULT_KIND_MAX ? names[k] : "?";
}

static size_t
invalid_json(char *dst, const char *src, size_t len)
{
	char *colon;

	memcpy(dst, src, len);
	if ((colon = memchr(dst, ':', len)) != NULL) {
		*colon = ';';
		return len;
	}
	dst[len] = '}';
	return len + 1;
}

static int
is_number_char(char c)
{
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' ||
	    c == 'e' || c == 'E';
}

/*
 * Copies the array element at s to d, quoting each number that is a
 * member value of it ("p":1.5 -> "p":"1.5"). Returns the end of d; *next
 * receives where the element ends in s.
 */
static char *
stringify(char *d, const char *s, const char *end, const char **next)
{
	int depth = 0, in_str = 0, esc = 0, after_colon = 0;
	const char *p;

	for (p = s; p < end; p++) {
		if (in_str) {
			*d++ = *p;
			if (esc)
				esc = 0;
			else if (*p == '\\')
				esc = 1;
			else if (*p == '"')
				in_str = 0;
			continue;
		}
		if (depth == 1 && after_colon && is_number_char(*p)) {
			*d++ = '"';
			while (p < end && is_number_char(*p))
				*d++ = *p++;
			*d++ = '"';
			after_colon = 0;
			p--;
			continue;
		}
		if (depth == 0 && (*p == ',' || *p == ']'))
			break;
		if (*p != ' ')
			after_colon = *p == ':';
		if (*p == '"')
			in_str = 1;
		else if (*p == '{' || *p == '[')
			depth++;
		else if (*p == '}' || *p == ']')
			depth--;
		*d++ = *p;
	}
	*next = p;
	return d;
}

static size_t
broken_events(char *dst, const char *src, size_t len, const char *sym,
    int crypto)
{
	const char *ev = crypto ? "XT" : "T", *key = crypto ? "pair" : "sym";
	const char *body = src + 1, *end = src + len - 1, *rest, *lim;
	char *d = dst, *mark;
	int n;

	n = snprintf(d, FAULTS_SLACK, "[{\"ev\":\"%s\",\"%s\":\"%.24s\"},"
	    "{\"ev\":\"%s\",\"%s\":\"%.24s\",\"x\":\"four\",\"i\":7,"
	    "\"z\":3,\"p\":\"abc\",\"s\":-1,\"t\":\"soon\",\"q\":1},"
	    "{\"ev\":\"ZZ\",\"%s\":\"%.24s\",\"p\":1},42",
	    ev, key, sym, ev, key, sym, key, sym);
	d += n;
	while (body < end && *body == ' ')
		body++;
	if (body < end) {
		*d++ = ',';
		rest = body;
		if (*body == '{') {
			lim = end - body > STRINGIFY_MAX ? body + STRINGIFY_MAX :
			    end;
			mark = d;
			d = stringify(d, body, lim, &rest);
			if (rest == lim && lim != end && *lim != ',') {
				d = mark;	/* too long: copy it as it is */
				rest = body;
			}
		}
		memcpy(d, rest, (size_t)(end - rest));
		d += end - rest;
	}
	*d++ = ']';
	return (size_t)(d - dst);
}

size_t
faults_malform(char *dst, const char *src, size_t len, enum fault_kind kind,
    const char *sym, int crypto)
{
	if (kind == FAULT_BROKEN_EVENTS &&
	    (len < 2 || src[0] != '[' || src[len - 1] != ']'))
		kind = FAULT_TRUNCATED;
	switch (kind) {
	case FAULT_INVALID_JSON:
		return invalid_json(dst, src, len);
	case FAULT_BROKEN_EVENTS:
		return broken_events(dst, src, len, sym, crypto);
	default:
		memcpy(dst, src, len / 2 > 0 ? len / 2 : len);
		return len / 2 > 0 ? len / 2 : len;
	}
}
