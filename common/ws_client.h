/*
 * A WebSocket client that stays connected: libwebsockets underneath, TLS
 * through OpenSSL with certificate verification on, reconnect with
 * exponential backoff and jitter capped at 30 s, an adaptive stall timer,
 * and a clean stop on SIGTERM/SIGINT. It owns the process's event loop.
 *
 * One connection at a time: the old connection is closed before a new one
 * opens, because Polygon allows one connection per cluster and a new one
 * kicks the oldest (feeds.md §1). Frames are handed to on_frame whole, in
 * the loop thread, as soon as they are read; the caller parses them there,
 * so nothing queues up behind a slow parser (the parser is far faster than
 * any feed; docs/collectors.md has the figures).
 */
#ifndef WS_CLIENT_H
#define WS_CLIENT_H

#include <stddef.h>
#include <stdint.h>

struct ws_client;

struct ws_client_events {
	/* The socket is open (after the WebSocket handshake). */
	void	(*on_open)(struct ws_client *, void *arg);
	/* A whole text or binary message; data is valid during the call. */
	void	(*on_frame)(struct ws_client *, const char *data, size_t len,
		    int64_t recv_ns, void *arg);
	/* The connection ended or could not be made; reason for the log. */
	void	(*on_close)(struct ws_client *, const char *reason,
		    void *arg);
	/* The one-shot timer set with ws_client_timer() fired. */
	void	(*on_timer)(struct ws_client *, int64_t now_ns, void *arg);
	/* Once a second. */
	void	(*on_second)(struct ws_client *, int64_t now_ns, void *arg);
};

struct ws_client_config {
	const char	*url;		/* ws://host[:port]/path or wss://... */
	const char	*ca_file;	/* extra trusted CA (tests); or NULL */
	int64_t		 stall_min_ms;	/* see stall.h */
	int64_t		 stall_max_ms;
	double		 stall_factor;
	size_t		 max_message;	/* bigger messages are dropped */
	const struct ws_client_events *ev;
	void		*arg;
};

struct ws_client_stats {
	uint64_t	 connects;	/* attempts started */
	uint64_t	 connected;	/* handshakes completed */
	uint64_t	 reconnects;	/* connections after the first */
	uint64_t	 connect_failures;
	uint64_t	 stalls;
	uint64_t	 messages;
	uint64_t	 bytes;
	uint64_t	 oversize;	/* messages dropped for size */
	uint64_t	 send_dropped;	/* sends refused: queue full, closed */
	int		 is_open;
	int64_t		 last_data_ns;	/* last ws_client_data() */
	int64_t		 stall_limit_ns;
};

/*
 * Parses the URL and makes the lws context; fatal() on what cannot work
 * (bad URL, no TLS). Blocks SIGINT and SIGTERM: call it before any other
 * library starts threads, so that the signals reach the loop's signalfd.
 */
struct ws_client *ws_client_open(const struct ws_client_config *);
/* Connects and serves the loop until a signal or ws_client_stop(). */
void	 ws_client_run(struct ws_client *);
void	 ws_client_stop(struct ws_client *);
void	 ws_client_close(struct ws_client *);

/* Queues a text message for the open connection; -1 when not open. */
int	 ws_client_send(struct ws_client *, const char *text, size_t len);
/* A data message arrived (not a status or heartbeat): feeds the stall
 * timer, and tells backoff the connection is healthy. */
void	 ws_client_data(struct ws_client *, int64_t now_ns);
/* Closes the connection and reconnects after the next backoff delay. */
void	 ws_client_restart(struct ws_client *, const char *reason);
/* Fires on_timer once, delay_us from now (replaces a pending one). */
void	 ws_client_timer(struct ws_client *, int64_t delay_us);
const struct ws_client_stats *ws_client_stats(const struct ws_client *);
const char *ws_client_url(const struct ws_client *);

#endif /* WS_CLIENT_H */
