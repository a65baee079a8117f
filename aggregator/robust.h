/*
 * Robust location and scale of a small sample: the median, the median
 * absolute deviation (MAD) and a z-score scaled by it, for the anomaly
 * checks (anomaly.h). A few outliers in the window move neither, which is
 * the point: yesterday's spike must not hide today's. No I/O, no
 * allocation: callers pass scratch space. Inputs must not be NaN.
 */
#ifndef ROBUST_H
#define ROBUST_H

#include <stddef.h>

/*
 * 1.4826 x MAD estimates the standard deviation of normal data
 * (1 / the normal's 0.75 quantile, 0.6745); sqrt(pi/2) x the mean absolute
 * deviation does the same from the mean deviation.
 */
#define ROBUST_MAD_TO_SD	1.4826
#define ROBUST_MEANAD_TO_SD	1.2533

/*
 * The median of buf[0..n-1], which it reorders (quickselect, O(n)). The
 * mean of the two middle values when n is even; 0 when n is 0.
 */
double	 robust_median(double *buf, size_t n);

/*
 * The median of x[0..n-1] and its MAD, median(|x - median|). x is not
 * changed; scratch must hold n doubles. Both 0 when n is 0.
 */
void	 robust_median_mad(const double *x, size_t n, double *scratch,
	    double *median, double *mad);

/* The mean of |x - center| over x[0..n-1]; 0 when n is 0. */
double	 robust_mean_absdev(const double *x, size_t n, double center);

/*
 * (x - median) / max(1.4826 x mad, floor): how many robust standard
 * deviations x lies from the median. floor > 0 keeps a flat window (MAD 0)
 * from turning any change into an infinite score.
 */
double	 robust_z(double x, double median, double mad, double floor);

#endif /* ROBUST_H */
