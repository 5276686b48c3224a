/*
 * One request, read from FastCGI under named limits.  Every limit is
 * checked before anything is allocated; everything a request allocates
 * comes from its arena and dies with it at the end of the loop.
 */
#ifndef BILLGW_REQUEST_H
#define BILLGW_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#define REQ_PATH_MAX		1024	/* DOCUMENT_URI */
#define REQ_QUERY_MAX		2048	/* QUERY_STRING */
#define REQ_COOKIE_MAX		4096	/* the Cookie header */
#define REQ_HEADER_MAX		8192	/* any other parameter */
#define REQ_BODY_MAX		(16 * 1024)
#define REQ_FIELDS_MAX		32	/* query or form fields */
#define REQ_COOKIES_MAX		16
#define REQ_KEY_MAX		64	/* a field or cookie name */
#define REQ_ARENA_SIZE		(64 * 1024)

struct session_claims;

struct kv {
	const char	*key;
	const char	*val;		/* NUL-terminated, free of NUL */
	size_t		 len;		/* strlen(val) */
};

struct arena {
	char		*base;
	size_t		 size, used;
};

struct request {
	/* From the FastCGI parameters; never NULL ("" when absent). */
	const char	*method;
	const char	*path;		/* DOCUMENT_URI, decoded by nginx */
	const char	*query;		/* QUERY_STRING, raw */
	const char	*content_type;
	const char	*remote_addr;
	const char	*request_id;	/* nginx's $request_id */
	const char	*cookie_header;
	const char	*authorization;
	const char	*origin;
	const char	*sec_fetch_site;
	size_t		 content_length;

	const char	*body;		/* NUL-terminated copy, or NULL */
	size_t		 body_len;

	struct kv	 query_fields[REQ_FIELDS_MAX];
	size_t		 nquery;
	struct kv	 cookies[REQ_COOKIES_MAX];
	size_t		 ncookies;

	/* Set with a 4xx return: what was wrong, for the error envelope. */
	const char	*error_code;
	const char	*error_message;
	const char	*error_field;

	/* Set by the session check of an AUTH_SESSION route only. */
	const struct session_claims *session;
	int		 session_region;	/* index of session->rgn */
	const char	*session_subject;	/* "u:ID" in that region */
	int64_t		 account_version;	/* of the session's account */

	struct arena	*arena;
};

/*
 * A source of FastCGI parameters and body bytes.  The worker fills it from
 * an FCGX_Request; unit tests from plain arrays.
 */
struct req_source {
	const char	*(*param)(void *ctx, const char *name);
	/* Read up to len bytes; returns the count, 0 at the end, -1. */
	long		 (*read)(void *ctx, char *buf, size_t len);
	void		*ctx;
};

void	 arena_init(struct arena *, char *base, size_t size);
void	 arena_reset(struct arena *);
void	*arena_alloc(struct arena *, size_t);		/* NULL when full */
char	*arena_strndup(struct arena *, const char *, size_t);

/*
 * Read the parameters, the query and the cookies, and the body (up to
 * REQ_BODY_MAX; a larger Content-Length is refused without reading).
 * Returns 0, or an HTTP status (400, 413) with the error_* fields set.
 */
int	 request_read(struct request *, const struct req_source *,
	    struct arena *);

/*
 * Parse an application/x-www-form-urlencoded string of len bytes into at
 * most max fields.  Names must be [A-Za-z0-9_.-]{1,64}; values must be
 * valid UTF-8 with no control bytes but tab.  Returns the number of fields,
 * or -1 with req->error_* set (field: the offending name or "query").
 */
int	 request_parse_urlencoded(struct request *, const char *s, size_t len,
	    struct kv *out, size_t max, const char *what);

/* The value of field name, or NULL.  *count receives how often it came. */
const char *request_query(const struct request *, const char *name,
	    int *count);
const char *request_cookie(const struct request *, const char *name);

/* 1 if s[0..len) is valid UTF-8 (no overlongs, no surrogates). */
int	 utf8_valid(const char *s, size_t len);

#endif /* BILLGW_REQUEST_H */
