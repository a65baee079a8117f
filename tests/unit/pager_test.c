/*
 * The store's replay paging (store/pager.c): a run pages through bars
 * then anomalies until empty replies; losses, restarts, bad replies,
 * timeouts and failed sends; a run asked for during another.
 */
#include <string.h>

#include "../check.h"
#include "../../store/pager.h"
#include "tick.h"

#define MS	NS_PER_MS

static struct bus_header
hdr(int kind, uint32_t pid, uint32_t n, uint64_t seq, uint64_t first)
{
	struct bus_header h;

	memset(&h, 0, sizeof(h));
	h.kind = (uint8_t)kind;
	h.publisher_id = pid;
	h.n_records = n;
	h.seq = seq;
	h.first_record = first;
	return h;
}

/* Sends the request due at now; returns it (want_kind 0 when none). */
static struct bus_replay_req
send_at(struct pager *p, int64_t now)
{
	struct bus_replay_req r;

	memset(&r, 0, sizeof(r));
	if (pager_request(p, now, 1000, &r))
		pager_sent(p, now);
	else
		r.want_kind = 0;
	return r;
}

static void
test_run(void)
{
	struct pager p;
	struct pager_reply out;
	struct bus_replay_req r;
	struct bus_header h;

	pager_init(&p, 100, 2000 * MS);
	r = send_at(&p, 0);
	CHECK(r.want_kind == 0 && pager_next_ns(&p) == INT64_MAX &&
	    !pager_busy(&p), "idle: nothing to send");
	CHECK(pager_start(&p, 5000, 10 * MS) == 1 && pager_busy(&p),
	    "start: a run begins");
	CHECK(pager_request(&p, 10 * MS, 0, &r) == 0 &&
	    pager_request(&p, 10 * MS, 7, &r) == 1 && r.max_records == 7,
	    "room: nothing asked without room, no more than the room");
	r = send_at(&p, 10 * MS);
	CHECK(r.want_kind == BUS_BARS && r.since_ms == 5000 &&
	    r.after_cursor == 0 && r.max_records == 100,
	    "run: bars first, from cursor 0, since as asked");
	CHECK(send_at(&p, 11 * MS).want_kind == 0 &&
	    pager_next_ns(&p) == 2010 * MS,
	    "run: one request at a time; wake at its deadline");
	h = hdr(BUS_BARS, 7, 100, 100, 1);
	pager_reply(&p, &h, 20 * MS, &out);
	CHECK(out.take && !out.lost && !out.run_done && p.records == 100,
	    "run: a full page is taken");
	r = send_at(&p, 20 * MS);
	CHECK(r.want_kind == BUS_BARS && r.after_cursor == 100,
	    "run: the next page starts at the reply's seq");
	h = hdr(BUS_BARS, 7, 0, 100, 1);
	pager_reply(&p, &h, 30 * MS, &out);
	r = send_at(&p, 30 * MS);
	CHECK(out.take && !out.run_done && r.want_kind == BUS_ANOMALIES &&
	    r.after_cursor == 0 && r.since_ms == 5000,
	    "run: an empty reply ends the bars; anomalies from cursor 0");
	h = hdr(BUS_ANOMALIES, 7, 0, 0, 1);
	pager_reply(&p, &h, 40 * MS, &out);
	CHECK(out.run_done && !pager_busy(&p) && p.runs == 1 &&
	    p.requests == 3 && send_at(&p, 50 * MS).want_kind == 0,
	    "run: the anomalies' empty reply ends the run");
}

static const struct {
	const char	*name;
	uint64_t	 after;		/* the cursor asked from */
	uint64_t	 first_record;
	int		 want_lost;
	uint64_t	 want_lost_records;
} loss_cases[] = {
	{ "from 0, ring starts at 1: nothing lost", 0, 1, 0, 0 },
	{ "from 0, ring starts at 50: 49 lost", 0, 50, 1, 49 },
	{ "from 100, ring starts at 101: nothing lost", 100, 101, 0, 0 },
	{ "from 100, ring starts at 90: nothing lost", 100, 90, 0, 0 },
	{ "from 100, ring starts at 150: 49 lost", 100, 150, 1, 49 },
};

static void
test_loss(void)
{
	struct pager p;
	struct pager_reply out;
	struct bus_header h;
	size_t i;

	for (i = 0; i < sizeof(loss_cases) / sizeof(loss_cases[0]); i++) {
		pager_init(&p, 10, 1000 * MS);
		pager_start(&p, 0, 0);
		if (loss_cases[i].after > 0) {
			send_at(&p, 0);
			h = hdr(BUS_BARS, 1, 10, loss_cases[i].after, 1);
			pager_reply(&p, &h, 0, &out);
		}
		send_at(&p, 0);
		h = hdr(BUS_BARS, 1, 10, loss_cases[i].after + 10,
		    loss_cases[i].first_record);
		pager_reply(&p, &h, 0, &out);
		CHECK(out.take && out.lost == loss_cases[i].want_lost &&
		    out.lost_records == loss_cases[i].want_lost_records &&
		    p.lost == (uint64_t)loss_cases[i].want_lost,
		    "loss: %s", loss_cases[i].name);
	}
}

