/*
 * authctl's user commands: add, passwd, role, disable, enable, delete,
 * logout, list. The rules (policy, last admin, sessions ended) are
 * common/auth.c's; these parse, ask for passwords and print.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "authctl.h"

int
cmd_add(struct ctl *ctl, int argc, char **argv, const struct cmd *c)
{
	const char *pos[1], *role_s = NULL;
	char pw[PASSWORD_BUF], reason[AUTH_REASON_LEN], prompt[128];
	struct flag flags[] = {
		{ "role", &role_s, NULL },
		{ "must-change", NULL, NULL },
		{ "password-stdin", NULL, NULL },
		{ NULL, NULL, NULL }
	};
	struct auth_user u;
	enum auth_role role;
	int must_change = 0, from_stdin = 0, rc;

	flags[1].set = &must_change;
	flags[2].set = &from_stdin;
	if ((rc = args_parse(c, argc, argv, flags, pos, 1, 1)) != 0)
		return rc == ARGS_HELP ? EXIT_OK : rc;
	if (role_s == NULL)
		return usage_error(c, "--role is required");
	if ((role = auth_role_parse(role_s)) == AUTH_ROLE_NONE)
		return usage_error(c, "unknown role \"%s\" (viewer, user, "
		    "manager, admin)", role_s);
	if (auth_name_check(pos[0], reason, sizeof(reason)) != AUTH_OK)
		return fail("%s", reason);
	if ((rc = ctl_open(ctl)) != EXIT_OK)
		return rc;
	/* Before the password is typed, not after. */
	if ((rc = auth_user_get(ctl->auth, pos[0], &u)) != AUTH_ERR_NOT_FOUND)
		return rc == AUTH_OK ? fail("user %s exists", u.name) :
		    fail_auth(ctl, rc, pos[0]);
	snprintf(prompt, sizeof(prompt), "Password for %s: ", pos[0]);
	if (password_read(pw, from_stdin, prompt, 1) != 0)
		return EXIT_FAIL;
	rc = auth_user_add(ctl->auth, pos[0], role, pw, must_change,
	    ctl->now_ms, reason, sizeof(reason));
	explicit_bzero(pw, sizeof(pw));
	if (rc != AUTH_OK)
		return fail("%s", reason);
	printf("added %s (%s%s)\n", pos[0], auth_role_name(role),
	    must_change ? ", must change the password" : "");
	return EXIT_OK;
}

int
cmd_passwd(struct ctl *ctl, int argc, char **argv, const struct cmd *c)
{
	const char *pos[1];
	char pw[PASSWORD_BUF], reason[AUTH_REASON_LEN], prompt[128];
	struct flag flags[] = {
		{ "password-stdin", NULL, NULL },
		{ NULL, NULL, NULL }
	};
	struct auth_user u;
	int from_stdin = 0, rc;

	flags[0].set = &from_stdin;
	if ((rc = args_parse(c, argc, argv, flags, pos, 1, 1)) != 0)
		return rc == ARGS_HELP ? EXIT_OK : rc;
	if ((rc = ctl_open(ctl)) != EXIT_OK)
		return rc;
	if ((rc = auth_user_get(ctl->auth, pos[0], &u)) != AUTH_OK)
		return fail_auth(ctl, rc, pos[0]);
	snprintf(prompt, sizeof(prompt), "New password for %s: ", u.name);
	if (password_read(pw, from_stdin, prompt, 1) != 0)
		return EXIT_FAIL;
	rc = auth_user_set_password(ctl->auth, u.name, pw, ctl->now_ms,
	    reason, sizeof(reason));
	explicit_bzero(pw, sizeof(pw));
	if (rc != AUTH_OK)
		return fail("%s", reason);
	printf("password of %s changed; their sessions were ended\n", u.name);
	return EXIT_OK;
}

int
cmd_role(struct ctl *ctl, int argc, char **argv, const struct cmd *c)
{
	const char *pos[2];
	enum auth_role role;
	int rc;

	if ((rc = args_parse(c, argc, argv, NULL, pos, 2, 2)) != 0)
		return rc == ARGS_HELP ? EXIT_OK : rc;
	if ((role = auth_role_parse(pos[1])) == AUTH_ROLE_NONE)
		return usage_error(c, "unknown role \"%s\" (viewer, user, "
		    "manager, admin)", pos[1]);
	if ((rc = ctl_open(ctl)) != EXIT_OK)
		return rc;
	if ((rc = auth_user_set_role(ctl->auth, pos[0], role, ctl->now_ms)) !=
	    AUTH_OK)
		return fail_auth(ctl, rc, pos[0]);
	printf("%s is now %s\n", pos[0], auth_role_name(role));
	return EXIT_OK;
}

/* disable, enable, delete and logout: one user, no flags. */
static int
one_user(struct ctl *ctl, int argc, char **argv, const struct cmd *c,
    const char **name)
{
	const char *pos[1];
	int rc;

	if ((rc = args_parse(c, argc, argv, NULL, pos, 1, 1)) != 0)
		return rc == ARGS_HELP ? ARGS_HELP : rc;
	*name = pos[0];
	return ctl_open(ctl);
}

int
cmd_disable(struct ctl *ctl, int argc, char **argv, const struct cmd *c)
{
	const char *name;
	int rc;

	if ((rc = one_user(ctl, argc, argv, c, &name)) != 0)
		return rc == ARGS_HELP ? EXIT_OK : rc;
	if ((rc = auth_user_set_disabled(ctl->auth, name, 1, ctl->now_ms)) !=
	    AUTH_OK)
		return fail_auth(ctl, rc, name);
	printf("disabled %s; their sessions were ended and their API tokens "
	    "refuse\n", name);
	return EXIT_OK;
}

