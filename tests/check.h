/*
 * The unit-test harness: CHECK(cond, name...) prints "ok NAME" or
 * "FAIL NAME (file:line: cond)"; check_report() prints "N passed, N failed"
 * and returns the exit status. Tests are table-driven where they can be.
 */
#ifndef CHECK_H
#define CHECK_H

#include <stdio.h>

static int check_passed, check_failed;

#define CHECK(cond, ...) do {						\
	int check_ok_ = (cond) ? 1 : 0;					\
									\
	if (check_ok_) {							\
		check_passed++;						\
		printf("ok ");						\
	} else {							\
		check_failed++;						\
		printf("FAIL ");					\
	}								\
	printf(__VA_ARGS__);						\
	if (!check_ok_)							\
		printf(" (%s:%d: %s)", __FILE__, __LINE__, #cond);	\
	printf("\n");							\
} while (0)

static inline int
check_report(void)
{
	printf("%d passed, %d failed\n", check_passed, check_failed);
	return check_failed == 0 ? 0 : 1;
}

#endif /* CHECK_H */
