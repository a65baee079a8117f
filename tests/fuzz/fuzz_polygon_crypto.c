/*
 * libFuzzer: one Polygon/Massive crypto frame (common/polygon.c), as
 * ingest-crypto parses it. Invariants in fuzz_feed.h.
 */
#include <stdlib.h>

#include "polygon.h"

#define FUZZ_INIT	fz_init
#define FUZZ_PARSE	fz_parse
#define FUZZ_EVENTS_EXACT
#include "fuzz_feed.h"

static struct polygon_parser pp;

static void
fz_free(void)
{
	polygon_parser_free(&pp);
}

static int
fz_init(void)
{
	fz_source = SOURCE_POLYGON;
	fz_class = ASSET_CRYPTO;
	fz_bars = 1;
	if (polygon_parser_init(&pp, ASSET_CRYPTO, SOURCE_POLYGON) == -1)
		return -1;
	atexit(fz_free);
	return 0;
}

static enum feed_parse
fz_parse(const char *frame, size_t len, const struct feed_handler *h,
    struct feed_counts *c)
{
	return polygon_parse_frame(&pp, frame, len, FUZZ_RECV_NS, h, c);
}
