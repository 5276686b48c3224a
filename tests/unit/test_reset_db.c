/*
 * auth/reset.c, sql/resets.c and sql/outbox.c against the demo data of a
 * running stack (BILLGW_CONF, set by scripts/dev test); without it the
 * test says so and passes.  It resets the password of one demo User ID
 * that no other test signs in with (ap@globex-eu.example) and sets it back
 * to the demo password at the end, by a reset again.
 */
#include <stdlib.h>
#include <time.h>

#include <sodium.h>

#include "auth/directory.h"
#include "auth/identifier.h"
#include "auth/password.h"
#include "auth/reset.h"
#include "auth/signin.h"
#include "auth/throttle.h"
#include "regions/config.h"
#include "regions/dbroute.h"
#include "sql/db.h"
#include "dbtest.h"
#include "t.h"

#define CORP		"Corp-Passw0rd!"
#define NEWPW		"Unit-Reset-Passw0rd!"
#define UID		"ap@globex-eu.example"
#define UNKNOWN		"nobody-reset-unit"
#define RID		"unit-reset-db"
#define BAD_TOKEN_MSG	"This reset link is invalid or has expired. " \
			"Request a new one."

static struct config	 cf;
static struct signin_ctx ctx;
static int		 US, EU, FIRST;
static char		 uid_addr[255];	/* the mail address of UID */

static struct reset_result
request(const char *uid)
{
	struct reset_result	 r;

	reset_request(&ctx, uid, strlen(uid), "127.0.0.1", RID, &r);
	return r;
}

static struct reset_result
confirm(const char *tok, const char *pw)
{
	struct reset_result	 r;

	reset_confirm(&ctx, tok, strlen(tok), pw, strlen(pw), "127.0.0.1",
	    RID, &r);
	return r;
}

static enum signin_res
sign_in(const char *region, const char *uid, const char *pw)
{
	struct signin_result	 r;
	struct signin_req	 q = {
		.entry = ENTRY_CORPORATE,
		.region = region,
		.identifier = uid,
		.identifier_len = strlen(uid),
		.password = pw,
		.password_len = strlen(pw),
		.client_addr = "127.0.0.1",
		.request_id = RID,
		.now = time(NULL),
	};

	return signin_run(&ctx, &q, &r);
}

/* One integer of a query with one text parameter, in region ri; -1. */
static long long
one_int(int ri, const char *sql, const char *param)
{
	struct db_result	*res;
	struct db_val		 p = param != NULL ? DB_STR(param) : DB_NULLV;
	long long		 v = -1;

	if (db_query_row(dbroute_region(ctx.db, ri), sql, &p,
	    param != NULL ? 1 : 0, &res) != DB_OK)
		return -1;
	if (DB_CELL(res, 0, 0)->type == DB_T_INT64)
		v = DB_CELL(res, 0, 0)->i;
	db_result_free(res);
	return v;
}

static long long
mails_to(int ri, const char *addr)
{
	return one_int(ri, "SELECT COUNT(*) FROM outbox WHERE to_addr = ?",
	    addr);
}

/*
 * The token of the newest mail to addr in region ri into tok; the mail's
 * subject must be the reset one and the body must say the rest.  0 or -1.
 */
static int
last_token(int ri, const char *addr, char tok[RESET_TOKEN_MAX + 1])
{
	struct db_result	*res;
	struct db_val		 p = DB_STR(addr);
	const char		*body, *t;
	char			 link[RESET_LINK_MAX];
	size_t			 n;
	int			 rc = -1;

	if (db_query_row(dbroute_region(ctx.db, ri), "SELECT subject, body"
	    " FROM outbox WHERE to_addr = ? ORDER BY id DESC LIMIT 1", &p, 1,
	    &res) != DB_OK)
		return -1;
	CHECK_STR(DB_CELL(res, 0, 0)->s,
	    "Reset your Corporate Billing Portal password");
	body = DB_CELL(res, 0, 1)->s;
	CHECK(strstr(body, "30 minutes") != NULL);
	CHECK(strstr(body, "only once") != NULL);
	CHECK(strstr(body, "ignore this") != NULL);
	if ((t = strstr(body, "reset?token=")) != NULL) {
		t += strlen("reset?token=");
		n = strcspn(t, "\n");
		if (n <= RESET_TOKEN_MAX) {
			memcpy(tok, t, n);
			tok[n] = '\0';
			rc = 0;
			/* The link is the region's portal URL, and its line. */
			CHECK(reset_link(cf.regions[ri].corporate_portal_url,
			    tok, link, sizeof(link)) == 0);
			CHECK(strstr(body, link) != NULL);
		}
	}
	db_result_free(res);
	return rc;
}

