/*
 * HTML pages: one layout, escaped output, one style sheet served from
 * here (no external assets; the CSP allows only 'self').
 */
#ifndef BILLGW_PAGE_H
#define BILLGW_PAGE_H

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

#endif /* BILLGW_PAGE_H */
