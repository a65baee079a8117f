/*
 * The bus record format: the one definition of what travels between
 * tapewatch processes (DESIGN.md "The bus", docs/bus.md). Pure: encoding,
 * decoding, batching and gap counting; no sockets (bus_nng.h has those).
 *
 * A message is a 32-byte header followed by n_records fixed-size records of
 * the header's kind. All integers are little-endian; doubles are IEEE 754
 * binary64, little-endian. The kind is the first byte so that a SUB socket
 * can filter by kind with a one-byte prefix.
 *
 *  header (32 bytes)
 *   0  u8   kind           enum bus_kind
 *   1  u8   version        BUS_VERSION
 *   2  u16  magic          BUS_MAGIC ("TW")
 *   4  u32  n_records
 *   8  u32  publisher_id   random per publisher process start
 *  12  u32  reserved       0
 *  16  u64  seq            per publisher and kind, 1, 2, 3, ...
 *  24  u64  first_record   per publisher and kind: records sent before this
 *
 * Change a layout, bump BUS_VERSION in the same commit as docs and tests.
 */
#ifndef BUS_H
#define BUS_H

#include <stddef.h>
#include <stdint.h>

#include "bar.h"
#include "tick.h"

#define BUS_VERSION		1
#define BUS_MAGIC		0x5754	/* bytes 'T' 'W' */
#define BUS_HEADER_SIZE		32
#define BUS_TICK_SIZE		176
#define BUS_STAT_SIZE		64
#define BUS_BAR_SIZE		224
#define BUS_ANOMALY_SIZE	80
#define BUS_SIDE_CHECK_SIZE	104
#define BUS_REPLAY_REQ_SIZE	32
#define BUS_STAT_PROCESS_LEN	24	/* with the NUL */
#define BUS_STAT_KEY_LEN	32	/* with the NUL */

/* Records per message the publishers aim for: ~43 KiB of ticks. */
#define BUS_BATCH_TICKS		256

enum bus_kind {
	BUS_NONE = 0,
	BUS_TICKS = 1,		/* struct tick */
	BUS_STATS = 2,		/* struct bus_stat: a process's counters */
	BUS_BARS = 3,		/* struct bar: live, closed, corrected */
	BUS_ANOMALIES = 4,	/* struct anomaly */
	BUS_SIDE_CHECKS = 5,	/* struct side_check */
	BUS_REPLAY_REQ = 6,	/* struct bus_replay_req (req/rep only) */
	BUS_KIND_MAX
};

enum bus_status {
	BUS_OK = 0,
	BUS_SHORT,		/* shorter than a header */
	BUS_BAD_MAGIC,
	BUS_BAD_VERSION,
	BUS_BAD_KIND,
	BUS_BAD_LENGTH,		/* not header + n_records * record size */
	BUS_BAD_RECORD,		/* a field out of range */
	BUS_STATUS_MAX
};

struct bus_header {
	uint8_t		 kind;
	uint8_t		 version;
	uint32_t	 n_records;
	uint32_t	 publisher_id;
	uint64_t	 seq;
	uint64_t	 first_record;
};

/* One counter of one process, e.g. ingest-crypto ticks 1234. */
struct bus_stat {
	char		 process[BUS_STAT_PROCESS_LEN];
	char		 key[BUS_STAT_KEY_LEN];
	int64_t		 value;
};

/*
 * A replay request, sent on the aggregator's req/rep endpoint: "records of
 * want_kind (BUS_BARS or BUS_ANOMALIES) whose bar ends after since_ms, and
 * that came after cursor, at most max_records of them". The reply is one
 * message of want_kind whose header seq is the cursor of its last record
 * (to send back in the next request) and whose first_record is
 * after_cursor + 1 plus the cursors of the reply's range the aggregator no
 * longer holds: more than after_cursor + 1 means records were lost (only
 * records whose bar ended after since_ms count; aggregator/history.h). An empty reply means nothing more.
 * max_records 0 asks for as many as fit in about 1 MB. The reply's
 * publisher_id is the aggregator's; a malformed request gets an empty
 * BUS_BARS reply (rep must answer). docs/store.md "Replay" has it all.
 */
struct bus_replay_req {
	uint8_t		 want_kind;
	int64_t		 since_ms;
	uint64_t	 after_cursor;
	uint32_t	 max_records;
};

const char	*bus_status_str(enum bus_status);
const char	*bus_kind_name(int);

/* Record size of a kind; 0 when the kind is unknown. */
size_t		 bus_record_size(int kind);

