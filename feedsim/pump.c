/*
 * Pacing: a timerfd firing every PUMP_TICK_US (read inside the lws loop,
 * server.c) moves the virtual clock to
 * start_ns + (monotonic now - monotonic start), takes every event the
 * markets have up to it (in time order across both paths), and appends
 * each to the open frame of every connection subscribed to it; at the
 * end of the tick the frames go to the queues. Crypto events also go
 * to the venue paths (venue.c), each in its venue's encoding, so /crypto,
 * /coinbase, /kraken and /binance carry one market. The markets run whether
 * anyone listens or not. A replay is paced the same way from recv_ns
 * gaps. The --stall-every fault withholds data here; --flood is the
 * market's own (market.h), so every path that carries the symbol gets it.
 *
 * Why a timerfd and not lws_sul: lws 4.1.6 turns the time to the next
 * sul into a poll() timeout in whole milliseconds, rounded down, so a
 * 1 ms sul spins in poll(0) for the rest of every tick (measured: ~45
 * polls per frame sent, a whole core at 250k events/s). A sul is still
 * used to come straight back when a tick ran out of budget.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>

#include "clock.h"
#include "encode.h"
#include "feedsim.h"
#include "tick.h"

#define BUDGET_NS	(4 * NS_PER_MS)		/* work per tick */
#define REPLAY_FAST_QUEUE (8u << 20)	/* speed 0: wait below this */

static const char *const stock_also[] = { "A", "LULD", "FMV", NULL };
static const char *const crypto_also[] = { "XAS", "XL2", "FMV", NULL };

static void
dispatch(struct feedsim *fs, int path, const struct market_event *ev)
{
	struct conn *c;
	size_t n = 0;

	for (c = fs->head; c != NULL; c = c->next) {
		if (c->path != path || !c->authed || c->closing ||
		    !subs_match(&c->subs, ev->kind, ev->sym))
			continue;
		if (fs->stalled) {
			fs->c.withheld++;
			continue;
		}
		if (n == 0)
			n = (size_t)(encode_event(fs->evbuf, ev) - fs->evbuf);
		conn_add_event(c, fs->evbuf, n);
	}
}

/* Returns 1 when the tick ran out of budget before catching up. */
static int
market_pump(struct feedsim *fs, int64_t now)
{
	int64_t target = fs->start_ns + (now - fs->mono0_ns), a, b;
	struct market_event ev;
	uint32_t n = 0;
	int path;

	for (;;) {
		a = market_peek_ns(&fs->mkt[PATH_STOCKS]);
		b = market_peek_ns(&fs->mkt[PATH_CRYPTO]);
		path = b < a ? PATH_CRYPTO : PATH_STOCKS;
		if ((b < a ? b : a) > target)
			return 0;
		if (market_next(&fs->mkt[path], &ev) == -1)
			return 0;
		fs->c.generated[path]++;
		dispatch(fs, path, &ev);
		if (path == PATH_CRYPTO)
			venue_dispatch(fs, &ev);
		if ((++n & 1023) == 0 && clock_mono_ns() - now > BUDGET_NS)
			return 1;
	}
}

static int
listening(const struct conn *c)
{
	return c->authed && !c->closing && c->subs.n_topics > 0 &&
	    !PATH_VENUE(c->path);	/* recordings are Polygon frames */
}

/* Speed 0 waits for the slowest listener; others follow recv_ns. */
static int
replay_due(struct feedsim *fs, int64_t now)
{
	struct replay_state *rp = &fs->rp;
	const struct conn *c;

	if (fs->o.replay_speed > 0)
		return (double)(rp->r.recv_ns - rp->base_ns) /
		    fs->o.replay_speed <= (double)(now - rp->t0_ns);
	for (c = fs->head; c != NULL; c = c->next)
		if (listening(c) && c->q_bytes > REPLAY_FAST_QUEUE)
			return 0;
	return 1;
}

static void
replay_send(struct feedsim *fs)
{
	struct conn *c;

	fs->c.replay_frames++;
	for (c = fs->head; c != NULL; c = c->next) {
		if (!listening(c))
			continue;
		if (fs->stalled)
			fs->c.withheld++;
		else
			conn_push_data(c, fs->rp.r.frame, fs->rp.r.frame_len);
	}
}

