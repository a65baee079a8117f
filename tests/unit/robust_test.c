/*
 * Median, MAD and robust z against values worked out by hand: odd and even
 * counts, ties, MAD = 0, the floor, and a brute-force cross-check of the
 * selection on many orderings.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "../check.h"
#include "../../aggregator/robust.h"

#define MAXN	12

static const struct {
	const char	*name;
	double		 x[MAXN];
	size_t		 n;
	double		 want_median;
	double		 want_mad;
} cases[] = {
	{ "one value", { 7 }, 1, 7, 0 },
	{ "two values", { 3, 1 }, 2, 2, 1 },
	/* sorted 1 2 3 4 100: median 3; |dev| 2 1 0 1 97 -> 0 1 1 2 97: 1 */
	{ "odd count with an outlier", { 100, 2, 4, 1, 3 }, 5, 3, 1 },
	/* sorted 1 2 4 8: median 3; |dev| 2 1 1 5 -> 1 1 2 5: 1.5 */
	{ "even count", { 8, 1, 4, 2 }, 4, 3, 1.5 },
	/* sorted 1 1 2 6 7 10: median (2+6)/2 = 4; |dev| 3 3 2 2 3 6 ->
	 * 2 2 3 3 3 6: (3+3)/2 = 3 */
	{ "even count, wide middle", { 10, 1, 6, 2, 7, 1 }, 6, 4, 3 },
	/* five 5s and one 1000: median 5, |dev| 0 0 0 0 0 995: 0 */
	{ "MAD 0 with an outlier", { 5, 5, 1000, 5, 5, 5 }, 6, 5, 0 },
	{ "all equal", { 2, 2, 2, 2, 2, 2, 2 }, 7, 2, 0 },
	/* sorted -3 -1 0 2 5: median 0; |dev| 3 1 0 2 5 -> 0 1 2 3 5: 2 */
	{ "negatives", { 2, -3, 5, 0, -1 }, 5, 0, 2 },
	/* 1..12: median 6.5; |dev| 5.5 4.5 ... 0.5 twice each: 3 */
	{ "twelve in reverse", { 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 }, 12,
	    6.5, 3 },
};

static void
test_cases(void)
{
	double scratch[MAXN], median, mad;
	size_t i, j;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		robust_median_mad(cases[i].x, cases[i].n, scratch, &median,
		    &mad);
		CHECK(median == cases[i].want_median &&
		    mad == cases[i].want_mad, "%s: median %g mad %g",
		    cases[i].name, cases[i].want_median, cases[i].want_mad);
		for (j = 0; j < cases[i].n; j++)
			scratch[j] = cases[i].x[j];
		CHECK(robust_median(scratch, cases[i].n) ==
		    cases[i].want_median, "%s: in-place median",
		    cases[i].name);
	}
	robust_median_mad(NULL, 0, scratch, &median, &mad);
	CHECK(median == 0 && mad == 0, "empty sample: 0 and 0");
}

/* Every permutation of a 6-value multiset: selection never misses. */
static void
test_permutations(void)
{
	static const double base[6] = { 4, 1, 4, 9, 2, 4 };
	double a[6];
	unsigned p, k, bad = 0;
	size_t idx[6], used, i, r;

	/* Sorted 1 2 4 4 4 9: median (4+4)/2 = 4. Walk 6^6 index tuples
	 * and keep the permutations (720 of them). */
	for (p = 0; p < 46656; p++) {
		used = 0;
		r = p;
		for (i = 0; i < 6; i++) {
			idx[i] = r % 6;
			r /= 6;
			if (used & ((size_t)1 << idx[i]))
				break;
			used |= (size_t)1 << idx[i];
		}
		if (i < 6)
			continue;
		for (k = 0; k < 6; k++)
			a[k] = base[idx[k]];
		if (robust_median(a, 6) != 4)
			bad++;
	}
	CHECK(bad == 0, "median of all 720 orderings of {1,2,4,4,4,9}");
}

static void
test_z(void)
{
	double x[5] = { 10, 12, 11, 13, 9 }, s[5], med, mad, md;

	/* median 11; |dev| 1 1 0 2 2 -> 0 1 1 2 2: mad 1 */
	robust_median_mad(x, 5, s, &med, &mad);
	/* (18 - 11) / (1.4826 x 1) = 4.72143531633617 */
	CHECK(fabs(robust_z(18, med, mad, 0.1) - 4.72143531633617) < 1e-12,
	    "z = (x - median) / (1.4826 mad)");
	CHECK(fabs(robust_z(4, med, mad, 0.1) + 4.72143531633617) < 1e-12,
	    "z is signed");
	/* MAD 0: the floor is the scale: (7 - 5) / 0.5 = 4 */
	CHECK(robust_z(7, 5, 0, 0.5) == 4, "MAD 0 uses the floor");
	/* floor above 1.4826 x 0.1 = 0.14826: (6 - 5) / 0.25 = 4 */
	CHECK(robust_z(6, 5, 0.1, 0.25) == 4, "floor wins over a small MAD");
	/* mean |dev| around 11: (1 + 1 + 0 + 2 + 2) / 5 = 1.2 */
	md = robust_mean_absdev(x, 5, med);
	CHECK(fabs(md - 1.2) < 1e-15, "mean absolute deviation");
	CHECK(robust_mean_absdev(x, 0, 0) == 0, "mean absdev of nothing");
}

int
main(void)
{
	test_cases();
	test_permutations();
	test_z();
	return check_report();
}
