/*
 * Writing JSON text by hand for the large answers (bars, anomalies): one
 * pass into a buffer, no DOM. Strings are escaped per RFC 8259 and bytes
 * that are not valid UTF-8 become U+FFFD, so the output is always valid
 * JSON whatever a database row holds. No I/O.
 */
#ifndef JSONW_H
#define JSONW_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* A quoted, escaped JSON string of s[0, len). */
void	 jsonw_str(struct buf *, const char *s, size_t len);
void	 jsonw_cstr(struct buf *, const char *s);
void	 jsonw_int(struct buf *, int64_t);
/*
 * The shortest decimal that reads back as the same double (at most 17
 * significant digits); NaN and infinities, which JSON cannot carry, are
 * null.
 */
void	 jsonw_double(struct buf *, double);
/* Same digits as jsonw_double into out (at least 32 bytes); its length,
 * or 0 when v is not finite. */
size_t	 jsonw_format_double(char *out, size_t cap, double v);

#endif /* JSONW_H */
