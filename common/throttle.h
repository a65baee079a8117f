/*
 * The login throttle's rules (security.md §4.1-4.2), apart from where the
 * failures are kept (auth.c keeps them in auth.db's login_failures): given
 * the times of recent failures and the time now, may an attempt go ahead?
 * A failure at t is inside a window of w ms while now - t < w. Failure
 * times are Unix ms, oldest first. No I/O, no clock, no allocation.
 */
#ifndef THROTTLE_H
#define THROTTLE_H

#include <stddef.h>
#include <stdint.h>

/* Per client address: 20 failures in 5 minutes refuse the next attempt. */
#define THROTTLE_ADDR_MAX		20
#define THROTTLE_ADDR_WINDOW_MS		(5 * 60 * 1000)
/*
 * Per account name: once the latest failure is the 5th or later within 5
 * minutes (counting back from it), the next attempt must wait 1 s * 2^(n
 * - 5) after it, n being those failures, capped at 15 minutes.
 */
#define THROTTLE_ACCT_FREE		5
#define THROTTLE_ACCT_WINDOW_MS		(5 * 60 * 1000)
#define THROTTLE_ACCT_BASE_MS		1000
#define THROTTLE_ACCT_CAP_MS		(15 * 60 * 1000)
/* The newest failures that decide the delay: from 15 on it is capped. */
#define THROTTLE_ACCT_SCAN		16
/* 100 failures within an hour lock an existing account. */
#define THROTTLE_LOCK_MAX		100
#define THROTTLE_LOCK_WINDOW_MS		(60 * 60 * 1000)
/* Older failures decide nothing: they may be pruned. */
#define THROTTLE_KEEP_MS		THROTTLE_LOCK_WINDOW_MS

/*
 * ts: a client address's failure times, oldest first (the newest
 * THROTTLE_ADDR_MAX are enough). Returns 0 when an attempt at now may go
 * ahead, else the ms until it may: the time until the oldest of the
 * latest THROTTLE_ADDR_MAX failures leaves the window.
 */
int64_t	 throttle_addr_wait(const int64_t *ts, size_t n, int64_t now_ms);

/*
 * ts: an account name's failure times, oldest first (the newest
 * THROTTLE_ACCT_SCAN are enough). Returns 0 when an attempt at now may
 * check the password, else the ms until it may.
 */
int64_t	 throttle_account_wait(const int64_t *ts, size_t n, int64_t now_ms);
/* The delay after the latest of n failures within the window. */
int64_t	 throttle_account_delay(size_t n);

/* Whether n failures within THROTTLE_LOCK_WINDOW_MS lock the account. */
int	 throttle_lock_due(size_t n);

#endif /* THROTTLE_H */
