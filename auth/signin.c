/*
 * The sign-in core (SPEC section 4).  See signin.h for the order of checks.
 *
 * Decisions written down here:
 *
 * - Input is checked in the order of the form: region, identifier,
 *   password; the first bad field is the one reported.  The identifier is
 *   classified in the scope of the entry (SPEC section 3): account number
 *   or client ID at the Billing Center, User ID at the corporate portal.
 *   So a client ID typed at the corporate portal is a well-formed User ID
 *   that no corporate user has: "invalid" (401), like any unknown one; an
 *   account number there (or an e-mail address at the Billing Center) is
 *   no form of the scope at all: 400 naming "identifier".  Bad input is
 *   not an attempt: no throttle count, no audit row.
 *
 * - The attempt's region: the chosen one; for a corporate sign-in without
 *   a region, the home region from the directory when it knows the
 *   identifier, else the first configured region.  Its database holds the
 *   throttle row, so an unknown identifier costs the same queries up to
 *   the directory and is counted like a known one.
 *
 * - The audit row goes to the database that answered for the account (the
 *   home region, with the account id) or, when nobody was found or the
 *   identifier is locked, to the attempt's region without one.  A row that
 *   cannot be written fails the sign-in (SIGNIN_UNAVAILABLE): no session
 *   without its audit row.
 *
 * - Any database error (DB_UNAVAILABLE, or DB_ERR, which is a bug and is
 *   logged as one) is SIGNIN_UNAVAILABLE, also when the throttle cannot be
 *   read or counted (fail closed).  Only the databases this attempt needs
 *   are touched, so another region's outage changes nothing here.
 *
 * - The throttle uses the database's clock (auth/throttle.h); req->now is
 *   not read here.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "auth/directory.h"
#include "auth/identifier.h"
#include "auth/password.h"
#include "auth/signin.h"
#include "auth/throttle.h"
#include "fcgi/log.h"
#include "regions/config.h"
#include "regions/dbroute.h"
#include "sql/audit.h"
#include "sql/credentials.h"

/* One attempt's working state. */
struct attempt {
	const struct signin_ctx	*ctx;
	const struct signin_req	*req;
	struct ident		 id;
	char			 actor[IDENT_MASK_MAX];
	unsigned char		 key[THROTTLE_KEY_LEN];
	int			 region;	/* the attempt's region */
	int			 asked;		/* the directory was asked */
	int			 dir_home;	/* its answer; -1 unknown */
	int			 found;
	int			 home;		/* where the user was found */
	struct cred		 user;
};

static enum signin_res
bad_input(struct signin_result *r, const char *field, const char *msg)
{
	r->res = SIGNIN_BAD_INPUT;
	r->field = field;
	r->message = msg;
	return r->res;
}

/*
 * Log a database failure (never data: the region code and the kind of
 * error only) and answer SIGNIN_UNAVAILABLE with nothing else set.
 */
static enum signin_res
unavailable(struct attempt *a, struct signin_result *r, const char *what,
    int ri, enum db_res e)
{
	const char	*where = ri >= 0 ? a->ctx->cf->regions[ri].code :
	    "directory";

	if (e == DB_ERR)
		log_err("signin: %s (%s): %s", what, where, db_res_str(e));
	else
		log_warn("signin: %s (%s): %s", what, where, db_res_str(e));
	memset(r, 0, sizeof(*r));
	r->res = SIGNIN_UNAVAILABLE;
	r->home_region = -1;
	return r->res;
}

/* The message of a bad identifier: a constant naming the field. */
static const char *
ident_message(enum ident_err e, enum entry entry)
{
	switch (e) {
	case IDENT_EMPTY:
		return "identifier is empty";
	case IDENT_NUL:
		return "identifier contains a NUL byte";
	case IDENT_BAD_UTF8:
		return "identifier is not valid UTF-8";
	case IDENT_TOO_LONG:
		return "identifier is too long";
	case IDENT_BAD_FORM:
		return entry == ENTRY_CORPORATE ? "identifier is not a User ID "
		    "(a user name or an e-mail address)" : "identifier is not "
		    "a client ID or an account number";
	default:
		return "identifier could not be checked";
	}
}

