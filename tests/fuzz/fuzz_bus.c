/*
 * libFuzzer: one bus message (common/bus.c) as a subscriber receives it:
 * bus_decode_header on the whole message, bus_gaps_note on the header,
 * then each record decoded by the header's kind, as bustap, the
 * aggregator, the store and webui's /live do. The input is copied into a
 * buffer of exactly its size.
 *
 * Checked on every input, abort() on a violation: a decoded header means
 * header + n_records * record size == length; every record that decodes
 * holds in-range enums and NUL-terminated text; and decode(encode(r)) == r
 * for every decoded record r (its text fields normalized to zero after the
 * NUL, as the encoder pads), encoding into a buffer of exactly the record
 * size.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bar.h"
#include "bus.h"
#include "tick.h"
#include "fuzz_check.h"

/* A decoded text field: NUL inside, zero after it (as encode pads). */
static void
fz_text(char *s, size_t cap)
{
	char *nul = memchr(s, '\0', cap);

	FZ_CHECK(nul != NULL);
	memset(nul, 0, cap - (size_t)(nul - s));
}

union rec {
	struct tick		 tick;
	struct bus_stat		 stat;
	struct bar		 bar;
	struct anomaly		 anomaly;
	struct side_check	 side_check;
	struct bus_replay_req	 replay_req;
};

static enum bus_status
fz_decode(int kind, const void *p, union rec *r)
{
	memset(r, 0, sizeof(*r));	/* bus_decode_stat does not clear */
	switch (kind) {
	case BUS_TICKS:
		return bus_decode_tick(p, &r->tick);
	case BUS_STATS:
		return bus_decode_stat(p, &r->stat);
	case BUS_BARS:
		return bus_decode_bar(p, &r->bar);
	case BUS_ANOMALIES:
		return bus_decode_anomaly(p, &r->anomaly);
	case BUS_SIDE_CHECKS:
		return bus_decode_side_check(p, &r->side_check);
	case BUS_REPLAY_REQ:
		return bus_decode_replay_req(p, &r->replay_req);
	}
	abort();
}

static void
fz_encode(int kind, void *p, const union rec *r)
{
	switch (kind) {
	case BUS_TICKS:
		bus_encode_tick(p, &r->tick);
		return;
	case BUS_STATS:
		bus_encode_stat(p, &r->stat);
		return;
	case BUS_BARS:
		bus_encode_bar(p, &r->bar);
		return;
	case BUS_ANOMALIES:
		bus_encode_anomaly(p, &r->anomaly);
		return;
	case BUS_SIDE_CHECKS:
		bus_encode_side_check(p, &r->side_check);
		return;
	case BUS_REPLAY_REQ:
		bus_encode_replay_req(p, &r->replay_req);
		return;
	}
	abort();
}

/* Range checks on a decoded record; normalizes its text fields. */
static void
fz_valid(int kind, union rec *r)
{
	switch (kind) {
	case BUS_TICKS:
		FZ_CHECK(r->tick.kind > TICK_NONE &&
		    r->tick.kind < TICK_KIND_MAX);
		FZ_CHECK(r->tick.side < SIDE_MAX &&
		    r->tick.asset_class < ASSET_MAX &&
		    r->tick.source < SOURCE_MAX &&
		    r->tick.status < FEED_STATUS_MAX &&
		    r->tick.n_conditions <= TICK_MAX_CONDITIONS);
		fz_text(r->tick.symbol, TICK_SYMBOL_LEN);
		fz_text(r->tick.trade_id, TICK_TRADE_ID_LEN);
		break;
	case BUS_STATS:
		fz_text(r->stat.process, BUS_STAT_PROCESS_LEN);
		fz_text(r->stat.key, BUS_STAT_KEY_LEN);
		break;
	case BUS_BARS:
		FZ_CHECK(r->bar.source < SOURCE_MAX &&
		    r->bar.asset_class < ASSET_MAX &&
		    r->bar.state > BAR_NONE && r->bar.state < BAR_STATE_MAX &&
		    r->bar.interval_s > 0);
		fz_text(r->bar.symbol, TICK_SYMBOL_LEN);
		break;
	case BUS_ANOMALIES:
		FZ_CHECK(r->anomaly.source < SOURCE_MAX &&
		    r->anomaly.asset_class < ASSET_MAX &&
		    r->anomaly.kind > ANOMALY_NONE &&
		    r->anomaly.kind < ANOMALY_KIND_MAX);
		fz_text(r->anomaly.symbol, TICK_SYMBOL_LEN);
		break;
	case BUS_SIDE_CHECKS:
		FZ_CHECK(r->side_check.source < SOURCE_MAX &&
		    r->side_check.asset_class < ASSET_MAX &&
		    r->side_check.inverted <= 1);
		fz_text(r->side_check.symbol, TICK_SYMBOL_LEN);
		break;
	case BUS_REPLAY_REQ:
		FZ_CHECK(r->replay_req.want_kind == BUS_BARS ||
		    r->replay_req.want_kind == BUS_ANOMALIES);
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bus_header h;
	struct bus_gaps gaps;
	struct bus_gap_event ev;
	union rec a, b;
	enum bus_status st;
	uint8_t *msg, *enc;
	const uint8_t *p;
	size_t rsize;
	uint32_t i;

	if ((msg = malloc(size ? size : 1)) == NULL)
		abort();
	if (size > 0)
		memcpy(msg, data, size);
	st = bus_decode_header(msg, size, &h);
	FZ_CHECK(st < BUS_STATUS_MAX);
	if (st != BUS_OK) {
		free(msg);
		return 0;
	}
	rsize = bus_record_size(h.kind);
	FZ_CHECK(rsize > 0 && h.version == BUS_VERSION);
	FZ_CHECK(size == BUS_HEADER_SIZE + (size_t)h.n_records * rsize);

	/* Gap counting: a first message is a new stream, never a gap. */
	bus_gaps_init(&gaps);
	bus_gaps_note(&gaps, &h, &ev);
	FZ_CHECK(ev.is_new_stream && ev.missed_messages == 0 &&
	    gaps.messages == 1 && gaps.records == h.n_records);
	bus_gaps_note(&gaps, &h, &ev);	/* the same seq again: a restart */
	FZ_CHECK(!ev.is_new_stream && gaps.messages == 2 &&
	    (ev.is_restart || h.seq == UINT64_MAX));

	if ((enc = malloc(rsize)) == NULL)
		abort();
	for (i = 0, p = msg + BUS_HEADER_SIZE; i < h.n_records; i++,
	    p += rsize) {
		st = fz_decode(h.kind, p, &a);
		FZ_CHECK(st == BUS_OK || st == BUS_BAD_RECORD);
		if (st != BUS_OK)
			continue;
		fz_valid(h.kind, &a);
		fz_encode(h.kind, enc, &a);
		FZ_CHECK(fz_decode(h.kind, enc, &b) == BUS_OK);
		fz_valid(h.kind, &b);
		FZ_CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	}
	free(enc);
	free(msg);
	return 0;
}
