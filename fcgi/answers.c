/*
 * The pool's shared answer cache: one memfd of fixed slots.  See answers.h.
 */
#include <sys/mman.h>

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "fcgi/answers.h"

struct slot {
	unsigned char		 mac[crypto_shorthash_BYTES];
	struct answer_key	 k;
	uint32_t		 len;
	uint32_t		 zero;
	char			 body[ANSWERS_SLOT_SIZE - 48];
};

_Static_assert(sizeof(struct slot) == ANSWERS_SLOT_SIZE,
    "a slot is ANSWERS_SLOT_SIZE bytes");
_Static_assert(offsetof(struct slot, body) == 48, "no padding in a slot");
/* Its bytes are hashed: no padding, whose contents C leaves open. */
_Static_assert(sizeof(struct answer_key) == 32, "no padding in a key");

/* The keyed hash of everything after the mac: key, length and body. */
static void
slot_mac(const struct answers *a, const struct slot *s, unsigned char *out)
{
	crypto_shorthash(out, (const unsigned char *)&s->k,
	    offsetof(struct slot, body) - offsetof(struct slot, k) + s->len,
	    a->key);
}

/* Slot i read whole; 1 when it holds an answer written whole. */
static int
slot_read(const struct answers *a, uint32_t i, struct slot *s)
{
	unsigned char	 mac[crypto_shorthash_BYTES];

	if (pread(a->fd, s, sizeof(*s), (off_t)i * ANSWERS_SLOT_SIZE) !=
	    (ssize_t)sizeof(*s) || s->len > sizeof(s->body))
		return 0;
	slot_mac(a, s, mac);
	return sodium_memcmp(mac, s->mac, sizeof(mac)) == 0;
}

/* The two slots an account may use. */
static void
slots_of(const struct answers *a, const struct answer_key *k, uint32_t i[2])
{
	unsigned char	 in[sizeof(k->ri) + sizeof(k->acct)];
	unsigned char	 h[crypto_shorthash_BYTES];
	uint64_t	 x;

	memcpy(in, &k->ri, sizeof(k->ri));
	memcpy(in + sizeof(k->ri), &k->acct, sizeof(k->acct));
	crypto_shorthash(h, in, sizeof(in), a->key);
	memcpy(&x, h, sizeof(x));
	i[0] = (uint32_t)(x % ANSWERS_SLOTS);
	i[1] = (uint32_t)((x >> 32) % ANSWERS_SLOTS);
	if (i[1] == i[0])
		i[1] = (i[0] + 1) % ANSWERS_SLOTS;
}

int
answers_open(struct answers *a)
{
	int	 fd, saved;

	a->fd = -1;
	if (sodium_init() < 0) {
		errno = EIO;
		return -1;
	}
	crypto_shorthash_keygen(a->key);
	if ((fd = memfd_create("billgw-answers", MFD_CLOEXEC)) < 0)
		return -1;
	if (ftruncate(fd, (off_t)ANSWERS_SLOTS * ANSWERS_SLOT_SIZE) != 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	a->fd = fd;
	return 0;
}

long
answers_get(const struct answers *a, const struct answer_key *k, char *buf,
    size_t size, uint32_t *where)
{
	struct slot	 s;
	uint32_t	 i[2];
	int		 j, own = -1, empty = -1;

	slots_of(a, k, i);
	for (j = 0; a->fd >= 0 && j < 2; j++) {
		if (!slot_read(a, i[j], &s)) {
			empty = j;
			continue;
		}
		if (s.k.ri != k->ri || s.k.acct != k->acct)
			continue;
		if (s.k.version == k->version && s.k.today == k->today &&
		    s.k.generation == k->generation && s.len <= size) {
			memcpy(buf, s.body, s.len);
			return s.len;
		}
		own = j;	/* another answer of the account: replace it */
	}
	*where = i[own >= 0 ? own : empty >= 0 ? empty :
	    (int)randombytes_uniform(2)];
	return -1;
}

void
answers_put(const struct answers *a, const struct answer_key *k,
    const char *body, size_t len, uint32_t where)
{
	struct slot	 s;

	if (a->fd < 0 || len > sizeof(s.body) || where >= ANSWERS_SLOTS)
		return;
	memset(&s, 0, offsetof(struct slot, body));
	s.k = *k;
	s.len = (uint32_t)len;
	memcpy(s.body, body, len);
	slot_mac(a, &s, s.mac);
	/*
	 * Nothing to do if it fails: a slot written in part fails its check
	 * and reads as a miss.
	 */
	if (pwrite(a->fd, &s, offsetof(struct slot, body) + len,
	    (off_t)where * ANSWERS_SLOT_SIZE) < 0)
		return;
}
