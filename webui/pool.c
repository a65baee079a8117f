/*
 * Worker threads and the housekeeper (pool.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libwebsockets.h>

#include "api.h"
#include "clock.h"
#include "db.h"
#include "log.h"
#include "pool.h"
#include "schema.h"
#include "stats.h"

#define HEALTH_EVERY_MS		1000
#define HEALTH_STALE_MS		10000
#define PRUNE_EVERY_MS		(10 * 60 * 1000)
#define QUEUE_MAX		1024

static int64_t
now_ms(void)
{
	return clock_now_ns() / 1000000;
}

struct pool_job *
pool_job_new(void)
{
	struct pool_job *j;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		fatal("calloc");
	http_req_init(&j->req);
	http_resp_init(&j->resp);
	return j;
}

void
pool_job_free(struct pool_job *j)
{
	if (j == NULL)
		return;
	http_req_free(&j->req);
	http_resp_free(&j->resp);
	free(j);
}

static void
push(struct pool_job **head, struct pool_job **tail, struct pool_job *j)
{
	j->next = NULL;
	if (*tail != NULL)
		(*tail)->next = j;
	else
		*head = j;
	*tail = j;
}

static struct pool_job *
pop(struct pool_job **head, struct pool_job **tail)
{
	struct pool_job *j = *head;

	if (j != NULL) {
		*head = j->next;
		if (*head == NULL)
			*tail = NULL;
		j->next = NULL;
	}
	return j;
}

/* The next job a worker may run (lock held), or NULL. */
static struct pool_job *
next_job(struct pool *p, int hashes)
{
	struct pool_job *j;

	if (hashes && p->hash_head != NULL && p->hashing < p->hash_slots) {
		j = pop(&p->hash_head, &p->hash_tail);
		p->n_hash--;
		p->hashing++;
		return j;
	}
	if ((j = pop(&p->fast_head, &p->fast_tail)) != NULL)
		p->n_fast--;
	return j;
}

/* Opens the worker's connections and tells pool_start how it went. */
static int
worker_ready(struct pool_worker *pw)
{
	struct pool *p = pw->pool;
	char err[256];
	int rc;

	rc = worker_open(&pw->w, p->cfg, p->live, p->stats, err, sizeof(err));
	pthread_mutex_lock(&p->mu);
	if (rc == -1) {
		p->n_failed++;
		snprintf(p->fail, sizeof(p->fail), "%s", err);
	} else
		p->n_ready++;
	pthread_cond_broadcast(&p->ready_cv);
	pthread_mutex_unlock(&p->mu);
	return rc;
}

static void *
worker_main(void *arg)
{
	struct pool_worker *pw = arg;
	struct worker_ctx *w = &pw->w;
	struct pool *p = pw->pool;
	struct pool_job *j = NULL;

	if (worker_ready(pw) == -1)
		return NULL;
	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (!p->stop && (j = next_job(p, pw->hashes)) == NULL)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->stop) {
			pthread_mutex_unlock(&p->mu);
			break;
		}
		atomic_store(&p->stats->queue_depth, p->n_fast + p->n_hash);
		atomic_store(&p->stats->hashing, p->hashing);
		pthread_mutex_unlock(&p->mu);

		j->req.now_ms = now_ms();
		api_handle(w, &j->req, &j->resp);
		http_req_free(&j->req);		/* bodies held passwords */

		pthread_mutex_lock(&p->mu);
		if (j->hashes) {
			p->hashing--;
			/* A slot is free: a worker may take the next hash. */
			pthread_cond_broadcast(&p->cv);
		}
		atomic_store(&p->stats->hashing, p->hashing);
		push(&p->done_head, &p->done_tail, j);
		pthread_mutex_unlock(&p->mu);
		lws_cancel_service(p->ctx);
	}
	return NULL;
}

/* The housekeeper's market.db check: the schema version is readable. */
static void
check_market(struct pool *p, sqlite3 **db)
{
	char err[256];
	int version, ok = 0;

	if (*db == NULL && db_open(db, p->cfg->market_db, DB_READONLY,
	    p->cfg->busy_timeout_ms, err, sizeof(err)) != SQLITE_OK)
		*db = NULL;
	if (*db != NULL) {
		ok = schema_check(*db, &version, err, sizeof(err)) == 0;
		if (!ok) {
			db_close(*db);
			*db = NULL;
		}
	}
	atomic_store(&p->market_ok, ok);
	atomic_store(&p->market_checked_ms, now_ms());
}

static void
prune_sessions(struct auth *a)
{
	int removed = 0, rc;

	if ((rc = auth_session_prune(a, now_ms(), &removed)) != AUTH_OK)
		log_warnx("session prune: %s", auth_strerror(rc));
	else if (removed > 0)
		log_info("pruned %d expired sessions", removed);
}

static void *
housekeeper_main(void *arg)
{
	struct pool *p = arg;
	struct auth *a = NULL;
	sqlite3 *db = NULL;
	struct timespec ts;
	int64_t next_prune = 0;
	char err[256];

	if (auth_open(&a, p->cfg->auth_db, 0, p->cfg->busy_timeout_ms, err,
	    sizeof(err)) != AUTH_OK) {
		log_warnx("housekeeper: auth.db: %s", err);
		a = NULL;
	}
	pthread_mutex_lock(&p->mu);
	while (!p->stop) {
		pthread_mutex_unlock(&p->mu);
		check_market(p, &db);
		if (a != NULL && now_ms() >= next_prune) {
			prune_sessions(a);
			next_prune = now_ms() + PRUNE_EVERY_MS;
		}
		pthread_mutex_lock(&p->mu);
		if (p->stop)
			break;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += HEALTH_EVERY_MS / 1000;
		pthread_cond_timedwait(&p->hk_cv, &p->mu, &ts);
	}
	pthread_mutex_unlock(&p->mu);
	db_close(db);
	if (a != NULL)
		auth_close(a);
	return NULL;
}

