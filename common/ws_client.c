/*
 * The reconnecting WebSocket client (ws_client.h) on libwebsockets 4.1.
 *
 * States: WAITING (a connect is scheduled) -> CONNECTING -> OPEN, and from
 * either back to WAITING through connection_ended(), the one place that
 * schedules the next attempt. A connect is only ever scheduled from there,
 * after the old connection is gone, so two connections never overlap.
 * Signals arrive on a signalfd adopted into the lws loop.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <libwebsockets.h>

#include "backoff.h"
#include "clock.h"
#include "log.h"
#include "sigfd.h"
#include "stall.h"
#include "tick.h"
#include "ws_client.h"

#define PROTO_NAME		"tw-ws-client"
#define SENDQ_LEN		16
#define HEALTHY_AFTER_NS	(10 * NS_PER_S)	/* then backoff starts over */
#define STOP_GRACE_US		(500 * 1000)
#define URL_MAX			1024
#define RX_INITIAL		(64 * 1024)

enum ws_state { WS_WAITING, WS_CONNECTING, WS_OPEN, WS_STOPPED };

struct ws_msg {
	unsigned char	*buf;		/* LWS_PRE bytes, then the message */
	size_t		 len;
};

struct ws_client {
	struct ws_client_config	 cfg;
	struct lws_context	*ctx;
	struct lws		*wsi;
	enum ws_state		 state;
	int			 quit;
	int			 closing;	/* our side asked to close */
	int			 sigfd;
	int			 timerfd;	/* ws_client_timer() */
	struct lws		*sig_wsi;
	struct lws		*timer_wsi;

	char			 url[URL_MAX];	/* as given, for logs */
	char			 url_parts[URL_MAX];
	const char		*host;
	char			 path[URL_MAX];
	int			 port;
	int			 use_tls;

	lws_sorted_usec_list_t	 sul_connect;
	lws_sorted_usec_list_t	 sul_second;
	lws_sorted_usec_list_t	 sul_stop;

	struct stall		 stall;
	unsigned		 attempt;	/* failed attempts in a row */
	int64_t			 healthy_since_ns;
	char			 reason[160];

	char			*rx;
	size_t			 rx_len, rx_cap;
	int			 rx_oversize;

	struct ws_msg		 sendq[SENDQ_LEN];
	unsigned		 sq_head, sq_n;

	struct ws_client_stats	 stats;
};

static const lws_retry_bo_t ping_policy = {
	/* lws pings a silent link and drops it if no pong comes. */
	.secs_since_valid_ping = 20,
	.secs_since_valid_hangup = 30,
};

static void	connect_now(lws_sorted_usec_list_t *);

static void
lws_log_hook(int level, const char *line)
{
	log_emit(level == LLL_ERR ? LOG_LEVEL_ERROR : LOG_LEVEL_WARN, line);
}

static void
sendq_clear(struct ws_client *c)
{
	while (c->sq_n > 0) {
		free(c->sendq[c->sq_head].buf);
		c->sq_head = (c->sq_head + 1) % SENDQ_LEN;
		c->sq_n--;
	}
}

static void
schedule_connect(struct ws_client *c)
{
	uint32_t r = 0;
	int64_t now = clock_now_ns(), delay_ms;

	if (c->healthy_since_ns != 0 &&
	    now - c->healthy_since_ns >= HEALTHY_AFTER_NS)
		c->attempt = 0;
	c->healthy_since_ns = 0;
	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r = (uint32_t)now;
	delay_ms = backoff_delay_ms(c->attempt++, r);
	log_info("reconnecting in %lld ms url=%s attempt=%u",
	    (long long)delay_ms, c->url, c->attempt);
	c->state = WS_WAITING;
	lws_sul_schedule(c->ctx, 0, &c->sul_connect, connect_now,
	    delay_ms * 1000);
}

/* The one place a connection ends: report it, then plan the next one. */
static void
connection_ended(struct ws_client *c, const char *why)
{
	if (c->state != WS_CONNECTING && c->state != WS_OPEN)
		return;
	if (c->state == WS_CONNECTING)
		c->stats.connect_failures++;
	if (!c->closing || c->reason[0] == '\0')
		snprintf(c->reason, sizeof(c->reason), "%s", why);
	c->wsi = NULL;
	c->stats.is_open = 0;
	c->closing = 0;
	c->rx_len = 0;
	c->rx_oversize = 0;
	sendq_clear(c);
	log_warnx("connection ended url=%s reason=\"%s\"", c->url, c->reason);
	if (c->cfg.ev->on_close != NULL)
		c->cfg.ev->on_close(c, c->reason, c->cfg.arg);
	c->reason[0] = '\0';
	if (c->quit) {
		c->state = WS_STOPPED;
		return;
	}
	schedule_connect(c);
}

