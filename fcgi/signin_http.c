#include <stdio.h>
#include <string.h>
#include <time.h>

#include "auth/identifier.h"
#include "auth/password.h"
#include "auth/session.h"
#include "fcgi/app.h"
#include "fcgi/form.h"
#include "fcgi/page.h"
#include "fcgi/request.h"
#include "fcgi/signin_http.h"
#include "fcgi/websession.h"
#include "regions/config.h"

enum { F_REGION, F_IDENTIFIER, F_PASSWORD, F_EXTRA };

/* The API's fourth field is portal; a form's is its CSRF token. */
static const struct field_spec api_fields[] = {
	{ "region", 16, 0 },
	{ "identifier", IDENT_INPUT_MAX, 0 },
	{ "password", 1024, 0 },	/* > 128 is refused by the core */
	{ "portal", 32, 0 },
};
static const struct field_spec form_fields[] = {
	{ "region", 16, 0 },
	{ "identifier", IDENT_INPUT_MAX, 0 },
	{ "password", 1024, 0 },
	{ "csrf", 64, 0 },
};

static void
set(struct signin_http *s, int status, const char *outcome, const char *code,
    const char *message)
{
	s->status = status;
	s->outcome = outcome;
	s->code = code;
	snprintf(s->message, sizeof(s->message), "%s", message);
}

/* Sign the session for a signed_in or wrong_region outcome. */
static int
issue(struct app *app, struct signin_http *s)
{
	struct session_claims	 c;
	const struct signin_result *r = &s->r;
	time_t			 now = time(NULL);

	memset(&c, 0, sizeof(c));
	c.aud = r->decision.portal == PORTAL_CORPORATE ? AUD_CORPORATE :
	    r->decision.portal == PORTAL_REGIONAL ? AUD_REGIONAL :
	    AUD_BILLING_CENTER;
	/*
	 * Row ids repeat from one region's database to the next, so the
	 * subject names its region: "us:u:42".  The session check holds it
	 * to rgn, and a token can name no other region's user.
	 */
	snprintf(c.rgn, sizeof(c.rgn), "%s",
	    app->cf->regions[r->home_region].code);
	snprintf(c.sub, sizeof(c.sub), "%s:%s", c.rgn, r->subject);
	snprintf(c.role, sizeof(c.role), "%s", r->role);
	c.acct = r->account_id;
	c.sv = r->session_version;
	if (session_issue(app->keys, &c, now, app->cf->session.ttl, s->token,
	    sizeof(s->token)) != 0)
		return -1;
	s->expires_at = c.exp;
	return 0;
}

static void
done(struct app *app, struct signin_http *s)
{
	const struct portal_decision *d = &s->r.decision;
	const struct region_conf *home = &app->cf->regions[s->r.home_region];

	switch (d->outcome) {
	case OUTCOME_WRONG_PLACE:
		set(s, d->status, "wrong_place", NULL,
		    d->reason == REASON_NOT_BILLING_CONTACT ?
		    MSG_NOT_BILLING_CONTACT :
		    "This is a corporate account: its billing contacts sign "
		    "in to the Corporate Billing Portal. We will now redirect "
		    "you there.");
		return;
	case OUTCOME_WRONG_REGION:
		set(s, d->status, "wrong_region", NULL, "");
		snprintf(s->message, sizeof(s->message), "Your account is "
		    "managed in the %s region. We will now redirect you "
		    "there.", home->name);
		break;
	default:
		set(s, d->status, "signed_in", NULL, "");
		break;
	}
	if (issue(app, s) != 0) {
		set(s, 500, "error", "internal", "Internal error.");
		s->token[0] = '\0';
	}
}

void
signin_http_run(struct app *app, struct request *req, enum entry entry,
    int html, struct signin_http *s)
{
	struct field_val	 f[4];
	struct signin_req	 sr;
	int			 st;

	memset(s, 0, sizeof(*s));
	s->entry = entry;
	s->html = html;
	st = form_read(req, html ? form_fields : api_fields, 4, f);
	s->region = f[F_REGION].val;
	s->identifier = f[F_IDENTIFIER].val;
	if (st != 0) {
		form_wipe(req, f, F_PASSWORD);
		set(s, st, "bad_request", "bad_request", req->error_message);
		s->field = req->error_field;
		return;
	}
	if (html) {
		s->csrf = f[F_EXTRA].val;
		/* Checked before anything counts as an attempt. */
		if (!page_csrf_ok(app, req, s->csrf)) {
			form_wipe(req, f, F_PASSWORD);
			set(s, 403, "bad_request", "csrf", "This form has "
			    "expired. Please sign in again.");
			s->field = "csrf";
			return;
		}
	} else if (f[F_EXTRA].val != NULL) {
		if (strcmp(f[F_EXTRA].val, "corporate") == 0)
			s->entry = ENTRY_CORPORATE;
		else if (strcmp(f[F_EXTRA].val, "billing_center") != 0) {
			form_wipe(req, f, F_PASSWORD);
			set(s, 400, "bad_request", "bad_request",
			    "Expected billing_center or corporate.");
			s->field = "portal";
			return;
		}
	}

	memset(&sr, 0, sizeof(sr));
	sr.entry = s->entry;
	sr.region = f[F_REGION].val;
	sr.identifier = f[F_IDENTIFIER].val ? f[F_IDENTIFIER].val : "";
	sr.identifier_len = f[F_IDENTIFIER].len;
	sr.password = f[F_PASSWORD].val ? f[F_PASSWORD].val : "";
	sr.password_len = f[F_PASSWORD].len;
	sr.client_addr = req->remote_addr;
	sr.request_id = req->request_id;
	sr.now = time(NULL);
	signin_run(&app->signin, &sr, &s->r);
	form_wipe(req, f, F_PASSWORD);

	switch (s->r.res) {
	case SIGNIN_BAD_INPUT:
		set(s, 400, "bad_request", "bad_request", s->r.message ?
		    s->r.message : "Invalid input.");
		s->field = s->r.field;
		break;
	case SIGNIN_INVALID:
		set(s, 401, "invalid", "invalid_credentials",
		    s->entry == ENTRY_CORPORATE ? MSG_INVALID_CORPORATE :
		    MSG_INVALID_BILLING_CENTER);
		break;
	case SIGNIN_LOCKED:
		set(s, 429, "locked", "locked", "");
		snprintf(s->message, sizeof(s->message), "Too many failed "
		    "sign-in attempts. Try again in %ld minute%s.",
		    (s->r.retry_after + 59) / 60,
		    (s->r.retry_after + 59) / 60 == 1 ? "" : "s");
		snprintf(s->retry_after, sizeof(s->retry_after), "%ld",
		    s->r.retry_after);
		break;
	case SIGNIN_UNAVAILABLE:
		set(s, 503, "unavailable", "unavailable", "This region is "
		    "unavailable at the moment. Please try again shortly.");
		snprintf(s->retry_after, sizeof(s->retry_after), "30");
		break;
	case SIGNIN_DONE:
		done(app, s);
		break;
	}
}
