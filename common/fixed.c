/*
 * Decimal text to fixed point and doubles, and fixed point back to text
 * (fixed.h). No I/O, no allocation, no locale: strtod is used only as the
 * slow path for doubles the exact fast path cannot take, on a local copy.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fixed.h"
#include "tick.h"

#define MAX_DIGITS	19	/* significant digits an uint64 holds safely */
#define SCALE_DIGITS	9	/* log10(PRICE_SCALE) */

static const uint64_t pow10_u64[20] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
	10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
	100000000000ULL, 1000000000000ULL, 10000000000000ULL,
	100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL,
	10000000000000000000ULL
};

static const double pow10_dbl[23] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

/*
 * A scanned JSON number: value = mant * 10^exp10, with digits the count of
 * significant digits kept in mant and lost set when nonzero digits beyond
 * MAX_DIGITS were dropped (only their first is kept, in next_digit, for
 * rounding).
 */
struct decimal {
	uint64_t	 mant;
	int		 exp10;
	int		 digits;
	int		 negative;
	int		 lost;
	int		 next_digit;
};

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static void
take_digit(struct decimal *d, int digit, int is_fraction)
{
	if (d->digits == 0 && digit == 0) {
		if (is_fraction)
			d->exp10--;	/* leading zero after the point */
		return;
	}
	if (d->digits < MAX_DIGITS) {
		d->mant = d->mant * 10 + (uint64_t)digit;
		d->digits++;
		if (is_fraction)
			d->exp10--;
		return;
	}
	if (!d->lost && d->next_digit < 0)
		d->next_digit = digit;
	else if (digit != 0)
		d->lost = 1;
	if (!is_fraction)
		d->exp10++;
}

/* Scans the JSON number grammar exactly; -1 on anything else. */
static int
decimal_scan(const char *s, size_t len, struct decimal *d)
{
	const char *p = s, *end = s + len;
	int exp_sign = 1, exp_val = 0;

	memset(d, 0, sizeof(*d));
	d->next_digit = -1;
	if (p < end && *p == '-') {
		d->negative = 1;
		p++;
	}
	if (p == end || !is_digit(*p))
		return -1;
	if (*p == '0') {
		p++;
	} else {
		while (p < end && is_digit(*p))
			take_digit(d, *p++ - '0', 0);
	}
	if (p < end && *p == '.') {
		p++;
		if (p == end || !is_digit(*p))
			return -1;
		while (p < end && is_digit(*p))
			take_digit(d, *p++ - '0', 1);
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			exp_sign = *p++ == '-' ? -1 : 1;
		if (p == end || !is_digit(*p))
			return -1;
		while (p < end && is_digit(*p)) {
			if (exp_val < 100000)
				exp_val = exp_val * 10 + (*p - '0');
			p++;
		}
	}
	if (p != end)
		return -1;
	d->exp10 += exp_sign * exp_val;
	return 0;
}

int
fixed_parse(const char *s, size_t len, int64_t *out)
{
	struct decimal d;
	uint64_t v, q, r, div;
	int shift;

	if (decimal_scan(s, len, &d) == -1)
		return -1;
	if (d.mant == 0) {
		*out = 0;
		return 0;
	}
	shift = d.exp10 + SCALE_DIGITS;
	if (shift >= 0) {
		if (shift > MAX_DIGITS || d.mant > INT64_MAX / pow10_u64[shift])
			return -1;
		v = d.mant * pow10_u64[shift];
		/* A dropped digit at or above the scale still rounds. */
		if (d.next_digit >= 5 && shift == 0)
			v++;
	} else if (-shift > MAX_DIGITS) {
		v = 0;
	} else {
		div = pow10_u64[-shift];
		q = d.mant / div;
		r = d.mant % div;
		/* Half away from zero: dropped digits only make a tie bigger. */
		if (r >= div - r)
			q++;
		v = q;
	}
	if (v > (uint64_t)INT64_MAX)
		return -1;
	*out = d.negative ? -(int64_t)v : (int64_t)v;
	return 0;
}

int
num_parse_double(const char *s, size_t len, double *out)
{
	struct decimal d;
	char buf[64];
	char *end;
	double v;

	if (decimal_scan(s, len, &d) == -1)
		return -1;
	/* Clinger's fast path: both operands exact, so one rounding. */
	if (d.next_digit < 0 && d.mant <= (1ULL << 53) && d.exp10 >= -22 &&
	    d.exp10 <= 22) {
		v = (double)d.mant;
		if (d.exp10 < 0)
			v /= pow10_dbl[-d.exp10];
		else
			v *= pow10_dbl[d.exp10];
		*out = d.negative ? -v : v;
		return 0;
	}
	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	v = strtod(buf, &end);
	if (end != buf + len || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

int
num_parse_int64(const char *s, size_t len, int64_t *out)
{
	struct decimal d;
	uint64_t v;

	if (decimal_scan(s, len, &d) == -1)
		return -1;
	if (d.next_digit > 0 || d.lost)
		return -1;	/* beyond 19 digits: not an int64 we trust */
	if (d.mant == 0) {
		*out = 0;
		return 0;
	}
	if (d.exp10 < 0) {
		if (-d.exp10 > MAX_DIGITS || d.mant % pow10_u64[-d.exp10] != 0)
			return -1;
		v = d.mant / pow10_u64[-d.exp10];
	} else {
		if (d.exp10 > MAX_DIGITS ||
		    d.mant > INT64_MAX / pow10_u64[d.exp10])
			return -1;
		v = d.mant * pow10_u64[d.exp10];
	}
	if (v > (uint64_t)INT64_MAX)
		return -1;
	*out = d.negative ? -(int64_t)v : (int64_t)v;
	return 0;
}

size_t
fixed_format(char *buf, int64_t v)
{
	char tmp[FIXED_TEXT_MAX];
	uint64_t u, ip, fp;
	size_t n = 0, i, k;
	int fd;

	u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	ip = u / (uint64_t)PRICE_SCALE;
	fp = u % (uint64_t)PRICE_SCALE;
	if (v < 0)
		buf[n++] = '-';
	k = 0;
	do {
		tmp[k++] = (char)('0' + ip % 10);
		ip /= 10;
	} while (ip != 0);
	for (i = 0; i < k; i++)
		buf[n++] = tmp[k - 1 - i];
	if (fp != 0) {
		buf[n++] = '.';
		for (fd = SCALE_DIGITS; fd > 0 && fp != 0; fd--) {
			buf[n++] = (char)('0' + fp / pow10_u64[fd - 1]);
			fp %= pow10_u64[fd - 1];
		}
	}
	buf[n] = '\0';
	return n;
}

int
fixed_from_double(double d, int64_t *out)
{
	double scaled = d * (double)PRICE_SCALE;

	if (!isfinite(scaled) || scaled >= 9.2e18 || scaled <= -9.2e18)
		return -1;
	*out = (int64_t)llround(scaled);
	return 0;
}
