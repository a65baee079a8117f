/*
 * A /live client's queue of messages not yet written (docs/live.md
 * "Coalescing and slow clients"). Messages are encoded once and shared by
 * every client's queue through a reference count. Pure: no sockets, no
 * clock, no locking (everything runs on the lws thread).
 */
#ifndef LIVE_QUEUE_H
#define LIVE_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "tick.h"

/* Headroom before the text, for the WebSocket header (>= LWS_PRE). */
#define LQ_PRE		16
#define LQ_BUCKETS	64

enum lq_kind {
	LQ_PLAIN = 0,	/* queued as is: anomaly, hello, pong, error, ... */
	LQ_LIVE,	/* replaces a waiting LQ_LIVE of the same key */
	LQ_FINAL,	/* closed/corrected bar: removes a waiting LQ_LIVE of
			 * the same key that starts no later */
	LQ_STATUS,	/* replaces a waiting LQ_STATUS */
	LQ_SESSION,	/* replaces a waiting LQ_SESSION */
	LQ_KIND_MAX
};

struct lq_msg {
	unsigned	 refs;
	uint8_t		 kind;		/* enum lq_kind */
	uint32_t	 interval_s;	/* key of LQ_LIVE and LQ_FINAL */
	char		 symbol[TICK_SYMBOL_LEN];
	uint32_t	 hash;
	int64_t		 start_ms;
	size_t		 len;		/* of the text */
	unsigned char	 data[];	/* LQ_PRE bytes, text, NUL */
};

struct lq_entry {
	struct lq_entry	*next;
	struct lq_entry	*prev;
	struct lq_entry	*hnext;		/* LQ_LIVE entries, by key */
	struct lq_msg	*msg;
};

struct lq {
	struct lq_entry	*head;
	struct lq_entry	*tail;
	struct lq_entry	*live[LQ_BUCKETS];
	struct lq_entry	*status;
	struct lq_entry	*session;
	size_t		 n;
	size_t		 bytes;		/* text bytes waiting */
	size_t		 max_bytes;
	uint64_t	 coalesced;	/* messages replaced or removed */
};

/*
 * A message with one reference, or NULL when out of memory. For LQ_LIVE
 * and LQ_FINAL give the key (symbol, interval_s) and the bar's start_ms;
 * otherwise symbol may be NULL.
 */
struct lq_msg	*lq_msg_new(enum lq_kind, const char *text, size_t len,
		    const char *symbol, uint32_t interval_s, int64_t start_ms);
void		 lq_msg_ref(struct lq_msg *);
void		 lq_msg_unref(struct lq_msg *);
static inline unsigned char *
lq_msg_text(struct lq_msg *m)
{
	return m->data + LQ_PRE;
}

enum lq_result {
	LQ_QUEUED = 0,
	LQ_REPLACED,	/* took the place of a waiting message */
	LQ_OVER,	/* would pass max_bytes: not queued, drop the client */
	LQ_NOMEM
};

void		 lq_init(struct lq *, size_t max_bytes);
/*
 * Queues m (taking a reference). A message is always accepted into an
 * empty queue, however long, so a small budget cannot starve a client.
 */
enum lq_result	 lq_push(struct lq *, struct lq_msg *);
/* The oldest waiting message, or NULL; lq_pop drops it. */
struct lq_msg	*lq_peek(const struct lq *);
void		 lq_pop(struct lq *);
void		 lq_clear(struct lq *);

#endif /* LIVE_QUEUE_H */
