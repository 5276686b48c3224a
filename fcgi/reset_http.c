/*
 * Corporate "Forgot Password?" over HTTP (SPEC section 7):
 *	POST /api/v1/password-reset		{"user_id"}: always 202
 *	POST /api/v1/password-reset/confirm	{"token","password"}
 *	GET/POST /corporate/forgot-password	the HTML request form
 *	GET/POST /corporate/reset?token=...	the HTML confirm form
 * The work is auth/reset.c's; this only reads fields and words answers.
 * The confirm page never signs anyone in: it sends them to sign in.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "auth/reset.h"
#include "fcgi/app.h"
#include "fcgi/form.h"
#include "fcgi/page.h"
#include "fcgi/request.h"
#include "fcgi/response.h"
#include "fcgi/websession.h"
#include "regions/config.h"

#define MSG_SENT \
	"If this User ID belongs to a billing contact, a reset link has " \
	"been sent to the billing contact account email address. The link " \
	"is valid for 30 minutes."
#define MSG_CHANGED \
	"Your password has been changed. Sign in with your new password."

static const struct field_spec request_fields[] = {
	{ "user_id", 1024, 0 },
	{ "csrf", 64, 0 },		/* the HTML form only */
};
static const struct field_spec confirm_fields[] = {
	{ "token", RESET_TOKEN_MAX, 0 },
	{ "password", 1024, 0 },
	{ "password2", 1024, 0 },	/* the HTML form only */
	{ "csrf", 64, 0 },		/* the HTML form only */
};

static int
status_of(enum reset_res r)
{
	return r == RESET_OK ? 202 : r == RESET_UNAVAILABLE ? 503 : 400;
}

/* A failed request or confirm as the JSON error envelope. */
static void
api_error(struct response *resp, const struct reset_result *r)
{
	resp_error(resp, status_of(r->res), r->res == RESET_UNAVAILABLE ?
	    "unavailable" : "bad_request", r->message, r->field);
	if (r->res == RESET_UNAVAILABLE)
		resp_header(resp, "Retry-After", "30");
}

void
api_reset_request(struct app *app, struct request *req,
    struct response *resp)
{
	struct field_val	 f[2];
	struct reset_result	 r;

	resp->no_store = 1;
	if (form_read(req, request_fields, 1, f) != 0) {
		resp_error(resp, 400, "bad_request", req->error_message,
		    req->error_field);
		return;
	}
	reset_request(&app->signin, f[0].val ? f[0].val : "", f[0].len,
	    req->remote_addr, req->request_id, &r);
	if (r.res != RESET_OK) {
		api_error(resp, &r);
		return;
	}
	resp_json(resp, 202, json_pack("{s:s, s:s}", "outcome", "accepted",
	    "message", MSG_SENT));
}

void
api_reset_confirm(struct app *app, struct request *req,
    struct response *resp)
{
	struct field_val	 f[2];
	struct reset_result	 r;
	char			 where[CONFIG_URL_MAX + 32];

	resp->no_store = 1;
	if (form_read(req, confirm_fields, 2, f) != 0) {
		form_wipe(req, f, 1);
		resp_error(resp, 400, "bad_request", req->error_message,
		    req->error_field);
		return;
	}
	reset_confirm(&app->signin, f[0].val ? f[0].val : "", f[0].len,
	    f[1].val ? f[1].val : "", f[1].len, req->remote_addr,
	    req->request_id, &r);
	form_wipe(req, f, 1);
	if (r.res != RESET_OK) {
		api_error(resp, &r);
		return;
	}
	websession_sign_in_url(app, 1, where, sizeof(where));
	resp_json(resp, 200, json_pack("{s:s, s:s, s:s}", "outcome",
	    "password_changed", "message", MSG_CHANGED, "location", where));
}

/* --- HTML ---------------------------------------------------------------- */

static void
render_request(struct app *app, struct request *req, struct response *resp,
    int status, const char *error, const char *notice)
{
	struct buf	*b = &resp->body;
	char		 token[CSRF_TOKEN_LEN + 1];

	page_csrf(app, req, resp, token);
	page_begin(resp, status, "Reset your password", NULL);
	buf_puts(b, "<div class=\"card\">\n<h1>Reset your password</h1>\n");
	if (notice) {
		page_notice(b, "notice", notice);
		buf_puts(b, "<p><a href=\"/corporate/login\">Back to sign in"
		    "</a></p>\n</div>\n");
		page_end(resp);
		return;
	}
	buf_puts(b, "<p>Enter the User ID for your billing contact account "
	    "(located on an emailed invoice), then click Submit to be sent a "
	    "reset link via email to your billing contact account email "
	    "address.</p>\n");
	if (error)
		page_notice(b, "error", error);
	buf_puts(b, "<form method=\"post\" action=\"/corporate/forgot-password"
	    "\">\n<input type=\"hidden\" name=\"csrf\" value=\"");
	buf_html(b, token);
	buf_puts(b, "\">\n<label for=\"user_id\">User ID</label>\n<input "
	    "id=\"user_id\" name=\"user_id\" autocomplete=\"username\" "
	    "required maxlength=\"254\">\n<button type=\"submit\">Submit"
	    "</button>\n</form>\n</div>\n");
	page_end(resp);
}

