/*
 * The response writer: status, headers, and a body built in memory, sent
 * in one piece.  Every response carries the headers of SPEC section 9.
 */
#ifndef BILLGW_RESPONSE_H
#define BILLGW_RESPONSE_H

#include <stddef.h>

#include <jansson.h>

#define RESP_HEADERS_MAX	8
#define RESP_HEADER_VALUE_MAX	1024	/* a session cookie is about 600 */

struct buf {
	char	*data;
	size_t	 len, cap;
	int	 failed;	/* an allocation failed: answer 500 */
};

struct response {
	int		 status;
	const char	*content_type;
	int		 no_store;	/* Cache-Control: no-store */
	const char	*referrer_policy;	/* default "same-origin" */
	struct {
		const char	*name;
		char		 value[RESP_HEADER_VALUE_MAX];
	}		 headers[RESP_HEADERS_MAX];
	size_t		 nheaders;
	struct buf	 body;
};

void	buf_add(struct buf *, const char *, size_t);
void	buf_puts(struct buf *, const char *);
void	buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Append s with & < > " ' escaped for HTML text and attribute values. */
void	buf_html(struct buf *, const char *s);
void	buf_free(struct buf *);

void	resp_init(struct response *);
void	resp_free(struct response *);

/* Add a header; the value is copied (shorter than RESP_HEADER_VALUE_MAX,
 * CR/LF refused: either makes the answer a 500). */
void	resp_header(struct response *, const char *name, const char *value);

/* A JSON body; takes the reference to obj. */
void	resp_json(struct response *, int status, json_t *obj);

/* The JSON error envelope {"error":{"code","message","field"?}}. */
void	resp_error(struct response *, int status, const char *code,
	    const char *message, const char *field);

/* A plain-text or other body, copied. */
void	resp_body(struct response *, int status, const char *content_type,
	    const char *body, size_t len);

/* The reason phrase for a status, "" for an unknown one. */
const char *http_reason(int status);

/*
 * Serialise the response (CGI "Status:" header form) into out.  With head
 * set the body is left out.  Returns 0, or -1 when out failed.
 */
int	resp_serialise(struct response *, int head, struct buf *out);

#endif /* BILLGW_RESPONSE_H */
