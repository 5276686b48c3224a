/* fcgi/request.c: named limits, checked before allocating. */
#include <stdlib.h>

#include "fcgi/request.h"
#include "fcgi/response.h"
#include "t.h"

struct fake {
	const char	**params;	/* name, value, ..., NULL */
	const char	 *body;
	size_t		  off;
	int		  reads;
};

static const char *
fake_param(void *ctx, const char *name)
{
	struct fake	*f = ctx;
	size_t		 i;

	for (i = 0; f->params[i]; i += 2)
		if (strcmp(f->params[i], name) == 0)
			return f->params[i + 1];
	return NULL;
}

static long
fake_read(void *ctx, char *buf, size_t len)
{
	struct fake	*f = ctx;
	size_t		 n = f->body ? strlen(f->body + f->off) : 0;

	f->reads++;
	if (n > len)
		n = len;
	memcpy(buf, f->body + f->off, n);
	f->off += n;
	return (long)n;
}

static char		 mem[REQ_ARENA_SIZE];
static struct arena	 arena;
static struct request	 req;
static struct fake	 fake;

static int
read_req(const char **params, const char *body)
{
	struct req_source src = { fake_param, fake_read, &fake };

	fake.params = params;
	fake.body = body;
	fake.off = 0;
	fake.reads = 0;
	arena_init(&arena, mem, sizeof(mem));
	return request_read(&req, &src, &arena);
}

static void
a_body_over_16_kib_is_413_without_reading(void)
{
	const char *p[] = { "REQUEST_METHOD", "POST", "DOCUMENT_URI", "/x",
	    "CONTENT_LENGTH", "16385", NULL };

	CHECK(read_req(p, "x") == 413);
	CHECK_STR(req.error_code, "body_too_large");
	CHECK(fake.reads == 0);
}

static void
a_huge_or_malformed_content_length_is_refused(void)
{
	const char *huge[] = { "REQUEST_METHOD", "POST", "DOCUMENT_URI", "/x",
	    "CONTENT_LENGTH", "99999999999999999999999", NULL };
	const char *neg[] = { "REQUEST_METHOD", "POST", "DOCUMENT_URI", "/x",
	    "CONTENT_LENGTH", "-1", NULL };

	CHECK(read_req(huge, "") == 413);
	CHECK(fake.reads == 0);
	CHECK(read_req(neg, "") == 400);
	CHECK_STR(req.error_field, "body");
}

static void
a_body_shorter_than_its_length_is_400(void)
{
	const char *p[] = { "REQUEST_METHOD", "POST", "DOCUMENT_URI", "/x",
	    "CONTENT_LENGTH", "10", NULL };

	CHECK(read_req(p, "short") == 400);
	CHECK_STR(req.error_field, "body");
}

static void
an_overlong_query_or_path_or_cookie_is_400(void)
{
	static char	 q[REQ_QUERY_MAX + 2], path[REQ_PATH_MAX + 2];
	static char	 cookie[REQ_COOKIE_MAX + 2];
	const char	*pq[] = { "REQUEST_METHOD", "GET", "DOCUMENT_URI", "/x",
			    "QUERY_STRING", q, NULL };
	const char	*pp[] = { "REQUEST_METHOD", "GET", "DOCUMENT_URI", path,
			    NULL };
	const char	*pc[] = { "REQUEST_METHOD", "GET", "DOCUMENT_URI", "/x",
			    "HTTP_COOKIE", cookie, NULL };

	memset(q, 'a', REQ_QUERY_MAX + 1);
	path[0] = '/';
	memset(path + 1, 'a', REQ_PATH_MAX);
	memset(cookie, 'c', REQ_COOKIE_MAX + 1);
	CHECK(read_req(pq, NULL) == 400);
	CHECK_STR(req.error_field, "query");
	CHECK(read_req(pp, NULL) == 400);
	CHECK_STR(req.error_field, "path");
	CHECK(read_req(pc, NULL) == 400);
	CHECK_STR(req.error_field, "cookie");
}

static void
a_malformed_percent_escape_names_its_field(void)
{
	const char *p[] = { "REQUEST_METHOD", "GET", "DOCUMENT_URI", "/x",
	    "QUERY_STRING", "region=us&identifier=%zz", NULL };

	CHECK(read_req(p, NULL) == 400);
	CHECK_STR(req.error_field, "identifier");
	CHECK_STR(req.error_message, "Malformed percent-escape.");
}

static void
nul_control_bytes_and_invalid_utf8_are_400(void)
{
	const char *nul[] = { "REQUEST_METHOD", "GET", "DOCUMENT_URI", "/x",
	    "QUERY_STRING", "region=us%00", NULL };
	const char *nl[] = { "REQUEST_METHOD", "GET", "DOCUMENT_URI", "/x",
	    "QUERY_STRING", "region=us%0A", NULL };
	const char *bad[] = { "REQUEST_METHOD", "GET", "DOCUMENT_URI", "/x",
	    "QUERY_STRING", "name=%C0%AF", NULL };
	const char *sur[] = { "REQUEST_METHOD", "GET", "DOCUMENT_URI", "/x",
	    "QUERY_STRING", "name=%ED%A0%80", NULL };

	CHECK(read_req(nul, NULL) == 400);
	CHECK_STR(req.error_field, "region");
	CHECK(read_req(nl, NULL) == 400);
	CHECK(read_req(bad, NULL) == 400);
	CHECK_STR(req.error_message, "Invalid UTF-8.");
	CHECK(read_req(sur, NULL) == 400);
}

