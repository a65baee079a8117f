/*
 * Bus record encoding, decoding, batching and gap counting (bus.h).
 * No I/O; the batch buffer is allocated once at init.
 *
 * Tick record (BUS_TICK_SIZE = 176 bytes):
 *    0 u8 kind   1 u8 side   2 u8 asset_class   3 u8 source
 *    4 u8 tape   5 u8 n_conditions   6 u8 status   7 u8 reserved
 *    8 u16 flags   10 u16 reserved   12 u32 exchange
 *   16 u32 ask_exchange   20 u32 reserved
 *   24 i64 ts_ns   32 i64 recv_ns
 *   40 char symbol[24]   64 char trade_id[40]   104 u16 conditions[8]
 *  120 kind-specific, 56 bytes:
 *      trade:    120 i64 price  128 f64 size
 *      quote:    120 i64 bid  128 f64 bid_size  136 i64 ask  144 f64 ask_size
 *      feed_bar: 120 open 128 high 136 low 144 close 152 vwap (i64)
 *                160 f64 volume  168 i64 end_ns
 *      status:   zero
 * Stat record (BUS_STAT_SIZE = 64 bytes):
 *    0 char process[24]   24 char key[32]   56 i64 value
 * Bar record (BUS_BAR_SIZE = 224 bytes):
 *    0 char symbol[24]   24 u8 source   25 u8 asset_class   26 u8 state
 *   27 u8 reserved   28 u16 flags   30 u16 reserved   32 u32 interval_s
 *   36 u32 revision   40 i64 start_ms
 *   48 i64 open  56 high  64 low  72 close  80 vwap
 *   88 f64 volume  96 buy_volume  104 sell_volume
 *  112 u32 trades  116 buy_trades  120 sell_trades  124 quotes
 *  128 i64 spread_mean  136 spread_min  144 spread_max  152 f64 spread_bps
 *  160 f64 delta_min  168 delta_max
 *  176 u32 n_declared  180 n_inferred  184 n_unknown  188 n_compared
 *  192 n_agree  196 n_unknown_conditions
 *  200 i64 first_ts_ns  208 last_ts_ns  216 updated_ns
 * Anomaly record (BUS_ANOMALY_SIZE = 80 bytes):
 *    0 char symbol[24]  24 u8 source  25 u8 asset_class  26 u8 kind
 *   27 u8 reserved  28 u32 interval_s  32 i64 start_ms  40 f64 score
 *   48 f64 value  56 f64 threshold  64 i64 ts_ns  72 u32 exchange
 *   76 u32 reserved
 * Side check record (BUS_SIDE_CHECK_SIZE = 104 bytes):
 *    0 char symbol[24]  24 u8 source  25 u8 asset_class  26 u8 inverted
 *   27 u8 reserved  28 u32 exchange  32 u64 trades  40 declared_buy
 *   48 declared_sell  56 compared  64 agree  72 at_bid  80 at_ask
 *   88 inside  96 i64 updated_ns
 * Replay request (BUS_REPLAY_REQ_SIZE = 32 bytes):
 *    0 u8 want_kind  1..7 reserved  8 i64 since_ms  16 u64 after_cursor
 *   24 u32 max_records  28 u32 reserved
 * Text fields are NUL-padded and must hold a NUL.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "le.h"

#define OFF_TAIL	120

static const char *const bus_status_names[BUS_STATUS_MAX] = {
	"ok", "short", "bad_magic", "bad_version", "bad_kind", "bad_length",
	"bad_record"
};

static const char *const bus_kind_names[BUS_KIND_MAX] = {
	"none", "ticks", "stats", "bars", "anomalies", "side_checks",
	"replay_req"
};

const char *
bus_status_str(enum bus_status st)
{
	if ((unsigned)st >= BUS_STATUS_MAX)
		return "?";
	return bus_status_names[st];
}

const char *
bus_kind_name(int kind)
{
	if (kind < 0 || kind >= BUS_KIND_MAX)
		return "?";
	return bus_kind_names[kind];
}

size_t
bus_record_size(int kind)
{
	switch (kind) {
	case BUS_TICKS:
		return BUS_TICK_SIZE;
	case BUS_STATS:
		return BUS_STAT_SIZE;
	case BUS_BARS:
		return BUS_BAR_SIZE;
	case BUS_ANOMALIES:
		return BUS_ANOMALY_SIZE;
	case BUS_SIDE_CHECKS:
		return BUS_SIDE_CHECK_SIZE;
	case BUS_REPLAY_REQ:
		return BUS_REPLAY_REQ_SIZE;
	default:
		return 0;
	}
}

void
bus_encode_header(void *buf, const struct bus_header *h)
{
	uint8_t *p = buf;

	p[0] = h->kind;
	p[1] = BUS_VERSION;
	le16_put(p + 2, BUS_MAGIC);
	le32_put(p + 4, h->n_records);
	le32_put(p + 8, h->publisher_id);
	le32_put(p + 12, 0);
	le64_put(p + 16, h->seq);
	le64_put(p + 24, h->first_record);
}

enum bus_status
bus_decode_header(const void *msg, size_t len, struct bus_header *h)
{
	const uint8_t *p = msg;
	size_t rsize;

	if (len < BUS_HEADER_SIZE)
		return BUS_SHORT;
	if (le16_get(p + 2) != BUS_MAGIC)
		return BUS_BAD_MAGIC;
	if (p[1] != BUS_VERSION)
		return BUS_BAD_VERSION;
	if ((rsize = bus_record_size(p[0])) == 0)
		return BUS_BAD_KIND;
	h->kind = p[0];
	h->version = p[1];
	h->n_records = le32_get(p + 4);
	h->publisher_id = le32_get(p + 8);
	h->seq = le64_get(p + 16);
	h->first_record = le64_get(p + 24);
	/* Compare by division: n_records * rsize could overflow size_t. */
	if ((len - BUS_HEADER_SIZE) % rsize != 0 ||
	    (len - BUS_HEADER_SIZE) / rsize != h->n_records)
		return BUS_BAD_LENGTH;
	return BUS_OK;
}

