/*
 * Sign-in over HTTP, shared by the JSON API and the HTML forms: read the
 * declared fields, run the core (auth/signin.c), issue the session, and
 * word the answer (seed 000 and SPEC section 4).  The two front ends only
 * shape what this decides.
 */
#ifndef BILLGW_SIGNIN_HTTP_H
#define BILLGW_SIGNIN_HTTP_H

#include <stdint.h>

#include "auth/signin.h"

struct app;
struct request;

#define MSG_INVALID_BILLING_CENTER \
	"Invalid client ID, account number or password."
#define MSG_INVALID_CORPORATE	"Invalid User ID/password"
#define MSG_NOT_BILLING_CONTACT \
	"You seem to have landed in the wrong place. Please contact the " \
	"account admin to gain access to this location. We will now " \
	"redirect you to your account profile."

struct signin_http {
	enum entry		 entry;
	int			 html;		/* a form: CSRF field too */
	const char		*region;	/* as given, or NULL */
	const char		*identifier;	/* as given, or NULL */
	const char		*csrf;		/* as given, or NULL */
	struct signin_result	 r;
	int			 status;
	const char		*outcome;	/* signed_in, wrong_place, ... */
	const char		*code;		/* the error code, if any */
	const char		*field;		/* with 400 */
	char			 message[320];
	char			 retry_after[24]; /* seconds, with 429/503 */
	char			 token[1024];	/* signed_in, wrong_region */
	int64_t			 expires_at;
};

/*
 * Read req's body (fields region, identifier, password, and portal for
 * the API or csrf for a form), run one attempt and fill *s.  The password
 * is wiped before this returns.  entry: where the form is; the API passes
 * ENTRY_BILLING_CENTER and the "portal" field decides.
 */
void	signin_http_run(struct app *, struct request *, enum entry entry,
	    int html, struct signin_http *s);

#endif /* BILLGW_SIGNIN_HTTP_H */
