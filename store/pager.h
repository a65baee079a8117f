/*
 * The store's side of the replay protocol (bus.h, struct bus_replay_req;
 * docs/store.md "Replay"): a run asks for the bars, then the anomalies,
 * whose bar ended after since_ms, page by page, each request carrying
 * the cursor the last reply ended at, until an empty reply. A reply whose
 * first_record is past the cursor asked from + 1 shows records the
 * aggregator no longer holds; a reply from another publisher id means the
 * aggregator restarted mid-run, and paging starts over in its new cursor
 * space. A request unanswered within timeout_ns, or that could not be
 * sent (no aggregator), is sent again after 250 ms, doubling to 8 s. A
 * run asked for while one is going is done after it, from the earlier
 * of the two since_ms.
 *
 * Pure: no I/O, no clock; replay_client.c does the sending.
 */
#ifndef PAGER_H
#define PAGER_H

#include <stdint.h>

#include "bus.h"

#define PAGER_RETRY_MIN_MS	250
#define PAGER_RETRY_MAX_MS	8000

enum pager_phase {
	PAGER_IDLE = 0,
	PAGER_BARS,
	PAGER_ANOMALIES
};

struct pager {
	uint32_t	 max_records;	/* asked per request */
	int64_t		 timeout_ns;
	enum pager_phase phase;
	int64_t		 since_ms;
	uint64_t	 after_cursor;
	uint32_t	 publisher_id;	/* this run's; 0: none yet */
	int		 again;		/* another run is wanted */
	int64_t		 again_since_ms;
	int		 in_flight;
	int64_t		 deadline_ns;	/* in flight until */
	int64_t		 retry_ns;	/* otherwise: send at */
	unsigned	 failures;	/* in a row */

	uint64_t	 runs;		/* started */
	uint64_t	 requests;	/* sent */
	uint64_t	 records;	/* received in replies */
	uint64_t	 lost;		/* replies that showed a loss */
	uint64_t	 lost_records;	/* at most this many */
	uint64_t	 timeouts;
	uint64_t	 send_failures;
	uint64_t	 restarts;	/* publisher changed mid-run */
	uint64_t	 bad_replies;	/* wrong kind, or no progress */
};

/* What one reply means for the caller. */
struct pager_reply {
	int		 take;		/* store the reply's records */
	int		 lost;		/* some asked are gone */
	uint64_t	 lost_records;	/* ... at most this many */
	int		 restarted;	/* new aggregator: again */
	int		 run_done;	/* the run ended */
	int		 bad;		/* ignored: makes no sense */
};

enum pager_event {
	PAGER_QUIET = 0,
	PAGER_FIRST_FAILURE	/* the first of a series: log it once */
};

void	 pager_init(struct pager *, uint32_t max_records,
	    int64_t timeout_ns);
/*
 * Asks for a run replaying what ended after since_ms. Returns 1 when it
 * starts now, 0 when it will follow the run going on.
 */
int	 pager_start(struct pager *, int64_t since_ms, int64_t now_ns);
/* Whether a run is going on. */
int	 pager_busy(const struct pager *);
/*
 * Fills *req and returns 1 when a request should be sent now. room is how
 * many records the caller can take: a page asks for no more, and nothing
 * is asked while it is 0.
 */
int	 pager_request(const struct pager *, int64_t now_ns, uint32_t room,
	    struct bus_replay_req *req);
/* The request went out. */
void	 pager_sent(struct pager *, int64_t now_ns);
/* It could not be sent (no aggregator yet): try again later. */
enum pager_event pager_send_failed(struct pager *, int64_t now_ns);
/* Gives up waiting when the deadline passed: PAGER_FIRST_FAILURE or
 * PAGER_QUIET after a timeout, and -1 when there was none. */
int	 pager_check_timeout(struct pager *, int64_t now_ns);
/* A reply's header (bus_decode_header succeeded). */
void	 pager_reply(struct pager *, const struct bus_header *,
	    int64_t now_ns, struct pager_reply *out);
/* A reply that did not decode, or made no sense: asked again later. */
void	 pager_reply_bad(struct pager *, int64_t now_ns);
/* When the pager next needs the caller; INT64_MAX when idle. */
int64_t	 pager_next_ns(const struct pager *);

#endif /* PAGER_H */
