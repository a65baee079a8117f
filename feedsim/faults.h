/*
 * Malformed frames for --malformed-every (docs/feedsim.md "Faults"). Pure:
 * rewrites text, no I/O, no allocation.
 *
 * Three kinds, used in turn:
 *  FAULT_INVALID_JSON  the frame with its first ':' turned into ';'
 *  FAULT_TRUNCATED     the first half of the frame's bytes
 *  FAULT_BROKEN_EVENTS a valid array: four broken elements (an event
 *                      missing its fields, one with wrong types, one with
 *                      an unknown "ev", the number 42), then the frame's
 *                      own first event with every number written as a
 *                      string ("p":"161.87"), then the rest of the frame
 *                      unchanged
 * A collector must skip the broken elements and keep the rest; whether
 * it takes numbers as strings is its own contract (common/polygon.h
 * does), so the fourth element either yields the original tick or is
 * counted as a bad type.
 */
#ifndef FAULTS_H
#define FAULTS_H

#include <stddef.h>

enum fault_kind {
	FAULT_INVALID_JSON = 0,
	FAULT_TRUNCATED,
	FAULT_BROKEN_EVENTS,
	FAULT_KIND_MAX
};

/* dst needs room for len + FAULTS_SLACK bytes. */
#define FAULTS_SLACK	3072

/*
 * Writes the malformed version of the frame src[0..len) to dst and
 * returns its length. sym names a symbol of the path, used by the broken
 * events; crypto selects XT/"pair" over T/"sym". A frame that is not a
 * JSON array gets FAULT_TRUNCATED instead of FAULT_BROKEN_EVENTS.
 */
size_t	 faults_malform(char *dst, const char *src, size_t len,
	    enum fault_kind kind, const char *sym, int crypto);

const char *fault_kind_str(enum fault_kind);

#endif /* FAULTS_H */
