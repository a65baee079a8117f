/*
 * Line logging to stderr (log.h). Each line is built in a buffer and
 * written with one write(2), so lines from a process's threads never
 * interleave mid-line.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define LINE_MAX_BYTES	2048

static const char	*log_name = "tapewatch";
static enum log_level	 log_min = LOG_LEVEL_INFO;

static const char *const level_names[] = { "debug", "info", "warn", "error" };

void
log_init(const char *process)
{
	const char *lvl;
	int l;

	log_name = process;
	if ((lvl = getenv("TW_LOG_LEVEL")) != NULL &&
	    (l = log_level_from_name(lvl)) != -1)
		log_min = (enum log_level)l;
}

void
log_set_level(enum log_level l)
{
	log_min = l;
}

int
log_level_from_name(const char *s)
{
	int i;

	for (i = 0; i < 4; i++)
		if (strcmp(s, level_names[i]) == 0)
			return i;
	return -1;
}

const char *
log_process(void)
{
	return log_name;
}

static void
log_line(enum log_level l, int errnum, const char *fmt, va_list ap)
{
	char line[LINE_MAX_BYTES];
	struct timespec ts;
	struct tm tm;
	size_t n;
	int r;

	if (l < log_min)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
	r = snprintf(line + n, sizeof(line) - n, ".%03ldZ %s %s: ",
	    ts.tv_nsec / 1000000, level_names[l], log_name);
	n += (size_t)r;
	r = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	n = r < 0 ? n : n + (size_t)r;
	if (n > sizeof(line) - 2)
		n = sizeof(line) - 2;	/* truncated: keep the newline */
	if (errnum != 0) {
		r = snprintf(line + n, sizeof(line) - n, ": %s",
		    strerror(errnum));
		n = r < 0 ? n : n + (size_t)r;
		if (n > sizeof(line) - 2)
			n = sizeof(line) - 2;
	}
	line[n++] = '\n';
	/* Nothing useful can be done if stderr is gone. */
	if (write(STDERR_FILENO, line, n) == -1)
		return;
}

static void
log_fmt(enum log_level l, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(l, errnum, fmt, ap);
	va_end(ap);
}

void
log_emit(enum log_level l, const char *msg)
{
	char buf[LINE_MAX_BYTES];
	size_t n = strnlen(msg, sizeof(buf) - 1);

	memcpy(buf, msg, n);
	/* Library messages often end in a newline of their own. */
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	buf[n] = '\0';
	log_fmt(l, 0, "%s", buf);
}

#define LOG_FN(name, level, with_errno)					\
void									\
name(const char *fmt, ...)						\
{									\
	int saved = errno;						\
	va_list ap;							\
									\
	va_start(ap, fmt);						\
	log_line(level, with_errno ? saved : 0, fmt, ap);		\
	va_end(ap);							\
	errno = saved;							\
}

LOG_FN(log_debug, LOG_LEVEL_DEBUG, 0)
LOG_FN(log_info, LOG_LEVEL_INFO, 0)
LOG_FN(log_warn, LOG_LEVEL_WARN, 1)
LOG_FN(log_warnx, LOG_LEVEL_WARN, 0)
LOG_FN(log_error, LOG_LEVEL_ERROR, 0)

void
fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_line(LOG_LEVEL_ERROR, saved, fmt, ap);
	va_end(ap);
	exit(EX_FATAL);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(LOG_LEVEL_ERROR, 0, fmt, ap);
	va_end(ap);
	exit(EX_FATAL);
}

const char *
mask_key(const char *key, char *buf)
{
	size_t n = key != NULL ? strlen(key) : 0;

	if (n == 0)	/* a keyless source */
		snprintf(buf, MASK_KEY_MAX, "(none)");
	else if (n < 12)
		snprintf(buf, MASK_KEY_MAX, "\xe2\x80\xa6");
	else
		snprintf(buf, MASK_KEY_MAX, "%.4s\xe2\x80\xa6%s", key,
		    key + n - 4);
	return buf;
}
