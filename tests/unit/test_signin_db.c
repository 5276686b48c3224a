/*
 * auth/signin.c, auth/throttle.c, sql/credentials.c and sql/audit.c against
 * the demo data of a running stack (BILLGW_CONF, set by scripts/dev test);
 * without it the test fails.  Attempts that change state
 * (locks, a rehash, a session bump) use apac's demo users and identifiers
 * of the test's own, and undo what they leave behind.
 */
#include <stdlib.h>
#include <time.h>

#include <sodium.h>

#include "auth/directory.h"
#include "auth/identifier.h"
#include "auth/password.h"
#include "auth/signin.h"
#include "auth/throttle.h"
#include "regions/config.h"
#include "regions/dbroute.h"
#include "sql/db.h"
#include "dbtest.h"
#include "t.h"

#define DEMO	"Demo-Passw0rd!"
#define CORP	"Corp-Passw0rd!"

static struct config	 cf;
static struct signin_ctx ctx;
static int		 US, CA, APAC;

static struct signin_result
run(enum entry e, const char *region, const char *ident, const char *pw)
{
	struct signin_result	 r;
	struct signin_req	 q = {
		.entry = e,
		.region = region,
		.identifier = ident,
		.identifier_len = strlen(ident),
		.password = pw,
		.password_len = strlen(pw),
		.client_addr = "127.0.0.1",
		.request_id = "unit-signin-db",
		.now = time(NULL),
	};

	signin_run(&ctx, &q, &r);
	return r;
}

#define BC(reg, id, pw)		run(ENTRY_BILLING_CENTER, (reg), (id), (pw))
#define CORPORATE(reg, id, pw)	run(ENTRY_CORPORATE, (reg), (id), (pw))

/* Run sql with the throttle key of ident as its one parameter. */
static void
on_key(const char *ident, enum ident_scope sc, int ri, const char *sql)
{
	struct ident		 id;
	unsigned char		 k[THROTTLE_KEY_LEN];
	struct db_val		 p;

	CHECK(ident_classify(ident, strlen(ident), sc, &id) == IDENT_OK);
	directory_hmac(ctx.dir, &id, k);
	p = DB_BLOB(k, sizeof(k));
	CHECK(db_exec(dbroute_region(ctx.db, ri), sql, &p, 1, NULL) == DB_OK);
}

static const char	sql_forget[] =
	"DELETE FROM signin_throttle WHERE key_hash = ?";

static void
bad_input_names_the_field_before_any_database_work(void)
{
	struct signin_result	 r;
	char			 big[PASSWORD_MAX_BYTES + 2];

	r = BC("xx", "acme-us", DEMO);
	CHECK(r.res == SIGNIN_BAD_INPUT);
	CHECK_STR(r.field, "region");
	r = BC("us\n", "acme-us", DEMO);
	CHECK_STR(r.field, "region");
	r = BC(NULL, "acme-us", DEMO);
	CHECK_STR(r.field, "region");
	r = BC("us", " \t", DEMO);
	CHECK_STR(r.field, "identifier");
	r = BC("us", "' OR 1=1 --", DEMO);
	CHECK_STR(r.field, "identifier");
	r = BC("us", "ap@globex-us.example", CORP);
	CHECK_STR(r.field, "identifier");
	r = CORPORATE(NULL, "10014561", CORP);
	CHECK_STR(r.field, "identifier");
	r = BC("us", "acme-us", "");
	CHECK_STR(r.field, "password");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	r = BC("us", "acme-us", big);
	CHECK(r.res == SIGNIN_BAD_INPUT);
	CHECK_STR(r.field, "password");
}

/* Every field of two results is equal (all but res zero for INVALID). */
static int
same(const struct signin_result *a, const struct signin_result *b)
{
	return a->res == b->res && a->field == b->field &&
	    a->message == b->message && a->retry_after == b->retry_after &&
	    a->home_region == b->home_region &&
	    a->account_id == b->account_id &&
	    a->session_version == b->session_version &&
	    memcmp(&a->decision, &b->decision, sizeof(a->decision)) == 0 &&
	    strcmp(a->account_number, b->account_number) == 0 &&
	    strcmp(a->company, b->company) == 0 &&
	    strcmp(a->subject, b->subject) == 0 &&
	    strcmp(a->role, b->role) == 0 &&
	    strcmp(a->admin_name, b->admin_name) == 0 &&
	    strcmp(a->admin_email, b->admin_email) == 0;
}

