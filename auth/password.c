/*
 * argon2id via libsodium.
 *
 * Cost: opslimit 3, memlimit 32 MiB.  OWASP's floor for argon2id is
 * 19 MiB with t=2 (or 46 MiB with t=1); we stay above both with t=3 and
 * 32 MiB, which costs about 60 ms on one core of a current server.  Memory
 * is the binding limit: every worker that verifies at the same moment needs
 * its own 32 MiB, so 16 workers peak at 512 MiB.  Raising the parameters
 * later is safe: password_needs_rehash() reports older hashes and sign-in
 * rewrites them.
 */
#include <sys/mman.h>
#include <sys/syscall.h>

#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "auth/password.h"

#define PASSWORD_OPSLIMIT	3ULL
#define PASSWORD_MEMLIMIT	(32UL * 1024 * 1024)

static char	dummy_hash[crypto_pwhash_STRBYTES];

_Static_assert(PASSWORD_HASH_MAX == crypto_pwhash_STRBYTES,
    "PASSWORD_HASH_MAX must be crypto_pwhash_STRBYTES");
_Static_assert(PASSWORD_OPSLIMIT >= 2, "OWASP: t >= 2 at 19 MiB");
_Static_assert(PASSWORD_MEMLIMIT >= 19UL * 1024 * 1024, "OWASP: >= 19 MiB");

/*
 * argon2id's 32 MiB, on huge pages.  libsodium maps it for each
 * verification with mmap(MAP_POPULATE) and unmaps it after: 8,192 small
 * pages allocated and zeroed every time, a third of the verification
 * (measured: 33 ms with small pages, 23 ms with huge ones).  Defining mmap
 * and munmap here puts them in front of libc's for the libraries billgw
 * loads (libc's own calls, malloc's among them, never come here).  Exactly
 * libsodium's request (anonymous, private, populated, at least 2 MiB) is
 * mapped without MAP_POPULATE and marked MADV_HUGEPAGE, so that argon2's
 * first pass faults it in 2 MiB at a time; every other call goes straight
 * to the system call.  Where transparent huge pages are "never", the
 * advice is ignored and nothing changes.
 *
 * By default the memory is returned at each munmap: the workers stay
 * small.  A process that verifies one password after another (the pool's
 * sign-in workers, password_keep_buffer()) keeps the last buffer instead
 * and hands it to the next verification, until password_release_buffer():
 * no fresh pages to fault in and zero, and the same 32 MiB still in the
 * caches (measured, sign-ins in a pool of 2: 82-84 vs 77-78 a second).
 * Between verifications it holds the last one's final blocks, from which
 * checking a guess costs a whole argon2id run, as it does from the hash.
 */
#define ARGON2_MAP_FLAGS	(MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE)
#define HUGE_PAGE		(2UL * 1024 * 1024)

static struct {
	int	 on;		/* password_keep_buffer() */
	void	*mem;		/* the kept buffer, or NULL */
	size_t	 len;
	int	 lent;		/* libsodium holds it now */
} kept;

void *
mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void	*p;

	if (addr != NULL || flags != ARGON2_MAP_FLAGS || len < HUGE_PAGE)
		return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd,
		    off);
	if (kept.mem != NULL && !kept.lent && kept.len == len) {
		kept.lent = 1;
		return kept.mem;
	}
	p = (void *)syscall(SYS_mmap, NULL, len, prot,
	    flags & ~MAP_POPULATE, fd, off);
	if (p == MAP_FAILED)
		return p;
	(void)madvise(p, len, MADV_HUGEPAGE);
	if (kept.on && kept.mem == NULL) {
		kept.mem = p;
		kept.len = len;
		kept.lent = 1;
	}
	return p;
}

int
munmap(void *addr, size_t len)
{
	if (addr != NULL && addr == kept.mem) {
		kept.lent = 0;
		if (kept.on)
			return 0;
		kept.mem = NULL;
	}
	return (int)syscall(SYS_munmap, addr, len);
}

void
password_keep_buffer(int on)
{
	kept.on = on;
	if (!on)
		password_release_buffer();
}