static void
too_many_fields_or_cookies_are_400(void)
{
	static char	 q[4096], c[4096];
	const char	*pq[] = { "REQUEST_METHOD", "GET", "DOCUMENT_URI", "/x",
			    "QUERY_STRING", q, NULL };
	const char	*pc[] = { "REQUEST_METHOD", "GET", "DOCUMENT_URI", "/x",
			    "HTTP_COOKIE", c, NULL };
	int		 i;

	q[0] = c[0] = '\0';
	for (i = 0; i <= REQ_FIELDS_MAX; i++)
		snprintf(q + strlen(q), sizeof(q) - strlen(q), "f%d=1&", i);
	for (i = 0; i <= REQ_COOKIES_MAX; i++)
		snprintf(c + strlen(c), sizeof(c) - strlen(c), "c%d=1; ", i);
	CHECK(read_req(pq, NULL) == 400);
	CHECK_STR(req.error_message, "Too many fields.");
	CHECK(read_req(pc, NULL) == 400);
	CHECK_STR(req.error_message, "Too many cookies.");
}

static void
a_good_request_is_read_whole(void)
{
	const char *p[] = { "REQUEST_METHOD", "POST", "DOCUMENT_URI", "/login",
	    "QUERY_STRING", "region=ca&next=%2Fhome&region=us&empty=",
	    "HTTP_COOKIE", "a=1; __Host-billgw_session=tok.en.sig ;b=two",
	    "CONTENT_LENGTH", "11", "CONTENT_TYPE", "application/json",
	    "REQUEST_ID", "0123abcd", NULL };
	int	 count;

	CHECK(read_req(p, "{\"a\":\"b\"}xx") == 0);
	CHECK_STR(req.method, "POST");
	CHECK_STR(req.path, "/login");
	CHECK(req.nquery == 4);
	CHECK_STR(request_query(&req, "region", &count), "ca");
	CHECK(count == 2);
	CHECK_STR(request_query(&req, "next", NULL), "/home");
	CHECK_STR(request_query(&req, "empty", NULL), "");
	CHECK(request_query(&req, "absent", &count) == NULL && count == 0);
	CHECK_STR(request_cookie(&req, "__Host-billgw_session"), "tok.en.sig");
	CHECK_STR(request_cookie(&req, "b"), "two");
	CHECK(req.body_len == 11);
	CHECK_STR(req.body, "{\"a\":\"b\"}xx");
	CHECK_STR(req.request_id, "0123abcd");
}

static void
utf8_validation_follows_rfc3629(void)
{
	CHECK(utf8_valid("caf\xc3\xa9", 5));
	CHECK(utf8_valid("\xf0\x9f\x92\xb6", 4));
	CHECK(!utf8_valid("\xc3", 1));			/* truncated */
	CHECK(!utf8_valid("\xe0\x80\xaf", 3));		/* overlong */
	CHECK(!utf8_valid("\xf4\x90\x80\x80", 4));	/* > U+10FFFF */
	CHECK(!utf8_valid("\xed\xa0\x80", 3));		/* surrogate */
	CHECK(!utf8_valid("\x80", 1));			/* stray continuation */
}

static void
html_escaping_covers_text_and_attributes(void)
{
	struct buf	 b = { NULL, 0, 0, 0 };

	buf_html(&b, "<a href=\"x\">Tom & Jerry's</a>");
	CHECK_STR(b.data, "&lt;a href=&quot;x&quot;&gt;Tom &amp; "
	    "Jerry&#39;s&lt;/a&gt;");
	buf_free(&b);
}

static void
an_unknown_status_becomes_500(void)
{
	struct response	 r;
	struct buf	 out = { NULL, 0, 0, 0 };

	resp_init(&r);
	resp_body(&r, 299, "text/plain", "x", 1);
	CHECK(resp_serialise(&r, 0, &out) == 0);
	CHECK(strncmp(out.data, "Status: 500 ", 12) == 0);
	CHECK(strstr(out.data, "X-Content-Type-Options: nosniff\r\n") != NULL);
	CHECK(strstr(out.data, "Content-Security-Policy: default-src 'none'")
	    != NULL);
	buf_free(&out);
	resp_free(&r);
}

static void
a_header_with_a_newline_is_refused(void)
{
	struct response	 r;
	struct buf	 out = { NULL, 0, 0, 0 };

	resp_init(&r);
	resp_body(&r, 200, "text/plain", "x", 1);
	resp_header(&r, "Location", "http://x/\r\nSet-Cookie: a=b");
	CHECK(resp_serialise(&r, 0, &out) == 0);
	CHECK(strstr(out.data, "Set-Cookie") == NULL);
	CHECK(strncmp(out.data, "Status: 500 ", 12) == 0);
	buf_free(&out);
	resp_free(&r);
}

int
main(void)
{
	RUN(a_body_over_16_kib_is_413_without_reading);
	RUN(a_huge_or_malformed_content_length_is_refused);
	RUN(a_body_shorter_than_its_length_is_400);
	RUN(an_overlong_query_or_path_or_cookie_is_400);
	RUN(a_malformed_percent_escape_names_its_field);
	RUN(nul_control_bytes_and_invalid_utf8_are_400);
	RUN(too_many_fields_or_cookies_are_400);
	RUN(a_good_request_is_read_whole);
	RUN(utf8_validation_follows_rfc3629);
	RUN(html_escaping_covers_text_and_attributes);
	RUN(an_unknown_status_becomes_500);
	RUN(a_header_with_a_newline_is_refused);
	return DONE();
}