/*
 * Region, identifier and password as SPEC sections 3 and 4 want them.
 * Sets a->region (-1 for a corporate sign-in without one) and a->id.
 * SIGNIN_DONE when all is well, else SIGNIN_BAD_INPUT in r.
 */
static enum signin_res
check_input(struct attempt *a, struct signin_result *r)
{
	const struct signin_req	*q = a->req;
	enum ident_err		 e;

	a->region = -1;
	if (q->region != NULL && q->region[0] != '\0') {
		if ((a->region = config_region_index(a->ctx->cf,
		    q->region)) < 0)
			return bad_input(r, "region",
			    "region is not a configured region");
	} else if (q->entry == ENTRY_BILLING_CENTER)
		return bad_input(r, "region", "region is required");

	e = ident_classify(q->identifier != NULL ? q->identifier : "",
	    q->identifier != NULL ? q->identifier_len : 0,
	    q->entry == ENTRY_CORPORATE ? IDENT_SCOPE_CORPORATE :
	    IDENT_SCOPE_BILLING_CENTER, &a->id);
	if (e != IDENT_OK)
		return bad_input(r, "identifier", ident_message(e, q->entry));

	if (q->password == NULL || q->password_len == 0)
		return bad_input(r, "password", "password is required");
	if (q->password_len > PASSWORD_MAX_BYTES)
		return bad_input(r, "password",
		    "password is longer than 128 bytes");
	return SIGNIN_DONE;
}

/* Ask the directory once for the home region: a->dir_home.  DB_OK or the
 * error (DB_NOTFOUND is an answer: -1). */
static enum db_res
ask_directory(struct attempt *a)
{
	char		 code[sizeof(a->ctx->cf->regions[0].code)];
	enum db_res	 e;

	a->asked = 1;
	a->dir_home = -1;
	e = directory_lookup(a->ctx->dir, dbroute_directory(a->ctx->db),
	    &a->id, code, sizeof(code));
	if (e == DB_NOTFOUND)
		return DB_OK;
	if (e == DB_OK)
		a->dir_home = config_region_index(a->ctx->cf, code);
	return e;
}

static enum cred_kind
cred_kind_of(enum ident_kind k)
{
	switch (k) {
	case IDENT_ACCOUNT_NUMBER:
		return CRED_ACCOUNT_NUMBER;
	case IDENT_CORPORATE_USER_ID:
		return CRED_CORPORATE;
	default:
		return CRED_CLIENT_ID;
	}
}

/*
 * Step 2: the user in the attempt's region, else in the home region the
 * directory names.  DB_OK (a->found says whether anybody was), or the
 * error with *ri the region (-1: the directory) that failed.
 */
static enum db_res
find_user(struct attempt *a, int *ri)
{
	enum cred_kind	 k = cred_kind_of(a->id.kind);
	enum db_res	 e;
	int		 h;

	*ri = a->region;
	e = cred_find(dbroute_region(a->ctx->db, a->region), k, a->id.norm,
	    &a->user);
	if (e == DB_OK) {
		a->found = 1;
		a->home = a->region;
		return DB_OK;
	}
	if (e != DB_NOTFOUND)
		return e;
	if (!a->asked) {
		*ri = -1;
		if ((e = ask_directory(a)) != DB_OK)
			return e;
	}
	if ((h = a->dir_home) < 0 || h == a->region)
		return DB_OK;
	*ri = h;
	e = cred_find(dbroute_region(a->ctx->db, h), k, a->id.norm, &a->user);
	if (e == DB_OK) {
		a->found = 1;
		a->home = h;
		return DB_OK;
	}
	return e == DB_NOTFOUND ? DB_OK : e;
}

/* Append the attempt's audit row to region ri's database. */
static enum db_res
audit(struct attempt *a, int ri, int64_t account_id, const char *outcome)
{
	struct audit_entry	 e = {
		.actor = a->actor,
		.account_id = account_id,
		.event = "signin",
		.outcome = outcome,
		.client_addr = a->req->client_addr,
		.request_id = a->req->request_id,
	};

	return audit_add(dbroute_region(a->ctx->db, ri), &e);
}