void
page_forgot_get(struct app *app, struct request *req, struct response *resp)
{
	render_request(app, req, resp, 200, NULL, NULL);
}

void
page_forgot_post(struct app *app, struct request *req, struct response *resp)
{
	struct field_val	 f[2];
	struct reset_result	 r;

	resp->no_store = 1;
	if (form_read(req, request_fields, 2, f) != 0) {
		render_request(app, req, resp, 400, req->error_message, NULL);
		return;
	}
	if (!page_csrf_ok(app, req, f[1].val)) {
		render_request(app, req, resp, 403, "This form has expired. "
		    "Please try again.", NULL);
		return;
	}
	reset_request(&app->signin, f[0].val ? f[0].val : "", f[0].len,
	    req->remote_addr, req->request_id, &r);
	if (r.res != RESET_OK)
		render_request(app, req, resp, status_of(r.res), r.message,
		    NULL);
	else
		render_request(app, req, resp, 202, NULL, MSG_SENT);
}

/* The confirm form; the token travels in a hidden field, never a URL. */
static void
render_confirm(struct app *app, struct request *req, struct response *resp,
    int status, const char *token, const char *error)
{
	struct buf	*b = &resp->body;
	char		 csrf[CSRF_TOKEN_LEN + 1];

	resp->no_store = 1;
	/* The page's URL holds the token: no Referer may carry it away. */
	resp->referrer_policy = "no-referrer";
	page_csrf(app, req, resp, csrf);
	page_begin(resp, status, "Choose a new password", NULL);
	buf_puts(b, "<div class=\"card\">\n<h1>Choose a new password</h1>\n");
	if (error)
		page_notice(b, "error", error);
	if (token == NULL) {
		buf_puts(b, "<p><a href=\"/corporate/forgot-password\">Request "
		    "a new link</a></p>\n</div>\n");
		page_end(resp);
		return;
	}
	buf_puts(b, "<form method=\"post\" action=\"/corporate/reset\">\n"
	    "<input type=\"hidden\" name=\"csrf\" value=\"");
	buf_html(b, csrf);
	buf_puts(b, "\">\n<input type=\"hidden\" name=\"token\" value=\"");
	buf_html(b, token);
	buf_puts(b, "\">\n<label for=\"password\">New password (12 to 128 "
	    "characters)</label>\n<input id=\"password\" name=\"password\" "
	    "type=\"password\" autocomplete=\"new-password\" required "
	    "minlength=\"12\" maxlength=\"128\">\n<label for=\"password2\">"
	    "The same again</label>\n<input id=\"password2\" "
	    "name=\"password2\" type=\"password\" autocomplete=\"new-password\" "
	    "required minlength=\"12\" maxlength=\"128\">\n<button "
	    "type=\"submit\">Change password</button>\n</form>\n</div>\n");
	page_end(resp);
}

void
page_reset_get(struct app *app, struct request *req, struct response *resp)
{
	const char	*token;
	int		 n;

	token = request_query(req, "token", &n);
	if (token == NULL || n != 1 ||
	    !reset_token_wellformed(&app->signin, token, strlen(token))) {
		render_confirm(app, req, resp, 400, NULL, "This reset link is "
		    "invalid or has expired. Request a new one.");
		return;
	}
	render_confirm(app, req, resp, 200, token, NULL);
}

void
page_reset_post(struct app *app, struct request *req, struct response *resp)
{
	struct field_val	 f[4];
	struct reset_result	 r;
	char			 where[CONFIG_URL_MAX + 32];
	struct buf		*b = &resp->body;
	const char		*token;

	if (form_read(req, confirm_fields, 4, f) != 0) {
		form_wipe(req, f, 1);
		form_wipe(req, f, 2);
		render_confirm(app, req, resp, 400, NULL, req->error_message);
		return;
	}
	token = f[0].val;
	if (!page_csrf_ok(app, req, f[3].val)) {
		r.res = RESET_BAD_INPUT;
		r.message = "This form has expired. Please try again.";
	} else if (f[1].val == NULL || f[2].val == NULL || f[1].len !=
	    f[2].len || memcmp(f[1].val, f[2].val, f[1].len) != 0) {
		r.res = RESET_BAD_INPUT;
		r.message = "The two passwords do not match.";
	} else
		reset_confirm(&app->signin, token ? token : "", f[0].len,
		    f[1].val, f[1].len, req->remote_addr, req->request_id, &r);
	form_wipe(req, f, 1);
	form_wipe(req, f, 2);
	if (r.res != RESET_OK) {
		render_confirm(app, req, resp, status_of(r.res),
		    r.res == RESET_BAD_TOKEN ? NULL : token, r.message);
		return;
	}
	websession_sign_in_url(app, 1, where, sizeof(where));
	resp->no_store = 1;
	resp->referrer_policy = "no-referrer";
	page_begin(resp, 200, "Password changed", NULL);
	buf_puts(b, "<div class=\"card\">\n<h1>Password changed</h1>\n");
	page_notice(b, "notice", MSG_CHANGED);
	buf_puts(b, "<p><a href=\"");
	buf_html(b, where);
	buf_puts(b, "\">Sign in to the Corporate Billing Portal</a></p>\n"
	    "</div>\n");
	page_end(resp);
}
