/*
 * The Polygon/Massive handshake as a pure state machine (feeds.md §1):
 * on "connected" send auth, on "auth_success" subscribe, on "auth_failed"
 * or "auth_timeout" give up on this connection (the key is wrong: retry
 * only after a backoff), on max_connections / force_disconnect /
 * slow_consumer note that the server is about to drop us. The caller
 * performs the action returned. No I/O.
 */
#ifndef POLYGON_SESSION_H
#define POLYGON_SESSION_H

#include <stddef.h>

#include "feed.h"
#include "tick.h"

enum polygon_action {
	PA_NONE = 0,
	PA_SEND_AUTH,		/* send polygon_auth_message() */
	PA_SEND_SUBSCRIBE,	/* send polygon_subscribe_message(); now live */
	PA_AUTH_FAILED,		/* close; reconnect after backoff */
	PA_KICKED,		/* the server will close; note why */
	PA_WARN			/* an error status worth a log line */
};

enum polygon_phase {
	PP_CONNECTING = 0,	/* socket open, no "connected" yet */
	PP_AUTHENTICATING,	/* auth sent */
	PP_LIVE			/* authenticated and subscribed */
};

struct polygon_session {
	enum polygon_phase phase;
};

void	 polygon_session_start(struct polygon_session *);
enum polygon_action polygon_session_status(struct polygon_session *,
	    enum feed_server_status);

/*
 * Writes {"action":"auth","params":KEY} with KEY JSON-escaped. Returns the
 * length, or 0 when it does not fit.
 */
size_t	 polygon_auth_message(char *buf, size_t len, const char *key);

/*
 * Writes {"action":"subscribe","params":"T.AAPL,Q.AAPL,AM.AAPL,..."} for a
 * comma list of symbols ("*" for all): stocks take T, Q and AM, crypto XT,
 * XQ and XA. Symbols are trimmed; an empty one, or one with characters
 * outside [A-Za-z0-9.:/_*-], makes it fail. Returns the length, or 0.
 */
size_t	 polygon_subscribe_message(char *buf, size_t len, enum asset_class,
	    const char *symbols);

#endif /* POLYGON_SESSION_H */
