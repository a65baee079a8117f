/*
 * The auth core shared by webui and authctl: auth.db (users, sessions, API
 * tokens, an audit log), argon2id password hashes, the password policy and
 * the login throttle. Secrets live only as hashes: a password as libsodium's
 * argon2id string, a session or API token as BLAKE2b-256 of its text, so a
 * copy of auth.db opens no session.
 *
 * One struct auth is one SQLite connection and is not thread-safe: each
 * thread opens its own. Every call is bounded by the busy timeout given at
 * open. Calls return 0 on success, or one of enum auth_err (negative) with
 * a one-line reason in the caller's buffer where a reason makes sense.
 * Times are Unix milliseconds and always passed in by the caller, so the
 * rules (idle and absolute expiry, throttling windows) are tested with a
 * clock the test controls.
 */
#ifndef AUTH_H
#define AUTH_H

#include <stddef.h>
#include <stdint.h>

#define AUTH_NAME_MAX		64	/* user name bytes, without the NUL */
#define AUTH_TOKEN_NAME_MAX	64	/* API token label bytes */
#define AUTH_PASSWORD_MIN_CP	15	/* code points (NIST SP 800-63B-4) */
#define AUTH_PASSWORD_MAX_BYTES	1024
/* A session token: 32 random bytes, base64url without padding. */
#define AUTH_SESSION_TOKEN_LEN	43
/*
 * An API token: "twk_" + 43 base64url characters of 32 random bytes + "_"
 * + 6 base64url characters of a checksum (the first 4 bytes of BLAKE2b of
 * the random part), so a pasted token with a typo is told apart from a
 * revoked one and secret scanners can recognise it.
 */
#define AUTH_API_TOKEN_PREFIX	"twk_"
#define AUTH_API_TOKEN_LEN	(4 + 43 + 1 + 6)
/* The CSRF token bound to a session: base64url of 32 bytes. */
#define AUTH_CSRF_LEN		43
#define AUTH_REASON_LEN		160

enum auth_role {
	AUTH_ROLE_NONE = 0,
	AUTH_ROLE_VIEWER,
	AUTH_ROLE_USER,
	AUTH_ROLE_MANAGER,
	AUTH_ROLE_ADMIN
};

enum auth_err {
	AUTH_OK = 0,
	AUTH_ERR_DB = -1,	/* SQLite failed; reason has the message */
	AUTH_ERR_NOT_FOUND = -2,
	AUTH_ERR_EXISTS = -3,
	AUTH_ERR_POLICY = -4,	/* password or name refused; reason says why */
	AUTH_ERR_INVALID = -5,	/* bad argument (role, name syntax, days) */
	AUTH_ERR_DENIED = -6,	/* wrong password, expired, disabled, locked */
	AUTH_ERR_THROTTLED = -7,/* try again after *retry_after_ms */
	AUTH_ERR_LAST_ADMIN = -8 /* would leave no enabled admin */
};

struct auth;

struct auth_user {
	int64_t		 id;
	char		 name[AUTH_NAME_MAX + 1];	/* as created */
	enum auth_role	 role;
	int		 disabled;
	int		 locked;	/* 100 failures in an hour */
	int		 must_change;	/* only a password change allowed */
	int64_t		 created_ms;
	int64_t		 changed_ms;	/* password last set */
	int64_t		 last_login_ms;	/* 0: never */
};

struct auth_session {
	int64_t		 id;
	struct auth_user user;		/* read at validation: a role change
					   or disable applies at once */
	int64_t		 created_ms;
	int64_t		 last_seen_ms;
	int64_t		 idle_expires_ms;	/* last_seen + idle */
	int64_t		 expires_ms;	/* min(idle, absolute) expiry */
	char		 csrf[AUTH_CSRF_LEN + 1];
};

struct auth_token_info {
	int64_t		 id;
	char		 user[AUTH_NAME_MAX + 1];
	char		 name[AUTH_TOKEN_NAME_MAX + 1];
	int64_t		 created_ms;
	int64_t		 expires_ms;	/* 0: never */
	int64_t		 last_used_ms;	/* 0: never */
	int		 revoked;
};

/* Session lifetimes; the defaults are TW_SESSION_IDLE / TW_SESSION_MAX. */
struct auth_limits {
	int64_t		 session_idle_ms;	/* 30 min */
	int64_t		 session_max_ms;	/* 12 h */
};

const char	*auth_role_name(enum auth_role);	/* "viewer".. */
/* "viewer", "user", "manager", "admin" (case-insensitive) or NONE. */
enum auth_role	 auth_role_parse(const char *);
const char	*auth_strerror(int err);

/*
 * Opens path (creating it, mode 0600, when create is set) and migrates the
 * schema (PRAGMA user_version). Calls sodium_init. AUTH_OK and *ap, or an
 * error with the reason.
 */
int	 auth_open(struct auth **ap, const char *path, int create,
	    int busy_timeout_ms, char *reason, size_t reason_len);
void	 auth_close(struct auth *);
void	 auth_set_limits(struct auth *, const struct auth_limits *);
/*
 * Who makes the changes that follow (the audit table's actor column):
 * "authctl", or the admin's name in the webui. NULL or "" clears it.
 */
void	 auth_set_actor(struct auth *, const char *actor);
/* The SQLite message of the last AUTH_ERR_DB, or "". */
const char	*auth_last_error(struct auth *);

/*
 * Password policy (the one checker authctl and the users page share): 15 to
 * 1024 bytes counted in code points, valid UTF-8, not on the blocklist of
 * common passwords (case-insensitive, also with trailing digits removed),
 * zxcvbn strength at least 3 of 4 (about 10^10 guesses), not containing the
 * user name or "tapewatch" (case-insensitive). 0, or AUTH_ERR_POLICY with
 * the reason (which never repeats the password).
 */
