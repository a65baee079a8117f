/*
 * bustap's output: one JSON object per line for every record, and one for
 * every sequence gap. Field names are the bus contract (docs/bus.md).
 */
#ifndef PRINT_H
#define PRINT_H

#include <stdint.h>
#include <stdio.h>

#include "bus.h"

void	 print_tick(FILE *, const struct bus_header *, const struct tick *);
void	 print_stat(FILE *, const struct bus_header *, const struct bus_stat *);
void	 print_bar(FILE *, const struct bus_header *, const struct bar *);
void	 print_anomaly(FILE *, const struct bus_header *,
	    const struct anomaly *);
void	 print_side_check(FILE *, const struct bus_header *,
	    const struct side_check *);
void	 print_gap(FILE *, const struct bus_header *,
	    const struct bus_gap_event *);
void	 print_bad(FILE *, enum bus_status, uint64_t count);

#endif /* PRINT_H */
