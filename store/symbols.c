/*
 * Symbol upkeep per flush (symbols.h). No I/O, no clock.
 */
#include <string.h>

#include "symbols.h"

void
symbols_reset(struct symbols *s)
{
	unsigned i;

	/* Only the names mark a slot used: clearing them is enough. */
	for (i = 0; i < SYMBOLS_SLOTS; i++)
		s->slots[i].symbol[0] = '\0';
	s->n = 0;
}

/* FNV-1a over the name, then the source: a row per (symbol, source). */
static uint32_t
hash(const char *p, int source)
{
	uint32_t h = 2166136261u;

	for (; *p != '\0'; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	return (h ^ (uint8_t)source) * 16777619u;
}

static struct symbols_entry *
find(struct symbols *s, const char *symbol, int source)
{
	struct symbols_entry *e;
	uint32_t i = hash(symbol, source) & (SYMBOLS_SLOTS - 1);

	for (;;) {
		e = &s->slots[i];
		if (e->symbol[0] == '\0' || (e->source == source &&
		    strcmp(e->symbol, symbol) == 0))
			return e;
		i = (i + 1) & (SYMBOLS_SLOTS - 1);
	}
}

int
symbols_note(struct symbols *s, const struct bar *b)
{
	struct symbols_entry *e = find(s, b->symbol, b->source);
	int64_t end_ms = b->start_ms + (int64_t)b->interval_s * 1000;
	int64_t updated_ms = b->updated_ns / 1000000;

	if (e->symbol[0] == '\0') {
		if (s->n >= SYMBOLS_MAX)
			return -1;	/* keeps probes short, and one free */
		memset(e, 0, sizeof(*e));
		memcpy(e->symbol, b->symbol, sizeof(e->symbol));
		e->source = b->source;
		e->first_ms = b->start_ms;
		e->last_ms = end_ms;
		e->updated_ms = updated_ms;
		s->n++;
	}
	e->asset_class = b->asset_class;
	if (b->start_ms < e->first_ms)
		e->first_ms = b->start_ms;
	if (end_ms > e->last_ms)
		e->last_ms = end_ms;
	if (updated_ms > e->updated_ms)
		e->updated_ms = updated_ms;
	if ((b->flags & BAR_F_NO_PRICE) == 0 &&
	    (!e->has_price || end_ms >= e->price_ms)) {
		e->has_price = 1;
		e->price_ms = end_ms;
		e->last_price = b->close;
	}
	return 0;
}
