/*
 * Passwords for authctl (authctl.h): one line of standard input with
 * --password-stdin, else the terminal (/dev/tty) with echo off, asked
 * twice. Never argv or the environment, which other local users can read
 * (ps, /proc/PID/environ).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "authctl.h"

static const int tty_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
#define N_TTY_SIGNALS	(sizeof(tty_signals) / sizeof(tty_signals[0]))

/*
 * The terminal while its echo is off. Globals because a signal handler
 * gets no argument: an interrupted prompt must not leave echo off.
 */
static volatile sig_atomic_t tty_fd = -1;
static struct termios tty_saved;
static struct sigaction tty_old_actions[N_TTY_SIGNALS];

static void
tty_restore_and_die(int sig)
{
	if (tty_fd != -1)
		tcsetattr(tty_fd, TCSAFLUSH, &tty_saved);
	/* SA_RESETHAND made the action the default again: die of it. */
	raise(sig);
}

static void
tty_guard(int fd)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = tty_restore_and_die;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	tty_fd = fd;
	for (i = 0; i < N_TTY_SIGNALS; i++)
		sigaction(tty_signals[i], &sa, &tty_old_actions[i]);
}

static void
tty_unguard(void)
{
	size_t i;

	for (i = 0; i < N_TTY_SIGNALS; i++)
		sigaction(tty_signals[i], &tty_old_actions[i], NULL);
	tty_fd = -1;
}

/*
 * One line from fd into buf without its newline (nor a CR before it):
 * at most AUTH_PASSWORD_MAX_BYTES bytes. Byte by byte, so nothing after
 * the line is consumed. 0, or -1 with *why.
 */
static int
read_line(int fd, char *buf, const char **why)
{
	size_t n = 0;
	ssize_t r;
	char c;

	for (;;) {
		if ((r = read(fd, &c, 1)) == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			*why = strerror(errno);
			return -1;
		}
		if (r == 0 || c == '\n')
			break;
		if (c == '\0') {
			*why = "the password contains a NUL byte";
			return -1;
		}
		if (n == AUTH_PASSWORD_MAX_BYTES) {
			*why = "password is longer than 1024 bytes";
			return -1;
		}
		buf[n++] = c;
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return 0;
}

/* Shows prompt on the terminal fd and reads a line with echo off. */
static int
tty_ask(int fd, const char *prompt, char *buf)
{
	struct termios noecho;
	const char *why = NULL;
	int rc;

	if (tcgetattr(fd, &tty_saved) == -1)
		return fail("cannot use the terminal: %s", strerror(errno));
	noecho = tty_saved;
	noecho.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK);
	noecho.c_lflag |= ECHONL | ICANON;
	tty_guard(fd);
	if (tcsetattr(fd, TCSAFLUSH, &noecho) == -1) {
		tty_unguard();
		return fail("cannot turn off the terminal echo: %s",
		    strerror(errno));
	}
	/* Only now: the prompt tells the typist echo is off. */
	if (write(fd, prompt, strlen(prompt)) == -1)
		why = strerror(errno);
	rc = why == NULL ? read_line(fd, buf, &why) : -1;
	tcsetattr(fd, TCSAFLUSH, &tty_saved);
	tty_unguard();
	if (rc == -1) {
		explicit_bzero(buf, PASSWORD_BUF);
		return fail("%s", why);
	}
	return 0;
}

static int
from_tty(char *buf, const char *prompt, int confirm)
{
	char again[PASSWORD_BUF];
	int fd, rc;

	if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1) {
		fail("no terminal to ask for the password on; use "
		    "--password-stdin");
		return -1;
	}
	if ((rc = tty_ask(fd, prompt, buf)) == 0 && confirm &&
	    (rc = tty_ask(fd, "Retype the password: ", again)) == 0 &&
	    !auth_str_equal(buf, again))
		rc = fail("the passwords do not match");
	explicit_bzero(again, sizeof(again));
	close(fd);
	if (rc != 0)
		explicit_bzero(buf, PASSWORD_BUF);
	return rc == 0 ? 0 : -1;
}

int
password_read(char *buf, int from_stdin, const char *prompt, int confirm)
{
	const char *why = NULL;

	if (!from_stdin)
		return from_tty(buf, prompt, confirm);
	if (read_line(STDIN_FILENO, buf, &why) == -1) {
		explicit_bzero(buf, PASSWORD_BUF);
		fail("%s", why);
		return -1;
	}
	if (buf[0] == '\0') {
		fail("no password on standard input");
		return -1;
	}
	return 0;
}
