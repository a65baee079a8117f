/*
 * One HTTP transaction as webui's layers pass it around: the lws thread
 * copies what matters of a request into struct http_req and hands it to a
 * worker; the worker fills struct http_resp; the lws thread writes it.
 * Nothing here knows libwebsockets, so the API is tested without a
 * server. No I/O.
 */
#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define HTTP_BODY_MAX		(64 * 1024)	/* bytes; more is a 413 */
#define HTTP_PATH_MAX		1024
#define HTTP_MAX_ARGS		32
#define HTTP_ARGS_BYTES		4096
#define HTTP_COOKIE_MAX		4096
#define HTTP_HEADER_MAX		512	/* Authorization, Origin, Host... */
#define HTTP_ADDR_MAX		64
#define HTTP_RESP_HEADERS	8
#define HTTP_RESP_VALUE_MAX	256
#define HTTP_SESSION_KEY_LEN	64	/* hex of a 32-byte token hash */

enum http_method {
	HTTP_OTHER = 0,		/* anything else: 405 */
	HTTP_GET,
	HTTP_HEAD,
	HTTP_POST,
	HTTP_PUT,
	HTTP_PATCH,
	HTTP_DELETE,
	HTTP_OPTIONS
};

/* One query parameter, percent-decoded; value "" when there was no '='. */
struct http_arg {
	const char	*name;
	const char	*value;
};

/*
 * A request. Header values are "" when absent; has_* says whether a
 * header was sent at all (an empty Origin is not a missing one).
 */
struct http_req {
	enum http_method method;
	char		 path[HTTP_PATH_MAX + 1];	/* decoded, no query */
	struct http_arg	 args[HTTP_MAX_ARGS];
	int		 n_args;
	int		 args_overflow;	/* too many or too long: a 400 */
	char		 argbuf[HTTP_ARGS_BYTES];

	char		 cookie[HTTP_COOKIE_MAX + 1];
	char		 authorization[HTTP_HEADER_MAX + 1];
	char		 origin[HTTP_HEADER_MAX + 1];
	char		 host[HTTP_HEADER_MAX + 1];
	char		 sec_fetch_site[HTTP_HEADER_MAX + 1];
	char		 content_type[HTTP_HEADER_MAX + 1];
	char		 csrf[HTTP_HEADER_MAX + 1];	/* X-CSRF-Token */
	int		 has_origin;
	int		 has_authorization;
	int		 header_too_long;	/* one was cut: a 400 */
	char		 client_addr[HTTP_ADDR_MAX];

	char		*body;		/* NUL-terminated, malloc'd or NULL */
	size_t		 body_len;
	int64_t		 now_ms;	/* set when a worker takes it */
};

struct http_header {
	const char	*name;		/* a static string, e.g. "Set-Cookie" */
	char		 value[HTTP_RESP_VALUE_MAX];
};

enum http_cache {
	HTTP_CACHE_NO_STORE = 0,	/* API answers: never cached */
	HTTP_CACHE_NO_CACHE		/* static files: revalidate */
};

/* What the lws thread counts about an answer (stats.h). */
enum http_event {
	HTTP_EV_NONE = 0,
	HTTP_EV_LOGIN_OK,
	HTTP_EV_LOGIN_FAILED,
	HTTP_EV_LOGIN_THROTTLED,
	HTTP_EV_CSRF_REFUSED
};

struct http_resp {
	int		 status;
	const char	*content_type;	/* static string */
	enum http_cache	 cache;
	struct http_header headers[HTTP_RESP_HEADERS];
	int		 n_headers;
	struct buf	 body;
	int		 close;		/* close the connection after it */
	enum http_event	 event;
	/* A session whose /live sockets the lws thread must close. */
	char		 end_session[HTTP_SESSION_KEY_LEN + 1];
};

void		 http_req_init(struct http_req *);
void		 http_req_free(struct http_req *);
/* "GET" -> HTTP_GET; anything unknown is HTTP_OTHER. */
enum http_method http_method_parse(const char *);
const char	*http_method_name(enum http_method);
/* Whether a method changes state (CSRF rules apply). */
int		 http_method_unsafe(enum http_method);
/* Adds a query parameter, copying into argbuf; -1 marks args_overflow. */
int		 http_req_add_arg(struct http_req *, const char *name,
		    size_t name_len, const char *value, size_t value_len);

void		 http_resp_init(struct http_resp *);
void		 http_resp_free(struct http_resp *);
/* Adds a header; a value too long is a programming error (fatal). */
void		 http_resp_header(struct http_resp *, const char *name,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
const char	*http_resp_header_get(const struct http_resp *,
		    const char *name);
/* Replaces the body with JSON text taken from a buffer. */
void		 http_resp_json_text(struct http_resp *, int status,
		    const char *text, size_t len);
/* {"error":"REASON"} with the given status. */
void		 http_resp_error(struct http_resp *, int status,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* An IMF-fixdate for the Date header: "Sun, 06 Nov 1994 08:49:37 GMT". */
#define HTTP_DATE_LEN		29
void		 http_date(int64_t unix_s, char out[HTTP_DATE_LEN + 1]);
/* "1xx".."5xx" index 0..4 of a status, for counters. */
int		 http_status_class(int status);
const char	*http_status_text(int status);

#define HTTP_JSON	"application/json; charset=utf-8"
#define HTTP_CSV	"text/csv; charset=utf-8"
#define HTTP_PROM	"text/plain; version=0.0.4; charset=utf-8"

#endif /* HTTP_H */
