/*
 * The worker pool: requests parsed on the lws thread are answered here so
 * that loop never waits for a query or a password hash. Workers take jobs
 * from two queues: ordinary requests, and the ones that run argon2id
 * (login, password changes), of which at most hash_slots run at once
 * (each takes 64 MiB and ~0.13 s of a core; security.md §1.6): only
 * hash_slots of the workers take them and the others never do, so a
 * storm of logins never leaves the dashboard's requests waiting for a
 * worker. Answers go back through a done
 * queue and lws_cancel_service(), which wakes the lws thread with
 * LWS_CALLBACK_EVENT_WAIT_CANCELLED.
 *
 * A housekeeping thread keeps a "market.db readable" flag fresh once a
 * second for /healthz (answered on the lws thread, so it answers while
 * every worker is busy) and prunes expired sessions.
 */
#ifndef POOL_H
#define POOL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "http.h"
#include "worker.h"

struct lws_context;

struct pool_job {
	struct pool_job	*next;
	struct http_req	 req;
	struct http_resp resp;
	int		 hashes;	/* runs argon2id */
	void		*owner;		/* lws thread only: the connection */
};

struct pool;

struct pool_worker {
	struct worker_ctx w;
	struct pool	*pool;
	pthread_t	 thread;
	int		 started;
	int		 hashes;	/* may take argon2id jobs */
};

struct pool {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;		/* work queued, or stop */
	pthread_cond_t	 hk_cv;		/* the housekeeper's sleep */
	pthread_cond_t	 ready_cv;	/* a worker opened its connections */
	int		 n_ready, n_failed;
	char		 fail[256];
	struct pool_job	*fast_head, *fast_tail;
	struct pool_job	*hash_head, *hash_tail;
	struct pool_job	*done_head, *done_tail;
	int		 n_fast, n_hash, hashing;
	int		 hash_slots;
	int		 queue_max;
	int		 stop;
	int		 n_workers;
	struct pool_worker *workers;
	pthread_t	 housekeeper;
	int		 hk_running;
	struct lws_context *ctx;
	struct live	*live;
	const struct webui_config *cfg;
	struct webui_stats *stats;
	atomic_int	 market_ok;
	atomic_int_fast64_t market_checked_ms;
};

/*
 * Starts the threads; each opens its own connections (auth.db makes a
 * dummy hash at open, so they open in parallel). Returns when all are
 * ready: 0, or -1 with the reason (nothing is left running).
 */
int		 pool_start(struct pool *, const struct webui_config *,
		    struct live *, struct webui_stats *, struct lws_context *,
		    int workers, int hash_slots, char *err, size_t err_len);
/* Queues a job; -1 when the queue is full (answer 503). */
int		 pool_submit(struct pool *, struct pool_job *);
/* The next answered job, or NULL (lws thread). */
struct pool_job	*pool_take_done(struct pool *);
/* Whether /healthz may say 200: market.db read within the last 10 s. */
int		 pool_market_ok(struct pool *, int64_t now_ms);
/* Stops the threads: each finishes the job it holds; queued ones stay. */
void		 pool_stop(struct pool *);
/* Frees what is left (after the lws context is gone). */
void		 pool_free(struct pool *);

struct pool_job	*pool_job_new(void);
void		 pool_job_free(struct pool_job *);

#endif /* POOL_H */