/* Copies a C string into a NUL-padded field, truncating to fit. */
static void
text_put(uint8_t *p, size_t field_len, const char *s)
{
	size_t n = strnlen(s, field_len - 1);

	memcpy(p, s, n);
	memset(p + n, 0, field_len - n);
}

/* Reads a NUL-padded field; -1 when it holds no NUL. */
static int
text_get(char *dst, const uint8_t *p, size_t field_len)
{
	if (memchr(p, '\0', field_len) == NULL)
		return -1;
	memcpy(dst, p, field_len);
	return 0;
}

void
bus_encode_tick(void *buf, const struct tick *t)
{
	uint8_t *p = buf;
	uint8_t *tail = p + OFF_TAIL;
	unsigned i, n = t->n_conditions;

	memset(p, 0, BUS_TICK_SIZE);
	if (n > TICK_MAX_CONDITIONS)
		n = TICK_MAX_CONDITIONS;
	p[0] = t->kind;
	p[1] = t->side;
	p[2] = t->asset_class;
	p[3] = t->source;
	p[4] = t->tape;
	p[5] = (uint8_t)n;
	p[6] = t->status;
	le16_put(p + 8, t->flags);
	le32_put(p + 12, t->exchange);
	le32_put(p + 16, t->ask_exchange);
	lei64_put(p + 24, t->ts_ns);
	lei64_put(p + 32, t->recv_ns);
	text_put(p + 40, TICK_SYMBOL_LEN, t->symbol);
	text_put(p + 64, TICK_TRADE_ID_LEN, t->trade_id);
	for (i = 0; i < n; i++)
		le16_put(p + 104 + 2 * i, t->conditions[i]);

	switch (t->kind) {
	case TICK_TRADE:
		lei64_put(tail, t->price);
		ledbl_put(tail + 8, t->size);
		break;
	case TICK_QUOTE:
		lei64_put(tail, t->bid);
		ledbl_put(tail + 8, t->bid_size);
		lei64_put(tail + 16, t->ask);
		ledbl_put(tail + 24, t->ask_size);
		break;
	case TICK_FEED_BAR:
		lei64_put(tail, t->open);
		lei64_put(tail + 8, t->high);
		lei64_put(tail + 16, t->low);
		lei64_put(tail + 24, t->close);
		lei64_put(tail + 32, t->vwap);
		ledbl_put(tail + 40, t->volume);
		lei64_put(tail + 48, t->end_ns);
		break;
	default:
		break;
	}
}

