/*
 * The request reader.  Billing input fails loudly: an oversized parameter,
 * a malformed percent-escape, a control byte or invalid UTF-8 is a 400
 * naming what was wrong, never a silently truncated value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi/request.h"

void
arena_init(struct arena *a, char *base, size_t size)
{
	a->base = base;
	a->size = size;
	a->used = 0;
}

/* Wiped, not just rewound: a request's passwords die with it. */
void
arena_reset(struct arena *a)
{
	explicit_bzero(a->base, a->used);
	a->used = 0;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	size_t	 at = (a->used + 15) & ~(size_t)15;
	void	*p;

	if (at > a->size || n > a->size - at)
		return NULL;
	p = a->base + at;
	a->used = at + n;
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char	*p;

	if (n == SIZE_MAX || (p = arena_alloc(a, n + 1)) == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

int
utf8_valid(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	const unsigned char	*end = p + len;
	unsigned int		 c;
	int			 n, i;

	while (p < end) {
		c = *p;
		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3;
		else
			return 0;	/* continuation, overlong lead, > U+10FFFF */
		if (end - p <= n)
			return 0;
		c &= 0x3f >> n;
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			c = (c << 6) | (p[i] & 0x3f);
		}
		if ((n == 2 && c < 0x800) || (n == 3 && c < 0x10000) ||
		    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
			return 0;
		p += n + 1;
	}
	return 1;
}

static int
bad(struct request *r, const char *field, const char *message)
{
	r->error_code = "bad_request";
	r->error_message = message;
	r->error_field = field;
	return 400;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decode [s, s+len) ('+' is a space) into a new arena string.  Returns
 * NULL on a malformed escape, a decoded NUL or other control byte (tab
 * aside), invalid UTF-8, or a full arena; *why says which.
 */
static char *
decode(struct arena *a, const char *s, size_t len, const char **why)
{
	char	*out, *o;
	size_t	 i;
	int	 hi, lo;

	if ((out = arena_alloc(a, len + 1)) == NULL) {
		*why = "Request too large.";
		return NULL;
	}
	for (o = out, i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '+')
			c = ' ';
		else if (c == '%') {
			if (len - i < 3 || (hi = hexval(s[i + 1])) < 0 ||
			    (lo = hexval(s[i + 2])) < 0) {
				*why = "Malformed percent-escape.";
				return NULL;
			}
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			*why = "Control characters are not allowed.";
			return NULL;
		}
		*o++ = (char)c;
	}
	*o = '\0';
	if (!utf8_valid(out, (size_t)(o - out))) {
		*why = "Invalid UTF-8.";
		return NULL;
	}
	return out;
}

static int
valid_key(const char *k, size_t n)
{
	size_t	 i;

	if (n == 0 || n > REQ_KEY_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char c = k[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		    c == '-'))
			return 0;
	}
	return 1;
}

int
request_parse_urlencoded(struct request *r, const char *s, size_t len,
    struct kv *out, size_t max, const char *what)
{
	const char	*p = s, *end = s + len, *amp, *eq, *why;
	size_t		 n = 0;
	char		*key, *val;

	while (p < end) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		if (amp == p) {			/* "a=1&&b=2": tolerate */
			p++;
			continue;
		}
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq == NULL)
			eq = amp;
		if (n == max) {
			bad(r, what, "Too many fields.");
			return -1;
		}
		if (!valid_key(p, (size_t)(eq - p))) {
			bad(r, what, "Malformed field name.");
			return -1;
		}
		key = arena_strndup(r->arena, p, (size_t)(eq - p));
		why = "Request too large.";
		val = key == NULL ? NULL : decode(r->arena, eq < amp ? eq + 1 :
		    amp, eq < amp ? (size_t)(amp - eq - 1) : 0, &why);
		if (val == NULL) {
			bad(r, key ? key : what, why);
			return -1;
		}
		out[n].key = key;
		out[n].val = val;
		out[n].len = strlen(val);
		n++;
		p = amp + 1;
	}
	return (int)n;
}

/* Cookie: a=1; b=2 (RFC 6265 section 4.2.1); values are kept verbatim. */
static int
parse_cookies(struct request *r)
{
	const char	*p = r->cookie_header, *semi, *eq, *k, *ke;
	size_t		 vlen;

	while (*p) {
		while (*p == ' ' || *p == ';')
			p++;
		if (*p == '\0')
			break;
		semi = strchr(p, ';');
		if (semi == NULL)
			semi = p + strlen(p);
		eq = memchr(p, '=', (size_t)(semi - p));
		k = p;
		p = *semi ? semi + 1 : semi;
		if (eq == NULL)
			continue;		/* not a cookie pair: ignore */
		for (ke = eq; ke > k && ke[-1] == ' '; ke--)
			continue;
		if (!valid_key(k, (size_t)(ke - k)))
			continue;		/* foreign cookie names */
		if (r->ncookies == REQ_COOKIES_MAX)
			return bad(r, "cookie", "Too many cookies.");
		vlen = (size_t)(semi - eq - 1);
		while (vlen > 0 && eq[vlen] == ' ')
			vlen--;
		r->cookies[r->ncookies].key = arena_strndup(r->arena, k,
		    (size_t)(ke - k));
		r->cookies[r->ncookies].val = arena_strndup(r->arena,
		    eq + 1, vlen);
		r->cookies[r->ncookies].len = vlen;
		if (r->cookies[r->ncookies].key == NULL ||
		    r->cookies[r->ncookies].val == NULL)
			return bad(r, "cookie", "Request too large.");
		r->ncookies++;
	}
	return 0;
}

