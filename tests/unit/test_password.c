/* auth/password.c: argon2id via libsodium. */
#include <stdlib.h>

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
	return DONE();
}
