/*
 * (symbol, source) -> index (symtab.h). No I/O.
 */
#include <stdlib.h>
#include <string.h>

#include "symtab.h"

/*
 * Symbols are compared and hashed as whole NUL-padded fields, three
 * 64-bit words, not byte by byte: the lookup is on every tick.
 */
static void
key_words(const char *symbol, uint64_t w[3])
{
	char buf[TICK_SYMBOL_LEN];

	memset(buf, 0, sizeof(buf));
	memcpy(buf, symbol, strnlen(symbol, TICK_SYMBOL_LEN - 1));
	memcpy(w, buf, sizeof(buf));
}

static uint32_t
key_hash(const uint64_t w[3], uint32_t source)
{
	uint64_t h = (w[0] * 0x9e3779b97f4a7c15ULL) ^
	    (w[1] + 0x632be59bd9b4e019ULL);

	h = (h ^ w[2] ^ source) * 0xff51afd7ed558ccdULL;
	return (uint32_t)(h >> 32);
}

int
symtab_init(struct symtab *t, uint32_t max_symbols)
{
	uint32_t size = 16;

	memset(t, 0, sizeof(*t));
	while (size < 2 * max_symbols)
		size *= 2;
	t->slots = calloc(size, sizeof(*t->slots));
	t->names = calloc(max_symbols, sizeof(*t->names));
	if (t->slots == NULL || t->names == NULL) {
		symtab_free(t);
		return -1;
	}
	t->mask = size - 1;
	t->max = max_symbols;
	return 0;
}

void
symtab_free(struct symtab *t)
{
	free(t->slots);
	free(t->names);
	memset(t, 0, sizeof(*t));
}

int
symtab_get(struct symtab *t, const char *symbol, int source, int *added)
{
	struct symtab_slot *sl;
	uint64_t w[3];
	uint32_t i;

	key_words(symbol, w);
	i = key_hash(w, (uint32_t)source) & t->mask;
	*added = 0;
	for (;;) {
		sl = &t->slots[i];
		if (sl->index_plus_1 == 0)
			break;
		if (sl->key[0] == w[0] && sl->key[1] == w[1] &&
		    sl->key[2] == w[2] && sl->source == (uint32_t)source)
			return (int)(sl->index_plus_1 - 1);
		i = (i + 1) & t->mask;
	}
	if (t->n == t->max)
		return -1;
	memcpy(sl->key, w, sizeof(w));
	sl->source = (uint32_t)source;
	sl->index_plus_1 = t->n + 1;
	memcpy(t->names[t->n], w, sizeof(w));
	*added = 1;
	return (int)t->n++;
}
