/*
 * The password policy (common/pwpolicy.c): each rule at its boundary,
 * expectations written by hand from security.md §2.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "pwpolicy.h"

struct pw_case {
	const char		*name;
	const char		*user;
	const char		*password;
	enum pwpolicy_status	 want;
};

static const struct pw_case cases[] = {
	/* 15 code points of 2-byte characters are 29 bytes: the count is of
	 * characters, not bytes. */
	{ "14 code points (multibyte) refused", "alice",
	  "\xc5\xbc\xc3\xb3\xc5\x82w je\xc5\xbc g\xc4\x99\xc5\x9b \xc4\x87",
	  PWPOLICY_TOO_SHORT },
	{ "15 code points (multibyte) accepted", "alice",
	  "\xc5\xbc\xc3\xb3\xc5\x82w je\xc5\xbc g\xc4\x99\xc5\x9b \xc4\x87m",
	  PWPOLICY_OK },
	{ "14 ASCII characters refused", "alice", "Vq7#mZ2!pL9@xR",
	  PWPOLICY_TOO_SHORT },
	{ "15 ASCII characters accepted", "alice", "Vq7#mZ2!pL9@xR4",
	  PWPOLICY_OK },
	{ "empty refused", "alice", "", PWPOLICY_TOO_SHORT },
	{ "4-byte characters count once", "alice",
	  "\xf0\x9f\x90\x9a\xf0\x9f\x8c\xb5\xf0\x9f\x9a\xb2 sea cactus bike",
	  PWPOLICY_OK },
	{ "stray 0xff refused", "alice", "glacier maple \xff lantern",
	  PWPOLICY_BAD_UTF8 },
	{ "overlong '/' refused", "alice", "glacier maple \xc0\xaf lantern",
	  PWPOLICY_BAD_UTF8 },
	{ "surrogate refused", "alice", "glacier maple \xed\xa0\x80 lantern",
	  PWPOLICY_BAD_UTF8 },
	{ "above U+10FFFF refused", "alice",
	  "glacier maple \xf4\x90\x80\x80 lantern", PWPOLICY_BAD_UTF8 },
	{ "truncated sequence at the end refused", "alice",
	  "glacier maple lantern \xe2\x82", PWPOLICY_BAD_UTF8 },
	{ "lone continuation byte refused", "alice",
	  "glacier maple \x80 lantern", PWPOLICY_BAD_UTF8 },
	{ "john word + digits refused", "alice", "password1234567",
	  PWPOLICY_COMMON },
	{ "john word, other case, + punctuation refused", "alice",
	  "DRAGON!!!!!!!!!!2024", PWPOLICY_COMMON },
	{ "john word + digits and spaces refused", "alice",
	  "iloveyou 1234 5678", PWPOLICY_COMMON },
	{ "user name in another case refused", "Alice",
	  "my ALICE wonderland garden", PWPOLICY_HAS_NAME },
	{ "user name inside a word refused", "bob.smith",
	  "xBOB.SMITHx river stone moon", PWPOLICY_HAS_NAME },
	{ "2-character name not looked for", "al",
	  "albatross meadow river", PWPOLICY_OK },
	{ "\"tapewatch\" in any case refused", "alice",
	  "my TapeWatch glacier river", PWPOLICY_HAS_APP },
	{ "no user (first admin) still checks the rest", NULL,
	  "glacier maple lantern", PWPOLICY_OK },
	{ "repeated letter is weak", "alice", "aaaaaaaaaaaaaaaaaaaa",
	  PWPOLICY_WEAK },
	{ "alphabet run is weak", "alice", "abcdefghijklmnopq",
	  PWPOLICY_WEAK },
	{ "keyboard walk is weak", "alice", "qwertyuiopasdfghjkl",
	  PWPOLICY_WEAK },
	{ "context words are weak", "alice", "adminpolygonmassive",
	  PWPOLICY_WEAK },
	{ "strong 20+ character passphrase accepted", "alice",
	  "glacier maple lantern", PWPOLICY_OK },
	{ "all lowercase passphrase, no composition rule", "alice",
	  "purple otters juggle quietly", PWPOLICY_OK },
};

