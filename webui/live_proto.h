/*
 * The /live protocol's pure parts (docs/live.md): parsing what a client
 * sends, the watch set, and the JSON text of what the server sends. No
 * sockets, no clock, no logging: time comes in as arguments.
 */
#ifndef LIVE_PROTO_H
#define LIVE_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "bar.h"

#define LIVE_MAX_MESSAGE	4096	/* bytes per client message */
#define LIVE_MAX_SYMBOLS	64
#define LIVE_MAX_INTERVALS	8
#define LIVE_MAX_INTERVAL_S	86400
#define LIVE_MALFORMED_CLOSE	10	/* malformed in a row: close 1008 */

/* A growing text buffer; oom sticks once an allocation failed. */
struct live_buf {
	char		*p;
	size_t		 len;
	size_t		 cap;
	int		 oom;
};

void	 live_buf_init(struct live_buf *);
void	 live_buf_free(struct live_buf *);
void	 live_buf_reset(struct live_buf *);
void	 live_buf_raw(struct live_buf *, const char *, size_t);
void	 live_buf_puts(struct live_buf *, const char *);
void	 live_buf_printf(struct live_buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* A JSON string: quoted, escaped, invalid UTF-8 replaced by U+FFFD. */
void	 live_buf_str(struct live_buf *, const char *);
/* ,"key": -- the comma left out right after { or [. */
void	 live_buf_key(struct live_buf *, const char *key);
void	 live_buf_i64(struct live_buf *, int64_t);
/* The shortest text that reads back as the same double; null if not
 * finite (JSON has no NaN). */
void	 live_buf_double(struct live_buf *, double);
/* A fixed-point price as a double (the store's price()), or null. */
void	 live_buf_price(struct live_buf *, int64_t fixed, int present);

/*
 * A watch set. symbols[] keeps the order first given (for the answer);
 * sorted[] is the same set sorted for lookups. all is "*": every symbol
 * at the coarsest interval, intervals[n_intervals - 1].
 */
struct live_watch {
	int		 n_symbols;
	char		 symbols[LIVE_MAX_SYMBOLS][TICK_SYMBOL_LEN];
	char		 sorted[LIVE_MAX_SYMBOLS][TICK_SYMBOL_LEN];
	int		 all;
	int		 n_intervals;
	uint32_t	 intervals[LIVE_MAX_INTERVALS];	/* ascending */
};

enum live_op {
	LIVE_OP_NONE = 0,
	LIVE_OP_WATCH,
	LIVE_OP_PING
};

struct live_request {
	enum live_op	 op;
	struct live_watch watch;	/* LIVE_OP_WATCH */
};

/*
 * Parses one client message of len bytes (not NUL-terminated). Returns 0
 * with *req filled, or -1 with a short reason for the error frame.
 */
int	 live_parse_request(const char *text, size_t len,
	    struct live_request *req, char *reason, size_t reason_len);

/* Whether a watch set selects a bar, or a symbol's anomalies. */
int	 live_watch_bar(const struct live_watch *, const char *symbol,
	    uint32_t interval_s);
int	 live_watch_symbol(const struct live_watch *, const char *symbol);

/* Server messages, appended to the buffer as one JSON object each. */
void	 live_encode_bar(struct live_buf *, const struct bar *);
void	 live_encode_anomaly(struct live_buf *, const struct anomaly *);
void	 live_encode_hello(struct live_buf *, const char *user,
	    const char *role, int64_t expires_ms, const char *mode,
	    int64_t now_ms);
void	 live_encode_watching(struct live_buf *, const struct live_watch *);
void	 live_encode_pong(struct live_buf *, int64_t now_ms);
void	 live_encode_error(struct live_buf *, const char *reason);
void	 live_encode_session(struct live_buf *, int64_t expires_ms);

#endif /* LIVE_PROTO_H */
