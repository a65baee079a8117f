/*
 * libFuzzer: authctl's command-line parsing (authctl/args.c). The first
 * input byte picks one of authctl's commands, with the flags and the
 * positional-argument counts its cmd_*.c gives args_parse; the rest,
 * split on NUL bytes, is its argv after the command name. Each argument
 * is also tried with parse_int64 at the ranges authctl uses (--expires
 * days, token ids). stdout and stderr are caught in memory for the call.
 *
 * Checked on every input, abort() on a violation:
 *  - args_parse answers 0, EXIT_USAGE or ARGS_HELP; 0 prints nothing,
 *    EXIT_USAGE prints "authctl: ..." and the usage line on stderr,
 *    ARGS_HELP prints the usage and help on stdout and happens only when
 *    "--help" or "-h" comes before any "--";
 *  - on 0: min_pos..max_pos positionals, each an argv element, in argv's
 *    order, none an option unless after "--"; a flag's value is an argv
 *    element or what follows "--name=" in one; a switch is 0 or 1;
 *  - parse_int64: a value within [min, max] that reads back from "%lld";
 *    fmt_time of any value fits its buffer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authctl.h"

#include "fuzz_check.h"


#define MAX_ARGS	64

/* authctl's commands as their cmd_*.c call args_parse. */
struct fz_cmd {
	struct cmd	 cmd;
	const char	*value_flags[2];
	const char	*switch_flags[2];
	int		 min_pos, max_pos, with_pos;
};

static const struct fz_cmd fz_cmds[] = {
	{ { "add", NULL, "add USER --role ROLE [--must-change] "
	    "[--password-stdin]", "help" }, { "role", NULL },
	    { "must-change", "password-stdin" }, 1, 1, 1 },
	{ { "passwd", NULL, "passwd USER [--password-stdin]", "help" },
	    { NULL, NULL }, { "password-stdin", NULL }, 1, 1, 1 },
	{ { "role", NULL, "role USER ROLE", "help" }, { NULL, NULL },
	    { NULL, NULL }, 2, 2, 1 },
	{ { "disable", NULL, "disable USER", "help" }, { NULL, NULL },
	    { NULL, NULL }, 1, 1, 1 },
	{ { "list", NULL, "list [--json]", "help" }, { NULL, NULL },
	    { "json", NULL }, 0, 0, 0 },
	{ { "create", NULL, "token create USER --name NAME "
	    "[--expires DAYS]", "help" }, { "name", "expires" },
	    { NULL, NULL }, 1, 1, 1 },
	{ { "list", NULL, "token list [USER] [--json]", "help" },
	    { NULL, NULL }, { "json", NULL }, 0, 1, 1 },
	{ { "revoke", NULL, "token revoke ID", "help" }, { NULL, NULL },
	    { NULL, NULL }, 1, 1, 1 },
};
#define N_CMDS	(sizeof(fz_cmds) / sizeof(fz_cmds[0]))

/* Whether p is argv[j] itself or the value part of "--NAME=..." in it. */
static int
value_from_argv(const char *p, char **argv, int argc, const char *name)
{
	size_t n = strlen(name);
	int j;

	for (j = 1; j < argc; j++) {
		if (p == argv[j])
			return 1;
		if (strncmp(argv[j], "--", 2) == 0 &&
		    strncmp(argv[j] + 2, name, n) == 0 &&
		    argv[j][2 + n] == '=' && p == argv[j] + 3 + n)
			return 1;
	}
	return 0;
}

