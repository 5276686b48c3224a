/*
 * The pool's shared answer cache, on fcgi/slots.c.  See answers.h.
 */
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#include "fcgi/answers.h"

struct slot {
	struct slot_head	 h;
	struct answer_key	 k;
	char			 body[ANSWERS_BODY_MAX];
};

_Static_assert(sizeof(struct slot) == ANSWERS_SLOT_SIZE,
    "a slot is ANSWERS_SLOT_SIZE bytes");
/* Its bytes are hashed: no padding, whose contents C leaves open. */
_Static_assert(sizeof(struct answer_key) == 32, "no padding in a key");
_Static_assert(offsetof(struct slot, body) == 48, "no padding in a slot");

#define BODY_LEN(s)	((s)->h.len - sizeof((s)->k))

int
answers_open(struct slots *a)
{
	return slots_open(a, "billgw-answers", ANSWERS_SLOTS,
	    ANSWERS_SLOT_SIZE);
}

/* The slots an account's answers may use. */
static void
slots_of(const struct slots *a, const struct answer_key *k,
    uint32_t i[SLOTS_WAYS])
{
	unsigned char	 place[sizeof(k->ri) + sizeof(k->acct)];

	memcpy(place, &k->ri, sizeof(k->ri));
	memcpy(place + sizeof(k->ri), &k->acct, sizeof(k->acct));
	slots_pick(a, place, sizeof(place), i);
}

long
answers_get(const struct slots *a, const struct answer_key *k, char *buf,
    size_t size, uint32_t *where)
{
	struct slot	 s;
	uint32_t	 i[SLOTS_WAYS];
	int		 j, own = -1, empty = -1, stale = -1;

	slots_of(a, k, i);
	for (j = 0; j < SLOTS_WAYS; j++) {
		if (!slots_read(a, i[j], &s, sizeof(s)) ||
		    s.h.len < sizeof(s.k)) {
			empty = j;
			continue;
		}
		if (s.k.ri != k->ri || s.k.acct != k->acct) {
			/* Of a generation or a day that is over (regions
			 * have their own days). */
			if (s.k.generation != k->generation ||
			    (s.k.ri == k->ri && s.k.today != k->today))
				stale = j;
			continue;
		}
		if (s.k.version == k->version && s.k.today == k->today &&
		    s.k.generation == k->generation && BODY_LEN(&s) <= size) {
			memcpy(buf, s.body, BODY_LEN(&s));
			return (long)BODY_LEN(&s);
		}
		own = j;	/* another answer of the account: replace it */
	}
	*where = i[own >= 0 ? own : empty >= 0 ? empty : stale >= 0 ? stale :
	    (int)randombytes_uniform(SLOTS_WAYS)];
	return -1;
}

void
answers_put(const struct slots *a, const struct answer_key *k,
    const char *body, size_t len, uint32_t where)
{
	struct slot	 s;

	if (len > sizeof(s.body))
		return;
	s.h.len = (uint32_t)(sizeof(s.k) + len);
	s.k = *k;
	memcpy(s.body, body, len);
	slots_write(a, where, &s);
}

/* --- loads in flight ---------------------------------------------------- */

/* Where k's claim sits, and its tag (never 0, so a word never is either). */
static size_t
claim_of(const struct slots *a, const struct answer_key *k, uint32_t *tag)
{
	unsigned char	 h[crypto_shorthash_BYTES];
	uint64_t	 x;

	crypto_shorthash(h, (const unsigned char *)k, sizeof(*k), a->key);
	memcpy(&x, h, sizeof(x));
	*tag = (uint32_t)(x >> 32) | 1;
	return (size_t)(x % ANSWERS_CLAIMS);
}

static uint32_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)ts.tv_sec * 1000u + (uint32_t)(ts.tv_nsec / 1000000);
}

/* Does claim word w still hold at now?  Wraps every 49 days: the sign. */
static int
claim_holds(uint64_t w, uint32_t now)
{
	return w != 0 && (int32_t)((uint32_t)w - now) > 0;
}

enum answer_claim
answers_claim(const struct slots *a, struct answer_claims *c,
    const struct answer_key *k, uint64_t *ticket)
{
	uint32_t	 tag, now = now_ms();
	size_t		 i = claim_of(a, k, &tag);
	uint64_t	 w = atomic_load(&c->word[i]), mine;

	mine = (uint64_t)tag << 32 | (uint32_t)(now + ANSWERS_CLAIM_MS);
	do {
		if (claim_holds(w, now))
			return w >> 32 == tag ? CLAIM_BUSY : CLAIM_NONE;
	} while (!atomic_compare_exchange_weak(&c->word[i], &w, mine));
	*ticket = mine;
	return CLAIM_OURS;
}

void
answers_release(const struct slots *a, struct answer_claims *c,
    const struct answer_key *k, uint64_t ticket)
{
	uint32_t	 tag;

	/* Not once it has lapsed and another worker claimed it anew. */
	atomic_compare_exchange_strong(&c->word[claim_of(a, k, &tag)],
	    &ticket, 0);
}

long
answers_await(const struct slots *a, struct answer_claims *c,
    const struct answer_key *k, char *buf, size_t size, uint32_t *where)
{
	/* A load takes about 0.3 ms: look again at that pace. */
	const struct timespec	 pause = { 0, 200 * 1000 };
	uint32_t		 tag;
	size_t			 i = claim_of(a, k, &tag);
	uint64_t		 w;
	long			 n;

	for (;;) {
		nanosleep(&pause, NULL);
		w = atomic_load(&c->word[i]);
		/* Read after the claim: an answer put before its release. */
		if ((n = answers_get(a, k, buf, size, where)) >= 0)
			return n;
		if (w >> 32 != tag || !claim_holds(w, now_ms()))
			return -1;
	}
}