/* Run sql with the SHA-256 of tok as its one parameter, in region ri. */
static void
on_token(int ri, const char *tok, const char *sql)
{
	unsigned char		 h[crypto_hash_sha256_BYTES];
	struct db_val		 p;

	crypto_hash_sha256(h, (const unsigned char *)tok, strlen(tok));
	p = DB_BLOB(h, sizeof(h));
	CHECK(db_exec(dbroute_region(ctx.db, ri), sql, &p, 1, NULL) == DB_OK);
}

/* The e-mail address of UID into uid_addr.  0 or -1. */
static int
user_addr(void)
{
	struct db_result	*res;
	struct db_val		 p = DB_STR(UID);

	if (db_query_row(dbroute_region(ctx.db, EU), "SELECT email FROM"
	    " corporate_users WHERE user_id = ?", &p, 1, &res) != DB_OK)
		return -1;
	snprintf(uid_addr, sizeof(uid_addr), "%s", DB_CELL(res, 0, 0)->s);
	db_result_free(res);
	return 0;
}

static long long
session_version(void)
{
	return one_int(EU, "SELECT session_version FROM corporate_users"
	    " WHERE user_id = ?", UID);
}

static void
an_unknown_user_id_gets_the_same_answer_and_no_mail(void)
{
	struct reset_result	 a, b;
	long long		 before;

	before = one_int(FIRST, "SELECT COUNT(*) FROM outbox", NULL);
	a = request(UNKNOWN);
	b = request("  " UID "  ");
	CHECK(a.res == RESET_OK);
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	CHECK(one_int(FIRST, "SELECT COUNT(*) FROM outbox", NULL) ==
	    before + (FIRST == EU ? 1 : 0));
	CHECK(one_int(FIRST, "SELECT COUNT(*) FROM audit_log WHERE"
	    " request_id = '" RID "' AND event = 'password_reset' AND"
	    " outcome = 'unknown' AND actor = ?", "no***") >= 1);
}

/* The statements a session of region ri has run (server's count). */
static long long
questions(int ri)
{
	struct db_result	*res;
	long long		 v = -1;

	if (db_query_row(dbroute_region(ctx.db, ri), "SELECT VARIABLE_VALUE"
	    " FROM information_schema.SESSION_STATUS"
	    " WHERE VARIABLE_NAME = 'QUESTIONS'", NULL, 0, &res) != DB_OK)
		return -1;
	v = strtoll(DB_CELL(res, 0, 0)->s, NULL, 10);
	db_result_free(res);
	return v;
}

static void
an_unknown_user_id_costs_the_same_statements_as_a_known_one(void)
{
	long long	 q0, q1, known, unknown;

	/* Both statement caches warm first: prepares are not requests. */
	CHECK(request(UID).res == RESET_OK);
	CHECK(request(UNKNOWN).res == RESET_OK);
	q0 = questions(EU);
	CHECK(request(UID).res == RESET_OK);
	q1 = questions(EU);
	known = q1 - q0;
	q0 = questions(FIRST);
	CHECK(request(UNKNOWN).res == RESET_OK);
	q1 = questions(FIRST);
	unknown = q1 - q0;
	CHECK(known > 1);
	CHECK(known == unknown);
	if (known != unknown)
		fprintf(stderr, "    known %lld, unknown %lld\n", known,
		    unknown);
}

