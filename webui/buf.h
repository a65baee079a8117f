/*
 * A growable byte buffer for response bodies. It always keeps a NUL after
 * the last byte, so text can be handed on as a C string. Allocation
 * failure is fatal (a daemon that cannot allocate a response has nothing
 * better to do). No I/O.
 */
#ifndef BUF_H
#define BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char		*p;
	size_t		 len;
	size_t		 cap;
};

void	 buf_init(struct buf *);
void	 buf_free(struct buf *);
/* Makes room for n more bytes; returns where they go. */
char	*buf_reserve(struct buf *, size_t n);
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_adds(struct buf *, const char *);
void	 buf_addc(struct buf *, char);
void	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_vprintf(struct buf *, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));
/* Hands the bytes to the caller (free() them); the buffer is empty. */
char	*buf_take(struct buf *, size_t *len);

#endif /* BUF_H */
