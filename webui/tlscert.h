/*
 * webui's TLS certificate when none is given: a self-signed ECDSA P-256
 * pair made once in DATA_DIR/tls (security.md §8.4): SAN DNS:localhost,
 * IP:127.0.0.1 and the host name, valid 366 days (§8.2's ceiling), the
 * key 0600. Browsers warn about it; operators replace it with TW_TLS_CERT
 * and TW_TLS_KEY.
 */
#ifndef TLSCERT_H
#define TLSCERT_H

#include <stddef.h>

/*
 * Makes cert and key unless both exist. Refuses (-1 with the reason) when
 * only one exists, rather than overwrite anything. *made says whether it
 * made them.
 */
int	 tlscert_ensure(const char *cert_path, const char *key_path,
	    int *made, char *err, size_t err_len);

/* The SHA-256 fingerprint of a PEM certificate file, "AB:CD:...". */
int	 tlscert_fingerprint(const char *cert_path, char *out, size_t out_len);

#endif /* TLSCERT_H */
