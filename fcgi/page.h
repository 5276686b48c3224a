/*
 * HTML pages: one layout, escaped output, one style sheet served from
 * here (no external assets; the CSP allows only 'self').
 */
#ifndef BILLGW_PAGE_H
#define BILLGW_PAGE_H

#include "auth/csrf.h"

struct app;
struct buf;
struct request;
struct response;

/*
 * Start a page: status, <head> with the title (escaped) and, when
 * refresh_url is set, a refresh to it after 5 seconds.
 */
void	page_begin(struct response *, int status, const char *title,
	    const char *refresh_url);
void	page_end(struct response *);

/* A whole page holding one message (escaped), for HTML errors. */
void	page_message(struct response *, int status, const char *title,
	    const char *message);

/*
 * The CSRF token for a form of this browser, bound to its pre-session
 * cookie; a new cookie is set on resp when it has none of ours.
 */
void	page_csrf(struct app *, struct request *, struct response *,
	    char token[CSRF_TOKEN_LEN + 1]);

/* 1 when token is this browser's CSRF token (its cookie's binding). */
int	page_csrf_ok(struct app *, struct request *, const char *token);

/* A message paragraph: cls "error" (role alert) or "notice" (status). */
void	page_notice(struct buf *, const char *cls, const char *text);

#endif /* BILLGW_PAGE_H */
