/*
 * Fixed-size slots in one memfd, shared by the pool without locks: what
 * the pool's shared caches (fcgi/answers.h, the token memo of
 * auth/session.h) are built on.
 *
 * The master makes the memfd before it forks; workers read and write whole
 * slots with pread and pwrite and never map it, so its pages are shared
 * once on the machine and count in no worker's RSS.  Every slot starts
 * with a head whose keyed SipHash (crypto_shorthash, the key made by the
 * master) covers the slot's length and the bytes after the head: a torn
 * read (two writers, or a writer killed half-way) or a slot never written
 * fails the check and reads as empty, never as another key's value.
 */
#ifndef BILLGW_SLOTS_H
#define BILLGW_SLOTS_H

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

struct slots {
	int		 fd;		/* -1: none */
	uint32_t	 n;		/* slots */
	uint32_t	 size;		/* bytes each, head included */
	unsigned char	 key[crypto_shorthash_KEYBYTES];
};

/* The first bytes of every slot. */
struct slot_head {
	unsigned char	 mac[crypto_shorthash_BYTES];
	uint32_t	 len;		/* bytes after the head */
	uint32_t	 zero;
};

/* Master, before forking: 0, or -1 with errno (then s->fd is -1). */
int	slots_open(struct slots *s, const char *name, uint32_t n,
	    uint32_t size);

/*
 * Slot i, as far as it fits, into buf[size]: 1 when that holds a whole,
 * checked write.
 */
int	slots_read(const struct slots *s, uint32_t i, void *buf, size_t size);

/* Write buf (a head, then head->len bytes) as slot i, its mac computed. */
void	slots_write(const struct slots *s, uint32_t i, void *buf);

/*
 * The SLOTS_WAYS slots a key may use, all different: from the keyed hash of
 * place[len].  Four, not two: with 4,000 accounts in 8,192 slots, two
 * choices evicted current answers on every pass (a simulation: 5,197 loads
 * for the first pass, then 455, 311, 211; four: 4,056, then none).
 */
#define SLOTS_WAYS	4
void	slots_pick(const struct slots *s, const void *place, size_t len,
	    uint32_t i[SLOTS_WAYS]);

#endif /* BILLGW_SLOTS_H */
