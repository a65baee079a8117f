/*
 * The store's options: environment (TW_STORE_*, TW_DATA_DIR, TW_RUN_DIR)
 * and flags, with the defaults of docs/store.md.
 */
#ifndef OPTIONS_H
#define OPTIONS_H

#include <stdint.h>

struct store_options {
	const char	*db_path;	/* market.db */
	const char	*bus_urls;	/* aggregators, comma list */
	const char	*replay_url;	/* aggregator's req/rep */
	const char	*publish_url;	/* counters go there */
	const char	*tick_urls;	/* collectors (ticks) */
	int		 ticks;		/* keep raw ticks */
	long		 flush_rows;	/* rows per transaction */
	int64_t		 flush_ms;	/* longest a row waits */
	long		 max_pending;	/* rows held at most */
	int64_t		 busy_timeout_ms;
	int64_t		 replay_timeout_ms;
	int64_t		 replay_margin_ms;
	int64_t		 replay_window_ms;
	long		 replay_page;	/* records asked per request */
	int64_t		 ticks_retention_ms;
	long		 prune_rows;	/* ticks deleted per step */
};

/* Defaults, environment, flags. Returns 0 or an exit status (said why). */
int	 store_options_load(struct store_options *, int argc, char **argv);

#endif /* OPTIONS_H */