static void
a_request_queues_one_mail_and_stores_only_the_hash(void)
{
	char		 tok[RESET_TOKEN_MAX + 1];
	long long	 before = mails_to(EU, uid_addr);

	CHECK(request(UID).res == RESET_OK);
	CHECK(mails_to(EU, uid_addr) == before + 1);
	CHECK(last_token(EU, uid_addr, tok) == 0);
	CHECK(strncmp(tok, "eu.", 3) == 0 && strlen(tok) == 3 + 43);
	CHECK(reset_token_wellformed(&ctx, tok, strlen(tok)));
	/* Only its SHA-256 is in the table, valid 30 minutes. */
	CHECK(one_int(EU, "SELECT COUNT(*) FROM password_resets"
	    " WHERE token_hash = ?", tok) == 0);
	{
		unsigned char		 h[crypto_hash_sha256_BYTES];
		struct db_val		 p;
		struct db_result	*res = NULL;

		crypto_hash_sha256(h, (const unsigned char *)tok, strlen(tok));
		p = DB_BLOB(h, sizeof(h));
		CHECK(db_query_row(dbroute_region(ctx.db, EU),
		    "SELECT TIMESTAMPDIFF(SECOND, NOW(), expires_at),"
		    " used_at IS NULL FROM password_resets"
		    " WHERE token_hash = ?", &p, 1, &res) == DB_OK);
		if (res == NULL)
			return;
		CHECK(DB_CELL(res, 0, 0)->i > RESET_TTL - 60 &&
		    DB_CELL(res, 0, 0)->i <= RESET_TTL);
		CHECK(DB_CELL(res, 0, 1)->i == 1);
		db_result_free(res);
	}
	CHECK(one_int(EU, "SELECT COUNT(*) FROM audit_log WHERE"
	    " request_id = '" RID "' AND event = 'password_reset' AND"
	    " outcome = 'requested' AND actor = ?", "ap***") >= 1);
}

static void
a_new_request_invalidates_the_older_token(void)
{
	char	 old[RESET_TOKEN_MAX + 1], cur[RESET_TOKEN_MAX + 1];

	CHECK(request(UID).res == RESET_OK);
	CHECK(last_token(EU, uid_addr, old) == 0);
	CHECK(request(UID).res == RESET_OK);
	CHECK(last_token(EU, uid_addr, cur) == 0);
	CHECK(strcmp(old, cur) != 0);
	CHECK(confirm(old, NEWPW).res == RESET_BAD_TOKEN);
	CHECK(sign_in("eu", UID, CORP) == SIGNIN_DONE);
}

static void
made_up_expired_and_other_region_tokens_are_bad_tokens(void)
{
	struct reset_result	 r;
	char			 tok[RESET_TOKEN_MAX + 1];
	char			 moved[RESET_TOKEN_MAX + 8];

	CHECK(request(UID).res == RESET_OK);
	CHECK(last_token(EU, uid_addr, tok) == 0);
	/* The same random part under another region's prefix. */
	snprintf(moved, sizeof(moved), "us%s", tok + 2);
	r = confirm(moved, NEWPW);
	CHECK(r.res == RESET_BAD_TOKEN);
	CHECK_STR(r.field, "token");
	CHECK_STR(r.message, BAD_TOKEN_MSG);
	/* Made up, of a valid form. */
	memset(moved, 0, sizeof(moved));
	memcpy(moved, "eu.", 3);
	memset(moved + 3, 'x', 42);
	moved[3 + 42] = 'A';
	CHECK(reset_token_wellformed(&ctx, moved, strlen(moved)));
	CHECK(confirm(moved, NEWPW).res == RESET_BAD_TOKEN);
	/* Expired a second ago. */
	on_token(EU, tok, "UPDATE password_resets SET expires_at = NOW() -"
	    " INTERVAL 1 SECOND WHERE token_hash = ?");
	CHECK(confirm(tok, NEWPW).res == RESET_BAD_TOKEN);
	CHECK(sign_in("eu", UID, CORP) == SIGNIN_DONE);
	CHECK(one_int(EU, "SELECT COUNT(*) FROM audit_log WHERE"
	    " request_id = ? AND outcome = 'bad_token'", RID) >= 2);
}

