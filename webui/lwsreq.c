/*
 * Requests out of lws (lwsreq.h).
 */
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "jsonw.h"
#include "lwsreq.h"

static const struct {
	enum lws_token_indexes	 tok;
	enum http_method	 method;
} method_tokens[] = {
	{ WSI_TOKEN_GET_URI, HTTP_GET },
	{ WSI_TOKEN_POST_URI, HTTP_POST },
	{ WSI_TOKEN_HEAD_URI, HTTP_HEAD },
	{ WSI_TOKEN_PUT_URI, HTTP_PUT },
	{ WSI_TOKEN_PATCH_URI, HTTP_PATCH },
	{ WSI_TOKEN_DELETE_URI, HTTP_DELETE },
	{ WSI_TOKEN_OPTIONS_URI, HTTP_OPTIONS },
	{ WSI_TOKEN_CONNECT, HTTP_OTHER },
};

/* A known header into dst; "" when absent, *too_long when cut. */
static int
copy_token(struct lws *wsi, enum lws_token_indexes tok, char *dst,
    size_t cap, int *too_long)
{
	int n;

	dst[0] = '\0';
	if (lws_hdr_total_length(wsi, tok) <= 0)
		return 0;
	if ((n = lws_hdr_copy(wsi, dst, (int)cap, tok)) < 0) {
		dst[0] = '\0';
		*too_long = 1;
		return 0;
	}
	return 1;
}

/* A header lws does not know (name lowercase, with the colon). */
static int
copy_custom(struct lws *wsi, const char *name, char *dst, size_t cap,
    int *too_long)
{
	int nlen = (int)strlen(name), n;

	dst[0] = '\0';
	if ((n = lws_hdr_custom_length(wsi, name, nlen)) < 0)
		return 0;
	if ((size_t)n >= cap || lws_hdr_custom_copy(wsi, dst, (int)cap, name,
	    nlen) < 0) {
		dst[0] = '\0';
		*too_long = 1;
		return 0;
	}
	return 1;
}

static void
copy_args(struct lws *wsi, struct http_req *r)
{
	char frag[HTTP_ARGS_BYTES];
	const char *eq;
	int i, n;

	for (i = 0; (n = lws_hdr_copy_fragment(wsi, frag, sizeof(frag),
	    WSI_TOKEN_HTTP_URI_ARGS, i)) >= 0 || lws_hdr_fragment_length(wsi,
	    WSI_TOKEN_HTTP_URI_ARGS, i) > 0; i++) {
		if (n < 0) {		/* longer than frag */
			r->args_overflow = 1;
			return;
		}
		if (n == 0)		/* "?", "a=1&&b=2" */
			continue;
		if ((eq = memchr(frag, '=', (size_t)n)) != NULL)
			http_req_add_arg(r, frag, (size_t)(eq - frag), eq + 1,
			    (size_t)n - (size_t)(eq - frag) - 1);
		else
			http_req_add_arg(r, frag, (size_t)n, "", 0);
	}
}

static void
copy_addr(struct lws *wsi, struct http_req *r)
{
	char addr[HTTP_ADDR_MAX];

	addr[0] = '\0';
	lws_get_peer_simple(wsi, addr, sizeof(addr));
	/* An IPv4 client of a dual-stack socket: throttle its plain form. */
	if (strncmp(addr, "::ffff:", 7) == 0 && strchr(addr + 7, '.') != NULL)
		memmove(addr, addr + 7, strlen(addr + 7) + 1);
	snprintf(r->client_addr, sizeof(r->client_addr), "%s",
	    addr[0] != '\0' ? addr : "unknown");
}

void
lwsreq_copy(struct lws *wsi, const char *path, struct http_req *r)
{
	size_t i;
	int tl = 0;

	r->method = HTTP_OTHER;
	for (i = 0; i < sizeof(method_tokens) / sizeof(method_tokens[0]); i++)
		if (lws_hdr_total_length(wsi, method_tokens[i].tok) > 0) {
			r->method = method_tokens[i].method;
			break;
		}
	if (strlen(path) > HTTP_PATH_MAX)
		tl = 1;
	snprintf(r->path, sizeof(r->path), "%s", path);
	copy_args(wsi, r);
	copy_token(wsi, WSI_TOKEN_HTTP_COOKIE, r->cookie, sizeof(r->cookie),
	    &tl);
	r->has_authorization = copy_token(wsi, WSI_TOKEN_HTTP_AUTHORIZATION,
	    r->authorization, sizeof(r->authorization), &tl);
	r->has_origin = copy_token(wsi, WSI_TOKEN_ORIGIN, r->origin,
	    sizeof(r->origin), &tl);
	copy_token(wsi, WSI_TOKEN_HOST, r->host, sizeof(r->host), &tl);
	copy_token(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE, r->content_type,
	    sizeof(r->content_type), &tl);
	copy_custom(wsi, "sec-fetch-site:", r->sec_fetch_site,
	    sizeof(r->sec_fetch_site), &tl);
	copy_custom(wsi, "x-csrf-token:", r->csrf, sizeof(r->csrf), &tl);
	r->header_too_long = tl;
	copy_addr(wsi, r);
}

const char *
lwsreq_malformed(struct lws *wsi, const char *path)
{
	char version[16];
	size_t i;
	int n;

	n = lws_hdr_copy(wsi, version, sizeof(version), WSI_TOKEN_HTTP);
	if (n <= 0 || (strcmp(version, "HTTP/1.1") != 0 &&
	    strcmp(version, "HTTP/1.0") != 0))
		return "bad HTTP version";
	if (strcmp(version, "HTTP/1.1") == 0 &&
	    lws_hdr_total_length(wsi, WSI_TOKEN_HOST) <= 0)
		return "Host header required";
	/* lws decodes %00 into the path: it would end the C string early. */
	for (i = 0; i < sizeof(method_tokens) / sizeof(method_tokens[0]); i++)
		if ((n = lws_hdr_total_length(wsi, method_tokens[i].tok)) > 0)
			return (size_t)n != strlen(path) ? "NUL in the path" :
			    NULL;
	return NULL;
}

int
lwsreq_write_error(struct lws *wsi, int status, const char *reason)
{
	unsigned char buf[LWS_PRE + 4096], *start = buf + LWS_PRE, *p = start,
	    *end = buf + sizeof(buf) - 1;
	char date[HTTP_DATE_LEN + 1];
	struct buf body;
	int rc = -1;

	http_date(clock_now_ns() / 1000000000, date);
	buf_init(&body);
	buf_adds(&body, "{\"error\":");
	jsonw_cstr(&body, reason);
	buf_addc(&body, '}');
	if (lws_add_http_header_status(wsi, (unsigned)status, &p, end) ||
	    lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_DATE,
	    (const unsigned char *)date, HTTP_DATE_LEN, &p, end) ||
	    lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE,
	    (const unsigned char *)"application/json; charset=utf-8", 31, &p,
	    end) ||
	    lws_add_http_header_content_length(wsi, body.len, &p, end) ||
	    lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CACHE_CONTROL,
	    (const unsigned char *)"no-store", 8, &p, end) ||
	    lws_add_http_header_by_token(wsi, WSI_TOKEN_CONNECTION,
	    (const unsigned char *)"close", 5, &p, end) ||
	    lws_finalize_http_header(wsi, &p, end) ||
	    (size_t)(end - p) < body.len)
		goto done;
	memcpy(p, body.p, body.len);
	p += body.len;
	if (lws_write(wsi, start, (size_t)(p - start), LWS_WRITE_HTTP_FINAL) ==
	    (int)(p - start))
		rc = 0;
done:
	buf_free(&body);
	return rc;
}
