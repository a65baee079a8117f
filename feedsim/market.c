/*
 * The synthetic market (market.h). Pure: no I/O, no clock, no logging;
 * all state is allocated in market_init. Numbers that shape the model
 * are named below so docs/feedsim.md can quote them.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "market.h"
#include "tick.h"

#define MS_PER_MIN	60000LL
#define MS_PER_DAY	86400000LL

/*
 * Regimes: mean lengths; the burst intensity multiplier is cfg.burst and
 * the calm one makes the long-run mean exactly cfg.rate: with p the
 * share of time in bursts, (1 - p) * calm + p * burst = 1.
 */
#define CALM_MEAN_S	3.0
#define BURST_MEAN_S	0.5
#define P_BURST		(BURST_MEAN_S / (BURST_MEAN_S + CALM_MEAN_S))
#define P_TRADE_CALM	0.22
#define P_TRADE_BURST	0.35
#define P_TRADE_FLOOD	P_TRADE_BURST	/* a flood trades as a burst */
#define FLOOD_SEED	0xf100dULL	/* sets the flood's stream apart */

/* GARCH(1,1) on one-second realized variance; unconditional mean 1. */
#define GARCH_OMEGA	0.02
#define GARCH_ALPHA	0.15
#define GARCH_BETA	0.83

#define STOCK_P_BUY	0.45	/* at the ask */
#define STOCK_P_SELL	0.45	/* at the bid; the rest print inside */
#define STOCK_P_ODD	0.35	/* trades under 100 shares */
#define CRYPTO_P_BUY	0.47	/* c:[2] at the ask */
#define CRYPTO_P_SELL	0.47	/* c:[1] at the bid; the rest: no side */

struct venue {
	int64_t		 bid, ask, bid_size, ask_size, tick;
	uint8_t		 x;
	uint8_t		 has_quote;
};

/* One minute of one symbol, from the trades its rules let through. */
struct window {
	int64_t		 open, high, low, close, volume;
	double		 notional;	/* sum of price * size, in units */
	uint32_t	 n_vol, n_hl, n_oc;
};

struct msym {
	char		 name[MARKET_SYM_LEN];
	double		 fair, fair_lo, fair_hi;	/* 1e-9 units */
	double		 h;		/* conditional variance, mean 1 */
	double		 rv;		/* this second's realized, normed */
	int64_t		 sec;		/* the second rv belongs to */
	double		 sigma;		/* relative move per sqrt(second) */
	double		 spread_k;	/* extra spread ticks, mean */
	int64_t		 last_ns;
	uint64_t	 seq, trade_no;
	uint8_t		 tape, n_venues;
	struct venue	 v[MARKET_MAX_VENUES];
	struct window	 win[2];	/* by minute & 1 */
	int64_t		 day;		/* the day of the day_* fields */
	int64_t		 day_volume, day_open;
	double		 day_notional;
};

static const struct known {
	const char	*name;
	double		 price, weight, sigma, spread_k;
	uint8_t		 tape, n_venues;
} known[] = {
	{ "AAPL", 190.0, 2.0, 2.0e-4, 0.5, 3, 1 },
	{ "MSFT", 420.0, 1.2, 1.8e-4, 0.8, 3, 1 },
	{ "NVDA", 120.0, 2.5, 3.5e-4, 0.4, 3, 1 },
	{ "AMZN", 180.0, 1.2, 2.2e-4, 0.5, 3, 1 },
	{ "TSLA", 250.0, 2.0, 4.0e-4, 1.0, 3, 1 },
	{ "SPY", 560.0, 3.0, 1.2e-4, 0.3, 2, 1 },	/* NYSE Arca: tape B */
	{ "QQQ", 480.0, 2.0, 1.5e-4, 0.3, 3, 1 },
	{ "AMD", 150.0, 1.5, 3.5e-4, 0.5, 3, 1 },
	{ "BTC-USD", 65000.0, 3.0, 3.0e-4, 40.0, 0, 4 },
	{ "ETH-USD", 3400.0, 2.0, 3.5e-4, 10.0, 0, 4 },
	{ "SOL-USD", 150.0, 1.2, 5.0e-4, 2.0, 0, 3 },
	{ "DOGE-USD", 0.12, 0.8, 6.0e-4, 1.0, 0, 2 },
	{ "XRP-USD", 0.55, 0.8, 5.0e-4, 1.0, 0, 2 },
};

