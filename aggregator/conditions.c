/*
 * Stock trade eligibility by sale condition (conditions.h, feeds.md §3.2).
 * No I/O, no allocation.
 */
#include <stddef.h>
#include <stdint.h>

#include "conditions.h"

#define HL	ELIG_HIGH_LOW
#define OC	ELIG_OPEN_CLOSE
#define VOL	ELIG_VOLUME
#define KNOWN	0x80u		/* the row exists; 0 = not listed */
#define N_ROWS	64		/* every listed id is below 64 */

/*
 * The consolidated columns of feeds.md §3.2, one row per listed id.
 * Ids 6, 11, 17-19, 23, 24, 26, 27, 31, 32, 34-36, 39, 40 and 42-51 are
 * not listed there and stay 0 (unknown: volume only, counted).
 */
static const uint8_t elig_table[N_ROWS] = {
	[0] = KNOWN | HL | OC | VOL,	/* Regular Sale */
	[1] = KNOWN | HL | OC | VOL,	/* Acquisition */
	[2] = KNOWN | VOL,		/* Average Price Trade */
	[3] = KNOWN | HL | OC | VOL,	/* Automatic Execution */
	[4] = KNOWN | HL | OC | VOL,	/* Bunched */
	[5] = KNOWN | HL | VOL,		/* Bunched Sold */
	[7] = KNOWN | VOL,		/* Cash Sale */
	[8] = KNOWN | HL | OC | VOL,	/* Closing Prints */
	[9] = KNOWN | HL | OC | VOL,	/* Cross */
	[10] = KNOWN | HL | VOL,	/* Derivatively Priced */
	[12] = KNOWN | VOL,		/* Form T (extended hours) */
	[13] = KNOWN | VOL,		/* Extended Hours, Sold Out of Seq. */
	[14] = KNOWN | HL | OC | VOL,	/* Intermarket Sweep */
	[15] = KNOWN,			/* Market Center Official Close */
	[16] = KNOWN,			/* Market Center Official Open */
	[20] = KNOWN | VOL,		/* Next Day */
	[21] = KNOWN | VOL,		/* Price Variation */
	[22] = KNOWN | HL | VOL,	/* Prior Reference Price */
	[25] = KNOWN | HL | OC | VOL,	/* Opening Prints */
	[28] = KNOWN | HL | OC | VOL,	/* Re-Opening Prints */
	[29] = KNOWN | HL | VOL,	/* Seller */
	[30] = KNOWN | HL | OC | VOL,	/* Sold Last */
	[33] = KNOWN | HL | VOL,	/* Sold (Out of Sequence) */
	[37] = KNOWN | VOL,		/* Odd Lot Trade */
	[38] = KNOWN | HL | OC,		/* Corrected Consolidated Close */
	[41] = KNOWN | HL | OC | VOL,	/* Trade Thru Exempt */
	[52] = KNOWN | VOL,		/* Contingent */
	[53] = KNOWN | VOL,		/* Qualified Contingent */
};

unsigned
conditions_eligibility(const uint16_t *codes, unsigned n, unsigned *n_unknown)
{
	unsigned elig = ELIG_ALL, unknown = 0, row, i;

	for (i = 0; i < n; i++) {
		row = codes[i] < N_ROWS ? elig_table[codes[i]] : 0;
		if ((row & KNOWN) == 0) {
			unknown++;
			row = VOL;	/* conditions.h: volume only */
		}
		elig &= row;
	}
	if (n_unknown != NULL)
		*n_unknown = unknown;
	if (unknown > 0)
		elig |= ELIG_UNLISTED;
	return elig;
}