static void
test_restart(void)
{
	struct pager p;
	struct pager_reply out;
	struct bus_header h;
	struct bus_replay_req r;

	pager_init(&p, 10, 1000 * MS);
	pager_start(&p, 0, 0);
	send_at(&p, 0);
	h = hdr(BUS_BARS, 0x11, 10, 500, 1);
	pager_reply(&p, &h, 0, &out);
	send_at(&p, 0);
	/* A new aggregator: its cursor 3 is not ours; no loss claimed. */
	h = hdr(BUS_BARS, 0x22, 3, 3, 1);
	pager_reply(&p, &h, 0, &out);
	r = send_at(&p, 0);
	CHECK(out.take && out.restarted && !out.lost && p.restarts == 1 &&
	    r.want_kind == BUS_BARS && r.after_cursor == 0,
	    "restart: records kept, paging starts over at cursor 0");
	h = hdr(BUS_BARS, 0x22, 0, 0, 1);
	pager_reply(&p, &h, 0, &out);
	CHECK(!out.restarted && p.publisher_id == 0x22,
	    "restart: the new publisher is this run's now");
}

static void
test_bad_replies(void)
{
	struct pager p;
	struct pager_reply out;
	struct bus_header h;
	struct bus_replay_req r;

	pager_init(&p, 10, 1000 * MS);
	pager_start(&p, 0, 0);
	h = hdr(BUS_BARS, 1, 1, 1, 1);
	pager_reply(&p, &h, 0, &out);
	CHECK(!out.take && p.records == 0, "bad: a reply nobody asked for "
	    "is ignored");
	send_at(&p, 0);
	h = hdr(BUS_ANOMALIES, 1, 1, 1, 1);
	pager_reply(&p, &h, 100 * MS, &out);
	CHECK(out.bad && !out.take && p.bad_replies == 1 &&
	    send_at(&p, 349 * MS).want_kind == 0,
	    "bad: the wrong kind is dropped; asked again after 250 ms");
	r = send_at(&p, 350 * MS);
	h = hdr(BUS_BARS, 1, 5, 5, 1);
	pager_reply(&p, &h, 360 * MS, &out);
	send_at(&p, 360 * MS);
	h = hdr(BUS_BARS, 1, 5, 5, 1);	/* seq did not move on */
	pager_reply(&p, &h, 370 * MS, &out);
	CHECK(r.want_kind == BUS_BARS && out.bad && p.bad_replies == 2 &&
	    p.after_cursor == 5, "bad: a page that does not move on is "
	    "dropped (no endless loop)");
}

static void
test_failures(void)
{
	struct pager p;
	int64_t t = 0;
	int e1, e2, e3;

	pager_init(&p, 10, 1000 * MS);
	pager_start(&p, 0, 0);
	e1 = (int)pager_send_failed(&p, t);
	CHECK(e1 == PAGER_FIRST_FAILURE && pager_next_ns(&p) == 250 * MS &&
	    send_at(&p, 249 * MS).want_kind == 0,
	    "send failed: reported once, retried after 250 ms");
	e2 = (int)pager_send_failed(&p, 250 * MS);
	CHECK(e2 == PAGER_QUIET && pager_next_ns(&p) == 750 * MS,
	    "send failed again: quiet, 500 ms");
	for (int i = 0; i < 10; i++)
		pager_send_failed(&p, t);
	CHECK(pager_next_ns(&p) == t + PAGER_RETRY_MAX_MS * MS,
	    "send failures: the wait stops growing at %d ms",
	    PAGER_RETRY_MAX_MS);
	pager_start(&p, 0, 5 * MS);
	CHECK(pager_next_ns(&p) == 5 * MS, "send failures: an aggregator "
	    "appearing cuts the wait short");

	pager_init(&p, 10, 1000 * MS);
	pager_start(&p, 0, 0);
	send_at(&p, 0);
	e1 = pager_check_timeout(&p, 999 * MS);
	e2 = pager_check_timeout(&p, 1000 * MS);
	e3 = pager_check_timeout(&p, 1001 * MS);
	CHECK(e1 == -1 && e2 == PAGER_FIRST_FAILURE && e3 == -1 &&
	    p.timeouts == 1 && pager_next_ns(&p) == 1250 * MS,
	    "timeout: after the deadline, once; asked again 250 ms later");
	CHECK(send_at(&p, 1250 * MS).want_kind == BUS_BARS && p.requests == 2,
	    "timeout: the same page is asked again");
}

static void
test_again(void)
{
	struct pager p;
	struct pager_reply out;
	struct bus_header h;
	struct bus_replay_req r;

	pager_init(&p, 10, 1000 * MS);
	pager_start(&p, 9000, 0);
	send_at(&p, 0);
	CHECK(pager_start(&p, 8000, 1 * MS) == 0 &&
	    pager_start(&p, 8500, 2 * MS) == 0,
	    "again: runs asked during a run wait");
	h = hdr(BUS_BARS, 1, 0, 0, 1);
	pager_reply(&p, &h, 3 * MS, &out);
	send_at(&p, 3 * MS);
	h = hdr(BUS_ANOMALIES, 1, 0, 0, 1);
	pager_reply(&p, &h, 4 * MS, &out);
	r = send_at(&p, 4 * MS);
	CHECK(out.run_done && pager_busy(&p) && p.runs == 2 &&
	    r.want_kind == BUS_BARS && r.since_ms == 8000 &&
	    r.after_cursor == 0,
	    "again: one more run follows, from the earliest since");
}

int
main(void)
{
	test_run();
	test_loss();
	test_restart();
	test_bad_replies();
	test_failures();
	test_again();
	return check_report();
}
