/*
 * What every harness shares: libFuzzer's entry point, and FZ_CHECK, an
 * invariant that aborts (libFuzzer then saves the input) with the
 * condition and where it failed, unlike assert() never compiled out.
 */
#ifndef FUZZ_CHECK_H
#define FUZZ_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FZ_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n",	\
		    #cond, __FILE__, __LINE__);				\
		abort();						\
	}								\
} while (0)

/* What the code under test printed, caught in memory. */
struct fz_output {
	char	*out, *err;
	size_t	 out_len, err_len;
	FILE	*out_f, *err_f, *saved_out, *saved_err;
};

/* From here to fz_release, stdout and stderr go to o. */
static inline void
fz_capture(struct fz_output *o)
{
	memset(o, 0, sizeof(*o));
	if ((o->out_f = open_memstream(&o->out, &o->out_len)) == NULL ||
	    (o->err_f = open_memstream(&o->err, &o->err_len)) == NULL)
		abort();
	o->saved_out = stdout;
	o->saved_err = stderr;
	stdout = o->out_f;
	stderr = o->err_f;
}

/* The real stdout and stderr back; o->out and o->err hold the text. */
static inline void
fz_release(struct fz_output *o)
{
	stdout = o->saved_out;
	stderr = o->saved_err;
	fclose(o->out_f);
	fclose(o->err_f);
}

static inline void
fz_output_free(struct fz_output *o)
{
	free(o->out);
	free(o->err);
}

#endif
