/*
 * Stock trade eligibility: every row of feeds.md §3.2 on its own, codes
 * combined (the AND of the rows), and unknown codes (volume only,
 * counted). Expected flags are read off the table in feeds.md, not the
 * code: H = high/low, O = open/close, V = volume.
 */
#include <stdint.h>

#include "../check.h"
#include "../../aggregator/conditions.h"

#define H	ELIG_HIGH_LOW
#define O	ELIG_OPEN_CLOSE
#define V	ELIG_VOLUME
#define U	ELIG_UNLISTED

/* One code on its own: feeds.md §3.2, row by row. */
static const struct {
	uint16_t	 code;
	unsigned	 want;
} rows[] = {
	{ 0, H | O | V },	/* Regular Sale y y y */
	{ 1, H | O | V },	/* Acquisition */
	{ 2, V },		/* Average Price Trade n n y */
	{ 3, H | O | V },	/* Automatic Execution */
	{ 4, H | O | V },	/* Bunched */
	{ 5, H | V },		/* Bunched Sold y n y */
	{ 7, V },		/* Cash Sale n n y */
	{ 8, H | O | V },	/* Closing Prints */
	{ 9, H | O | V },	/* Cross */
	{ 10, H | V },		/* Derivatively Priced y n y */
	{ 12, V },		/* Form T n n y */
	{ 13, V },		/* Extended Hours (Sold Out of Sequence) */
	{ 14, H | O | V },	/* Intermarket Sweep */
	{ 15, 0 },		/* Official Close n n n */
	{ 16, 0 },		/* Official Open n n n */
	{ 20, V },		/* Next Day */
	{ 21, V },		/* Price Variation */
	{ 22, H | V },		/* Prior Reference Price */
	{ 25, H | O | V },	/* Opening Prints */
	{ 28, H | O | V },	/* Re-Opening Prints */
	{ 29, H | V },		/* Seller */
	{ 30, H | O | V },	/* Sold Last */
	{ 33, H | V },		/* Sold (Out of Sequence) */
	{ 37, V },		/* Odd Lot Trade n n y */
	{ 38, H | O },		/* Corrected Consolidated Close y y n */
	{ 41, H | O | V },	/* Trade Thru Exempt */
	{ 52, V },		/* Contingent */
	{ 53, V },		/* Qualified Contingent */
};

/* Ids feeds.md §3.2 does not list: volume only, flagged, counted. */
static const uint16_t unlisted[] = {
	6, 11, 17, 18, 19, 23, 24, 26, 27, 31, 32, 34, 35, 36, 39, 40,
	42, 51, 54, 63, 64, 255, 65535
};

#define MAXC	4
static const struct {
	const char	*name;
	uint16_t	 codes[MAXC];
	unsigned	 n;
	unsigned	 want;
	unsigned	 want_unknown;
} combos[] = {
	{ "no codes is a regular sale", { 0 }, 0, H | O | V, 0 },
	{ "[0,12] Form T with regular: volume only", { 0, 12 }, 2, V, 0 },
	{ "[12] Form T alone: volume only", { 12 }, 1, V, 0 },
	{ "[37,14] odd-lot ISO: volume only", { 37, 14 }, 2, V, 0 },
	{ "[14,41] ISO + trade-thru exempt: all", { 14, 41 }, 2, H | O | V,
	    0 },
	{ "[15,16] official open+close: nothing", { 15, 16 }, 2, 0, 0 },
	{ "[0,15] regular + official close: nothing", { 0, 15 }, 2, 0, 0 },
	{ "[5,38] bunched sold + corrected close: high/low only", { 5, 38 },
	    2, H, 0 },
	{ "[10,22] two H+V rows: H+V", { 10, 22 }, 2, H | V, 0 },
	{ "[38,2] corrected close + avg price: nothing", { 38, 2 }, 2, 0,
	    0 },
	{ "[0,99] regular + unknown: volume only", { 0, 99 }, 2, V | U, 1 },
	{ "[99,100] two unknowns counted twice", { 99, 100 }, 2, V | U, 2 },
	{ "[15,99] official close + unknown: nothing", { 15, 99 }, 2, U, 1 },
	{ "[38,6] corrected close + unlisted 6: nothing", { 38, 6 }, 2, U,
	    1 },
	{ "[14,37,12,0] four codes: volume only", { 14, 37, 12, 0 }, 4, V,
	    0 },
};

int
main(void)
{
	unsigned i, got, unk;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		unk = 99;
		got = conditions_eligibility(&rows[i].code, 1, &unk);
		CHECK(got == rows[i].want && unk == 0,
		    "code %u alone gives 0x%x", rows[i].code, rows[i].want);
	}
	for (i = 0; i < sizeof(unlisted) / sizeof(unlisted[0]); i++) {
		unk = 99;
		got = conditions_eligibility(&unlisted[i], 1, &unk);
		CHECK(got == (V | U) && unk == 1,
		    "unlisted code %u is volume only and counted", unlisted[i]);
	}
	for (i = 0; i < sizeof(combos) / sizeof(combos[0]); i++) {
		unk = 99;
		got = conditions_eligibility(combos[i].codes, combos[i].n,
		    &unk);
		CHECK(got == combos[i].want && unk == combos[i].want_unknown,
		    "%s", combos[i].name);
	}
	CHECK(conditions_eligibility(NULL, 0, NULL) == (H | O | V),
	    "no codes and no counter: regular sale");
	return check_report();
}
