/*
 * A decoder for "Transfer-Encoding: chunked" request bodies (RFC 9112
 * §7.1), which libwebsockets 4.1 hands over undecoded. Fed the bytes as
 * they arrive; the decoded body goes to a buffer, bounded by max. Chunk
 * extensions and trailers are read and ignored. No I/O.
 */
#ifndef CHUNKED_H
#define CHUNKED_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum chunked_status {
	CHUNKED_MORE = 0,	/* give it more bytes */
	CHUNKED_DONE,		/* the last chunk and trailers are in */
	CHUNKED_TOO_BIG,	/* the body passed max: a 413 */
	CHUNKED_BAD		/* not chunked encoding: a 400 */
};

struct chunked {
	int		 state;
	uint64_t	 size;		/* of the chunk being read */
	int		 digits;
	size_t		 max;
	size_t		 line;		/* bytes of the current meta line */
};

void			 chunked_init(struct chunked *, size_t max);
/* Decodes in[0, len) into out. Bytes after DONE are ignored. */
enum chunked_status	 chunked_feed(struct chunked *, const char *in,
			    size_t len, struct buf *out);

#endif /* CHUNKED_H */
