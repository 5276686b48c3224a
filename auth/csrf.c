/*
 * CSRF tokens: base64url(HMAC-SHA-256(key, "csrf:" || binding)) under
 * the session keys, computed in session.c (session_keys_mac) so that the
 * secrets stay there.  The ':' of the domain is outside base64url, so no
 * CSRF MAC is ever a session token's signature, whose input is
 * base64url and dots only.
 */
#include <string.h>

#include <sodium.h>

#include "auth/csrf.h"
#include "auth/session.h"

#define CSRF_DOMAIN		"csrf:"
#define CSRF_BINDING_MAX	64	/* a pre-session value or a jti */

_Static_assert(CSRF_TOKEN_LEN + 1 ==
    sodium_base64_ENCODED_LEN(SESSION_MAC_LEN,
    sodium_base64_VARIANT_URLSAFE_NO_PADDING), "CSRF_TOKEN_LEN");
_Static_assert(CSRF_BINDING_LEN + 1 ==
    sodium_base64_ENCODED_LEN(16, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
    "CSRF_BINDING_LEN is 128 bits");

void
csrf_new_binding(char out[CSRF_BINDING_LEN + 1])
{
	unsigned char	 raw[16];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, CSRF_BINDING_LEN + 1, raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

/* The token of binding under key i into out; -1 when there is no key i. */
static int
token_of(const struct session_keys *ks, size_t i, const char *binding,
    char out[CSRF_TOKEN_LEN + 1])
{
	unsigned char	 mac[SESSION_MAC_LEN];

	if (session_keys_mac(ks, i, CSRF_DOMAIN, binding, strlen(binding),
	    mac) == -1)
		return -1;
	sodium_bin2base64(out, CSRF_TOKEN_LEN + 1, mac, sizeof(mac),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(mac, sizeof(mac));
	return 0;
}

/*
 * A NULL binding signs as the empty one, which csrf_check() never
 * accepts: a form rendered without a binding fails closed.
 */
void
csrf_token(const struct session_keys *ks, const char *binding,
    char out[CSRF_TOKEN_LEN + 1])
{
	if (token_of(ks, 0, binding != NULL ? binding : "", out) == -1)
		memset(out, 0, CSRF_TOKEN_LEN + 1);
}

/*
 * Every key is tried, with no early exit, each compare in constant time:
 * the time tells neither which key matched nor how much of the token did.
 * The empty binding, an overlong one and a token of the wrong length fail.
 */
int
csrf_check(const struct session_keys *ks, const char *binding,
    const char *token)
{
	char	 want[CSRF_TOKEN_LEN + 1];
	size_t	 i, blen;
	int	 ok = 0;

	if (binding == NULL || token == NULL)
		return 0;
	blen = strnlen(binding, CSRF_BINDING_MAX + 1);
	if (blen == 0 || blen > CSRF_BINDING_MAX ||
	    strnlen(token, CSRF_TOKEN_LEN + 1) != CSRF_TOKEN_LEN)
		return 0;
	for (i = 0; token_of(ks, i, binding, want) == 0; i++)
		ok |= sodium_memcmp(want, token, CSRF_TOKEN_LEN) == 0;
	sodium_memzero(want, sizeof(want));
	return ok;
}
