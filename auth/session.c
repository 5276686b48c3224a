/*
 * Sessions (SPEC section 5): the keys file, issuing through libjwt, the
 * one function that verifies a token, and a worker's memo of the tokens it
 * has verified (which answers only for bytes that passed that function).
 *
 * libjwt 1.10 is used as it must be, not trusted: it takes the algorithm
 * from the token (HS512, "hs256"), checks no claim, parses JSON with
 * duplicate keys allowed, decodes base64 onto the stack (a 9 MB token
 * crashes it) and, given a NULL key, accepts any signature and reports
 * alg "none".  So every check is made here first, on the raw bytes, with
 * libsodium and jansson; libjwt then sees only a token of at most
 * SESSION_TOKEN_MAX bytes whose HS256 signature we already checked, always
 * with the key, and must agree.
 *
 * The secrets live in one sodium_malloc'd block (guard pages, locked when
 * the limit allows, kept out of core dumps), read-only once loaded, wiped
 * by sodium_free().  Memory locks are not inherited across fork(): the
 * workers' copy is unlocked but still out of core dumps.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <jwt.h>
#include <sodium.h>

#include "auth/session.h"
#include "fcgi/slots.h"
#include "regions/config.h"

#define KID_MAX		32		/* [A-Za-z0-9_-]{1,32} */
#define SECRET_MAX	512		/* bytes; HMAC hashes longer keys */
#define KEYS_FILE_MAX	(64 * 1024)
#define ISS_MAX		16		/* buffer sizes for iss and aud */
#define AUD_MAX		32

_Static_assert(sizeof(long) == 8, "libjwt grants are long: LP64 only");
_Static_assert(SESSION_MAC_LEN == crypto_auth_hmacsha256_BYTES,
    "SESSION_MAC_LEN is HMAC-SHA-256");

struct session_key {
	char		 kid[KID_MAX + 1];
	size_t		 line;			/* in the keys file */
	size_t		 len;
	unsigned char	 secret[SECRET_MAX];
};

struct session_keys {
	size_t			 n;
	struct session_key	 k[SESSION_KEYS_MAX];
};

static const char *const aud_names[AUD__MAX] = {
	[AUD_BILLING_CENTER] = "billing_center",
	[AUD_CORPORATE] = "corporate",
	[AUD_REGIONAL] = "regional",
};

/* The claims we issue; a token holding any other is refused. */
static const char *const claim_names[] = {
	"iss", "aud", "sub", "rgn", "acct", "role", "sv", "iat", "exp", "jti",
};

static int
is_b64url(int ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
}

/*
 * Parse one line of the keys file (no newline; NUL-free) into ks.
 * Trailing white space and CR are not part of the secret.  0, or -1 with
 * "PATH:LINE: ..." in err; the secret itself is never in a message.
 */
static int
keys_line(struct session_keys *ks, const char *path, size_t lineno,
    char *s, size_t len, char *err, size_t errlen)
{
	struct session_key	*k;
	size_t			 i = 0, kidlen, j;

	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
	    s[len - 1] == '\r'))
		len--;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i == len || s[i] == '#')
		return 0;
	for (kidlen = 0; i + kidlen < len && is_b64url(s[i + kidlen]);
	    kidlen++)
		continue;
	if (kidlen == 0 || kidlen > KID_MAX || (i + kidlen < len &&
	    s[i + kidlen] != ' ' && s[i + kidlen] != '\t')) {
		snprintf(err, errlen, "%s:%zu: the kid must be 1 to %d of "
		    "A-Z a-z 0-9 _ - and a blank before the secret", path,
		    lineno, KID_MAX);
		return -1;
	}
	if (ks->n == SESSION_KEYS_MAX) {
		snprintf(err, errlen, "%s:%zu: more than %d keys", path,
		    lineno, SESSION_KEYS_MAX);
		return -1;
	}
	k = &ks->k[ks->n];
	memcpy(k->kid, s + i, kidlen);
	k->kid[kidlen] = '\0';
	for (j = 0; j < ks->n; j++)
		if (strcmp(ks->k[j].kid, k->kid) == 0) {
			snprintf(err, errlen, "%s:%zu: the kid %s is already "
			    "on line %zu", path, lineno, k->kid,
			    ks->k[j].line);
			return -1;
		}
	i += kidlen;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (len - i < SESSION_KEY_MIN) {
		snprintf(err, errlen, "%s:%zu: the secret of %s is %zu bytes, "
		    "at least %d are needed", path, lineno, k->kid, len - i,
		    SESSION_KEY_MIN);
		return -1;
	}
	if (len - i > SECRET_MAX) {
		snprintf(err, errlen, "%s:%zu: the secret of %s is over %d "
		    "bytes", path, lineno, k->kid, SECRET_MAX);
		return -1;
	}
	memcpy(k->secret, s + i, len - i);
	k->len = len - i;
	k->line = lineno;
	ks->n++;
	return 0;
}

