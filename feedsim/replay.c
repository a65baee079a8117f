/*
 * Reading recorded frames (replay.h). jansson decodes each line; the
 * frame text is kept exactly as recorded, malformed or not.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "replay.h"

int
replay_open(struct replay *r, const char *path)
{
	memset(r, 0, sizeof(*r));
	if ((r->f = fopen(path, "r")) == NULL)
		return -1;
	return 0;
}

void
replay_close(struct replay *r)
{
	if (r->f != NULL)
		fclose(r->f);
	free(r->line);
	free(r->frame);
	memset(r, 0, sizeof(*r));
}

int
replay_rewind(struct replay *r)
{
	return fseek(r->f, 0L, SEEK_SET);
}

static int
frame_keep(struct replay *r, const char *s, size_t n)
{
	char *p;

	if (n + 1 > r->frame_cap) {
		if ((p = realloc(r->frame, n + 1)) == NULL)
			return -1;
		r->frame = p;
		r->frame_cap = n + 1;
	}
	memcpy(r->frame, s, n);
	r->frame[n] = '\0';
	r->frame_len = n;
	return 0;
}

/* Whether the frame is an array of nothing but status events. */
static int
status_only(const char *s, size_t n)
{
	json_t *root, *el, *ev;
	size_t i;
	int only;

	if (strstr(s, "\"status\"") == NULL)
		return 0;
	if ((root = json_loadb(s, n, 0, NULL)) == NULL)
		return 0;
	only = json_is_array(root) && json_array_size(root) > 0;
	json_array_foreach(root, i, el) {
		ev = json_object_get(el, "ev");
		if (!json_is_string(ev) ||
		    strcmp(json_string_value(ev), "status") != 0)
			only = 0;
	}
	json_decref(root);
	return only;
}

/*
 * A frame that was not UTF-8 is recorded as base64 in "frame_b64"
 * (docs/collectors.md): decode it into r->frame. 0, or -1 when bad.
 */
static int
frame_keep_b64(struct replay *r, const char *b64, size_t n)
{
	size_t bin_len = 0;

	if (frame_keep(r, b64, n) == -1)	/* sizes the buffer: n >= bin */
		return -1;
	if (sodium_base642bin((unsigned char *)r->frame, r->frame_cap, b64, n,
	    NULL, &bin_len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
		return -1;
	r->frame[bin_len] = '\0';
	r->frame_len = bin_len;
	return 0;
}

/* 1: a frame to send; 0: a line to skip; -1: out of memory. */
static int
take_line(struct replay *r, const char *line, size_t n)
{
	json_t *root, *ns, *fr, *b64;
	int rc = 0;

	/* Recorded frames may hold NUL bytes (\u0000): keep them. */
	if ((root = json_loadb(line, n, JSON_ALLOW_NUL, NULL)) == NULL) {
		r->n_bad++;
		return 0;
	}
	ns = json_object_get(root, "recv_ns");
	fr = json_object_get(root, "frame");
	b64 = json_object_get(root, "frame_b64");
	if (json_is_integer(ns) && json_is_string(b64)) {
		if (frame_keep_b64(r, json_string_value(b64),
		    json_string_length(b64)) == -1)
			r->n_bad++;
		else {
			r->recv_ns = (int64_t)json_integer_value(ns);
			r->n_frames++;
			rc = 1;
		}
	} else if (!json_is_integer(ns) || !json_is_string(fr))
		r->n_bad++;
	else if (status_only(json_string_value(fr), json_string_length(fr)))
		r->n_status++;
	else if (frame_keep(r, json_string_value(fr),
	    json_string_length(fr)) == -1)
		rc = -1;
	else {
		r->recv_ns = (int64_t)json_integer_value(ns);
		r->n_frames++;
		rc = 1;
	}
	json_decref(root);
	return rc;
}

int
replay_next(struct replay *r)
{
	ssize_t n;
	int rc;

	for (;;) {
		errno = 0;
		if ((n = getline(&r->line, &r->line_cap, r->f)) == -1)
			return errno == 0 || feof(r->f) ? 0 : -1;
		r->n_lines++;
		while (n > 0 && (r->line[n - 1] == '\n' ||
		    r->line[n - 1] == '\r'))
			n--;
		if (n == 0)
			continue;
		if ((size_t)n > REPLAY_LINE_MAX) {
			r->n_bad++;
			continue;
		}
		if ((rc = take_line(r, r->line, (size_t)n)) != 0)
			return rc;
	}
}
