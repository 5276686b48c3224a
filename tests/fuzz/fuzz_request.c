/*
 * Fuzz target: the request reader (fcgi/request.c): the FastCGI
 * parameters, the query string, the cookies and the body, as
 * request_read() takes them from the worker, then the lookups the handlers
 * make, and a form body through request_parse_urlencoded().
 *
 * The input is what nginx would pass, NUL-separated:
 *
 *	NAME \0 VALUE \0 NAME \0 VALUE \0 ... \0 BODY
 *
 * An empty NAME ends the parameters; what follows is the body, read in
 * chunks of at most READ_CHUNK bytes for as long as CONTENT_LENGTH asks.
 * A name given twice keeps its first value, as FCGX_GetParam() does.
 */
#include <string.h>

#include "fcgi/request.h"
#include "fcgi/websession.h"
#include "fuzz.h"

#define PARAMS_MAX	64
#define READ_CHUNK	1000

struct input {
	const char	*name[PARAMS_MAX];
	const char	*value[PARAMS_MAX];
	size_t		 n;
	const char	*body;		/* its own allocation, exactly sized */
	size_t		 body_len, off;
};

static const char *
in_param(void *ctx, const char *name)
{
	struct input	*in = ctx;
	size_t		 i;

	for (i = 0; i < in->n; i++)
		if (strcmp(in->name[i], name) == 0)
			return in->value[i];
	return NULL;
}

static long
in_read(void *ctx, char *buf, size_t len)
{
	struct input	*in = ctx;
	size_t		 n = in->body_len - in->off;

	if (n > len)
		n = len;
	if (n > READ_CHUNK)
		n = READ_CHUNK;
	if (n > 0)
		memcpy(buf, in->body + in->off, n);
	in->off += n;
	return (long)n;
}

/* Split s[0..size) (NUL-terminated at size) into in; body copied out. */
static char *
split(char *s, size_t size, struct input *in)
{
	char	*p = s, *end = s + size, *body = NULL;

	memset(in, 0, sizeof(*in));
	while (p < end && in->n < PARAMS_MAX) {
		if (*p == '\0') {		/* the empty name: the body */
			p++;
			in->body_len = (size_t)(end - p);
			body = malloc(in->body_len > 0 ? in->body_len : 1);
			if (body == NULL)
				abort();
			if (in->body_len > 0)
				memcpy(body, p, in->body_len);
			break;
		}
		in->name[in->n] = p;
		p += strlen(p) + 1;
		in->value[in->n] = p < end ? p : "";
		if (p < end)
			p += strlen(p) + 1;
		in->n++;
	}
	in->body = body;
	return body;
}

/* What must hold of a list of fields that the reader accepted. */
static void
check_fields(const struct kv *kv, size_t n)
{
	size_t	 i, k;

	for (i = 0; i < n; i++) {
		k = strlen(kv[i].key);
		FUZZ_ASSERT(k >= 1 && k <= REQ_KEY_MAX);
		FUZZ_ASSERT(strlen(kv[i].val) == kv[i].len);
		FUZZ_ASSERT(utf8_valid(kv[i].val, kv[i].len));
		for (k = 0; k < kv[i].len; k++)
			FUZZ_ASSERT((unsigned char)kv[i].val[k] >= 0x20 ||
			    kv[i].val[k] == '\t');
	}
}

static void
check_request(const struct request *r, struct arena *a)
{
	static const char *const names[] = {
		"region", "next", "token", "portal", "q", "",
	};
	size_t	 i;
	int	 count;

	FUZZ_ASSERT(r->method && r->path && r->query && r->content_type &&
	    r->remote_addr && r->request_id && r->cookie_header &&
	    r->authorization && r->origin && r->sec_fetch_site);
	FUZZ_ASSERT(r->path[0] == '/' && strlen(r->path) <= REQ_PATH_MAX);
	FUZZ_ASSERT(strlen(r->query) <= REQ_QUERY_MAX);
	FUZZ_ASSERT(strlen(r->cookie_header) <= REQ_COOKIE_MAX);
	FUZZ_ASSERT(r->content_length <= REQ_BODY_MAX);
	FUZZ_ASSERT(r->nquery <= REQ_FIELDS_MAX);
	FUZZ_ASSERT(r->ncookies <= REQ_COOKIES_MAX);
	FUZZ_ASSERT(a->used <= a->size);
	check_fields(r->query_fields, r->nquery);
	for (i = 0; i < r->ncookies; i++) {
		FUZZ_ASSERT(strlen(r->cookies[i].val) == r->cookies[i].len);
		FUZZ_ASSERT(request_cookie(r, r->cookies[i].key) != NULL);
	}
	for (i = 0; i < r->nquery; i++) {
		FUZZ_ASSERT(request_query(r, r->query_fields[i].key,
		    &count) != NULL);
		FUZZ_ASSERT(count >= 1 && (size_t)count <= r->nquery);
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		(void)request_query(r, names[i], &count);
		(void)request_query(r, names[i], NULL);
	}
	(void)request_cookie(r, SESSION_COOKIE);
	(void)request_cookie(r, CSRF_COOKIE);
	if (r->content_length == 0) {
		FUZZ_ASSERT(r->body == NULL && r->body_len == 0);
	} else {
		FUZZ_ASSERT(r->body != NULL &&
		    r->body_len == r->content_length);
		FUZZ_ASSERT(r->body[r->body_len] == '\0');
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input		 in;
	struct req_source	 src = { in_param, in_read, &in };
	struct request		 r;
	struct arena		 a;
	struct kv		 form[REQ_FIELDS_MAX];
	char			*text, *body, *mem;
	int			 st, n;

	text = fuzz_strndup(data, size);
	body = split(text, size, &in);
	/* The worker's arena, on the heap so that ASan sees its end. */
	if ((mem = malloc(REQ_ARENA_SIZE)) == NULL)
		abort();
	arena_init(&a, mem, REQ_ARENA_SIZE);

	st = request_read(&r, &src, &a);
	if (st != 0) {
		FUZZ_ASSERT(st == 400 || st == 413);
		FUZZ_ASSERT(r.error_code != NULL && r.error_message != NULL);
		goto out;
	}
	check_request(&r, &a);
	/* A form body, as form_read() parses it. */
	if (r.body != NULL && strncmp(r.content_type,
	    "application/x-www-form-urlencoded", 33) == 0) {
		n = request_parse_urlencoded(&r, r.body, r.body_len, form,
		    REQ_FIELDS_MAX, "body");
		if (n >= 0)
			check_fields(form, (size_t)n);
		else
			FUZZ_ASSERT(r.error_code != NULL &&
			    r.error_field != NULL);
	}
out:
	arena_reset(&a);
	free(mem);
	free(body);
	free(text);
	return 0;
}