int	 auth_password_check(const char *user, const char *password,
	    char *reason, size_t reason_len);

/* Users. Names: 1..64 bytes of [A-Za-z0-9._@-], compared case-folded. */
/* 0 when name is a valid user name, else AUTH_ERR_INVALID and why. */
int	 auth_name_check(const char *name, char *reason, size_t reason_len);
int	 auth_user_add(struct auth *, const char *name, enum auth_role,
	    const char *password, int must_change, int64_t now_ms,
	    char *reason, size_t reason_len);
int	 auth_user_get(struct auth *, const char *name, struct auth_user *);
/* Calls fn for each user ordered by name; stops when fn returns nonzero. */
int	 auth_user_list(struct auth *,
	    int (*fn)(const struct auth_user *, void *arg), void *arg);
/* Checks the policy; ends every session of the user; clears must_change. */
int	 auth_user_set_password(struct auth *, const char *name,
	    const char *password, int64_t now_ms, char *reason,
	    size_t reason_len);
/*
 * Sets or clears must_change (an admin's password reset sets it after
 * auth_user_set_password, which clears it).
 */
int	 auth_user_set_must_change(struct auth *, const char *name,
	    int must_change, int64_t now_ms);
/* Refuses to demote the last enabled admin (AUTH_ERR_LAST_ADMIN). */
int	 auth_user_set_role(struct auth *, const char *name, enum auth_role,
	    int64_t now_ms);
/*
 * Disable ends every session and API token use of the user (tokens stay,
 * unusable while disabled) and refuses the last enabled admin. Enable also
 * clears the lock and the failure history.
 */
int	 auth_user_set_disabled(struct auth *, const char *name, int disabled,
	    int64_t now_ms);
/* Deletes the user, their sessions and tokens; not the last admin. */
int	 auth_user_delete(struct auth *, const char *name, int64_t now_ms);
/* Ends every session of the user; *ended how many. */
int	 auth_user_logout(struct auth *, const char *name, int64_t now_ms,
	    int *ended);
/* How many users exist (first start bootstraps an admin at 0). */
int	 auth_user_count(struct auth *, int64_t *n);

/*
 * Login: the whole decision, in the order that keeps it honest. The
 * client address's throttle is checked first (AUTH_ERR_THROTTLED with
 * *retry_after_ms: 20 failures in 5 minutes), then the account's (a delay
 * from 1 s doubling to 15 min after 5 failures in 5 minutes; a lock after
 * 100 in an hour). The argon2id verify always runs, against a dummy hash
 * when the user is missing, so every failure costs the same. On success a
 * new session is created (the token is written to token_out, NUL
 * terminated, never stored), the failure history is cleared, and the
 * stored hash is upgraded when its parameters are not the current ones.
 * Every attempt is written to the audit table with the address and the
 * outcome, never the password. Any failure is AUTH_ERR_DENIED or
 * AUTH_ERR_THROTTLED: the caller must not tell them apart to the client
 * beyond the 429 the address throttle earns.
 *
 * Hashing uses 64 MiB and ~0.13 s; the caller bounds how many run at once.
 */
int	 auth_login(struct auth *, const char *name, const char *password,
	    const char *client_addr, int64_t now_ms,
	    char token_out[AUTH_SESSION_TOKEN_LEN + 1],
	    struct auth_session *session, int64_t *retry_after_ms);

/*
 * Validates a session token: unknown, expired (idle or absolute) or a
 * disabled user's is AUTH_ERR_DENIED (an expired one is deleted). When
 * touch is set, last_seen moves to now (activity refreshes the idle
 * timeout). Fills *s with the user as stored now.
 */
int	 auth_session_check(struct auth *, const char *token, int64_t now_ms,
	    int touch, struct auth_session *s);
/* Ends one session (logout). Unknown tokens are AUTH_ERR_NOT_FOUND. */
int	 auth_session_end(struct auth *, const char *token, int64_t now_ms);
/* Deletes expired sessions; *removed how many. */
int	 auth_session_prune(struct auth *, int64_t now_ms, int *removed);

/*
 * API tokens. create writes the token once to token_out; days 0 is no
 * expiry. check accepts a well-formed token of an enabled user that is
 * neither revoked nor expired, updates last_used, fills *user; a bad
 * checksum is AUTH_ERR_INVALID, anything else that fails AUTH_ERR_DENIED.
 */
int	 auth_token_create(struct auth *, const char *user, const char *name,
	    int days, int64_t now_ms,
	    char token_out[AUTH_API_TOKEN_LEN + 1], int64_t *id);
int	 auth_token_check(struct auth *, const char *token, int64_t now_ms,
	    struct auth_user *user);
int	 auth_token_revoke(struct auth *, int64_t id, int64_t now_ms);
/* user NULL lists every user's tokens. */
int	 auth_token_list(struct auth *, const char *user,
	    int (*fn)(const struct auth_token_info *, void *arg), void *arg);

/*
 * Writes an audit row (time, event, user, address, outcome, detail). The
 * login and user calls above audit themselves; this is for events only
 * the caller sees (logout, CSRF refusals). detail must not hold secrets.
 */
int	 auth_audit(struct auth *, int64_t now_ms, const char *event,
	    const char *user, const char *client_addr, const char *outcome,
	    const char *detail);

/* Constant-time equality of two strings of possibly different lengths. */
int	 auth_str_equal(const char *a, const char *b);

#endif /* AUTH_H */
