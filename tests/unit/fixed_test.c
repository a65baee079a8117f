/*
 * Decimal text to fixed point and doubles, and back. Expected values are
 * written out by hand (nine fraction digits for fixed point).
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "../check.h"
#include "fixed.h"

static const struct {
	const char	*text;
	int		 want_rc;
	int64_t		 want;
} fixed_cases[] = {
	{ "0", 0, 0 },
	{ "-0", 0, 0 },
	{ "1", 0, 1000000000LL },
	{ "33021.9", 0, 33021900000000LL },
	{ "114.125", 0, 114125000000LL },
	{ "0.00000812", 0, 8120LL },
	{ "4.522e-05", 0, 45220LL },
	{ "1.5E2", 0, 150000000000LL },
	{ "1e+2", 0, 100000000000LL },
	{ "-161.87", 0, -161870000000LL },
	{ "0.0000000005", 0, 1LL },		/* half rounds away from zero */
	{ "0.0000000004999", 0, 0LL },
	{ "-0.0000000005", 0, -1LL },
	{ "0.1234567894", 0, 123456789LL },
	{ "0.1234567895", 0, 123456790LL },
	{ "9223372036.854775807", 0, INT64_MAX },
	{ "9223372037", -1, 0 },		/* does not fit */
	{ "1e400", -1, 0 },
	{ "1e-400", 0, 0 },
	{ "12345678901234567890123", -1, 0 },
	{ "0.12345678901234567890123", 0, 123456789LL },
	{ "", -1, 0 },
	{ "-", -1, 0 },
	{ "01", -1, 0 },			/* JSON forbids leading zeros */
	{ "1.", -1, 0 },
	{ ".5", -1, 0 },
	{ "1e", -1, 0 },
	{ "+1", -1, 0 },
	{ "1.2.3", -1, 0 },
	{ "12a", -1, 0 },
	{ "NaN", -1, 0 },
	{ " 1", -1, 0 },
};

static const struct {
	const char	*text;
	int		 want_rc;
	double		 want;
} double_cases[] = {
	{ "0.01616617", 0, 0.01616617 },
	{ "4.522e-05", 0, 4.522e-05 },
	{ "100", 0, 100.0 },
	{ "-2.5", 0, -2.5 },
	{ "0.1", 0, 0.1 },
	{ "123456789012345678901234567890", 0, 1.2345678901234568e29 },
	{ "1.7976931348623157e308", 0, 1.7976931348623157e308 },
	{ "1e400", -1, 0 },
	{ "abc", -1, 0 },
	{ "1e-5000", 0, 0.0 },
};

static const struct {
	const char	*text;
	int		 want_rc;
	int64_t		 want;
} int_cases[] = {
	{ "1536036818784", 0, 1536036818784LL },
	{ "-7", 0, -7 },
	{ "1.61e12", 0, 1610000000000LL },
	{ "2.0", 0, 2 },
	{ "2.5", -1, 0 },
	{ "9223372036854775807", 0, INT64_MAX },
	{ "9223372036854775808", -1, 0 },
	{ "99999999999999999999", -1, 0 },
	{ "1e19", -1, 0 },
	{ "x", -1, 0 },
};

static const struct {
	int64_t		 v;
	const char	*want;
} format_cases[] = {
	{ 0, "0" },
	{ 33021900000000LL, "33021.9" },
	{ 8120LL, "0.00000812" },
	{ -161870000000LL, "-161.87" },
	{ 1, "0.000000001" },
	{ 100000000000LL, "100" },
	{ INT64_MAX, "9223372036.854775807" },
	{ INT64_MIN, "-9223372036.854775808" },
};

int
main(void)
{
	char buf[FIXED_TEXT_MAX];
	size_t i;
	int64_t v;
	double d;
	int rc;

	for (i = 0; i < sizeof(fixed_cases) / sizeof(fixed_cases[0]); i++) {
		v = 0;
		rc = fixed_parse(fixed_cases[i].text,
		    strlen(fixed_cases[i].text), &v);
		CHECK(rc == fixed_cases[i].want_rc &&
		    (rc != 0 || v == fixed_cases[i].want),
		    "fixed_parse \"%s\" -> rc %d %lld", fixed_cases[i].text,
		    rc, (long long)v);
	}
	for (i = 0; i < sizeof(double_cases) / sizeof(double_cases[0]); i++) {
		d = -1;
		rc = num_parse_double(double_cases[i].text,
		    strlen(double_cases[i].text), &d);
		CHECK(rc == double_cases[i].want_rc &&
		    (rc != 0 || d == double_cases[i].want),
		    "num_parse_double \"%s\" -> rc %d %.17g",
		    double_cases[i].text, rc, d);
	}
	for (i = 0; i < sizeof(int_cases) / sizeof(int_cases[0]); i++) {
		v = 0;
		rc = num_parse_int64(int_cases[i].text,
		    strlen(int_cases[i].text), &v);
		CHECK(rc == int_cases[i].want_rc &&
		    (rc != 0 || v == int_cases[i].want),
		    "num_parse_int64 \"%s\" -> rc %d %lld", int_cases[i].text,
		    rc, (long long)v);
	}
	for (i = 0; i < sizeof(format_cases) / sizeof(format_cases[0]); i++) {
		fixed_format(buf, format_cases[i].v);
		CHECK(strcmp(buf, format_cases[i].want) == 0,
		    "fixed_format %lld -> \"%s\"", (long long)format_cases[i].v,
		    buf);
	}
	/* Every formatted value parses back to itself. */
	for (v = -1000000007LL; v < 1000000007LL; v += 9999991LL) {
		int64_t back = 0;

		fixed_format(buf, v * 7919);
		if (fixed_parse(buf, strlen(buf), &back) != 0 ||
		    back != v * 7919)
			break;
	}
	CHECK(v >= 1000000007LL, "fixed_format then fixed_parse round-trips");
	CHECK(fixed_from_double(0.1, &v) == 0 && v == 100000000LL,
	    "fixed_from_double 0.1");
	CHECK(fixed_from_double(1e300, &v) == -1, "fixed_from_double 1e300");
	CHECK(fixed_from_double(NAN, &v) == -1, "fixed_from_double NaN");
	return check_report();
}
