/*
 * Decimal text to numbers and back, for the feed parsers' hot path and the
 * JSON writers. Input is a JSON number's text (not NUL-terminated), which a
 * feed may also send inside a string: -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?
 * No I/O, no allocation, no locale.
 */
#ifndef FIXED_H
#define FIXED_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parses into fixed point with PRICE_SCALE (1e-9) units, rounding half away
 * from zero beyond nine fraction digits. Returns 0, or -1 when the text is
 * not a JSON number or the value does not fit.
 */
int	 fixed_parse(const char *s, size_t len, int64_t *out);

/* Parses a JSON number into a double, correctly rounded. 0 or -1. */
int	 num_parse_double(const char *s, size_t len, double *out);

/*
 * Parses an integer. A number with an exponent or fraction is accepted
 * only when its value is integral ("1.61e12"). 0 or -1.
 */
int	 num_parse_int64(const char *s, size_t len, int64_t *out);

/*
 * Writes a fixed-point value as the shortest exact decimal ("33021.9",
 * "-0.000012", "100"), NUL-terminated. buf must hold FIXED_TEXT_MAX bytes.
 * Returns the length.
 */
#define FIXED_TEXT_MAX	32
size_t	 fixed_format(char *buf, int64_t v);

/* Double to fixed point, rounded to nearest; 0 or -1 when out of range. */
int	 fixed_from_double(double d, int64_t *out);

#endif /* FIXED_H */
