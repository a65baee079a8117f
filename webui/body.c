/*
 * Request bodies (body.h).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "body.h"

int
body_is_json_type(const char *ct)
{
	static const char want[] = "application/json";
	size_t n = sizeof(want) - 1;

	while (*ct == ' ')
		ct++;
	if (strncasecmp(ct, want, n) != 0)
		return 0;
	ct += n;
	while (*ct == ' ')
		ct++;
	return *ct == '\0' || *ct == ';';
}

json_t *
body_object(const char *content_type, const char *body, size_t len,
    int *status, const char **reason)
{
	json_error_t jerr;
	json_t *j;

	if (!body_is_json_type(content_type)) {
		*status = 415;
		*reason = "content type must be application/json";
		return NULL;
	}
	j = json_loadb(body != NULL ? body : "", body != NULL ? len : 0,
	    JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL) {
		*status = 400;
		*reason = "malformed JSON body";
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		*status = 400;
		*reason = "body must be a JSON object";
		return NULL;
	}
	return j;
}

int
body_str(json_t *obj, const char *key, int required, const char **out,
    char *err, size_t err_len)
{
	json_t *v = json_object_get(obj, key);
	const char *s;

	*out = NULL;
	if (v == NULL && !required)
		return 0;
	if (v == NULL || !json_is_string(v)) {
		snprintf(err, err_len, "%s: want a string", key);
		return -1;
	}
	s = json_string_value(v);
	/* "\u0000" would cut the C string short: refused, not truncated. */
	if (strlen(s) != json_string_length(v)) {
		snprintf(err, err_len, "%s: holds a NUL byte", key);
		return -1;
	}
	*out = s;
	return 0;
}

int
body_login(json_t *obj, const char **name, const char **password, char *err,
    size_t err_len)
{
	if (body_str(obj, "username", 1, name, err, err_len) == -1 ||
	    body_str(obj, "password", 1, password, err, err_len) == -1)
		return -1;
	return 0;
}

int
body_password_change(json_t *obj, const char **current,
    const char **new_password, char *err, size_t err_len)
{
	if (body_str(obj, "current", 1, current, err, err_len) == -1 ||
	    body_str(obj, "new", 1, new_password, err, err_len) == -1)
		return -1;
	return 0;
}