/* feeds.md §2 exchange ids; repeats weight the draw. No TRF quotes. */
static const uint8_t quote_ex[] = { 12, 12, 12, 11, 11, 10, 10, 8, 8, 19,
	19, 7, 18, 15, 21, 20, 17, 9, 3, 2, 1, 14 };
static const uint8_t trade_ex[] = { 4, 4, 4, 4, 4, 4, 4, 4, 12, 12, 12,
	11, 11, 10, 10, 8, 8, 19, 19, 7, 18, 15, 21, 20, 17, 9, 3, 2, 1, 14 };
static const uint8_t crypto_ex[MARKET_MAX_VENUES] = { 1, 2, 6, 23 };

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* xoshiro256** (Blackman and Vigna): fast, and the same on every run. */
static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t
rng_u64(struct market *m)
{
	uint64_t *s = m->rng, r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* [0, 1) */
static double
rng_unit(struct market *m)
{
	return (double)(rng_u64(m) >> 11) * 0x1.0p-53;
}

static uint32_t
rng_below(struct market *m, uint32_t n)
{
	return (uint32_t)(((rng_u64(m) >> 32) * n) >> 32);
}

static double
rng_exp(struct market *m)
{
	return -log(1.0 - rng_unit(m));
}

/* At least 1; P(X > x) = x^-alpha. */
static double
rng_pareto(struct market *m, double alpha)
{
	return exp(rng_exp(m) / alpha);
}

/* Marsaglia's polar method; keeps the second value for the next call. */
static double
rng_normal(struct market *m)
{
	double u, v, q;

	if (m->has_spare) {
		m->has_spare = 0;
		return m->spare_normal;
	}
	do {
		u = 2.0 * rng_unit(m) - 1.0;
		v = 2.0 * rng_unit(m) - 1.0;
		q = u * u + v * v;
	} while (q >= 1.0 || q == 0.0);
	q = sqrt(-2.0 * log(q) / q);
	m->spare_normal = v * q;
	m->has_spare = 1;
	return u * q;
}

static uint64_t
fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (*s != '\0')
		h = (h ^ (uint8_t)*s++) * 0x100000001b3ULL;
	return h;
}

/* Price grid: stocks trade in cents from $1; crypto by price level. */
static int64_t
tick_size(int asset, double fair)
{
	double usd = fair / (double)PRICE_SCALE;

	if (asset == ASSET_STOCK)
		return usd >= 1.0 ? 10000000 : 100000;
	if (usd >= 10.0)
		return 10000000;	/* 0.01 */
	if (usd >= 1.0)
		return 100000;		/* 0.0001 */
	if (usd >= 0.01)
		return 10000;		/* 0.00001 */
	return 10;			/* 1e-8 */
}

/* Crypto size grid, in 1e-8 units, by price level. */
static int64_t
size_lot(double fair)
{
	double usd = fair / (double)PRICE_SCALE;

	if (usd >= 100.0)
		return 1;
	if (usd >= 1.0)
		return 10000;
	if (usd >= 0.01)
		return 10000000;
	return MARKET_SIZE_SCALE;
}

static int64_t
crypto_size(double fair, double notional_usd)
{
	double units, lot = (double)size_lot(fair);

	units = notional_usd / (fair / (double)PRICE_SCALE) *
	    (double)MARKET_SIZE_SCALE;
	units = floor(units / lot + 0.5) * lot;
	if (units < lot)
		units = lot;
	if (units > 1e17)
		units = 1e17;
	return (int64_t)units;
}

static const struct known *
known_find(const char *name)
{
	size_t i;

	for (i = 0; i < NELEM(known); i++)
		if (strcmp(known[i].name, name) == 0)
			return &known[i];
	return NULL;
}

