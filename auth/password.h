/*
 * Password hashing: argon2id PHC strings through libsodium (SPEC section 4).
 * The gateway and billgwctl use this same code, so what one writes the
 * other verifies.
 */
#ifndef BILLGW_PASSWORD_H
#define BILLGW_PASSWORD_H

#include <stddef.h>

#define PASSWORD_MAX_BYTES	128	/* longer is refused before hashing */
#define PASSWORD_MIN_CHARS	12	/* for a new password */
#define PASSWORD_HASH_MAX	128	/* crypto_pwhash_STRBYTES, with the NUL */

enum password_res {
	PASSWORD_OK,		/* matches */
	PASSWORD_MISMATCH,	/* does not match (or is too long) */
	PASSWORD_ERR		/* a malformed stored hash, out of memory */
};

/*
 * Initialise libsodium and compute the dummy hash used for unknown users:
 * one argon2id hash, the first time only.  The pool's master calls it
 * before it forks, so every worker inherits the hash and its own call
 * computes nothing.  Returns 0 or -1.
 */
int	password_init(void);

/*
 * Is pw[0..len) acceptable as a new password?  PASSWORD_MIN_CHARS or more
 * characters, at most PASSWORD_MAX_BYTES bytes, valid UTF-8 without control
 * characters.  Returns NULL when it is, else the reason (a constant).
 */
const char	*password_policy(const char *pw, size_t len);

/*
 * Hash pw[0..len) into out (PASSWORD_HASH_MAX bytes) as an argon2id PHC
 * string.  Returns 0, or -1 when pw is over PASSWORD_MAX_BYTES or memory
 * runs out.  pw is not wiped: the caller owns it.
 */
int	password_hash(const char *pw, size_t len, char *out);

/*
 * Check pw[0..len) against the PHC string hash in constant time.  A
 * password over PASSWORD_MAX_BYTES is a mismatch at once (no hashing).
 */
enum password_res password_verify(const char *hash, const char *pw,
	    size_t len);

/*
 * Verify pw against the dummy hash and report a mismatch: what sign-in does
 * for an unknown identifier, so its timing matches a known one.
 */
enum password_res password_verify_dummy(const char *pw, size_t len);

/* 1 when hash was made with other parameters than ours (rehash on sign-in). */
int	password_needs_rehash(const char *hash);

/* Wipe len bytes at p (sodium_memzero: not optimised away). */
void	password_wipe(void *p, size_t len);

/*
 * Bracket every argon2id computation (hash and verify) with enter() and
 * leave(): the gateway uses it to run at most one per core across the
 * whole pool, so that the rest queue instead of thrashing the caches with
 * 32 MiB each.  NULL, NULL: no gate (billgwctl, tests).
 */
void	password_set_gate(void (*enter)(void), void (*leave)(void));

/*
 * With on, keep argon2id's 32 MiB from one hash or verification to the
 * next instead of returning it each time (cheaper when they follow each
 * other); password_release_buffer() returns it; password_buffer_kept() is
 * how many bytes are kept now.  Off by default, and for every worker but
 * the pool's sign-in workers (fcgi/worker.c).
 */
void	password_keep_buffer(int on);
void	password_release_buffer(void);
size_t	password_buffer_kept(void);

#endif /* BILLGW_PASSWORD_H */
