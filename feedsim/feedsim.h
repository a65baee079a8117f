/*
 * feedsim: a local server that speaks the Polygon/Massive WebSocket
 * protocol (feeds.md §1-§2) with synthetic or replayed data and injects
 * faults on request. This header holds the one context struct and the
 * prototypes of the I/O modules, grouped by file; the pure modules
 * (market, encode, subs, faults) have headers of their own.
 */
#ifndef FEEDSIM_H
#define FEEDSIM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <libwebsockets.h>

#include "config.h"
#include "encode.h"
#include "log.h"
#include "market.h"
#include "ratelimit.h"
#include "replay.h"
#include "subs.h"
#include "venues.h"

/* Polygon paths, each with a market, then the venue paths (venues.h). */
#define PATH_STOCKS	0
#define PATH_CRYPTO	1
#define PATH_MAX_	2		/* Polygon paths and markets */
#define PATH_COINBASE	(PATH_MAX_ + VENUE_COINBASE)
#define PATH_KRAKEN	(PATH_MAX_ + VENUE_KRAKEN)
#define PATH_BINANCE	(PATH_MAX_ + VENUE_BINANCE)

/* The Polygon path whose market serves a symbol: crypto pairs hold a '-'. */
#define SYMBOL_PATH(sym)	(strchr((sym), '-') != NULL ? PATH_CRYPTO : \
				    PATH_STOCKS)
#define PATH_ALL	(PATH_MAX_ + VENUE_MAX)
#define PATH_VENUE(p)	((p) >= PATH_MAX_)

#define FRAME_FILL	65536		/* a data frame closes at this size */
#define CTL_MSG_MAX	65536		/* largest client message taken */
#define PUMP_TICK_US	1000		/* the pacing timer */

struct feedsim_opts {
	const char	*listen;
	char		 host[64];	/* "" = every interface */
	int		 port;
	double		 rate;
	double		 burst;
	const char	*symbols;
	long		 seed;
	long		 start_ms;	/* -1: the wall clock at start */
	const char	*replay;
	double		 replay_speed;
	int		 replay_loop;
	long		 replay_clients;	/* listeners before it starts */
	char		*api_key;	/* NULL: any non-empty key */
	const char	*log_sent;
	double		 drop_every_s;
	long		 malformed_every;
	double		 stall_every_s;
	double		 stall_for_s;
	int		 refuse_auth;
	const char	*flood;		/* a symbol of --symbols, or NULL */
	double		 flood_rate;	/* its extra events per second */
	const char	*tls_cert;
	const char	*tls_key;
	double		 auth_timeout_s;
	long		 max_queue_mib;
	struct config_opt table[24];	/* opts.c: every option, the end */
};

/* Frames queued for a connection; LWS_PRE bytes of room before data. */
#define FRAME_DATA	0x1		/* market data, not a status */
#define FRAME_LAST	0x2		/* close the connection after it */
struct frame {
	struct frame	*next;
	size_t		 len, cap;
	uint32_t	 n_events;
	uint8_t		 flags;
	unsigned char	 buf[];
};
#define FRAME_TEXT(f)	((char *)(f)->buf + LWS_PRE)

/* One WebSocket client: lws's per-session data. */
struct conn {
	struct feedsim	*fs;
	struct lws	*wsi;
	struct conn	*prev, *next;	/* oldest first */
	uint64_t	 id;
	int		 path;		/* PATH_* */
	int		 authed, closing, close_now;
	uint64_t	 key_hash;
	char		 key_mask[MASK_KEY_MAX];
	char		 peer[64];
	struct frame	*q_head, *q_tail, *open;
	size_t		 q_bytes;
	uint64_t	 n_data_frames, n_sent_frames, n_sent_events;
	char		*rx;
	size_t		 rx_len;
	int		 rx_binary, rx_oversize;
	lws_sorted_usec_list_t auth_sul, drop_sul;
	struct subs	 subs;
};

struct counters {
	uint64_t	 conns, auths, auth_failed, auth_timeouts, kicked;
	uint64_t	 slow_consumers, drops, stalls, malformed;
	uint64_t	 client_errors, frames_sent, events_sent, bytes_sent;
	uint64_t	 generated[PATH_MAX_], withheld, behind_ticks;
	uint64_t	 replay_frames;
	uint64_t	 venue_msgs[VENUE_MAX];
};