static void
a_wrong_password_and_an_unknown_identifier_give_the_same_result(void)
{
	struct signin_result	 a, b, c;

	a = BC("us", "hooli-us", "not the password");
	b = BC("us", "nobody-at-all", DEMO);
	c = CORPORATE("us", "acme-us", DEMO);	/* a client ID: no User ID */
	CHECK(a.res == SIGNIN_INVALID);
	CHECK(same(&a, &b));
	CHECK(same(&a, &c));
	on_key("hooli-us", IDENT_SCOPE_BILLING_CENTER, US, sql_forget);
	on_key("nobody-at-all", IDENT_SCOPE_BILLING_CENTER, US, sql_forget);
	on_key("acme-us", IDENT_SCOPE_CORPORATE, US, sql_forget);
}

static void
the_eleventh_attempt_is_locked_even_with_the_right_password(void)
{
	struct signin_result	 r;
	int			 i;

	for (i = 0; i < THROTTLE_MAX_FAILURES; i++)
		CHECK(BC("apac", "umbrella-apac", "wrong").res ==
		    SIGNIN_INVALID);
	r = BC("apac", "umbrella-apac", DEMO);
	CHECK(r.res == SIGNIN_LOCKED);
	CHECK(r.retry_after > 60 * (THROTTLE_LOCK_MIN - 1) &&
	    r.retry_after <= 60 * THROTTLE_LOCK_MIN);
	/* The lock ends when locked_until is in the past. */
	on_key("umbrella-apac", IDENT_SCOPE_BILLING_CENTER, APAC,
	    "UPDATE signin_throttle SET locked_until = NOW() - INTERVAL 1"
	    " SECOND WHERE key_hash = ?");
	CHECK(BC("apac", "umbrella-apac", DEMO).res == SIGNIN_DONE);
	/* ...and the success forgot the failures. */
	for (i = 0; i < THROTTLE_MAX_FAILURES - 1; i++)
		(void)BC("apac", "umbrella-apac", "wrong");
	CHECK(BC("apac", "umbrella-apac", DEMO).res == SIGNIN_DONE);
}

static void
an_unknown_identifier_is_locked_like_a_known_one(void)
{
	int	 i;

	for (i = 0; i < THROTTLE_MAX_FAILURES; i++)
		CHECK(BC("apac", "t-signin-ghost", "x").res == SIGNIN_INVALID);
	CHECK(BC("apac", "t-signin-ghost", "x").res == SIGNIN_LOCKED);
	/* Per region: the same identifier elsewhere is not locked. */
	CHECK(BC("ca", "t-signin-ghost", "x").res == SIGNIN_INVALID);
	on_key("t-signin-ghost", IDENT_SCOPE_BILLING_CENTER, CA, sql_forget);
	/* An expired lock and window: the count starts again at 1. */
	on_key("t-signin-ghost", IDENT_SCOPE_BILLING_CENTER, APAC,
	    "UPDATE signin_throttle SET locked_until = locked_until -"
	    " INTERVAL 31 MINUTE, first_failure_at = first_failure_at -"
	    " INTERVAL 31 MINUTE WHERE key_hash = ?");
	for (i = 0; i < THROTTLE_MAX_FAILURES; i++)
		CHECK(BC("apac", "t-signin-ghost", "x").res == SIGNIN_INVALID);
	CHECK(BC("apac", "t-signin-ghost", "x").res == SIGNIN_LOCKED);
	on_key("t-signin-ghost", IDENT_SCOPE_BILLING_CENTER, APAC, sql_forget);
}

