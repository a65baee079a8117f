/*
 * Option tables from defaults, environment and flags (config.h).
 * Runs before logging is useful, so errors go to stderr directly.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"

#define SECRET_MAX	4096

static void
usage_print(FILE *f, const struct config_opt *opts, const char *usage)
{
	const struct config_opt *o;
	char flag[64];

	fprintf(f, "usage: %s\n\noptions (flag, environment, default):\n",
	    usage);
	for (o = opts; o->type != CONFIG_END; o++) {
		snprintf(flag, sizeof(flag), "--%s%s", o->flag,
		    o->type == CONFIG_BOOL ? "" :
		    o->type == CONFIG_SECRET ? " FILE" : " VALUE");
		fprintf(f, "  %-28s %s\n", flag, o->help);
		if (o->env != NULL || o->def != NULL)
			fprintf(f, "  %-28s %s%s%s%s%s\n", "",
			    o->env != NULL ? "env " : "",
			    o->env != NULL ? o->env : "",
			    o->type == CONFIG_SECRET ? " or " : "",
			    o->type == CONFIG_SECRET ? o->env : "",
			    o->type == CONFIG_SECRET ? "_FILE" :
			    o->def != NULL ? "" : "");
		if (o->def != NULL && o->type != CONFIG_SECRET)
			fprintf(f, "  %-28s default: %s\n", "", o->def);
	}
	fprintf(f, "  %-28s %s\n", "--help", "show this help");
}

int
config_parse_duration(const char *s, int64_t *ms)
{
	char *end;
	double v, unit;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno != 0 || !isfinite(v) || v < 0)
		return -1;
	if (strcmp(end, "") == 0 || strcmp(end, "ms") == 0)
		unit = 1;
	else if (strcmp(end, "s") == 0)
		unit = 1000;
	else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
		unit = 60000;
	else if (strcmp(end, "h") == 0)
		unit = 3600000;
	else if (strcmp(end, "d") == 0)
		unit = 86400000;
	else
		return -1;
	if (v * unit > 9e15)
		return -1;
	*ms = (int64_t)llround(v * unit);
	return 0;
}

/* Reads a whole small file; strips one trailing newline (and CR). */
static char *
secret_read(const char *path, const char *what)
{
	char *buf;
	ssize_t r;
	size_t n = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		fprintf(stderr, "%s: cannot open %s: %s\n", what, path,
		    strerror(errno));
		return NULL;
	}
	if ((buf = malloc(SECRET_MAX + 1)) == NULL) {
		close(fd);
		return NULL;
	}
	while (n < SECRET_MAX &&
	    (r = read(fd, buf + n, SECRET_MAX - n)) > 0)
		n += (size_t)r;
	close(fd);
	if (n == SECRET_MAX) {
		fprintf(stderr, "%s: %s is larger than %d bytes\n", what, path,
		    SECRET_MAX);
		free(buf);
		return NULL;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	buf[n] = '\0';
	return buf;
}

static int
set_value(const struct config_opt *o, const char *val, const char *from)
{
	char *end;
	long l;
	double d;
	int64_t ms;

	switch (o->type) {
	case CONFIG_STR:
		*(const char **)o->dst = val;
		return 0;
	case CONFIG_INT:
		errno = 0;
		l = strtol(val, &end, 10);
		if (end == val || *end != '\0' || errno != 0 ||
		    (double)l < o->min || (double)l > o->max)
			break;
		*(long *)o->dst = l;
		return 0;
	case CONFIG_DOUBLE:
		errno = 0;
		d = strtod(val, &end);
		if (end == val || *end != '\0' || errno != 0 || !isfinite(d) ||
		    d < o->min || d > o->max)
			break;
		*(double *)o->dst = d;
		return 0;
	case CONFIG_BOOL:
		if (strcmp(val, "1") == 0 || strcmp(val, "true") == 0 ||
		    strcmp(val, "yes") == 0 || strcmp(val, "on") == 0)
			*(int *)o->dst = 1;
		else if (strcmp(val, "0") == 0 || strcmp(val, "false") == 0 ||
		    strcmp(val, "no") == 0 || strcmp(val, "off") == 0 ||
		    strcmp(val, "") == 0)
			*(int *)o->dst = 0;
		else
			break;
		return 0;
	case CONFIG_DURATION:
		if (config_parse_duration(val, &ms) == -1 ||
		    (double)ms < o->min || (double)ms > o->max)
			break;
		*(int64_t *)o->dst = ms;
		return 0;
	default:
		break;
	}
	if (o->type == CONFIG_INT || o->type == CONFIG_DOUBLE ||
	    o->type == CONFIG_DURATION)
		fprintf(stderr, "%s: bad value \"%s\" (from %s; allowed "
		    "%g to %g%s)\n", o->flag, val, from, o->min, o->max,
		    o->type == CONFIG_DURATION ? " ms" : "");
	else
		fprintf(stderr, "%s: bad value \"%s\" (from %s)\n", o->flag,
		    val, from);
	return -1;
}

