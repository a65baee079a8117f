/*
 * A connection's outgoing side: frames queued in order (status replies
 * and data alike), written when lws says the socket can take more, the
 * slow-consumer bound, --malformed-every, and --log-sent. Frames come
 * from a small pool, so the send path allocates nothing in steady state.
 */
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "encode.h"
#include "faults.h"
#include "feedsim.h"

#define FRAME_CAP	(FRAME_FILL + FAULTS_SLACK)
#define POOL_MAX	256
#define WRITES_PER_CB	16	/* frames per writeable callback */
#define CLOSE_GRACE_S	10	/* a closing peer that never reads */

/*
 * Venue paths send one small message per frame: those come from a pool
 * of their own, so a queue of them does not hold 64 KiB each.
 */
#define SMALL_CAP	(VENUE_MSG_MAX + FAULTS_SLACK)

static struct frame *small_pool;
static int n_small;

struct frame *
frame_get(struct feedsim *fs, size_t cap)
{
	struct frame *f;

	if (cap <= SMALL_CAP) {
		if ((f = small_pool) != NULL) {
			small_pool = f->next;
			n_small--;
		} else {
			if ((f = malloc(sizeof(*f) + LWS_PRE + SMALL_CAP)) ==
			    NULL)
				fatal("frame of %d bytes", SMALL_CAP);
			f->cap = SMALL_CAP;
		}
	} else if (cap <= FRAME_CAP && (f = fs->pool) != NULL) {
		fs->pool = f->next;
		fs->n_pool--;
	} else {
		if (cap < FRAME_CAP)
			cap = FRAME_CAP;
		if ((f = malloc(sizeof(*f) + LWS_PRE + cap)) == NULL)
			fatal("frame of %zu bytes", cap);
		f->cap = cap;
	}
	f->next = NULL;
	f->len = 0;
	f->n_events = 0;
	f->flags = 0;
	return f;
}

void
frame_put(struct feedsim *fs, struct frame *f)
{
	if (f->cap == SMALL_CAP && n_small < POOL_MAX * 16) {
		f->next = small_pool;
		small_pool = f;
		n_small++;
	} else if (f->cap == FRAME_CAP && fs->n_pool < POOL_MAX) {
		f->next = fs->pool;
		fs->pool = f;
		fs->n_pool++;
	} else
		free(f);
}

/* Drops what is queued: all of it, or only the market data. */
void
conn_discard(struct conn *c, int only_data)
{
	struct frame *f, *next, *keep = NULL, **tail = &keep;

	for (f = c->q_head; f != NULL; f = next) {
		next = f->next;
		if (only_data && !(f->flags & FRAME_DATA)) {
			*tail = f;
			tail = &f->next;
			continue;
		}
		c->q_bytes -= f->len;
		frame_put(c->fs, f);
	}
	*tail = NULL;
	c->q_head = keep;
	for (c->q_tail = keep; c->q_tail != NULL && c->q_tail->next != NULL;)
		c->q_tail = c->q_tail->next;
	if (c->open != NULL)
		frame_put(c->fs, c->open);
	c->open = NULL;
}

static void
slow_consumer(struct conn *c)
{
	struct feedsim *fs = c->fs;

	fs->c.slow_consumers++;
	log_warnx("slow consumer conn=%llu queued=%zu bytes: closing",
	    (unsigned long long)c->id, c->q_bytes);
	if (PATH_VENUE(c->path))
		venue_error(c, "slow consumer", 1);
	else
		conn_status_close(c, "slow_consumer",
		    "Slow consumer: the client is not reading fast enough.");
}

void
conn_push(struct conn *c, struct frame *f)
{
	if (c->closing && (f->flags & FRAME_DATA)) {
		frame_put(c->fs, f);
		return;
	}
	f->next = NULL;
	if (c->q_tail != NULL)
		c->q_tail->next = f;
	else
		c->q_head = f;
	c->q_tail = f;
	c->q_bytes += f->len;
	lws_callback_on_writable(c->wsi);
	if (!c->closing && c->q_bytes > (size_t)c->fs->o.max_queue_mib << 20)
		slow_consumer(c);
}

