/*
 * Sessions (SPEC section 5): HS256 JWTs, issued through libjwt, verified
 * in one function that checks everything libjwt 1.10 does not.  This is
 * the only module that includes <jwt.h>.
 */
#ifndef BILLGW_SESSION_H
#define BILLGW_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define SESSION_TOKEN_MAX	4096	/* bytes; longer is refused undecoded */
#define SESSION_KEY_MIN		32	/* bytes of secret */
#define SESSION_KEYS_MAX	8
#define SESSION_LEEWAY		30	/* seconds of clock skew on exp */
#define SESSION_ISSUER		"billgw"

struct config;
struct session_keys;		/* opaque: the keys file, secrets inside */

/* A portal, as carried in aud. */
enum session_aud {
	AUD_BILLING_CENTER,
	AUD_CORPORATE,
	AUD_REGIONAL,
	AUD__MAX
};

struct session_claims {
	enum session_aud aud;
	char		 sub[72];	/* "u:<users.id>" or "c:<corporate_users.id>" */
	char		 rgn[16];	/* home region code */
	int64_t		 acct;		/* accounts.id */
	char		 role[16];	/* super_admin|view_pay|member|corporate */
	int64_t		 sv;		/* the user's session version */
	int64_t		 iat, exp;
	char		 jti[48];	/* 128+ random bits, base64url */
};

enum session_err {
	SESSION_OK,
	SESSION_MALFORMED,	/* size, alphabet, segments, JSON */
	SESSION_BAD_HEADER,	/* alg not exactly HS256, crit, typ */
	SESSION_UNKNOWN_KID,
	SESSION_BAD_SIGNATURE,
	SESSION_BAD_CLAIMS,	/* duplicates, wrong JSON types, iss, aud, rgn */
	SESSION_EXPIRED,
	SESSION_NOT_YET		/* iat in the future */
};

/*
 * Read a keys file: lines "kid secret" (kid [A-Za-z0-9_-]{1,32}; the
 * secret is the rest of the line, at least SESSION_KEY_MIN bytes), '#'
 * comments and blank lines ignored; the first key signs, all verify.
 * NULL with a message "FILE:LINE: ..." in err.
 */
struct session_keys	*session_keys_load(const char *path, char *err,
			    size_t errlen);
void			 session_keys_free(struct session_keys *);

const char	*session_aud_str(enum session_aud);
int		 session_aud_parse(const char *, enum session_aud *);
const char	*session_err_str(enum session_err);

/*
 * Sign c (iss, iat, exp = now + ttl and jti are filled in here) with the
 * first key.  Writes the token to out (NUL-terminated).  0 or -1.
 */
int	session_issue(const struct session_keys *, struct session_claims *c,
	    time_t now, int ttl, char *out, size_t outlen);

/*
 * Every check of SPEC section 5 but the session version, in its order:
 * size and shape before decoding, header (alg exactly "HS256", no crit,
 * kid known), the signature (libjwt, then a constant-time compare of our
 * own), the payload re-parsed with duplicate keys refused and claims of
 * the right JSON types, exp (with leeway), iat, iss, aud a portal, rgn a
 * configured region.  The caller then compares c->sv with the user's
 * current session version in c->rgn's database.
 */
enum session_err session_verify(const struct session_keys *,
	    const struct config *cf, const char *token, size_t len,
	    time_t now, struct session_claims *c);

#endif /* BILLGW_SESSION_H */
