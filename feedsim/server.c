/*
 * The WebSocket side of feedsim: one lws vhost serving ws:// (or wss://)
 * on /stocks and /crypto (and the venue paths of venue.c), the protocol
 * state machine of feeds.md §1
 * (connected -> auth -> subscribe), one connection per (path, key) with
 * the oldest kicked, the auth timeout, the drop fault, and SIGINT/SIGTERM
 * read from a signalfd inside the lws loop. Data comes from pump.c; the
 * outgoing queues live in conn.c.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "feedsim.h"

#define STATS_EVERY_US	(60LL * 1000000)
#define ECHO_MAX	100	/* bytes of a peer's text echoed back */

static const char *const path_names[PATH_ALL] = { "/stocks", "/crypto",
	"/coinbase", "/kraken", "/binance" };

static int	cb_ws(struct lws *, enum lws_callback_reasons, void *, void *,
		    size_t);
static int	cb_signal(struct lws *, enum lws_callback_reasons, void *,
		    void *, size_t);
static int	cb_timer(struct lws *, enum lws_callback_reasons, void *,
		    void *, size_t);

/* The first protocol also takes clients that name none (all of them). */
static const struct lws_protocols protocols[] = {
	{ "polygon", cb_ws, sizeof(struct conn), 4096, 0, NULL,
	    FRAME_FILL + 4096 },
	{ "feedsim-signal", cb_signal, 0, 0, 0, NULL, 0 },
	{ "feedsim-timer", cb_timer, 0, 0, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

/* The raw-fd protocols refuse a client that names one of them. */
static int
not_for_clients(struct lws *wsi, enum lws_callback_reasons reason,
    void *user, void *in, size_t len)
{
	if (reason == LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION ||
	    reason == LWS_CALLBACK_ESTABLISHED)
		return -1;
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static int
cb_signal(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct feedsim *fs = lws_context_user(lws_get_context(wsi));
	struct signalfd_siginfo si;

	if (reason != LWS_CALLBACK_RAW_RX_FILE)
		return not_for_clients(wsi, reason, user, in, len);
	if (read(fs->sigfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return 0;
	log_info("signal %s: stopping", strsignal((int)si.ssi_signo));
	fs->stop = 1;
	return 0;
}

/* The pacing timerfd (pump.c says why not lws_sul). */
static int
cb_timer(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct feedsim *fs = lws_context_user(lws_get_context(wsi));
	uint64_t expirations;

	if (reason != LWS_CALLBACK_RAW_RX_FILE)
		return not_for_clients(wsi, reason, user, in, len);
	if (read(fs->timerfd, &expirations, sizeof(expirations)) !=
	    (ssize_t)sizeof(expirations))
		return 0;
	pump_tick(fs);
	return 0;
}

static void
watch_fd(struct feedsim *fs, int fd, const char *protocol)
{
	lws_sock_file_fd_type u;

	u.filefd = fd;
	if (lws_adopt_descriptor_vhost(fs->vh, LWS_ADOPT_RAW_FILE_DESC, u,
	    protocol, NULL) == NULL)
		fatalx("cannot watch %s", protocol);
}

static int
path_of(struct lws *wsi)
{
	char uri[64];
	int n, i;

	if ((n = lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI)) <= 0)
		return -1;
	if (n > 1 && uri[n - 1] == '/')
		uri[n - 1] = '\0';
	for (i = 0; i < PATH_ALL; i++)
		if (strcmp(uri, path_names[i]) == 0)
			return i;
	return -1;
}

/* A copy of a peer's text that is safe to log. */
static const char *
printable(char *buf, size_t cap, const char *s, size_t n)
{
	size_t i;

	if (n >= cap)
		n = cap - 1;
	for (i = 0; i < n; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	buf[n] = '\0';
	return buf;
}

static void
client_error(struct conn *c, const char *msg, const char *what)
{
	struct feedsim *fs = c->fs;
	uint64_t held = 0;

	fs->c.client_errors++;
	if (ratelimit_ok(&fs->rl_client, clock_mono_ns(), &held))
		log_info("client error conn=%llu: %s%s", (unsigned long long)c->id,
		    what, held > 0 ? " (and others not logged)" : "");
	conn_status(c, "error", msg);
}

static uint64_t
key_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (*s != '\0')
		h = (h ^ (uint8_t)*s++) * 0x100000001b3ULL;
	return h;
}

/* want NULL: any non-empty key. Compares in constant time. */
static int
key_ok(const char *want, const char *got)
{
	size_t n, i;
	unsigned char d = 0;

	if (want == NULL)
		return got[0] != '\0';
	if ((n = strlen(want)) != strlen(got))
		return 0;
	for (i = 0; i < n; i++)
		d |= (unsigned char)(want[i] ^ got[i]);
	return d == 0;
}

/* Polygon: one connection per cluster and key; the oldest goes. */
static void
kick_others(struct conn *c)
{
	struct conn *o;

	for (o = c->fs->head; o != NULL; o = o->next) {
		if (o == c || !o->authed || o->closing || o->path != c->path ||
		    o->key_hash != c->key_hash)
			continue;
		c->fs->c.kicked++;
		log_info("kick conn=%llu for conn=%llu key=%s path=%s: "
		    "max_connections", (unsigned long long)o->id,
		    (unsigned long long)c->id, c->key_mask,
		    path_names[c->path]);
		conn_status_close(o, "max_connections",
		    "Maximum number of connections exceeded.");
	}
}

static void
on_auth(struct conn *c, char *key)
{
	struct feedsim *fs = c->fs;

	mask_key(key, c->key_mask);
	if (c->authed) {
		conn_status(c, "error", "already authenticated");
	} else if (fs->o.refuse_auth || !key_ok(fs->o.api_key, key)) {
		fs->c.auth_failed++;
		log_info("auth failed conn=%llu key=%s%s",
		    (unsigned long long)c->id, c->key_mask,
		    fs->o.refuse_auth ? " (--refuse-auth)" : "");
		conn_status_close(c, "auth_failed", "authentication failed");
	} else {
		c->authed = 1;
		c->key_hash = key_hash(key);
		fs->c.auths++;
		lws_sul_cancel(&c->auth_sul);
		log_info("auth ok conn=%llu key=%s path=%s",
		    (unsigned long long)c->id, c->key_mask,
		    path_names[c->path]);
		kick_others(c);
		conn_status(c, "auth_success", "authenticated");
	}
	explicit_bzero(key, strlen(key));
}

static void
on_subscribe(struct conn *c, const char *params, int add)
{
	const struct subs_path *p = &c->fs->paths[c->path];
	const char *cur = params, *t;
	struct frame *f = NULL;
	enum subs_status st;
	char msg[160], logbuf[128];
	size_t n;
	int len, count = 0;

	while (subs_next_topic(&cur, &t, &n)) {
		st = add ? subs_add(&c->subs, p, t, n) :
		    subs_remove(&c->subs, p, t, n);
		len = snprintf(msg, sizeof(msg), "%s: %.*s",
		    st == SUBS_FULL ? "too many subscriptions" :
		    st != SUBS_OK ? "invalid topic" :
		    add ? "subscribed to" : "unsubscribed to",
		    (int)(n > ECHO_MAX ? ECHO_MAX : n), t);
		f = conn_ack(c, f, st == SUBS_OK ? "success" : "error", msg,
		    len < (int)sizeof(msg) ? (size_t)len : sizeof(msg) - 1);
		count++;
	}
	if (count == 0)
		f = conn_ack(c, f, "error", "no topics given", 15);
	conn_ack_end(c, f);
	log_info("%s conn=%llu topics=%d held=%d params=%s",
	    add ? "subscribe" : "unsubscribe", (unsigned long long)c->id,
	    count, c->subs.n_topics,
	    printable(logbuf, sizeof(logbuf), params, strlen(params)));
}

static void
on_message(struct conn *c, const char *msg, size_t len)
{
	char action[33], echo[ECHO_MAX + 40], *params = c->fs->scratch;
	enum control_action a;

	a = control_parse(msg, len, action, sizeof(action), params,
	    CTL_MSG_MAX + 1);
	if (a == CTL_BAD_JSON)
		client_error(c, "invalid json", "invalid json");
	else if (a == CTL_AUTH)
		on_auth(c, params);
	else if (!c->authed)
		conn_status(c, "auth_required", "authentication required");
	else if (a == CTL_SUBSCRIBE || a == CTL_UNSUBSCRIBE)
		on_subscribe(c, params, a == CTL_SUBSCRIBE);
	else if (a == CTL_UNKNOWN) {
		snprintf(echo, sizeof(echo), "unknown action: %s", action);
		client_error(c, echo, "unknown action");
	} else
		client_error(c, "invalid params", "invalid params");
}

/* LWS_CALLBACK_RECEIVE: gathers a message's fragments, then acts. */
static void
on_rx(struct conn *c, const char *in, size_t len, int binary, int final)
{
	if (binary)
		c->rx_binary = 1;
	if (c->rx_len + len > CTL_MSG_MAX)
		c->rx_oversize = 1;
	if (!c->rx_oversize && !c->rx_binary) {
		/* Also for an empty message: it is read back below. */
		if (c->rx == NULL && (c->rx = malloc(CTL_MSG_MAX + 1)) == NULL)
			fatal("receive buffer");
		if (len > 0)
			memcpy(c->rx + c->rx_len, in, len);
		c->rx_len += len;
	}
	if (!final)
		return;
	if (c->closing) {
		/* On its way out: nothing more to say. */
	} else if (PATH_VENUE(c->path)) {
		if (c->rx_binary || c->rx_oversize)
			c->fs->c.client_errors++;
		if (c->rx_binary)
			venue_error(c, "binary frames are not supported", 0);
		else if (c->rx_oversize)
			venue_error(c, "Message too big", 1);
		else {
			c->rx[c->rx_len] = '\0';
			venue_message(c, c->rx, c->rx_len);
		}
	} else if (c->rx_binary)
		client_error(c, "binary frames are not supported", "binary");
	else if (c->rx_oversize) {
		c->fs->c.client_errors++;
		log_info("client error conn=%llu: message over %d bytes: "
		    "closing", (unsigned long long)c->id, CTL_MSG_MAX);
		conn_status_close(c, "error", "message too large");
	} else {
		c->rx[c->rx_len] = '\0';
		on_message(c, c->rx, c->rx_len);
	}
	c->rx_len = 0;
	c->rx_binary = c->rx_oversize = 0;
}

static void
auth_timeout(lws_sorted_usec_list_t *sul)
{
	struct conn *c = lws_container_of(sul, struct conn, auth_sul);

	if (c->authed || c->closing)
		return;
	c->fs->c.auth_timeouts++;
	log_info("auth timeout conn=%llu", (unsigned long long)c->id);
	conn_status_close(c, "auth_timeout", "authentication timed out");
}

/* --drop-every: the socket goes away with no status and no close frame. */
static void
drop_fault(lws_sorted_usec_list_t *sul)
{
	struct conn *c = lws_container_of(sul, struct conn, drop_sul);

	c->fs->c.drops++;
	log_info("fault drop conn=%llu after %gs", (unsigned long long)c->id,
	    c->fs->o.drop_every_s);
	if (shutdown(lws_get_socket_fd(c->wsi), SHUT_RDWR) == -1)
		log_warn("shutdown conn=%llu", (unsigned long long)c->id);
	lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

static int
conn_open(struct feedsim *fs, struct conn *c, struct lws *wsi)
{
	int path;

	if ((path = path_of(wsi)) < 0)
		return -1;
	memset(c, 0, sizeof(*c));
	c->fs = fs;
	c->wsi = wsi;
	c->path = path;
	c->id = ++fs->next_conn_id;
	subs_init(&c->subs);
	lws_get_peer_simple(wsi, c->peer, sizeof(c->peer));
	if ((c->prev = fs->tail) != NULL)
		fs->tail->next = c;
	else
		fs->head = c;
	fs->tail = c;
	fs->c.conns++;
	log_info("connection conn=%llu peer=%s path=%s",
	    (unsigned long long)c->id, c->peer, path_names[path]);
	if (PATH_VENUE(path))
		venue_open(c);	/* no greeting, no auth */
	else {
		conn_status(c, "connected", "Connected Successfully");
		lws_sul_schedule(fs->ctx, 0, &c->auth_sul, auth_timeout,
		    (lws_usec_t)(fs->o.auth_timeout_s * 1e6));
	}
	if (fs->o.drop_every_s > 0)
		lws_sul_schedule(fs->ctx, 0, &c->drop_sul, drop_fault,
		    (lws_usec_t)(fs->o.drop_every_s * 1e6));
	return 0;
}

static void
conn_closed(struct conn *c)
{
	struct feedsim *fs = c->fs;

	lws_sul_cancel(&c->auth_sul);
	lws_sul_cancel(&c->drop_sul);
	conn_discard(c, 0);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		fs->head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		fs->tail = c->prev;
	free(c->rx);
	log_info("closed conn=%llu frames=%llu events=%llu",
	    (unsigned long long)c->id, (unsigned long long)c->n_sent_frames,
	    (unsigned long long)c->n_sent_events);
	c->fs = NULL;
}

static int
cb_ws(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct feedsim *fs = lws_context_user(lws_get_context(wsi));
	struct conn *c = user;

	switch (reason) {
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		return path_of(wsi) < 0 ? -1 : 0;
	case LWS_CALLBACK_ESTABLISHED:
		return conn_open(fs, c, wsi);
	case LWS_CALLBACK_RECEIVE:
		if (c != NULL && c->fs != NULL)
			on_rx(c, in, len, lws_frame_is_binary(wsi),
			    lws_is_final_fragment(wsi) &&
			    lws_remaining_packet_payload(wsi) == 0);
		return 0;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return c != NULL && c->fs != NULL ? conn_writable(c) : 0;
	case LWS_CALLBACK_CLOSED:
		if (c != NULL && c->fs != NULL)
			conn_closed(c);
		return 0;
	default:
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
}

static void
lws_log(int level, const char *line)
{
	log_emit(level == LLL_ERR ? LOG_LEVEL_ERROR : LOG_LEVEL_WARN, line);
}

void
server_stats(struct feedsim *fs, const char *when)
{
	const struct counters *k = &fs->c;
	const struct conn *c;
	int live = 0;

	for (c = fs->head; c != NULL; c = c->next)
		live++;
	log_info("stats %s conns=%d opened=%llu auths=%llu auth_failed=%llu "
	    "auth_timeouts=%llu kicked=%llu slow_consumers=%llu frames=%llu "
	    "events=%llu bytes=%llu generated_stocks=%llu "
	    "generated_crypto=%llu withheld=%llu malformed=%llu drops=%llu "
	    "stalls=%llu client_errors=%llu behind_ticks=%llu "
	    "replay_frames=%llu coinbase_msgs=%llu kraken_msgs=%llu "
	    "binance_msgs=%llu flooded=%llu", when, live,
	    (unsigned long long)k->conns, (unsigned long long)k->auths,
	    (unsigned long long)k->auth_failed,
	    (unsigned long long)k->auth_timeouts,
	    (unsigned long long)k->kicked,
	    (unsigned long long)k->slow_consumers,
	    (unsigned long long)k->frames_sent,
	    (unsigned long long)k->events_sent,
	    (unsigned long long)k->bytes_sent,
	    (unsigned long long)k->generated[PATH_STOCKS],
	    (unsigned long long)k->generated[PATH_CRYPTO],
	    (unsigned long long)k->withheld, (unsigned long long)k->malformed,
	    (unsigned long long)k->drops, (unsigned long long)k->stalls,
	    (unsigned long long)k->client_errors,
	    (unsigned long long)k->behind_ticks,
	    (unsigned long long)k->replay_frames,
	    (unsigned long long)k->venue_msgs[VENUE_COINBASE],
	    (unsigned long long)k->venue_msgs[VENUE_KRAKEN],
	    (unsigned long long)k->venue_msgs[VENUE_BINANCE],
	    (unsigned long long)(fs->mkt[PATH_STOCKS].n_flood +
	    fs->mkt[PATH_CRYPTO].n_flood));
}

static void
stats_tick(lws_sorted_usec_list_t *sul)
{
	struct feedsim *fs = lws_container_of(sul, struct feedsim, stats_sul);

	server_stats(fs, "minute");
	lws_sul_schedule(fs->ctx, 0, &fs->stats_sul, stats_tick,
	    STATS_EVERY_US);
}

static void
context_info(struct feedsim *fs, struct lws_context_creation_info *info)
{
	memset(info, 0, sizeof(*info));
	info->port = fs->o.port;
	info->iface = fs->o.host[0] != '\0' ? fs->o.host : NULL;
	info->protocols = protocols;
	info->user = fs;
	info->vhost_name = "default";
	info->options = LWS_SERVER_OPTION_FAIL_UPON_UNABLE_TO_BIND;
	if (fs->o.host[0] != '\0' && strchr(fs->o.host, ':') == NULL)
		info->options |= LWS_SERVER_OPTION_DISABLE_IPV6;
	if (fs->o.tls_cert != NULL) {
		info->options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
		info->ssl_cert_filepath = fs->o.tls_cert;
		info->ssl_private_key_filepath = fs->o.tls_key;
		info->alpn = "http/1.1";	/* WebSocket over h1 */
	}
}

void
server_open(struct feedsim *fs)
{
	struct lws_context_creation_info info;

	lws_set_log_level(LLL_ERR | LLL_WARN, lws_log);
	context_info(fs, &info);
	if ((fs->ctx = lws_create_context(&info)) == NULL)
		fatalx("cannot serve on %s", fs->o.listen);
	if ((fs->vh = lws_get_vhost_by_name(fs->ctx, "default")) == NULL)
		fatalx("no vhost");
	watch_fd(fs, fs->sigfd, "feedsim-signal");
	watch_fd(fs, fs->timerfd = pump_timer_open(), "feedsim-timer");
	log_info("listening url=%s://%s:%d "
	    "paths=/stocks,/crypto,/coinbase,/kraken,/binance mode=%s",
	    fs->o.tls_cert != NULL ? "wss" : "ws",
	    fs->o.host[0] != '\0' ? fs->o.host : "0.0.0.0",
	    lws_get_vhost_listen_port(fs->vh),
	    fs->o.replay != NULL ? "replay" : "synthetic");
	lws_sul_schedule(fs->ctx, 0, &fs->stats_sul, stats_tick,
	    STATS_EVERY_US);
}

void
server_close(struct feedsim *fs)
{
	lws_context_destroy(fs->ctx);
	fs->ctx = NULL;
	sentlog_flush(fs);
}
