#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth/session.h"
#include "auth/signin.h"
#include "fcgi/app.h"
#include "fcgi/request.h"
#include "fcgi/response.h"
#include "fcgi/scoreboard.h"
#include "fcgi/websession.h"
#include "regions/config.h"
#include "sql/db.h"

/* The token's text and length, or NULL. */
static const char *
token_of(const struct request *req, size_t *len)
{
	const char	*t;

	if ((t = request_cookie(req, SESSION_COOKIE)) != NULL && *t) {
		*len = strlen(t);
		return t;
	}
	if (strncasecmp(req->authorization, "Bearer ", 7) == 0) {
		t = req->authorization + 7;
		while (*t == ' ')
			t++;
		*len = strlen(t);
		return *len ? t : NULL;
	}
	return NULL;
}

int
websession_check(struct app *app, struct request *req)
{
	struct session_claims	*c;
	enum session_src	 src;
	const char		*tok;
	size_t			 len, n;
	int64_t			 sv, acct;
	int			 ri, rc;

	if ((tok = token_of(req, &len)) == NULL)
		return 401;
	if ((c = arena_alloc(req->arena, sizeof(*c))) == NULL)
		return 401;
	if (session_verify_memo(app->memo, app->keys, app->cf, tok, len,
	    time(NULL), c, &src) != SESSION_OK)
		return 401;
	atomic_fetch_add(&app->sb->tokens[src], 1);
	if ((ri = config_region_index(app->cf, c->rgn)) < 0)
		return 401;
	n = strlen(c->rgn);
	if (strncmp(c->sub, c->rgn, n) != 0 || c->sub[n] != ':')
		return 401;
	/* The token's own region only: no other database is asked. */
	rc = signin_session_version(&app->signin, ri, c->sub + n + 1, &sv,
	    &acct, &req->account_version);
	if (rc == DB_UNAVAILABLE)
		return 503;
	if (rc != DB_OK || sv != c->sv || acct != c->acct)
		return 401;
	req->session = c;
	req->session_region = ri;
	req->session_subject = c->sub + n + 1;
	return 0;
}

void
websession_set(struct response *resp, const char *token, int ttl)
{
	char	 v[RESP_HEADER_VALUE_MAX];

	snprintf(v, sizeof(v), SESSION_COOKIE "=%s; Max-Age=%d; Path=/; "
	    "Secure; HttpOnly; SameSite=Lax", token, ttl);
	resp_header(resp, "Set-Cookie", v);
	resp->no_store = 1;
}

void
websession_clear(struct response *resp)
{
	resp_header(resp, "Set-Cookie", SESSION_COOKIE "=; Max-Age=0; "
	    "Path=/; Secure; HttpOnly; SameSite=Lax");
	resp->no_store = 1;
}

/* "scheme://host[:port]" of url: its length. */
static size_t
origin_len(const char *url)
{
	const char	*p = strstr(url, "://");

	if (p == NULL)
		return strlen(url);
	p += 3;
	return (size_t)(p - url) + strcspn(p, "/?#");
}

int
websession_cross_site(const struct app *app, const struct request *req)
{
	const char	*pub = app->cf->gateway.public_url;
	size_t		 n = origin_len(pub);

	if (strcasecmp(req->sec_fetch_site, "cross-site") == 0)
		return 1;
	if (req->origin[0] == '\0')
		return 0;	/* not a browser, or an old one: CSRF token */
	return strlen(req->origin) != n || strncasecmp(req->origin, pub, n);
}

void
websession_sign_in_url(const struct app *app, int corporate, char *buf,
    size_t len)
{
	const char	*pub = app->cf->gateway.public_url;
	size_t		 n = strlen(pub);

	if (n > 0 && pub[n - 1] == '/')
		n--;
	snprintf(buf, len, "%.*s%s", (int)n, pub,
	    corporate ? "/corporate/login" : "/login");
}
