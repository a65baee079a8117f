/*
 * Replay paging (pager.h). No I/O, no clock.
 */
#include <string.h>

#include "pager.h"
#include "tick.h"

void
pager_init(struct pager *p, uint32_t max_records, int64_t timeout_ns)
{
	memset(p, 0, sizeof(*p));
	p->max_records = max_records;
	p->timeout_ns = timeout_ns;
}

static void
run_begin(struct pager *p, int64_t since_ms, int64_t now_ns)
{
	p->phase = PAGER_BARS;
	p->since_ms = since_ms;
	p->after_cursor = 0;
	p->publisher_id = 0;
	p->in_flight = 0;
	p->retry_ns = now_ns;
	p->failures = 0;
	p->runs++;
}

int
pager_start(struct pager *p, int64_t since_ms, int64_t now_ns)
{
	if (p->phase == PAGER_IDLE) {
		run_begin(p, since_ms, now_ns);
		return 1;
	}
	if (!p->again || since_ms < p->again_since_ms)
		p->again_since_ms = since_ms;
	p->again = 1;
	/* Something happened (an aggregator appeared): try now. */
	if (!p->in_flight) {
		p->retry_ns = now_ns;
		p->failures = 0;
	}
	return 0;
}

int
pager_busy(const struct pager *p)
{
	return p->phase != PAGER_IDLE;
}

int
pager_request(const struct pager *p, int64_t now_ns, uint32_t room,
    struct bus_replay_req *req)
{
	if (p->phase == PAGER_IDLE || p->in_flight || now_ns < p->retry_ns ||
	    room == 0)
		return 0;
	memset(req, 0, sizeof(*req));
	req->want_kind = p->phase == PAGER_BARS ? BUS_BARS : BUS_ANOMALIES;
	req->since_ms = p->since_ms;
	req->after_cursor = p->after_cursor;
	req->max_records = room < p->max_records ? room : p->max_records;
	return 1;
}

void
pager_sent(struct pager *p, int64_t now_ns)
{
	p->in_flight = 1;
	p->deadline_ns = now_ns + p->timeout_ns;
	p->requests++;
}

static enum pager_event
failed(struct pager *p, int64_t now_ns)
{
	int64_t ms = PAGER_RETRY_MIN_MS;
	unsigned i;

	for (i = 0; i < p->failures && ms < PAGER_RETRY_MAX_MS; i++)
		ms *= 2;
	if (ms > PAGER_RETRY_MAX_MS)
		ms = PAGER_RETRY_MAX_MS;
	p->in_flight = 0;
	p->retry_ns = now_ns + ms * NS_PER_MS;
	return p->failures++ == 0 ? PAGER_FIRST_FAILURE : PAGER_QUIET;
}

enum pager_event
pager_send_failed(struct pager *p, int64_t now_ns)
{
	p->send_failures++;
	return failed(p, now_ns);
}

int
pager_check_timeout(struct pager *p, int64_t now_ns)
{
	if (!p->in_flight || now_ns < p->deadline_ns)
		return -1;
	p->timeouts++;
	return (int)failed(p, now_ns);
}

/* An empty reply: this kind is done; the run may be. */
static void
phase_done(struct pager *p, struct pager_reply *out, int64_t now_ns)
{
	if (p->phase == PAGER_BARS) {
		p->phase = PAGER_ANOMALIES;
		p->after_cursor = 0;
		return;
	}
	p->phase = PAGER_IDLE;
	out->run_done = 1;
	if (p->again) {
		p->again = 0;
		run_begin(p, p->again_since_ms, now_ns);
	}
}

/* A reply from another aggregator: its cursors are not ours. */
static void
restart_paging(struct pager *p, const struct bus_header *h,
    struct pager_reply *out)
{
	p->restarts++;
	out->restarted = 1;
	p->publisher_id = h->publisher_id;
	p->phase = PAGER_BARS;
	p->after_cursor = 0;
}

static void
check_loss(struct pager *p, const struct bus_header *h,
    struct pager_reply *out)
{
	if (h->first_record <= p->after_cursor + 1)
		return;
	p->lost++;
	out->lost = 1;
	out->lost_records = h->first_record - p->after_cursor - 1;
	p->lost_records += out->lost_records;
}

void
pager_reply(struct pager *p, const struct bus_header *h, int64_t now_ns,
    struct pager_reply *out)
{
	uint8_t want = p->phase == PAGER_BARS ? BUS_BARS : BUS_ANOMALIES;
	int other = p->publisher_id != 0 && h->publisher_id != p->publisher_id;

	memset(out, 0, sizeof(*out));
	if (!p->in_flight || p->phase == PAGER_IDLE)
		return;		/* a stray reply: nothing asked */
	p->in_flight = 0;
	/* A page that does not move on would be asked for ever. */
	if (h->kind != want ||
	    (!other && h->n_records > 0 && h->seq <= p->after_cursor)) {
		out->bad = 1;
		pager_reply_bad(p, now_ns);
		return;
	}
	p->failures = 0;
	p->retry_ns = 0;
	out->take = 1;
	p->records += h->n_records;
	if (other) {
		restart_paging(p, h, out);
		return;
	}
	p->publisher_id = h->publisher_id;
	check_loss(p, h, out);
	if (h->n_records == 0)
		phase_done(p, out, now_ns);
	else
		p->after_cursor = h->seq;
}

void
pager_reply_bad(struct pager *p, int64_t now_ns)
{
	p->bad_replies++;
	(void)failed(p, now_ns);
}

int64_t
pager_next_ns(const struct pager *p)
{
	if (p->phase == PAGER_IDLE)
		return INT64_MAX;
	return p->in_flight ? p->deadline_ns : p->retry_ns;
}