enum bus_status
bus_decode_tick(const void *buf, struct tick *t)
{
	const uint8_t *p = buf;
	const uint8_t *tail = p + OFF_TAIL;
	unsigned i;

	memset(t, 0, sizeof(*t));
	if (p[0] == TICK_NONE || p[0] >= TICK_KIND_MAX || p[1] >= SIDE_MAX ||
	    p[2] >= ASSET_MAX || p[3] >= SOURCE_MAX ||
	    p[5] > TICK_MAX_CONDITIONS || p[6] >= FEED_STATUS_MAX)
		return BUS_BAD_RECORD;
	if (text_get(t->symbol, p + 40, TICK_SYMBOL_LEN) == -1 ||
	    text_get(t->trade_id, p + 64, TICK_TRADE_ID_LEN) == -1)
		return BUS_BAD_RECORD;
	t->kind = p[0];
	t->side = p[1];
	t->asset_class = p[2];
	t->source = p[3];
	t->tape = p[4];
	t->n_conditions = p[5];
	t->status = p[6];
	t->flags = le16_get(p + 8);
	t->exchange = le32_get(p + 12);
	t->ask_exchange = le32_get(p + 16);
	t->ts_ns = lei64_get(p + 24);
	t->recv_ns = lei64_get(p + 32);
	for (i = 0; i < t->n_conditions; i++)
		t->conditions[i] = le16_get(p + 104 + 2 * i);

	switch (t->kind) {
	case TICK_TRADE:
		t->price = lei64_get(tail);
		t->size = ledbl_get(tail + 8);
		break;
	case TICK_QUOTE:
		t->bid = lei64_get(tail);
		t->bid_size = ledbl_get(tail + 8);
		t->ask = lei64_get(tail + 16);
		t->ask_size = ledbl_get(tail + 24);
		break;
	case TICK_FEED_BAR:
		t->open = lei64_get(tail);
		t->high = lei64_get(tail + 8);
		t->low = lei64_get(tail + 16);
		t->close = lei64_get(tail + 24);
		t->vwap = lei64_get(tail + 32);
		t->volume = ledbl_get(tail + 40);
		t->end_ns = lei64_get(tail + 48);
		break;
	default:
		break;
	}
	return BUS_OK;
}

void
bus_encode_stat(void *buf, const struct bus_stat *s)
{
	uint8_t *p = buf;

	text_put(p, BUS_STAT_PROCESS_LEN, s->process);
	text_put(p + 24, BUS_STAT_KEY_LEN, s->key);
	lei64_put(p + 56, s->value);
}

enum bus_status
bus_decode_stat(const void *buf, struct bus_stat *s)
{
	const uint8_t *p = buf;

	if (text_get(s->process, p, BUS_STAT_PROCESS_LEN) == -1 ||
	    text_get(s->key, p + 24, BUS_STAT_KEY_LEN) == -1)
		return BUS_BAD_RECORD;
	s->value = lei64_get(p + 56);
	return BUS_OK;
}

