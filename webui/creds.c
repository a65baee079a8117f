/*
 * Cookie and Authorization parsing (creds.h).
 */
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "creds.h"

static int
is_b64url(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return 0;
	return 1;
}

int
cookie_get(const char *header, const char *name, char *out, size_t out_len)
{
	size_t nlen = strlen(name), vlen;
	const char *p = header, *end, *eq;
	int found = 0;

	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ';' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		end = p + strcspn(p, ";,");
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq != NULL && (size_t)(eq - p) == nlen &&
		    memcmp(p, name, nlen) == 0) {
			if (found)
				return -1;
			found = 1;
			vlen = (size_t)(end - eq - 1);
			while (vlen > 0 && (eq[vlen] == ' ' || eq[vlen] == '\t'))
				vlen--;
			if (vlen >= 2 && eq[1] == '"' && eq[vlen] == '"') {
				eq++;		/* RFC 6265 allows a quoted value */
				vlen -= 2;
			}
			if (vlen >= out_len)
				return -1;
			memcpy(out, eq + 1, vlen);
			out[vlen] = '\0';
		}
		p = end;
	}
	return found;
}

static enum creds_kind
parse_bearer(const char *h, struct creds *c)
{
	size_t n;

	if (strncasecmp(h, "Bearer", 6) != 0 || (h[6] != ' ' && h[6] != '\t'))
		return CREDS_BAD;
	h += 6;
	while (*h == ' ' || *h == '\t')
		h++;
	n = strlen(h);
	while (n > 0 && (h[n - 1] == ' ' || h[n - 1] == '\t'))
		n--;
	if (n < strlen(AUTH_API_TOKEN_PREFIX) || n >= sizeof(c->token) ||
	    strncmp(h, AUTH_API_TOKEN_PREFIX, strlen(AUTH_API_TOKEN_PREFIX))
	    != 0 || !is_b64url(h, n))
		return CREDS_BAD;
	memcpy(c->token, h, n);
	c->token[n] = '\0';
	return CREDS_BEARER;
}

enum creds_kind
creds_parse(const char *cookie, int has_authorization,
    const char *authorization, struct creds *c)
{
	char value[AUTH_SESSION_TOKEN_LEN + 2];
	int rc;

	memset(c, 0, sizeof(*c));
	rc = cookie_get(cookie, SESSION_COOKIE, value, sizeof(value));
	if (rc == 1 && value[0] == '\0')
		rc = 0;		/* the expired cookie a logout leaves */
	if (rc != 0 && has_authorization)
		return c->kind = CREDS_BOTH;
	if (has_authorization)
		return c->kind = parse_bearer(authorization, c);
	if (rc == 0)
		return c->kind = CREDS_NONE;
	if (rc == -1 || strlen(value) != AUTH_SESSION_TOKEN_LEN ||
	    !is_b64url(value, AUTH_SESSION_TOKEN_LEN))
		return c->kind = CREDS_BAD;
	memcpy(c->token, value, AUTH_SESSION_TOKEN_LEN + 1);
	return c->kind = CREDS_SESSION;
}

void
creds_session_key(const char *token, char out[CREDS_SESSION_KEY_LEN + 1])
{
	unsigned char h[CREDS_SESSION_KEY_LEN / 2];

	crypto_generichash(h, sizeof(h), (const unsigned char *)token,
	    strlen(token), NULL, 0);
	sodium_bin2hex(out, CREDS_SESSION_KEY_LEN + 1, h, sizeof(h));
}
