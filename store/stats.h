/*
 * The store's counters: published once a second as BUS_STATS records on
 * its endpoint (process "store"; keys in docs/store.md "Counters"), and a
 * summary line in the log every minute.
 */
#ifndef STATS_H
#define STATS_H

#include <stdint.h>

#define STATS_SUMMARY_S	60

struct store;

void	 stats_publish(struct store *, int64_t now_mono_ns);
void	 stats_log(const struct store *);

#endif /* STATS_H */
