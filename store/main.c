/*
 * store: keeps what the aggregator publishes in market.db (DESIGN.md
 * "Storage", docs/store.md). Closed and corrected bars, anomalies and
 * side checks come off the bus (raw trades and quotes too, with
 * TW_STORE_TICKS=1), wait in memory, and are upserted in batched
 * transactions. On start, after a bus gap, when an aggregator appears and
 * after rows had to be dropped, it asks the aggregator to replay what the
 * database lacks. A failed write is rolled back and retried with backoff;
 * the store never exits on one. Its counters go out once a second.
 */
#include <sys/stat.h>

#include "log.h"
#include "options.h"
#include "store.h"

int
main(int argc, char *argv[])
{
	struct store_options	 opt;
	static struct store	 s;	/* large: the symbol table */
	int			 rc;

	log_init("store");
	if ((rc = store_options_load(&opt, argc, argv)) != 0)
		return rc;		/* the loader said why */
	umask(077);			/* market.db and its WAL: 0600 */
	store_open(&s, &opt);		/* db, migrations, sockets */
	store_replay(&s, "starting");	/* what was missed while down */

	while (!s.quit) {
		store_wait(&s);		/* poll: bus, replay, signal */
		store_take_bus(&s);	/* rows; gap -> replay */
		store_take_replay(&s);	/* next page, replies */
		store_flush(&s);	/* batch policy -> one transaction */
		store_housekeep(&s);	/* prune, counters */
	}

	store_close(&s);		/* one last transaction, then close */
	log_info("exiting");
	return 0;
}