/* A symbol nobody listed above: parameters from its name's hash. */
static void
sym_guess(struct msym *s, int asset, uint64_t h, double *weight)
{
	double u = (double)(h >> 11) * 0x1.0p-53, tick;

	*weight = 1.0;
	if (asset == ASSET_STOCK) {
		s->fair = 10.0 * pow(50.0, u) * (double)PRICE_SCALE;
		s->sigma = 2.5e-4;
		s->spread_k = 0.5;
		s->tape = (uint8_t)(1 + (h >> 3) % 3);
		s->n_venues = 1;
		return;
	}
	s->fair = 0.01 * pow(1e6, u) * (double)PRICE_SCALE;
	s->sigma = 4.0e-4;
	tick = (double)tick_size(asset, s->fair);
	s->spread_k = fmax(0.5, 0.5e-4 * s->fair / tick);
	s->n_venues = (uint8_t)(2 + (h >> 7) % 3);
}

static void
sym_init(struct msym *s, int asset, const char *name, double *weight)
{
	const struct known *k;
	uint64_t h = fnv1a(name);
	int i;

	memset(s, 0, sizeof(*s));
	strcpy(s->name, name);
	if ((k = known_find(name)) != NULL) {
		s->fair = k->price * (double)PRICE_SCALE;
		s->sigma = k->sigma;
		s->spread_k = k->spread_k;
		s->tape = k->tape;
		s->n_venues = k->n_venues;
		*weight = k->weight;
	} else
		sym_guess(s, asset, h, weight);
	s->fair_lo = s->fair / 20.0;
	s->fair_hi = s->fair * 20.0;
	s->h = 1.0;
	s->sec = -1;
	s->seq = 1000 + (h >> 40) % 100000;
	for (i = 0; i < s->n_venues; i++)
		s->v[i].x = crypto_ex[i];
}

static int
cfg_valid(const struct market_cfg *cfg)
{
	int i;

	if (cfg->asset != ASSET_STOCK && cfg->asset != ASSET_CRYPTO)
		return 0;
	if (cfg->n_names < 0 || cfg->n_names > MARKET_MAX_SYMBOLS ||
	    !(cfg->rate > 0.0) || !(cfg->burst >= 1.0 &&
	    cfg->burst <= MARKET_BURST_MAX))
		return 0;
	for (i = 0; i < cfg->n_names; i++)
		if (strlen(cfg->names[i]) >= MARKET_SYM_LEN ||
		    cfg->names[i][0] == '\0')
			return 0;
	if (cfg->flood != NULL && cfg->flood_rate > 0.0) {
		if (!isfinite(cfg->flood_rate))
			return 0;
		for (i = 0; i < cfg->n_names; i++)
			if (strcmp(cfg->names[i], cfg->flood) == 0)
				break;
		if (i == cfg->n_names)
			return 0;
	}
	return 1;
}

/*
 * The flood's symbol and generator; none: -1. Its first event waits for
 * the symbol's first quote in the main stream (market_next): before it, a
 * trade of the symbol is drawn as a quote instead, and a quote from the
 * flood would change which draws the main stream makes, and with them
 * every other symbol's events.
 */
static void
flood_init(struct market *m, const struct market_cfg *cfg)
{
	uint64_t x;
	int i;

	m->flood_sym = -1;
	m->flood_next_ns = INT64_MAX;
	if (cfg->flood == NULL || !(cfg->flood_rate > 0.0))
		return;
	for (i = 0; i < m->n_syms; i++)
		if (strcmp(m->syms[i].name, cfg->flood) == 0)
			m->flood_sym = i;
	m->flood_rate = cfg->flood_rate;
	x = cfg->seed ^ ((uint64_t)cfg->asset * 0xa0761d6478bd642fULL) ^
	    FLOOD_SEED;
	for (i = 0; i < 4; i++)
		m->flood_rng[i] = splitmix64(&x);
}

static void	 settle(struct market *);
static int64_t	 next_arrival(struct market *, int64_t);

