/* auth/csrf.c: tokens bound to a cookie value, under the session keys. */
#include <stdlib.h>
#include <unistd.h>

#include <sodium.h>

#include "auth/csrf.h"
#include "auth/session.h"
#include "t.h"

#define K_OLD	"the old key, now second in the file: 48 bytes.."
#define K_NEW	"Zm9vYmFyYmF6cXV4MDEyMzQ1Njc4OWFiY2RlZmdoaWprbG1ub3Bx"

static struct session_keys	*keys;		/* new, then old */
static struct session_keys	*old_keys;	/* old only */
static char			 dir[64], err[512];

static struct session_keys *
load(const char *name, const char *text)
{
	char		 path[128];
	FILE		*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL)
		return NULL;
	fputs(text, f);
	fclose(f);
	return session_keys_load(path, err, sizeof(err));
}

static void
a_token_of_another_binding_fails(void)
{
	char	 a[CSRF_BINDING_LEN + 1], b[CSRF_BINDING_LEN + 1];
	char	 t[CSRF_TOKEN_LEN + 1];

	csrf_new_binding(a);
	csrf_new_binding(b);
	csrf_token(keys, a, t);
	CHECK(csrf_check(keys, b, t) == 0);
	/* A binding that extends the right one. */
	snprintf(b, sizeof(b), "%.*sx", CSRF_BINDING_LEN - 1, a);
	CHECK(csrf_check(keys, b, t) == 0);
}

static void
a_truncated_overlong_or_altered_token_fails(void)
{
	char	 t[CSRF_TOKEN_LEN + 1], longer[CSRF_TOKEN_LEN + 2];

	csrf_token(keys, "pre-session-value-0001", t);
	snprintf(longer, sizeof(longer), "%sA", t);
	CHECK(csrf_check(keys, "pre-session-value-0001", longer) == 0);
	t[CSRF_TOKEN_LEN - 1] = '\0';
	CHECK(csrf_check(keys, "pre-session-value-0001", t) == 0);
	CHECK(csrf_check(keys, "pre-session-value-0001", "") == 0);
	CHECK(csrf_check(keys, "pre-session-value-0001", NULL) == 0);
	csrf_token(keys, "pre-session-value-0001", t);
	t[5] = t[5] == 'A' ? 'B' : 'A';
	CHECK(csrf_check(keys, "pre-session-value-0001", t) == 0);
}

static void
an_empty_missing_or_overlong_binding_never_passes(void)
{
	char	 t[CSRF_TOKEN_LEN + 1], big[80];

	csrf_token(keys, "", t);
	CHECK(csrf_check(keys, "", t) == 0);
	csrf_token(keys, NULL, t);
	CHECK(csrf_check(keys, NULL, t) == 0);
	memset(big, 'b', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	csrf_token(keys, big, t);
	CHECK(csrf_check(keys, big, t) == 0);
}

static void
a_token_of_a_key_not_in_the_file_fails(void)
{
	struct session_keys	*other;
	char			 t[CSRF_TOKEN_LEN + 1];

	other = load("other.keys", "k9 some-other-secret-of-more-than-32-b\n");
	CHECK(other != NULL);
	if (other == NULL)
		return;
	csrf_token(other, "binding", t);
	CHECK(csrf_check(keys, "binding", t) == 0);
	session_keys_free(other);
}

static void
the_right_token_passes(void)
{
	char	 b[CSRF_BINDING_LEN + 1], t[CSRF_TOKEN_LEN + 1];
	char	 t2[CSRF_TOKEN_LEN + 1];

	csrf_new_binding(b);
	CHECK(strlen(b) == CSRF_BINDING_LEN);
	CHECK(strspn(b, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_") == CSRF_BINDING_LEN);
	csrf_token(keys, b, t);
	CHECK(strlen(t) == CSRF_TOKEN_LEN);
	CHECK(csrf_check(keys, b, t) == 1);
	csrf_token(keys, b, t2);
	CHECK_STR(t2, t);
}

static void
the_token_is_base64url_of_hmac_sha256_of_csrf_colon_binding(void)
{
	crypto_auth_hmacsha256_state	 st;
	unsigned char			 m[32];
	char				 want[CSRF_TOKEN_LEN + 1];
	char				 t[CSRF_TOKEN_LEN + 1];

	crypto_auth_hmacsha256_init(&st, (const unsigned char *)K_NEW,
	    strlen(K_NEW));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)"csrf:jti1",
	    9);
	crypto_auth_hmacsha256_final(&st, m);
	sodium_bin2base64(want, sizeof(want), m, sizeof(m),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	csrf_token(keys, "jti1", t);
	CHECK_STR(t, want);
}

static void
a_token_made_with_the_old_second_key_passes(void)
{
	char	 t[CSRF_TOKEN_LEN + 1], t_new[CSRF_TOKEN_LEN + 1];

	csrf_token(old_keys, "form-before-rotation", t);
	CHECK(csrf_check(keys, "form-before-rotation", t) == 1);
	/* New tokens are made with the new first key. */
	csrf_token(keys, "form-before-rotation", t_new);
	CHECK(strcmp(t, t_new) != 0);
	CHECK(csrf_check(old_keys, "form-before-rotation", t_new) == 0);
}

int
main(void)
{
	char	 path[128];

	if (sodium_init() < 0)
		return 2;
	snprintf(dir, sizeof(dir), "/tmp/billgw-test-csrf.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	if ((keys = load("new.keys", "k2 " K_NEW "\nk1 " K_OLD "\n")) == NULL ||
	    (old_keys = load("old.keys", "k1 " K_OLD "\n")) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}

	RUN(a_token_of_another_binding_fails);
	RUN(a_truncated_overlong_or_altered_token_fails);
	RUN(an_empty_missing_or_overlong_binding_never_passes);
	RUN(a_token_of_a_key_not_in_the_file_fails);
	RUN(the_right_token_passes);
	RUN(the_token_is_base64url_of_hmac_sha256_of_csrf_colon_binding);
	RUN(a_token_made_with_the_old_second_key_passes);

	session_keys_free(keys);
	session_keys_free(old_keys);
	snprintf(path, sizeof(path), "%s/new.keys", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/old.keys", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/other.keys", dir);
	unlink(path);
	rmdir(dir);
	return DONE();
}
