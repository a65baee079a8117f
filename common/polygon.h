/*
 * Polygon/Massive WebSocket frames to ticks (feeds.md §1-§3). Pure: no
 * I/O, no clock (recv_ns comes in), no logging. The hot path of both
 * collectors.
 *
 * A frame is a JSON array; each element is routed on its own "ev":
 *   stocks  T (trade), Q (NBBO quote), A / AM (second / minute aggregate)
 *   crypto  XT (trade), XQ (quote), XAS / XA (second / minute aggregate)
 *   both    status
 * Events of the other asset class, and every other "ev", are skipped as
 * FEED_UNKNOWN_EV. Numbers may arrive as JSON strings. A frame that is
 * not valid JSON yields nothing (FEED_BAD_JSON); otherwise every valid
 * element yields its tick and every bad one is counted and skipped.
 *
 * Aggressor side: crypto XT conditions 1 = "Sell Side" (sold at the bid,
 * seller-initiated) -> SIDE_SELL, 2 = "Buy Side" -> SIDE_BUY, 0 / none ->
 * SIDE_UNKNOWN (feeds.md §3.1, Massive's own spec); both 1 and 2 ->
 * SIDE_UNKNOWN. Stock trades are always SIDE_UNKNOWN and keep their
 * conditions and tape for the aggregator.
 */
#ifndef POLYGON_H
#define POLYGON_H

#include <stddef.h>
#include <stdint.h>

#include "feed.h"
#include "tick.h"

/* Frames above this many bytes are refused (FEED_TOO_LARGE). */
#define POLYGON_MAX_FRAME	(16u * 1024 * 1024)

struct polygon_parser {
	uint8_t		 asset_class;	/* ASSET_STOCK or ASSET_CRYPTO */
	uint8_t		 source;	/* put into every tick */
	void		*tokens;	/* tokenizer state, grown as needed */
	unsigned	 n_tokens;
};

/* Returns 0, or -1 on ENOMEM. */
int		 polygon_parser_init(struct polygon_parser *,
		    enum asset_class, enum source);
void		 polygon_parser_free(struct polygon_parser *);

/*
 * Parses one whole frame and calls h for each tick and status message.
 * Adds to *c. Returns FEED_OK when the frame itself was usable (even if
 * some elements were skipped), or the reason it was not.
 */
enum feed_parse	 polygon_parse_frame(struct polygon_parser *,
		    const char *frame, size_t len, int64_t recv_ns,
		    const struct feed_handler *h, struct feed_counts *c);

/* "connected" -> FSS_CONNECTED, ...; FSS_OTHER for anything else. */
enum feed_server_status polygon_status_from(const char *s, size_t len);

#endif /* POLYGON_H */
