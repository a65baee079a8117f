/*
 * The client's control messages (feeds.md §1):
 *   {"action":"auth","params":"KEY"}
 *   {"action":"subscribe","params":"T.AAPL,Q.*"}
 *   {"action":"unsubscribe","params":"T.AAPL"}
 * decoded with jansson; what they mean is server.c's business. Bounded
 * by the caller (CTL_MSG_MAX); never logs.
 */
#include <string.h>

#include <jansson.h>

#include "feedsim.h"

static void
copy_str(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

enum control_action
control_parse(const char *msg, size_t len, char *action, size_t action_cap,
    char *params, size_t params_cap)
{
	json_t *root, *a, *p;
	enum control_action rc = CTL_BAD_PARAMS;
	const char *name;

	action[0] = params[0] = '\0';
	if ((root = json_loadb(msg, len, 0, NULL)) == NULL)
		return CTL_BAD_JSON;
	a = json_object_get(root, "action");
	p = json_object_get(root, "params");
	if (!json_is_string(a))
		goto done;
	name = json_string_value(a);
	copy_str(action, action_cap, name, json_string_length(a));
	if (strcmp(name, "auth") == 0)
		rc = CTL_AUTH;
	else if (strcmp(name, "subscribe") == 0)
		rc = CTL_SUBSCRIBE;
	else if (strcmp(name, "unsubscribe") == 0)
		rc = CTL_UNSUBSCRIBE;
	else {
		rc = CTL_UNKNOWN;
		goto done;
	}
	/* A NUL inside the string would cut a key or a topic short. */
	if (!json_is_string(p) ||
	    strlen(json_string_value(p)) != json_string_length(p))
		rc = CTL_BAD_PARAMS;
	else
		copy_str(params, params_cap, json_string_value(p),
		    json_string_length(p));
done:
	json_decref(root);
	return rc;
}