struct replay_state {
	struct replay	 r;
	int		 open, started, have, finished;
	uint64_t	 passes;
	int64_t		 t0_ns, base_ns;	/* mono start, first recv_ns */
};

struct feedsim {
	struct feedsim_opts o;
	struct lws_context *ctx;
	struct lws_vhost *vh;
	int		 sigfd, timerfd, stop;
	char		*sym_copy;
	const char	*names[PATH_MAX_][MARKET_MAX_SYMBOLS];
	int		 n_names[PATH_MAX_];
	struct subs_path paths[PATH_MAX_];
	struct market	 mkt[PATH_MAX_];
	struct conn	*head, *tail;
	uint64_t	 next_conn_id;
	struct frame	*pool;
	int		 n_pool;
	char		*scratch;	/* CTL_MSG_MAX + 1 bytes */
	char		 evbuf[ENCODE_EVENT_MAX];
	lws_sorted_usec_list_t pump_sul, stats_sul;
	int64_t		 mono0_ns, start_ns;
	int		 stalled;
	int64_t		 stall_next_ns, stall_end_ns;
	struct replay_state rp;
	FILE		*sent;
	int		 sent_dirty;
	struct ratelimit rl_behind, rl_fault, rl_client, rl_replay;
	struct counters	 c;
	/* The venue paths (venue.c): the /crypto market, renamed. */
	struct venue_sym *vsym[VENUE_MAX];	/* per crypto symbol */
	char		*vwire_buf;
	const char	**vwire[VENUE_MAX];	/* wire names by symbol */
	struct vreq	*vreq;		/* one parsed request */
	int64_t		 hb_next_ns;	/* the next heartbeat second */
};

/* opts.c */
int	 opts_load(struct feedsim_opts *, int argc, char **argv);
int	 opts_split_symbols(struct feedsim *);
void	 opts_free(struct feedsim_opts *);

/* server.c */
void	 server_open(struct feedsim *);
void	 server_close(struct feedsim *);
void	 server_stats(struct feedsim *, const char *when);

/* conn.c */
struct frame *frame_get(struct feedsim *, size_t cap);
void	 frame_put(struct feedsim *, struct frame *);
void	 conn_push(struct conn *, struct frame *);
void	 conn_add_event(struct conn *, const char *ev, size_t n);
void	 conn_flush(struct conn *);
void	 conn_push_data(struct conn *, const char *text, size_t n);
struct frame *conn_ack(struct conn *, struct frame *, const char *status,
	    const char *msg, size_t msg_len);
void	 conn_ack_end(struct conn *, struct frame *);
void	 conn_status(struct conn *, const char *status, const char *msg);
void	 conn_status_close(struct conn *, const char *status,
	    const char *msg);
int	 conn_writable(struct conn *);
void	 conn_discard(struct conn *, int only_data);
void	 sentlog_flush(struct feedsim *);

void	 conn_push_text(struct conn *, const char *text, size_t n,
	    int data);
void	 conn_text_close(struct conn *, const char *text, size_t n);

/* venue.c: the I/O side of the venue paths */
int	 venue_setup(struct feedsim *);
void	 venue_teardown(struct feedsim *);
void	 venue_open(struct conn *);
void	 venue_message(struct conn *, const char *msg, size_t len);
void	 venue_error(struct conn *, const char *why, int close);
void	 venue_dispatch(struct feedsim *, const struct market_event *);
void	 venue_heartbeats(struct feedsim *, int64_t virt_ms);

/* pump.c */
int	 pump_timer_open(void);
void	 pump_start(struct feedsim *);
void	 pump_tick(struct feedsim *);
int	 pump_setup(struct feedsim *);
void	 pump_teardown(struct feedsim *);

/* control.c */
enum control_action {
	CTL_AUTH = 0,
	CTL_SUBSCRIBE,
	CTL_UNSUBSCRIBE,
	CTL_UNKNOWN,		/* a valid object with another action */
	CTL_BAD_JSON,
	CTL_BAD_PARAMS		/* no "action", or "params" not a string */
};
enum control_action control_parse(const char *msg, size_t len,
	    char *action, size_t action_cap, char *params, size_t params_cap);

#endif /* FEEDSIM_H */