struct session_keys *
session_keys_load(const char *path, char *err, size_t errlen)
{
	struct session_keys	*ks = NULL;
	struct stat		 st;
	char			*buf = NULL, *s, *nl;
	size_t			 size = 0, lineno = 0;
	ssize_t			 r;
	int			 fd = -1;

	if (sodium_init() < 0) {
		snprintf(err, errlen, "%s: libsodium did not start", path);
		return NULL;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > KEYS_FILE_MAX) {
		snprintf(err, errlen, "%s: not a regular file of at most %d "
		    "bytes", path, KEYS_FILE_MAX);
		goto fail;
	}
	if ((buf = sodium_malloc((size_t)st.st_size + 1)) == NULL ||
	    (ks = sodium_malloc(sizeof(*ks))) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	memset(ks, 0, sizeof(*ks));
	while (size < (size_t)st.st_size) {
		r = read(fd, buf + size, (size_t)st.st_size - size);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		size += (size_t)r;
	}
	buf[size] = '\0';
	for (s = buf; s < buf + size; s = nl + 1) {
		lineno++;
		if ((nl = memchr(s, '\n', (size_t)(buf + size - s))) == NULL)
			nl = buf + size;
		if (memchr(s, '\0', (size_t)(nl - s)) != NULL) {
			snprintf(err, errlen, "%s:%zu: a NUL byte", path,
			    lineno);
			goto fail;
		}
		if (keys_line(ks, path, lineno, s, (size_t)(nl - s), err,
		    errlen) == -1)
			goto fail;
	}
	if (ks->n == 0) {
		snprintf(err, errlen, "%s: no keys", path);
		goto fail;
	}
	sodium_free(buf);
	close(fd);
	sodium_mprotect_readonly(ks);
	return ks;
fail:
	sodium_free(buf);
	sodium_free(ks);
	if (fd != -1)
		close(fd);
	return NULL;
}

void
session_keys_free(struct session_keys *ks)
{
	sodium_free(ks);	/* wipes; NULL is fine */
}

/* HMAC-SHA-256 of a || b under k (any key length, unlike crypto_auth). */
static void
key_mac(const struct session_key *k, const void *a, size_t alen,
    const void *b, size_t blen, unsigned char out[SESSION_MAC_LEN])
{
	crypto_auth_hmacsha256_state	 st;

	crypto_auth_hmacsha256_init(&st, k->secret, k->len);
	crypto_auth_hmacsha256_update(&st, a, alen);
	crypto_auth_hmacsha256_update(&st, b, blen);
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(&st, sizeof(st));
}

int
session_keys_mac(const struct session_keys *ks, size_t i, const char *domain,
    const void *msg, size_t len, unsigned char out[SESSION_MAC_LEN])
{
	size_t	 dlen;

	if (ks == NULL || i >= ks->n || domain == NULL)
		return -1;
	dlen = strlen(domain);
	while (dlen > 0 && is_b64url(domain[dlen - 1]))
		dlen--;
	if (dlen == 0)
		return -1;	/* empty, or only a token's alphabet */
	key_mac(&ks->k[i], domain, strlen(domain), msg, len, out);
	return 0;
}

const char *
session_aud_str(enum session_aud aud)
{
	if ((unsigned int)aud >= AUD__MAX)
		return "unknown";
	return aud_names[aud];
}

int
session_aud_parse(const char *s, enum session_aud *aud)
{
	int	 i;

	for (i = 0; i < AUD__MAX; i++)
		if (strcmp(s, aud_names[i]) == 0) {
			*aud = (enum session_aud)i;
			return 0;
		}
	return -1;
}

const char *
session_err_str(enum session_err e)
{
	switch (e) {
	case SESSION_OK:
		return "ok";
	case SESSION_MALFORMED:
		return "malformed token";
	case SESSION_BAD_HEADER:
		return "bad token header";
	case SESSION_UNKNOWN_KID:
		return "unknown key id";
	case SESSION_BAD_SIGNATURE:
		return "bad signature";
	case SESSION_BAD_CLAIMS:
		return "bad claims";
	case SESSION_EXPIRED:
		return "token expired";
	case SESSION_NOT_YET:
		return "token issued in the future";
	}
	return "unknown error";
}

/* 1 when s is a NUL-terminated, non-empty string that fits size bytes. */
static int
field_ok(const char *s, size_t size)
{
	return s[0] != '\0' && memchr(s, '\0', size) != NULL;
}

int
session_issue(const struct session_keys *ks, struct session_claims *c,
    time_t now, int ttl, char *out, size_t outlen)
{
	const struct session_key	*k;
	unsigned char			 raw[16];	/* 128 bits */
	jwt_t				*jwt = NULL;
	char				*tok = NULL;
	size_t				 len;
	int				 rc = -1;

	if (outlen > 0)
		out[0] = '\0';
	if (ks == NULL || ks->n == 0 || ttl <= 0 ||
	    (unsigned int)c->aud >= AUD__MAX ||
	    !field_ok(c->sub, sizeof(c->sub)) ||
	    !field_ok(c->rgn, sizeof(c->rgn)) ||
	    !field_ok(c->role, sizeof(c->role)))
		return -1;
	k = &ks->k[0];
	c->iat = now;
	c->exp = now + ttl;
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(c->jti, sizeof(c->jti), raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);

	/* libjwt copies the key and wipes its copy in jwt_free(). */
	if (jwt_new(&jwt) != 0 ||
	    jwt_set_alg(jwt, JWT_ALG_HS256, k->secret, (int)k->len) != 0 ||
	    jwt_add_header(jwt, "kid", k->kid) != 0 ||
	    jwt_add_grant(jwt, "iss", SESSION_ISSUER) != 0 ||
	    jwt_add_grant(jwt, "aud", aud_names[c->aud]) != 0 ||
	    jwt_add_grant(jwt, "sub", c->sub) != 0 ||
	    jwt_add_grant(jwt, "rgn", c->rgn) != 0 ||
	    jwt_add_grant_int(jwt, "acct", (long)c->acct) != 0 ||
	    jwt_add_grant(jwt, "role", c->role) != 0 ||
	    jwt_add_grant_int(jwt, "sv", (long)c->sv) != 0 ||
	    jwt_add_grant_int(jwt, "iat", (long)c->iat) != 0 ||
	    jwt_add_grant_int(jwt, "exp", (long)c->exp) != 0 ||
	    jwt_add_grant(jwt, "jti", c->jti) != 0 ||
	    (tok = jwt_encode_str(jwt)) == NULL)
		goto out;
	len = strlen(tok);
	if (len > SESSION_TOKEN_MAX || len >= outlen)
		goto out;
	memcpy(out, tok, len + 1);
	rc = 0;
out:
	if (tok != NULL) {
		sodium_memzero(tok, strlen(tok));
		free(tok);
	}
	jwt_free(jwt);
	return rc;
}

/*
 * Decode the base64url segment s[0..len) and parse it as a JSON object,
 * duplicate keys refused.  *j is set on SESSION_OK only; dup is the
 * answer for a duplicate key; anything else wrong is SESSION_MALFORMED.
 */
static enum session_err
segment_json(const char *s, size_t len, enum session_err dup, json_t **j)
{
	unsigned char	 buf[SESSION_TOKEN_MAX];
	size_t		 n;
	json_error_t	 jerr;
	json_t		*v;

	if (sodium_base642bin(buf, sizeof(buf), s, len, NULL, &n, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		return SESSION_MALFORMED;
	if ((v = json_loadb((const char *)buf, n, JSON_REJECT_DUPLICATES,
	    &jerr)) == NULL)
		return json_error_code(&jerr) == json_error_duplicate_key ?
		    dup : SESSION_MALFORMED;
	if (!json_is_object(v)) {
		json_decref(v);
		return SESSION_MALFORMED;
	}
	*j = v;
	return SESSION_OK;
}

/*
 * The header, after the JSON: alg exactly "HS256", no crit, typ absent
 * or "JWT", nothing else but kid, which names one of ks.
 */
static enum session_err
check_header(const struct session_keys *ks, json_t *h,
    const struct session_key **key)
{
	const char	*name, *kid;
	json_t		*v;
	size_t		 i;

	v = json_object_get(h, "alg");
	if (!json_is_string(v) || strcmp(json_string_value(v), "HS256") != 0)
		return SESSION_BAD_HEADER;
	v = json_object_get(h, "typ");
	if (v != NULL && (!json_is_string(v) ||
	    strcmp(json_string_value(v), "JWT") != 0))
		return SESSION_BAD_HEADER;
	/* crit included: we understand no extension. */
	json_object_foreach(h, name, v)
		if (strcmp(name, "alg") != 0 && strcmp(name, "typ") != 0 &&
		    strcmp(name, "kid") != 0)
			return SESSION_BAD_HEADER;
	v = json_object_get(h, "kid");
	if (!json_is_string(v))
		return SESSION_UNKNOWN_KID;
	kid = json_string_value(v);
	for (i = 0; i < ks->n; i++)
		if (strcmp(ks->k[i].kid, kid) == 0) {
			*key = &ks->k[i];
			return SESSION_OK;
		}
	return SESSION_UNKNOWN_KID;
}

/*
 * Our HMAC over "header.payload" (tok[0..signed_len)) against the
 * decoded signature, in constant time; then libjwt's verdict on the
 * NUL-terminated tok with the same key.
 */
static enum session_err
check_signature(const struct session_key *k, const char *tok,
    size_t signed_len, const char *sig, size_t siglen)
{
	unsigned char	 mac[SESSION_MAC_LEN], got[SESSION_MAC_LEN];
	size_t		 n;
	jwt_t		*jwt = NULL;
	int		 ok;

	if (sodium_base642bin(got, sizeof(got), sig, siglen, NULL, &n, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    n != sizeof(got))
		return SESSION_BAD_SIGNATURE;
	key_mac(k, tok, signed_len, "", 0, mac);
	ok = sodium_memcmp(mac, got, sizeof(mac)) == 0;
	sodium_memzero(mac, sizeof(mac));
	if (!ok)
		return SESSION_BAD_SIGNATURE;
	/* Never a NULL key: libjwt then skips the signature. */
	ok = jwt_decode(&jwt, tok, k->secret, (int)k->len) == 0 &&
	    jwt != NULL && jwt_get_alg(jwt) == JWT_ALG_HS256;
	jwt_free(jwt);
	return ok ? SESSION_OK : SESSION_BAD_SIGNATURE;
}

/* Copy the string claim name into buf (1 to size - 1 bytes), or -1. */
static int
claim_str(json_t *p, const char *name, char *buf, size_t size)
{
	json_t	*v = json_object_get(p, name);
	size_t	 len;

	if (!json_is_string(v))
		return -1;
	len = json_string_length(v);
	if (len == 0 || len >= size)
		return -1;
	memcpy(buf, json_string_value(v), len + 1);
	return 0;
}

/* The integer claim name (a JSON integer, not a real or a string), or -1. */
static int
claim_int(json_t *p, const char *name, int64_t *out)
{
	json_t	*v = json_object_get(p, name);

	if (!json_is_integer(v))
		return -1;
	*out = json_integer_value(v);
	return 0;
}

/* exp (with leeway) and iat against now. */
static enum session_err
check_times(const struct session_claims *c, time_t now)
{
	if (c->exp <= (int64_t)now - SESSION_LEEWAY)
		return SESSION_EXPIRED;
	if (c->iat > (int64_t)now + SESSION_LEEWAY)
		return SESSION_NOT_YET;
	return SESSION_OK;
}

/* The payload's claims, in SPEC order, into *c. */
static enum session_err
check_claims(json_t *p, const struct config *cf, time_t now,
    struct session_claims *c)
{
	const char		*name;
	json_t			*v;
	char			 iss[ISS_MAX], aud[AUD_MAX];
	size_t			 i;
	enum session_err	 e;

	json_object_foreach(p, name, v) {
		for (i = 0; i < sizeof(claim_names) / sizeof(claim_names[0]);
		    i++)
			if (strcmp(name, claim_names[i]) == 0)
				break;
		if (i == sizeof(claim_names) / sizeof(claim_names[0]))
			return SESSION_BAD_CLAIMS;
	}
	if (claim_str(p, "iss", iss, sizeof(iss)) == -1 ||
	    claim_str(p, "aud", aud, sizeof(aud)) == -1 ||
	    claim_str(p, "sub", c->sub, sizeof(c->sub)) == -1 ||
	    claim_str(p, "rgn", c->rgn, sizeof(c->rgn)) == -1 ||
	    claim_str(p, "role", c->role, sizeof(c->role)) == -1 ||
	    claim_str(p, "jti", c->jti, sizeof(c->jti)) == -1 ||
	    claim_int(p, "acct", &c->acct) == -1 ||
	    claim_int(p, "sv", &c->sv) == -1 ||
	    claim_int(p, "iat", &c->iat) == -1 ||
	    claim_int(p, "exp", &c->exp) == -1)
		return SESSION_BAD_CLAIMS;
	if ((e = check_times(c, now)) != SESSION_OK)
		return e;
	/*
	 * No session outlives the configured ttl: a token claiming a longer
	 * life (or an iat before the epoch) was not issued by us as we are.
	 */
	if (c->iat < 0 || c->exp - c->iat > (int64_t)cf->session.ttl +
	    SESSION_LEEWAY)
		return SESSION_BAD_CLAIMS;
	if (strcmp(iss, SESSION_ISSUER) != 0 ||
	    session_aud_parse(aud, &c->aud) == -1 ||
	    config_region(cf, c->rgn) == NULL)
		return SESSION_BAD_CLAIMS;
	return SESSION_OK;
}

enum session_err
session_verify(const struct session_keys *ks, const struct config *cf,
    const char *token, size_t len, time_t now, struct session_claims *c)
{
	char				 tok[SESSION_TOKEN_MAX + 1];
	const struct session_key	*key = NULL;
	struct session_claims		 got;
	json_t				*h = NULL, *p = NULL;
	size_t				 i, dot[2], ndots = 0;
	enum session_err		 e;

	/* Shape, before decoding anything. */
	if (token == NULL || len == 0 || len > SESSION_TOKEN_MAX)
		return SESSION_MALFORMED;
	for (i = 0; i < len; i++) {
		if (token[i] == '.') {
			if (ndots == 2)
				return SESSION_MALFORMED;
			dot[ndots++] = i;
		} else if (!is_b64url((unsigned char)token[i]))
			return SESSION_MALFORMED;
	}
	if (ndots != 2 || dot[0] == 0 || dot[1] == dot[0] + 1 ||
	    dot[1] == len - 1)
		return SESSION_MALFORMED;
	memcpy(tok, token, len);
	tok[len] = '\0';

	memset(&got, 0, sizeof(got));
	if ((e = segment_json(tok, dot[0], SESSION_BAD_HEADER, &h)) !=
	    SESSION_OK)
		goto out;
	if ((e = check_header(ks, h, &key)) != SESSION_OK)
		goto out;
	if ((e = check_signature(key, tok, dot[1], tok + dot[1] + 1,
	    len - dot[1] - 1)) != SESSION_OK)
		goto out;
	if ((e = segment_json(tok + dot[0] + 1, dot[1] - dot[0] - 1,
	    SESSION_BAD_CLAIMS, &p)) != SESSION_OK)
		goto out;
	if ((e = check_claims(p, cf, now, &got)) != SESSION_OK)
		goto out;
	*c = got;
out:
	json_decref(h);
	json_decref(p);
	sodium_memzero(tok, sizeof(tok));
	return e;
}

/*
 * The memo: MEMO_SETS sets of MEMO_WAYS entries, the set chosen by the
 * first bytes of the hash, the oldest entry of a full set replaced.  (One
 * way was not enough: 400 sessions on 1,024 direct-mapped slots missed a
 * third of the time; eight ways miss about 1.5%.)  The hash key is random
 * per memo, or per pool once shared, so which tokens share a set or a slot
 * cannot be chosen from outside; a miss costs no more than a verification.
 */
#define MEMO_SETS	128
#define MEMO_WAYS	8
#define MEMO_HASH	crypto_generichash_BYTES	/* 32 */

struct memo_entry {
	unsigned char		 h[MEMO_HASH];
	uint64_t		 stamp;		/* 0: free; else last use */
	struct session_claims	 c;
};

struct session_memo {
	unsigned char		 key[crypto_generichash_KEYBYTES];
	uint64_t		 clock;
	const struct slots	*shared;	/* the pool's, or NULL */
	int64_t			 generation;
	struct memo_entry	 e[MEMO_SETS][MEMO_WAYS];
};

_Static_assert(SESSION_MEMO_KEYBYTES == crypto_generichash_KEYBYTES,
    "SESSION_MEMO_KEYBYTES is BLAKE2b's key size");

/* A token in the pool's slots: what a memo entry holds, and its generation. */
struct shared_token {
	struct slot_head	 head;
	unsigned char		 h[MEMO_HASH];
	int64_t			 generation;
	struct session_claims	 c;
};

#define SHARED_TOKEN_LEN	(sizeof(struct shared_token) - \
				    sizeof(struct slot_head))

struct session_memo *
session_memo_new(void)
{
	struct session_memo	*m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	crypto_generichash_keygen(m->key);
	return m;
}

void
session_memo_share(struct session_memo *m, const struct slots *shared,
    const unsigned char key[SESSION_MEMO_KEYBYTES], int64_t generation)
{
	m->shared = shared;
	m->generation = generation;
	memcpy(m->key, key, sizeof(m->key));
}

/*
 * Claims of the token hashed h that another worker verified, into *c: 1;
 * else 0, with *where the slot to keep them in.
 */
static int
shared_find(const struct session_memo *m, const unsigned char *h,
    struct session_claims *c, uint32_t *where)
{
	struct shared_token	 t;
	uint32_t		 i[SLOTS_WAYS];
	int			 j, empty = -1, stale = -1;

	if (m->shared->size < sizeof(t)) {
		*where = UINT32_MAX;
		return 0;
	}
	slots_pick(m->shared, h, MEMO_HASH, i);
	for (j = 0; j < SLOTS_WAYS; j++) {
		if (!slots_read(m->shared, i[j], &t, sizeof(t)) ||
		    t.head.len != SHARED_TOKEN_LEN) {
			empty = j;
			continue;
		}
		if (t.generation != m->generation) {
			stale = j;	/* of a generation that is over */
			continue;
		}
		if (sodium_memcmp(t.h, h, MEMO_HASH) == 0) {
			*c = t.c;
			return 1;
		}
	}
	*where = i[empty >= 0 ? empty : stale >= 0 ? stale :
	    (int)randombytes_uniform(SLOTS_WAYS)];
	return 0;
}

static void
shared_keep(const struct session_memo *m, const unsigned char *h,
    const struct session_claims *c, uint32_t where)
{
	struct shared_token	 t;

	memset(&t, 0, sizeof(t));
	t.head.len = SHARED_TOKEN_LEN;
	memcpy(t.h, h, MEMO_HASH);
	t.generation = m->generation;
	memcpy(&t.c, c, sizeof(t.c));
	slots_write(m->shared, where, &t);
}

void
session_memo_free(struct session_memo *m)
{
	if (m == NULL)
		return;
	sodium_memzero(m, sizeof(*m));
	free(m);
}

enum session_err
session_verify_memo(struct session_memo *m, const struct session_keys *ks,
    const struct config *cf, const char *token, size_t len, time_t now,
    struct session_claims *c, enum session_src *src)
{
	unsigned char		 h[MEMO_HASH];
	struct memo_entry	*set, *e, *old;
	struct session_claims	 got;
	uint64_t		 pick;
	uint32_t		 where = UINT32_MAX;
	enum session_err	 err;
	enum session_src	 dummy;
	size_t			 i;

	if (src == NULL)
		src = &dummy;
	*src = SESSION_SRC_MEMO;

	/* The shape check bounds what is hashed, as it bounds the rest. */
	if (token == NULL || len == 0 || len > SESSION_TOKEN_MAX)
		return SESSION_MALFORMED;
	crypto_generichash(h, sizeof(h), (const unsigned char *)token, len,
	    m->key, sizeof(m->key));
	memcpy(&pick, h, sizeof(pick));
	set = m->e[pick % MEMO_SETS];
	old = &set[0];
	for (i = 0; i < MEMO_WAYS; i++) {
		e = &set[i];
		if (e->stamp != 0 && sodium_memcmp(e->h, h, sizeof(h)) == 0) {
			if ((err = check_times(&e->c, now)) == SESSION_OK) {
				*c = e->c;
				e->stamp = ++m->clock;
			} else if (err == SESSION_EXPIRED)
				e->stamp = 0;
			return err;
		}
		if (e->stamp < old->stamp)
			old = e;
	}
	if (m->shared != NULL && shared_find(m, h, &got, &where)) {
		*src = SESSION_SRC_SHARED;
		if ((err = check_times(&got, now)) != SESSION_OK)
			return err;
		*c = got;
	} else {
		*src = SESSION_SRC_VERIFIED;
		if ((err = session_verify(ks, cf, token, len, now, c)) !=
		    SESSION_OK)
			return err;
		if (m->shared != NULL && where != UINT32_MAX)
			shared_keep(m, h, c, where);
	}
	memcpy(old->h, h, sizeof(h));
	old->c = *c;
	old->stamp = ++m->clock;
	return SESSION_OK;
}
