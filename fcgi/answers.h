/*
 * The pool's shared cache of account answers (GET /api/v1/account).
 *
 * Each worker keeps its own last answers (fcgi/portal_home.c), but a
 * request reaches whichever worker is free: with 16 workers every account
 * was loaded from the database up to 16 times, and an account a worker has
 * not seen lately is always a miss.  Behind the workers' own caches, this
 * one holds answers for the whole pool, in fixed slots of a memfd
 * (fcgi/slots.h: no locks, never mapped, a torn slot reads as empty).
 * Each account has two slots to choose from (two hashes of region and
 * account): a new answer replaces the account's other one, else a slot
 * that holds nothing valid, else either.
 */
#ifndef BILLGW_ANSWERS_H
#define BILLGW_ANSWERS_H

#include <stddef.h>
#include <stdint.h>

#include "fcgi/slots.h"

#define ANSWERS_SLOTS		8192
#define ANSWERS_SLOT_SIZE	2048	/* 16 MiB in all, allocated as used */
#define ANSWERS_BODY_MAX	(ANSWERS_SLOT_SIZE - 48)

/* What an answer is valid for: all of it must match. */
struct answer_key {
	int32_t		 ri;		/* region index */
	int32_t		 today;		/* the region's date, days */
	int64_t		 acct;
	int64_t		 version;	/* accounts.version */
	int64_t		 generation;	/* the pool's; a reload starts anew */
};

/* Master, before forking: 0, or -1 with errno (then a->fd is -1). */
int	answers_open(struct slots *a);

/*
 * The answer for k if the pool keeps one: its length, with the body copied
 * into buf[size]; else -1, with *where the slot to put it in.
 */
long	answers_get(const struct slots *a, const struct answer_key *k,
	    char *buf, size_t size, uint32_t *where);

/* Keep body[len] for k in slot where (from answers_get()). */
void	answers_put(const struct slots *a, const struct answer_key *k,
	    const char *body, size_t len, uint32_t where);

#endif /* BILLGW_ANSWERS_H */
