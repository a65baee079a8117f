/*
 * Requests and responses (http.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "http.h"
#include "jsonw.h"
#include "log.h"

static const char *const method_names[] = {
	[HTTP_OTHER] = "OTHER", [HTTP_GET] = "GET", [HTTP_HEAD] = "HEAD",
	[HTTP_POST] = "POST", [HTTP_PUT] = "PUT", [HTTP_PATCH] = "PATCH",
	[HTTP_DELETE] = "DELETE", [HTTP_OPTIONS] = "OPTIONS"
};

void
http_req_init(struct http_req *r)
{
	memset(r, 0, sizeof(*r));
}

void
http_req_free(struct http_req *r)
{
	if (r->body != NULL) {
		/* Login and password bodies held secrets. */
		explicit_bzero(r->body, r->body_len);
		free(r->body);
	}
	r->body = NULL;
	r->body_len = 0;
}

enum http_method
http_method_parse(const char *s)
{
	int m;

	for (m = HTTP_GET; m <= HTTP_OPTIONS; m++)
		if (strcmp(s, method_names[m]) == 0)
			return (enum http_method)m;
	return HTTP_OTHER;
}

const char *
http_method_name(enum http_method m)
{
	if ((int)m < 0 || m > HTTP_OPTIONS)
		return "OTHER";
	return method_names[m];
}

int
http_method_unsafe(enum http_method m)
{
	return m != HTTP_GET && m != HTTP_HEAD && m != HTTP_OPTIONS;
}

int
http_req_add_arg(struct http_req *r, const char *name, size_t name_len,
    const char *value, size_t value_len)
{
	size_t used = 0;
	char *p;

	if (r->n_args > 0) {
		/* Arguments are packed one after another in argbuf. */
		const struct http_arg *last = &r->args[r->n_args - 1];

		used = (size_t)(last->value - r->argbuf) +
		    strlen(last->value) + 1;
	}
	if (r->n_args == HTTP_MAX_ARGS ||
	    name_len + value_len + 2 > sizeof(r->argbuf) - used) {
		r->args_overflow = 1;
		return -1;
	}
	p = r->argbuf + used;
	memcpy(p, name, name_len);
	p[name_len] = '\0';
	r->args[r->n_args].name = p;
	p += name_len + 1;
	memcpy(p, value, value_len);
	p[value_len] = '\0';
	r->args[r->n_args].value = p;
	r->n_args++;
	return 0;
}

void
http_resp_init(struct http_resp *r)
{
	memset(r, 0, sizeof(*r));
	r->status = 500;
	r->content_type = HTTP_JSON;
	buf_init(&r->body);
}

void
http_resp_free(struct http_resp *r)
{
	buf_free(&r->body);
}

void
http_resp_header(struct http_resp *r, const char *name, const char *fmt,
    ...)
{
	struct http_header *h;
	va_list ap;
	int n;

	if (r->n_headers == HTTP_RESP_HEADERS)
		fatalx("too many response headers (%s)", name);
	h = &r->headers[r->n_headers++];
	h->name = name;
	va_start(ap, fmt);
	n = vsnprintf(h->value, sizeof(h->value), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(h->value))
		fatalx("response header %s too long", name);
}

const char *
http_resp_header_get(const struct http_resp *r, const char *name)
{
	int i;

	for (i = 0; i < r->n_headers; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	return NULL;
}

void
http_resp_json_text(struct http_resp *r, int status, const char *text,
    size_t len)
{
	r->status = status;
	r->content_type = HTTP_JSON;
	r->body.len = 0;
	buf_add(&r->body, text, len);
}

void
http_resp_error(struct http_resp *r, int status, const char *fmt, ...)
{
	char reason[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	r->status = status;
	r->content_type = HTTP_JSON;
	r->body.len = 0;
	buf_adds(&r->body, "{\"error\":");
	jsonw_cstr(&r->body, reason);
	buf_adds(&r->body, "}");
}

void
http_date(int64_t unix_s, char out[HTTP_DATE_LEN + 1])
{
	/* By hand: strftime's names follow the locale. */
	static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t t = (time_t)unix_s;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL) {
		snprintf(out, HTTP_DATE_LEN + 1, "Thu, 01 Jan 1970 00:00:00 GMT");
		return;
	}
	snprintf(out, HTTP_DATE_LEN + 1, "%s, %02d %s %04d %02d:%02d:%02d GMT",
	    days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
	    (tm.tm_year + 1900) % 10000, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

int
http_status_class(int status)
{
	if (status < 100 || status > 599)
		return 4;
	return status / 100 - 1;
}

const char *
http_status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "";
	}
}
