/*
 * A collector: one feed connection in, ticks out on the bus. Shared by
 * ingest-stock and ingest-crypto, which differ only in asset class (the
 * feed path, the channels, the environment variables) and, for crypto,
 * the sources they can speak.
 *
 * Per frame: record it (--record), parse it (polygon.c), hand status
 * messages to the handshake (polygon_session.c), batch ticks onto the bus.
 * Once a second: publish counters on the bus. Bad input is counted by
 * reason and logged at a bounded rate; the process never exits on it.
 */
#ifndef COLLECTOR_H
#define COLLECTOR_H

#include <stdint.h>

#include "tick.h"

struct collector_config {
	const char	*name;		/* process name, bus endpoint name */
	int		 asset_class;	/* enum asset_class */
	int		 source;	/* enum source */
	const char	*source_name;
	const char	*symbols;
	const char	*url;		/* the feed endpoint */
	char		*api_key;	/* secret: never logged unmasked */
	const char	*bus_url;
	const char	*record_path;	/* or NULL */
	const char	*ca_file;	/* or NULL */
	int64_t		 stall_min_ms;
	int64_t		 stall_max_ms;
	double		 stall_factor;
	int64_t		 flush_us;	/* longest a tick waits in a batch */
};

struct collector;

/*
 * Reads defaults, environment and flags into *cfg for an asset class.
 * Returns 0, or an exit status after printing why.
 */
int	 collector_config_load(struct collector_config *, int asset_class,
	    const char *process, int argc, char **argv);
void	 collector_config_free(struct collector_config *);

/* Opens the feed client, the bus endpoint and the recording; fatal()
 * on what cannot work. */
struct collector *collector_open(const struct collector_config *);
/* Serves until SIGTERM or SIGINT. */
void	 collector_run(struct collector *);
/* Publishes what is batched and the final counters, then closes. */
void	 collector_close(struct collector *);

#endif /* COLLECTOR_H */
