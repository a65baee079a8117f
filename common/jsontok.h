/*
 * A strict JSON tokenizer for the collectors' hot path: one pass over the
 * text that both checks it against RFC 8259 (grammar, numbers, literals,
 * escapes, UTF-8, no raw control bytes) and records a flat token array,
 * like jsmn's but with the check built in. Why not jsmn: jsmn accepts
 * invalid text ([1 2], {"a" 1}, tru, 1.2.3) and checking its tokens
 * afterwards cost more than tokenizing (docs/benchmarks.md); why not
 * jansson: its DOM is five times slower. No I/O, no allocation.
 *
 * Tokens are in text order. A container is followed by its contents; an
 * object's contents are key/value pairs, a key being a string token whose
 * value is the next token. `next` is the index just past a token and
 * everything inside it, so skipping a value is O(1).
 */
#ifndef JSONTOK_H
#define JSONTOK_H

#include <stddef.h>
#include <stdint.h>

#define JSONTOK_MAX_DEPTH	64	/* deeper nesting is refused */

enum jt_type {
	JT_NONE = 0,
	JT_OBJECT,
	JT_ARRAY,
	JT_STRING,	/* start/end exclude the quotes */
	JT_NUMBER,
	JT_TRUE,
	JT_FALSE,
	JT_NULL
};

struct jt {
	uint8_t		 type;		/* enum jt_type */
	uint8_t		 escaped;	/* a string holding a backslash */
	int32_t		 start;		/* byte offsets into the text */
	int32_t		 end;
	int32_t		 size;		/* children: members, elements */
	int32_t		 next;		/* index after this token's subtree */
};

enum jt_status {
	JT_OK = 0,
	JT_INVALID,	/* not JSON */
	JT_NOMEM	/* valid so far, but more tokens are needed */
};

/*
 * Tokenizes text[0, len). On JT_OK *n_tokens holds the count (at least 1:
 * the top-level value). A text of len bytes needs at most len / 2 + 1
 * tokens. Texts over INT32_MAX bytes are JT_INVALID.
 */
enum jt_status	 jsontok_parse(const char *text, size_t len, struct jt *tok,
		    unsigned max_tokens, unsigned *n_tokens);

#endif /* JSONTOK_H */
