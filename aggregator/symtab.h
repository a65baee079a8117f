/*
 * The aggregator's symbol table: (symbol, source) to a dense index, for up
 * to a fixed number of series chosen at init. Open addressing with linear
 * probing over a power-of-two table at most half full; each slot holds the
 * whole key, so a lookup reads one cache line. Entries are never removed
 * (a symbol seen once stays known). Pure: allocates only at init.
 */
#ifndef SYMTAB_H
#define SYMTAB_H

#include <stdint.h>

#include "tick.h"

struct symtab_slot {
	uint64_t	 key[3];	/* the NUL-padded symbol */
	uint32_t	 index_plus_1;	/* 0: empty */
	uint32_t	 source;
};

struct symtab {
	struct symtab_slot	*slots;		/* 64-byte aligned */
	void			*slots_mem;
	uint32_t		 mask;
	char			(*names)[TICK_SYMBOL_LEN];
	uint32_t		 n;
	uint32_t		 max;
};

/* Returns 0, or -1 on ENOMEM. */
int	 symtab_init(struct symtab *, uint32_t max_symbols);
void	 symtab_free(struct symtab *);
/*
 * The index of (symbol, source), adding it when new (*added = 1).
 * Returns -1 when it is new and the table is full. symbol is a
 * TICK_SYMBOL_LEN field (all of it is read); it ends at its first NUL or
 * after 23 bytes.
 */
int	 symtab_get(struct symtab *, const char *symbol, int source,
	    int *added);

/*
 * The same lookup in two steps, for a caller that looks a few symbols
 * ahead: symtab_key() hashes and prefetches the slot it starts at,
 * symtab_find() later reads it (-1: not in the table; nothing is added).
 */
struct symtab_key {
	uint64_t	 w[3];
	uint32_t	 source;
	uint32_t	 slot;
};

void	 symtab_key(const struct symtab *, const char *symbol, int source,
	    struct symtab_key *);
int	 symtab_find(const struct symtab *, const struct symtab_key *);

#endif /* SYMTAB_H */
