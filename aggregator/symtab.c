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
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* The bits of the bytes of x before its first NUL, given z (below). */
static uint64_t
before_nul(uint64_t x, uint64_t z)
{
	return x & ((1ULL << (__builtin_ctzll(z) & ~7)) - 1);
}
#endif

static void
key_words(const char *symbol, uint64_t w[3])
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/*
	 * In registers, with no call: the lowest bit set in z marks a word's
	 * first NUL byte (a borrow can only set bits above it), and every
	 * byte from there on is cleared. Byte 23 is always the end.
	 */
	const uint64_t ones = 0x0101010101010101ULL, highs = ones << 7;
	uint64_t x0, x1, x2, z;

	memcpy(&x0, symbol, sizeof(x0));
	memcpy(&x1, symbol + 8, sizeof(x1));
	memcpy(&x2, symbol + 16, sizeof(x2));
	x2 &= ~(0xffULL << 56);
	if ((z = (x0 - ones) & ~x0 & highs) != 0) {
		x0 = before_nul(x0, z);
		x1 = x2 = 0;
	} else if ((z = (x1 - ones) & ~x1 & highs) != 0) {
		x1 = before_nul(x1, z);
		x2 = 0;
	} else if ((z = (x2 - ones) & ~x2 & highs) != 0)
		x2 = before_nul(x2, z);
	w[0] = x0;
	w[1] = x1;
	w[2] = x2;
#else
	size_t len = strnlen(symbol, TICK_SYMBOL_LEN - 1);

	memcpy(w, symbol, TICK_SYMBOL_LEN);
	memset((char *)w + len, 0, TICK_SYMBOL_LEN - len);
#endif
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
	/* Aligned, so that no slot straddles two cache lines. */
	t->slots_mem = calloc((size_t)size + 2, sizeof(*t->slots));
	t->names = calloc(max_symbols, sizeof(*t->names));
	if (t->slots_mem == NULL || t->names == NULL) {
		symtab_free(t);
		return -1;
	}
	t->slots = (struct symtab_slot *)(void *)(((uintptr_t)t->slots_mem +
	    63) & ~(uintptr_t)63);
	t->mask = size - 1;
	t->max = max_symbols;
	return 0;
}

void
symtab_free(struct symtab *t)
{
	free(t->slots_mem);
	free(t->names);
	memset(t, 0, sizeof(*t));
}

void
symtab_key(const struct symtab *t, const char *symbol, int source,
    struct symtab_key *k)
{
	key_words(symbol, k->w);
	k->source = (uint32_t)source;
	k->slot = key_hash(k->w, k->source) & t->mask;
	__builtin_prefetch(&t->slots[k->slot]);
}

/* The slot holding k, or the empty slot where it would go. */
static uint32_t
probe(const struct symtab *t, const struct symtab_key *k)
{
	const struct symtab_slot *sl;
	uint32_t i = k->slot;

	for (;;) {
		sl = &t->slots[i];
		if (sl->index_plus_1 == 0 ||
		    (sl->key[0] == k->w[0] && sl->key[1] == k->w[1] &&
		    sl->key[2] == k->w[2] && sl->source == k->source))
			return i;
		i = (i + 1) & t->mask;
	}
}

int
symtab_find(const struct symtab *t, const struct symtab_key *k)
{
	return (int)t->slots[probe(t, k)].index_plus_1 - 1;
}

int
symtab_get(struct symtab *t, const char *symbol, int source, int *added)
{
	struct symtab_slot *sl;
	struct symtab_key k;

	symtab_key(t, symbol, source, &k);
	sl = &t->slots[probe(t, &k)];
	*added = 0;
	if (sl->index_plus_1 != 0)
		return (int)(sl->index_plus_1 - 1);
	if (t->n == t->max)
		return -1;
	memcpy(sl->key, k.w, sizeof(k.w));
	sl->source = k.source;
	sl->index_plus_1 = t->n + 1;
	memcpy(t->names[t->n], k.w, sizeof(k.w));
	*added = 1;
	return (int)t->n++;
}
