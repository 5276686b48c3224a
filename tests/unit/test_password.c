/* auth/password.c: argon2id via libsodium. */
#include <sys/mman.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "auth/password.h"
#include "t.h"

static char	 hash[PASSWORD_HASH_MAX];

static void
a_password_over_128_bytes_is_refused_before_hashing(void)
{
	char	 pw[PASSWORD_MAX_BYTES + 1], h[PASSWORD_HASH_MAX];

	memset(pw, 'x', sizeof(pw));
	CHECK(password_hash(pw, sizeof(pw), h) == -1);
	CHECK(password_verify(hash, pw, sizeof(pw)) == PASSWORD_MISMATCH);
	CHECK(password_verify_dummy(pw, sizeof(pw)) == PASSWORD_MISMATCH);
	CHECK(password_policy(pw, sizeof(pw)) != NULL);
}

static void
a_wrong_password_does_not_verify(void)
{
	CHECK(password_verify(hash, "Correct-Horse-1", 15) ==
	    PASSWORD_MISMATCH);
	CHECK(password_verify(hash, "", 0) == PASSWORD_MISMATCH);
	/* A prefix of the right one is still wrong. */
	CHECK(password_verify(hash, "Correct-Horse", 13) ==
	    PASSWORD_MISMATCH);
}

static void
a_malformed_stored_hash_is_an_error_not_a_match(void)
{
	CHECK(password_verify("", "Correct-Horse-2", 15) == PASSWORD_ERR);
	CHECK(password_verify("$2y$10$abcdefghijklmnopqrstuv", "x", 1) ==
	    PASSWORD_ERR);
	CHECK(password_verify("$argon2id$v=19$m=32768,t=3,p=1$garbage",
	    "Correct-Horse-2", 15) == PASSWORD_MISMATCH);
}