/* A parameter bounded by max bytes and free of control bytes, or NULL. */
static const char *
param(const struct req_source *src, const char *name, size_t max, int *toolong)
{
	const char	*v = src->param(src->ctx, name);
	size_t		 i;

	if (v == NULL)
		return "";
	for (i = 0; v[i] != '\0'; i++) {
		if (i >= max || (unsigned char)v[i] < 0x20) {
			*toolong = 1;
			return "";
		}
	}
	return v;
}

int
request_read(struct request *r, const struct req_source *src, struct arena *a)
{
	const char	*cl;
	char		*body;
	size_t		 got = 0, i;
	unsigned long	 n = 0;
	long		 k;
	int		 bad_param = 0, nq;

	memset(r, 0, sizeof(*r));
	r->arena = a;
	r->request_id = param(src, "REQUEST_ID", 64, &bad_param);
	r->method = param(src, "REQUEST_METHOD", 16, &bad_param);
	r->remote_addr = param(src, "REMOTE_ADDR", 64, &bad_param);
	r->content_type = param(src, "CONTENT_TYPE", 256, &bad_param);
	r->authorization = param(src, "HTTP_AUTHORIZATION", REQ_HEADER_MAX,
	    &bad_param);
	r->origin = param(src, "HTTP_ORIGIN", 512, &bad_param);
	r->sec_fetch_site = param(src, "HTTP_SEC_FETCH_SITE", 32, &bad_param);
	if (bad_param)
		return bad(r, "header", "Malformed or oversized header.");
	r->path = param(src, "DOCUMENT_URI", REQ_PATH_MAX, &bad_param);
	if (bad_param || r->path[0] != '/')
		return bad(r, "path", "Malformed or oversized path.");
	r->query = param(src, "QUERY_STRING", REQ_QUERY_MAX, &bad_param);
	if (bad_param)
		return bad(r, "query", "Query string too long.");
	r->cookie_header = param(src, "HTTP_COOKIE", REQ_COOKIE_MAX,
	    &bad_param);
	if (bad_param)
		return bad(r, "cookie", "Cookie header too long.");

	cl = param(src, "CONTENT_LENGTH", 64, &bad_param);
	if (bad_param)
		return bad(r, "body", "Malformed Content-Length.");
	for (i = 0; cl[i] != '\0'; i++) {
		if (cl[i] < '0' || cl[i] > '9')
			return bad(r, "body", "Malformed Content-Length.");
		if (n <= REQ_BODY_MAX)	/* saturate: no overflow */
			n = n * 10 + (unsigned long)(cl[i] - '0');
	}
	if (n > REQ_BODY_MAX) {
		r->error_code = "body_too_large";
		r->error_message = "Request body is larger than 16 KiB.";
		return 413;
	}
	r->content_length = n;

	if ((nq = request_parse_urlencoded(r, r->query, strlen(r->query),
	    r->query_fields, REQ_FIELDS_MAX, "query")) < 0)
		return 400;
	r->nquery = (size_t)nq;
	if (parse_cookies(r))
		return 400;

	/*
	 * Read the whole body now, even for routes that take none: nginx has
	 * buffered it already, and FastCGI needs the stream drained before
	 * the connection can carry another request.
	 */
	if (n == 0)
		return 0;
	if ((body = arena_alloc(a, n + 1)) == NULL)
		return bad(r, "body", "Request too large.");
	while (got < n) {
		k = src->read(src->ctx, body + got, n - got);
		if (k <= 0)
			return bad(r, "body", "Request body shorter than "
			    "Content-Length.");
		got += (size_t)k;
	}
	body[n] = '\0';
	r->body = body;
	r->body_len = n;
	return 0;
}

const char *
request_query(const struct request *r, const char *name, int *count)
{
	const char	*v = NULL;
	size_t		 i;
	int		 c = 0;

	for (i = 0; i < r->nquery; i++)
		if (strcmp(r->query_fields[i].key, name) == 0) {
			if (v == NULL)
				v = r->query_fields[i].val;
			c++;
		}
	if (count)
		*count = c;
	return v;
}

const char *
request_cookie(const struct request *r, const char *name)
{
	size_t	 i;

	for (i = 0; i < r->ncookies; i++)
		if (strcmp(r->cookies[i].key, name) == 0)
			return r->cookies[i].val;
	return NULL;
}
