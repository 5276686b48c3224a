#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fcgi/route.h"

#define ANY	AUTH_NONE
#define SESS	AUTH_SESSION

static const struct route routes[] = {
	/* methods	path			auth	body		kind	handler */
	{ M_GET,	"/healthz",		ANY,	BODY_NONE,	R_API,	api_healthz },
	{ M_GET,	"/readyz",		ANY,	BODY_NONE,	R_API,	api_readyz },
	{ M_GET,	"/status",		ANY,	BODY_NONE,	R_API,	api_status },
	{ M_GET,	"/metrics",		ANY,	BODY_NONE,	R_API,	api_metrics },
	{ M_GET,	"/static/billgw.css",	ANY,	BODY_NONE,	R_PAGE,	page_css },
	{ M_GET,	"/login",		ANY,	BODY_NONE,	R_PAGE,	page_login_get },
	{ M_POST,	"/login",		ANY,	BODY_FORM,	R_PAGE,	page_login_post },
	{ M_GET,	"/corporate/login",	ANY,	BODY_NONE,	R_PAGE,	page_corp_login_get },
	{ M_POST,	"/corporate/login",	ANY,	BODY_FORM,	R_PAGE,	page_corp_login_post },
	{ M_POST,	"/logout",		SESS,	BODY_FORM,	R_PAGE,	page_logout },
	{ M_GET,	"/corporate/forgot-password", ANY, BODY_NONE,	R_PAGE,	page_forgot_get },
	{ M_POST,	"/corporate/forgot-password", ANY, BODY_FORM,	R_PAGE,	page_forgot_post },
	{ M_GET,	"/corporate/reset",	ANY,	BODY_NONE,	R_PAGE,	page_reset_get },
	{ M_POST,	"/corporate/reset",	ANY,	BODY_FORM,	R_PAGE,	page_reset_post },
	{ M_POST,	"/api/v1/password-reset", ANY,	BODY_FORM_OR_JSON, R_API, api_reset_request },
	{ M_POST,	"/api/v1/password-reset/confirm", ANY, BODY_FORM_OR_JSON, R_API, api_reset_confirm },
	{ M_GET,	"/api/v1/regions",	ANY,	BODY_NONE,	R_API,	api_regions },
	{ M_POST,	"/api/v1/session",	ANY,	BODY_FORM_OR_JSON, R_API, api_session_create },
	{ M_DELETE,	"/api/v1/session",	SESS,	BODY_NONE,	R_API,	api_session_delete },
	{ M_GET,	"/api/v1/account",	SESS,	BODY_NONE,	R_API,	api_account },
	{ M_GET,	"/billing-center/",	SESS,	BODY_NONE,	R_PAGE,	page_portal },
	{ M_GET,	"/corporate/",		SESS,	BODY_NONE,	R_PAGE,	page_portal },
	{ M_GET,	"/regional/",		SESS,	BODY_NONE,	R_PAGE,	page_portal },
};

static const struct {
	unsigned int	 bit;
	const char	*name;
} methods[] = {
	{ M_GET, "GET" }, { M_GET, "HEAD" }, { M_POST, "POST" },
	{ M_PUT, "PUT" }, { M_DELETE, "DELETE" }, { M_PATCH, "PATCH" },
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

const struct route *
route_match(const char *method, const char *path, int *status, char *allow,
    size_t allowlen)
{
	unsigned int	 bit = 0, known = 0;
	size_t		 i, m;
	int		 n;

	for (m = 0; m < NELEM(methods); m++)
		if (strcmp(method, methods[m].name) == 0)
			bit = methods[m].bit;
	for (i = 0; i < NELEM(routes); i++) {
		if (strcmp(routes[i].path, path) != 0)
			continue;
		if (routes[i].methods & bit)
			return &routes[i];
		known |= routes[i].methods;
	}
	if (known == 0) {
		*status = 404;
		return NULL;
	}
	allow[0] = '\0';
	for (m = 0; m < NELEM(methods); m++) {
		if (!(known & methods[m].bit))
			continue;
		n = snprintf(allow + strlen(allow), allowlen - strlen(allow),
		    "%s%s", allow[0] ? ", " : "", methods[m].name);
		if (n < 0 || (size_t)n >= allowlen - strlen(allow))
			break;
	}
	*status = 405;
	return NULL;
}

/* The media type of a Content-Type value, parameters aside. */
static int
media_is(const char *ct, const char *type)
{
	size_t	 n = strlen(type);

	return strncasecmp(ct, type, n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

int
route_check_body(const struct route *rt, const char *content_type,
    size_t content_length)
{
	int	 form = media_is(content_type,
		    "application/x-www-form-urlencoded");
	int	 json = media_is(content_type, "application/json");

	if (content_length == 0 || rt->body == BODY_NONE)
		return 0;
	switch (rt->body) {
	case BODY_FORM:
		return form ? 0 : 415;
	case BODY_JSON:
		return json ? 0 : 415;
	case BODY_FORM_OR_JSON:
		return form || json ? 0 : 415;
	default:
		return 0;
	}
}