static void
new_passwords_under_12_characters_or_with_control_bytes_are_refused(void)
{
	CHECK(password_policy("short-pw-11", 11) != NULL);
	CHECK(password_policy("tab\there-long-enough", 20) != NULL);
	CHECK(password_policy("bad-utf8-\xff-long-enough", 23) != NULL);
	/* 12 characters of 2 bytes each: counted as characters. */
	CHECK(password_policy("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3"
	    "\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 22) != NULL);
	CHECK(password_policy("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3"
	    "\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 24) ==
	    NULL);
	CHECK(password_policy("twelve-chars", 12) == NULL);
}

static void
the_right_password_verifies_against_its_argon2id_hash(void)
{
	CHECK(strncmp(hash, "$argon2id$v=19$m=32768,t=3,p=1$", 31) == 0);
	CHECK(password_verify(hash, "Correct-Horse-2", 15) == PASSWORD_OK);
}

static void
two_hashes_of_one_password_differ_by_their_salt(void)
{
	char	 h2[PASSWORD_HASH_MAX];

	CHECK(password_hash("Correct-Horse-2", 15, h2) == 0);
	CHECK(strcmp(hash, h2) != 0);
	CHECK(password_verify(h2, "Correct-Horse-2", 15) == PASSWORD_OK);
}

static void
a_hash_with_weaker_parameters_needs_a_rehash(void)
{
	/* A valid argon2id string at OWASP's floor (19 MiB, t=2). */
	static const char weaker[] = "$argon2id$v=19$m=19456,t=2,p=1$"
	    "c29tZXNhbHRzb21lc2FsdA$"
	    "RTRxbDkzdEpiM2ZibkwzdE1vWHJzVGVqcU1kTXpmQkQ";

	CHECK(password_needs_rehash(weaker) == 1);
	CHECK(password_needs_rehash(hash) == 0);
}

static void
an_unknown_user_costs_one_verification_and_never_matches(void)
{
	CHECK(password_verify_dummy("Correct-Horse-2", 15) ==
	    PASSWORD_MISMATCH);
	CHECK(password_verify_dummy("", 0) == PASSWORD_MISMATCH);
}

static void
wiping_zeroes_the_buffer(void)
{
	char	 buf[16] = "secret-password";
	size_t	 i;
	int	 nonzero = 0;

	password_wipe(buf, sizeof(buf));
	for (i = 0; i < sizeof(buf); i++)
		nonzero |= buf[i];
	CHECK(nonzero == 0);
}

/* kB of AnonHugePages in the mapping that starts at p, from smaps. */
static long
huge_kb(const void *p)
{
	char	 line[256], start[32];
	FILE	*f = fopen("/proc/self/smaps", "r");
	long	 kb = -1;
	int	 in = 0;

	if (f == NULL)
		return -1;
	snprintf(start, sizeof(start), "%lx-", (unsigned long)p);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strchr(line, '-') != NULL && strchr(line, ':') == NULL)
			in = 0;	/* a mapping's header line */
		if (strncmp(line, start, strlen(start)) == 0)
			in = 1;
		else if (in && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

static int
thp_offered(void)
{
	char	 mode[128] = "";
	FILE	*f = fopen("/sys/kernel/mm/transparent_hugepage/enabled",
		    "r");

	if (f == NULL)
		return 0;
	if (fgets(mode, sizeof(mode), f) == NULL)
		mode[0] = '\0';
	fclose(f);
	return strstr(mode, "[never]") == NULL && mode[0] != '\0';
}

static void
argon2s_mapping_is_on_huge_pages_and_every_other_passes_through(void)
{
	size_t		 len = 32UL * 1024 * 1024, i;
	unsigned char	*p, *q;
	char		 path[] = "/tmp/billgw-test-mmap.XXXXXX";
	int		 fd, zero = 1;

	/* libsodium's request: zeroed, writable, on huge pages if offered. */
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	CHECK(p != MAP_FAILED);
	for (i = 0; i < len; i += 4096)
		zero &= p[i] == 0;
	CHECK(zero);
	memset(p, 0xa5, len);
	CHECK(p[len - 1] == 0xa5);
	if (thp_offered())
		CHECK(huge_kb(p) >= 2048);
	CHECK(munmap(p, len) == 0);

	/* A file, a small anonymous mapping, a refusal: as libc's. */
	fd = mkstemp(path);
	CHECK(fd >= 0 && write(fd, "billgw", 6) == 6);
	q = mmap(NULL, 6, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK(q != MAP_FAILED && memcmp(q, "billgw", 6) == 0);
	CHECK(munmap(q, 6) == 0);
	close(fd);
	unlink(path);
	q = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(q != MAP_FAILED && q[0] == 0);
	CHECK(huge_kb(q) <= 0);
	CHECK(munmap(q, 4096) == 0);
	errno = 0;
	CHECK(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) ==
	    MAP_FAILED && errno == EINVAL);
}

/* Is [p, p+len) mapped in this process (mincore fails with ENOMEM if not)? */
static int
mapped(const void *p, size_t len)
{
	static unsigned char	 vec[(32UL * 1024 * 1024) / 4096];

	return mincore((void *)p, len, vec) == 0;
}

static void
a_kept_buffer_serves_one_verification_after_another_until_released(void)
{
	void	*first;

	CHECK(password_buffer_kept() == 0);
	password_keep_buffer(1);
	CHECK(password_verify(hash, "Correct-Horse-2", 15) == PASSWORD_OK);
	CHECK(password_buffer_kept() == 32UL * 1024 * 1024);
	/* The next argon2id run gets the same mapping, still mapped. */
	first = mmap(NULL, 32UL * 1024 * 1024, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	CHECK(first != MAP_FAILED);
	CHECK(munmap(first, 32UL * 1024 * 1024) == 0);
	CHECK(mapped(first, 32UL * 1024 * 1024));
	/* Right and wrong answers as without it, the buffer reused. */
	CHECK(password_verify(hash, "Correct-Horse-2", 15) == PASSWORD_OK);
	CHECK(password_verify(hash, "Correct-Horse-3", 15) ==
	    PASSWORD_MISMATCH);
	CHECK(password_verify_dummy("Correct-Horse-2", 15) ==
	    PASSWORD_MISMATCH);
	CHECK(password_buffer_kept() == 32UL * 1024 * 1024);
	/* Released: given back to the system. */
	password_release_buffer();
	CHECK(password_buffer_kept() == 0);
	CHECK(!mapped(first, 32UL * 1024 * 1024));
	/* Kept again by the next run, and given back when keeping stops. */
	CHECK(password_verify(hash, "Correct-Horse-2", 15) == PASSWORD_OK);
	CHECK(password_buffer_kept() == 32UL * 1024 * 1024);
	password_keep_buffer(0);
	CHECK(password_buffer_kept() == 0);
	/* Off (the default): nothing stays after a run. */
	CHECK(password_verify(hash, "Correct-Horse-2", 15) == PASSWORD_OK);
	CHECK(password_buffer_kept() == 0);
}

int
main(void)
{
	if (password_init() == -1 ||
	    password_hash("Correct-Horse-2", 15, hash) == -1) {
		fprintf(stderr, "cannot hash\n");
		return 1;
	}
	RUN(a_password_over_128_bytes_is_refused_before_hashing);
	RUN(a_wrong_password_does_not_verify);
	RUN(a_malformed_stored_hash_is_an_error_not_a_match);
	RUN(new_passwords_under_12_characters_or_with_control_bytes_are_refused);
	RUN(the_right_password_verifies_against_its_argon2id_hash);
	RUN(two_hashes_of_one_password_differ_by_their_salt);
	RUN(a_hash_with_weaker_parameters_needs_a_rehash);
	RUN(an_unknown_user_costs_one_verification_and_never_matches);
	RUN(wiping_zeroes_the_buffer);
	RUN(argon2s_mapping_is_on_huge_pages_and_every_other_passes_through);
	RUN(a_kept_buffer_serves_one_verification_after_another_until_released);
	return DONE();
}
