/*
 * What every feed parser shares: the reasons an event is skipped, the
 * counters a collector keeps per reason, and the handler a parser calls
 * with each tick and each status message. Pure declarations.
 */
#ifndef FEED_H
#define FEED_H

#include <stddef.h>
#include <stdint.h>

#include "tick.h"

/* Why a frame or an event was skipped; FEED_OK when it was not. */
enum feed_parse {
	FEED_OK = 0,
	FEED_BAD_JSON,		/* the frame is not valid JSON */
	FEED_NOT_ARRAY,		/* the frame is valid JSON but not an array */
	FEED_NOT_OBJECT,	/* an array element is not an object */
	FEED_NO_EV,		/* an element without a string "ev" */
	FEED_UNKNOWN_EV,	/* an event type this collector does not take */
	FEED_MISSING_FIELD,	/* a required field is absent */
	FEED_BAD_TYPE,		/* a field has the wrong JSON type */
	FEED_BAD_VALUE,		/* a field is out of range or malformed */
	FEED_TOO_LARGE,		/* the frame exceeds the parser's bound */
	FEED_PARSE_MAX
};

/* Status messages of the Polygon/Massive protocol (feeds.md §1). */
enum feed_server_status {
	FSS_OTHER = 0,		/* a status this collector does not know */
	FSS_CONNECTED,		/* "connected" (spec: "success" first) */
	FSS_AUTH_SUCCESS,
	FSS_AUTH_FAILED,
	FSS_AUTH_TIMEOUT,
	FSS_SUCCESS,		/* subscribe / unsubscribe acknowledged */
	FSS_AUTH_REQUIRED,
	FSS_ERROR,
	FSS_MAX_CONNECTIONS,
	FSS_FORCE_DISCONNECT,
	FSS_SLOW_CONSUMER,
	FSS_MAX
};

/*
 * Called by a parser for every tick and every status message, in frame
 * order. A status message's text is raw JSON string content (escapes not
 * decoded, not NUL-terminated): sanitize it before logging.
 */
struct feed_handler {
	void	(*on_tick)(void *arg, const struct tick *);
	void	(*on_status)(void *arg, enum feed_server_status,
		    const char *message, size_t message_len);
	void	*arg;
};

/* Counters a parser adds to; the collector publishes them. */
struct feed_counts {
	uint64_t	 frames;
	uint64_t	 events;		/* array elements seen */
	uint64_t	 ticks[TICK_KIND_MAX];	/* emitted, by kind */
	uint64_t	 status_messages;
	uint64_t	 skipped[FEED_PARSE_MAX];	/* by reason */
};

const char	*feed_parse_str(enum feed_parse);
const char	*feed_server_status_str(enum feed_server_status);

#endif /* FEED_H */