void
bus_encode_bar(void *buf, const struct bar *b)
{
	uint8_t *p = buf;

	memset(p, 0, BUS_BAR_SIZE);
	text_put(p, TICK_SYMBOL_LEN, b->symbol);
	p[24] = b->source;
	p[25] = b->asset_class;
	p[26] = b->state;
	le16_put(p + 28, b->flags);
	le32_put(p + 32, b->interval_s);
	le32_put(p + 36, b->revision);
	lei64_put(p + 40, b->start_ms);
	lei64_put(p + 48, b->open);
	lei64_put(p + 56, b->high);
	lei64_put(p + 64, b->low);
	lei64_put(p + 72, b->close);
	lei64_put(p + 80, b->vwap);
	ledbl_put(p + 88, b->volume);
	ledbl_put(p + 96, b->buy_volume);
	ledbl_put(p + 104, b->sell_volume);
	le32_put(p + 112, b->trades);
	le32_put(p + 116, b->buy_trades);
	le32_put(p + 120, b->sell_trades);
	le32_put(p + 124, b->quotes);
	lei64_put(p + 128, b->spread_mean);
	lei64_put(p + 136, b->spread_min);
	lei64_put(p + 144, b->spread_max);
	ledbl_put(p + 152, b->spread_bps);
	ledbl_put(p + 160, b->delta_min);
	ledbl_put(p + 168, b->delta_max);
	le32_put(p + 176, b->n_declared);
	le32_put(p + 180, b->n_inferred);
	le32_put(p + 184, b->n_unknown);
	le32_put(p + 188, b->n_compared);
	le32_put(p + 192, b->n_agree);
	le32_put(p + 196, b->n_unknown_conditions);
	lei64_put(p + 200, b->first_ts_ns);
	lei64_put(p + 208, b->last_ts_ns);
	lei64_put(p + 216, b->updated_ns);
}

enum bus_status
bus_decode_bar(const void *buf, struct bar *b)
{
	const uint8_t *p = buf;

	memset(b, 0, sizeof(*b));
	if (text_get(b->symbol, p, TICK_SYMBOL_LEN) == -1 ||
	    p[24] >= SOURCE_MAX || p[25] >= ASSET_MAX || p[26] == BAR_NONE ||
	    p[26] >= BAR_STATE_MAX || le32_get(p + 32) == 0)
		return BUS_BAD_RECORD;
	b->source = p[24];
	b->asset_class = p[25];
	b->state = p[26];
	b->flags = le16_get(p + 28);
	b->interval_s = le32_get(p + 32);
	b->revision = le32_get(p + 36);
	b->start_ms = lei64_get(p + 40);
	b->open = lei64_get(p + 48);
	b->high = lei64_get(p + 56);
	b->low = lei64_get(p + 64);
	b->close = lei64_get(p + 72);
	b->vwap = lei64_get(p + 80);
	b->volume = ledbl_get(p + 88);
	b->buy_volume = ledbl_get(p + 96);
	b->sell_volume = ledbl_get(p + 104);
	b->trades = le32_get(p + 112);
	b->buy_trades = le32_get(p + 116);
	b->sell_trades = le32_get(p + 120);
	b->quotes = le32_get(p + 124);
	b->spread_mean = lei64_get(p + 128);
	b->spread_min = lei64_get(p + 136);
	b->spread_max = lei64_get(p + 144);
	b->spread_bps = ledbl_get(p + 152);
	b->delta_min = ledbl_get(p + 160);
	b->delta_max = ledbl_get(p + 168);
	b->n_declared = le32_get(p + 176);
	b->n_inferred = le32_get(p + 180);
	b->n_unknown = le32_get(p + 184);
	b->n_compared = le32_get(p + 188);
	b->n_agree = le32_get(p + 192);
	b->n_unknown_conditions = le32_get(p + 196);
	b->first_ts_ns = lei64_get(p + 200);
	b->last_ts_ns = lei64_get(p + 208);
	b->updated_ns = lei64_get(p + 216);
	return BUS_OK;
}

void
bus_encode_anomaly(void *buf, const struct anomaly *a)
{
	uint8_t *p = buf;

	memset(p, 0, BUS_ANOMALY_SIZE);
	text_put(p, TICK_SYMBOL_LEN, a->symbol);
	p[24] = a->source;
	p[25] = a->asset_class;
	p[26] = a->kind;
	le32_put(p + 28, a->interval_s);
	lei64_put(p + 32, a->start_ms);
	ledbl_put(p + 40, a->score);
	ledbl_put(p + 48, a->value);
	ledbl_put(p + 56, a->threshold);
	lei64_put(p + 64, a->ts_ns);
	le32_put(p + 72, a->exchange);
}

