/*
 * Names of the feed parse results and server statuses (feed.h). No I/O.
 */
#include "feed.h"

static const char *const feed_parse_names[FEED_PARSE_MAX] = {
	"ok", "bad_json", "not_array", "not_object", "no_ev", "unknown_ev",
	"missing_field", "bad_type", "bad_value", "too_large"
};

static const char *const server_status_names[FSS_MAX] = {
	"other", "connected", "auth_success", "auth_failed", "auth_timeout",
	"success", "auth_required", "error", "max_connections",
	"force_disconnect", "slow_consumer"
};

const char *
feed_parse_str(enum feed_parse p)
{
	if ((unsigned)p >= FEED_PARSE_MAX)
		return "?";
	return feed_parse_names[p];
}

const char *
feed_server_status_str(enum feed_server_status s)
{
	if ((unsigned)s >= FSS_MAX)
		return "?";
	return server_status_names[s];
}