int
market_init(struct market *m, const struct market_cfg *cfg)
{
	uint64_t x;
	double w, total = 0.0;
	int i;

	memset(m, 0, sizeof(*m));
	if (!cfg_valid(cfg))
		return -1;
	m->asset = cfg->asset;
	m->n_syms = cfg->n_names;
	m->syms = calloc((size_t)cfg->n_names + 1, sizeof(*m->syms));
	m->cum_weight = calloc((size_t)cfg->n_names + 1, sizeof(double));
	if (m->syms == NULL || m->cum_weight == NULL) {
		market_free(m);
		return -1;
	}
	for (i = 0; i < m->n_syms; i++) {
		sym_init(&m->syms[i], m->asset, cfg->names[i], &w);
		total += w;
		m->cum_weight[i] = total;
	}
	x = cfg->seed ^ ((uint64_t)cfg->asset * 0xa0761d6478bd642fULL);
	for (i = 0; i < 4; i++)
		m->rng[i] = splitmix64(&x);
	m->rate = cfg->rate;
	m->burst_mult = cfg->burst;
	m->calm_mult = (1.0 - P_BURST * cfg->burst) / (1.0 - P_BURST);
	m->now_ns = cfg->start_ns;
	m->regime_end_ns = cfg->start_ns +
	    (int64_t)(rng_exp(m) * CALM_MEAN_S * 1e9);
	m->window = cfg->start_ns / NS_PER_MS / MS_PER_MIN;
	m->close_ns = ((m->window + 1) * MS_PER_MIN +
	    (m->asset == ASSET_CRYPTO ? MARKET_CRYPTO_MAX_LAT_MS : 0)) *
	    NS_PER_MS;
	m->agg_cursor = -1;
	m->next_ns = next_arrival(m, cfg->start_ns);
	flood_init(m, cfg);
	settle(m);
	return 0;
}

void
market_free(struct market *m)
{
	free(m->syms);
	free(m->cum_weight);
	m->syms = NULL;
	m->cum_weight = NULL;
	m->n_syms = 0;
}

/*
 * The next arrival after t of a Poisson process whose intensity changes
 * with the regime: spend one unit-mean exponential of "work" at the rate
 * of each regime in turn.
 */
static int64_t
next_arrival(struct market *m, int64_t t)
{
	double need = rng_exp(m), lambda, span;

	for (;;) {
		lambda = m->rate * (m->burst ? m->burst_mult : m->calm_mult) /
		    1e9;
		span = (double)(m->regime_end_ns - t);
		if (need <= lambda * span)
			return t + (int64_t)(need / lambda);
		need -= lambda * span;
		t = m->regime_end_ns;
		m->burst = !m->burst;
		m->regime_end_ns = t + 1 + (int64_t)(rng_exp(m) *
		    (m->burst ? BURST_MEAN_S : CALM_MEAN_S) * 1e9);
	}
}