enum bus_status
bus_decode_anomaly(const void *buf, struct anomaly *a)
{
	const uint8_t *p = buf;

	memset(a, 0, sizeof(*a));
	if (text_get(a->symbol, p, TICK_SYMBOL_LEN) == -1 ||
	    p[24] >= SOURCE_MAX || p[25] >= ASSET_MAX ||
	    p[26] == ANOMALY_NONE || p[26] >= ANOMALY_KIND_MAX)
		return BUS_BAD_RECORD;
	a->source = p[24];
	a->asset_class = p[25];
	a->kind = p[26];
	a->interval_s = le32_get(p + 28);
	a->start_ms = lei64_get(p + 32);
	a->score = ledbl_get(p + 40);
	a->value = ledbl_get(p + 48);
	a->threshold = ledbl_get(p + 56);
	a->ts_ns = lei64_get(p + 64);
	a->exchange = le32_get(p + 72);
	return BUS_OK;
}

void
bus_encode_side_check(void *buf, const struct side_check *c)
{
	uint8_t *p = buf;

	memset(p, 0, BUS_SIDE_CHECK_SIZE);
	text_put(p, TICK_SYMBOL_LEN, c->symbol);
	p[24] = c->source;
	p[25] = c->asset_class;
	p[26] = c->inverted;
	le32_put(p + 28, c->exchange);
	le64_put(p + 32, c->trades);
	le64_put(p + 40, c->declared_buy);
	le64_put(p + 48, c->declared_sell);
	le64_put(p + 56, c->compared);
	le64_put(p + 64, c->agree);
	le64_put(p + 72, c->at_bid);
	le64_put(p + 80, c->at_ask);
	le64_put(p + 88, c->inside);
	lei64_put(p + 96, c->updated_ns);
}

enum bus_status
bus_decode_side_check(const void *buf, struct side_check *c)
{
	const uint8_t *p = buf;

	memset(c, 0, sizeof(*c));
	if (text_get(c->symbol, p, TICK_SYMBOL_LEN) == -1 ||
	    p[24] >= SOURCE_MAX || p[25] >= ASSET_MAX || p[26] > 1)
		return BUS_BAD_RECORD;
	c->source = p[24];
	c->asset_class = p[25];
	c->inverted = p[26];
	c->exchange = le32_get(p + 28);
	c->trades = le64_get(p + 32);
	c->declared_buy = le64_get(p + 40);
	c->declared_sell = le64_get(p + 48);
	c->compared = le64_get(p + 56);
	c->agree = le64_get(p + 64);
	c->at_bid = le64_get(p + 72);
	c->at_ask = le64_get(p + 80);
	c->inside = le64_get(p + 88);
	c->updated_ns = lei64_get(p + 96);
	return BUS_OK;
}

void
bus_encode_replay_req(void *buf, const struct bus_replay_req *r)
{
	uint8_t *p = buf;

	memset(p, 0, BUS_REPLAY_REQ_SIZE);
	p[0] = r->want_kind;
	lei64_put(p + 8, r->since_ms);
	le64_put(p + 16, r->after_cursor);
	le32_put(p + 24, r->max_records);
}

enum bus_status
bus_decode_replay_req(const void *buf, struct bus_replay_req *r)
{
	const uint8_t *p = buf;

	memset(r, 0, sizeof(*r));
	if (p[0] != BUS_BARS && p[0] != BUS_ANOMALIES)
		return BUS_BAD_RECORD;
	r->want_kind = p[0];
	r->since_ms = lei64_get(p + 8);
	r->after_cursor = le64_get(p + 16);
	r->max_records = le32_get(p + 24);
	return BUS_OK;
}

int
bus_batch_init(struct bus_batch *b, int kind, uint32_t publisher_id,
    uint32_t max_records)
{
	memset(b, 0, sizeof(*b));
	if ((b->record_size = bus_record_size(kind)) == 0 || max_records == 0) {
		errno = EINVAL;
		return -1;
	}
	b->buf = malloc(BUS_HEADER_SIZE + b->record_size * max_records);
	if (b->buf == NULL)
		return -1;
	b->kind = (uint8_t)kind;
	b->publisher_id = publisher_id;
	b->max_records = max_records;
	return 0;
}

void
bus_batch_free(struct bus_batch *b)
{
	free(b->buf);
	b->buf = NULL;
}

