/*
 * The JSON body of a ROUTE_BODY request (docs/api.md): its content type,
 * a JSON object, string members, and the members of the login and
 * password-change bodies. Apart from the worker and its databases, so
 * api.c's handlers and the fuzz harness (tests/fuzz/fuzz_login_body.c)
 * run the same code. No I/O.
 */
#ifndef BODY_H
#define BODY_H

#include <stddef.h>

#include <jansson.h>

#define BODY_ERR_LEN	128

/* "application/json", any case, parameters after ';' allowed. */
int	 body_is_json_type(const char *content_type);

/*
 * The body as a JSON object (duplicate keys refused), or NULL with the
 * answer's status (415 or 400) and reason. body may be NULL (len 0).
 */
json_t	*body_object(const char *content_type, const char *body, size_t len,
	    int *status, const char **reason);

/*
 * A string member of obj: 0 with *out (NULL when absent and not
 * required), or -1 with the 400's reason in err ("KEY: want a string",
 * "KEY: holds a NUL byte").
 */
int	 body_str(json_t *obj, const char *key, int required,
	    const char **out, char *err, size_t err_len);

/* POST /api/login: {"username", "password"}, both required strings. */
int	 body_login(json_t *obj, const char **name, const char **password,
	    char *err, size_t err_len);
/* POST /api/me/password: {"current", "new"}, both required strings. */
int	 body_password_change(json_t *obj, const char **current,
	    const char **new_password, char *err, size_t err_len);

#endif /* BODY_H */
