/*
 * Median, MAD and robust z (robust.h). No I/O, no allocation.
 */
#include <math.h>
#include <stddef.h>

#include "robust.h"

static void
swap(double *a, double *b)
{
	double t = *a;

	*a = *b;
	*b = t;
}

/*
 * Puts the k-th smallest of a[0..n-1] at a[k], smaller ones before it and
 * larger ones after (Wirth's selection, "Algorithms + Data Structures =
 * Programs" 1976: Hoare partitioning, fine with many equal values).
 */
static double
select_kth(double *a, size_t n, size_t k)
{
	ptrdiff_t l = 0, r = (ptrdiff_t)n - 1, i, j, kk = (ptrdiff_t)k;
	double x;

	while (l < r) {
		x = a[kk];
		i = l;
		j = r;
		do {
			while (a[i] < x)
				i++;
			while (x < a[j])
				j--;
			if (i <= j)
				swap(&a[i++], &a[j--]);
		} while (i <= j);
		if (j < kk)
			l = i;
		if (kk < i)
			r = j;
	}
	return a[kk];
}

double
robust_median(double *buf, size_t n)
{
	double lo, hi;
	size_t i;

	if (n == 0)
		return 0;
	hi = select_kth(buf, n, n / 2);
	if (n % 2 == 1)
		return hi;
	/* Everything before n/2 is <= hi: the lower middle is their max. */
	lo = buf[0];
	for (i = 1; i < n / 2; i++)
		if (buf[i] > lo)
			lo = buf[i];
	return lo + (hi - lo) / 2;
}

void
robust_median_mad(const double *x, size_t n, double *scratch,
    double *median, double *mad)
{
	double m;
	size_t i;

	for (i = 0; i < n; i++)
		scratch[i] = x[i];
	m = robust_median(scratch, n);
	for (i = 0; i < n; i++)
		scratch[i] = fabs(x[i] - m);
	*median = m;
	*mad = robust_median(scratch, n);
}

double
robust_mean_absdev(const double *x, size_t n, double center)
{
	double sum = 0;
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		sum += fabs(x[i] - center);
	return sum / (double)n;
}

double
robust_z(double x, double median, double mad, double floor)
{
	double scale = ROBUST_MAD_TO_SD * mad;

	if (scale < floor)
		scale = floor;
	return (x - median) / scale;
}
