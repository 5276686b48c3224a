/*
 * regions/portal.c: SPEC section 4's table, row by row, then precedence,
 * as one table of cases: who signs in where -> what is decided.
 */
#include <stdlib.h>

#include "regions/config.h"
#include "regions/portal.h"
#include "fixture.h"
#include "t.h"

enum { US, CA, EU };

/* Flags of a case's input. */
#define MEMBER		(1 << 0)	/* not a billing contact */
#define CORP_ACCT	(1 << 1)	/* a corporate account */
#define REGIONAL	(1 << 2)	/* on the regional portal */
#define CORP_UID	(1 << 3)	/* signed in by corporate User ID */

static const struct {
	const char	*name;
	enum entry	 entry;
	int		 chosen, home, flags;
	enum outcome	 outcome;
	enum reason	 reason;
	enum portal	 portal;
	int		 status;
	const char	*location;
} cases[] = {
	{ "row 1: a member lands on the profile page with 403",
	  ENTRY_BILLING_CENTER, US, US, MEMBER,
	  OUTCOME_WRONG_PLACE, REASON_NOT_BILLING_CONTACT, PORTAL_BILLING_CENTER,
	  403, "http://us.example/profile/" },
	{ "row 2: a corporate account at the Billing Center goes to the "
	  "corporate login",
	  ENTRY_BILLING_CENTER, US, US, CORP_ACCT,
	  OUTCOME_WRONG_PLACE, REASON_CORPORATE_ACCOUNT, PORTAL_BILLING_CENTER,
	  403, "http://us.example/corporate/login" },
	{ "row 2: a corporate URL without a final slash gets /login",
	  ENTRY_BILLING_CENTER, EU, EU, CORP_ACCT,
	  OUTCOME_WRONG_PLACE, REASON_CORPORATE_ACCOUNT, PORTAL_BILLING_CENTER,
	  403, "http://eu.example/corp/login" },
	{ "row 3: a contact homed elsewhere goes to the home Billing Center",
	  ENTRY_BILLING_CENTER, US, CA, 0,
	  OUTCOME_WRONG_REGION, REASON_NONE, PORTAL_BILLING_CENTER,
	  200, "http://ca.example/billing-center/" },
	{ "row 3: a regional account homed elsewhere goes to its home "
	  "regional portal",
	  ENTRY_BILLING_CENTER, US, CA, REGIONAL,
	  OUTCOME_WRONG_REGION, REASON_NONE, PORTAL_REGIONAL,
	  200, "http://ca.example/regional/" },
	{ "row 3: a corporate User ID homed elsewhere goes to its home "
	  "corporate portal",
	  ENTRY_CORPORATE, US, CA, CORP_ACCT | CORP_UID,
	  OUTCOME_WRONG_REGION, REASON_NONE, PORTAL_CORPORATE,
	  200, "http://ca.example/corporate/" },
	{ "row 4: an account on the regional portal signs in there",
	  ENTRY_BILLING_CENTER, CA, CA, REGIONAL,
	  OUTCOME_SIGNED_IN, REASON_NONE, PORTAL_REGIONAL,
	  200, "http://ca.example/regional/" },
	{ "row 5: a corporate User ID at the corporate portal signs in there",
	  ENTRY_CORPORATE, US, US, CORP_ACCT | CORP_UID,
	  OUTCOME_SIGNED_IN, REASON_NONE, PORTAL_CORPORATE,
	  200, "http://us.example/corporate/" },
	{ "row 6: a billing contact at home signs in to the Billing Center",
	  ENTRY_BILLING_CENTER, US, US, 0,
	  OUTCOME_SIGNED_IN, REASON_NONE, PORTAL_BILLING_CENTER,
	  200, "http://us.example/billing-center/" },
	{ "row 6: the corporate entry without a corporate User ID is the "
	  "Billing Center",
	  ENTRY_CORPORATE, US, US, 0,
	  OUTCOME_SIGNED_IN, REASON_NONE, PORTAL_BILLING_CENTER,
	  200, "http://us.example/billing-center/" },
	{ "precedence: a member in another region is row 1, with the home "
	  "profile",
	  ENTRY_BILLING_CENTER, US, CA, MEMBER | CORP_ACCT | REGIONAL,
	  OUTCOME_WRONG_PLACE, REASON_NOT_BILLING_CONTACT, PORTAL_BILLING_CENTER,
	  403, "http://ca.example/profile/" },
	{ "precedence: a corporate account at the Billing Center in another "
	  "region is row 2",
	  ENTRY_BILLING_CENTER, US, CA, CORP_ACCT | REGIONAL,
	  OUTCOME_WRONG_PLACE, REASON_CORPORATE_ACCOUNT, PORTAL_BILLING_CENTER,
	  403, "http://ca.example/corporate/login" },
	{ "precedence: a corporate account at the corporate portal is not "
	  "row 2",
	  ENTRY_CORPORATE, CA, CA, CORP_ACCT | CORP_UID,
	  OUTCOME_SIGNED_IN, REASON_NONE, PORTAL_CORPORATE,
	  200, "http://ca.example/corporate/" },
	{ "precedence: the regional portal wins over the corporate portal",
	  ENTRY_CORPORATE, US, US, CORP_ACCT | CORP_UID | REGIONAL,
	  OUTCOME_SIGNED_IN, REASON_NONE, PORTAL_REGIONAL,
	  200, "http://us.example/regional/" },
	{ "precedence: a wrong region comes before the regional portal",
	  ENTRY_BILLING_CENTER, EU, US, REGIONAL,
	  OUTCOME_WRONG_REGION, REASON_NONE, PORTAL_REGIONAL,
	  200, "http://us.example/regional/" },
};

