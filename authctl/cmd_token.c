/*
 * authctl token create|list|revoke: API tokens (auth.h). A new token is
 * printed once, alone on standard output, so `authctl token create ... >
 * file` captures exactly it; auth.db keeps only its hash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "authctl.h"

#define DAYS_MAX	3650

static int token_create(struct ctl *, int, char **, const struct cmd *);
static int token_list(struct ctl *, int, char **, const struct cmd *);
static int token_revoke(struct ctl *, int, char **, const struct cmd *);

static const struct cmd token_cmds[] = {
	{ "create", token_create,
	  "token create USER --name NAME [--expires DAYS]",
	  "Creates an API token for USER and prints it once on standard\n"
	  "output (nothing else goes there). Clients send it as\n"
	  "\"Authorization: Bearer TOKEN\"; it acts with USER's role.\n"
	  "NAME is a label (1-64 characters). --expires DAYS (1-3650) makes\n"
	  "it expire; without it, it lasts until revoked." },
	{ "list", token_list, "token list [USER] [--json]",
	  "Lists the API tokens (of USER, or of everyone): id, owner, label,\n"
	  "times and status. Never the tokens themselves: only their hashes\n"
	  "are stored." },
	{ "revoke", token_revoke, "token revoke ID",
	  "Revokes the token with that id (see token list) at once." },
};

static const struct cmd *
token_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(token_cmds) / sizeof(token_cmds[0]); i++)
		if (strcmp(token_cmds[i].name, name) == 0)
			return &token_cmds[i];
	return NULL;
}

int
cmd_token(struct ctl *ctl, int argc, char **argv, const struct cmd *c)
{
	const struct cmd *sub;

	if (argc < 2)
		return usage_error(c, "token needs a command");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		printf("usage: authctl %s\n\n%s\n", c->usage, c->help);
		return EXIT_OK;
	}
	if ((sub = token_cmd(argv[1])) == NULL)
		return usage_error(c, "unknown token command \"%s\"", argv[1]);
	return sub->run(ctl, argc - 1, argv + 1, sub);
}

static int
token_create(struct ctl *ctl, int argc, char **argv, const struct cmd *c)
{
	const char *pos[1], *name = NULL, *expires = NULL;
	char tok[AUTH_API_TOKEN_LEN + 1];
	struct flag flags[] = {
		{ "name", &name, NULL },
		{ "expires", &expires, NULL },
		{ NULL, NULL, NULL }
	};
	int64_t days = 0, id;
	int rc;

	if ((rc = args_parse(c, argc, argv, flags, pos, 1, 1)) != 0)
		return rc == ARGS_HELP ? EXIT_OK : rc;
	if (name == NULL)
		return usage_error(c, "--name is required");
	if (*name == '\0' || strlen(name) > AUTH_TOKEN_NAME_MAX)
		return usage_error(c, "--name must be 1 to %d characters",
		    AUTH_TOKEN_NAME_MAX);
	if (expires != NULL && parse_int64(expires, 1, DAYS_MAX, &days) == -1)
		return usage_error(c, "--expires wants whole days, 1 to %d",
		    DAYS_MAX);
	if ((rc = ctl_open(ctl)) != EXIT_OK)
		return rc;
	if ((rc = auth_token_create(ctl->auth, pos[0], name, (int)days,
	    ctl->now_ms, tok, &id)) != AUTH_OK) {
		if (rc == AUTH_ERR_INVALID)
			return fail("--name may not hold control characters");
		return fail_auth(ctl, rc, pos[0]);
	}
	printf("%s\n", tok);
	explicit_bzero(tok, sizeof(tok));
	if (fflush(stdout) != 0)
		return fail("cannot write the token to standard output");
	return EXIT_OK;
}

struct tokens {
	struct auth_token_info	*v;
	size_t			 n, cap;
	int			 oom;
};

static int
collect(const struct auth_token_info *t, void *arg)
{
	struct tokens *ts = arg;
	struct auth_token_info *v;

	if ((v = array_reserve(ts->v, &ts->cap, ts->n + 1,
	    sizeof(*v))) == NULL) {
		ts->oom = 1;
		return -1;
	}
	ts->v = v;
	ts->v[ts->n++] = *t;
	return 0;
}

static const char *
status(const struct auth_token_info *t, int64_t now_ms)
{
	if (t->revoked)
		return "revoked";
	if (t->expires_ms != 0 && now_ms >= t->expires_ms)
		return "expired";
	return "active";
}

static int
list_json(const struct tokens *ts, int64_t now_ms)
{
	const struct auth_token_info *t;
	json_t *arr;
	size_t i;
	int rc = 0;

	if ((arr = json_array()) == NULL)
		return -1;
	for (i = 0; i < ts->n && rc == 0; i++) {
		t = &ts->v[i];
		rc = json_array_append_new(arr, json_pack("{s:I, s:s, s:s, "
		    "s:I, s:I, s:I, s:b, s:s}", "id", (json_int_t)t->id,
		    "user", t->user, "name", t->name,
		    "created_ms", (json_int_t)t->created_ms,
		    "expires_ms", (json_int_t)t->expires_ms,
		    "last_used_ms", (json_int_t)t->last_used_ms,
		    "revoked", t->revoked, "status", status(t, now_ms)));
	}
	if (rc == 0)
		rc = json_dumpf(arr, stdout, JSON_INDENT(2));
	json_decref(arr);
	if (rc == 0)
		printf("\n");
	return rc;
}

static void
list_human(const struct tokens *ts, int64_t now_ms)
{
	const struct auth_token_info *t;
	char c[TIME_BUF], e[TIME_BUF], u[TIME_BUF];
	int wu = (int)strlen("USER"), wn = (int)strlen("NAME");
	size_t i;

	for (i = 0; i < ts->n; i++) {
		if ((int)strlen(ts->v[i].user) > wu)
			wu = (int)strlen(ts->v[i].user);
		if ((int)strlen(ts->v[i].name) > wn)
			wn = (int)strlen(ts->v[i].name);
	}
	printf("%-6s  %-*s  %-*s  %-20s  %-20s  %-20s  %s\n", "ID", wu,
	    "USER", wn, "NAME", "CREATED", "EXPIRES", "LAST_USED", "STATUS");
	for (i = 0; i < ts->n; i++) {
		t = &ts->v[i];
		printf("%-6lld  %-*s  %-*s  %-20s  %-20s  %-20s  %s\n",
		    (long long)t->id, wu, t->user, wn, t->name,
		    fmt_time(t->created_ms, c), fmt_time(t->expires_ms, e),
		    fmt_time(t->last_used_ms, u), status(t, now_ms));
	}
}

static int
token_list(struct ctl *ctl, int argc, char **argv, const struct cmd *c)
{
	const char *pos[1] = { NULL };
	struct tokens ts = { NULL, 0, 0, 0 };
	struct flag flags[] = {
		{ "json", NULL, NULL },
		{ NULL, NULL, NULL }
	};
	int json = 0, rc;

	flags[0].set = &json;
	if ((rc = args_parse(c, argc, argv, flags, pos, 0, 1)) != 0)
		return rc == ARGS_HELP ? EXIT_OK : rc;
	if ((rc = ctl_open(ctl)) != EXIT_OK)
		return rc;
	if ((rc = auth_token_list(ctl->auth, pos[0], collect, &ts)) !=
	    AUTH_OK) {
		free(ts.v);
		return fail_auth(ctl, rc, pos[0] != NULL ? pos[0] : "list");
	}
	if (ts.oom)
		rc = fail("out of memory");
	else if (json && list_json(&ts, ctl->now_ms) != 0)
		rc = fail("cannot write the JSON list");
	else if (!json)
		list_human(&ts, ctl->now_ms);
	free(ts.v);
	return rc;
}

static int
token_revoke(struct ctl *ctl, int argc, char **argv, const struct cmd *c)
{
	const char *pos[1];
	int64_t id;
	int rc;

	if ((rc = args_parse(c, argc, argv, NULL, pos, 1, 1)) != 0)
		return rc == ARGS_HELP ? EXIT_OK : rc;
	if (parse_int64(pos[0], 1, INT64_MAX, &id) == -1)
		return usage_error(c, "ID is a token id (see token list)");
	if ((rc = ctl_open(ctl)) != EXIT_OK)
		return rc;
	if ((rc = auth_token_revoke(ctl->auth, id, ctl->now_ms)) != AUTH_OK) {
		if (rc == AUTH_ERR_NOT_FOUND)
			return fail("no token with id %lld", (long long)id);
		return fail_auth(ctl, rc, pos[0]);
	}
	printf("revoked token %lld\n", (long long)id);
	return EXIT_OK;
}