/*
 * Checks magic, version, kind and exact length of a whole message, then
 * fills *h. On success the records start at msg + BUS_HEADER_SIZE.
 */
enum bus_status	 bus_decode_header(const void *msg, size_t len,
		    struct bus_header *h);
void		 bus_encode_header(void *buf, const struct bus_header *h);

/* Records. Encoders write exactly the record size; decoders read it. */
void		 bus_encode_tick(void *buf, const struct tick *t);
enum bus_status	 bus_decode_tick(const void *buf, struct tick *t);
void		 bus_encode_stat(void *buf, const struct bus_stat *s);
enum bus_status	 bus_decode_stat(const void *buf, struct bus_stat *s);
void		 bus_encode_bar(void *buf, const struct bar *b);
enum bus_status	 bus_decode_bar(const void *buf, struct bar *b);
void		 bus_encode_anomaly(void *buf, const struct anomaly *a);
enum bus_status	 bus_decode_anomaly(const void *buf, struct anomaly *a);
void		 bus_encode_side_check(void *buf, const struct side_check *c);
enum bus_status	 bus_decode_side_check(const void *buf,
		    struct side_check *c);
void		 bus_encode_replay_req(void *buf,
		    const struct bus_replay_req *r);
enum bus_status	 bus_decode_replay_req(const void *buf,
		    struct bus_replay_req *r);

/*
 * A batch: records of one kind gathered into one message. The publisher
 * owns one batch per kind, so seq and first_record count per kind.
 * bus_batch_init allocates the buffer (returns -1 on ENOMEM); adding never
 * allocates. bus_batch_add_* return the records now held; when that equals
 * max_records the caller must take the message before adding more.
 */
struct bus_batch {
	uint8_t		*buf;
	size_t		 record_size;
	uint32_t	 max_records;
	uint32_t	 n_records;
	uint8_t		 kind;
	uint32_t	 publisher_id;
	uint64_t	 seq;		/* of the last message taken */
	uint64_t	 n_sent;	/* records in messages taken */
	int64_t		 first_add_ns;	/* when the oldest record was added */
};

int		 bus_batch_init(struct bus_batch *, int kind,
		    uint32_t publisher_id, uint32_t max_records);
void		 bus_batch_free(struct bus_batch *);
uint32_t	 bus_batch_add_tick(struct bus_batch *, const struct tick *,
		    int64_t now_ns);
uint32_t	 bus_batch_add_stat(struct bus_batch *, const struct bus_stat *,
		    int64_t now_ns);
uint32_t	 bus_batch_add_bar(struct bus_batch *, const struct bar *,
		    int64_t now_ns);
uint32_t	 bus_batch_add_anomaly(struct bus_batch *,
		    const struct anomaly *, int64_t now_ns);
uint32_t	 bus_batch_add_side_check(struct bus_batch *,
		    const struct side_check *, int64_t now_ns);
/*
 * Seals the batch into a message: writes the header, numbers it, and
 * returns its bytes and length through the pointers (valid until the next
 * add). The batch is then empty. Returns 0, or -1 when the batch is empty.
 */
int		 bus_batch_take(struct bus_batch *, const void **msg,
		    size_t *len);

/*
 * Gap counting on the subscriber side. Streams are (publisher_id, kind);
 * a stream's first message is never a gap (the subscriber may have joined
 * late), a jump forward in seq is, a jump back is a publisher restart.
 */
#define BUS_GAP_STREAMS	64

struct bus_gap_stream {
	uint32_t	 publisher_id;
	uint8_t		 kind;
	uint64_t	 next_seq;
	uint64_t	 next_record;
	uint64_t	 last_used;	/* for eviction when the table is full */
};

struct bus_gaps {
	struct bus_gap_stream streams[BUS_GAP_STREAMS];
	unsigned	 n_streams;
	uint64_t	 clock;
	uint64_t	 messages;
	uint64_t	 records;
	uint64_t	 gaps;		/* times a jump forward was seen */
	uint64_t	 missed_messages;
	uint64_t	 missed_records;
	uint64_t	 restarts;	/* seq went backwards */
	uint64_t	 new_streams;
};

struct bus_gap_event {
	uint64_t	 missed_messages;	/* 0: no gap before this message */
	uint64_t	 missed_records;
	uint64_t	 expected_seq;
	int		 is_new_stream;
	int		 is_restart;
};

void		 bus_gaps_init(struct bus_gaps *);
/* Notes a decoded header; fills *ev (may be NULL) with what it showed. */
void		 bus_gaps_note(struct bus_gaps *, const struct bus_header *,
		    struct bus_gap_event *ev);

#endif /* BUS_H */