int
cmd_enable(struct ctl *ctl, int argc, char **argv, const struct cmd *c)
{
	const char *name;
	int rc;

	if ((rc = one_user(ctl, argc, argv, c, &name)) != 0)
		return rc == ARGS_HELP ? EXIT_OK : rc;
	if ((rc = auth_user_set_disabled(ctl->auth, name, 0, ctl->now_ms)) !=
	    AUTH_OK)
		return fail_auth(ctl, rc, name);
	printf("enabled %s (and unlocked)\n", name);
	return EXIT_OK;
}

int
cmd_delete(struct ctl *ctl, int argc, char **argv, const struct cmd *c)
{
	const char *name;
	int rc;

	if ((rc = one_user(ctl, argc, argv, c, &name)) != 0)
		return rc == ARGS_HELP ? EXIT_OK : rc;
	if ((rc = auth_user_delete(ctl->auth, name, ctl->now_ms)) != AUTH_OK)
		return fail_auth(ctl, rc, name);
	printf("deleted %s with their sessions and API tokens\n", name);
	return EXIT_OK;
}

int
cmd_logout(struct ctl *ctl, int argc, char **argv, const struct cmd *c)
{
	const char *name;
	int ended, rc;

	if ((rc = one_user(ctl, argc, argv, c, &name)) != 0)
		return rc == ARGS_HELP ? EXIT_OK : rc;
	if ((rc = auth_user_logout(ctl->auth, name, ctl->now_ms, &ended)) !=
	    AUTH_OK)
		return fail_auth(ctl, rc, name);
	printf("ended %d session%s of %s\n", ended, ended == 1 ? "" : "s",
	    name);
	return EXIT_OK;
}

/* ---- list -------------------------------------------------------- */

struct users {
	struct auth_user	*v;
	size_t			 n, cap;
	int			 oom;
};

static int
collect(const struct auth_user *u, void *arg)
{
	struct users *us = arg;
	struct auth_user *v;

	if ((v = array_reserve(us->v, &us->cap, us->n + 1,
	    sizeof(*v))) == NULL) {
		us->oom = 1;
		return -1;
	}
	us->v = v;
	us->v[us->n++] = *u;
	return 0;
}

static const char *
status(const struct auth_user *u)
{
	if (u->disabled && u->locked)
		return "disabled,locked";
	if (u->disabled)
		return "disabled";
	return u->locked ? "locked" : "enabled";
}

static int
list_json(const struct users *us)
{
	json_t *arr, *o;
	size_t i;
	int rc = 0;

	if ((arr = json_array()) == NULL)
		return -1;
	for (i = 0; i < us->n && rc == 0; i++) {
		o = json_pack("{s:s, s:s, s:b, s:b, s:b, s:I, s:I, s:I}",
		    "name", us->v[i].name, "role", auth_role_name(us->v[i].role),
		    "disabled", us->v[i].disabled, "locked", us->v[i].locked,
		    "must_change", us->v[i].must_change,
		    "created_ms", (json_int_t)us->v[i].created_ms,
		    "changed_ms", (json_int_t)us->v[i].changed_ms,
		    "last_login_ms", (json_int_t)us->v[i].last_login_ms);
		rc = json_array_append_new(arr, o);
	}
	if (rc == 0)
		rc = json_dumpf(arr, stdout, JSON_INDENT(2));
	json_decref(arr);
	if (rc == 0)
		printf("\n");
	return rc;
}

static void
list_human(const struct users *us)
{
	char c[TIME_BUF], p[TIME_BUF], l[TIME_BUF];
	int w = (int)strlen("NAME");
	size_t i;

	for (i = 0; i < us->n; i++)
		if ((int)strlen(us->v[i].name) > w)
			w = (int)strlen(us->v[i].name);
	printf("%-*s  %-7s  %-15s  %-11s  %-20s  %-20s  %s\n", w, "NAME",
	    "ROLE", "STATUS", "MUST_CHANGE", "CREATED", "PASSWORD_SET",
	    "LAST_LOGIN");
	for (i = 0; i < us->n; i++)
		printf("%-*s  %-7s  %-15s  %-11s  %-20s  %-20s  %s\n", w,
		    us->v[i].name, auth_role_name(us->v[i].role),
		    status(&us->v[i]), us->v[i].must_change ? "yes" : "no",
		    fmt_time(us->v[i].created_ms, c),
		    fmt_time(us->v[i].changed_ms, p),
		    fmt_time(us->v[i].last_login_ms, l));
}

int
cmd_list(struct ctl *ctl, int argc, char **argv, const struct cmd *c)
{
	struct users us = { NULL, 0, 0, 0 };
	struct flag flags[] = {
		{ "json", NULL, NULL },
		{ NULL, NULL, NULL }
	};
	int json = 0, rc;

	flags[0].set = &json;
	if ((rc = args_parse(c, argc, argv, flags, NULL, 0, 0)) != 0)
		return rc == ARGS_HELP ? EXIT_OK : rc;
	if ((rc = ctl_open(ctl)) != EXIT_OK)
		return rc;
	if ((rc = auth_user_list(ctl->auth, collect, &us)) != AUTH_OK) {
		free(us.v);
		return fail_auth(ctl, rc, "list");
	}
	rc = EXIT_OK;
	if (us.oom)
		rc = fail("out of memory");
	else if (json && list_json(&us) != 0)
		rc = fail("cannot write the JSON list");
	else if (!json)
		list_human(&us);
	free(us.v);
	return rc;
}
