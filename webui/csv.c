/*
 * CSV writing (csv.h).
 */
#include <string.h>

#include "csv.h"
#include "jsonw.h"

void
csv_text(struct buf *b, const char *s, size_t len)
{
	int quote = 0, formula;
	size_t i;

	formula = len > 0 && s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;
	for (i = 0; i < len && !quote; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
			quote = 1;
	if (!quote && !formula) {
		buf_add(b, s, len);
		return;
	}
	buf_addc(b, '"');
	if (formula)
		buf_addc(b, '\'');
	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			buf_addc(b, '"');
		buf_addc(b, s[i]);
	}
	buf_addc(b, '"');
}

void
csv_int(struct buf *b, int64_t v)
{
	jsonw_int(b, v);
}

void
csv_double(struct buf *b, double v)
{
	char tmp[40];
	size_t n;

	if ((n = jsonw_format_double(tmp, sizeof(tmp), v)) > 0)
		buf_add(b, tmp, n);
}

void
csv_sep(struct buf *b)
{
	buf_addc(b, ',');
}

void
csv_eol(struct buf *b)
{
	buf_add(b, "\r\n", 2);
}
