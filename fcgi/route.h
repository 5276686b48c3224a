/*
 * The URL table (STYLE habit 1): method, path, who may call, what body it
 * takes, and the handler.  Authentication runs from the row before the
 * handler does.
 */
#ifndef BILLGW_ROUTE_H
#define BILLGW_ROUTE_H

#include <stddef.h>

#include "fcgi/app.h"

enum {
	M_GET = 1 << 0,		/* HEAD is served as GET without the body */
	M_POST = 1 << 1,
	M_PUT = 1 << 2,
	M_DELETE = 1 << 3,
	M_PATCH = 1 << 4
};

enum route_auth {
	AUTH_NONE,		/* anyone; nginx restricts the ops ones */
	AUTH_SESSION		/* a verified session token */
};

enum route_body {
	BODY_NONE,		/* a body, if any, is ignored */
	BODY_FORM,		/* application/x-www-form-urlencoded */
	BODY_JSON,		/* application/json */
	BODY_FORM_OR_JSON
};

enum route_kind {
	R_API,			/* errors are the JSON envelope */
	R_PAGE			/* errors are HTML pages */
};

struct route {
	unsigned int	 methods;
	const char	*path;
	enum route_auth	 auth;
	enum route_body	 body;
	enum route_kind	 kind;
	handler_fn	 handler;
};

/*
 * The row for method and path.  NULL with *status 404 (no such path) or
 * 405 (path known, method not: allow receives the Allow header value).
 */
const struct route *route_match(const char *method, const char *path,
	    int *status, char *allow, size_t allowlen);

/*
 * 0 when the request's body suits the row: no body, or a Content-Type the
 * row accepts; else 415.
 */
int	route_check_body(const struct route *, const char *content_type,
	    size_t content_length);

#endif /* BILLGW_ROUTE_H */