static void
connect_now(lws_sorted_usec_list_t *sul)
{
	struct ws_client *c = lws_container_of(sul, struct ws_client,
	    sul_connect);
	struct lws_client_connect_info i;
	struct lws *wsi;

	if (c->quit)
		return;
	memset(&i, 0, sizeof(i));
	i.context = c->ctx;
	i.address = c->host;
	i.port = c->port;
	i.path = c->path;
	i.host = c->host;
	i.origin = c->host;
	i.ssl_connection = c->use_tls ? LCCSCF_USE_SSL : 0;
	i.alpn = "http/1.1";
	i.local_protocol_name = PROTO_NAME;
	i.retry_and_idle_policy = &ping_policy;
	c->state = WS_CONNECTING;
	c->stats.connects++;
	log_info("connecting url=%s", c->url);
	wsi = lws_client_connect_via_info(&i);
	/* An error may already have been reported from inside the call. */
	if (c->state != WS_CONNECTING)
		return;
	if (wsi == NULL) {
		connection_ended(c, "connect failed");
		return;
	}
	c->wsi = wsi;
}

static void
rx_append(struct ws_client *c, const void *in, size_t len)
{
	size_t cap;
	char *p;

	if (c->rx_oversize)
		return;
	if (c->rx_len + len > c->cfg.max_message) {
		c->rx_oversize = 1;
		return;
	}
	if (c->rx_len + len > c->rx_cap) {
		cap = c->rx_cap == 0 ? RX_INITIAL : c->rx_cap;
		while (cap < c->rx_len + len)
			cap *= 2;
		if ((p = realloc(c->rx, cap)) == NULL)
			fatal("realloc");
		c->rx = p;
		c->rx_cap = cap;
	}
	memcpy(c->rx + c->rx_len, in, len);
	c->rx_len += len;
}

static void
on_receive(struct ws_client *c, struct lws *wsi, const void *in, size_t len)
{
	rx_append(c, in, len);
	if (!lws_is_final_fragment(wsi))
		return;
	if (c->rx_oversize) {
		c->stats.oversize++;
		log_warnx("message over %zu bytes dropped url=%s",
		    c->cfg.max_message, c->url);
	} else {
		c->stats.messages++;
		c->stats.bytes += c->rx_len;
		c->cfg.ev->on_frame(c, c->rx, c->rx_len, clock_now_ns(),
		    c->cfg.arg);
	}
	c->rx_len = 0;
	c->rx_oversize = 0;
}

static int
on_writeable(struct ws_client *c, struct lws *wsi)
{
	struct ws_msg *m;
	int n;

	if (c->closing)
		return -1;	/* closes the connection */
	if (c->sq_n == 0)
		return 0;
	m = &c->sendq[c->sq_head];
	n = lws_write(wsi, m->buf + LWS_PRE, m->len, LWS_WRITE_TEXT);
	free(m->buf);
	c->sq_head = (c->sq_head + 1) % SENDQ_LEN;
	c->sq_n--;
	if (n < (int)m->len)
		return -1;
	if (c->sq_n > 0)
		lws_callback_on_writable(wsi);
	return 0;
}

