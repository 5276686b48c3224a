#include <stdio.h>
#include <string.h>

#include "auth/csrf.h"

#include "fcgi/app.h"
#include "fcgi/page.h"
#include "fcgi/request.h"
#include "fcgi/response.h"
#include "fcgi/websession.h"

/*
 * Plain, accessible, no external assets: system fonts, contrast above
 * WCAG AA (#1a1a1a on white, white on #0b57d0), visible focus.
 */
static const char css[] =
"*{box-sizing:border-box}\n"
"body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,"
"sans-serif;color:#1a1a1a;background:#f4f5f7}\n"
"header{background:#fff;border-bottom:1px solid #d0d4da;padding:.75rem "
"1.5rem;display:flex;justify-content:space-between;align-items:center}\n"
"header .brand{font-weight:700}\n"
"main{max-width:40rem;margin:2rem auto;padding:0 1rem}\n"
".card{background:#fff;border:1px solid #d0d4da;border-radius:8px;"
"padding:1.5rem 2rem;margin-bottom:1.5rem}\n"
"h1{font-size:1.5rem;margin:0 0 1rem}\n"
"h2{font-size:1.15rem;margin:0 0 .5rem}\n"
"label{display:block;font-weight:600;margin:1rem 0 .25rem}\n"
"input,select{width:100%;padding:.6rem;font:inherit;border:1px solid "
"#6b7280;border-radius:4px;background:#fff;color:#1a1a1a}\n"
"input:focus,select:focus,button:focus,a:focus{outline:3px solid "
"#f59e0b;outline-offset:2px}\n"
"button{margin-top:1.5rem;padding:.65rem 1.5rem;font:inherit;"
"font-weight:600;color:#fff;background:#0b57d0;border:0;border-radius:4px;"
"cursor:pointer}\n"
"button.link{background:none;color:#0b57d0;padding:0;margin:0;"
"text-decoration:underline}\n"
"a{color:#0b57d0}\n"
".error{border-left:4px solid #b91c1c;background:#fef2f2;padding:.75rem "
"1rem;color:#7f1d1d}\n"
".notice{border-left:4px solid #0b57d0;background:#eff6ff;padding:.75rem "
"1rem}\n"
"dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;"
"margin:0}\n"
"dt{font-weight:600}\n"
"dd{margin:0}\n"
".amount{font-size:1.4rem;font-weight:700}\n"
".note{font-size:.9rem;color:#374151}\n";

void
page_css(struct app *app, struct request *req, struct response *resp)
{
	(void)app;
	(void)req;
	resp_body(resp, 200, "text/css", css, sizeof(css) - 1);
	resp_header(resp, "Cache-Control", "public, max-age=3600");
}

void
page_begin(struct response *resp, int status, const char *title,
    const char *refresh_url)
{
	struct buf	*b = &resp->body;

	resp->status = status;
	resp->content_type = "text/html";
	b->len = 0;
	buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n<title>");
	buf_html(b, title);
	buf_puts(b, " - Billing</title>\n"
	    "<link rel=\"stylesheet\" href=\"/static/billgw.css\">\n");
	if (refresh_url != NULL) {
		buf_puts(b, "<meta http-equiv=\"refresh\" content=\"5;url=");
		buf_html(b, refresh_url);
		buf_puts(b, "\">\n");
	}
	buf_puts(b, "</head>\n<body>\n<header><span class=\"brand\">"
	    "Billing</span></header>\n<main>\n");
}

void
page_end(struct response *resp)
{
	buf_puts(&resp->body, "</main>\n</body>\n</html>\n");
}

void
page_message(struct response *resp, int status, const char *title,
    const char *message)
{
	page_begin(resp, status, title, NULL);
	buf_puts(&resp->body, "<div class=\"card\"><h1>");
	buf_html(&resp->body, title);
	buf_puts(&resp->body, "</h1>\n<p>");
	buf_html(&resp->body, message);
	buf_puts(&resp->body, "</p></div>\n");
	page_end(resp);
}

/*
 * The CSRF binding of this browser: its cookie when it looks like one of
 * ours, else a new one (set on the answer).  Reusing it keeps the page the
 * same for the same browser, so answers differ only by what they say.
 */
void
page_csrf(struct app *app, struct request *req, struct response *resp,
    char token[CSRF_TOKEN_LEN + 1])
{
	char		 fresh[CSRF_BINDING_LEN + 1], cookie[128];
	const char	*b = request_cookie(req, CSRF_COOKIE);

	if (b == NULL || strlen(b) != CSRF_BINDING_LEN ||
	    strspn(b, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_") != CSRF_BINDING_LEN) {
		csrf_new_binding(fresh);
		snprintf(cookie, sizeof(cookie), CSRF_COOKIE "=%s; Path=/; "
		    "Secure; HttpOnly; SameSite=Strict", fresh);
		resp_header(resp, "Set-Cookie", cookie);
		b = fresh;
	}
	csrf_token(app->keys, b, token);
}

int
page_csrf_ok(struct app *app, struct request *req, const char *token)
{
	const char	*binding = request_cookie(req, CSRF_COOKIE);

	return binding != NULL && token != NULL &&
	    csrf_check(app->keys, binding, token);
}

void
page_notice(struct buf *b, const char *cls, const char *text)
{
	buf_printf(b, "<p class=\"%s\" role=\"%s\">", cls,
	    strcmp(cls, "error") == 0 ? "alert" : "status");
	buf_html(b, text);
	buf_puts(b, "</p>\n");
}