static int
pick_symbol(struct market *m)
{
	double u = rng_unit(m) * m->cum_weight[m->n_syms - 1];
	int lo = 0, hi = m->n_syms - 1, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (m->cum_weight[mid] > u)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/*
 * Closes the seconds before now_s: GARCH(1,1) on the realized variance
 * of each (normalized so its mean is h). Seconds without any quote move
 * the variance by its expectation, h - 1 shrinking by alpha + beta.
 */
static void
garch_roll(struct msym *s, int64_t now_s)
{
	int64_t gap;

	if (s->sec < 0)
		s->sec = now_s;
	if (now_s <= s->sec)
		return;
	s->h = GARCH_OMEGA + GARCH_ALPHA * s->rv + GARCH_BETA * s->h;
	s->rv = 0.0;
	gap = now_s - s->sec - 1;
	if (gap > 0)
		s->h = 1.0 + (s->h - 1.0) *
		    pow(GARCH_ALPHA + GARCH_BETA, (double)gap);
	s->sec = now_s;
}

static void
fair_step(struct market *m, struct msym *s)
{
	double dt, z;

	dt = s->last_ns == 0 ? 0.0 : (double)(m->now_ns - s->last_ns) / 1e9;
	s->last_ns = m->now_ns;
	garch_roll(s, m->now_ns / NS_PER_S);
	z = rng_normal(m);
	s->fair *= 1.0 + s->sigma * sqrt(s->h * dt) * z;
	s->fair = fmin(fmax(s->fair, s->fair_lo), s->fair_hi);
	s->rv += s->h * z * z * dt;
}

static int64_t
stock_quote_size(struct market *m)
{
	int64_t lots = 1 + (int64_t)(rng_exp(m) * 4.0);

	if (rng_unit(m) < 0.1)
		return lots * 100 - 1 - rng_below(m, 99);
	return lots * 100;
}

/* A venue's quote: the fair value on the tick grid, spread >= 1 tick. */
static void
venue_quote(struct market *m, struct msym *s, struct venue *v)
{
	int64_t tick = tick_size(m->asset, s->fair), nt, bid;

	nt = 1 + (int64_t)(rng_exp(m) * s->spread_k * sqrt(s->h));
	if (nt > 1000)
		nt = 1000;
	bid = (int64_t)floor((s->fair - (double)(nt * tick) / 2.0) /
	    (double)tick) * tick;
	if (bid < tick)
		bid = tick;
	v->bid = bid;
	v->ask = bid + nt * tick;
	v->tick = tick;
	v->has_quote = 1;
	if (m->asset == ASSET_STOCK) {
		v->bid_size = stock_quote_size(m);
		v->ask_size = stock_quote_size(m);
	} else {
		v->bid_size = crypto_size(s->fair, 500.0 * rng_pareto(m, 1.5));
		v->ask_size = crypto_size(s->fair, 500.0 * rng_pareto(m, 1.5));
	}
}

static uint64_t
next_seq(struct market *m, struct msym *s)
{
	s->seq += 1;
	if (rng_below(m, 8) == 0)
		s->seq += rng_below(m, 4);
	return s->seq;
}

static void
make_quote(struct market *m, struct msym *s, struct market_event *ev)
{
	struct market_quote *q = &ev->u.quote;
	struct venue *v;

	v = &s->v[s->n_venues > 1 ? rng_below(m, s->n_venues) : 0];
	fair_step(m, s);
	venue_quote(m, s, v);
	memset(q, 0, sizeof(*q));
	ev->kind = MKT_QUOTE;
	q->bid = v->bid;
	q->ask = v->ask;
	q->bid_size = v->bid_size;
	q->ask_size = v->ask_size;
	if (m->asset == ASSET_CRYPTO) {
		q->bid_exchange = q->ask_exchange = v->x;
		q->cond = -1;
		return;
	}
	q->bid_exchange = quote_ex[rng_below(m, (uint32_t)NELEM(quote_ex))];
	q->ask_exchange = quote_ex[rng_below(m, (uint32_t)NELEM(quote_ex))];
	q->cond = rng_unit(m) < 0.6 ? -1 : 0;
	q->indicator = rng_unit(m) < 0.03 ? 604 : 0;
	ev->seq = next_seq(m, s);
}

static void
sort_conds(struct market_trade *t)
{
	int i, j;
	uint8_t c;

	for (i = 1; i < t->n_cond; i++)
		for (j = i; j > 0 && t->cond[j - 1] > t->cond[j]; j--) {
			c = t->cond[j];
			t->cond[j] = t->cond[j - 1];
			t->cond[j - 1] = c;
		}
}

/* Mostly none; feeds.md §3.2 codes at rates a tape roughly shows. */
static void
stock_conditions(struct market *m, struct market_trade *t)
{
	double u = rng_unit(m);

	if (u < 0.03) {
		t->cond[t->n_cond++] = 14;		/* ISO */
		if (rng_unit(m) < 0.5)
			t->cond[t->n_cond++] = 41;	/* trade thru exempt */
	} else if (u < 0.04)
		t->cond[t->n_cond++] = 12;		/* Form T */
	else if (u < 0.042)
		t->cond[t->n_cond++] = 2;		/* average price */
	else if (u < 0.044)
		t->cond[t->n_cond++] = 7;		/* cash sale */
	else if (u < 0.0445)
		t->cond[t->n_cond++] = 15;		/* official close */
	else if (u < 0.045)
		t->cond[t->n_cond++] = 16;		/* official open */
	if (t->size < 100)
		t->cond[t->n_cond++] = 37;		/* odd lot */
	sort_conds(t);
}

/* Whether every code lets the trade update H/L, O/C, volume (§3.2). */
#define ELIG_HL		0x1
#define ELIG_OC		0x2
#define ELIG_VOL	0x4
static unsigned
eligibility(const struct market_trade *t)
{
	unsigned e = ELIG_HL | ELIG_OC | ELIG_VOL;
	int i;

	for (i = 0; i < t->n_cond; i++)
		switch (t->cond[i]) {
		case 2: case 7: case 12: case 37:
			e &= ELIG_VOL;
			break;
		case 15: case 16:
			e = 0;
			break;
		default:	/* 0, 14, 41: all three */
			break;
		}
	return e;
}

static void
window_add(struct market *m, struct msym *s, const struct market_event *ev)
{
	const struct market_trade *t = &ev->u.trade;
	struct window *w = &s->win[(ev->ts_ms / MS_PER_MIN) & 1];
	unsigned e = m->asset == ASSET_STOCK ? eligibility(t) :
	    ELIG_HL | ELIG_OC | ELIG_VOL;

	if (e & ELIG_HL) {
		if (w->n_hl == 0 || t->price > w->high)
			w->high = t->price;
		if (w->n_hl == 0 || t->price < w->low)
			w->low = t->price;
		w->n_hl++;
	}
	if (e & ELIG_OC) {
		if (w->n_oc++ == 0)
			w->open = t->price;
		w->close = t->price;
	}
	if (e & ELIG_VOL) {
		w->volume += t->size;
		w->notional += (double)t->price * (double)t->size;
		w->n_vol++;
	}
}

static int64_t
stock_trade_size(struct market *m)
{
	double s;

	if (rng_unit(m) < STOCK_P_ODD)
		return 1 + rng_below(m, 99);
	s = 100.0 * rng_pareto(m, 1.3);
	return s > 5e6 ? 5000000 : (int64_t)s;
}

static int
stock_trade(struct market *m, struct msym *s, struct market_event *ev)
{
	struct market_trade *t = &ev->u.trade;
	struct venue *v = &s->v[0];
	double u = rng_unit(m);

	if (!v->has_quote)
		return -1;
	memset(t, 0, sizeof(*t));
	ev->kind = MKT_TRADE;
	t->exchange = trade_ex[rng_below(m, (uint32_t)NELEM(trade_ex))];
	if (u < STOCK_P_BUY) {
		t->side = SIDE_BUY;
		t->price = v->ask;
	} else if (u < STOCK_P_BUY + STOCK_P_SELL) {
		t->side = SIDE_SELL;
		t->price = v->bid;
	} else {
		t->price = (v->bid + v->ask) / 2;	/* midpoint cross */
		t->exchange = 4;
	}
	t->size = stock_trade_size(m);
	if (t->exchange == 4) {
		t->trf_id = (uint16_t)(201 + rng_below(m, 2));
		t->trf_ms = ev->ts_ms - rng_below(m, 3);
	}
	stock_conditions(m, t);
	t->id_lo = ++s->trade_no;
	ev->seq = next_seq(m, s);
	return 0;
}

static struct venue *
quoted_venue(struct market *m, struct msym *s)
{
	uint32_t start = rng_below(m, s->n_venues), k;

	for (k = 0; k < s->n_venues; k++)
		if (s->v[(start + k) % s->n_venues].has_quote)
			return &s->v[(start + k) % s->n_venues];
	return NULL;
}

static int
crypto_trade(struct market *m, struct msym *s, struct market_event *ev)
{
	struct market_trade *t = &ev->u.trade;
	struct venue *v;
	double u = rng_unit(m), notional;

	if ((v = quoted_venue(m, s)) == NULL)
		return -1;
	memset(t, 0, sizeof(*t));
	ev->kind = MKT_TRADE;
	t->exchange = v->x;
	t->n_cond = 1;
	if (u < CRYPTO_P_BUY) {
		t->side = SIDE_BUY;	/* "bought at the best ask" */
		t->price = v->ask;
		t->cond[0] = 2;
	} else if (u < CRYPTO_P_BUY + CRYPTO_P_SELL) {
		t->side = SIDE_SELL;	/* "sold at the best bid" */
		t->price = v->bid;
		t->cond[0] = 1;
	} else {
		t->price = v->bid + (int64_t)rng_below(m,
		    (uint32_t)((v->ask - v->bid) / v->tick + 1)) * v->tick;
		t->cond[0] = 0;
		t->n_cond = rng_unit(m) < 0.5 ? 1 : 0;
	}
	notional = 10.0 * rng_pareto(m, 1.15) * (rng_unit(m) < 0.2 ? 0.1 : 1);
	t->size = crypto_size((double)t->price, notional);
	t->id_hi = rng_u64(m);
	t->id_lo = rng_u64(m);
	return 0;
}

/* A trade or a quote at now_ns for symbol i. */
static void
tick_event(struct market *m, struct market_event *ev, int i, double p_trade)
{
	struct msym *s = &m->syms[i];
	int rc;

	ev->asset = (uint8_t)m->asset;
	ev->sym = (uint16_t)i;
	ev->name = s->name;
	ev->tape = s->tape;
	ev->send_ns = m->now_ns;
	ev->seq = 0;
	ev->recv_ms = m->now_ns / NS_PER_MS;
	ev->ts_ms = ev->recv_ms;
	if (m->asset == ASSET_CRYPTO) {	/* venue time, before Massive's */
		ev->ts_ms -= 5 + rng_below(m, MARKET_CRYPTO_MAX_LAT_MS - 4);
		/* Nothing before the first minute, which has no bar. */
		if (ev->ts_ms < m->window * MS_PER_MIN)
			ev->ts_ms = m->window * MS_PER_MIN;
	}
	if (rng_unit(m) < p_trade) {
		rc = m->asset == ASSET_STOCK ? stock_trade(m, s, ev) :
		    crypto_trade(m, s, ev);
		if (rc == 0) {
			window_add(m, s, ev);
			return;
		}
	}
	make_quote(m, s, ev);
}

static int
window_has_bar(const struct market *m, const struct window *w)
{
	if (m->asset == ASSET_STOCK)
		return w->n_hl > 0 && w->n_oc > 0;
	return w->n_vol > 0;
}

static int
agg_find(const struct market *m, int from)
{
	for (; from < m->n_syms; from++)
		if (window_has_bar(m, &m->syms[from].win[m->window & 1]))
			return from;
	return -1;
}

static void
day_roll(struct msym *s, int64_t day)
{
	if (s->day == day)
		return;
	s->day = day;
	s->day_volume = 0;
	s->day_open = 0;
	s->day_notional = 0.0;
}

/* VWAP rounding: four decimals for stocks (as Polygon), finer for coins. */
static int64_t
vwap_round(const struct market *m, const struct msym *s, double notional,
    int64_t volume)
{
	int64_t q;

	if (m->asset == ASSET_STOCK)
		q = s->fair >= (double)PRICE_SCALE ? 100000 : 1000;
	else if ((q = tick_size(m->asset, s->fair) / 100) < 1)
		q = 1;
	return (int64_t)floor(notional / (double)volume / (double)q + 0.5) *
	    q;
}

static void
agg_fill(struct market *m, int i, struct market_event *ev)
{
	struct msym *s = &m->syms[i];
	struct window *w = &s->win[m->window & 1];
	struct market_agg *a = &ev->u.agg;

	memset(a, 0, sizeof(*a));
	ev->kind = MKT_AGG;
	ev->asset = (uint8_t)m->asset;
	ev->sym = (uint16_t)i;
	ev->name = s->name;
	ev->tape = s->tape;
	ev->send_ns = m->now_ns;
	ev->recv_ms = ev->ts_ms = m->now_ns / NS_PER_MS;
	ev->seq = 0;
	a->start_ms = m->window * MS_PER_MIN;
	a->end_ms = a->start_ms + MS_PER_MIN;
	a->open = w->open;
	a->high = w->high;
	a->low = w->low;
	a->close = w->close;
	a->volume = w->volume;
	a->n_trades = w->n_vol;
	a->vwap = vwap_round(m, s, w->notional, w->volume);
	a->avg_size = (w->volume + w->n_vol / 2) / w->n_vol;
	if (m->asset == ASSET_STOCK) {
		day_roll(s, a->start_ms / MS_PER_DAY);
		if (s->day_open == 0)
			s->day_open = w->open;
		a->day_open = s->day_open;
		a->day_volume = s->day_volume + w->volume;
		a->day_vwap = vwap_round(m, s, s->day_notional + w->notional,
		    a->day_volume);
	}
}

/* The minute's bars are out: fold it into the day, free its slot. */
static void
window_finish(struct market *m)
{
	struct msym *s;
	struct window *w;
	int i;

	for (i = 0; i < m->n_syms; i++) {
		s = &m->syms[i];
		w = &s->win[m->window & 1];
		day_roll(s, m->window * MS_PER_MIN / MS_PER_DAY);
		s->day_volume += w->volume;
		s->day_notional += w->notional;
		memset(w, 0, sizeof(*w));
	}
	m->window++;
	m->close_ns += MS_PER_MIN * NS_PER_MS;
}

/* The time of the next trade or quote, the flood's included. */
static int64_t
next_tick_ns(const struct market *m)
{
	return m->flood_next_ns < m->next_ns ? m->flood_next_ns : m->next_ns;
}

/* Opens every minute close due before the next trade or quote. */
static void
settle(struct market *m)
{
	while (m->agg_cursor < 0 && m->close_ns <= next_tick_ns(m)) {
		m->now_ns = m->close_ns;
		if ((m->agg_cursor = agg_find(m, 0)) < 0)
			window_finish(m);
	}
}

int64_t
market_peek_ns(const struct market *m)
{
	if (m->n_syms == 0)
		return INT64_MAX;
	return m->agg_cursor >= 0 ? m->now_ns : next_tick_ns(m);
}

/* Trades places with the flood's generator (the spare normal too). */
static void
rng_swap(struct market *m)
{
	uint64_t t[4];
	double d = m->spare_normal;
	int h = m->has_spare;

	memcpy(t, m->rng, sizeof(t));
	memcpy(m->rng, m->flood_rng, sizeof(t));
	memcpy(m->flood_rng, t, sizeof(t));
	m->spare_normal = m->flood_spare;
	m->has_spare = m->flood_has_spare;
	m->flood_spare = d;
	m->flood_has_spare = h;
}

/* The flood's next arrival after now_ns, from its own generator. */
static void
flood_schedule(struct market *m)
{
	rng_swap(m);
	m->flood_next_ns = m->now_ns +
	    (int64_t)(rng_exp(m) / m->flood_rate * 1e9);
	rng_swap(m);
}

/*
 * One event of the flood: drawn with the flood's generator only, so the
 * main stream's draws, and with them every other symbol, do not change.
 */
static void
flood_event(struct market *m, struct market_event *ev)
{
	m->now_ns = m->flood_next_ns;
	rng_swap(m);
	tick_event(m, ev, m->flood_sym, P_TRADE_FLOOD);
	rng_swap(m);
	flood_schedule(m);
	m->n_flood++;
}

int
market_next(struct market *m, struct market_event *ev)
{
	int i;

	if (m->n_syms == 0)
		return -1;
	if (m->agg_cursor >= 0) {
		agg_fill(m, m->agg_cursor, ev);
		if ((m->agg_cursor = agg_find(m, m->agg_cursor + 1)) < 0)
			window_finish(m);
	} else if (m->flood_next_ns < m->next_ns)
		flood_event(m, ev);
	else {
		m->now_ns = m->next_ns;
		i = pick_symbol(m);
		tick_event(m, ev, i, m->burst ? P_TRADE_BURST : P_TRADE_CALM);
		m->next_ns = next_arrival(m, m->now_ns);
		/* The flood starts with its symbol's first quote. */
		if (i == m->flood_sym && ev->kind == MKT_QUOTE &&
		    m->flood_next_ns == INT64_MAX)
			flood_schedule(m);
	}
	settle(m);
	return 0;
}
