/*
 * feedsim's own JSON writer: market events as Polygon/Massive WebSocket
 * event objects (feeds.md §2), status objects (feeds.md §1), and the
 * decimal formatting behind them. Pure: no I/O, no allocation. It shares
 * nothing with the collectors' parser or number code on purpose: a bug
 * that both carried would pass every test (DESIGN.md).
 *
 * Writers take a cursor and return the cursor after what they wrote.
 * Event writers need ENCODE_EVENT_MAX bytes of room and never check it:
 * the caller makes sure once per event, which keeps the hot path free of
 * per-byte bounds checks. Nothing here writes a newline, so a frame is
 * one line of --log-sent.
 */
#ifndef ENCODE_H
#define ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "market.h"

/* The longest event object encode_event writes, with room to spare. */
#define ENCODE_EVENT_MAX	512

/* Decimal digits of v. */
char	*encode_uint(char *p, uint64_t v);
char	*encode_int(char *p, int64_t v);

/*
 * v * 10^-scale (scale <= 18) as a JSON number, in the shortest form
 * that reads back exactly: trailing fraction zeros dropped, no point for
 * a whole number ("100"), and, like Python's repr and Go's encoder that
 * real feeds come from, exponent form when 0 < |value| < 1e-4
 * ("4.522e-05"). At most 32 bytes.
 */
char	*encode_decimal(char *p, int64_t v, int scale);

/* One event as a JSON object, without a separator. */
char	*encode_event(char *p, const struct market_event *ev);

/*
 * {"ev":"status","status":S,"message":M} with M (msg_len bytes, any
 * bytes) escaped as a JSON string; bytes above 0x7f become '?', so text
 * a peer sent is echoed as valid UTF-8. Returns NULL, writing nothing useful,
 * when it does not fit before end.
 */
char	*encode_status(char *p, const char *end, const char *status,
	    const char *msg, size_t msg_len);

#endif /* ENCODE_H */