static struct config	 cf;

static void
a_region_index_out_of_range_is_refused(void)
{
	struct portal_input	 in = { .entry = ENTRY_BILLING_CENTER,
				    .billing_contact = 1 };
	struct portal_decision	 d;

	in.home_region = 3;
	CHECK(portal_decide(&cf, &in, &d) == -1);
	in.home_region = -1;
	CHECK(portal_decide(&cf, &in, &d) == -1);
	in.home_region = US;
	in.chosen_region = 3;
	CHECK(portal_decide(&cf, &in, &d) == -1);
	in.chosen_region = -1;
	CHECK(portal_decide(&cf, &in, &d) == -1);
}

static void
the_names_are_the_ones_of_the_json_answers(void)
{
	CHECK_STR(outcome_str(OUTCOME_SIGNED_IN), "signed_in");
	CHECK_STR(outcome_str(OUTCOME_WRONG_PLACE), "wrong_place");
	CHECK_STR(outcome_str(OUTCOME_WRONG_REGION), "wrong_region");
	CHECK_STR(reason_str(REASON_NOT_BILLING_CONTACT), "not_billing_contact");
	CHECK_STR(reason_str(REASON_CORPORATE_ACCOUNT), "corporate_account");
	CHECK_STR(reason_str(REASON_NONE), "none");
	CHECK_STR(portal_str(PORTAL_BILLING_CENTER), "billing_center");
	CHECK_STR(portal_str(PORTAL_CORPORATE), "corporate");
	CHECK_STR(portal_str(PORTAL_REGIONAL), "regional");
}

/* Every case of the table; a failing one is named. */
static void
every_case_of_the_table_decides_as_the_spec_says(void)
{
	struct portal_decision	 d;
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct portal_input in = {
			.entry = cases[i].entry,
			.chosen_region = cases[i].chosen,
			.home_region = cases[i].home,
			.billing_contact = !(cases[i].flags & MEMBER),
			.corporate_account = !!(cases[i].flags & CORP_ACCT),
			.regional_portal = !!(cases[i].flags & REGIONAL),
			.corporate_user_id = !!(cases[i].flags & CORP_UID),
		};
		int before = t_failed_checks;

		CHECK(portal_decide(&cf, &in, &d) == 0);
		CHECK(d.outcome == cases[i].outcome);
		CHECK(d.reason == cases[i].reason);
		CHECK(d.portal == cases[i].portal);
		CHECK(d.status == cases[i].status);
		CHECK(d.region == cases[i].home);
		CHECK_STR(d.location, cases[i].location);
		if (t_failed_checks != before)
			fprintf(stderr, "    in the case: %s\n", cases[i].name);
	}
}

int
main(void)
{
	char	 err[512];

	if (config_load_string("t.conf", FIXTURE_HEAD
	    FIXTURE_REGION("us", "us.example", "/corporate/")
	    FIXTURE_REGION("ca", "ca.example", "/corporate/")
	    FIXTURE_REGION("eu", "eu.example", "/corp"), &cf, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "config: %s\n", err);
		return 1;
	}
	RUN(a_region_index_out_of_range_is_refused);
	RUN(the_names_are_the_ones_of_the_json_answers);
	RUN(every_case_of_the_table_decides_as_the_spec_says);
	return DONE();
}
