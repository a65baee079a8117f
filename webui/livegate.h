/*
 * Who may open /live (live.h's auth and recheck callbacks), on the lws
 * thread with its own auth.db connection: the upgrade must be GET /live,
 * come from our own origin (an Origin header equal to "https://" + Host;
 * security.md §6.2) and carry a valid session cookie of a user who need
 * not change their password first. A refusal is answered 400, 401 or 403
 * before any 101. The session tokens of open sockets are kept in memory,
 * keyed by their hash, so a recheck asks auth.db about the session again.
 */
#ifndef LIVEGATE_H
#define LIVEGATE_H

#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "creds.h"
#include "http.h"
#include "live.h"

struct webui_stats;

struct livegate_entry {
	char		 key[CREDS_SESSION_KEY_LEN + 1];
	char		 token[AUTH_SESSION_TOKEN_LEN + 1];
	int64_t		 until_ms;	/* the session cannot outlive this */
};

struct livegate {
	struct auth	*auth;
	struct webui_stats *stats;
	int64_t		 session_max_ms;
	struct livegate_entry *e;
	size_t		 n, cap;
	struct http_req	 req;		/* scratch, lws thread only */
};

void	 livegate_init(struct livegate *, struct auth *, struct webui_stats *,
	    int64_t session_max_ms);
void	 livegate_free(struct livegate *);
/* live_auth_fn and live_recheck_fn; arg is the struct livegate. */
int	 livegate_auth(struct lws *, void *arg, struct live_identity *);
int	 livegate_recheck(const char *session_key, void *arg,
	    int64_t *expires_ms);
/* Forgets a session (logout). */
void	 livegate_forget(struct livegate *, const char *session_key);

#endif /* LIVEGATE_H */
