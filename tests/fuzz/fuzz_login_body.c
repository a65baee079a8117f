/*
 * libFuzzer: the JSON body of POST /api/login and POST /api/me/password
 * (webui/body.c, which api_login and api_me_password call), then the
 * password policy the password change runs first (auth_password_check).
 * The input is the body, copied into a buffer of exactly its size. The
 * content type is application/json; the input is also tried as the
 * Content-Type header itself.
 *
 * Checked on every input, abort() on a violation:
 *  - body_object gives a JSON object, or NULL with 415/400 and a reason;
 *  - body_login and body_password_change give both strings, with no NUL
 *    inside (strlen == JSON length) and equal to the members, or -1 with
 *    a NUL-terminated reason naming the key ("KEY: ...");
 *  - dumping the object and parsing it again gives the same strings back;
 *  - the policy answers AUTH_OK or AUTH_ERR_POLICY with a NUL-terminated
 *    reason, and never accepts fewer than 15 or more than 1024 bytes;
 *  - body_is_json_type accepts only text that is "application/json"
 *    after spaces, any case.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "auth.h"
#include "body.h"
#include "fuzz_check.h"

/* What a pair parser gave, checked against the object. */
static void
check_pair(json_t *obj, int rc, const char *k1, const char *v1,
    const char *k2, const char *v2, const char *err)
{
	json_t *j;

	if (rc == -1) {
		FZ_CHECK(memchr(err, '\0', BODY_ERR_LEN) != NULL);
		FZ_CHECK((strncmp(err, k1, strlen(k1)) == 0 &&
		    err[strlen(k1)] == ':') || (strncmp(err, k2,
		    strlen(k2)) == 0 && err[strlen(k2)] == ':'));
		return;
	}
	FZ_CHECK(rc == 0 && v1 != NULL && v2 != NULL);
	j = json_object_get(obj, k1);
	FZ_CHECK(json_is_string(j) && strlen(v1) == json_string_length(j) &&
	    strcmp(v1, json_string_value(j)) == 0);
	j = json_object_get(obj, k2);
	FZ_CHECK(json_is_string(j) && strlen(v2) == json_string_length(j) &&
	    strcmp(v2, json_string_value(j)) == 0);
}

/* parse(dump(obj)) gives the same strings. */
static void
check_again(json_t *obj, const char *name, const char *password)
{
	const char *n2, *p2, *reason;
	char err[BODY_ERR_LEN], *text;
	json_t *again;
	int status;

	if ((text = json_dumps(obj, JSON_COMPACT)) == NULL)
		abort();
	again = body_object("application/json", text, strlen(text), &status,
	    &reason);
	FZ_CHECK(again != NULL);
	FZ_CHECK(body_login(again, &n2, &p2, err, sizeof(err)) == 0);
	FZ_CHECK(strcmp(n2, name) == 0 && strcmp(p2, password) == 0);
	json_decref(again);
	free(text);
}

static void
check_policy(const char *user, const char *password)
{
	char reason[AUTH_REASON_LEN];
	size_t n = strlen(password);
	int rc;

	memset(reason, 'x', sizeof(reason));
	rc = auth_password_check(user, password, reason, sizeof(reason));
	FZ_CHECK(rc == AUTH_OK || rc == AUTH_ERR_POLICY);
	FZ_CHECK(memchr(reason, '\0', sizeof(reason)) != NULL);
	if (rc == AUTH_OK)
		FZ_CHECK(n >= 15 && n <= AUTH_PASSWORD_MAX_BYTES);
	else
		FZ_CHECK(reason[0] != '\0');
}

static void
check_content_type(const uint8_t *data, size_t size)
{
	char ct[600];
	const char *p = ct;
	size_t n = size < sizeof(ct) - 1 ? size : sizeof(ct) - 1;
	int ok;

	memcpy(ct, data, n);
	ct[n] = '\0';
	ok = body_is_json_type(ct);
	while (*p == ' ')
		p++;
	if (ok)
		FZ_CHECK(strncasecmp(p, "application/json", 16) == 0);
	p += strncasecmp(p, "application/json", 16) == 0 ? 16 : 0;
	while (*p == ' ')
		p++;
	if (strncasecmp(ct + strspn(ct, " "), "application/json", 16) == 0 &&
	    (*p == '\0' || *p == ';'))
		FZ_CHECK(ok);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	const char *reason = NULL, *name = NULL, *password = NULL,
	    *current = NULL, *new = NULL;
	char err[BODY_ERR_LEN];
	json_t *obj;
	char *body;
	int status = 0, rc;

	if (!ready) {
		if (sodium_init() == -1)
			abort();
		ready = 1;
	}
	if ((body = malloc(size ? size : 1)) == NULL)
		abort();
	if (size > 0)
		memcpy(body, data, size);
	check_content_type(data, size);

	obj = body_object("application/json; charset=utf-8", body, size,
	    &status, &reason);
	if (obj == NULL) {
		FZ_CHECK(status == 400 && reason != NULL && reason[0] != '\0');
		free(body);
		return 0;
	}
	FZ_CHECK(json_is_object(obj));
	/* Any other content type is refused before the body is read. */
	FZ_CHECK(body_object("text/plain", body, size, &status, &reason) ==
	    NULL && status == 415);

	memset(err, 'x', sizeof(err));
	rc = body_login(obj, &name, &password, err, sizeof(err));
	check_pair(obj, rc, "username", name, "password", password, err);
	if (rc == 0) {
		check_again(obj, name, password);
		check_policy(name, password);
	}
	memset(err, 'x', sizeof(err));
	rc = body_password_change(obj, &current, &new, err, sizeof(err));
	check_pair(obj, rc, "current", current, "new", new, err);
	if (rc == 0)
		check_policy("alice", new);
	json_decref(obj);
	free(body);
	return 0;
}
