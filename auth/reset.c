/*
 * Corporate password resets (SPEC section 7).  See reset.h.
 *
 * Decisions written down here:
 *
 * - The request finds the home region in the directory, as a corporate
 *   sign-in without a region does.  A User ID the directory does not know
 *   (or whose home region has no such user any more) is "unknown": its work
 *   runs in the first configured region with the user id 0, so that it
 *   costs the same: one directory query, then one transaction of the same
 *   six statements (lock the user, invalidate, add the token, queue the
 *   mail, audit, commit), of which the three in the middle change nothing
 *   for id 0 (sql/resets.c's INSERT ... SELECT from the user's row).  A
 *   token, its hash, its link and its mail are made for an unknown User ID
 *   too, and thrown away.  Only a database outage can tell the two apart
 *   (503 from the home region's database), as at sign-in.
 *
 * - Bad input (a User ID of no valid form, a token of no valid form, a
 *   password the policy refuses) is not an attempt: no database work, no
 *   audit row.  The password is checked before the token is taken, and the
 *   one check that needs the database (not the User ID) rolls back, so a
 *   refused password leaves the link usable.
 *
 * - The confirm step hashes the new password inside its transaction,
 *   while the reset row and the user row are locked: two confirms of one
 *   link run one after the other and the second finds it used.  The lock
 *   is held for one argon2id hash, on one user's rows only.
 *
 * - A token is looked up by the SHA-256 of its text through the unique
 *   index: equal hashes are found by the database, which is no timing
 *   oracle for the token (the attacker does not control the hash).
 *
 * - After the commit the sign-in lock of the User ID is cleared in every
 *   region (a lock lives in the database of the region chosen at sign-in).
 *   A region that cannot be reached then keeps its lock until it ends: the
 *   password has changed all the same, so that is a warning, not a
 *   failure.
 *
 * - Audit rows: event "password_reset", outcome "requested" or "unknown"
 *   (request), "done" or "bad_token" (confirm; the actor of a bad token is
 *   "-": nobody is known).  No row, no change: every audit row is in the
 *   transaction it records, or fails the call.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "auth/directory.h"
#include "auth/identifier.h"
#include "auth/password.h"
#include "auth/reset.h"
#include "auth/signin.h"
#include "auth/throttle.h"
#include "fcgi/log.h"
#include "regions/config.h"
#include "regions/dbroute.h"
#include "sql/audit.h"
#include "sql/db.h"
#include "sql/resets.h"

#define TOKEN_RAW	32	/* 256 random bits */
#define TOKEN_B64	43	/* their base64url, without padding */
#define CODE_MAX	15	/* region_conf.code without its NUL */
#define BODY_MAX	2048

_Static_assert(RESET_TTL == RESETS_TTL_MIN * 60, "one TTL for C and SQL");
_Static_assert(crypto_hash_sha256_BYTES == RESETS_HASH_LEN, "SHA-256");
_Static_assert(CODE_MAX + 1 + TOKEN_B64 <= RESET_TOKEN_MAX,
    "RESET_TOKEN_MAX holds the longest token");
_Static_assert(RESET_LINK_MAX >= CONFIG_URL_MAX + sizeof("/reset?token=") +
    RESET_TOKEN_MAX, "RESET_LINK_MAX holds the longest link");

static const char	msg_bad_token[] =
	"This reset link is invalid or has expired. Request a new one.";
static const char	msg_unavailable[] =
	"The service is unavailable. Please try again later.";
static const char	msg_same_as_user_id[] =
	"the password must not be the same as the User ID";
static const char	mail_subject[] =
	"Reset your Corporate Billing Portal password";

static void
result(struct reset_result *r, enum reset_res res, const char *field,
    const char *message)
{
	r->res = res;
	r->field = field;
	r->message = message;
}

/*
 * Log a database failure (the region and the kind of error, never data)
 * and answer RESET_UNAVAILABLE.  ri -1 is the directory.
 */
static void
unavailable(const struct signin_ctx *ctx, struct reset_result *r,
    const char *what, int ri, enum db_res e)
{
	const char	*where = ri >= 0 ? ctx->cf->regions[ri].code :
	    "directory";

	if (e == DB_ERR)
		log_err("reset: %s (%s): %s", what, where, db_res_str(e));
	else
		log_warn("reset: %s (%s): %s", what, where, db_res_str(e));
	result(r, RESET_UNAVAILABLE, NULL, msg_unavailable);
}

