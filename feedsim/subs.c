/*
 * Subscription topics (subs.h). Pure.
 */
#include <string.h>

#include "subs.h"

void
subs_init(struct subs *s)
{
	memset(s, 0, sizeof(*s));
}

int
subs_next_topic(const char **cursor, const char **t, size_t *len)
{
	const char *p = *cursor, *e;

	for (;;) {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (*p == '\0') {
			*cursor = p;
			return 0;
		}
		for (e = p; *e != ',' && *e != '\0'; e++)
			;
		*cursor = e;
		*t = p;
		while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		*len = (size_t)(e - p);
		return 1;
	}
}

/* Symbols as feeds send them: letters, digits and . - / : only. */
static int
symbol_ok(const char *s, size_t n)
{
	size_t i;
	char c;

	if (n == 0 || n >= MARKET_SYM_LEN)
		return 0;
	if (n == 1 && s[0] == '*')
		return 1;
	for (i = 0; i < n; i++) {
		c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '-' ||
		    c == '/' || c == ':'))
			return 0;
	}
	return 1;
}

static int
name_eq(const char *name, const char *s, size_t n)
{
	return strlen(name) == n && memcmp(name, s, n) == 0;
}

/*
 * Splits "EV.SYM" (at the first dot: symbols may hold dots, "BRK.B").
 * Returns the kind for feedsim's own events, MKT_KIND_MAX for another
 * valid event name, -1 when the topic is invalid.
 */
static int
parse_topic(const struct subs_path *p, const char *t, size_t len,
    const char **sym, size_t *sym_len)
{
	const char *dot = memchr(t, '.', len);
	size_t n;
	int k;

	if (dot == NULL || len >= SUBS_TOPIC_MAX)
		return -1;
	n = (size_t)(dot - t);
	*sym = dot + 1;
	*sym_len = len - n - 1;
	if (!symbol_ok(*sym, *sym_len))
		return -1;
	for (k = 0; k < MKT_KIND_MAX; k++)
		if (name_eq(p->ev[k], t, n))
			return k;
	for (k = 0; p->also != NULL && p->also[k] != NULL; k++)
		if (name_eq(p->also[k], t, n))
			return MKT_KIND_MAX;
	return -1;
}

static int
symbol_index(const struct subs_path *p, const char *s, size_t n)
{
	int i;

	for (i = 0; i < p->n_names; i++)
		if (name_eq(p->names[i], s, n))
			return i;
	return -1;
}

/* The bit for a topic feedsim serves; NULL for an "other" topic. */
static uint8_t *
topic_bit(struct subs *s, const struct subs_path *p, const char *t,
    size_t len, int *valid)
{
	const char *sym;
	size_t sym_len;
	int k, i;

	*valid = 0;
	if ((k = parse_topic(p, t, len, &sym, &sym_len)) < 0)
		return NULL;
	*valid = 1;
	if (k == MKT_KIND_MAX)
		return NULL;
	if (sym_len == 1 && sym[0] == '*')
		return &s->wild[k];
	if ((i = symbol_index(p, sym, sym_len)) < 0)
		return NULL;
	return &s->bits[k][i];
}

static int
other_find(const struct subs *s, const char *t, size_t len)
{
	int i;

	for (i = 0; i < s->n_other; i++)
		if (name_eq(s->other[i], t, len))
			return i;
	return -1;
}

enum subs_status
subs_add(struct subs *s, const struct subs_path *p, const char *t,
    size_t len)
{
	uint8_t *bit;
	int valid;

	if ((bit = topic_bit(s, p, t, len, &valid)) != NULL) {
		if (*bit == 0)
			s->n_topics++;
		*bit = 1;
		return SUBS_OK;
	}
	if (!valid)
		return SUBS_BAD_TOPIC;
	if (other_find(s, t, len) >= 0)
		return SUBS_OK;
	if (s->n_other == SUBS_OTHER_MAX)
		return SUBS_FULL;
	memcpy(s->other[s->n_other], t, len);
	s->other[s->n_other++][len] = '\0';
	s->n_topics++;
	return SUBS_OK;
}

enum subs_status
subs_remove(struct subs *s, const struct subs_path *p, const char *t,
    size_t len)
{
	uint8_t *bit;
	int valid, i;

	if ((bit = topic_bit(s, p, t, len, &valid)) != NULL) {
		if (*bit != 0)
			s->n_topics--;
		*bit = 0;
		return SUBS_OK;
	}
	if (!valid)
		return SUBS_BAD_TOPIC;
	if ((i = other_find(s, t, len)) >= 0) {
		s->n_other--;
		memcpy(s->other[i], s->other[s->n_other], SUBS_TOPIC_MAX);
		s->n_topics--;
	}
	return SUBS_OK;
}
