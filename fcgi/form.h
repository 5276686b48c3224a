/*
 * Declared input fields (STYLE habit 3): each handler names the fields it
 * takes, with a maximum length; form_read() fills them from an
 * application/x-www-form-urlencoded or application/json body.  An unknown
 * or repeated field, a value that is not a string, a value too long, NUL
 * bytes or invalid UTF-8 are a 400 naming the field: billing input fails
 * loudly.
 */
#ifndef BILLGW_FORM_H
#define BILLGW_FORM_H

#include <stddef.h>

struct request;

#define FORM_FIELDS_MAX	8

struct field_spec {
	const char	*name;
	size_t		 max;		/* bytes */
	int		 required;	/* absent or empty is a 400 */
};

struct field_val {
	const char	*val;		/* NULL when absent; in the arena */
	size_t		 len;
};

/*
 * Read the body of req into out[0..n) following spec[0..n).  Returns 0, or
 * 400 with req->error_* set.
 */
int	form_read(struct request *req, const struct field_spec *spec, size_t n,
	    struct field_val *out);

/* Overwrite the body and every decoded copy of field i (a password). */
void	form_wipe(struct request *req, struct field_val *out, size_t i);

#endif /* BILLGW_FORM_H */
