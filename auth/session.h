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
	char		 sub[96];	/* "REGION:u:<users.id>" or "REGION:c:<id>" */
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

#define SESSION_MAC_LEN		32	/* HMAC-SHA-256 */

/*
 * HMAC-SHA-256 under key i (0 is the signing key) of domain || msg, for
 * the other MACs made with the session keys (csrf.c), so that the secrets
 * never leave session.c.  domain must be non-empty and hold a character
 * outside base64url (such as ':'), so that no such MAC is ever the
 * signature of a token.  0, or -1 when there is no key i or the domain is
 * refused.
 */
int	session_keys_mac(const struct session_keys *, size_t i,
	    const char *domain, const void *msg, size_t len,
	    unsigned char out[SESSION_MAC_LEN]);

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
 * size and shape before decoding (SESSION_MALFORMED); the header (alg
 * exactly "HS256", typ absent or "JWT", no crit nor any key but alg, typ
 * and kid; kid known); the signature (a constant-time compare of our own
 * HMAC, then libjwt, which must agree and only ever sees a token whose
 * signature we already checked); the payload re-parsed with duplicate
 * keys refused, an object of exactly our ten claims with the right JSON
 * types; exp (with leeway), iat (with leeway), iss, aud a portal, rgn a
 * configured region.  The first failure is returned; *c is written on
 * SESSION_OK only.  The caller then compares c->sv with the user's
 * current session version in c->rgn's database.
 */
enum session_err session_verify(const struct session_keys *,
	    const struct config *cf, const char *token, size_t len,
	    time_t now, struct session_claims *c);

/*
 * A worker's memo of the tokens that passed session_verify, so that a
 * session's later requests skip the decoding, the two HMACs and the JSON
 * (measured: 218,000 instructions, 15.7 us a token).  An entry is the
 * keyed BLAKE2b of the token's exact bytes, never the token, and the
 * claims it carried; a hit still answers SESSION_EXPIRED and
 * SESSION_NOT_YET against now, and a miss is a full session_verify.  The
 * memo belongs to one key set and one configuration: a worker's, for its
 * life.  NULL when out of memory.
 *
 * Shared (session_memo_share(), before its first use), a memo also keeps
 * its tokens in the pool's slots (fcgi/slots.h) and finds there the ones
 * other workers verified: the slot holds the token's keyed hash (the
 * pool's hash key) and the claims, for one generation of the pool (a
 * reload may change keys or configuration).  *src, when not NULL, says
 * where an answer came from.
 */
struct session_memo;
struct slots;

#define SESSION_MEMO_KEYBYTES	32	/* BLAKE2b's key */

enum session_src {
	SESSION_SRC_MEMO,	/* this worker's memo */
	SESSION_SRC_SHARED,	/* the pool's */
	SESSION_SRC_VERIFIED,	/* decoded and verified now */
	SESSION_SRC__MAX
};

struct session_memo	*session_memo_new(void);
void			 session_memo_share(struct session_memo *,
			    const struct slots *,
			    const unsigned char key[SESSION_MEMO_KEYBYTES],
			    int64_t generation);
void			 session_memo_free(struct session_memo *);
enum session_err	 session_verify_memo(struct session_memo *,
			    const struct session_keys *,
			    const struct config *cf, const char *token,
			    size_t len, time_t now, struct session_claims *c,
			    enum session_src *src);

#endif /* BILLGW_SESSION_H */
