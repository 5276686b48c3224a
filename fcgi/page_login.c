/*
 * The HTML sign-in pages (SPEC section 4), working without JavaScript:
 *	GET/POST /login			 region, client ID or account number
 *	GET/POST /corporate/login	 User ID ("Forgot Password?")
 *	POST /logout			 ends the session
 * Forms carry a CSRF token bound to a pre-session cookie (auth/csrf.h);
 * cross-site POSTs never get here (fcgi/worker.c refuses them).  After an
 * error the region and identifier are kept; the password never is.
 */
#include <stdio.h>
#include <string.h>

#include "auth/csrf.h"
#include "auth/session.h"
#include "fcgi/app.h"
#include "fcgi/page.h"
#include "fcgi/request.h"
#include "fcgi/response.h"
#include "fcgi/signin_http.h"
#include "fcgi/websession.h"
#include "regions/config.h"

/* The Billing Center form; region and identifier as given, or NULL. */
static void
render_login(struct app *app, struct request *req, struct response *resp,
    int status, const char *error, const char *region, const char *ident)
{
	struct buf	*b = &resp->body;
	char		 token[CSRF_TOKEN_LEN + 1];
	size_t		 i;

	page_csrf(app, req, resp, token);
	page_begin(resp, status, "Sign in to the Billing Portal", NULL);
	buf_puts(b, "<div class=\"card\">\n<h1>Sign in to the Billing "
	    "Portal</h1>\n<p>Sign in with the client ID and password for your "
	    "billing account found in your welcome email. If you do not know "
	    "your client ID, you can also use your account number (bill to "
	    "ID).</p>\n");
	if (error)
		page_notice(b, "error", error);
	buf_puts(b, "<form method=\"post\" action=\"/login\">\n"
	    "<input type=\"hidden\" name=\"csrf\" value=\"");
	buf_html(b, token);
	buf_puts(b, "\">\n<label for=\"region\">Region</label>\n"
	    "<select id=\"region\" name=\"region\" required>\n");
	for (i = 0; i < app->cf->nregions; i++) {
		const struct region_conf *rc = &app->cf->regions[i];

		buf_puts(b, "<option value=\"");
		buf_html(b, rc->code);
		buf_puts(b, region && strcmp(region, rc->code) == 0 ?
		    "\" selected>" : "\">");
		buf_html(b, rc->name);
		buf_puts(b, "</option>\n");
	}
	buf_puts(b, "</select>\n<label for=\"identifier\">Client ID or "
	    "account number</label>\n<input id=\"identifier\" "
	    "name=\"identifier\" autocomplete=\"username\" required "
	    "maxlength=\"64\" value=\"");
	buf_html(b, ident ? ident : "");
	buf_puts(b, "\">\n<label for=\"password\">Password</label>\n"
	    "<input id=\"password\" name=\"password\" type=\"password\" "
	    "autocomplete=\"current-password\" required maxlength=\"128\">\n"
	    "<button type=\"submit\">Log In</button>\n</form>\n</div>\n"
	    "<p>Billing contacts of corporate accounts: <a "
	    "href=\"/corporate/login\">Corporate Billing Portal</a>.</p>\n");
	page_end(resp);
}

static void
render_corp_login(struct app *app, struct request *req,
    struct response *resp, int status, const char *error, const char *ident)
{
	struct buf	*b = &resp->body;
	char		 token[CSRF_TOKEN_LEN + 1];

	page_csrf(app, req, resp, token);
	page_begin(resp, status, "Corporate Billing Portal", NULL);
	buf_puts(b, "<div class=\"card\">\n<h1>Corporate Billing Portal</h1>"
	    "\n<p>Sign in with the User ID of your billing contact account "
	    "(in user name or email address format, located on an emailed "
	    "invoice) and its password.</p>\n");
	if (error)
		page_notice(b, "error", error);
	buf_puts(b, "<form method=\"post\" action=\"/corporate/login\">\n"
	    "<input type=\"hidden\" name=\"csrf\" value=\"");
	buf_html(b, token);
	buf_puts(b, "\">\n<label for=\"identifier\">User ID</label>\n"
	    "<input id=\"identifier\" name=\"identifier\" "
	    "autocomplete=\"username\" required maxlength=\"254\" value=\"");
	buf_html(b, ident ? ident : "");
	buf_puts(b, "\">\n<label for=\"password\">Password</label>\n"
	    "<input id=\"password\" name=\"password\" type=\"password\" "
	    "autocomplete=\"current-password\" required maxlength=\"128\">\n"
	    "<button type=\"submit\">Log In</button>\n</form>\n"
	    "<p><a href=\"/corporate/forgot-password\">Forgot Password?</a>"
	    "</p>\n</div>\n");
	page_end(resp);
}

