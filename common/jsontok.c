/*
 * Strict one-pass JSON tokenizer (jsontok.h), a recursive descent over
 * RFC 8259's grammar with the depth bounded. No I/O, no allocation.
 */
#include <string.h>

#include "jsontok.h"

struct scan {
	const unsigned char	*s;
	size_t			 pos;
	size_t			 len;
	struct jt		*tok;
	unsigned		 n;
	unsigned		 max;
	int			 nomem;
};

/* A byte that stands for itself inside a string: ASCII, not a control. */
static int
plain(unsigned c)
{
	return c - 0x20u < 0x60u && c != '"' && c != '\\';
}

static int	value(struct scan *, int depth);

static int
at(const struct scan *sc)
{
	return sc->pos < sc->len ? sc->s[sc->pos] : -1;
}

static void
skip_ws(struct scan *sc)
{
	int c;

	while ((c = at(sc)) == ' ' || c == '\n' || c == '\r' || c == '\t')
		sc->pos++;
}

static int
new_tok(struct scan *sc, enum jt_type type)
{
	struct jt *t;

	if (sc->n >= sc->max) {
		sc->nomem = 1;
		return -1;
	}
	t = &sc->tok[sc->n];
	t->type = (uint8_t)type;
	t->escaped = 0;
	t->start = (int32_t)sc->pos;
	t->end = (int32_t)sc->pos;
	t->size = 0;
	t->next = (int32_t)sc->n + 1;
	return (int)sc->n++;
}

/* The length of the UTF-8 sequence at s (s[0] >= 0x80), 0 if invalid. */
static size_t
utf8_len(const unsigned char *s, size_t avail)
{
	uint32_t cp, min;
	size_t n, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1fu;
		min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0fu;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07u;
		min = 0x10000;
	} else
		return 0;
	if (avail < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	/* Overlong forms, surrogates and beyond U+10FFFF are not UTF-8. */
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static int
is_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/* At a backslash: steps over a valid escape, -1 otherwise. */
static int
escape(struct scan *sc)
{
	int i;

	sc->pos++;
	switch (at(sc)) {
	case '"': case '\\': case '/': case 'b': case 'f': case 'n':
	case 'r': case 't':
		sc->pos++;
		return 0;
	case 'u':
		for (i = 1; i <= 4; i++)
			if (sc->pos + (size_t)i >= sc->len ||
			    !is_hex(sc->s[sc->pos + (size_t)i]))
				return -1;
		sc->pos += 5;
		return 0;
	default:
		return -1;
	}
}

static int
string(struct scan *sc)
{
	const unsigned char *s = sc->s;
	size_t n;
	int idx;

	sc->pos++;			/* the opening quote */
	if ((idx = new_tok(sc, JT_STRING)) < 0)
		return -1;
	for (;;) {
		while (sc->pos < sc->len && plain(s[sc->pos]))
			sc->pos++;
		if (sc->pos >= sc->len)
			return -1;
		if (s[sc->pos] == '"')
			break;
		if (s[sc->pos] == '\\') {
			sc->tok[idx].escaped = 1;
			if (escape(sc) == -1)
				return -1;
		} else if (s[sc->pos] < 0x20 ||
		    (n = utf8_len(s + sc->pos, sc->len - sc->pos)) == 0)
			return -1;
		else
			sc->pos += n;
	}
	sc->tok[idx].end = (int32_t)sc->pos++;
	return 0;
}

static size_t
digits(struct scan *sc)
{
	size_t from = sc->pos;
	int c;

	while ((c = at(sc)) >= '0' && c <= '9')
		sc->pos++;
	return sc->pos - from;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int
number(struct scan *sc)
{
	int idx, c;

	if ((idx = new_tok(sc, JT_NUMBER)) < 0)
		return -1;
	if (at(sc) == '-')
		sc->pos++;
	if (at(sc) == '0')
		sc->pos++;
	else if (digits(sc) == 0)
		return -1;
	if (at(sc) == '.') {
		sc->pos++;
		if (digits(sc) == 0)
			return -1;
	}
	if ((c = at(sc)) == 'e' || c == 'E') {
		sc->pos++;
		if ((c = at(sc)) == '+' || c == '-')
			sc->pos++;
		if (digits(sc) == 0)
			return -1;
	}
	sc->tok[idx].end = (int32_t)sc->pos;
	return 0;
}

static int
literal(struct scan *sc, const char *word, size_t n, enum jt_type type)
{
	int idx;

	if (sc->len - sc->pos < n || memcmp(sc->s + sc->pos, word, n) != 0)
		return -1;
	if ((idx = new_tok(sc, type)) < 0)
		return -1;
	sc->pos += n;
	sc->tok[idx].end = (int32_t)sc->pos;
	return 0;
}

/* One member's key and colon; the value follows. */
static int
member_key(struct scan *sc)
{
	if (at(sc) != '"' || string(sc) == -1)
		return -1;
	sc->tok[sc->n - 1].size = 1;	/* a key holds its value */
	skip_ws(sc);
	if (at(sc) != ':')
		return -1;
	sc->pos++;
	return 0;
}

static int
container(struct scan *sc, int depth, int is_object)
{
	int close = is_object ? '}' : ']', idx, c;

	if (depth >= JSONTOK_MAX_DEPTH ||
	    (idx = new_tok(sc, is_object ? JT_OBJECT : JT_ARRAY)) < 0)
		return -1;
	sc->pos++;
	skip_ws(sc);
	if (at(sc) != close) {
		for (;;) {
			if (is_object && member_key(sc) == -1)
				return -1;
			if (value(sc, depth + 1) == -1)
				return -1;
			sc->tok[idx].size++;
			skip_ws(sc);
			if ((c = at(sc)) == close)
				break;
			if (c != ',')
				return -1;
			sc->pos++;
			skip_ws(sc);
		}
	}
	sc->pos++;
	sc->tok[idx].end = (int32_t)sc->pos;
	sc->tok[idx].next = (int32_t)sc->n;
	return 0;
}

static int
value(struct scan *sc, int depth)
{
	skip_ws(sc);
	switch (at(sc)) {
	case '{':
		return container(sc, depth, 1);
	case '[':
		return container(sc, depth, 0);
	case '"':
		return string(sc);
	case 't':
		return literal(sc, "true", 4, JT_TRUE);
	case 'f':
		return literal(sc, "false", 5, JT_FALSE);
	case 'n':
		return literal(sc, "null", 4, JT_NULL);
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		return number(sc);
	default:
		return -1;
	}
}

enum jt_status
jsontok_parse(const char *text, size_t len, struct jt *tok,
    unsigned max_tokens, unsigned *n_tokens)
{
	struct scan sc;

	*n_tokens = 0;
	if (len > INT32_MAX)
		return JT_INVALID;
	memset(&sc, 0, sizeof(sc));
	sc.s = (const unsigned char *)text;
	sc.len = len;
	sc.tok = tok;
	sc.max = max_tokens;
	if (value(&sc, 0) == -1)
		return sc.nomem ? JT_NOMEM : JT_INVALID;
	skip_ws(&sc);
	if (sc.pos != len)
		return JT_INVALID;	/* trailing bytes */
	*n_tokens = sc.n;
	return JT_OK;
}
