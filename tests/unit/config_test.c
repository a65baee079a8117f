/*
 * Configuration: defaults, environment, flags overriding both, durations,
 * range checks, and secrets from NAME or NAME_FILE (never both).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "config.h"
#include "log.h"
#include "ratelimit.h"
#include "tick.h"

static const char	*s_url;
static long		 s_rate;
static int		 s_flag;
static int64_t		 s_ms;
static char		*s_key;

static const struct config_opt opts[] = {
	{ "url", "TT_URL", CONFIG_STR, &s_url, "ws://a/b", 0, 0, "url" },
	{ "rate", "TT_RATE", CONFIG_INT, &s_rate, "10", 1, 1000, "rate" },
	{ "flag", "TT_FLAG", CONFIG_BOOL, &s_flag, "0", 0, 0, "flag" },
	{ "wait", "TT_WAIT", CONFIG_DURATION, &s_ms, "2s", 0, 3600000, "w" },
	{ "key-file", "TT_KEY", CONFIG_SECRET, &s_key, NULL, 0, 0, "key" },
	{ NULL, NULL, CONFIG_END, NULL, NULL, 0, 0, NULL }
};

/* Option values point into argv, so the copies live until the end. */
static char	*kept[128];
static int	 n_kept;

static int
load(int argc, const char **argv)
{
	char **copy = (char **)&kept[n_kept];
	int i;

	for (i = 0; i < argc; i++)
		kept[n_kept++] = strdup(argv[i]);
	config_free(opts);
	return config_load(opts, argc, copy, "test", NULL);
}

static void
test_layers(void)
{
	const char *none[] = { "prog" };
	const char *flags[] = { "prog", "--url", "ws://c/d", "--rate=99",
	    "--flag", "--wait", "250ms" };
	const char *bad_int[] = { "prog", "--rate", "5000" };
	const char *bad_txt[] = { "prog", "--rate", "12x" };
	const char *unknown[] = { "prog", "--nope" };
	const char *novalue[] = { "prog", "--url" };
	const char *extra[] = { "prog", "positional" };

	CHECK(load(1, none) == 0 && strcmp(s_url, "ws://a/b") == 0 &&
	    s_rate == 10 && s_flag == 0 && s_ms == 2000 && s_key == NULL,
	    "defaults");
	setenv("TT_URL", "ws://env/x", 1);
	setenv("TT_RATE", "20", 1);
	setenv("TT_FLAG", "yes", 1);
	setenv("TT_WAIT", "1.5m", 1);
	CHECK(load(1, none) == 0 && strcmp(s_url, "ws://env/x") == 0 &&
	    s_rate == 20 && s_flag == 1 && s_ms == 90000,
	    "environment overrides defaults");
	CHECK(load(7, flags) == 0 && strcmp(s_url, "ws://c/d") == 0 &&
	    s_rate == 99 && s_flag == 1 && s_ms == 250,
	    "flags override the environment");
	CHECK(load(3, bad_int) == EX_CONFIG_ERR, "out of range is refused");
	CHECK(load(3, bad_txt) == EX_CONFIG_ERR, "not a number is refused");
	setenv("TT_RATE", "0", 1);
	CHECK(load(1, none) == EX_CONFIG_ERR, "bad environment is refused");
	unsetenv("TT_RATE");
	CHECK(load(2, unknown) == EX_USAGE_ERR, "unknown flag is a usage error");
	CHECK(load(2, novalue) == EX_USAGE_ERR, "missing value is a usage error");
	CHECK(load(2, extra) == EX_USAGE_ERR, "stray argument is a usage error");
}

static void
test_secrets(void)
{
	const char *none[] = { "prog" };
	const char *flag[] = { "prog", "--key-file", NULL };
	char path[] = "/tmp/tw-config-test-XXXXXX";
	FILE *f;
	int fd;

	setenv("TT_KEY", "from-env", 1);
	CHECK(load(1, none) == 0 && s_key != NULL &&
	    strcmp(s_key, "from-env") == 0, "secret from NAME");
	fd = mkstemp(path);
	f = fdopen(fd, "w");
	fputs("from-file\n", f);
	fclose(f);
	setenv("TT_KEY_FILE", path, 1);
	CHECK(load(1, none) == EX_CONFIG_ERR,
	    "NAME and NAME_FILE both set is an error");
	unsetenv("TT_KEY");
	CHECK(load(1, none) == 0 && s_key != NULL &&
	    strcmp(s_key, "from-file") == 0,
	    "secret from NAME_FILE, trailing newline dropped");
	unsetenv("TT_KEY_FILE");
	flag[2] = path;
	CHECK(load(3, flag) == 0 && s_key != NULL &&
	    strcmp(s_key, "from-file") == 0, "secret from the --key-file flag");
	unlink(path);
	CHECK(load(3, flag) == EX_CONFIG_ERR, "unreadable secret file is an error");
	config_free(opts);
}

static void
test_durations(void)
{
	static const struct {
		const char	*text;
		int		 rc;
		int64_t		 ms;
	} d[] = {
		{ "250", 0, 250 }, { "250ms", 0, 250 }, { "2s", 0, 2000 },
		{ "1.5s", 0, 1500 }, { "30m", 0, 1800000 },
		{ "12h", 0, 43200000 }, { "1d", 0, 86400000 },
		{ "-1s", -1, 0 }, { "s", -1, 0 }, { "5 s", -1, 0 },
		{ "3w", -1, 0 }, { "", -1, 0 },
	};
	size_t i;
	int64_t ms;

	for (i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		ms = -7;
		CHECK(config_parse_duration(d[i].text, &ms) == d[i].rc &&
		    (d[i].rc != 0 || ms == d[i].ms), "duration \"%s\"",
		    d[i].text);
	}
}

static void
test_mask_and_ratelimit(void)
{
	char buf[MASK_KEY_MAX];
	struct ratelimit rl;
	uint64_t sup = 99;
	int i, n = 0;

	CHECK(strcmp(mask_key("abcdEFGHijklMNOPwxyz", buf),
	    "abcd\xe2\x80\xa6wxyz") == 0, "mask_key keeps 4 + 4");
	CHECK(strcmp(mask_key("short", buf), "\xe2\x80\xa6") == 0,
	    "mask_key reveals nothing of a short key");
	CHECK(strcmp(mask_key("", buf), "(none)") == 0, "mask_key empty");

	ratelimit_init(&rl, 1, 3);
	for (i = 0; i < 10; i++)
		n += ratelimit_ok(&rl, NS_PER_S, NULL);
	CHECK(n == 3, "ratelimit: a burst of 3, then nothing");
	CHECK(ratelimit_ok(&rl, NS_PER_S + NS_PER_S / 2, &sup) == 0,
	    "ratelimit: half a second refills half a line");
	CHECK(ratelimit_ok(&rl, 2 * NS_PER_S + 1, &sup) == 1 && sup == 8,
	    "ratelimit: one a second after, reporting 8 suppressed");
}

int
main(void)
{
	test_layers();
	test_secrets();
	test_durations();
	test_mask_and_ratelimit();
	while (n_kept > 0)
		free(kept[--n_kept]);
	return check_report();
}
