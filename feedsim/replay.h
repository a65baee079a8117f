/*
 * Recorded frames for --replay: the JSON lines a collector's --record
 * writes, {"recv_ns":N,"frame":"<raw frame as a JSON string>"}, read one
 * at a time (a recording can be larger than memory). Frames holding only
 * status events (connected, auth_success, success, ...) are skipped: the
 * server does its own handshake. Lines that are not such an object are
 * counted and skipped. Reads a file; no clock, no logging.
 */
#ifndef REPLAY_H
#define REPLAY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define REPLAY_LINE_MAX	(64u * 1024 * 1024)

struct replay {
	FILE		*f;
	char		*line;
	size_t		 line_cap;
	char		*frame;		/* the current frame, NUL-ended */
	size_t		 frame_len, frame_cap;
	int64_t		 recv_ns;
	uint64_t	 n_lines, n_frames, n_bad, n_status;
};

/* Returns 0, or -1 with errno set. */
int	 replay_open(struct replay *, const char *path);
/* 1: a frame is in r->frame; 0: end of file; -1: read error (errno). */
int	 replay_next(struct replay *);
int	 replay_rewind(struct replay *);
void	 replay_close(struct replay *);

#endif /* REPLAY_H */