static void
a_window_past_its_end_starts_the_count_again(void)
{
	int	 i;

	for (i = 0; i < THROTTLE_MAX_FAILURES - 1; i++)
		(void)BC("apac", "t-signin-window", "x");
	on_key("t-signin-window", IDENT_SCOPE_BILLING_CENTER, APAC,
	    "UPDATE signin_throttle SET first_failure_at = first_failure_at -"
	    " INTERVAL 31 MINUTE WHERE key_hash = ?");
	for (i = 0; i < THROTTLE_MAX_FAILURES - 1; i++)
		(void)BC("apac", "t-signin-window", "x");
	CHECK(BC("apac", "t-signin-window", "x").res == SIGNIN_INVALID);
	CHECK(BC("apac", "t-signin-window", "x").res == SIGNIN_LOCKED);
	on_key("t-signin-window", IDENT_SCOPE_BILLING_CENTER, APAC,
	    sql_forget);
}

static void
a_region_that_is_down_is_unavailable_and_the_others_still_serve(void)
{
	struct signin_ctx	 saved = ctx, down = ctx;
	struct config		*c2;

	if ((c2 = malloc(sizeof(*c2))) == NULL)
		return;
	*c2 = cf;
	(void)snprintf(c2->regions[CA].dsn, sizeof(c2->regions[CA].dsn),
	    "mysql://billgw@localhost/billgw_ca?socket=/nonexistent/m.sock");
	down.cf = c2;
	down.db = dbroute_new(c2);
	ctx = down;
	CHECK(BC("ca", "acme-ca", DEMO).res == SIGNIN_UNAVAILABLE);
	CHECK(BC("us", "acme-ca", DEMO).res == SIGNIN_UNAVAILABLE);
	CHECK(BC("us", "acme-us", DEMO).res == SIGNIN_DONE);
	CHECK(CORPORATE(NULL, "globex-ap-us", CORP).res == SIGNIN_DONE);
	ctx = saved;
	dbroute_free(down.db);
	free(c2);
}

static void
a_client_id_signs_in_trimmed_and_in_any_case(void)
{
	struct signin_result	 r;

	r = BC("us", "  ACME-Us\t", DEMO);
	CHECK(r.res == SIGNIN_DONE);
	CHECK(r.decision.outcome == OUTCOME_SIGNED_IN);
	CHECK(r.decision.portal == PORTAL_BILLING_CENTER);
	CHECK(r.decision.status == 200);
	CHECK_STR(r.decision.location, cf.regions[US].billing_center_url);
	CHECK(r.home_region == US);
	CHECK_STR(r.account_number, "10014561");
	CHECK_STR(r.company, "Acme Corp");
	CHECK_STR(r.role, "super_admin");
	CHECK(strncmp(r.subject, "u:", 2) == 0);
	CHECK(r.session_version >= 1);
}

static void
an_account_number_signs_in_as_the_main_billing_contact(void)
{
	struct signin_result	 a, b;

	a = BC("us", "10014561", DEMO);
	b = BC("us", "acme-us", DEMO);
	CHECK(a.res == SIGNIN_DONE);
	CHECK_STR(a.subject, b.subject);
	CHECK_STR(a.decision.location, cf.regions[US].billing_center_url);
}

static void
a_member_is_sent_to_the_profile_with_the_main_contact(void)
{
	struct signin_result	 r;

	r = BC("us", "acme-member-us", DEMO);
	CHECK(r.res == SIGNIN_DONE);
	CHECK(r.decision.outcome == OUTCOME_WRONG_PLACE);
	CHECK(r.decision.reason == REASON_NOT_BILLING_CONTACT);
	CHECK(r.decision.status == 403);
	CHECK_STR(r.decision.location, cf.regions[US].profile_url);
	CHECK(r.admin_name[0] != '\0');
	CHECK(strchr(r.admin_email, '@') != NULL);
}

static void
a_corporate_account_at_the_billing_center_is_sent_to_the_corporate_login(void)
{
	struct signin_result	 r;
	char			 want[300];

	r = BC("us", "globex-us", DEMO);
	CHECK(r.res == SIGNIN_DONE);
	CHECK(r.decision.reason == REASON_CORPORATE_ACCOUNT);
	CHECK(r.decision.status == 403);
	(void)snprintf(want, sizeof(want), "%slogin",
	    cf.regions[US].corporate_portal_url);
	CHECK_STR(r.decision.location, want);
}

