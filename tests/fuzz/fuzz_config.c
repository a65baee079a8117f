/*
 * libFuzzer: option parsing (common/config.c) with a table of every
 * option type the daemons use (values and ranges as in webui/options.c
 * and common/collector.c, variables renamed TW_FZ_*). The input, split on
 * NUL bytes: the first field says per option whether its variable is set
 * (bit 0: to the next field; for the secret, bit 1: NAME_FILE to the next
 * field, bit 2: NAME to a known secret); the other fields are argv. Every
 * '/' becomes '_' and '@' the harness's directory of secret files ("@key"
 * holds the known secret), and "--help"/"-h" (exit 0) become unknown
 * options.
 * Every field also goes through config_parse_duration.
 *
 * Checked on every input, abort() on a violation:
 *  - config_load answers 0, EX_USAGE_ERR or EX_CONFIG_ERR; 0 prints
 *    nothing, an error prints why on stderr;
 *  - on 0 every value is within its option's range (int, double finite,
 *    bool 0/1, durations in ms), a string never NULL when it has a
 *    default, a secret NULL or at most 4096 bytes without a trailing
 *    newline, the known secret exactly when it came from its file; the
 *    positionals are argv's own strings; with neither flag nor variable
 *    an option keeps its default, with only the variable it takes it;
 *  - the known secret never appears in what config_load printed;
 *  - config_free leaves the secret NULL (LeakSanitizer sees the rest);
 *  - config_parse_duration: 0 <= ms <= 9e15, and "%lldms" (and "%llds"
 *    for whole seconds) reads back the same.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"

#include "fuzz_check.h"


#define CANARY		"fz-secret-canary-6b1d0e"
#define MAX_ARGS	64

static const char *o_bus, *o_name;
static long o_port;
static double o_factor;
static int o_plain;
static int64_t o_idle, o_flush;
static char *o_key;

enum { O_BUS, O_NAME, O_PORT, O_FACTOR, O_PLAIN, O_IDLE, O_FLUSH, O_KEY,
    O_COUNT };

static const struct config_opt opts[] = {
	{ "bus", "TW_FZ_BUS", CONFIG_STR, &o_bus, "ipc:///tmp/tw-bus", 0, 0,
	  "bus URL" },
	{ "name", NULL, CONFIG_STR, &o_name, NULL, 0, 0, "flag only" },
	{ "port", "TW_FZ_PORT", CONFIG_INT, &o_port, "8443", 1, 65535,
	  "port" },
	{ "stall-factor", "TW_FZ_STALL_FACTOR", CONFIG_DOUBLE, &o_factor,
	  "20", 1, 1e6, "factor" },
	{ "plain-http", "TW_FZ_PLAIN_HTTP", CONFIG_BOOL, &o_plain, "0", 0, 0,
	  "a switch" },
	{ "session-idle", "TW_FZ_SESSION_IDLE", CONFIG_DURATION, &o_idle,
	  "30m", 1000, 86400000.0 * 30, "duration" },
	{ "flush", "TW_FZ_FLUSH", CONFIG_DURATION, &o_flush, "1ms", 0, 1000,
	  "short duration" },
	{ "api-key-file", "TW_FZ_API_KEY", CONFIG_SECRET, &o_key, NULL, 0, 0,
	  "secret" },
	{ NULL, NULL, CONFIG_END, NULL, NULL, 0, 0, NULL }
};

static char	fz_dir[] = "/tmp/fuzz_config.XXXXXX";
static const char *const fz_files[] = { "key", "empty", "big", "crlf" };

static void
fz_cleanup(void)
{
	size_t i;

	for (i = 0; i < sizeof(fz_files) / sizeof(fz_files[0]); i++) {
		char path[64];

		snprintf(path, sizeof(path), "%s/%s", fz_dir, fz_files[i]);
		unlink(path);
	}
	rmdir(fz_dir);
}

static void
put(const char *name, const char *text, size_t n)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fz_dir, name);
	if ((f = fopen(path, "w")) == NULL || fwrite(text, 1, n, f) != n ||
	    fclose(f) != 0)
		abort();
}

/*
 * A field as config_load sees it: '/' becomes '_' and '@' the harness's
 * directory and a '/', so a path names a file there or a plain name in
 * the working directory, never a device or a FIFO elsewhere.
 */
static char *
fz_field(const char *s)
{
	size_t n = 0, dl = strlen(fz_dir);
	const char *p;
	char *out, *o;

	for (p = s; *p != '\0'; p++)
		n += *p == '@' ? dl + 1 : 1;
	if ((out = malloc(n + 1)) == NULL)
		abort();
	for (p = s, o = out; *p != '\0'; p++) {
		if (*p == '@') {
			memcpy(o, fz_dir, dl);
			o += dl;
			*o++ = '/';
		} else
			*o++ = *p == '/' ? '_' : *p;
	}
	*o = '\0';
	return out;
}

/* Secret files in a directory of our own, made the working directory. */
static void
fz_init(void)
{
	static char big[5000];

	if (mkdtemp(fz_dir) == NULL)
		abort();
	atexit(fz_cleanup);
	memset(big, 'b', sizeof(big));
	put("key", CANARY "\n", strlen(CANARY) + 1);
	put("empty", "", 0);
	put("big", big, sizeof(big));
	put("crlf", "abc\r\n", 5);
}

static void
check_duration(const char *s)
{
	char text[48];
	int64_t ms, again;

	if (config_parse_duration(s, &ms) == -1)
		return;
	FZ_CHECK(ms >= 0 && ms <= 9000000000000000LL);
	snprintf(text, sizeof(text), "%lldms", (long long)ms);
	FZ_CHECK(config_parse_duration(text, &again) == 0 && again == ms);
	if (ms % 1000 == 0) {
		snprintf(text, sizeof(text), "%llds", (long long)(ms / 1000));
		FZ_CHECK(config_parse_duration(text, &again) == 0 &&
		    again == ms);
	}
}

