/*
 * webui's lws side: one context, one vhost on the lws service thread.
 * Requests are parsed here into struct http_req and handed to the pool;
 * answers come back on LWS_CALLBACK_EVENT_WAIT_CANCELLED and are written
 * in chunks as the socket takes them. /healthz is answered here from the
 * pool's flag, an unknown method (TRACE...) by a raw fallback protocol
 * with a 405, the /live upgrade by live.c after livegate.c let it in.
 */
#ifndef SERVER_H
#define SERVER_H

#include <libwebsockets.h>

#include "auth.h"
#include "livegate.h"
#include "options.h"
#include "pool.h"
#include "stats.h"

#define SERVER_WRITE_CHUNK	(64 * 1024)

struct live;

struct server {
	const struct webui_options *opt;
	struct lws_context	*ctx;
	struct lws_vhost	*vh;
	struct live		*live;
	struct pool		 pool;
	int			 pool_started;
	struct webui_stats	 stats;
	struct livegate		 gate;
	struct auth		*auth;		/* the lws thread's own */
	int			 sigfd;
	int			 stop;
	struct lws_protocols	 protocols[5];
	struct lws_protocol_vhost_options *headers;
	unsigned char		*wbuf;		/* LWS_PRE + a chunk */
	char			*not_allowed;	/* the fallback's 405 */
	size_t			 not_allowed_len;
};

/* Everything up to serving; fatal() on what prevents it. */
void	 server_open(struct server *, const struct webui_options *);
/* Until SIGINT or SIGTERM. */
void	 server_run(struct server *);
/* Stops the workers, closes connections, frees. */
void	 server_close(struct server *);

#endif /* SERVER_H */
