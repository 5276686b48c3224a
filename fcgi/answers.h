/*
 * The pool's shared cache of account answers (GET /api/v1/account).
 *
 * Each worker keeps its own last answers (fcgi/portal_home.c), but a
 * request reaches whichever worker is free: with 16 workers every account
 * was loaded from the database up to 16 times, and an account a worker has
 * not seen lately is always a miss.  Behind the workers' own caches, this
 * one holds answers for the whole pool, in fixed slots of a memfd
 * (fcgi/slots.h: no locks, never mapped, a torn slot reads as empty).
 * Each account has SLOTS_WAYS slots to choose from (a hash of region and
 * account): a new answer replaces the account's other one, else a slot
 * that holds nothing valid, else one of a past day or generation (after a
 * reload every slot is, and any current answer evicted is loaded again),
 * else any.
 */
#ifndef BILLGW_ANSWERS_H
#define BILLGW_ANSWERS_H

#include <stddef.h>
#include <stdint.h>

#include "fcgi/slots.h"

#define ANSWERS_SLOTS		8192
#define ANSWERS_SLOT_SIZE	2048	/* 16 MiB in all, allocated as used */
#define ANSWERS_BODY_MAX	(ANSWERS_SLOT_SIZE - 48)
#define ANSWERS_CLAIMS		512	/* loads in flight at once, at most */
#define ANSWERS_CLAIM_MS	50	/* a claim lapses after this */

/* What an answer is valid for: all of it must match. */
struct answer_key {
	int32_t		 ri;		/* region index */
	int32_t		 today;		/* the region's date, days */
	int64_t		 acct;
	int64_t		 version;	/* accounts.version */
	int64_t		 generation;	/* the pool's; a reload starts anew */
};

/*
 * Loads in flight, so that the pool loads a missing answer once.  When
 * every worker misses the same account at the same moment (after a
 * reload, or clients in step), each loaded it: 8,682 loads for 4,000
 * accounts in a row of the benchmark.  The first to miss claims the key
 * and loads; the others wait for its answer in the shared cache, at most
 * until its claim is released or lapses (a worker killed while loading).
 * In the scoreboard's shared mapping; all zero is empty.
 */
struct answer_claims {
	_Atomic uint64_t	 word[ANSWERS_CLAIMS];	/* tag << 32 | deadline */
};

enum answer_claim {
	CLAIM_OURS,	/* load it, answers_put() it, answers_release() */
	CLAIM_BUSY,	/* another worker loads it: answers_await() */
	CLAIM_NONE	/* the claim's place is another key's: just load */
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

/* Claim k for loading; *ticket is what to release (CLAIM_OURS). */
enum answer_claim answers_claim(const struct slots *a,
	    struct answer_claims *c, const struct answer_key *k,
	    uint64_t *ticket);

/* The load claimed with ticket is over (put, or failed). */
void	answers_release(const struct slots *a, struct answer_claims *c,
	    const struct answer_key *k, uint64_t ticket);

/*
 * After CLAIM_BUSY: wait for the other worker's answer, as answers_get().
 * -1 when it is done without one (too long to share, or its load failed)
 * or its claim lapses: load it then, without claiming.
 */
long	answers_await(const struct slots *a, struct answer_claims *c,
	    const struct answer_key *k, char *buf, size_t size,
	    uint32_t *where);

#endif /* BILLGW_ANSWERS_H */
