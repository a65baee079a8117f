/*
 * authctl [--db PATH] COMMAND ...: users, roles, passwords, API tokens
 * and sessions in auth.db (docs/authctl.md). Global options come from
 * common/config.h (flag, then TW_* variable, then default); the rest of
 * the command line is the command's. Exit 0 done, 1 failed (one line
 * "authctl: why" on stderr), 2 bad usage.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <string.h>

#include "authctl.h"
#include "clock.h"
#include "config.h"

static const struct cmd cmds[] = {
	{ "add", cmd_add,
	  "add USER --role ROLE [--must-change] [--password-stdin]",
	  "Adds USER with ROLE (viewer, user, manager, admin). The password\n"
	  "is asked twice on the terminal, or read as one line from standard\n"
	  "input with --password-stdin; it must pass the password policy.\n"
	  "--must-change lets the user do nothing but change it first." },
	{ "passwd", cmd_passwd, "passwd USER [--password-stdin]",
	  "Sets USER's password (policy checked), clears must-change and\n"
	  "ends all of USER's sessions." },
	{ "role", cmd_role, "role USER ROLE",
	  "Gives USER the role ROLE; it applies to their next request.\n"
	  "The last enabled admin cannot be demoted." },
	{ "disable", cmd_disable, "disable USER",
	  "Disables USER: ends their sessions, refuses their logins and API\n"
	  "tokens. The last enabled admin cannot be disabled." },
	{ "enable", cmd_enable, "enable USER",
	  "Enables USER again, and unlocks an account locked after 100\n"
	  "failed logins in an hour (its failure history is cleared)." },
	{ "delete", cmd_delete, "delete USER",
	  "Deletes USER with their sessions and API tokens. The last\n"
	  "enabled admin cannot be deleted." },
	{ "list", cmd_list, "list [--json]",
	  "Lists the users: role, status, must-change and times (UTC).\n"
	  "--json prints a JSON array of {name, role, disabled, locked,\n"
	  "must_change, created_ms, changed_ms, last_login_ms}." },
	{ "token", cmd_token, "token create|list|revoke ...",
	  "API tokens:\n"
	  "  authctl token create USER --name NAME [--expires DAYS]\n"
	  "  authctl token list [USER] [--json]\n"
	  "  authctl token revoke ID\n"
	  "See authctl token COMMAND --help." },
	{ "logout", cmd_logout, "logout USER",
	  "Ends every session of USER (API tokens stay valid)." },
};

#define USAGE \
	"authctl [--db PATH] COMMAND ...\n\n" \
	"commands:\n" \
	"  add USER --role ROLE [--must-change] [--password-stdin]\n" \
	"  passwd USER [--password-stdin]\n" \
	"  role USER ROLE\n" \
	"  disable USER | enable USER | delete USER | logout USER\n" \
	"  list [--json]\n" \
	"  token create USER --name NAME [--expires DAYS]\n" \
	"  token list [USER] [--json]\n" \
	"  token revoke ID\n" \
	"\"authctl COMMAND --help\" explains one. Exit status: 0 done, " \
	"1 failed, 2 bad usage"

/* Where the global options end: the command's index in argv. */
static int
global_end(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strncmp(argv[i], "-", 1) == 0; i++) {
		if (strcmp(argv[i], "--") == 0)
			return i;
		if (strcmp(argv[i], "--db") == 0 ||
		    strcmp(argv[i], "--data-dir") == 0)
			i++;	/* its value */
	}
	return i < argc ? i : argc;
}

static int
load_options(struct ctl *ctl, int argc, char **argv, int *cmd_at)
{
	static char path[4096];
	const char *data_dir = NULL;
	const struct config_opt opts[] = {
	{ "db", "TW_AUTH_DB", CONFIG_STR, &ctl->db_path, NULL, 0, 0,
	  "auth.db (default DATA_DIR/auth.db)" },
	{ "data-dir", "TW_DATA_DIR", CONFIG_STR, &data_dir, "var/data", 0, 0,
	  "the data directory" },
	{ NULL, NULL, CONFIG_END, NULL, NULL, 0, 0, NULL }
	};

	*cmd_at = global_end(argc, argv);
	if (config_load(opts, *cmd_at, argv, USAGE, NULL) != 0)
		return EXIT_USAGE;
	if (*cmd_at < argc && strcmp(argv[*cmd_at], "--") == 0)
		(*cmd_at)++;
	if (ctl->db_path == NULL || *ctl->db_path == '\0') {
		snprintf(path, sizeof(path), "%s/auth.db", data_dir);
		ctl->db_path = path;
	}
	return EXIT_OK;
}

int
main(int argc, char *argv[])
{
	struct ctl ctl;
	size_t i;
	int at, rc;

	memset(&ctl, 0, sizeof(ctl));
	umask(077);			/* auth.db and its WAL: 0600 */
	if ((rc = load_options(&ctl, argc, argv, &at)) != EXIT_OK)
		return rc;
	if (at >= argc) {
		fprintf(stderr, "authctl: no command\nusage: %s\n", USAGE);
		return EXIT_USAGE;
	}
	ctl.now_ms = clock_now_ns() / 1000000;
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(cmds[i].name, argv[at]) == 0)
			break;
	if (i == sizeof(cmds) / sizeof(cmds[0])) {
		fprintf(stderr, "authctl: unknown command \"%s\"\nusage: %s\n",
		    argv[at], USAGE);
		return EXIT_USAGE;
	}
	rc = cmds[i].run(&ctl, argc - at, argv + at, &cmds[i]);
	auth_close(ctl.auth);
	return rc;
}