/* Whether any argument could be the flag --name (then skip the check). */
static int
mentioned(char **argv, int argc, const char *name)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strncmp(argv[i], "--", 2) == 0 &&
		    strncmp(argv[i] + 2, name, strlen(name)) == 0)
			return 1;
	return 0;
}

static void
check_values(char **argv, char **orig, int argc, const char *env_port,
    const char *env_idle, const struct config_args *pos, int key_from_file)
{
	int i, j, found;

	FZ_CHECK(o_bus != NULL);
	FZ_CHECK(o_port >= 1 && o_port <= 65535);
	FZ_CHECK(o_factor >= 1 && o_factor <= 1e6);
	FZ_CHECK(o_plain == 0 || o_plain == 1);
	FZ_CHECK(o_idle >= 1000 && o_idle <= 86400000LL * 30);
	FZ_CHECK(o_flush >= 0 && o_flush <= 1000);
	if (o_key != NULL) {
		size_t n = strlen(o_key);

		FZ_CHECK(n <= 4096);
		FZ_CHECK(n == 0 || (o_key[n - 1] != '\n' &&
		    o_key[n - 1] != '\r'));
	}
	if (key_from_file && !mentioned(orig, argc, "api-key-file"))
		FZ_CHECK(o_key != NULL && strcmp(o_key, CANARY) == 0);
	/* Precedence: flag over variable over default. */
	if (!mentioned(orig, argc, "port")) {
		if (env_port == NULL)
			FZ_CHECK(o_port == 8443);
		else
			FZ_CHECK(o_port == strtol(env_port, NULL, 10));
	}
	if (!mentioned(orig, argc, "session-idle") && env_idle == NULL)
		FZ_CHECK(o_idle == 1800000);
	FZ_CHECK(pos->argc >= 0 && pos->argc < argc);
	for (i = 0; i < pos->argc; i++) {
		for (found = 0, j = 1; j < argc; j++)
			found |= pos->argv[i] == orig[j];
		FZ_CHECK(found);
	}
	(void)argv;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	char *text, *field[MAX_ARGS + 16], *argv[MAX_ARGS + 2],
	    *orig[MAX_ARGS + 2];
	const char *ctl, *env_port = NULL, *env_idle = NULL;
	size_t at;
	int nfield = 0, next = 1, argc = 1, i, rc, canary_in_input,
	    key_from_file = 0;
	struct config_args pos;
	struct fz_output printed;
	char name[64];

	if (!ready) {
		fz_init();
		ready = 1;
	}
	if ((text = malloc(size + 1)) == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	canary_in_input = 0;
	for (at = 0; at <= size && nfield < MAX_ARGS + 16; ) {
		field[nfield] = fz_field(text + at);
		canary_in_input |= strstr(field[nfield++], "canary") != NULL;
		at += strlen(text + at) + 1;
	}
	ctl = field[0];

	/* The environment. */
	for (i = 0; i < O_COUNT; i++) {
		const struct config_opt *o = &opts[i];
		unsigned c = (size_t)i < strlen(ctl) ? (unsigned char)ctl[i] : 0;

		if (o->env == NULL)
			continue;
		unsetenv(o->env);
		if (o->type == CONFIG_SECRET) {
			snprintf(name, sizeof(name), "%s_FILE", o->env);
			unsetenv(name);
			if ((c & 2) && next < nfield) {
				setenv(name, field[next], 1);
				key_from_file = strncmp(field[next], fz_dir,
				    strlen(fz_dir)) == 0 && strcmp(field[next] +
				    strlen(fz_dir), "/key") == 0;
				next++;
			}
			if (c & 4) {
				setenv(o->env, CANARY, 1);
				key_from_file = 0;
			}
			continue;
		}
		if ((c & 1) && next < nfield) {
			setenv(o->env, field[next], 1);
			if (i == O_PORT)
				env_port = field[next];
			if (i == O_IDLE)
				env_idle = field[next];
			next++;
		}
	}
	argv[0] = (char *)(uintptr_t)"fuzz_config";
	for (; next < nfield && argc <= MAX_ARGS; next++) {
		if (strcmp(field[next], "--help") == 0 ||
		    strcmp(field[next], "-h") == 0)
			field[next][1] = 'X';	/* exits otherwise */
		argv[argc++] = field[next];
	}
	argv[argc] = NULL;
	memcpy(orig, argv, sizeof(argv));

	o_bus = o_name = NULL;
	o_port = 0;
	o_factor = 0;
	o_plain = 0;
	o_idle = o_flush = 0;
	o_key = NULL;
	memset(&pos, 0, sizeof(pos));
	fz_capture(&printed);
	rc = config_load(opts, argc, argv, "fuzz_config [options] [args]",
	    &pos);
	fz_release(&printed);

	FZ_CHECK(rc == 0 || rc == EX_USAGE_ERR || rc == EX_CONFIG_ERR);
	FZ_CHECK(printed.out_len == 0);
	if (rc == 0) {
		FZ_CHECK(printed.err_len == 0);
		check_values(argv, orig, argc, env_port, env_idle, &pos,
		    key_from_file);
	} else
		FZ_CHECK(printed.err_len > 0);
	if (!canary_in_input)
		FZ_CHECK(strstr(printed.err, CANARY) == NULL);
	config_free(opts);
	FZ_CHECK(o_key == NULL);

	for (i = 0; i < nfield; i++)
		check_duration(field[i]);
	for (i = 0; i < nfield; i++)
		free(field[i]);
	fz_output_free(&printed);
	free(text);
	return 0;
}