int
pool_market_ok(struct pool *p, int64_t now)
{
	return atomic_load(&p->market_ok) &&
	    now - atomic_load(&p->market_checked_ms) < HEALTH_STALE_MS;
}

/* Starts the workers and waits until each opened its connections. */
static int
start_workers(struct pool *p, int workers, int hash_slots, char *err,
    size_t err_len)
{
	int i, rc;

	for (i = 0; i < workers; i++) {
		p->workers[i].pool = p;
		/* At least one worker is left for everything else. */
		p->workers[i].hashes = i < hash_slots && (i < workers - 1 ||
		    workers == 1);
		if ((rc = pthread_create(&p->workers[i].thread, NULL,
		    worker_main, &p->workers[i])) != 0) {
			snprintf(err, err_len, "pthread_create: %s",
			    strerror(rc));
			return -1;
		}
		p->workers[i].started = 1;
	}
	pthread_mutex_lock(&p->mu);
	while (p->n_ready + p->n_failed < workers)
		pthread_cond_wait(&p->ready_cv, &p->mu);
	pthread_mutex_unlock(&p->mu);
	if (p->n_failed > 0) {
		snprintf(err, err_len, "%s", p->fail);
		return -1;
	}
	return 0;
}

int
pool_start(struct pool *p, const struct webui_config *cfg,
    struct live *live, struct webui_stats *stats, struct lws_context *ctx,
    int workers, int hash_slots, char *err, size_t err_len)
{
	sqlite3 *db = NULL;
	int rc;

	memset(p, 0, sizeof(*p));
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	pthread_cond_init(&p->hk_cv, NULL);
	pthread_cond_init(&p->ready_cv, NULL);
	p->cfg = cfg;
	p->live = live;
	p->stats = stats;
	p->ctx = ctx;
	p->hash_slots = hash_slots;
	p->queue_max = QUEUE_MAX;
	atomic_init(&p->market_ok, 0);
	atomic_init(&p->market_checked_ms, 0);
	if ((p->workers = calloc((size_t)workers, sizeof(*p->workers))) ==
	    NULL)
		fatal("calloc");
	p->n_workers = workers;
	/* The first answer of /healthz needs no second's wait. */
	check_market(p, &db);
	db_close(db);
	if (start_workers(p, workers, hash_slots, err, err_len) == -1)
		goto fail;
	if ((rc = pthread_create(&p->housekeeper, NULL, housekeeper_main,
	    p)) != 0) {
		snprintf(err, err_len, "pthread_create: %s", strerror(rc));
		goto fail;
	}
	p->hk_running = 1;
	return 0;
fail:
	pool_stop(p);
	pool_free(p);
	return -1;
}

int
pool_submit(struct pool *p, struct pool_job *j)
{
	pthread_mutex_lock(&p->mu);
	if (p->stop || p->n_fast + p->n_hash >= p->queue_max) {
		pthread_mutex_unlock(&p->mu);
		return -1;
	}
	if (j->hashes) {
		push(&p->hash_head, &p->hash_tail, j);
		p->n_hash++;
	} else {
		push(&p->fast_head, &p->fast_tail, j);
		p->n_fast++;
	}
	atomic_store(&p->stats->queue_depth, p->n_fast + p->n_hash);
	/* Not every worker takes a hash job: wake them all for one. */
	if (j->hashes)
		pthread_cond_broadcast(&p->cv);
	else
		pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return 0;
}

struct pool_job *
pool_take_done(struct pool *p)
{
	struct pool_job *j;

	pthread_mutex_lock(&p->mu);
	j = pop(&p->done_head, &p->done_tail);
	pthread_mutex_unlock(&p->mu);
	return j;
}

void
pool_stop(struct pool *p)
{
	int i;

	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_cond_broadcast(&p->hk_cv);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->n_workers; i++)
		if (p->workers[i].started) {
			pthread_join(p->workers[i].thread, NULL);
			p->workers[i].started = 0;
		}
	if (p->hk_running) {
		pthread_join(p->housekeeper, NULL);
		p->hk_running = 0;
	}
}

void
pool_free(struct pool *p)
{
	struct pool_job *j;
	int i;

	while ((j = pop(&p->fast_head, &p->fast_tail)) != NULL)
		pool_job_free(j);
	while ((j = pop(&p->hash_head, &p->hash_tail)) != NULL)
		pool_job_free(j);
	while ((j = pop(&p->done_head, &p->done_tail)) != NULL)
		pool_job_free(j);
	for (i = 0; i < p->n_workers; i++)
		worker_close(&p->workers[i].w);
	free(p->workers);
	p->workers = NULL;
	p->n_workers = 0;
	pthread_cond_destroy(&p->cv);
	pthread_cond_destroy(&p->hk_cv);
	pthread_cond_destroy(&p->ready_cv);
	pthread_mutex_destroy(&p->mu);
}