/* n bytes of a fixed pseudo-random printable string (high entropy). */
static char *
noise(size_t n)
{
	char *s;
	uint32_t x = 12345;
	size_t i;

	if ((s = malloc(n + 1)) == NULL)
		abort();
	for (i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		s[i] = (char)('!' + (x >> 16) % 94);
	}
	s[n] = '\0';
	return s;
}

static void
test_lengths(void)
{
	char *p;

	p = noise(PWPOLICY_MAX_BYTES);
	CHECK(pwpolicy_check("alice", p) == PWPOLICY_OK,
	    "1024 bytes accepted");
	free(p);
	p = noise(PWPOLICY_MAX_BYTES + 1);
	CHECK(pwpolicy_check("alice", p) == PWPOLICY_TOO_LONG,
	    "1025 bytes refused");
	free(p);
	/* 342 three-byte characters = 1026 bytes: bytes bound, not chars. */
	p = malloc(342 * 3 + 1);
	if (p == NULL)
		abort();
	for (int i = 0; i < 342; i++)
		memcpy(p + 3 * i, "\xe2\x82\xac", 3);
	p[342 * 3] = '\0';
	CHECK(pwpolicy_check("alice", p) == PWPOLICY_TOO_LONG,
	    "342 three-byte characters (1026 bytes) refused");
	free(p);
}

static void
test_utf8_count(void)
{
	CHECK(pwpolicy_utf8_count("", 0) == 0, "utf8 count of \"\" is 0");
	CHECK(pwpolicy_utf8_count("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
	    10) == 4, "utf8 count of 1+2+3+4 byte characters is 4");
	CHECK(pwpolicy_utf8_count("\xe0\x9f\x80", 3) == (size_t)-1,
	    "utf8 overlong 3-byte refused");
	CHECK(pwpolicy_utf8_count("\xef\xbf\xbf", 3) == 1,
	    "utf8 U+FFFF counted");
	CHECK(pwpolicy_utf8_count("\xf4\x8f\xbf\xbf", 4) == 1,
	    "utf8 U+10FFFF counted");
}

static void
test_blocklist(void)
{
	size_t i;
	int sorted = 1, lower = 1;

	CHECK(pw_blocklist_len > 3000, "blocklist holds john's list (%zu)",
	    pw_blocklist_len);
	for (i = 0; i < pw_blocklist_len; i++) {
		if (i > 0 && strcmp(pw_blocklist[i - 1], pw_blocklist[i]) >= 0)
			sorted = 0;
		if (strpbrk(pw_blocklist[i], "ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
			lower = 0;
	}
	CHECK(sorted, "blocklist sorted and without duplicates");
	CHECK(lower, "blocklist lowercased");
	CHECK(pwpolicy_is_common("123456"), "123456 is common");
	CHECK(pwpolicy_is_common("PassWord"), "PassWord is common");
	CHECK(pwpolicy_is_common("monkey!!!"), "monkey!!! is common");
	CHECK(!pwpolicy_is_common("!!!"), "all padding is not common");
	CHECK(!pwpolicy_is_common("123password"),
	    "leading digits are not stripped");
	CHECK(!pwpolicy_is_common("glacier maple lantern"),
	    "a passphrase is not common");
}

static void
test_zxcvbn(void)
{
	CHECK(pwpolicy_log10_guesses("alice", "glacier maple lantern") >=
	    PWPOLICY_MIN_LOG10, "passphrase >= 10^10 guesses");
	CHECK(pwpolicy_log10_guesses("alice", "password") < 3,
	    "\"password\" < 10^3 guesses");
	/* The user name is a dictionary word too: "kestrelfeather" alone
	 * is hard, with it as the user name it is one word. */
	CHECK(pwpolicy_log10_guesses(NULL, "kestrelfeather2") >
	    pwpolicy_log10_guesses("kestrelfeather", "kestrelfeather2"),
	    "the user name is in zxcvbn's dictionary");
}

int
main(void)
{
	size_t i;
	enum pwpolicy_status got;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = pwpolicy_check(cases[i].user, cases[i].password);
		CHECK(got == cases[i].want, "%s (got \"%s\")", cases[i].name,
		    pwpolicy_reason(got));
		CHECK(strstr(pwpolicy_reason(got), cases[i].password) ==
		    NULL || cases[i].password[0] == '\0',
		    "%s: reason does not repeat the password", cases[i].name);
	}
	test_lengths();
	test_utf8_count();
	test_blocklist();
	test_zxcvbn();
	return check_report();
}
