/*
 * Identifier classification with PCRE2 (SPEC section 3), the only module
 * that includes <pcre2.h>.  Patterns: compiled once per process, UTF mode
 * (so the subject's UTF-8 is checked by pcre2_match), anchored at both ends
 * with \A and \z (never $, which also matches before a final newline),
 * [0-9] rather than \d (which in some modes matches other scripts' digits),
 * matched with the explicit subject length under a match limit.  Lengths
 * are checked in C before any match.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <stdio.h>
#include <string.h>

#include <pcre2.h>

#include "auth/identifier.h"

#define IDENT_MATCH_LIMIT	10000
#define IDENT_DEPTH_LIMIT	1000
#define IDENT_USERNAME_MAX	64
#define IDENT_LOCAL_MAX		64	/* RFC 5321, before the @ */

enum pat {
	PAT_ACCOUNT,
	PAT_CLIENT,
	PAT_USERNAME,
	PAT_EMAIL,
	PAT__MAX
};

static const char *const patterns[PAT__MAX] = {
	[PAT_ACCOUNT] = "\\A[0-9]{6,12}\\z",
	[PAT_CLIENT] = "\\A[A-Za-z][A-Za-z0-9._-]{2,31}\\z",
	[PAT_USERNAME] = "\\A[A-Za-z][A-Za-z0-9._-]{2,63}\\z",
	/* Dot-atom local part; host name labels; an alphabetic TLD. */
	[PAT_EMAIL] = "\\A[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
	    "(?:\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
	    "@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+"
	    "[A-Za-z]{2,63}\\z",
};

static pcre2_code		*codes[PAT__MAX];
static pcre2_match_context	*mctx;
static pcre2_match_data		*mdata;

int
ident_init(void)
{
	int		 i, errcode;
	PCRE2_SIZE	 erroff;

	if (mdata != NULL)
		return 0;
	for (i = 0; i < PAT__MAX; i++) {
		if (codes[i] != NULL)
			continue;
		codes[i] = pcre2_compile((PCRE2_SPTR)patterns[i],
		    PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_NEVER_BACKSLASH_C,
		    &errcode, &erroff, NULL);
		if (codes[i] == NULL)
			return -1;
	}
	if (mctx == NULL && (mctx = pcre2_match_context_create(NULL)) == NULL)
		return -1;
	pcre2_set_match_limit(mctx, IDENT_MATCH_LIMIT);
	pcre2_set_depth_limit(mctx, IDENT_DEPTH_LIMIT);
	if ((mdata = pcre2_match_data_create(1, NULL)) == NULL)
		return -1;
	return 0;
}

/* 1 match, 0 no match, else the negative IDENT_ error. */
static int
match(enum pat p, const char *s, size_t len)
{
	int	 rc;

	rc = pcre2_match(codes[p], (PCRE2_SPTR)s, len, 0, 0, mdata, mctx);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc <= PCRE2_ERROR_UTF8_ERR1 && rc >= PCRE2_ERROR_UTF8_ERR21)
		return -IDENT_BAD_UTF8;
	return -IDENT_INTERNAL;
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' ||
	    c == '\f' || c == '\r';
}

enum ident_err
ident_classify(const char *s, size_t len, enum ident_scope scope,
    struct ident *out)
{
	const char	*at;
	enum ident_kind	 kind = IDENT_NONE;
	size_t		 i;
	int		 m;

	memset(out, 0, sizeof(*out));
	if (len > IDENT_INPUT_MAX)
		return IDENT_TOO_LONG;
	if (memchr(s, '\0', len) != NULL)
		return IDENT_NUL;
	while (len > 0 && is_space(s[0])) {
		s++;
		len--;
	}
	while (len > 0 && is_space(s[len - 1]))
		len--;
	if (len == 0)
		return IDENT_EMPTY;
	if (len > IDENT_MAX)
		return IDENT_TOO_LONG;
	if (ident_init() == -1)
		return IDENT_INTERNAL;

	if (scope == IDENT_SCOPE_BILLING_CENTER) {
		if ((m = match(PAT_ACCOUNT, s, len)) < 0)
			return (enum ident_err)-m;
		if (m)
			kind = IDENT_ACCOUNT_NUMBER;
		else if ((m = match(PAT_CLIENT, s, len)) < 0)
			return (enum ident_err)-m;
		else if (m)
			kind = IDENT_CLIENT_ID;
	} else {
		at = memchr(s, '@', len);
		if (at == NULL) {
			if ((m = match(PAT_USERNAME, s, len)) < 0)
				return (enum ident_err)-m;
		} else {
			if ((size_t)(at - s) > IDENT_LOCAL_MAX)
				return IDENT_BAD_FORM;
			if ((m = match(PAT_EMAIL, s, len)) < 0)
				return (enum ident_err)-m;
		}
		if (m)
			kind = IDENT_CORPORATE_USER_ID;
	}
	if (kind == IDENT_NONE)
		return IDENT_BAD_FORM;

	/* Every accepted form is ASCII: lower-casing is byte-wise. */
	for (i = 0; i < len; i++)
		out->norm[i] = (s[i] >= 'A' && s[i] <= 'Z') ?
		    (char)(s[i] - 'A' + 'a') : s[i];
	out->norm[len] = '\0';
	out->len = len;
	out->kind = kind;
	return IDENT_OK;
}

const char *
ident_err_str(enum ident_err e)
{
	switch (e) {
	case IDENT_OK:
		return "ok";
	case IDENT_EMPTY:
		return "is empty";
	case IDENT_NUL:
		return "contains a NUL byte";
	case IDENT_BAD_UTF8:
		return "is not valid UTF-8";
	case IDENT_TOO_LONG:
		return "is too long";
	case IDENT_BAD_FORM:
		return "is not in a valid form";
	case IDENT_INTERNAL:
		break;
	}
	return "could not be checked";
}

const char *
ident_kind_str(enum ident_kind k)
{
	switch (k) {
	case IDENT_ACCOUNT_NUMBER:
		return "account";
	case IDENT_CLIENT_ID:
		return "client";
	case IDENT_CORPORATE_USER_ID:
		return "corporate";
	case IDENT_NONE:
		break;
	}
	return "none";
}

void
ident_mask(const char *s, size_t len, char *buf, size_t buflen)
{
	size_t	 i, keep = len >= 4 ? 2 : 0;

	if (buflen == 0)
		return;
	/* Only printable ASCII is shown; anything else becomes '?'. */
	for (i = 0; i < keep && i + 1 < buflen; i++)
		buf[i] = (s[i] > 0x20 && s[i] < 0x7f) ? s[i] : '?';
	(void)snprintf(buf + i, buflen - i, "***");
}
