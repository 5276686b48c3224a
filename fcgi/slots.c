/*
 * Fixed-size slots in one memfd, each checked by a keyed SipHash.  See
 * slots.h.
 */
#include <sys/mman.h>

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "fcgi/slots.h"

_Static_assert(sizeof(struct slot_head) == 16, "no padding in a head");

/* The keyed hash of a slot's length and contents. */
static void
slot_mac(const struct slots *s, const struct slot_head *h,
    unsigned char *out)
{
	crypto_shorthash(out, (const unsigned char *)&h->len,
	    sizeof(*h) - offsetof(struct slot_head, len) + h->len, s->key);
}

int
slots_open(struct slots *s, const char *name, uint32_t n, uint32_t size)
{
	int	 fd, saved;

	s->fd = -1;
	s->n = n;
	s->size = size;
	if (n == 0 || size <= sizeof(struct slot_head) || sodium_init() < 0) {
		errno = EINVAL;
		return -1;
	}
	crypto_shorthash_keygen(s->key);
	if ((fd = memfd_create(name, MFD_CLOEXEC)) < 0)
		return -1;
	if (ftruncate(fd, (off_t)n * size) != 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	s->fd = fd;
	return 0;
}

int
slots_read(const struct slots *s, uint32_t i, void *buf, size_t size)
{
	struct slot_head	*h = buf;
	unsigned char		 mac[crypto_shorthash_BYTES];

	if (size > s->size)
		size = s->size;
	if (s->fd < 0 || i >= s->n || size < sizeof(*h) ||
	    pread(s->fd, buf, size, (off_t)i * s->size) != (ssize_t)size ||
	    h->len > size - sizeof(*h))
		return 0;
	slot_mac(s, h, mac);
	return sodium_memcmp(mac, h->mac, sizeof(mac)) == 0;
}

void
slots_write(const struct slots *s, uint32_t i, void *buf)
{
	struct slot_head	*h = buf;

	if (s->fd < 0 || i >= s->n || h->len > s->size - sizeof(*h))
		return;
	h->zero = 0;
	slot_mac(s, h, h->mac);
	/*
	 * Nothing to do if it fails: a slot written in part fails its check
	 * and reads as empty.
	 */
	if (pwrite(s->fd, buf, sizeof(*h) + h->len, (off_t)i * s->size) < 0)
		return;
}

void
slots_pick(const struct slots *s, const void *place, size_t len,
    uint32_t i[SLOTS_WAYS])
{
	unsigned char	 h[crypto_shorthash_BYTES];
	uint64_t	 x;
	uint32_t	 step;
	int		 j, k;

	if (s->n < SLOTS_WAYS) {	/* not open */
		memset(i, 0, SLOTS_WAYS * sizeof(*i));
		return;
	}
	crypto_shorthash(h, place, len, s->key);
	memcpy(&x, h, sizeof(x));
	/* Double hashing; a slot already picked moves on to the next. */
	step = (uint32_t)(x >> 32) % s->n;
	for (j = 0; j < SLOTS_WAYS; j++) {
		i[j] = (uint32_t)((x + (uint64_t)j * step) % s->n);
		for (k = 0; k < j; k++)
			if (i[k] == i[j]) {
				i[j] = (i[j] + 1) % s->n;
				k = -1;		/* check them all again */
			}
	}
}
