/*
 * The self-signed certificate (tlscert.h), with the OpenSSL 3 API.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tlscert.h"

#define VALID_DAYS	366

static int
exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Makes the directory of path (0700) if it is missing. */
static int
make_dir_of(const char *path, char *err, size_t err_len)
{
	char tmp[4096], *dir;

	snprintf(tmp, sizeof(tmp), "%s", path);
	dir = dirname(tmp);
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		snprintf(err, err_len, "mkdir %s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

static int
add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL)
		return 0;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok;
}

static int
set_serial(X509 *x)
{
	unsigned char raw[16];
	BIGNUM *bn;
	int ok;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return 0;
	raw[0] &= 0x7f;			/* positive */
	if ((bn = BN_bin2bn(raw, sizeof(raw), NULL)) == NULL)
		return 0;
	ok = BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
	BN_free(bn);
	return ok;
}

static X509 *
make_cert(EVP_PKEY *key)
{
	char host[256], san[512];
	X509_NAME *name;
	X509 *x;

	if ((x = X509_new()) == NULL)
		return NULL;
	/* A host name that cannot be a DNS name is left out. */
	host[sizeof(host) - 1] = '\0';
	if (gethostname(host, sizeof(host) - 1) == -1 || host[0] == '\0' ||
	    strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789.-") != strlen(host))
		snprintf(host, sizeof(host), "localhost");
	snprintf(san, sizeof(san), "DNS:localhost,IP:127.0.0.1%s%s",
	    strcmp(host, "localhost") != 0 ? ",DNS:" : "",
	    strcmp(host, "localhost") != 0 ? host : "");
	name = X509_get_subject_name(x);
	if (X509_set_version(x, 2) != 1 || !set_serial(x) ||
	    X509_gmtime_adj(X509_getm_notBefore(x), 0) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x),
	    (long)VALID_DAYS * 86400) == NULL ||
	    X509_set_pubkey(x, key) != 1 ||
	    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
	    (const unsigned char *)"tapewatch (self-signed)", -1, -1, 0) != 1 ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"localhost", -1, -1, 0) != 1 ||
	    X509_set_issuer_name(x, name) != 1 ||
	    !add_ext(x, NID_subject_alt_name, san) ||
	    !add_ext(x, NID_basic_constraints, "critical,CA:FALSE") ||
	    !add_ext(x, NID_key_usage, "critical,digitalSignature") ||
	    !add_ext(x, NID_ext_key_usage, "serverAuth") ||
	    !add_ext(x, NID_subject_key_identifier, "hash") ||
	    X509_sign(x, key, EVP_sha256()) == 0) {
		X509_free(x);
		return NULL;
	}
	return x;
}

/* Writes a new file with mode (never over an existing one). */
static int
write_pem(const char *path, mode_t mode, EVP_PKEY *key, X509 *cert,
    char *err, size_t err_len)
{
	FILE *f;
	int fd, ok;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)) ==
	    -1) {
		snprintf(err, err_len, "create %s: %s", path, strerror(errno));
		return -1;
	}
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		snprintf(err, err_len, "fdopen %s: %s", path, strerror(errno));
		return -1;
	}
	ok = key != NULL ? PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL,
	    NULL) : PEM_write_X509(f, cert);
	if (fclose(f) != 0 || ok != 1) {
		snprintf(err, err_len, "write %s failed", path);
		unlink(path);
		return -1;
	}
	return 0;
}

int
tlscert_ensure(const char *cert_path, const char *key_path, int *made,
    char *err, size_t err_len)
{
	EVP_PKEY *key = NULL;
	X509 *x = NULL;
	int rc = -1;

	*made = 0;
	if (exists(cert_path) && exists(key_path))
		return 0;
	if (exists(cert_path) || exists(key_path)) {
		snprintf(err, err_len, "only one of %s and %s exists: restore "
		    "the other or remove both to make a new pair", cert_path,
		    key_path);
		return -1;
	}
	if (make_dir_of(cert_path, err, err_len) == -1 ||
	    make_dir_of(key_path, err, err_len) == -1)
		return -1;
	if ((key = EVP_EC_gen("P-256")) == NULL ||
	    (x = make_cert(key)) == NULL) {
		snprintf(err, err_len, "cannot make a key and certificate");
		goto done;
	}
	if (write_pem(key_path, 0600, key, NULL, err, err_len) == -1)
		goto done;
	if (write_pem(cert_path, 0644, NULL, x, err, err_len) == -1) {
		unlink(key_path);
		goto done;
	}
	*made = 1;
	rc = 0;
done:
	X509_free(x);
	EVP_PKEY_free(key);
	return rc;
}

int
tlscert_fingerprint(const char *cert_path, char *out, size_t out_len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n, i;
	size_t used = 0;
	FILE *f;
	X509 *x;

	if ((f = fopen(cert_path, "r")) == NULL)
		return -1;
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (x == NULL)
		return -1;
	if (X509_digest(x, EVP_sha256(), md, &n) != 1) {
		X509_free(x);
		return -1;
	}
	X509_free(x);
	out[0] = '\0';
	for (i = 0; i < n && used + 4 < out_len; i++)
		used += (size_t)snprintf(out + used, out_len - used, "%s%02X",
		    i > 0 ? ":" : "", md[i]);
	return 0;
}
