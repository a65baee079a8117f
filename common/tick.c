/*
 * Names of the tick enumerations. No I/O.
 */
#include <string.h>

#include "tick.h"

static const char *const tick_kind_names[TICK_KIND_MAX] = {
	"none", "trade", "quote", "feed_bar", "status"
};
static const char *const side_names[SIDE_MAX] = {
	"unknown", "buy", "sell"
};
static const char *const asset_class_names[ASSET_MAX] = {
	"unknown", "stock", "crypto"
};
static const char *const source_names[SOURCE_MAX] = {
	"unknown", "demo", "polygon", "coinbase", "kraken", "binance"
};
static const char *const feed_status_names[FEED_STATUS_MAX] = {
	"none", "connected", "live", "disconnected", "auth_failed",
	"stalled", "kicked"
};

static const char *
name_of(const char *const *names, int n, int v)
{
	if (v < 0 || v >= n)
		return "?";
	return names[v];
}

static int
value_of(const char *const *names, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

const char *
tick_kind_name(int v)
{
	return name_of(tick_kind_names, TICK_KIND_MAX, v);
}

const char *
side_name(int v)
{
	return name_of(side_names, SIDE_MAX, v);
}

const char *
asset_class_name(int v)
{
	return name_of(asset_class_names, ASSET_MAX, v);
}

const char *
source_name(int v)
{
	return name_of(source_names, SOURCE_MAX, v);
}

const char *
feed_status_name(int v)
{
	return name_of(feed_status_names, FEED_STATUS_MAX, v);
}

int
tick_kind_from_name(const char *s)
{
	return value_of(tick_kind_names, TICK_KIND_MAX, s);
}

int
side_from_name(const char *s)
{
	return value_of(side_names, SIDE_MAX, s);
}

int
asset_class_from_name(const char *s)
{
	return value_of(asset_class_names, ASSET_MAX, s);
}

int
source_from_name(const char *s)
{
	return value_of(source_names, SOURCE_MAX, s);
}

int
feed_status_from_name(const char *s)
{
	return value_of(feed_status_names, FEED_STATUS_MAX, s);
}
