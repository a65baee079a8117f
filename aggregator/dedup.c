/*
 * A symbol's recent trade fingerprints (dedup.h). No I/O.
 */
#include "dedup.h"

/* FNV-1a over the id, the venue folded in, then a final mix. */
static uint64_t
fingerprint(const struct tick *t)
{
	uint64_t h = 14695981039346656037ULL;
	const unsigned char *p;

	for (p = (const unsigned char *)t->trade_id; *p != '\0'; p++)
		h = (h ^ *p) * 1099511628211ULL;
	h = (h ^ t->exchange) * 1099511628211ULL;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h == 0 ? 1 : h;	/* 0 marks an empty slot */
}

int
dedup_seen(struct dedup *d, const struct tick *t)
{
	uint64_t fp;
	unsigned i;

	if (t->trade_id[0] == '\0')
		return 0;
	fp = fingerprint(t);
	for (i = 0; i < DEDUP_RECENT; i++)
		if (d->recent[i] == fp)
			return 1;
	d->recent[d->next] = fp;
	d->next = (d->next + 1) % DEDUP_RECENT;
	return 0;
}
