/*
 * Names of the bar and anomaly enumerations (bar.h). No I/O.
 */
#include <string.h>

#include "bar.h"

static const char *const bar_state_names[BAR_STATE_MAX] = {
	"none", "live", "closed", "corrected"
};

static const char *const anomaly_kind_names[ANOMALY_KIND_MAX] = {
	"none", "volume_spike", "volume_spike_tod", "price_jump",
	"spread_blowout", "one_sided_flow", "large_trade", "side_inverted"
};

const char *
bar_state_name(int v)
{
	if (v < 0 || v >= BAR_STATE_MAX)
		return "?";
	return bar_state_names[v];
}

const char *
anomaly_kind_name(int v)
{
	if (v < 0 || v >= ANOMALY_KIND_MAX)
		return "?";
	return anomaly_kind_names[v];
}

int
anomaly_kind_from_name(const char *s)
{
	int i;

	for (i = 1; i < ANOMALY_KIND_MAX; i++)
		if (strcmp(anomaly_kind_names[i], s) == 0)
			return i;
	return -1;
}
