/* regions/portal.c: SPEC section 4's table, row by row, then precedence. */
#include <stdlib.h>

#include "regions/config.h"
#include "regions/portal.h"
#include "fixture.h"
#include "t.h"



enum { US, CA, EU };

static struct config	 cf;

/* A billing contact of a standard account, signing in at home. */
static struct portal_input
contact(enum entry e, int chosen, int home)
{
	struct portal_input	 in = {
		.entry = e,
		.chosen_region = chosen,
		.home_region = home,
		.billing_contact = 1,
	};

	return in;
}

static struct portal_decision
decide(const struct portal_input *in)
{
	struct portal_decision	 d;

	CHECK(portal_decide(&cf, in, &d) == 0);
	return d;
}

static void
a_region_index_out_of_range_is_refused(void)
{
	struct portal_input	 in = contact(ENTRY_BILLING_CENTER, US, US);
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
row1_a_member_lands_on_the_profile_page_with_403(void)
{
	struct portal_input	 in = contact(ENTRY_BILLING_CENTER, US, US);
	struct portal_decision	 d;

	in.billing_contact = 0;
	d = decide(&in);
	CHECK(d.outcome == OUTCOME_WRONG_PLACE);
	CHECK(d.reason == REASON_NOT_BILLING_CONTACT);
	CHECK(d.status == 403);
	CHECK(d.region == US);
	CHECK_STR(d.location, "http://us.example/profile/");
	CHECK_STR(outcome_str(d.outcome), "wrong_place");
	CHECK_STR(reason_str(d.reason), "not_billing_contact");
}

static void
row2_a_corporate_account_at_the_billing_center_goes_to_the_corporate_login(void)
{
	struct portal_input	 in = contact(ENTRY_BILLING_CENTER, US, US);
	struct portal_decision	 d;

	in.corporate_account = 1;
	d = decide(&in);
	CHECK(d.outcome == OUTCOME_WRONG_PLACE);
	CHECK(d.reason == REASON_CORPORATE_ACCOUNT);
	CHECK(d.status == 403);
	CHECK_STR(d.location, "http://us.example/corporate/login");
	CHECK_STR(reason_str(d.reason), "corporate_account");
}

static void
row2_a_corporate_url_without_a_final_slash_gets_slash_login(void)
{
	struct portal_input	 in = contact(ENTRY_BILLING_CENTER, EU, EU);
	struct portal_decision	 d;

	in.corporate_account = 1;
	d = decide(&in);
	CHECK(d.reason == REASON_CORPORATE_ACCOUNT);
	CHECK_STR(d.location, "http://eu.example/corp/login");
}

static void
row3_a_contact_homed_elsewhere_goes_to_the_home_billing_center(void)
{
	struct portal_input	 in = contact(ENTRY_BILLING_CENTER, US, CA);
	struct portal_decision	 d;

	d = decide(&in);
	CHECK(d.outcome == OUTCOME_WRONG_REGION);
	CHECK(d.reason == REASON_NONE);
	CHECK(d.status == 200);
	CHECK(d.portal == PORTAL_BILLING_CENTER);
	CHECK(d.region == CA);
	CHECK_STR(d.location, "http://ca.example/billing-center/");
	CHECK_STR(outcome_str(d.outcome), "wrong_region");
}

static void
row3_a_regional_account_homed_elsewhere_goes_to_the_home_regional_portal(void)
{
	struct portal_input	 in = contact(ENTRY_BILLING_CENTER, US, CA);
	struct portal_decision	 d;

	in.regional_portal = 1;
	d = decide(&in);
	CHECK(d.outcome == OUTCOME_WRONG_REGION);
	CHECK(d.portal == PORTAL_REGIONAL);
	CHECK_STR(d.location, "http://ca.example/regional/");
}

static void
row3_a_corporate_user_id_homed_elsewhere_goes_to_the_home_corporate_portal(void)
{
	struct portal_input	 in = contact(ENTRY_CORPORATE, US, CA);
	struct portal_decision	 d;

	in.corporate_account = 1;
	in.corporate_user_id = 1;
	d = decide(&in);
	CHECK(d.outcome == OUTCOME_WRONG_REGION);
	CHECK(d.portal == PORTAL_CORPORATE);
	CHECK(d.status == 200);
	CHECK_STR(d.location, "http://ca.example/corporate/");
}

static void
row4_an_account_on_the_regional_portal_signs_in_there(void)
{
	struct portal_input	 in = contact(ENTRY_BILLING_CENTER, CA, CA);
	struct portal_decision	 d;

	in.regional_portal = 1;
	d = decide(&in);
	CHECK(d.outcome == OUTCOME_SIGNED_IN);
	CHECK(d.portal == PORTAL_REGIONAL);
	CHECK(d.status == 200);
	CHECK(d.region == CA);
	CHECK_STR(d.location, "http://ca.example/regional/");
	CHECK_STR(portal_str(d.portal), "regional");
}

static void
row5_a_corporate_user_id_at_the_corporate_portal_signs_in_there(void)
{
	struct portal_input	 in = contact(ENTRY_CORPORATE, US, US);
	struct portal_decision	 d;

	in.corporate_account = 1;
	in.corporate_user_id = 1;
	d = decide(&in);
	CHECK(d.outcome == OUTCOME_SIGNED_IN);
	CHECK(d.portal == PORTAL_CORPORATE);
	CHECK(d.status == 200);
	CHECK_STR(d.location, "http://us.example/corporate/");
	CHECK_STR(portal_str(d.portal), "corporate");
}

static void
row6_a_billing_contact_at_home_signs_in_to_the_billing_center(void)
{
	struct portal_input	 in = contact(ENTRY_BILLING_CENTER, US, US);
	struct portal_decision	 d;

	d = decide(&in);
	CHECK(d.outcome == OUTCOME_SIGNED_IN);
	CHECK(d.reason == REASON_NONE);
	CHECK(d.portal == PORTAL_BILLING_CENTER);
	CHECK(d.status == 200);
	CHECK(d.region == US);
	CHECK_STR(d.location, "http://us.example/billing-center/");
	CHECK_STR(outcome_str(d.outcome), "signed_in");
	CHECK_STR(portal_str(d.portal), "billing_center");
	CHECK_STR(reason_str(d.reason), "none");
}

static void
row6_a_corporate_entry_without_a_corporate_user_id_is_the_billing_center(void)
{
	struct portal_input	 in = contact(ENTRY_CORPORATE, US, US);
	struct portal_decision	 d;

	d = decide(&in);
	CHECK(d.outcome == OUTCOME_SIGNED_IN);
	CHECK(d.portal == PORTAL_BILLING_CENTER);
	CHECK_STR(d.location, "http://us.example/billing-center/");
}

static void
a_member_in_another_region_is_row1_with_the_home_profile(void)
{
	struct portal_input	 in = contact(ENTRY_BILLING_CENTER, US, CA);
	struct portal_decision	 d;

	in.billing_contact = 0;
	in.corporate_account = 1;
	in.regional_portal = 1;
	d = decide(&in);
	CHECK(d.outcome == OUTCOME_WRONG_PLACE);
	CHECK(d.reason == REASON_NOT_BILLING_CONTACT);
	CHECK(d.status == 403);
	CHECK(d.region == CA);
	CHECK_STR(d.location, "http://ca.example/profile/");
}

static void
a_corporate_account_at_the_billing_center_in_another_region_is_row2(void)
{
	struct portal_input	 in = contact(ENTRY_BILLING_CENTER, US, CA);
	struct portal_decision	 d;

	in.corporate_account = 1;
	in.regional_portal = 1;
	d = decide(&in);
	CHECK(d.outcome == OUTCOME_WRONG_PLACE);
	CHECK(d.reason == REASON_CORPORATE_ACCOUNT);
	CHECK(d.status == 403);
	CHECK_STR(d.location, "http://ca.example/corporate/login");
}

static void
a_corporate_account_at_the_corporate_portal_is_not_row2(void)
{
	struct portal_input	 in = contact(ENTRY_CORPORATE, CA, CA);
	struct portal_decision	 d;

	in.corporate_account = 1;
	in.corporate_user_id = 1;
	d = decide(&in);
	CHECK(d.outcome == OUTCOME_SIGNED_IN);
	CHECK(d.portal == PORTAL_CORPORATE);
	CHECK_STR(d.location, "http://ca.example/corporate/");
}

static void
the_regional_portal_wins_over_the_corporate_portal(void)
{
	struct portal_input	 in = contact(ENTRY_CORPORATE, US, US);
	struct portal_decision	 d;

	in.corporate_account = 1;
	in.corporate_user_id = 1;
	in.regional_portal = 1;
	d = decide(&in);
	CHECK(d.outcome == OUTCOME_SIGNED_IN);
	CHECK(d.portal == PORTAL_REGIONAL);
	CHECK_STR(d.location, "http://us.example/regional/");
}

static void
a_wrong_region_takes_precedence_over_the_regional_portal(void)
{
	struct portal_input	 in = contact(ENTRY_BILLING_CENTER, EU, US);
	struct portal_decision	 d;

	in.regional_portal = 1;
	d = decide(&in);
	CHECK(d.outcome == OUTCOME_WRONG_REGION);
	CHECK(d.region == US);
	CHECK_STR(d.location, "http://us.example/regional/");
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
	RUN(row1_a_member_lands_on_the_profile_page_with_403);
	RUN(row2_a_corporate_account_at_the_billing_center_goes_to_the_corporate_login);
	RUN(row2_a_corporate_url_without_a_final_slash_gets_slash_login);
	RUN(row3_a_contact_homed_elsewhere_goes_to_the_home_billing_center);
	RUN(row3_a_regional_account_homed_elsewhere_goes_to_the_home_regional_portal);
	RUN(row3_a_corporate_user_id_homed_elsewhere_goes_to_the_home_corporate_portal);
	RUN(row4_an_account_on_the_regional_portal_signs_in_there);
	RUN(row5_a_corporate_user_id_at_the_corporate_portal_signs_in_there);
	RUN(row6_a_billing_contact_at_home_signs_in_to_the_billing_center);
	RUN(row6_a_corporate_entry_without_a_corporate_user_id_is_the_billing_center);
	RUN(a_member_in_another_region_is_row1_with_the_home_profile);
	RUN(a_corporate_account_at_the_billing_center_in_another_region_is_row2);
	RUN(a_corporate_account_at_the_corporate_portal_is_not_row2);
	RUN(the_regional_portal_wins_over_the_corporate_portal);
	RUN(a_wrong_region_takes_precedence_over_the_regional_portal);
	return DONE();
}