static void
on_signal(struct ws_client *c)
{
	struct signalfd_siginfo si;

	if (read(c->sigfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return;
	log_info("signal %u: stopping", si.ssi_signo);
	ws_client_stop(c);
}

static void
on_timerfd(struct ws_client *c)
{
	uint64_t expirations;

	if (read(c->timerfd, &expirations, sizeof(expirations)) !=
	    (ssize_t)sizeof(expirations))
		return;
	if (c->cfg.ev->on_timer != NULL && !c->quit)
		c->cfg.ev->on_timer(c, clock_now_ns(), c->cfg.arg);
}

static int
on_established(struct ws_client *c, struct lws *wsi)
{
	int64_t now = clock_now_ns();

	if (c->state != WS_CONNECTING || wsi != c->wsi)
		return -1;
	c->state = WS_OPEN;
	c->stats.connected++;
	if (c->stats.connected > 1)
		c->stats.reconnects++;
	c->stats.is_open = 1;
	stall_connected(&c->stall, now);
	log_info("connected url=%s", c->url);
	if (c->cfg.ev->on_open != NULL)
		c->cfg.ev->on_open(c, c->cfg.arg);
	return 0;
}

static int
ws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct ws_client *c = lws_context_user(lws_get_context(wsi));

	(void)user;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		return on_established(c, wsi);
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (wsi == c->wsi)
			on_receive(c, wsi, in, len);
		return 0;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		return wsi == c->wsi ? on_writeable(c, wsi) : -1;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (c->state == WS_CONNECTING)
			connection_ended(c, in != NULL ? (const char *)in :
			    "connection error");
		return 0;
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (wsi == c->wsi)
			connection_ended(c, "closed");
		return 0;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (wsi == c->wsi && len >= 2)
			snprintf(c->reason, sizeof(c->reason),
			    "peer closed code=%u",
			    ((const unsigned char *)in)[0] << 8 |
			    ((const unsigned char *)in)[1]);
		return 0;
	case LWS_CALLBACK_RAW_RX_FILE:
		if (wsi == c->sig_wsi)
			on_signal(c);
		else if (wsi == c->timer_wsi)
			on_timerfd(c);
		return 0;
	default:
		return 0;
	}
}

