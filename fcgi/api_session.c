/*
 * The JSON API of sign-in and sessions (SPEC sections 4 and 5):
 *	POST   /api/v1/session	sign in (JSON or form encoding)
 *	DELETE /api/v1/session	sign out: every token of the user dies
 *	GET    /api/v1/regions	the public list for a region chooser
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "auth/session.h"
#include "fcgi/app.h"
#include "fcgi/request.h"
#include "fcgi/response.h"
#include "fcgi/signin_http.h"
#include "fcgi/websession.h"
#include "regions/config.h"
#include "regions/portal.h"

static void
iso8601(int64_t t, char *buf, size_t len)
{
	time_t		 tt = (time_t)t;
	struct tm	 tm;

	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The body of SPEC section 4 for a decided sign-in. */
static json_t *
decided(struct app *app, const struct signin_http *s)
{
	const struct signin_result	*r = &s->r;
	const struct portal_decision	*d = &r->decision;
	json_t				*o;
	char				 when[32];

	o = json_pack("{s:s, s:s, s:s, s:s}",
	    "outcome", s->outcome,
	    "portal", portal_str(d->portal),
	    "region", app->cf->regions[r->home_region].code,
	    "location", d->location);
	if (o == NULL)
		return NULL;
	if (d->outcome == OUTCOME_WRONG_PLACE) {
		json_object_set_new(o, "reason", json_string(
		    reason_str(d->reason)));
		json_object_set_new(o, "message", json_string(s->message));
		if (d->reason == REASON_NOT_BILLING_CONTACT)
			json_object_set_new(o, "billing_admin", json_pack(
			    "{s:s, s:s}", "name", r->admin_name,
			    "email", r->admin_email));
		return o;
	}
	if (d->outcome == OUTCOME_WRONG_REGION)
		json_object_set_new(o, "message", json_string(s->message));
	iso8601(s->expires_at, when, sizeof(when));
	json_object_set_new(o, "token", json_string(s->token));
	json_object_set_new(o, "expires_at", json_string(when));
	json_object_set_new(o, "account", json_pack("{s:s, s:s}",
	    "number", r->account_number, "company", r->company));
	return o;
}

void
api_session_create(struct app *app, struct request *req,
    struct response *resp)
{
	struct signin_http	 s;

	signin_http_run(app, req, ENTRY_BILLING_CENTER, 0, &s);
	resp->no_store = 1;
	if (s.code != NULL) {
		resp_error(resp, s.status, s.code, s.message, s.field);
		if (s.retry_after[0])
			resp_header(resp, "Retry-After", s.retry_after);
	} else {
		resp_json(resp, s.status, decided(app, &s));
		if (s.token[0])
			websession_set(resp, s.token, app->cf->session.ttl);
	}
	explicit_bzero(s.token, sizeof(s.token));
}

void
api_session_delete(struct app *app, struct request *req,
    struct response *resp)
{
	if (signin_bump_session(&app->signin, req->session_region,
	    req->session_subject, req->remote_addr, req->request_id) != 0) {
		resp_error(resp, 503, "unavailable", "This region is "
		    "unavailable at the moment. Please try again shortly.",
		    NULL);
		resp_header(resp, "Retry-After", "30");
		return;
	}
	resp_json(resp, 200, json_pack("{s:s}", "outcome", "signed_out"));
	websession_clear(resp);
}

void
api_regions(struct app *app, struct request *req, struct response *resp)
{
	json_t	*list = json_array();
	size_t	 i;

	(void)req;
	for (i = 0; list != NULL && i < app->cf->nregions; i++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s}",
		    "code", app->cf->regions[i].code,
		    "name", app->cf->regions[i].name,
		    "currency", app->cf->regions[i].currency));
	resp_json(resp, 200, list ? json_pack("{s:o}", "regions", list) :
	    NULL);
}