static uint8_t *
batch_slot(struct bus_batch *b, int64_t now_ns)
{
	/* Adding to a full batch is a caller bug: it must take first. */
	if (b->n_records >= b->max_records)
		abort();
	if (b->n_records == 0)
		b->first_add_ns = now_ns;
	return b->buf + BUS_HEADER_SIZE + b->record_size * b->n_records++;
}

uint32_t
bus_batch_add_tick(struct bus_batch *b, const struct tick *t, int64_t now_ns)
{
	bus_encode_tick(batch_slot(b, now_ns), t);
	return b->n_records;
}

uint32_t
bus_batch_add_stat(struct bus_batch *b, const struct bus_stat *s,
    int64_t now_ns)
{
	bus_encode_stat(batch_slot(b, now_ns), s);
	return b->n_records;
}

uint32_t
bus_batch_add_bar(struct bus_batch *b, const struct bar *r, int64_t now_ns)
{
	bus_encode_bar(batch_slot(b, now_ns), r);
	return b->n_records;
}

uint32_t
bus_batch_add_anomaly(struct bus_batch *b, const struct anomaly *a,
    int64_t now_ns)
{
	bus_encode_anomaly(batch_slot(b, now_ns), a);
	return b->n_records;
}

uint32_t
bus_batch_add_side_check(struct bus_batch *b, const struct side_check *c,
    int64_t now_ns)
{
	bus_encode_side_check(batch_slot(b, now_ns), c);
	return b->n_records;
}

int
bus_batch_take(struct bus_batch *b, const void **msg, size_t *len)
{
	struct bus_header h;

	if (b->n_records == 0)
		return -1;
	h.kind = b->kind;
	h.version = BUS_VERSION;
	h.n_records = b->n_records;
	h.publisher_id = b->publisher_id;
	h.seq = ++b->seq;
	h.first_record = b->n_sent;
	bus_encode_header(b->buf, &h);
	*msg = b->buf;
	*len = BUS_HEADER_SIZE + b->record_size * b->n_records;
	b->n_sent += b->n_records;
	b->n_records = 0;
	return 0;
}

void
bus_gaps_init(struct bus_gaps *g)
{
	memset(g, 0, sizeof(*g));
}

static struct bus_gap_stream *
gaps_find(struct bus_gaps *g, const struct bus_header *h, int *is_new)
{
	struct bus_gap_stream *s, *oldest = NULL;
	unsigned i;

	*is_new = 0;
	for (i = 0; i < g->n_streams; i++) {
		s = &g->streams[i];
		if (s->publisher_id == h->publisher_id && s->kind == h->kind)
			return s;
		if (oldest == NULL || s->last_used < oldest->last_used)
			oldest = s;
	}
	*is_new = 1;
	if (g->n_streams < BUS_GAP_STREAMS)
		s = &g->streams[g->n_streams++];
	else
		s = oldest;	/* forget the stream heard from least lately */
	s->publisher_id = h->publisher_id;
	s->kind = h->kind;
	return s;
}

void
bus_gaps_note(struct bus_gaps *g, const struct bus_header *h,
    struct bus_gap_event *ev)
{
	struct bus_gap_event e;
	struct bus_gap_stream *s;
	int is_new;

	memset(&e, 0, sizeof(e));
	s = gaps_find(g, h, &is_new);
	g->messages++;
	g->records += h->n_records;
	if (is_new) {
		e.is_new_stream = 1;
		g->new_streams++;
	} else if (h->seq < s->next_seq) {
		e.is_restart = 1;
		g->restarts++;
	} else if (h->seq > s->next_seq) {
		e.expected_seq = s->next_seq;
		e.missed_messages = h->seq - s->next_seq;
		if (h->first_record > s->next_record)
			e.missed_records = h->first_record - s->next_record;
		g->gaps++;
		g->missed_messages += e.missed_messages;
		g->missed_records += e.missed_records;
	}
	s->next_seq = h->seq + 1;
	s->next_record = h->first_record + h->n_records;
	s->last_used = ++g->clock;
	if (ev != NULL)
		*ev = e;
}
