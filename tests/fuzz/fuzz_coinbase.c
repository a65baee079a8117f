/*
 * libFuzzer: one Coinbase Exchange frame (common/coinbase.c behind venue.c), as
 * ingest-crypto parses it. Invariants in fuzz_feed.h.
 */
#include <stdlib.h>

#include "venue.h"

#define FUZZ_INIT	fz_init
#define FUZZ_PARSE	fz_parse
#include "fuzz_feed.h"

static struct venue_parser vp;

static void
fz_free(void)
{
	venue_parser_free(&vp);
}

static int
fz_init(void)
{
	fz_source = SOURCE_COINBASE;
	fz_class = ASSET_CRYPTO;
	fz_bars = 0;
	if (venue_parser_init(&vp, SOURCE_COINBASE) == -1)
		return -1;
	atexit(fz_free);
	return 0;
}

static enum feed_parse
fz_parse(const char *frame, size_t len, const struct feed_handler *h,
    struct feed_counts *c)
{
	return venue_parse_frame(&vp, frame, len, FUZZ_RECV_NS, h, c);
}
