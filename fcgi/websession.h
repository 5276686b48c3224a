/*
 * Sessions over HTTP (SPEC section 5): the cookie, the bearer header, the
 * session-version check, and the cross-site refusal of state changes.
 */
#ifndef BILLGW_WEBSESSION_H
#define BILLGW_WEBSESSION_H

#include <stddef.h>

struct app;
struct request;
struct response;

#define SESSION_COOKIE	"__Host-billgw_session"
#define CSRF_COOKIE	"__Host-billgw_csrf"

/*
 * Verify the token of req (cookie, else "Authorization: Bearer") with every
 * check of auth/session.c, then its session version against the user's in
 * its own region's database.  Returns 0 with req->session and
 * req->session_region set, 401, or 503 when that database is down.
 */
int	websession_check(struct app *, struct request *);

/* Set-Cookie for a new session, or one that ends it. */
void	websession_set(struct response *, const char *token, int ttl);
void	websession_clear(struct response *);

/*
 * 1 when a state-changing request comes from another site: Sec-Fetch-Site
 * "cross-site", or an Origin other than public_url's.
 */
int	websession_cross_site(const struct app *, const struct request *);

/*
 * The absolute URL of a sign-in page ("/login", or "/corporate/login" when
 * corporate is set), built from public_url: never from the request.
 */
void	websession_sign_in_url(const struct app *, int corporate, char *buf,
	    size_t len);

#endif /* BILLGW_WEBSESSION_H */