/* Replaces f's text by a malformed version (faults.h), in turn. */
static void
malform(struct conn *c, struct frame *f)
{
	struct feedsim *fs = c->fs;
	struct frame *tmp;
	enum fault_kind k;
	uint64_t n = c->n_data_frames / (uint64_t)fs->o.malformed_every;
	int path = PATH_VENUE(c->path) ? PATH_CRYPTO : c->path;

	k = (enum fault_kind)((n - 1) % FAULT_KIND_MAX);
	tmp = frame_get(fs, f->len + FAULTS_SLACK);
	tmp->len = faults_malform(FRAME_TEXT(tmp), FRAME_TEXT(f), f->len, k,
	    fs->names[path][0] != NULL ? fs->names[path][0] : "X",
	    path == PATH_CRYPTO);
	tmp->flags = f->flags;
	tmp->n_events = f->n_events;
	frame_put(fs, f);
	fs->c.malformed++;
	if (ratelimit_ok(&fs->rl_fault, clock_mono_ns(), NULL))
		log_info("fault malformed conn=%llu frame=%llu kind=%s",
		    (unsigned long long)c->id,
		    (unsigned long long)c->n_data_frames, fault_kind_str(k));
	conn_push(c, tmp);
}

/* Queues a data frame, malformed when its turn has come. */
static void
push_data(struct conn *c, struct frame *f)
{
	f->flags |= FRAME_DATA;
	c->n_data_frames++;
	if (c->fs->o.malformed_every > 0 &&
	    c->n_data_frames % (uint64_t)c->fs->o.malformed_every == 0)
		malform(c, f);
	else
		conn_push(c, f);
}

void
conn_flush(struct conn *c)
{
	struct frame *f = c->open;

	if (f == NULL)
		return;
	c->open = NULL;
	FRAME_TEXT(f)[f->len++] = ']';
	push_data(c, f);
}

void
conn_add_event(struct conn *c, const char *ev, size_t n)
{
	struct frame *f = c->open;

	if (f != NULL && f->len + n + 2 > FRAME_FILL) {
		conn_flush(c);
		f = NULL;
	}
	if (f == NULL) {
		f = c->open = frame_get(c->fs, FRAME_CAP);
		FRAME_TEXT(f)[f->len++] = '[';
	} else
		FRAME_TEXT(f)[f->len++] = ',';
	memcpy(FRAME_TEXT(f) + f->len, ev, n);
	f->len += n;
	f->n_events++;
}

/* A recorded frame, sent as it is. */
void
conn_push_data(struct conn *c, const char *text, size_t n)
{
	struct frame *f;

	conn_flush(c);
	f = frame_get(c->fs, n + FAULTS_SLACK);
	memcpy(FRAME_TEXT(f), text, n);
	f->len = n;
	f->n_events = 1;
	push_data(c, f);
}

/* One message in a frame of its own (the venue paths). */
void
conn_push_text(struct conn *c, const char *text, size_t n, int data)
{
	struct frame *f;

	f = frame_get(c->fs, n + FAULTS_SLACK);
	memcpy(FRAME_TEXT(f), text, n);
	f->len = n;
	if (data) {
		f->n_events = 1;
		push_data(c, f);
	} else
		conn_push(c, f);
}

/*
 * Adds a status object to the status frame f (NULL: start one); a full
 * frame is queued and another started. Returns the frame to add to next.
 */
struct frame *
conn_ack(struct conn *c, struct frame *f, const char *status,
    const char *msg, size_t msg_len)
{
	char *p, *end;

	if (f != NULL && f->len + 64 + 6 * (strlen(status) + msg_len) >
	    FRAME_FILL) {
		conn_ack_end(c, f);
		f = NULL;
	}
	if (f == NULL) {
		f = frame_get(c->fs, FRAME_CAP);
		FRAME_TEXT(f)[f->len++] = '[';
	} else
		FRAME_TEXT(f)[f->len++] = ',';
	p = FRAME_TEXT(f) + f->len;
	end = FRAME_TEXT(f) + f->cap - 1;
	if ((p = encode_status(p, end, status, msg, msg_len)) == NULL) {
		/* Longer than a frame: callers bound what they echo. */
		if (--f->len == 0) {
			frame_put(c->fs, f);
			return NULL;
		}
		return f;
	}
	f->len = (size_t)(p - FRAME_TEXT(f));
	return f;
}