/* wrong_place and wrong_region: say why, link, refresh after 5 s. */
static void
render_redirect(struct response *resp, const struct signin_http *s)
{
	struct buf	*b = &resp->body;
	const char	*loc = s->r.decision.location;

	const char	*title = s->r.decision.outcome == OUTCOME_WRONG_REGION ?
			    "Your account is in another region" :
			    "You seem to have landed in the wrong place";

	page_begin(resp, s->status, title, loc);
	buf_puts(b, "<div class=\"card\">\n<h1>");
	buf_html(b, title);
	buf_puts(b, "</h1>\n");
	page_notice(b, "notice", s->message);
	if (s->r.decision.reason == REASON_NOT_BILLING_CONTACT) {
		buf_puts(b, "<p>Contact your billing admin, ");
		buf_html(b, s->r.admin_name);
		buf_puts(b, " (<a href=\"mailto:");
		buf_html(b, s->r.admin_email);
		buf_puts(b, "\">");
		buf_html(b, s->r.admin_email);
		buf_puts(b, "</a>), to make product or licensing changes to "
		    "your account.</p>\n");
	}
	buf_puts(b, "<p><a href=\"");
	buf_html(b, loc);
	buf_puts(b, "\">Continue</a></p>\n</div>\n");
	page_end(resp);
}

/* Shape one attempt's answer as HTML. */
static void
answer(struct app *app, struct request *req, struct response *resp,
    struct signin_http *s)
{
	const char	*err = s->message;
	char		 why[360];

	resp->no_store = 1;
	if (s->code == NULL && s->r.decision.outcome == OUTCOME_SIGNED_IN) {
		resp_body(resp, 303, "text/html", "", 0);
		resp_header(resp, "Location", s->r.decision.location);
		websession_set(resp, s->token, app->cf->session.ttl);
		return;
	}
	if (s->code == NULL) {
		render_redirect(resp, s);
		if (s->token[0])
			websession_set(resp, s->token, app->cf->session.ttl);
		return;
	}
	if (s->status == 400 && s->field != NULL) {
		snprintf(why, sizeof(why), "Please check the %s: %s",
		    strcmp(s->field, "identifier") == 0 ? (s->entry ==
		    ENTRY_CORPORATE ? "User ID" : "client ID or account "
		    "number") : s->field, s->message);
		err = why;
	}
	if (s->retry_after[0])
		resp_header(resp, "Retry-After", s->retry_after);
	if (s->entry == ENTRY_CORPORATE)
		render_corp_login(app, req, resp, s->status, err,
		    s->identifier);
	else
		render_login(app, req, resp, s->status, err, s->region,
		    s->identifier);
}

void
page_login_get(struct app *app, struct request *req, struct response *resp)
{
	render_login(app, req, resp, 200, NULL, NULL, NULL);
}

void
page_login_post(struct app *app, struct request *req, struct response *resp)
{
	struct signin_http	 s;

	signin_http_run(app, req, ENTRY_BILLING_CENTER, 1, &s);
	answer(app, req, resp, &s);
	explicit_bzero(s.token, sizeof(s.token));
}

void
page_corp_login_get(struct app *app, struct request *req,
    struct response *resp)
{
	render_corp_login(app, req, resp, 200, NULL, NULL);
}

void
page_corp_login_post(struct app *app, struct request *req,
    struct response *resp)
{
	struct signin_http	 s;

	signin_http_run(app, req, ENTRY_CORPORATE, 1, &s);
	answer(app, req, resp, &s);
	explicit_bzero(s.token, sizeof(s.token));
}

/*
 * POST /logout: the form's token is bound to the session's jti, so another
 * site cannot sign a user out.  Every token of the user dies.
 */
void
page_logout(struct app *app, struct request *req, struct response *resp)
{
	const char	*token = NULL;
	char		 where[CONFIG_URL_MAX + 32];
	struct kv	 kv[4];
	int		 n, i;

	n = request_parse_urlencoded(req, req->body ? req->body : "",
	    req->body_len, kv, 4, "body");
	for (i = 0; i < n; i++)
		if (strcmp(kv[i].key, "csrf") == 0)
			token = kv[i].val;
	if (token == NULL || !csrf_check(app->keys, req->session->jti,
	    token)) {
		page_message(resp, 403, "Sign out", "This form has expired. "
		    "Please sign out again.");
		return;
	}
	if (signin_bump_session(&app->signin, req->session_region,
	    req->session_subject, req->remote_addr, req->request_id) != 0) {
		page_message(resp, 503, "Sign out", "This region is "
		    "unavailable at the moment. Please try again shortly.");
		resp_header(resp, "Retry-After", "30");
		return;
	}
	websession_sign_in_url(app, req->session->aud == AUD_CORPORATE,
	    where, sizeof(where));
	websession_clear(resp);
	resp_body(resp, 303, "text/html", "", 0);
	resp_header(resp, "Location", where);
}