static void
a_contact_of_another_region_is_verified_there_and_sent_home(void)
{
	struct signin_result	 r;

	r = BC("us", "acme-ca", DEMO);
	CHECK(r.res == SIGNIN_DONE);
	CHECK(r.decision.outcome == OUTCOME_WRONG_REGION);
	CHECK(r.decision.status == 200);
	CHECK(r.home_region == CA);
	CHECK(r.decision.region == CA);
	CHECK_STR(r.account_number, "10024561");
	CHECK_STR(r.decision.location, cf.regions[CA].billing_center_url);
	CHECK(BC("us", "acme-ca", "wrong").res == SIGNIN_INVALID);
	on_key("acme-ca", IDENT_SCOPE_BILLING_CENTER, US, sql_forget);
}

static void
an_account_on_the_regional_portal_signs_in_there(void)
{
	struct signin_result	 r;

	r = BC("us", "10014563", DEMO);
	CHECK(r.res == SIGNIN_DONE);
	CHECK(r.decision.outcome == OUTCOME_SIGNED_IN);
	CHECK(r.decision.portal == PORTAL_REGIONAL);
	CHECK_STR(r.decision.location, cf.regions[US].regional_portal_url);
}

static void
a_corporate_user_id_signs_in_by_user_name_or_e_mail_with_or_without_region(void)
{
	struct signin_result	 a, b, c;

	a = CORPORATE("us", "globex-ap-us", CORP);
	b = CORPORATE(NULL, "AP@Globex-US.example", CORP);
	c = CORPORATE("", "globex-ap-ca", CORP);
	CHECK(a.res == SIGNIN_DONE && b.res == SIGNIN_DONE &&
	    c.res == SIGNIN_DONE);
	CHECK(a.decision.portal == PORTAL_CORPORATE);
	CHECK(a.decision.outcome == OUTCOME_SIGNED_IN);
	CHECK(b.decision.outcome == OUTCOME_SIGNED_IN);
	CHECK_STR(a.decision.location, cf.regions[US].corporate_portal_url);
	CHECK_STR(a.role, "corporate");
	CHECK(strncmp(a.subject, "c:", 2) == 0);
	CHECK(c.decision.outcome == OUTCOME_SIGNED_IN);
	CHECK(c.home_region == CA);
}

static void
an_old_hash_is_replaced_on_sign_in(void)
{
	char			 weak[crypto_pwhash_STRBYTES];
	struct db_val		 p[2];
	struct db_result	*res;
	struct db		*db = dbroute_region(ctx.db, APAC);

	CHECK(crypto_pwhash_str(weak, DEMO, strlen(DEMO), 1, 8192) == 0);
	CHECK(password_needs_rehash(weak));
	p[0] = DB_STR(weak);
	p[1] = DB_STR("hooli-apac");
	CHECK(db_exec(db, "UPDATE users SET password_hash = ?"
	    " WHERE client_id = ?", p, 2, NULL) == DB_OK);
	CHECK(BC("apac", "hooli-apac", DEMO).res == SIGNIN_DONE);
	CHECK(db_query_row(db, "SELECT password_hash FROM users"
	    " WHERE client_id = ?", &p[1], 1, &res) == DB_OK);
	CHECK(!password_needs_rehash(DB_CELL(res, 0, 0)->s));
	db_result_free(res);
	CHECK(BC("apac", "hooli-apac", DEMO).res == SIGNIN_DONE);
}

