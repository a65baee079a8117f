/*
 * The lws end of struct http_req: copies what webui looks at out of lws's
 * header table (the method, path, query arguments, the headers that
 * matter, the client's address), and writes the small answers that must
 * go out before a connection is closed.
 */
#ifndef LWSREQ_H
#define LWSREQ_H

#include <libwebsockets.h>

#include "http.h"

/* Fills r from the request on wsi (path: lws's decoded URI path). */
void	 lwsreq_copy(struct lws *, const char *path, struct http_req *r);
/*
 * What makes a request one webui will not serve although lws parsed it:
 * no or an unknown HTTP version, an HTTP/1.1 request without Host (RFC
 * 9112 §3.2), a NUL byte in the path. The reason, or NULL.
 */
const char *lwsreq_malformed(struct lws *, const char *path);

/*
 * Writes status and {"error": reason} at once, with the vhost's security
 * headers and Connection: close. 0, or -1 when the write failed.
 */
int	 lwsreq_write_error(struct lws *, int status, const char *reason);

#endif /* LWSREQ_H */
