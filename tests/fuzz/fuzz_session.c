/*
 * Fuzz target: the session token verifier (auth/session.c),
 * session_verify() under fixed keys, a fixed configuration and a fixed
 * clock (session_fixture.h).
 *
 * An input is either
 *   - a token, verified as it is (the seeds hold real tokens issued by
 *     session_issue() with these keys: mint_tokens.c), or
 *   - when it starts with '{', which no token does: "HEADER\nPAYLOAD", two
 *     JSON texts (no newline: a good header and the whole input as the
 *     payload) that are encoded and signed here with the signing key, so
 *     that the fuzzer gets past the signature to the header and claim
 *     checks with payloads of its own.
 */
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "fuzz.h"
#include "session_fixture.h"

#define GOOD_HEADER	"{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"" \
			FUZZ_KID_SIGN "\"}"

static struct session_keys	*keys;
static struct config		*cf;

/* Append base64url of p[0..n) to tok (of size bytes).  0, or -1: no room. */
static int
b64_cat(char *tok, size_t size, const void *p, size_t n)
{
	size_t	 len = strlen(tok);

	if (sodium_base64_encoded_len(n,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) > size - len)
		return -1;
	sodium_bin2base64(tok + len, size - len, p, n,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return 0;
}

/*
 * Into tok: the token of header hdr[0..hlen) and payload pay[0..plen),
 * signed with the signing key.  Its length, or 0 when it would not fit.
 */
static size_t
sign(char *tok, size_t size, const char *hdr, size_t hlen, const char *pay,
    size_t plen)
{
	unsigned char	 mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	size_t		 len;

	tok[0] = '\0';
	if (b64_cat(tok, size, hdr, hlen) == -1 || strlen(tok) + 1 >= size)
		return 0;
	strcat(tok, ".");
	if (b64_cat(tok, size, pay, plen) == -1 || strlen(tok) + 1 >= size)
		return 0;
	len = strlen(tok);
	crypto_auth_hmacsha256_init(&st,
	    (const unsigned char *)FUZZ_SECRET_SIGN, strlen(FUZZ_SECRET_SIGN));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)tok, len);
	crypto_auth_hmacsha256_final(&st, mac);
	strcat(tok, ".");
	if (b64_cat(tok, size, mac, sizeof(mac)) == -1)
		return 0;
	return strlen(tok);
}

static void
check_claims(const struct session_claims *c)
{
	FUZZ_ASSERT((unsigned int)c->aud < AUD__MAX);
	FUZZ_ASSERT(memchr(c->sub, '\0', sizeof(c->sub)) && c->sub[0]);
	FUZZ_ASSERT(memchr(c->rgn, '\0', sizeof(c->rgn)) && c->rgn[0]);
	FUZZ_ASSERT(memchr(c->role, '\0', sizeof(c->role)) && c->role[0]);
	FUZZ_ASSERT(memchr(c->jti, '\0', sizeof(c->jti)) && c->jti[0]);
	FUZZ_ASSERT(config_region(cf, c->rgn) != NULL);
	FUZZ_ASSERT(c->exp > (int64_t)FUZZ_NOW - SESSION_LEEWAY);
	FUZZ_ASSERT(c->iat <= (int64_t)FUZZ_NOW + SESSION_LEEWAY);
}

static void
verify(const char *tok, size_t len)
{
	struct session_claims	 c;
	enum session_err	 e;

	memset(&c, 0x5a, sizeof(c));
	e = session_verify(keys, cf, tok, len, (time_t)FUZZ_NOW, &c);
	FUZZ_ASSERT(session_err_str(e) != NULL);
	if (e == SESSION_OK)
		check_claims(&c);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	json_object_seed(0x62696c6c);	/* the same hash tables every run */
	if ((cf = malloc(sizeof(*cf))) == NULL)
		abort();
	keys = fuzz_session_setup(cf);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char	 tok[SESSION_TOKEN_MAX + 256];
	const char	*nl;
	char		*copy;
	size_t		 len;

	if (size > 0 && data[0] == '{') {
		nl = memchr(data, '\n', size);
		if (nl == NULL)
			len = sign(tok, sizeof(tok), GOOD_HEADER,
			    strlen(GOOD_HEADER), (const char *)data, size);
		else
			len = sign(tok, sizeof(tok), (const char *)data,
			    (size_t)(nl - (const char *)data), nl + 1,
			    size - (size_t)(nl - (const char *)data) - 1);
		if (len > 0) {
			/* Exactly sized, so that ASan sees its end. */
			copy = fuzz_strndup((const uint8_t *)tok, len);
			verify(copy, len);
			free(copy);
		}
		return 0;
	}
	if ((copy = malloc(size > 0 ? size : 1)) == NULL)
		abort();
	if (size > 0)
		memcpy(copy, data, size);
	verify(copy, size);
	free(copy);
	return 0;
}