static void
a_locked_user_id_resets_and_the_link_survives_a_refused_password(void)
{
	struct reset_result	 r;
	char			 tok[RESET_TOKEN_MAX + 1];
	long long		 sv0, sv1;
	int			 i;

	/* Lock the User ID where it signs in from: us and its home. */
	for (i = 0; i < THROTTLE_MAX_FAILURES; i++) {
		(void)sign_in("us", UID, "wrong password");
		(void)sign_in("eu", UID, "wrong password");
	}
	CHECK(sign_in("us", UID, CORP) == SIGNIN_LOCKED);
	CHECK(sign_in("eu", UID, CORP) == SIGNIN_LOCKED);

	/* A locked User ID can still reset. */
	CHECK(request(UID).res == RESET_OK);
	CHECK(last_token(EU, uid_addr, tok) == 0);
	r = confirm(tok, "AP@Globex-EU.example");
	CHECK(r.res == RESET_BAD_INPUT);
	CHECK_STR(r.field, "password");
	CHECK(r.message != NULL && strstr(r.message, "User ID") != NULL);
	r = confirm(tok, "short");
	CHECK(r.res == RESET_BAD_INPUT);
	CHECK_STR(r.field, "password");

	sv0 = session_version();
	r = confirm(tok, NEWPW);
	CHECK(r.res == RESET_OK);
	sv1 = session_version();
	CHECK(sv1 == sv0 + 1);
	/* Unlocked everywhere; the old password fails, the new one works. */
	CHECK(sign_in("us", UID, CORP) == SIGNIN_INVALID);
	CHECK(sign_in("eu", UID, NEWPW) == SIGNIN_DONE);
	CHECK(sign_in(NULL, UID, NEWPW) == SIGNIN_DONE);
	/* Used: once only. */
	CHECK(confirm(tok, CORP "x").res == RESET_BAD_TOKEN);
	CHECK(one_int(EU, "SELECT COUNT(*) FROM audit_log WHERE"
	    " request_id = ? AND outcome = 'done'", RID) >= 1);

	/* Back to the demo password, by a reset again. */
	CHECK(request(UID).res == RESET_OK);
	CHECK(last_token(EU, uid_addr, tok) == 0);
	CHECK(confirm(tok, CORP).res == RESET_OK);
	CHECK(sign_in("eu", UID, CORP) == SIGNIN_DONE);
	CHECK(sign_in("us", UID, CORP) == SIGNIN_DONE);	/* clears us */
}

static void
a_region_that_is_down_is_unavailable(void)
{
	struct signin_ctx	 saved = ctx, down = ctx;
	struct config		*c2;
	char			 tok[RESET_TOKEN_MAX + 1];

	if ((c2 = malloc(sizeof(*c2))) == NULL)
		return;
	*c2 = cf;
	(void)snprintf(c2->regions[EU].dsn, sizeof(c2->regions[EU].dsn),
	    "mysql://billgw@localhost/billgw_eu?socket=/nonexistent/m.sock");
	down.cf = c2;
	down.db = dbroute_new(c2);
	CHECK(request(UID).res == RESET_OK);
	CHECK(last_token(EU, uid_addr, tok) == 0);
	ctx = down;
	CHECK(request(UID).res == RESET_UNAVAILABLE);
	CHECK(confirm(tok, NEWPW).res == RESET_UNAVAILABLE);
	if (FIRST != EU)
		CHECK(request(UNKNOWN).res == RESET_OK);
	ctx = saved;
	dbroute_free(down.db);
	free(c2);
	/* Nothing was consumed: a new request kills the token instead. */
	CHECK(request(UID).res == RESET_OK);
	CHECK(confirm(tok, NEWPW).res == RESET_BAD_TOKEN);
}

int
main(void)
{
	char		 err[512];

	dbtest_load(&cf);
	if (password_init() == -1 || ident_init() == -1) {
		fprintf(stderr, "set-up: cannot initialise passwords or "
		    "identifiers\n");
		return 1;
	}
	US = config_region_index(&cf, "us");
	EU = config_region_index(&cf, "eu");
	FIRST = 0;
	ctx.cf = &cf;
	ctx.db = dbroute_new(&cf);
	ctx.dir = directory_new(cf.directory.key_file, err, sizeof(err));
	if (US < 0 || EU < 0 || ctx.db == NULL || ctx.dir == NULL) {
		fprintf(stderr, "set-up: the demo regions and keys: %s\n", err);
		return 1;
	}
	if (user_addr() == -1) {
		fprintf(stderr, "set-up: no demo User ID " UID "\n");
		return 1;
	}

	RUN(an_unknown_user_id_gets_the_same_answer_and_no_mail);
	RUN(an_unknown_user_id_costs_the_same_statements_as_a_known_one);
	RUN(a_request_queues_one_mail_and_stores_only_the_hash);
	RUN(a_new_request_invalidates_the_older_token);
	RUN(made_up_expired_and_other_region_tokens_are_bad_tokens);
	RUN(a_locked_user_id_resets_and_the_link_survives_a_refused_password);
	RUN(a_region_that_is_down_is_unavailable);

	dbroute_free(ctx.db);
	directory_free(ctx.dir);
	return DONE();
}