static void
replay_end(struct feedsim *fs, int64_t now)
{
	struct replay_state *rp = &fs->rp;
	int again = fs->o.replay_loop && rp->r.n_frames > 0;

	rp->passes++;
	/* A short file looped at speed 0 ends thousands of times a second. */
	if (rp->passes == 1 || ratelimit_ok(&fs->rl_replay, now, NULL))
		log_info("replay finished pass=%llu frames=%llu bad_lines=%llu "
		    "status_frames_skipped=%llu%s",
		    (unsigned long long)rp->passes,
		    (unsigned long long)rp->r.n_frames,
		    (unsigned long long)rp->r.n_bad,
		    (unsigned long long)rp->r.n_status,
		    again ? ": starting over" : "");
	if (!again || replay_rewind(&rp->r) == -1) {
		rp->finished = 1;
		return;
	}
	rp->r.n_frames = rp->r.n_bad = rp->r.n_status = 0;
	rp->t0_ns = now;
	rp->base_ns = -1;
}

/* The next frame into rp->r; 0 when there is none now. */
static int
replay_fill(struct feedsim *fs, int64_t now)
{
	struct replay_state *rp = &fs->rp;
	int rc;

	if (rp->have)
		return 1;
	if ((rc = replay_next(&rp->r)) == -1) {
		log_warn("replay %s", fs->o.replay);
		rp->finished = 1;
	} else if (rc == 0)
		replay_end(fs, now);
	else {
		rp->have = 1;
		if (rp->base_ns < 0)
			rp->base_ns = rp->r.recv_ns;
	}
	return rp->have;
}

static int
replay_pump(struct feedsim *fs, int64_t now)
{
	struct replay_state *rp = &fs->rp;
	const struct conn *c;
	uint32_t n = 0;

	if (!rp->started) {
		for (c = fs->head; c != NULL; c = c->next)
			n += listening(c) ? 1 : 0;
		if (n == 0 || n < (uint32_t)fs->o.replay_clients)
			return 0;	/* starts with enough listeners */
		n = 0;
		rp->started = 1;
		rp->t0_ns = now;
		rp->base_ns = -1;
		log_info("replay started file=%s speed=%g", fs->o.replay,
		    fs->o.replay_speed);
	}
	while (!rp->finished && replay_fill(fs, now) && replay_due(fs, now)) {
		replay_send(fs);
		rp->have = 0;
		if ((++n & 63) == 0 && clock_mono_ns() - now > BUDGET_NS)
			return 1;
	}
	return 0;
}

static void
stall_update(struct feedsim *fs, int64_t now)
{
	if (fs->o.stall_every_s <= 0)
		return;
	if (!fs->stalled && now >= fs->stall_next_ns) {
		fs->stalled = 1;
		fs->stall_end_ns = fs->stall_next_ns +
		    (int64_t)(fs->o.stall_for_s * 1e9);
		fs->stall_next_ns += (int64_t)(fs->o.stall_every_s * 1e9);
		fs->c.stalls++;
		log_info("fault stall begins for=%gs", fs->o.stall_for_s);
	} else if (fs->stalled && now >= fs->stall_end_ns) {
		fs->stalled = 0;
		log_info("fault stall ends");
	}
}

static void
catch_up(lws_sorted_usec_list_t *sul)
{
	pump_tick(lws_container_of(sul, struct feedsim, pump_sul));
}

void
pump_tick(struct feedsim *fs)
{
	int64_t now = clock_mono_ns();
	uint64_t held = 0;
	struct conn *c;
	int behind;

	stall_update(fs, now);
	behind = fs->o.replay != NULL ? replay_pump(fs, now) :
	    market_pump(fs, now);
	if (now >= fs->hb_next_ns) {
		fs->hb_next_ns += NS_PER_S;
		if (fs->hb_next_ns <= now)
			fs->hb_next_ns = now + NS_PER_S;
		venue_heartbeats(fs, (fs->start_ns + (now - fs->mono0_ns)) /
		    NS_PER_MS);
	}
	for (c = fs->head; c != NULL; c = c->next)
		conn_flush(c);
	sentlog_flush(fs);
	if (!behind)
		return;
	fs->c.behind_ticks++;
	if (ratelimit_ok(&fs->rl_behind, now, &held))
		log_warnx("behind the wall clock: more events than one core "
		    "can send (%llu ticks since the last line)",
		    (unsigned long long)held + 1);
	/* Let lws write what is queued, then come straight back. */
	lws_sul_schedule(fs->ctx, 0, &fs->pump_sul, catch_up, 1);
}

/* The pacing clock; server.c reads it in the lws loop. */
int
pump_timer_open(void)
{
	struct itimerspec it;
	int fd;

	memset(&it, 0, sizeof(it));
	it.it_interval.tv_nsec = PUMP_TICK_US * 1000L;
	it.it_value = it.it_interval;
	if ((fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK |
	    TFD_CLOEXEC)) == -1)
		fatal("timerfd_create");
	if (timerfd_settime(fd, 0, &it, NULL) == -1)
		fatal("timerfd_settime");
	return fd;
}

