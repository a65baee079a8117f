/*
 * Synthetic ticks for the benchmarks (synth.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synth.h"

/* xorshift64*: cheap, deterministic. */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

int
synth_init(struct synth *sy, unsigned n_symbols, uint64_t seed)
{
	unsigned s;

	memset(sy, 0, sizeof(*sy));
	if ((sy->px = calloc(n_symbols, sizeof(*sy->px))) == NULL)
		return -1;
	for (s = 0; s < n_symbols; s++)
		sy->px[s] = (int64_t)(10 + s % 500) * PRICE_SCALE;
	sy->n_symbols = n_symbols;
	sy->seed = seed | 1;
	return 0;
}

void
synth_free(struct synth *sy)
{
	free(sy->px);
}

void
synth_next(struct synth *sy, int64_t ts_ns, struct tick *t)
{
	uint64_t r = rnd(&sy->seed);
	unsigned s = (unsigned)(r % sy->n_symbols);
	int64_t *px = &sy->px[s];

	memset(t, 0, sizeof(*t));
	t->asset_class = s % 2 ? ASSET_CRYPTO : ASSET_STOCK;
	t->source = SOURCE_DEMO;
	snprintf(t->symbol, sizeof(t->symbol), s % 2 ? "C%u-USD" : "S%u", s);
	t->ts_ns = ts_ns;
	t->recv_ns = ts_ns + 1000000;
	t->exchange = (uint32_t)(r >> 32) % 3 + 1;
	*px += ((int64_t)(r >> 40) % 3 - 1) * PRICE_SCALE / 100;
	if (*px < PRICE_SCALE)
		*px = PRICE_SCALE;
	if ((r >> 20) % 10 < 7) {
		t->kind = TICK_QUOTE;
		t->bid = *px - PRICE_SCALE / 100;
		t->ask = *px + PRICE_SCALE / 100;
		t->bid_size = t->ask_size = 100;
	} else {
		t->kind = TICK_TRADE;
		t->price = *px + ((r >> 24) % 2 ? 1 : -1) * PRICE_SCALE / 100;
		t->size = (double)((r >> 28) % 500 + 1);
		snprintf(t->trade_id, sizeof(t->trade_id), "x%llu",
		    (unsigned long long)sy->n);
		if (t->asset_class == ASSET_CRYPTO)
			t->side = t->price > *px ? SIDE_BUY : SIDE_SELL;
	}
	sy->n++;
}