void
conn_ack_end(struct conn *c, struct frame *f)
{
	if (f == NULL)
		return;
	FRAME_TEXT(f)[f->len++] = ']';
	conn_push(c, f);
}

void
conn_status(struct conn *c, const char *status, const char *msg)
{
	conn_ack_end(c, conn_ack(c, NULL, status, msg, strlen(msg)));
}

/*
 * Says why, then closes once the peer has the message: the data queued
 * before it is dropped so the status goes out next, and a peer that
 * stops reading is cut off after CLOSE_GRACE_S anyway.
 */
static void
close_after(struct conn *c, struct frame *f)
{
	f->flags |= FRAME_LAST;
	c->closing = 1;
	conn_push(c, f);
	lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, CLOSE_GRACE_S);
}

void
conn_status_close(struct conn *c, const char *status, const char *msg)
{
	struct frame *f;

	if (c->closing)
		return;
	conn_discard(c, 1);
	if ((f = conn_ack(c, NULL, status, msg, strlen(msg))) == NULL)
		fatalx("status message too long");	/* ours: a bug */
	FRAME_TEXT(f)[f->len++] = ']';
	close_after(c, f);
}

/* The same for a venue path: its own message, then close. */
void
conn_text_close(struct conn *c, const char *text, size_t n)
{
	struct frame *f;

	if (c->closing)
		return;
	conn_discard(c, 1);
	f = frame_get(c->fs, n + FAULTS_SLACK);
	memcpy(FRAME_TEXT(f), text, n);
	f->len = n;
	close_after(c, f);
}

static void
sentlog_write(struct feedsim *fs, const char *text, size_t n)
{
	const char *nl;

	/* One frame per line: a recorded frame's raw newline is a space. */
	while ((nl = memchr(text, '\n', n)) != NULL) {
		fwrite(text, 1, (size_t)(nl - text), fs->sent);
		fputc(' ', fs->sent);
		n -= (size_t)(nl - text) + 1;
		text = nl + 1;
	}
	fwrite(text, 1, n, fs->sent);
	fputc('\n', fs->sent);
	fs->sent_dirty = 1;
}

void
sentlog_flush(struct feedsim *fs)
{
	if (fs->sent != NULL && fs->sent_dirty && fflush(fs->sent) == EOF)
		log_warn("log-sent");
	fs->sent_dirty = 0;
}

static int
write_one(struct conn *c, struct frame *f)
{
	struct feedsim *fs = c->fs;

	if (lws_write(c->wsi, (unsigned char *)FRAME_TEXT(f), f->len,
	    LWS_WRITE_TEXT) < (int)f->len)
		return -1;
	if (fs->sent != NULL)
		sentlog_write(fs, FRAME_TEXT(f), f->len);
	fs->c.frames_sent++;
	fs->c.bytes_sent += f->len;
	c->n_sent_frames++;
	if (f->flags & FRAME_DATA) {
		fs->c.events_sent += f->n_events;
		c->n_sent_events += f->n_events;
	}
	return 0;
}

/* LWS_CALLBACK_SERVER_WRITEABLE. Returns -1 to close the connection. */
int
conn_writable(struct conn *c)
{
	struct frame *f;
	int i;

	if (c->close_now) {
		lws_close_reason(c->wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION,
		    NULL, 0);
		return -1;
	}
	for (i = 0; i < WRITES_PER_CB && (f = c->q_head) != NULL; i++) {
		if (i > 0 && lws_send_pipe_choked(c->wsi))
			break;
		if (write_one(c, f) == -1)
			return -1;
		if ((c->q_head = f->next) == NULL)
			c->q_tail = NULL;
		c->q_bytes -= f->len;
		/* Close on the next callback: lws may still hold a tail. */
		if (f->flags & FRAME_LAST)
			c->close_now = 1;
		frame_put(c->fs, f);
		if (c->close_now)
			break;
	}
	if (c->q_head != NULL || c->close_now)
		lws_callback_on_writable(c->wsi);
	return 0;
}
