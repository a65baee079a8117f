/*
 * A command's flags and arguments, messages and small formatting for
 * authctl (authctl.h).
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "authctl.h"

static void
print_help(const struct cmd *c)
{
	printf("usage: authctl %s\n\n%s\n", c->usage, c->help);
}

int
usage_error(const struct cmd *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "authctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: authctl %s\n", c->usage);
	return EXIT_USAGE;
}

int
fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "authctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return EXIT_FAIL;
}

int
fail_auth(struct ctl *ctl, int err, const char *name)
{
	switch (err) {
	case AUTH_ERR_NOT_FOUND:
		return fail("no such user: %s", name);
	case AUTH_ERR_LAST_ADMIN:
		return fail("%s is the last enabled admin; add or enable "
		    "another admin first", name);
	case AUTH_ERR_DB:
		return fail("%s: %s", ctl->db_path,
		    auth_last_error(ctl->auth));
	default:
		return fail("%s: %s", name, auth_strerror(err));
	}
}

static const struct flag *
flag_find(const struct flag *flags, const char *name, size_t len)
{
	const struct flag *f;

	for (f = flags; f != NULL && f->name != NULL; f++)
		if (strlen(f->name) == len && strncmp(f->name, name, len) == 0)
			return f;
	return NULL;
}

/* One "--name[=value]" at argv[*i]; may take argv[*i + 1] as value. */
static int
flag_take(const struct cmd *c, const struct flag *flags, int argc,
    char **argv, int *i)
{
	const char *arg = argv[*i] + 2, *eq;
	const struct flag *f;

	eq = strchr(arg, '=');
	f = flag_find(flags, arg, eq != NULL ? (size_t)(eq - arg) :
	    strlen(arg));
	if (f == NULL)
		return usage_error(c, "unknown option --%.*s", eq != NULL ?
		    (int)(eq - arg) : (int)strlen(arg), arg);
	if (f->value == NULL) {
		if (eq != NULL)
			return usage_error(c, "--%s takes no value", f->name);
		*f->set = 1;
		return 0;
	}
	if (eq != NULL)
		*f->value = eq + 1;
	else if (*i + 1 < argc)
		*f->value = argv[++*i];
	else
		return usage_error(c, "--%s needs a value", f->name);
	return 0;
}

int
args_parse(const struct cmd *c, int argc, char **argv,
    const struct flag *flags, const char **pos, int min_pos, int max_pos)
{
	int i, n = 0, rc, only_pos = 0;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			print_help(c);
			return ARGS_HELP;
		}
	}
	for (i = 1; i < argc; i++) {
		if (!only_pos && strcmp(argv[i], "--") == 0) {
			only_pos = 1;
		} else if (!only_pos && argv[i][0] == '-' &&
		    argv[i][1] != '\0') {
			if (argv[i][1] != '-')
				return usage_error(c, "unknown option %s",
				    argv[i]);
			if ((rc = flag_take(c, flags, argc, argv, &i)) != 0)
				return rc;
		} else if (n >= max_pos)
			return usage_error(c, "unexpected argument \"%s\"",
			    argv[i]);
		else
			pos[n++] = argv[i];
	}
	if (n < min_pos)
		return usage_error(c, "missing argument");
	return 0;
}

int
parse_int64(const char *s, int64_t min, int64_t max, int64_t *v)
{
	char *end;
	long long x;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	x = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || x < min || x > max)
		return -1;
	*v = x;
	return 0;
}

void *
array_reserve(void *v, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 16;

	if (need <= *cap)
		return v;
	while (n < need)
		n *= 2;
	if ((v = reallocarray(v, n, elem)) == NULL)
		return NULL;
	*cap = n;
	return v;
}

const char *
fmt_time(int64_t ms, char *buf)
{
	struct tm tm;
	time_t t = (time_t)(ms / 1000);

	if (ms <= 0 || gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, TIME_BUF, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, TIME_BUF, "%s", ms <= 0 ? "never" : "?");
	return buf;
}

/* The directory part of path ("." when there is none). */
static void
dir_of(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(dir, len, ".");
	else if (slash == path)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

int
ctl_open(struct ctl *ctl)
{
	char reason[256], dir[1024];
	struct stat sb;

	dir_of(ctl->db_path, dir, sizeof(dir));
	if (stat(dir, &sb) == -1 || !S_ISDIR(sb.st_mode))
		return fail("directory %s does not exist (create it, or set "
		    "TW_DATA_DIR or --db)", dir);
	if (auth_open(&ctl->auth, ctl->db_path, 1, 5000, reason,
	    sizeof(reason)) != AUTH_OK)
		return fail("%s", reason);
	auth_set_actor(ctl->auth, "authctl");
	return EXIT_OK;
}
