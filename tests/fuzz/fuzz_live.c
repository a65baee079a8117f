/*
 * libFuzzer: one /live client message (webui/live_proto.c,
 * docs/live.md), copied into a buffer of exactly its size and not
 * NUL-terminated, as live.c hands a WebSocket message to
 * live_parse_request.
 *
 * Checked on every input, abort() on a violation:
 *  - live_parse_request: 0 with a ping, or a watch of 1..64 distinct
 *    symbols (each "*" or 1-23 of A-Z a-z 0-9 . - _ : /, all set exactly
 *    when "*" is among them, sorted[] the others in order) and 1..8
 *    distinct ascending intervals of 1..86400 s; or -1 with a
 *    NUL-terminated, non-empty reason, also in a small buffer;
 *  - live_watch_bar and live_watch_symbol select every watched symbol at
 *    every watched interval and nothing unwatched (a symbol no watch can
 *    name, an interval not watched unless "*" at the coarsest);
 *  - the server's "watching" answer and its "error" answer are JSON that
 *    jansson reads back, holding the watch set and the reason; the
 *    "watching" answer, sent back as a watch, gives the same watch set;
 *  - live_buf_str makes valid JSON of any bytes (the message itself as
 *    an error reason and as a hello's user name: invalid UTF-8 becomes
 *    U+FFFD).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "live_proto.h"
#include "fuzz_check.h"

static int
symbol_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n < TICK_SYMBOL_LEN && strspn(s,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	    ".-_:/") == n;
}

static void
check_watch(const struct live_watch *w)
{
	int i, j, stars = 0, named = 0;

	FZ_CHECK(w->n_symbols >= 1 && w->n_symbols <= LIVE_MAX_SYMBOLS);
	FZ_CHECK(w->n_intervals >= 1 && w->n_intervals <= LIVE_MAX_INTERVALS);
	for (i = 0; i < w->n_symbols; i++) {
		FZ_CHECK(memchr(w->symbols[i], '\0', TICK_SYMBOL_LEN) != NULL);
		if (strcmp(w->symbols[i], "*") == 0)
			stars++;
		else
			FZ_CHECK(symbol_ok(w->symbols[i]));
		for (j = 0; j < i; j++)
			FZ_CHECK(strcmp(w->symbols[i], w->symbols[j]) != 0);
	}
	FZ_CHECK(stars <= 1 && w->all == stars);
	named = w->n_symbols - stars;
	for (i = 0; i < named; i++) {
		FZ_CHECK(symbol_ok(w->sorted[i]));
		FZ_CHECK(i == 0 || strcmp(w->sorted[i - 1], w->sorted[i]) < 0);
	}
	for (i = 0; i < w->n_intervals; i++) {
		FZ_CHECK(w->intervals[i] >= 1 &&
		    w->intervals[i] <= LIVE_MAX_INTERVAL_S);
		FZ_CHECK(i == 0 || w->intervals[i - 1] < w->intervals[i]);
	}
	/* Selection: everything named, at every interval watched. */
	for (i = 0; i < w->n_symbols; i++) {
		if (strcmp(w->symbols[i], "*") == 0)
			continue;
		FZ_CHECK(live_watch_symbol(w, w->symbols[i]));
		for (j = 0; j < w->n_intervals; j++)
			FZ_CHECK(live_watch_bar(w, w->symbols[i],
			    w->intervals[j]));
	}
	/* "~" is no symbol: only "*" selects it, at the coarsest interval. */
	FZ_CHECK(live_watch_symbol(w, "~") == w->all);
	for (j = 0; j < w->n_intervals; j++)
		FZ_CHECK(live_watch_bar(w, "~", w->intervals[j]) ==
		    (w->all && j == w->n_intervals - 1));
	FZ_CHECK(!live_watch_bar(w, w->symbols[0], 0));
	FZ_CHECK(!live_watch_bar(w, w->symbols[0], LIVE_MAX_INTERVAL_S + 1));
}