void
pump_start(struct feedsim *fs)
{
	int pair;

	fs->mono0_ns = clock_mono_ns();
	fs->hb_next_ns = fs->mono0_ns + NS_PER_S;
	fs->stall_next_ns = fs->mono0_ns +
	    (int64_t)(fs->o.stall_every_s * 1e9);
	if (fs->o.flood != NULL) {
		pair = SYMBOL_PATH(fs->o.flood) == PATH_CRYPTO;
		log_info("fault flood begins sym=%s path=/%s rate=%g/s on top "
		    "of --rate%s", fs->o.flood, pair ? "crypto" : "stocks",
		    fs->o.flood_rate, pair ? " (and its venue paths)" : "");
	}
}

static int
markets_init(struct feedsim *fs)
{
	struct market_cfg cfg;
	int path;

	for (path = 0; path < PATH_MAX_; path++) {
		memset(&cfg, 0, sizeof(cfg));
		cfg.asset = path == PATH_STOCKS ? ASSET_STOCK : ASSET_CRYPTO;
		cfg.names = fs->names[path];
		cfg.n_names = fs->n_names[path];
		cfg.seed = (uint64_t)fs->o.seed;
		cfg.rate = fs->o.rate;
		cfg.burst = fs->o.burst;
		cfg.start_ns = fs->start_ns;
		/* The flood goes to the market that serves its symbol. */
		if (fs->o.flood != NULL && SYMBOL_PATH(fs->o.flood) == path) {
			cfg.flood = fs->o.flood;
			cfg.flood_rate = fs->o.flood_rate;
		}
		if (market_init(&fs->mkt[path], &cfg) == -1)
			return -1;
	}
	return 0;
}

static void
paths_init(struct feedsim *fs)
{
	static const char *const ev[PATH_MAX_][MKT_KIND_MAX] = {
		{ "T", "Q", "AM" }, { "XT", "XQ", "XA" } };
	int i, k;

	for (i = 0; i < PATH_MAX_; i++) {
		for (k = 0; k < MKT_KIND_MAX; k++)
			fs->paths[i].ev[k] = ev[i][k];
		fs->paths[i].also = i == PATH_STOCKS ? stock_also : crypto_also;
		fs->paths[i].names = fs->names[i];
		fs->paths[i].n_names = fs->n_names[i];
	}
}

/* Everything the pump needs; 0 or an exit status (log.h). */
int
pump_setup(struct feedsim *fs)
{
	if ((fs->scratch = malloc(CTL_MSG_MAX + 1)) == NULL)
		fatal("scratch buffer");
	ratelimit_init(&fs->rl_behind, 0.2, 1);
	ratelimit_init(&fs->rl_fault, 1, 10);
	ratelimit_init(&fs->rl_client, 1, 10);
	ratelimit_init(&fs->rl_replay, 0.1, 1);
	if (opts_split_symbols(fs) == -1)
		return EX_CONFIG_ERR;
	paths_init(fs);
	if (venue_setup(fs) == -1) {
		log_warnx("cannot set up the venue paths");
		return EX_CONFIG_ERR;
	}
	fs->start_ns = fs->o.start_ms >= 0 ? fs->o.start_ms * NS_PER_MS :
	    clock_now_ns() / NS_PER_MS * NS_PER_MS;
	if (fs->o.replay != NULL) {
		if (replay_open(&fs->rp.r, fs->o.replay) == -1) {
			log_warn("replay %s", fs->o.replay);
			return EX_CONFIG_ERR;
		}
		fs->rp.open = 1;
	} else if (markets_init(fs) == -1) {
		log_warnx("cannot set up the markets");
		return EX_CONFIG_ERR;
	}
	if (fs->o.log_sent != NULL &&
	    (fs->sent = fopen(fs->o.log_sent, "w")) == NULL) {
		log_warn("log-sent %s", fs->o.log_sent);
		return EX_CONFIG_ERR;
	}
	if (fs->sent != NULL)
		setvbuf(fs->sent, NULL, _IOFBF, 1 << 20);
	return 0;
}

void
pump_teardown(struct feedsim *fs)
{
	struct frame *f;
	int path;

	for (path = 0; path < PATH_MAX_; path++)
		market_free(&fs->mkt[path]);
	if (fs->rp.open)
		replay_close(&fs->rp.r);
	venue_teardown(fs);
	if (fs->sent != NULL && fclose(fs->sent) == EOF)
		log_warn("log-sent %s", fs->o.log_sent);
	while ((f = fs->pool) != NULL) {
		fs->pool = f->next;
		free(f);
	}
	free(fs->scratch);
	free(fs->sym_copy);
}
