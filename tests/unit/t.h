/*
 * A minimal test harness: each test is a function named as a sentence
 * about behaviour; CHECK records a failure with its line and goes on.
 * The run ends with "N passed, N failed" and a non-zero exit on failure.
 */
#ifndef BILLGW_T_H
#define BILLGW_T_H

#include <stdio.h>
#include <string.h>

static int	 t_failed_checks;
static int	 t_passed, t_failed;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "    %s:%d: CHECK(%s) failed\n",	\
		    __FILE__, __LINE__, #cond);				\
		t_failed_checks++;					\
	}								\
} while (0)

#define CHECK_STR(got, want) do {					\
	const char *g_ = (got), *w_ = (want);				\
	if (g_ == NULL || strcmp(g_, w_) != 0) {			\
		fprintf(stderr, "    %s:%d: got \"%s\", want \"%s\"\n",	\
		    __FILE__, __LINE__, g_ ? g_ : "(null)", w_);	\
		t_failed_checks++;					\
	}								\
} while (0)

#define RUN(fn) do {							\
	int before_ = t_failed_checks;					\
	fn();								\
	if (t_failed_checks == before_) {				\
		t_passed++;						\
		printf("ok   %s\n", #fn);				\
	} else {							\
		t_failed++;						\
		printf("FAIL %s\n", #fn);				\
	}								\
} while (0)

#define DONE() (printf("%d passed, %d failed\n", t_passed, t_failed),	\
	t_failed ? 1 : 0)

#endif /* BILLGW_T_H */
