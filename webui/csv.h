/*
 * CSV fields per RFC 4180: a field holding a comma, a double quote, CR or
 * LF is quoted, its quotes doubled; records end with CRLF. A text field
 * that a spreadsheet would run as a formula (starting with = + - @ TAB or
 * CR) is quoted with a leading apostrophe (OWASP "CSV injection"); numbers
 * are written as numbers and never altered. No I/O.
 */
#ifndef CSV_H
#define CSV_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

void	 csv_text(struct buf *, const char *s, size_t len);
void	 csv_int(struct buf *, int64_t);
void	 csv_double(struct buf *, double);	/* empty when not finite */
void	 csv_sep(struct buf *);			/* , */
void	 csv_eol(struct buf *);			/* CRLF */

#endif /* CSV_H */