void
password_release_buffer(void)
{
	if (kept.mem == NULL || kept.lent)
		return;
	(void)syscall(SYS_munmap, kept.mem, kept.len);
	kept.mem = NULL;
}

size_t
password_buffer_kept(void)
{
	return kept.mem != NULL ? kept.len : 0;
}

int
password_init(void)
{
	unsigned char	 pw[32];
	int		 rc;

	if (sodium_init() < 0)
		return -1;
	if (dummy_hash[0] != '\0')
		return 0;
	/* A random password nobody knows: the hash only has to cost the same. */
	randombytes_buf(pw, sizeof(pw));
	rc = crypto_pwhash_str(dummy_hash, (const char *)pw, sizeof(pw),
	    PASSWORD_OPSLIMIT, PASSWORD_MEMLIMIT);
	sodium_memzero(pw, sizeof(pw));
	return rc == 0 ? 0 : -1;
}

/* Length of the UTF-8 sequence at s[0..len), 0 when invalid. */
static size_t
utf8_seq(const unsigned char *s, size_t len)
{
	size_t		 n, i;
	unsigned int	 cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else
		return 0;
	if (n > len)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates, beyond U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

const char *
password_policy(const char *pw, size_t len)
{
	const unsigned char	*s = (const unsigned char *)pw;
	size_t			 i = 0, n, chars = 0;

	if (len > PASSWORD_MAX_BYTES)
		return "the password is longer than 128 bytes";
	while (i < len) {
		if (s[i] < 0x20 || s[i] == 0x7f)
			return "the password holds a control character";
		if ((n = utf8_seq(s + i, len - i)) == 0)
			return "the password is not valid UTF-8";
		i += n;
		chars++;
	}
	if (chars < PASSWORD_MIN_CHARS)
		return "the password is shorter than 12 characters";
	return NULL;
}

static void	(*gate_enter)(void);
static void	(*gate_leave)(void);

void
password_set_gate(void (*enter)(void), void (*leave)(void))
{
	gate_enter = enter;
	gate_leave = leave;
}

int
password_hash(const char *pw, size_t len, char *out)
{
	int	 rc;

	if (len > PASSWORD_MAX_BYTES)
		return -1;
	if (sodium_init() < 0)
		return -1;
	if (gate_enter)
		gate_enter();
	rc = crypto_pwhash_str(out, pw, len, PASSWORD_OPSLIMIT,
	    PASSWORD_MEMLIMIT);
	if (gate_leave)
		gate_leave();
	return rc == 0 ? 0 : -1;
}

enum password_res
password_verify(const char *hash, const char *pw, size_t len)
{
	int	 rc;

	if (len > PASSWORD_MAX_BYTES)
		return PASSWORD_MISMATCH;
	if (strncmp(hash, crypto_pwhash_argon2id_STRPREFIX,
	    strlen(crypto_pwhash_argon2id_STRPREFIX)) != 0 ||
	    strnlen(hash, crypto_pwhash_STRBYTES) == crypto_pwhash_STRBYTES)
		return PASSWORD_ERR;
	if (gate_enter)
		gate_enter();
	rc = crypto_pwhash_str_verify(hash, pw, len);
	if (gate_leave)
		gate_leave();
	return rc == 0 ? PASSWORD_OK : PASSWORD_MISMATCH;
}

enum password_res
password_verify_dummy(const char *pw, size_t len)
{
	if (len > PASSWORD_MAX_BYTES)
		return PASSWORD_MISMATCH;	/* as password_verify() */
	if (dummy_hash[0] == '\0' && password_init() == -1)
		return PASSWORD_ERR;
	(void)password_verify(dummy_hash, pw, len);
	return PASSWORD_MISMATCH;
}

int
password_needs_rehash(const char *hash)
{
	return crypto_pwhash_str_needs_rehash(hash, PASSWORD_OPSLIMIT,
	    PASSWORD_MEMLIMIT) != 0;
}

void
password_wipe(void *p, size_t len)
{
	sodium_memzero(p, len);
}
