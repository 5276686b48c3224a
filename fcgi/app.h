/*
 * What a handler is given besides the request: the worker's configuration
 * and keys, its database handles, the sign-in core and the pool
 * scoreboard.  All borrowed.
 */
#ifndef BILLGW_APP_H
#define BILLGW_APP_H

#include "auth/signin.h"

struct config;
struct dbroute;
struct scoreboard;
struct sb_worker;
struct session_keys;
struct session_memo;
struct request;
struct response;

struct app {
	const struct config		*cf;
	const struct session_keys	*keys;
	struct session_memo		*memo;	/* tokens already verified */
	struct dbroute			*db;
	struct signin_ctx		 signin;
	struct scoreboard		*sb;
	struct sb_worker		*me;	/* this worker's slot */
};

typedef void	(*handler_fn)(struct app *, struct request *,
		    struct response *);

/* fcgi/api_ops.c: the operations endpoints for load balancers. */
void	api_healthz(struct app *, struct request *, struct response *);
void	api_readyz(struct app *, struct request *, struct response *);
void	api_status(struct app *, struct request *, struct response *);
void	api_metrics(struct app *, struct request *, struct response *);

/* fcgi/api_session.c: the JSON API of sign-in and sessions. */
void	api_session_create(struct app *, struct request *, struct response *);
void	api_session_delete(struct app *, struct request *, struct response *);
void	api_regions(struct app *, struct request *, struct response *);

/* fcgi/portal_home.c: the account summary, as JSON and as the portals. */
void	api_account(struct app *, struct request *, struct response *);
void	page_portal(struct app *, struct request *, struct response *);

/* fcgi/page_login.c: the HTML sign-in pages. */
void	page_login_get(struct app *, struct request *, struct response *);
void	page_login_post(struct app *, struct request *, struct response *);
void	page_corp_login_get(struct app *, struct request *, struct response *);
void	page_corp_login_post(struct app *, struct request *,
	    struct response *);
void	page_logout(struct app *, struct request *, struct response *);

/* fcgi/reset_http.c: corporate "Forgot Password?". */
void	api_reset_request(struct app *, struct request *, struct response *);
void	api_reset_confirm(struct app *, struct request *, struct response *);
void	page_forgot_get(struct app *, struct request *, struct response *);
void	page_forgot_post(struct app *, struct request *, struct response *);
void	page_reset_get(struct app *, struct request *, struct response *);
void	page_reset_post(struct app *, struct request *, struct response *);

/* fcgi/page.c: the style sheet. */
void	page_css(struct app *, struct request *, struct response *);

#endif /* BILLGW_APP_H */
