/*
 * A connection's subscriptions (feeds.md §1 topic grammar: "EV.SYMBOL",
 * comma-separated with optional spaces, "EV.*" for every symbol). Pure:
 * no I/O, no allocation after subs_init.
 *
 * Topics are a set of strings, as the server keeps them: "T.*" and
 * "T.AAPL" are two topics, and unsubscribing one leaves the other. Topics
 * feedsim can serve (its own event kinds and symbols) are kept as bits
 * for a fast match on the send path; other valid topics (an event kind
 * it never generates, such as stocks "A", or a symbol it does not trade)
 * are acknowledged and remembered in a small list, since a replay sends
 * to every connection that has any topic at all.
 */
#ifndef SUBS_H
#define SUBS_H

#include <stddef.h>
#include <stdint.h>

#include "market.h"

#define SUBS_TOPIC_MAX		48	/* bytes, with the NUL */
#define SUBS_OTHER_MAX		256	/* remembered other topics */

/* What a path serves: its three event names and its symbols. */
struct subs_path {
	const char	*ev[MKT_KIND_MAX];	/* "T", "Q", "AM" */
	const char	*const *also;		/* other valid names, NULL end */
	const char	*const *names;		/* symbols, by market index */
	int		 n_names;
};

struct subs {
	uint8_t		 wild[MKT_KIND_MAX];
	uint8_t		 bits[MKT_KIND_MAX][MARKET_MAX_SYMBOLS];
	char		 other[SUBS_OTHER_MAX][SUBS_TOPIC_MAX];
	int		 n_other;
	int		 n_topics;	/* distinct topics held */
};

enum subs_status {
	SUBS_OK = 0,
	SUBS_BAD_TOPIC,		/* not EV.SYMBOL, or an unknown EV */
	SUBS_FULL,		/* too many other topics */
	SUBS_STATUS_MAX
};

void	 subs_init(struct subs *);

/*
 * Splits params: returns the next topic's start and length through *t
 * and *len, trimmed of spaces, and advances *cursor; returns 0 at the
 * end. Empty entries ("T.A,,Q.B") are skipped.
 */
int	 subs_next_topic(const char **cursor, const char **t, size_t *len);

/* Adds or removes one topic (SUBS_OK also when nothing changed). */
enum subs_status subs_add(struct subs *, const struct subs_path *,
	    const char *topic, size_t len);
enum subs_status subs_remove(struct subs *, const struct subs_path *,
	    const char *topic, size_t len);

/* Whether an event of kind for symbol index sym is wanted. */
static inline int
subs_match(const struct subs *s, int kind, int sym)
{
	return s->wild[kind] | s->bits[kind][sym];
}

#endif /* SUBS_H */
