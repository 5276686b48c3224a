/*
 * Sign-in identifiers (SPEC section 3): classify and normalise a bill-to
 * account number, a client ID or a corporate User ID, and mask one for logs.
 * Pure functions over the input; the patterns are compiled once per process.
 */
#ifndef BILLGW_IDENTIFIER_H
#define BILLGW_IDENTIFIER_H

#include <stddef.h>

#define IDENT_MAX		254	/* the longest form: an e-mail address */
#define IDENT_INPUT_MAX		1024	/* raw input, white space included */
#define IDENT_MASK_MAX		8	/* "ab***" and the NUL */

enum ident_kind {
	IDENT_NONE,
	IDENT_ACCOUNT_NUMBER,		/* 6 to 12 digits */
	IDENT_CLIENT_ID,		/* a letter, then 2 to 31 [A-Za-z0-9._-] */
	IDENT_CORPORATE_USER_ID		/* user name (up to 64) or e-mail (254) */
};

/* Where the identifier was typed: which kinds it may be. */
enum ident_scope {
	IDENT_SCOPE_BILLING_CENTER,	/* account number or client ID */
	IDENT_SCOPE_CORPORATE		/* corporate User ID */
};

enum ident_err {
	IDENT_OK,
	IDENT_EMPTY,		/* nothing but white space */
	IDENT_NUL,		/* a NUL byte */
	IDENT_BAD_UTF8,
	IDENT_TOO_LONG,
	IDENT_BAD_FORM,		/* none of the forms of the scope */
	IDENT_INTERNAL		/* PCRE2 failed (match limit, memory) */
};

struct ident {
	enum ident_kind	 kind;
	size_t		 len;
	char		 norm[IDENT_MAX + 1];	/* trimmed, lower-case, NUL-ended */
};

/* Compile the patterns (idempotent).  Returns 0 or -1. */
int		 ident_init(void);

/*
 * Classify s[0..len) (not NUL-terminated; NUL bytes are refused) for scope:
 * trim surrounding ASCII white space, then match the forms of the scope.
 * On IDENT_OK *out holds the kind and the normalised form (account numbers
 * as typed, the others lower-cased).  Compiles the patterns on first use.
 */
enum ident_err	 ident_classify(const char *s, size_t len,
		    enum ident_scope scope, struct ident *out);

/* "empty", "invalid UTF-8"...: for messages naming the field. */
const char	*ident_err_str(enum ident_err);

/* The directory kind of k: "account", "client", "corporate". */
const char	*ident_kind_str(enum ident_kind k);

/*
 * The form for logs and the audit log: the first 2 characters and "***"
 * ("***" alone for anything shorter than 4).  buf holds IDENT_MASK_MAX.
 */
void		 ident_mask(const char *s, size_t len, char *buf, size_t buflen);

#endif /* BILLGW_IDENTIFIER_H */
