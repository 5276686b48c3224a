#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi/response.h"

/*
 * One restrictive policy for every answer: nothing loads from anywhere but
 * ourselves, nothing frames us, forms post only to us.
 */
#define CSP	"default-src 'none'; style-src 'self'; img-src 'self'; " \
		"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

#define INTERNAL_ERROR \
	"{\"error\":{\"code\":\"internal\",\"message\":\"Internal error.\"}}\n"

static void
buf_reserve(struct buf *b, size_t more)
{
	size_t	 cap;
	char	*p;

	if (b->failed)
		return;
	if (more > SIZE_MAX / 2 - b->len) {
		b->failed = 1;
		return;
	}
	if (b->len + more + 1 <= b->cap)
		return;
	cap = b->cap ? b->cap : 1024;
	while (cap < b->len + more + 1)
		cap *= 2;
	if ((p = realloc(b->data, cap)) == NULL) {
		b->failed = 1;
		return;
	}
	b->data = p;
	b->cap = cap;
}

void
buf_add(struct buf *b, const char *s, size_t n)
{
	buf_reserve(b, n);
	if (b->failed)
		return;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = 1;
		return;
	}
	buf_reserve(b, (size_t)n);
	if (b->failed)
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
buf_html(struct buf *b, const char *s)
{
	const char	*run = s;

	for (; *s; s++) {
		const char *rep;

		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		buf_add(b, run, (size_t)(s - run));
		buf_puts(b, rep);
		run = s + 1;
	}
	buf_add(b, run, (size_t)(s - run));
}

void
buf_free(struct buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

void
resp_init(struct response *r)
{
	memset(r, 0, sizeof(*r));
	r->status = 500;
	r->content_type = "application/json";
	r->referrer_policy = "same-origin";
}

void
resp_free(struct response *r)
{
	buf_free(&r->body);
}

void
resp_header(struct response *r, const char *name, const char *value)
{
	if (r->nheaders == RESP_HEADERS_MAX ||
	    strlen(value) >= RESP_HEADER_VALUE_MAX ||
	    strpbrk(value, "\r\n") != NULL) {
		r->body.failed = 1;	/* a bug: answer 500 */
		return;
	}
	r->headers[r->nheaders].name = name;
	snprintf(r->headers[r->nheaders].value,
	    sizeof(r->headers[r->nheaders].value), "%s", value);
	r->nheaders++;
}

void
resp_json(struct response *r, int status, json_t *obj)
{
	char	*s;

	r->status = status;
	r->content_type = "application/json";
	r->body.len = 0;
	s = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
	json_decref(obj);
	if (s == NULL) {
		r->body.failed = 1;
		return;
	}
	buf_puts(&r->body, s);
	buf_puts(&r->body, "\n");
	free(s);
}

void
resp_error(struct response *r, int status, const char *code,
    const char *message, const char *field)
{
	json_t	*err;

	err = json_pack("{s:s, s:s}", "code", code, "message", message);
	if (err && field)
		json_object_set_new(err, "field", json_string(field));
	resp_json(r, status, err ? json_pack("{s:o}", "error", err) : NULL);
}

void
resp_body(struct response *r, int status, const char *content_type,
    const char *body, size_t len)
{
	r->status = status;
	r->content_type = content_type;
	r->body.len = 0;
	buf_add(&r->body, body, len);
}

const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 303: return "See Other";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "";
	}
}

int
resp_serialise(struct response *r, int head, struct buf *out)
{
	size_t	 i;

	if (r->body.failed || http_reason(r->status)[0] == '\0') {
		/* Fail closed: an unknown status or a failed build is 500. */
		buf_free(&r->body);
		r->nheaders = 0;
		r->no_store = 0;
		resp_body(r, 500, "application/json", INTERNAL_ERROR,
		    sizeof(INTERNAL_ERROR) - 1);
	}
	buf_printf(out, "Status: %d %s\r\n", r->status, http_reason(r->status));
	buf_printf(out, "Content-Type: %s%s\r\n", r->content_type,
	    strncmp(r->content_type, "text/", 5) == 0 ||
	    strcmp(r->content_type, "application/json") == 0 ?
	    "; charset=utf-8" : "");
	buf_printf(out, "X-Content-Type-Options: nosniff\r\n"
	    "Content-Security-Policy: " CSP "\r\n"
	    "Referrer-Policy: %s\r\n", r->referrer_policy);
	if (r->no_store)
		buf_puts(out, "Cache-Control: no-store\r\n");
	for (i = 0; i < r->nheaders; i++)
		buf_printf(out, "%s: %s\r\n", r->headers[i].name,
		    r->headers[i].value);
	buf_printf(out, "Content-Length: %zu\r\n\r\n", r->body.len);
	if (!head)
		buf_add(out, r->body.data ? r->body.data : "", r->body.len);
	return out->failed ? -1 : 0;
}
