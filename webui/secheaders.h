/*
 * The security headers on every response webui sends (security.md §7,
 * docs/security.md): written by webui, not libwebsockets' canned set,
 * whose HSTS is too short and whose CSP allows any ws:/wss: host. main.c
 * installs them as the vhost's header list, which lws adds to every
 * status it writes, its own errors included. No I/O.
 */
#ifndef SECHEADERS_H
#define SECHEADERS_H

#include <stddef.h>

struct sec_header {
	const char	*name;		/* as sent, e.g. "Strict-Transport-Security" */
	const char	*value;
};

/* The list, in the order they are sent. */
const struct sec_header	*secheaders(size_t *n);

#endif /* SECHEADERS_H */
