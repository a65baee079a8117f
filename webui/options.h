/*
 * webui's options (docs/configuration.md "webui"): environment TW_* and
 * flags, the defaults derived from TW_DATA_DIR and TW_RUN_DIR.
 */
#ifndef OPTIONS_H
#define OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "bus_nng.h"
#include "worker.h"

struct webui_options {
	struct webui_config cfg;	/* what the workers see */
	const char	*listen;	/* host:port, [v6]:port */
	char		 host[256];	/* parsed from listen; "" = any */
	int		 port;
	int		 ipv6;
	const char	*data_dir;
	const char	*run_dir;
	const char	*tls_cert;	/* NULL: DATA_DIR/tls/cert.pem */
	const char	*tls_key;
	int		 tls_generate;	/* neither was given */
	int		 plain_http;
	const char	*web_root_arg;
	char		 web_root[4096];	/* realpath of it */
	const char	*bus_urls_arg;
	char		*bus_list;		/* split in place */
	const char	*bus_urls[BUS_MAX_URLS];
	int		 n_bus_urls;
	long		 workers;
	long		 hash_slots;
	long		 live_queue_max;
	const char	*stock_source;
	const char	*crypto_source;
	const char	*feed_mode;
	const char	*masked_key;
	const char	*intervals;
	int64_t		 busy_timeout_ms;
};

/* Defaults, environment, flags. Returns 0 or an exit status (said why). */
int	 webui_options_load(struct webui_options *, int argc, char **argv);
void	 webui_options_free(struct webui_options *);

#endif /* OPTIONS_H */
