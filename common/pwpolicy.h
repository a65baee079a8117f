/*
 * The password policy (security.md §2), the one checker authctl and the
 * webui's users page share through auth_password_check(): 15 to 1024
 * bytes counted in code points, valid UTF-8, not a common password, hard
 * enough to guess by zxcvbn, and free of the user name and "tapewatch".
 * The password is taken as given: never truncated, folded or normalized
 * (NIST SP 800-63B-4 §3.1.1.2). No I/O, no allocation, no clock.
 */
#ifndef PWPOLICY_H
#define PWPOLICY_H

#include <stddef.h>

#define PWPOLICY_MIN_CP		15	/* code points (NIST final: 15) */
#define PWPOLICY_MAX_BYTES	1024	/* bounds the hashing input */
#define PWPOLICY_MIN_LOG10	10	/* >= 10^10 guesses: top of score 3 */
#define PWPOLICY_NAME_MIN	3	/* shorter names are not looked for */

enum pwpolicy_status {
	PWPOLICY_OK = 0,
	PWPOLICY_TOO_LONG,
	PWPOLICY_BAD_UTF8,
	PWPOLICY_TOO_SHORT,
	PWPOLICY_HAS_NAME,	/* contains the user name */
	PWPOLICY_HAS_APP,	/* contains "tapewatch" */
	PWPOLICY_COMMON,	/* on the blocklist */
	PWPOLICY_WEAK		/* zxcvbn: fewer than 10^10 guesses */
};

/*
 * The common passwords, from scripts/gen-blocklist (john-data's list):
 * lowercased, deduplicated, sorted in strcmp order.
 */
extern const char *const pw_blocklist[];
extern const size_t pw_blocklist_len;

/*
 * Checks password for user (NULL or "" when there is none yet). The
 * checks run in the order of enum pwpolicy_status; the first that fails
 * is returned.
 */
enum pwpolicy_status pwpolicy_check(const char *user, const char *password);
/* A short human reason for a status; it never holds the password. */
const char	*pwpolicy_reason(enum pwpolicy_status);

/* Code points in s[0..len), or (size_t)-1 when it is not valid UTF-8. */
size_t		 pwpolicy_utf8_count(const char *s, size_t len);
/*
 * Whether the password, lowercased (ASCII), is on the blocklist as a
 * whole or once its trailing digits, punctuation and spaces are removed.
 */
int		 pwpolicy_is_common(const char *password);
/* log10 of the guesses zxcvbn estimates, with the context words. */
double		 pwpolicy_log10_guesses(const char *user, const char *password);

#endif /* PWPOLICY_H */
