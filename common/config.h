/*
 * Configuration: one table of options per binary. Each option has a
 * default, an environment variable (TW_*) and a long flag (--name VALUE or
 * --name=VALUE); a flag overrides the environment, which overrides the
 * default. Secrets never come from argv: a CONFIG_SECRET option reads the
 * variable NAME or the file named by NAME_FILE (Docker secrets), and its
 * flag (--NAME-file style) names a file too. Setting both NAME and
 * NAME_FILE is an error, never a silent choice.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stddef.h>
#include <stdint.h>

enum config_type {
	CONFIG_END = 0,
	CONFIG_STR,		/* char *: points into argv, env or a copy */
	CONFIG_INT,		/* long, within [min, max] */
	CONFIG_DOUBLE,		/* double, within [min, max] */
	CONFIG_BOOL,		/* int 0/1; the flag takes no value */
	CONFIG_DURATION,	/* int64_t ms; "250ms", "2s", "30m", "12h" */
	CONFIG_SECRET		/* char *: heap copy of the secret */
};

struct config_opt {
	const char	*flag;		/* without "--" */
	const char	*env;		/* NULL: flag only */
	enum config_type type;
	void		*dst;
	const char	*def;		/* default as text; NULL: none */
	double		 min, max;	/* CONFIG_INT, CONFIG_DOUBLE, DURATION */
	const char	*help;
};

struct config_args {
	int		 argc;		/* positional arguments left */
	char		**argv;
};

/*
 * Fills every option's dst from its default, the environment and the
 * flags. usage is printed for --help (exit 0) and on errors. Returns 0;
 * on an error prints why to stderr and returns EX_USAGE_ERR (bad flag) or
 * EX_CONFIG_ERR (bad value, unreadable secret). Positional arguments are
 * returned through pos when it is not NULL, else they are an error.
 */
int	 config_load(const struct config_opt *, int argc, char **argv,
	    const char *usage, struct config_args *pos);

/* Parses "250ms", "2s", "1.5s", "30m", "12h", "1d" or plain ms. 0 or -1. */
int	 config_parse_duration(const char *, int64_t *ms);

/* Frees the heap copies config_load made of secrets. */
void	 config_free(const struct config_opt *);

#endif /* CONFIG_H */