/* The answer reads back as JSON with the same set; sent back, the same. */
static void
check_watching(const struct live_watch *w)
{
	struct live_request again;
	struct live_buf b;
	json_error_t jerr;
	json_t *j, *syms, *ivs;
	char reason[128], *text;
	int i;

	live_buf_init(&b);
	live_encode_watching(&b, w);
	FZ_CHECK(!b.oom && b.p != NULL && strlen(b.p) == b.len);
	j = json_loadb(b.p, b.len, JSON_REJECT_DUPLICATES, &jerr);
	FZ_CHECK(j != NULL && json_is_object(j));
	FZ_CHECK(strcmp(json_string_value(json_object_get(j, "type")),
	    "watching") == 0);
	syms = json_object_get(j, "symbols");
	ivs = json_object_get(j, "intervals");
	FZ_CHECK(json_is_array(syms) &&
	    json_array_size(syms) == (size_t)w->n_symbols);
	FZ_CHECK(json_is_array(ivs) &&
	    json_array_size(ivs) == (size_t)w->n_intervals);
	for (i = 0; i < w->n_symbols; i++)
		FZ_CHECK(strcmp(json_string_value(json_array_get(syms,
		    (size_t)i)), w->symbols[i]) == 0);
	for (i = 0; i < w->n_intervals; i++)
		FZ_CHECK(json_integer_value(json_array_get(ivs, (size_t)i)) ==
		    (json_int_t)w->intervals[i]);

	json_object_del(j, "type");
	json_object_set_new(j, "op", json_string("watch"));
	if ((text = json_dumps(j, JSON_COMPACT)) == NULL)
		abort();
	FZ_CHECK(live_parse_request(text, strlen(text), &again, reason,
	    sizeof(reason)) == 0);
	FZ_CHECK(again.op == LIVE_OP_WATCH &&
	    memcmp(&again.watch, w, sizeof(*w)) == 0);
	free(text);
	json_decref(j);
	live_buf_free(&b);
}

/* s as an error reason and a user name: valid JSON holding s. */
static void
check_string(const char *s, int exact)
{
	struct live_buf b;
	json_error_t jerr;
	json_t *j;

	live_buf_init(&b);
	live_encode_error(&b, s);
	live_buf_puts(&b, "\n");
	live_encode_hello(&b, s, "viewer", 1, "live", 2);
	FZ_CHECK(!b.oom && strlen(b.p) == b.len);
	j = json_loadb(b.p, strcspn(b.p, "\n"), 0, &jerr);
	FZ_CHECK(j != NULL && json_is_string(json_object_get(j, "reason")));
	if (exact)
		FZ_CHECK(strcmp(json_string_value(json_object_get(j,
		    "reason")), s) == 0);
	json_decref(j);
	j = json_loads(strchr(b.p, '\n') + 1, 0, &jerr);
	FZ_CHECK(j != NULL && json_is_string(json_object_get(j, "user")));
	json_decref(j);
	live_buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct live_request req;
	char reason[128], tiny[6], *msg, *text;
	size_t i;
	int rc;

	if ((msg = malloc(size ? size : 1)) == NULL)
		abort();
	if (size > 0)
		memcpy(msg, data, size);
	memset(reason, 'x', sizeof(reason));
	rc = live_parse_request(msg, size, &req, reason, sizeof(reason));
	FZ_CHECK(rc == 0 || rc == -1);
	FZ_CHECK(live_parse_request(msg, size, &req, tiny, sizeof(tiny)) ==
	    rc);
	if (rc == -1) {
		FZ_CHECK(req.op == LIVE_OP_NONE);
		FZ_CHECK(memchr(reason, '\0', sizeof(reason)) != NULL &&
		    reason[0] != '\0');
		FZ_CHECK(memchr(tiny, '\0', sizeof(tiny)) != NULL);
		check_string(reason, 1);
	} else if (req.op == LIVE_OP_WATCH) {
		check_watch(&req.watch);
		check_watching(&req.watch);
	} else
		FZ_CHECK(req.op == LIVE_OP_PING);
	if (size > LIVE_MAX_MESSAGE)
		FZ_CHECK(rc == -1);

	/* The bytes as text: everything up to a NUL, ASCII kept exactly. */
	if ((text = malloc(size + 1)) == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	for (i = 0; text[i] != '\0' && (unsigned char)text[i] >= 0x20 &&
	    (unsigned char)text[i] < 0x7f; i++)
		;
	check_string(text, text[i] == '\0');
	free(text);
	free(msg);
	return 0;
}