static int
secret_set(const struct config_opt *o, const char *path, const char *from)
{
	char *s;

	if ((s = secret_read(path, from)) == NULL)
		return -1;
	free(*(char **)o->dst);
	*(char **)o->dst = s;
	return 0;
}

/* A secret from NAME or NAME_FILE, never both. */
static int
secret_from_env(const struct config_opt *o)
{
	char name[128];
	const char *val, *file;

	snprintf(name, sizeof(name), "%s_FILE", o->env);
	val = getenv(o->env);
	file = getenv(name);
	if (val != NULL && *val != '\0' && file != NULL && *file != '\0') {
		fprintf(stderr, "%s and %s are both set: set one\n", o->env,
		    name);
		return -1;
	}
	if (file != NULL && *file != '\0')
		return secret_set(o, file, name);
	if (val != NULL && *val != '\0') {
		if ((*(char **)o->dst = strdup(val)) == NULL)
			return -1;
	}
	return 0;
}

static int
apply_defaults_and_env(const struct config_opt *opts)
{
	const struct config_opt *o;
	const char *val;

	for (o = opts; o->type != CONFIG_END; o++) {
		if (o->type == CONFIG_SECRET) {
			*(char **)o->dst = NULL;
			if (o->env != NULL && secret_from_env(o) == -1)
				return -1;
			continue;
		}
		if (o->def != NULL && set_value(o, o->def, "default") == -1)
			return -1;
		if (o->env != NULL && (val = getenv(o->env)) != NULL &&
		    set_value(o, val, o->env) == -1)
			return -1;
	}
	return 0;
}

static const struct config_opt *
find_flag(const struct config_opt *opts, const char *name, size_t len)
{
	const struct config_opt *o;

	for (o = opts; o->type != CONFIG_END; o++)
		if (strlen(o->flag) == len && strncmp(o->flag, name, len) == 0)
			return o;
	return NULL;
}

int
config_load(const struct config_opt *opts, int argc, char **argv,
    const char *usage, struct config_args *pos)
{
	const struct config_opt *o;
	const char *arg, *eq, *val;
	int i, npos = 0;

	if (apply_defaults_and_env(opts) == -1)
		return EX_CONFIG_ERR;
	for (i = 1; i < argc; i++) {
		arg = argv[i];
		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			usage_print(stdout, opts, usage);
			exit(0);
		}
		if (strcmp(arg, "--") == 0) {
			for (i++; i < argc; i++)
				argv[1 + npos++] = argv[i];
			break;
		}
		if (strncmp(arg, "--", 2) != 0) {
			argv[1 + npos++] = argv[i];
			continue;
		}
		arg += 2;
		eq = strchr(arg, '=');
		o = find_flag(opts, arg, eq ? (size_t)(eq - arg) : strlen(arg));
		if (o == NULL) {
			fprintf(stderr, "unknown option --%s\n", arg);
			usage_print(stderr, opts, usage);
			return EX_USAGE_ERR;
		}
		if (eq != NULL)
			val = eq + 1;
		else if (o->type == CONFIG_BOOL)
			val = "1";
		else if (i + 1 < argc)
			val = argv[++i];
		else {
			fprintf(stderr, "option --%s needs a value\n", o->flag);
			return EX_USAGE_ERR;
		}
		if (o->type == CONFIG_SECRET) {
			if (secret_set(o, val, o->flag) == -1)
				return EX_CONFIG_ERR;
		} else if (set_value(o, val, "command line") == -1)
			return EX_CONFIG_ERR;
	}
	if (pos != NULL) {
		pos->argc = npos;
		pos->argv = argv + 1;
	} else if (npos > 0) {
		fprintf(stderr, "unexpected argument \"%s\"\n", argv[1]);
		usage_print(stderr, opts, usage);
		return EX_USAGE_ERR;
	}
	return 0;
}

void
config_free(const struct config_opt *opts)
{
	const struct config_opt *o;
	char *s;

	for (o = opts; o->type != CONFIG_END; o++) {
		if (o->type != CONFIG_SECRET)
			continue;
		if ((s = *(char **)o->dst) != NULL) {
			explicit_bzero(s, strlen(s));
			free(s);
		}
		*(char **)o->dst = NULL;
	}
}