static void
a_session_bump_kills_the_version_and_is_audited(void)
{
	struct signin_result	 r;
	struct db_result	*res;
	struct db_val		 p = DB_STR("unit-bump");
	int64_t			 sv0 = 0, sv1 = 0, acct = 0, ver = 0;

	CHECK(signin_session_version(&ctx, APAC, "u:0", &sv0, &acct, &ver) ==
	    DB_NOTFOUND);
	CHECK(signin_session_version(&ctx, APAC, "x:1", &sv0, &acct, &ver) ==
	    DB_NOTFOUND);
	CHECK(signin_session_version(&ctx, APAC, "u:99999999999999999999",
	    &sv0, &acct, &ver) == DB_NOTFOUND);
	CHECK(signin_bump_session(&ctx, APAC, "u:999999999", NULL, NULL) ==
	    -1);
	r = CORPORATE("apac", "globex-ap-apac", CORP);
	CHECK(signin_session_version(&ctx, APAC, r.subject, &sv0, &acct,
	    &ver) == DB_OK);
	CHECK(sv0 == r.session_version);
	CHECK(acct == r.account_id);
	CHECK(ver >= 1);
	CHECK(signin_bump_session(&ctx, APAC, r.subject, "::1", "unit-bump")
	    == 0);
	CHECK(signin_session_version(&ctx, APAC, r.subject, &sv1, &acct,
	    &ver) == DB_OK);
	CHECK(sv1 == sv0 + 1);
	CHECK(db_query(dbroute_region(ctx.db, APAC), "SELECT event, outcome,"
	    " account_id FROM audit_log WHERE request_id = ?", &p, 1, &res) ==
	    DB_OK);
	CHECK(res->nrows >= 1);
	if (res->nrows >= 1) {
		CHECK_STR(DB_CELL(res, 0, 0)->s, "logout");
		CHECK(DB_CELL(res, 0, 2)->i == r.account_id);
	}
	db_result_free(res);
}

static void
every_attempt_leaves_an_audit_row_with_a_masked_actor(void)
{
	struct db_result	*res;
	struct db_val		 p = DB_STR("unit-signin-db");

	CHECK(db_query(dbroute_region(ctx.db, US), "SELECT actor, outcome"
	    " FROM audit_log WHERE request_id = ? AND actor LIKE 'ac%'"
	    " ORDER BY id", &p, 1, &res) == DB_OK);
	CHECK(res->nrows >= 3);
	if (res->nrows >= 1)
		CHECK_STR(DB_CELL(res, 0, 0)->s, "ac***");
	db_result_free(res);
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
	CA = config_region_index(&cf, "ca");
	APAC = config_region_index(&cf, "apac");
	ctx.cf = &cf;
	ctx.db = dbroute_new(&cf);
	ctx.dir = directory_new(cf.directory.key_file, err, sizeof(err));
	if (US < 0 || CA < 0 || APAC < 0 || ctx.db == NULL ||
	    ctx.dir == NULL) {
		fprintf(stderr, "set-up: the demo regions and keys: %s\n", err);
		return 1;
	}

	RUN(bad_input_names_the_field_before_any_database_work);
	RUN(a_wrong_password_and_an_unknown_identifier_give_the_same_result);
	RUN(the_eleventh_attempt_is_locked_even_with_the_right_password);
	RUN(an_unknown_identifier_is_locked_like_a_known_one);
	RUN(a_window_past_its_end_starts_the_count_again);
	RUN(a_region_that_is_down_is_unavailable_and_the_others_still_serve);
	RUN(a_client_id_signs_in_trimmed_and_in_any_case);
	RUN(an_account_number_signs_in_as_the_main_billing_contact);
	RUN(a_member_is_sent_to_the_profile_with_the_main_contact);
	RUN(a_corporate_account_at_the_billing_center_is_sent_to_the_corporate_login);
	RUN(a_contact_of_another_region_is_verified_there_and_sent_home);
	RUN(an_account_on_the_regional_portal_signs_in_there);
	RUN(a_corporate_user_id_signs_in_by_user_name_or_e_mail_with_or_without_region);
	RUN(an_old_hash_is_replaced_on_sign_in);
	RUN(a_session_bump_kills_the_version_and_is_audited);
	RUN(every_attempt_leaves_an_audit_row_with_a_masked_actor);

	dbroute_free(ctx.db);
	directory_free(ctx.dir);
	return DONE();
}