static void
check_ok(const struct fz_cmd *fc, int argc, char **argv, const char **pos,
    const char **values, const int *sets)
{
	int i, j, last = 0, n = 0, dashdash = argc;

	for (j = 1; j < argc; j++)
		if (strcmp(argv[j], "--") == 0) {
			dashdash = j;
			break;
		}
	for (i = 0; i < fc->max_pos && pos != NULL; i++) {
		if (pos[i] == NULL)
			break;
		for (j = last + 1; j < argc && argv[j] != pos[i]; j++)
			;
		FZ_CHECK(j < argc);	/* an argv element, in order */
		FZ_CHECK(j > dashdash || pos[i][0] != '-' ||
		    pos[i][1] == '\0');
		last = j;
		n++;
	}
	FZ_CHECK(n >= fc->min_pos && n <= fc->max_pos);
	for (i = 0; i < 2; i++) {
		if (fc->value_flags[i] != NULL && values[i] != NULL)
			FZ_CHECK(value_from_argv(values[i], argv, argc,
			    fc->value_flags[i]));
		FZ_CHECK(sets[i] == 0 || sets[i] == 1);
	}
}

static void
check_int64(const char *s)
{
	static const int64_t ranges[][2] = { { 1, 3650 }, { 1, INT64_MAX },
	    { INT64_MIN, INT64_MAX } };
	char text[32], tb[TIME_BUF];
	int64_t v, w;
	size_t i;

	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		if (parse_int64(s, ranges[i][0], ranges[i][1], &v) == -1)
			continue;
		FZ_CHECK(v >= ranges[i][0] && v <= ranges[i][1]);
		snprintf(text, sizeof(text), "%lld", (long long)v);
		FZ_CHECK(parse_int64(text, ranges[i][0], ranges[i][1], &w) ==
		    0 && w == v);
		FZ_CHECK(memchr(fmt_time(v, tb), '\0', sizeof(tb)) != NULL);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct fz_cmd *fc;
	char *text, *argv[MAX_ARGS + 2];
	const char *pos[2] = { NULL, NULL }, *values[2] = { NULL, NULL };
	struct flag flags[5];
	size_t at;
	struct fz_output printed;
	int argc = 1, sets[2] = { 0, 0 }, nf = 0, i, rc, help = 0;

	if (size == 0)
		return 0;
	fc = &fz_cmds[data[0] % N_CMDS];
	if ((text = malloc(size)) == NULL)
		abort();
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	argv[0] = (char *)(uintptr_t)fc->cmd.name;
	/* "a\0b" is two arguments; a trailing NUL ends the last one. */
	for (at = 0; at < size - 1 && argc <= MAX_ARGS; ) {
		argv[argc++] = text + at;
		at += strlen(text + at) + 1;
	}
	argv[argc] = NULL;

	memset(flags, 0, sizeof(flags));
	for (i = 0; i < 2; i++) {
		if (fc->value_flags[i] != NULL) {
			flags[nf].name = fc->value_flags[i];
			flags[nf++].value = &values[i];
		}
		if (fc->switch_flags[i] != NULL) {
			flags[nf].name = fc->switch_flags[i];
			flags[nf++].set = &sets[i];
		}
	}

	fz_capture(&printed);
	rc = args_parse(&fc->cmd, argc, argv, nf > 0 ? flags : NULL,
	    fc->with_pos ? pos : NULL, fc->min_pos, fc->max_pos);
	fz_release(&printed);

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		help |= strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0;
	FZ_CHECK(rc == 0 || rc == EXIT_USAGE || rc == ARGS_HELP);
	FZ_CHECK((rc == ARGS_HELP) == help);
	if (rc == 0) {
		FZ_CHECK(printed.out_len == 0 && printed.err_len == 0);
		check_ok(fc, argc, argv, pos, values, sets);
	} else if (rc == EXIT_USAGE) {
		FZ_CHECK(printed.out_len == 0 &&
		    strncmp(printed.err, "authctl: ", 9) == 0);
		FZ_CHECK(strstr(printed.err, "\nusage: authctl ") != NULL &&
		    strstr(printed.err, fc->cmd.usage) != NULL);
	} else {
		FZ_CHECK(printed.err_len == 0 &&
		    strncmp(printed.out, "usage: authctl ", 15) == 0 &&
		    strstr(printed.out, fc->cmd.help) != NULL);
	}
	for (i = 1; i < argc; i++)
		check_int64(argv[i]);
	fz_output_free(&printed);
	free(text);
	return 0;
}