/* The message of a bad User ID: a constant naming the field. */
static const char *
ident_message(enum ident_err e)
{
	switch (e) {
	case IDENT_EMPTY:
		return "user_id is empty";
	case IDENT_NUL:
		return "user_id contains a NUL byte";
	case IDENT_BAD_UTF8:
		return "user_id is not valid UTF-8";
	case IDENT_TOO_LONG:
		return "user_id is too long";
	case IDENT_BAD_FORM:
		return "user_id is not a User ID (a user name or an e-mail "
		    "address)";
	default:
		return "user_id could not be checked";
	}
}

static int
is_b64url(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/*
 * The region index of token t[0..len): "<code>.<43 base64url chars>"
 * with code a configured region and the 43 chars the canonical encoding
 * of 32 bytes.  -1 for anything else.
 */
static int
token_region(const struct config *cf, const char *t, size_t len)
{
	unsigned char	 raw[TOKEN_RAW];
	char		 code[CODE_MAX + 1];
	size_t		 i, clen, rawlen;
	int		 ri;

	if (t == NULL || len > RESET_TOKEN_MAX)
		return -1;
	for (clen = 0; clen < len && clen < CODE_MAX &&
	    t[clen] >= 'a' && t[clen] <= 'z'; clen++)
		code[clen] = t[clen];
	code[clen] = '\0';
	if (clen == 0 || clen == len || t[clen] != '.' ||
	    len - clen - 1 != TOKEN_B64)
		return -1;
	for (i = clen + 1; i < len; i++)
		if (!is_b64url((unsigned char)t[i]))
			return -1;
	if ((ri = config_region_index(cf, code)) < 0)
		return -1;
	/* libsodium refuses leftover bits that are not zero: canonical only. */
	if (sodium_base642bin(raw, sizeof(raw), t + clen + 1, TOKEN_B64, NULL,
	    &rawlen, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    rawlen != TOKEN_RAW)
		ri = -1;
	sodium_memzero(raw, sizeof(raw));
	return ri;
}

int
reset_token_wellformed(const struct signin_ctx *ctx, const char *token,
    size_t len)
{
	return token_region(ctx->cf, token, len) >= 0;
}

int
reset_link(const char *portal_url, const char *token, char *buf,
    size_t size)
{
	size_t	 n = strlen(portal_url);
	int	 w;

	w = snprintf(buf, size, "%s%sreset?token=%s", portal_url,
	    n > 0 && portal_url[n - 1] == '/' ? "" : "/", token);
	if (w < 0 || (size_t)w >= size) {
		if (size > 0)
			sodium_memzero(buf, size);
		return -1;
	}
	return 0;
}

/*
 * A new token of region code into tok (RESET_TOKEN_MAX + 1 bytes) and the
 * SHA-256 of its text into hash.  The caller wipes both.
 */
static void
token_new(const char *code, char tok[RESET_TOKEN_MAX + 1],
    unsigned char hash[RESETS_HASH_LEN])
{
	unsigned char	 raw[TOKEN_RAW];
	size_t		 clen = strlen(code);

	randombytes_buf(raw, sizeof(raw));
	memcpy(tok, code, clen);
	tok[clen] = '.';
	sodium_bin2base64(tok + clen + 1, TOKEN_B64 + 1, raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
	crypto_hash_sha256(hash, (const unsigned char *)tok, strlen(tok));
}

/*
 * The mail of a request into body: the link, that it is valid 30 minutes
 * and once, and that it can be ignored.  0, or -1 when it does not fit.
 */
static int
mail_body(const struct region_conf *rc, const char *user_id,
    const char *link, char *body, size_t size)
{
	int	 w;

	w = snprintf(body, size,
	    "Hello,\n"
	    "\n"
	    "We received a request to reset the password of the Corporate\n"
	    "Billing Portal User ID %s.\n"
	    "\n"
	    "To choose a new password, open this link:\n"
	    "\n"
	    "%s\n"
	    "\n"
	    "The link is valid for %d minutes and can be used only once.\n"
	    "\n"
	    "If you did not ask to reset your password, you can ignore this\n"
	    "e-mail: your password stays as it is.\n"
	    "\n"
	    "-- \n"
	    "Corporate Billing Portal, %s\n", user_id, link, RESET_TTL / 60,
	    rc->name);
	return w < 0 || (size_t)w >= size ? -1 : 0;
}

static enum db_res
audit(struct db *db, const char *actor, int64_t account_id,
    const char *outcome, const char *client_addr, const char *request_id)
{
	struct audit_entry	 e = {
		.actor = actor,
		.account_id = account_id,
		.event = "password_reset",
		.outcome = outcome,
		.client_addr = client_addr,
		.request_id = request_id,
	};

	return audit_add(db, &e);
}

/*
 * The home region of id: its index, or -1 when the directory does not know
 * it (or names a region that is not configured: logged).  DB_OK or the
 * directory's error.
 */
static enum db_res
home_region(const struct signin_ctx *ctx, const struct ident *id, int *ri)
{
	char		 code[CODE_MAX + 1];
	enum db_res	 e;

	*ri = -1;
	e = directory_lookup(ctx->dir, dbroute_directory(ctx->db), id, code,
	    sizeof(code));
	if (e == DB_NOTFOUND)
		return DB_OK;
	if (e != DB_OK)
		return e;
	if ((*ri = config_region_index(ctx->cf, code)) < 0)
		log_warn("reset: the directory names region %s, which is not "
		    "configured", code);
	return DB_OK;
}

void
reset_request(const struct signin_ctx *ctx, const char *user_id,
    size_t len, const char *client_addr, const char *request_id,
    struct reset_result *r)
{
	struct ident		 id;
	struct reset_user	 u;
	struct db		*db;
	const char		*what = "transaction";
	char			 actor[IDENT_MASK_MAX];
	char			 tok[RESET_TOKEN_MAX + 1];
	char			 link[RESET_LINK_MAX];
	char			 body[BODY_MAX];
	unsigned char		 hash[RESETS_HASH_LEN];
	enum ident_err		 ie;
	enum db_res		 e;
	int			 ri, found;

	memset(r, 0, sizeof(*r));
	/*
	 * ident_classify() trims white space around an identifier; a line
	 * break anywhere in this one is refused all the same, as the shape
	 * of a mail header injection.
	 */
	if (user_id != NULL && len <= IDENT_INPUT_MAX &&
	    (memchr(user_id, '\r', len) != NULL ||
	    memchr(user_id, '\n', len) != NULL)) {
		result(r, RESET_BAD_INPUT, "user_id",
		    "user_id contains a line break");
		return;
	}
	ie = ident_classify(user_id != NULL ? user_id : "",
	    user_id != NULL ? len : 0, IDENT_SCOPE_CORPORATE, &id);
	if (ie != IDENT_OK) {
		result(r, RESET_BAD_INPUT, "user_id", ident_message(ie));
		return;
	}
	ident_mask(id.norm, id.len, actor, sizeof(actor));
	if (sodium_init() < 0) {
		unavailable(ctx, r, "libsodium", -1, DB_ERR);
		return;
	}
	if ((e = home_region(ctx, &id, &ri)) != DB_OK) {
		unavailable(ctx, r, "directory", -1, e);
		return;
	}
	if (ri < 0)
		ri = 0;	/* unknown: the same work, in the first region */
	db = dbroute_region(ctx->db, ri);

	token_new(ctx->cf->regions[ri].code, tok, hash);
	if (reset_link(ctx->cf->regions[ri].corporate_portal_url, tok, link,
	    sizeof(link)) == -1 || mail_body(&ctx->cf->regions[ri], id.norm,
	    link, body, sizeof(body)) == -1) {
		e = DB_ERR;
		what = "mail";
		goto fail;
	}

	if ((e = db_begin(db)) != DB_OK)
		goto fail;
	e = resets_user_lock(db, id.norm, &u);
	found = e == DB_OK;
	if (e == DB_NOTFOUND) {
		u.id = 0;	/* the statements below then change nothing */
		e = DB_OK;
	}
	if (e != DB_OK ||
	    (e = resets_invalidate(db, u.id)) != DB_OK ||
	    (e = resets_add(db, u.id, hash)) != DB_OK ||
	    (e = resets_mail(db, u.id, mail_subject, body)) != DB_OK ||
	    (e = audit(db, actor, u.account_id, found ? "requested" :
	    "unknown", client_addr, request_id)) != DB_OK ||
	    (e = db_commit(db)) != DB_OK)
		goto fail;
	result(r, RESET_OK, NULL, NULL);
	goto out;
fail:
	db_rollback(db);
	unavailable(ctx, r, what, ri, e);
out:
	sodium_memzero(tok, sizeof(tok));
	sodium_memzero(hash, sizeof(hash));
	sodium_memzero(link, sizeof(link));
	sodium_memzero(body, sizeof(body));
}

/*
 * Does pw[0..len) equal user_id, ignoring ASCII case?  In time that
 * depends on the lengths only.
 */
static int
same_as_user_id(const char *pw, size_t len, const char *user_id)
{
	const unsigned char	*a = (const unsigned char *)pw;
	const unsigned char	*b = (const unsigned char *)user_id;
	unsigned int		 x, y, diff = 0;
	size_t			 i;

	if (len != strlen(user_id))
		return 0;
	for (i = 0; i < len; i++) {
		x = a[i] + 32 * ((unsigned int)(a[i] - 'A') < 26);
		y = b[i] + 32 * ((unsigned int)(b[i] - 'A') < 26);
		diff |= x ^ y;
	}
	return diff == 0;
}

/*
 * Clear the sign-in lock of User ID user_id in every region.  A failure
 * is logged: the password has changed anyway.
 */
static void
unlock_everywhere(const struct signin_ctx *ctx, const char *user_id)
{
	struct ident	 id;
	unsigned char	 key[THROTTLE_KEY_LEN];
	enum db_res	 e;
	size_t		 i;

	if (ident_classify(user_id, strlen(user_id), IDENT_SCOPE_CORPORATE,
	    &id) != IDENT_OK) {
		log_err("reset: a stored User ID is not one");
		return;
	}
	directory_hmac(ctx->dir, &id, key);
	for (i = 0; i < ctx->cf->nregions; i++)
		if ((e = throttle_reset(dbroute_region(ctx->db, (int)i),
		    key)) != DB_OK)
			log_warn("reset: sign-in lock not cleared (%s): %s",
			    ctx->cf->regions[i].code, db_res_str(e));
	sodium_memzero(key, sizeof(key));
}

void
reset_confirm(const struct signin_ctx *ctx, const char *token,
    size_t token_len, const char *password, size_t password_len,
    const char *client_addr, const char *request_id,
    struct reset_result *r)
{
	struct reset_user	 u;
	struct db		*db;
	const char		*why, *what = "transaction";
	char			 actor[IDENT_MASK_MAX];
	char			 phc[PASSWORD_HASH_MAX];
	unsigned char		 hash[RESETS_HASH_LEN];
	enum db_res		 e;
	int			 ri;

	memset(r, 0, sizeof(*r));
	if ((ri = token_region(ctx->cf, token, token_len)) < 0) {
		result(r, RESET_BAD_TOKEN, "token", msg_bad_token);
		return;
	}
	if (password == NULL)
		password_len = 0;
	if ((why = password_policy(password != NULL ? password : "",
	    password_len)) != NULL) {
		result(r, RESET_BAD_INPUT, "password", why);
		return;
	}
	db = dbroute_region(ctx->db, ri);
	crypto_hash_sha256(hash, (const unsigned char *)token, token_len);
	phc[0] = '\0';

	if ((e = db_begin(db)) != DB_OK)
		goto fail;
	if ((e = resets_take(db, hash, &u)) == DB_NOTFOUND) {
		db_rollback(db);
		what = "audit";
		if ((e = audit(db, "-", 0, "bad_token", client_addr,
		    request_id)) != DB_OK)
			goto fail;
		result(r, RESET_BAD_TOKEN, "token", msg_bad_token);
		goto out;
	}
	if (e != DB_OK)
		goto fail;
	if (same_as_user_id(password, password_len, u.user_id)) {
		db_rollback(db);	/* the link stays usable */
		result(r, RESET_BAD_INPUT, "password", msg_same_as_user_id);
		goto out;
	}
	if (password_hash(password, password_len, phc) == -1) {
		e = DB_ERR;
		what = "password hash";
		goto fail;
	}
	ident_mask(u.user_id, strlen(u.user_id), actor, sizeof(actor));
	if ((e = resets_done(db, u.id, phc)) != DB_OK ||
	    (e = audit(db, actor, u.account_id, "done", client_addr,
	    request_id)) != DB_OK ||
	    (e = db_commit(db)) != DB_OK) {
		if (e == DB_NOTFOUND)
			e = DB_ERR;	/* the row was locked: cannot be */
		goto fail;
	}
	unlock_everywhere(ctx, u.user_id);
	result(r, RESET_OK, NULL, NULL);
	goto out;
fail:
	db_rollback(db);
	unavailable(ctx, r, what, ri, e);
out:
	sodium_memzero(hash, sizeof(hash));
	sodium_memzero(phc, sizeof(phc));
}
