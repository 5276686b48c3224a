/*
 * bench_password: the time of one argon2id verification with billgw's own
 * parameters (auth/password.c), the unit of sign-in capacity: a machine
 * signs in at most (cores / this) users a second.  The verifications follow
 * each other as in a busy sign-in worker (fcgi/worker.c): argon2id's
 * buffer is kept from one to the next, as the worker keeps it.
 *
 *	bench_password [N]	prints the median of N verifications (ms)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/password.h"

static int
cmp(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char *argv[])
{
	const char	*pw = "Bench-Passw0rd!";
	char		 hash[PASSWORD_HASH_MAX];
	double		*ms;
	struct timespec	 t0, t1;
	int		 i, n = argc > 1 ? atoi(argv[1]) : 21;

	if (n < 1 || n > 10000 || password_init() != 0 ||
	    password_hash(pw, strlen(pw), hash) != 0 ||
	    (ms = calloc((size_t)n, sizeof(*ms))) == NULL) {
		fprintf(stderr, "bench_password: cannot start\n");
		return 1;
	}
	password_keep_buffer(1);
	for (i = 0; i < n; i++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (password_verify(hash, pw, strlen(pw)) != PASSWORD_OK) {
			fprintf(stderr, "bench_password: verify failed\n");
			return 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms[i] = (t1.tv_sec - t0.tv_sec) * 1e3 +
		    (t1.tv_nsec - t0.tv_nsec) / 1e6;
	}
	qsort(ms, (size_t)n, sizeof(*ms), cmp);
	printf("%.2f\n", ms[n / 2]);
	free(ms);
	return 0;
}
