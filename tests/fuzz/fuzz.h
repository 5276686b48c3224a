/*
 * The libFuzzer entry points (https://llvm.org/docs/LibFuzzer.html) that
 * every tests/fuzz/fuzz_TARGET.c defines, and what the targets share.
 * Each target is linked twice: with libFuzzer's main (-DBILLGW_FUZZ=ON,
 * clang) and with replay.c, which feeds it the committed corpus and crash
 * reproducers as a regression test in the ordinary gcc build.
 *
 * A target is deterministic (no clock, no randomness that changes what
 * runs), keeps no state from one input to the next but what its
 * LLVMFuzzerInitialize() set up once, and frees what it allocates.
 */
#ifndef BILLGW_FUZZ_H
#define BILLGW_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Once per process, before the first input.  Returns 0. */
int	LLVMFuzzerInitialize(int *argc, char ***argv);

/* One input of size bytes (not NUL-terminated).  Returns 0. */
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * An invariant of the code under test: when it does not hold, the target
 * aborts, and libFuzzer (or the sanitizers of the replay build) reports the
 * input as a crash.
 */
#define FUZZ_ASSERT(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant failed: %s\n",	\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

/* A copy of data[0..size) with a NUL after it; aborts when out of memory. */
static inline char *
fuzz_strndup(const uint8_t *data, size_t size)
{
	char	*s;

	if ((s = malloc(size + 1)) == NULL)
		abort();
	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif /* BILLGW_FUZZ_H */
