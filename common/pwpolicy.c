/*
 * The password policy (pwpolicy.h). zxcvbn is pure computation over its
 * compiled-in dictionaries; nothing here reads a file or the clock.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zxcvbn.h>

#include "pwpolicy.h"

#define LOG10_2		0.30102999566398119521

static const char app_word[] = "tapewatch";

static int
ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Digits, punctuation and space: what people pad a common word with. */
static int
is_padding(int c)
{
	return (c >= ' ' && c <= '/') || (c >= '0' && c <= '9') ||
	    (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
	    (c >= '{' && c <= '~');
}

/* Whether s contains word, ignoring ASCII case. */
static int
ascii_contains(const char *s, const char *word)
{
	size_t i, j, n = strlen(s), m = strlen(word);

	if (m == 0 || m > n)
		return m == 0;
	for (i = 0; i + m <= n; i++) {
		for (j = 0; j < m; j++)
			if (ascii_lower((unsigned char)s[i + j]) !=
			    ascii_lower((unsigned char)word[j]))
				break;
		if (j == m)
			return 1;
	}
	return 0;
}

static int
cmp_word(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

static int
blocklisted(const char *lower)
{
	return bsearch(lower, pw_blocklist, pw_blocklist_len,
	    sizeof(pw_blocklist[0]), cmp_word) != NULL;
}

/* The number of continuation bytes after lead byte c and the range of
 * the first of them (RFC 3629 §4): no overlongs, surrogates or > U+10FFFF. */
static int
utf8_lead(unsigned c, unsigned *lo, unsigned *hi)
{
	*lo = 0x80;
	*hi = 0xbf;
	if (c < 0x80)
		return 0;
	if (c >= 0xc2 && c <= 0xdf)
		return 1;
	if (c == 0xe0)
		*lo = 0xa0;
	else if (c == 0xed)
		*hi = 0x9f;
	if (c >= 0xe0 && c <= 0xef)
		return 2;
	if (c == 0xf0)
		*lo = 0x90;
	else if (c == 0xf4)
		*hi = 0x8f;
	if (c >= 0xf0 && c <= 0xf4)
		return 3;
	return -1;
}

size_t
pwpolicy_utf8_count(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n = 0;
	unsigned lo, hi;
	int k, more;

	while (i < len) {
		if ((more = utf8_lead(p[i++], &lo, &hi)) < 0)
			return (size_t)-1;
		if ((size_t)more > len - i)
			return (size_t)-1;
		for (k = 0; k < more; k++, i++) {
			if (p[i] < lo || p[i] > hi)
				return (size_t)-1;
			lo = 0x80;
			hi = 0xbf;
		}
		n++;
	}
	return n;
}

int
pwpolicy_is_common(const char *password)
{
	char lower[PWPOLICY_MAX_BYTES + 1];
	size_t i, len;

	len = strnlen(password, sizeof(lower));
	if (len == sizeof(lower))
		return 0;	/* longer than any list entry */
	for (i = 0; i < len; i++)
		lower[i] = (char)ascii_lower((unsigned char)password[i]);
	lower[len] = '\0';
	if (blocklisted(lower))
		return 1;
	while (len > 0 && is_padding((unsigned char)lower[len - 1]))
		lower[--len] = '\0';
	return len > 0 && blocklisted(lower);
}

double
pwpolicy_log10_guesses(const char *user, const char *password)
{
	const char *dict[] = { app_word, "admin", "polygon", "massive",
	    NULL, NULL };

	if (user != NULL && *user != '\0')
		dict[4] = user;
	/* ZxcvbnMatch returns log2 of the guesses. */
	return ZxcvbnMatch(password, dict, NULL) * LOG10_2;
}

enum pwpolicy_status
pwpolicy_check(const char *user, const char *password)
{
	size_t len, n_cp;

	len = strnlen(password, PWPOLICY_MAX_BYTES + 1);
	if (len > PWPOLICY_MAX_BYTES)
		return PWPOLICY_TOO_LONG;
	if ((n_cp = pwpolicy_utf8_count(password, len)) == (size_t)-1)
		return PWPOLICY_BAD_UTF8;
	if (n_cp < PWPOLICY_MIN_CP)
		return PWPOLICY_TOO_SHORT;
	if (user != NULL && strlen(user) >= PWPOLICY_NAME_MIN &&
	    ascii_contains(password, user))
		return PWPOLICY_HAS_NAME;
	if (ascii_contains(password, app_word))
		return PWPOLICY_HAS_APP;
	if (pwpolicy_is_common(password))
		return PWPOLICY_COMMON;
	if (pwpolicy_log10_guesses(user, password) < PWPOLICY_MIN_LOG10)
		return PWPOLICY_WEAK;
	return PWPOLICY_OK;
}

const char *
pwpolicy_reason(enum pwpolicy_status st)
{
	switch (st) {
	case PWPOLICY_OK:
		return "password accepted";
	case PWPOLICY_TOO_LONG:
		return "password is longer than 1024 bytes";
	case PWPOLICY_BAD_UTF8:
		return "password is not valid UTF-8";
	case PWPOLICY_TOO_SHORT:
		return "password is shorter than 15 characters";
	case PWPOLICY_HAS_NAME:
		return "password contains the user name";
	case PWPOLICY_HAS_APP:
		return "password contains \"tapewatch\"";
	case PWPOLICY_COMMON:
		return "password is a commonly used password";
	case PWPOLICY_WEAK:
		return "password is too easy to guess; try several unrelated "
		    "words";
	}
	return "password refused";
}
