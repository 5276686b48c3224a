/*
 * CSRF tokens for HTML forms.  A token is bound to a value the browser
 * holds in a cookie it cannot read cross-site: before sign-in, a random
 * pre-session cookie; once signed in, the session's jti.  The token is
 * base64url(HMAC-SHA-256(key, "csrf:" || binding)), compared in constant
 * time.
 */
#ifndef BILLGW_CSRF_H
#define BILLGW_CSRF_H

#include <stddef.h>

#define CSRF_TOKEN_LEN		43	/* base64url of 32 bytes, no padding */
#define CSRF_BINDING_LEN	22	/* a fresh pre-session value: 128 bits */

struct session_keys;

/* A new random binding value (base64url, CSRF_BINDING_LEN chars + NUL). */
void	csrf_new_binding(char out[CSRF_BINDING_LEN + 1]);

/* The token for binding, signed with the session keys' first key. */
void	csrf_token(const struct session_keys *, const char *binding,
	    char out[CSRF_TOKEN_LEN + 1]);

/* 1 when token is the token of binding under any of the keys. */
int	csrf_check(const struct session_keys *, const char *binding,
	    const char *token);

#endif /* BILLGW_CSRF_H */
