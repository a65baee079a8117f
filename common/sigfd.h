/*
 * SIGINT and SIGTERM as a readable descriptor, for daemons whose loop is
 * poll() or libwebsockets. Call it before any library starts a thread, so
 * that every thread inherits the blocked mask and only the descriptor sees
 * the signals. SIGPIPE is ignored: a peer closing mid-write is an EPIPE.
 */
#ifndef SIGFD_H
#define SIGFD_H

/* Returns the non-blocking signalfd; fatal() on failure. */
int	 sigfd_open(void);

#endif /* SIGFD_H */