static const struct lws_protocols protocols[] = {
	{ PROTO_NAME, ws_callback, 0, 0, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

static void
second_tick(lws_sorted_usec_list_t *sul)
{
	struct ws_client *c = lws_container_of(sul, struct ws_client,
	    sul_second);
	int64_t now = clock_now_ns();

	c->stats.stall_limit_ns = stall_limit_ns(&c->stall);
	if (c->state == WS_OPEN && !c->closing &&
	    stall_expired(&c->stall, now)) {
		c->stats.stalls++;
		log_warnx("feed stalled: no data for %lld ms (limit %lld ms)",
		    (long long)((now - c->stall.last_data_ns) / NS_PER_MS),
		    (long long)(c->stats.stall_limit_ns / NS_PER_MS));
		ws_client_restart(c, "stalled");
	}
	if (c->cfg.ev->on_second != NULL)
		c->cfg.ev->on_second(c, now, c->cfg.arg);
	if (!c->quit)
		lws_sul_schedule(c->ctx, 0, &c->sul_second, second_tick,
		    LWS_US_PER_SEC);
}


static void
stop_wakeup(lws_sorted_usec_list_t *sul)
{
	struct ws_client *c = lws_container_of(sul, struct ws_client,
	    sul_stop);

	/* The grace period is over: leave even if the close is unfinished. */
	c->state = WS_STOPPED;
}

static int
parse_url(struct ws_client *c, const char *url)
{
	const char *scheme, *path;

	if (strlen(url) >= sizeof(c->url))
		return -1;
	snprintf(c->url, sizeof(c->url), "%s", url);
	snprintf(c->url_parts, sizeof(c->url_parts), "%s", url);
	if (lws_parse_uri(c->url_parts, &scheme, &c->host, &c->port,
	    &path) != 0 || *c->host == '\0')
		return -1;
	if (strcmp(scheme, "wss") == 0)
		c->use_tls = 1;
	else if (strcmp(scheme, "ws") != 0)
		return -1;
	if (c->use_tls && strstr(url, "://") != NULL &&
	    strchr(strstr(url, "://") + 3, ':') == NULL)
		c->port = 443;	/* lws_parse_uri defaults to 80 */
	snprintf(c->path, sizeof(c->path), "/%s", path);
	return 0;
}

struct ws_client *
ws_client_open(const struct ws_client_config *cfg)
{
	struct lws_context_creation_info info;
	struct ws_client *c;
	struct lws_vhost *vh;
	lws_sock_file_fd_type fd;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		fatal("calloc");
	c->cfg = *cfg;
	if (c->cfg.max_message == 0)
		c->cfg.max_message = 16u * 1024 * 1024;
	if (parse_url(c, cfg->url) == -1)
		fatalx("bad feed url \"%s\": want ws://host[:port]/path or "
		    "wss://...", cfg->url);
	stall_init(&c->stall, cfg->stall_min_ms * NS_PER_MS,
	    cfg->stall_max_ms * NS_PER_MS, cfg->stall_factor);
	c->sigfd = sigfd_open();
	lws_set_log_level(LLL_ERR | LLL_WARN, lws_log_hook);

	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.client_ssl_ca_filepath = cfg->ca_file;
	info.user = c;
	info.pt_serv_buf_size = 256 * 1024;	/* fewer, larger reads */
	info.connect_timeout_secs = 10;
	if ((c->ctx = lws_create_context(&info)) == NULL)
		fatalx("cannot create the websocket context");

	/*
	 * Short timers are a timerfd in the loop, not an lws_sul: lws 4.1
	 * rounds a sul's wait down to whole milliseconds, so a 1 ms sul makes
	 * poll() spin with a zero timeout until it is due.
	 */
	if ((c->timerfd = timerfd_create(CLOCK_MONOTONIC,
	    TFD_NONBLOCK | TFD_CLOEXEC)) == -1)
		fatal("timerfd_create");
	vh = lws_get_vhost_by_name(c->ctx, "default");
	fd.filefd = c->sigfd;
	if ((c->sig_wsi = lws_adopt_descriptor_vhost(vh,
	    LWS_ADOPT_RAW_FILE_DESC, fd, PROTO_NAME, NULL)) == NULL)
		fatalx("cannot watch the signal descriptor");
	fd.filefd = c->timerfd;
	if ((c->timer_wsi = lws_adopt_descriptor_vhost(vh,
	    LWS_ADOPT_RAW_FILE_DESC, fd, PROTO_NAME, NULL)) == NULL)
		fatalx("cannot watch the timer descriptor");
	return c;
}

void
ws_client_run(struct ws_client *c)
{
	lws_sul_schedule(c->ctx, 0, &c->sul_connect, connect_now, 1);
	lws_sul_schedule(c->ctx, 0, &c->sul_second, second_tick,
	    LWS_US_PER_SEC);
	while (c->state != WS_STOPPED)
		if (lws_service(c->ctx, 0) < 0)
			break;
}

void
ws_client_stop(struct ws_client *c)
{
	if (c->quit)
		return;
	c->quit = 1;
	lws_sul_cancel(&c->sul_connect);
	lws_sul_cancel(&c->sul_second);
	if (c->state == WS_OPEN || c->state == WS_CONNECTING) {
		snprintf(c->reason, sizeof(c->reason), "stopping");
		c->closing = 1;
		if (c->wsi != NULL) {
			lws_callback_on_writable(c->wsi);
			lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, 1);
		}
		lws_sul_schedule(c->ctx, 0, &c->sul_stop, stop_wakeup,
		    STOP_GRACE_US);
	} else
		c->state = WS_STOPPED;
}

void
ws_client_close(struct ws_client *c)
{
	if (c == NULL)
		return;
	lws_context_destroy(c->ctx);	/* closes the adopted descriptors */
	sendq_clear(c);
	free(c->rx);
	free(c);
}

int
ws_client_send(struct ws_client *c, const char *text, size_t len)
{
	struct ws_msg *m;

	if (c->state != WS_OPEN || c->closing || c->sq_n == SENDQ_LEN) {
		c->stats.send_dropped++;
		return -1;
	}
	m = &c->sendq[(c->sq_head + c->sq_n) % SENDQ_LEN];
	if ((m->buf = malloc(LWS_PRE + len)) == NULL)
		fatal("malloc");
	memcpy(m->buf + LWS_PRE, text, len);
	m->len = len;
	c->sq_n++;
	lws_callback_on_writable(c->wsi);
	return 0;
}

void
ws_client_data(struct ws_client *c, int64_t now_ns)
{
	stall_data(&c->stall, now_ns);
	c->stats.last_data_ns = now_ns;
	if (c->healthy_since_ns == 0)
		c->healthy_since_ns = now_ns;
}

void
ws_client_restart(struct ws_client *c, const char *reason)
{
	if (c->state != WS_OPEN || c->closing || c->wsi == NULL)
		return;
	snprintf(c->reason, sizeof(c->reason), "%s", reason);
	c->closing = 1;
	lws_callback_on_writable(c->wsi);
	/* If the socket never turns writable, lws closes it anyway. */
	lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, 2);
}

void
ws_client_timer(struct ws_client *c, int64_t delay_us)
{
	struct itimerspec it;

	if (c->quit)
		return;
	memset(&it, 0, sizeof(it));
	if (delay_us <= 0)
		delay_us = 1;	/* zero would disarm it */
	it.it_value.tv_sec = delay_us / 1000000;
	it.it_value.tv_nsec = (delay_us % 1000000) * 1000;
	if (timerfd_settime(c->timerfd, 0, &it, NULL) == -1)
		log_warn("timerfd_settime");
}

const struct ws_client_stats *
ws_client_stats(const struct ws_client *c)
{
	return &c->stats;
}

const char *
ws_client_url(const struct ws_client *c)
{
	return c->url;
}