/* Rehash with today's parameters; a failure only costs a warning. */
static void
rehash(struct attempt *a)
{
	char		 h[PASSWORD_HASH_MAX];
	enum db_res	 e;

	if (password_hash(a->req->password, a->req->password_len, h) == -1) {
		log_warn("signin: rehash of %s failed", a->actor);
		return;
	}
	e = cred_set_hash(dbroute_region(a->ctx->db, a->home), a->user.table,
	    a->user.user_id, h);
	if (e != DB_OK)
		log_warn("signin: rehash of %s not stored: %s", a->actor,
		    db_res_str(e));
	password_wipe(h, sizeof(h));
}

/*
 * Step 4 after a verified password: the decision and what the answer and
 * the session need, copied into r.  Returns r->res.
 */
static enum signin_res
route(struct attempt *a, struct signin_result *r)
{
	const struct cred	*u = &a->user;
	struct portal_input	 in;
	enum db_res		 e;

	memset(&in, 0, sizeof(in));
	in.entry = a->req->entry;
	in.chosen_region = a->region;
	in.home_region = a->home;
	in.corporate_user_id = a->id.kind == IDENT_CORPORATE_USER_ID;
	in.billing_contact = in.corporate_user_id ||
	    strcmp(u->role, "super_admin") == 0 ||
	    strcmp(u->role, "view_pay") == 0;
	in.corporate_account = strcmp(u->account_kind, "corporate") == 0;
	in.regional_portal = strcmp(u->account_portal, "regional") == 0;
	if (portal_decide(a->ctx->cf, &in, &r->decision) == -1)
		return unavailable(a, r, "portal decision", a->home, DB_ERR);

	if ((e = audit(a, a->home, u->account_id,
	    outcome_str(r->decision.outcome))) != DB_OK)
		return unavailable(a, r, "audit", a->home, e);

	r->res = SIGNIN_DONE;
	r->home_region = a->home;
	r->account_id = u->account_id;
	(void)snprintf(r->account_number, sizeof(r->account_number), "%s",
	    u->account_number);
	(void)snprintf(r->company, sizeof(r->company), "%s", u->company);
	(void)snprintf(r->subject, sizeof(r->subject), "%c:%" PRId64,
	    u->table == CRED_CORPORATE_USERS ? 'c' : 'u', u->user_id);
	(void)snprintf(r->role, sizeof(r->role), "%s", u->role);
	r->session_version = u->session_version;
	if (r->decision.reason == REASON_NOT_BILLING_CONTACT) {
		(void)snprintf(r->admin_name, sizeof(r->admin_name), "%s",
		    u->admin_name);
		(void)snprintf(r->admin_email, sizeof(r->admin_email), "%s",
		    u->admin_email);
	}
	return r->res;
}

/*
 * Steps 1 to 4 once the input is valid.  Every way out but SIGNIN_DONE
 * leaves r empty apart from res (and retry_after), so that "unknown" and
 * "wrong password" are the same answer.
 */
static enum signin_res
attempt(struct attempt *a, struct signin_result *r)
{
	const struct signin_req	*q = a->req;
	struct db		*adb;
	enum password_res	 pr;
	enum db_res		 e;
	int			 locked, ri;

	if (a->region < 0) {
		if ((e = ask_directory(a)) != DB_OK)
			return unavailable(a, r, "directory", -1, e);
		a->region = a->dir_home >= 0 ? a->dir_home : 0;
	}
	adb = dbroute_region(a->ctx->db, a->region);
	directory_hmac(a->ctx->dir, &a->id, a->key);

	/* 1. Locked? */
	if ((e = throttle_check(adb, a->key, &locked, &r->retry_after)) !=
	    DB_OK)
		return unavailable(a, r, "throttle", a->region, e);
	if (locked) {
		if ((e = audit(a, a->region, 0, "locked")) != DB_OK)
			return unavailable(a, r, "audit", a->region, e);
		r->res = SIGNIN_LOCKED;
		return r->res;
	}

	/* 2. Find. */
	if ((e = find_user(a, &ri)) != DB_OK)
		return unavailable(a, r, "find", ri, e);

	/* 3. Verify: the same work whether or not anybody was found. */
	if (a->found) {
		pr = password_verify(a->user.password_hash, q->password,
		    q->password_len);
		if (pr == PASSWORD_ERR)
			log_err("signin: unusable password hash for %s in %s",
			    a->actor, a->ctx->cf->regions[a->home].code);
	} else
		pr = password_verify_dummy(q->password, q->password_len);
	if (pr != PASSWORD_OK) {
		if ((e = throttle_fail(adb, a->key)) != DB_OK)
			return unavailable(a, r, "throttle", a->region, e);
		ri = a->found ? a->home : a->region;
		if ((e = audit(a, ri, a->found ? a->user.account_id : 0,
		    "invalid")) != DB_OK)
			return unavailable(a, r, "audit", ri, e);
		r->res = SIGNIN_INVALID;
		return r->res;
	}

	/* 4. Route. */
	if ((e = throttle_reset(adb, a->key)) != DB_OK)
		return unavailable(a, r, "throttle", a->region, e);
	if (password_needs_rehash(a->user.password_hash))
		rehash(a);
	return route(a, r);
}

