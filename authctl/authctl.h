/*
 * authctl: the command line for auth.db (docs/authctl.md). main.c picks
 * the command; cmd_user.c and cmd_token.c do them through common/auth.h;
 * args.c parses a command's flags; password.c reads a password from the
 * terminal or standard input, never from argv or the environment.
 */
#ifndef AUTHCTL_H
#define AUTHCTL_H

#include <stddef.h>
#include <stdint.h>

#include "auth.h"

#define EXIT_OK		0
#define EXIT_FAIL	1	/* the command failed; stderr says why */
#define EXIT_USAGE	2	/* bad command line */
#define ARGS_HELP	(-1)	/* args_parse saw --help and printed it */

struct ctl {
	const char	*db_path;
	struct auth	*auth;		/* opened by ctl_open */
	int64_t		 now_ms;
};

struct cmd {
	const char	*name;
	int		(*run)(struct ctl *, int argc, char **argv,
			    const struct cmd *);
	const char	*usage;		/* after "authctl " */
	const char	*help;		/* one paragraph */
};

/* A flag of a command: value points where its value goes (NULL: none). */
struct flag {
	const char	*name;		/* without "--" */
	const char	**value;	/* takes a value */
	int		*set;		/* a switch: set to 1 */
};

/*
 * Parses argv[1..argc) (argv[0] is the command's name) into flags and
 * positional arguments (pos, between min_pos and max_pos of them). 0, or
 * EXIT_USAGE after printing why, or ARGS_HELP after printing the help.
 */
int	 args_parse(const struct cmd *, int argc, char **argv,
	    const struct flag *flags, const char **pos, int min_pos,
	    int max_pos);
/* Prints "authctl: MESSAGE" and the usage line; returns EXIT_USAGE. */
int	 usage_error(const struct cmd *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Prints "authctl: MESSAGE" to stderr; returns EXIT_FAIL. */
int	 fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The line for an auth error about user name. */
int	 fail_auth(struct ctl *, int err, const char *name);
/* Parses a whole decimal number within [min, max]: 0 or -1. */
int	 parse_int64(const char *, int64_t min, int64_t max, int64_t *v);
/* "2026-11-28T10:00:00Z", or "never" for 0; buf of TIME_BUF bytes. */
#define TIME_BUF	24
const char *fmt_time(int64_t ms, char *buf);

/*
 * Room for need elements of elem bytes in v (cap of them now), doubling:
 * the new array (cap updated), or NULL with v and cap unchanged.
 */
void	*array_reserve(void *v, size_t *cap, size_t need, size_t elem);

/* Opens auth.db (creating it 0600); EXIT_OK or EXIT_FAIL with why. */
int	 ctl_open(struct ctl *);

/*
 * Reads a password into buf (AUTH_PASSWORD_MAX_BYTES + 2 bytes): one line
 * of standard input when from_stdin, else from /dev/tty without echo,
 * asked twice when confirm. 0, or -1 after printing why.
 */
#define PASSWORD_BUF	(AUTH_PASSWORD_MAX_BYTES + 2)
int	 password_read(char *buf, int from_stdin, const char *prompt,
	    int confirm);

/* cmd_user.c */
int	 cmd_add(struct ctl *, int, char **, const struct cmd *);
int	 cmd_passwd(struct ctl *, int, char **, const struct cmd *);
int	 cmd_role(struct ctl *, int, char **, const struct cmd *);
int	 cmd_disable(struct ctl *, int, char **, const struct cmd *);
int	 cmd_enable(struct ctl *, int, char **, const struct cmd *);
int	 cmd_delete(struct ctl *, int, char **, const struct cmd *);
int	 cmd_logout(struct ctl *, int, char **, const struct cmd *);
int	 cmd_list(struct ctl *, int, char **, const struct cmd *);

/* cmd_token.c */
int	 cmd_token(struct ctl *, int, char **, const struct cmd *);

#endif /* AUTHCTL_H */
