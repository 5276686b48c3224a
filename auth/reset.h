/*
 * Corporate password resets (SPEC section 7): the request and the confirm
 * step.  Nothing of HTTP here.
 *
 * A reset token is "<region code>.<43 base64url chars of 256 random bits>";
 * only SHA-256 of the whole text is stored (password_resets.token_hash),
 * so neither the database nor a log can replay it, and the region prefix
 * says which database holds it: a token is looked up in that region only.
 */
#ifndef BILLGW_RESET_H
#define BILLGW_RESET_H

#include <stddef.h>
#include <time.h>

struct signin_ctx;

#define RESET_TTL		(30 * 60)	/* seconds a link is valid */
#define RESET_TOKEN_MAX		64		/* "apacxxxx." and 43 chars */

enum reset_res {
	RESET_OK,		/* request: 202 whatever happened; confirm: done */
	RESET_BAD_INPUT,	/* field and message say what: 400 */
	RESET_BAD_TOKEN,	/* unknown, used, expired, other region: 400 */
	RESET_UNAVAILABLE	/* a database is down: 503 */
};

struct reset_result {
	enum reset_res	 res;
	const char	*field;		/* RESET_BAD_INPUT, RESET_BAD_TOKEN */
	const char	*message;	/* a sentence for the user */
};

/*
 * POST /api/v1/password-reset: for a User ID that exists, invalidate its
 * older tokens, store a new one and queue a mail in its home region's
 * outbox to the billing contact's address, with a link built from that
 * region's corporate_portal_url ("<url>reset?token=..."), never from the
 * request.  For one that does not, the same statements' worth of work and
 * the same result, so neither the answer nor its timing tells.  Audited.
 */
void	reset_request(const struct signin_ctx *, const char *user_id,
	    size_t len, const char *client_addr, const char *request_id,
	    struct reset_result *);

/*
 * A token's form only (no database): 1 when it could be one of ours.
 */
int	reset_token_wellformed(const struct signin_ctx *, const char *token,
	    size_t len);

#define RESET_LINK_MAX		384	/* URL, "/reset?token=", token */

/*
 * The link of a mail: "<portal_url>reset?token=<token>", with a '/' put
 * in between when portal_url does not end with one.  token is one of
 * reset_request()'s (URL-safe as it is).  Returns 0, or -1 when it does not
 * fit in size bytes.
 */
int	reset_link(const char *portal_url, const char *token, char *buf,
	    size_t size);

/*
 * POST /api/v1/password-reset/confirm: a password of 12 to 128 characters,
 * not equal to the User ID (field "password"), and a valid, unused,
 * unexpired token (field "token").  In one transaction: the new hash, the
 * token used, the session version bumped (older sessions die); then the
 * sign-in lock of the User ID cleared in every region.  Audited.
 */
void	reset_confirm(const struct signin_ctx *, const char *token,
	    size_t token_len, const char *password, size_t password_len,
	    const char *client_addr, const char *request_id,
	    struct reset_result *);

#endif /* BILLGW_RESET_H */
