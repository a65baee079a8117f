/*
 * Raw frame recording (--record FILE): one JSON object per line,
 *   {"recv_ns":1706649628068000000,"frame":"<the frame as a JSON string>"}
 * or, for a frame that is not valid UTF-8 (a JSON string cannot hold it),
 *   {"recv_ns":...,"frame_b64":"<base64 of the bytes>"}
 * so that every frame, malformed ones included, replays byte for byte
 * (feedsim --replay FILE).
 */
#ifndef RECORD_H
#define RECORD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct record {
	FILE		*f;
	char		*line;
	size_t		 cap;
	uint64_t	 frames;
	uint64_t	 errors;	/* write failures: frames not recorded */
};

/* Opens path for appending; -1 with errno on failure. */
int	 record_open(struct record *, const char *path);
void	 record_frame(struct record *, int64_t recv_ns, const char *data,
	    size_t len);
void	 record_flush(struct record *);
void	 record_close(struct record *);

/*
 * Formats one line (with its newline) into *buf, growing it as needed;
 * returns the length, or 0 on ENOMEM. Pure but for the allocation.
 */
size_t	 record_format(char **buf, size_t *cap, int64_t recv_ns,
	    const char *data, size_t len);

/* 1 when the bytes are well-formed UTF-8 (RFC 3629). */
int	 utf8_valid(const unsigned char *s, size_t len);

#endif /* RECORD_H */
