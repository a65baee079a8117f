/*
 * The rows the store holds until they are written: one FIFO per table of
 * decoded records (struct bar, anomaly, side_check, tick), kept in chunks
 * that are allocated as the backlog grows and freed as it drains, so a
 * long database outage costs memory only while it lasts (batch.h bounds
 * it). And the rule of which bus records become rows.
 *
 * Pure: no I/O, no clock.
 */
#ifndef ROWS_H
#define ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "bar.h"
#include "tick.h"

enum row_kind {
	ROW_BAR = 0,
	ROW_ANOMALY,
	ROW_SIDE_CHECK,
	ROW_TICK,
	ROW_KINDS
};

struct rows_chunk;

struct rows_fifo {
	struct rows_chunk *head;	/* oldest */
	struct rows_chunk *tail;
	struct rows_chunk *spare;	/* one emptied chunk, kept */
	size_t		 elem_size;
	size_t		 head_off;	/* first live element in head */
	size_t		 tail_len;	/* elements in tail */
	size_t		 n;
};

struct rows {
	struct rows_fifo q[ROW_KINDS];
};

/* One decoded record, whatever its table. */
union row {
	struct bar		 bar;
	struct anomaly		 anomaly;
	struct side_check	 side_check;
	struct tick		 tick;
};

enum rows_status {
	ROWS_OK = 0,
	ROWS_LIVE,		/* a live bar: the store keeps closed ones */
	ROWS_NOT_STORED,	/* a tick that is not a trade or a quote */
	ROWS_OTHER_KIND,	/* a bus kind with no table */
	ROWS_BAD,		/* the record does not decode */
	ROWS_STATUS_MAX
};

void	 rows_init(struct rows *);
void	 rows_free(struct rows *);

/*
 * Decodes one bus record of bus_kind into *row and says which table it
 * goes to. Returns ROWS_OK, or why it is not stored.
 */
enum rows_status rows_decode(int bus_kind, const void *rec, union row *row,
	    enum row_kind *kind);
const char	*rows_status_str(enum rows_status);

/* Appends a copy of the row. Returns 0, or -1 when memory ran out. */
int	 rows_push(struct rows *, enum row_kind, const union row *);
size_t	 rows_count(const struct rows *, enum row_kind);
uint64_t rows_total(const struct rows *);
/* The i-th oldest row of a kind (i < rows_count()). */
const void *rows_peek(const struct rows *, enum row_kind, size_t i);
/* Forgets the n oldest rows of a kind. */
void	 rows_pop(struct rows *, enum row_kind, size_t n);

#endif /* ROWS_H */
