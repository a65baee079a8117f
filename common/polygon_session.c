/*
 * The Polygon/Massive handshake and its control messages
 * (polygon_session.h). No I/O.
 */
#include <stdio.h>
#include <string.h>

#include "polygon_session.h"

void
polygon_session_start(struct polygon_session *s)
{
	s->phase = PP_CONNECTING;
}

enum polygon_action
polygon_session_status(struct polygon_session *s, enum feed_server_status st)
{
	switch (st) {
	case FSS_CONNECTED:
		/* The spec names the first status "success", the live
		 * server "connected": take either, once (feeds.md §1). */
		if (s->phase != PP_CONNECTING)
			return PA_NONE;
		s->phase = PP_AUTHENTICATING;
		return PA_SEND_AUTH;
	case FSS_SUCCESS:
		if (s->phase != PP_CONNECTING)
			return PA_NONE;	/* a subscription acknowledged */
		s->phase = PP_AUTHENTICATING;
		return PA_SEND_AUTH;
	case FSS_AUTH_SUCCESS:
		if (s->phase != PP_AUTHENTICATING)
			return PA_WARN;
		s->phase = PP_LIVE;
		return PA_SEND_SUBSCRIBE;
	case FSS_AUTH_FAILED:
	case FSS_AUTH_TIMEOUT:
		s->phase = PP_CONNECTING;
		return PA_AUTH_FAILED;
	case FSS_MAX_CONNECTIONS:
	case FSS_FORCE_DISCONNECT:
	case FSS_SLOW_CONSUMER:
		return PA_KICKED;
	case FSS_AUTH_REQUIRED:
	case FSS_ERROR:
		return PA_WARN;
	default:
		return PA_NONE;
	}
}

size_t
polygon_auth_message(char *buf, size_t len, const char *key)
{
	static const char head[] = "{\"action\":\"auth\",\"params\":\"";
	static const char tail[] = "\"}";
	size_t n = sizeof(head) - 1;
	const unsigned char *k;
	int w;

	if (len < sizeof(head) + sizeof(tail))
		return 0;
	memcpy(buf, head, n);
	for (k = (const unsigned char *)key; *k != '\0'; k++) {
		if (n + 7 + sizeof(tail) > len)
			return 0;
		if (*k == '"' || *k == '\\') {
			buf[n++] = '\\';
			buf[n++] = (char)*k;
		} else if (*k < 0x20) {
			w = snprintf(buf + n, len - n, "\\u%04x", *k);
			n += (size_t)w;
		} else
			buf[n++] = (char)*k;
	}
	memcpy(buf + n, tail, sizeof(tail));
	return n + sizeof(tail) - 1;
}

static int
symbol_char_ok(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	    (ch >= '0' && ch <= '9') || strchr(".:/_*-", ch) != NULL;
}

/* Appends s (n bytes) at *pos; -1 when it does not fit. */
static int
put(char *buf, size_t len, size_t *pos, const char *s, size_t n)
{
	if (*pos + n >= len)
		return -1;
	memcpy(buf + *pos, s, n);
	*pos += n;
	return 0;
}

size_t
polygon_subscribe_message(char *buf, size_t len, enum asset_class ac,
    const char *symbols)
{
	static const char *const stock_ev[] = { "T.", "Q.", "AM." };
	static const char *const crypto_ev[] = { "XT.", "XQ.", "XA." };
	const char *const *evs = ac == ASSET_CRYPTO ? crypto_ev : stock_ev;
	const char *p = symbols, *start, *end;
	size_t pos = 0, i, n_topics = 0;

	if (put(buf, len, &pos, "{\"action\":\"subscribe\",\"params\":\"",
	    32) == -1)
		return 0;
	while (*p != '\0') {
		while (*p == ' ' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p != '\0' && *p != ',')
			p++;
		end = p;
		while (end > start && end[-1] == ' ')
			end--;
		for (i = 0; start + i < end; i++)
			if (!symbol_char_ok(start[i]))
				return 0;
		for (i = 0; i < 3; i++) {
			if ((n_topics++ > 0 && put(buf, len, &pos, ",", 1)) ||
			    put(buf, len, &pos, evs[i], strlen(evs[i])) ||
			    put(buf, len, &pos, start, (size_t)(end - start)))
				return 0;
		}
	}
	if (n_topics == 0 || put(buf, len, &pos, "\"}", 2) == -1)
		return 0;
	buf[pos] = '\0';
	return pos;
}
