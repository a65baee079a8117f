/*
 * Logging: one line per event on stderr, which supervisord files per
 * process:  2026-11-28T10:00:00.123Z info ingest-crypto: message key=value
 * Messages are lowercase without a final period. Secrets never appear:
 * pass them through mask_key() first.
 */
#ifndef LOG_H
#define LOG_H

#include <stddef.h>

#define EX_OK_CLEAN	0
#define EX_FATAL	1
#define EX_USAGE_ERR	64
#define EX_CONFIG_ERR	78

enum log_level {
	LOG_LEVEL_DEBUG = 0,
	LOG_LEVEL_INFO,
	LOG_LEVEL_WARN,
	LOG_LEVEL_ERROR
};

void	 log_init(const char *process);
void	 log_set_level(enum log_level);
/* "debug", "info", "warn", "error"; -1 when unknown. */
int	 log_level_from_name(const char *);
const char *log_process(void);

void	 log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
/* log_warn appends ": strerror(errno)"; log_warnx does not. */
void	 log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_error(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Log and exit(EX_FATAL); fatal appends strerror(errno). */
void	 fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	 fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
/* Emit a line at a level given at run time (for library log hooks). */
void	 log_emit(enum log_level, const char *msg);

/*
 * Masks a secret for display: "abcd…wxyz" when it has at least 12
 * characters, "…" otherwise (a short key would be half revealed), "(none)"
 * when empty. Writes into buf (MASK_KEY_MAX bytes) and returns it. Pure.
 */
#define MASK_KEY_MAX	16
const char *mask_key(const char *key, char *buf);

#endif /* LOG_H */