enum signin_res
signin_run(const struct signin_ctx *ctx, const struct signin_req *req,
    struct signin_result *r)
{
	struct attempt	 a;

	memset(r, 0, sizeof(*r));
	r->home_region = -1;
	memset(&a, 0, sizeof(a));
	a.ctx = ctx;
	a.req = req;
	a.home = -1;
	a.dir_home = -1;
	if (check_input(&a, r) != SIGNIN_DONE)
		return r->res;
	ident_mask(a.id.norm, a.id.len, a.actor, sizeof(a.actor));
	(void)attempt(&a, r);
	password_wipe(a.user.password_hash, sizeof(a.user.password_hash));
	return r->res;
}

/*
 * "u:ID" or "c:ID" (ID a positive decimal without a sign or leading zero,
 * at most INT64_MAX) into *t and *id.  0, or -1 for anything else.
 */
static int
parse_subject(const char *s, enum cred_table *t, int64_t *id)
{
	int64_t	 v = 0;
	size_t	 i;

	if (s == NULL || (s[0] != 'u' && s[0] != 'c') || s[1] != ':' ||
	    s[2] < '1' || s[2] > '9')
		return -1;
	for (i = 2; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9' ||
		    v > (INT64_MAX - (s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*t = s[0] == 'c' ? CRED_CORPORATE_USERS : CRED_USERS;
	*id = v;
	return 0;
}

int
signin_session_version(const struct signin_ctx *ctx, int ri,
    const char *subject, int64_t *sv, int64_t *account_id,
    int64_t *account_version)
{
	struct db	*db;
	enum cred_table	 t;
	int64_t		 id;

	if (parse_subject(subject, &t, &id) == -1)
		return DB_NOTFOUND;
	if ((db = dbroute_region(ctx->db, ri)) == NULL)
		return DB_ERR;
	return cred_session(db, t, id, sv, account_id, account_version);
}

int
signin_bump_session(const struct signin_ctx *ctx, int ri,
    const char *subject, const char *client_addr, const char *request_id)
{
	struct audit_entry	 a;
	struct db		*db;
	enum cred_table		 t;
	enum db_res		 e;
	int64_t			 id, sv, account_id = 0, version;

	if (parse_subject(subject, &t, &id) == -1 ||
	    (db = dbroute_region(ctx->db, ri)) == NULL)
		return -1;
	if ((e = cred_bump_session(db, t, id)) != DB_OK) {
		if (e != DB_NOTFOUND)
			log_warn("session bump (%s): %s",
			    ctx->cf->regions[ri].code, db_res_str(e));
		return -1;
	}
	/*
	 * The tokens are dead now, whatever follows: a missing audit row is
	 * logged, not reported as a failed logout.
	 */
	(void)cred_session(db, t, id, &sv, &account_id, &version);
	memset(&a, 0, sizeof(a));
	a.actor = subject;
	a.account_id = account_id;
	a.event = "logout";
	a.outcome = "ok";
	a.client_addr = client_addr;
	a.request_id = request_id;
	if ((e = audit_add(db, &a)) != DB_OK)
		log_err("session bump (%s): audit row lost: %s",
		    ctx->cf->regions[ri].code, db_res_str(e));
	return 0;
}
