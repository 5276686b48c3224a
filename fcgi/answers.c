/*
 * The pool's shared answer cache, on fcgi/slots.c.  See answers.h.
 */
#include <stddef.h>
#include <string.h>

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

/* The two slots an account's answers may use. */
static void
slots_of(const struct slots *a, const struct answer_key *k, uint32_t i[2])
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
	uint32_t	 i[2];
	int		 j, own = -1, empty = -1;

	slots_of(a, k, i);
	for (j = 0; j < 2; j++) {
		if (!slots_read(a, i[j], &s, sizeof(s)) ||
		    s.h.len < sizeof(s.k)) {
			empty = j;
			continue;
		}
		if (s.k.ri != k->ri || s.k.acct != k->acct)
			continue;
		if (s.k.version == k->version && s.k.today == k->today &&
		    s.k.generation == k->generation && BODY_LEN(&s) <= size) {
			memcpy(buf, s.body, BODY_LEN(&s));
			return (long)BODY_LEN(&s);
		}
		own = j;	/* another answer of the account: replace it */
	}
	*where = i[own >= 0 ? own : empty >= 0 ? empty :
	    (int)randombytes_uniform(2)];
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
