/*
 * The bus side of webui: subscribes to the aggregator's bars and anomalies
 * and to every process's counters, keeps the newest counters and each
 * feed's state, and pushes live updates to the /live WebSocket clients.
 *
 * Threads: nng's callbacks only queue what arrives and wake the lws loop
 * (lws_cancel_service); everything else runs on the lws service thread,
 * except the two render functions, which the HTTP workers call and which
 * copy under a mutex.
 */
#ifndef LIVE_H
#define LIVE_H

#include <stddef.h>
#include <stdint.h>

#include <libwebsockets.h>

struct live;

/*
 * How webui authenticates the upgrade. Called on the lws thread from
 * LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION with the upgrade request's wsi:
 * checks Origin against the server's own and the session cookie, and on
 * success returns 0 and fills the user name, role name ("viewer".."admin"),
 * the session's expiry and an opaque session key (the token's hash, hex)
 * that live_end_session() names later. Nonzero refuses the upgrade.
 */
struct live_identity {
	char		 user[65];
	char		 role[16];
	int64_t		 expires_ms;
	char		 session_key[65];
};
typedef int	(*live_auth_fn)(struct lws *wsi, void *arg,
		    struct live_identity *who);
/* Rechecks a session still open on /live (once a second at most). */
typedef int	(*live_recheck_fn)(const char *session_key, void *arg,
		    int64_t *expires_ms);

struct live_config {
	const char *const *bus_urls;	/* aggregator, collectors, store */
	int		 n_bus_urls;
	size_t		 client_queue_max;	/* bytes queued per client
						   before it is dropped */
	const char	*mode;		/* "demo" or "live" */
	const char	*masked_key;	/* e.g. "abcd…wxyz" or "" */
	live_auth_fn	 auth;
	live_recheck_fn	 recheck;
	void		*auth_arg;
};

/* Starts the subscriptions; NULL with the reason logged. */
struct live	*live_create(struct lws_context *, const struct live_config *);
/* Call after lws_context_destroy(): until then sessions point here. */
void		 live_destroy(struct live *);

/*
 * The /live protocol entry for webui's protocol list; its user field must
 * be the struct live *:
 *   { "live", live_callback, live_session_size(), 4096, 0, live, 0 }
 */
int		 live_callback(struct lws *, enum lws_callback_reasons,
		    void *user, void *in, size_t len);
size_t		 live_session_size(void);

/* On LWS_CALLBACK_EVENT_WAIT_CANCELLED: hands queued records to clients. */
void		 live_service(struct live *);
/* Closes the /live connections of a session (logout, password change). */
void		 live_end_session(struct live *, const char *session_key);

/*
 * For the HTTP workers (thread-safe). Each returns a malloc'd,
 * NUL-terminated text and its length, or NULL on allocation failure.
 * metrics: Prometheus text format of every process's counters and
 * the /live side's own (clients, drops); webui appends its HTTP
 * counters. health: the JSON object /api/health answers.
 */
char		*live_metrics_text(struct live *, size_t *len);
char		*live_health_json(struct live *, int64_t now_ms, size_t *len);
/*
 * The state of the collector reading a series (for /api/symbols): the
 * best state among the feeds of source and asset_class (NULL: any), as
 * live_feeds_state_of picks them (docs/live.md "status": "live", "demo",
 * "reconnecting", "stale"), or "unknown" when none matches. Returns 1
 * when that state is "live" or "demo", else 0. Thread-safe.
 */
int		 live_feed_state(struct live *, const char *source,
		    const char *asset_class, char *state, size_t state_len);

#endif /* LIVE_H */
