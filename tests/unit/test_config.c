/* regions/config.c: every error names FILE:LINE: [section] key. */
#include <stdlib.h>

#include "regions/config.h"
#include "fixture.h"
#include "t.h"


#define GOOD_HEAD	FIXTURE_HEAD

#define REGION_US \
	"[region.us]\n" \
	"name = United States\n" \
	"currency = USD\n" \
	"timezone = America/New_York\n" \
	"dsn = mysql://billgw@localhost/billgw_us?socket=/tmp/m.sock\n" \
	"billing_center_url = http://127.0.0.1:8080/billing-center/\n" \
	"corporate_portal_url = http://127.0.0.1:8080/corporate/\n" \
	"regional_portal_url = http://127.0.0.1:8080/regional/\n" \
	"profile_url = http://127.0.0.1:8080/profile/\n" \
	"billing_email = billing-us@example.com ; inline comment\n" \
	"remit_to = Billing Inc., PO BOX 412252, Boston, MA 02241-2252\n"

static struct config	 cf;
static char		 err[512];

static int
load(const char *text)
{
	err[0] = '\0';
	return config_load_string("t.conf", text, &cf, err, sizeof(err));
}

static void
a_missing_key_names_the_section_line_and_key(void)
{
	/* billing_email removed: reported at the [region.us] header. */
	CHECK(load(GOOD_HEAD
	    "[region.us]\n"
	    "name = United States\n"
	    "currency = USD\n"
	    "timezone = America/New_York\n"
	    "dsn = mysql://billgw@localhost/billgw_us\n"
	    "billing_center_url = http://x/\n"
	    "corporate_portal_url = http://x/\n"
	    "regional_portal_url = http://x/\n"
	    "profile_url = http://x/\n"
	    "remit_to = x\n") == -1);
	CHECK_STR(err, "t.conf:12: [region.us] billing_email: missing");
}

static void
a_value_out_of_range_names_its_line(void)
{
	CHECK(load("[gateway]\nlisten = unix:/tmp/s\nworkers = 0\n") == -1);
	CHECK_STR(err, "t.conf:3: [gateway] workers: must be a whole number "
	    "from 1 to 256");
	CHECK(load("[gateway]\nworkers = 257\n") == -1);
	CHECK_STR(err, "t.conf:2: [gateway] workers: must be a whole number "
	    "from 1 to 256");
	CHECK(load("[gateway]\nrequest_timeout = 10s\n") == -1);
	CHECK_STR(err, "t.conf:2: [gateway] request_timeout: must be a whole "
	    "number from 1 to 3600");
	CHECK(load("[gateway]\nmax_requests = 99999999999999999999\n") == -1);
	CHECK(strstr(err, "t.conf:2: [gateway] max_requests:") == err);
}

static void
an_unknown_region_field_is_refused(void)
{
	CHECK(load(GOOD_HEAD REGION_US "colour = blue\n") == -1);
	CHECK_STR(err, "t.conf:23: [region.us] colour: unknown key");
}

static void
a_bad_url_is_refused(void)
{
	CHECK(load(GOOD_HEAD "[region.us]\nprofile_url = javascript:alert(1)\n")
	    == -1);
	CHECK_STR(err, "t.conf:13: [region.us] profile_url: not an http:// or "
	    "https:// URL");
	CHECK(load("[gateway]\npublic_url = http://a b/\n") == -1);
	CHECK_STR(err, "t.conf:2: [gateway] public_url: not an http:// or "
	    "https:// URL");
}

static void
an_unknown_section_or_region_code_is_refused(void)
{
	CHECK(load("[gatway]\nlisten = unix:/x\n") == -1);
	CHECK_STR(err, "t.conf:2: [gatway]: unknown section");
	CHECK(load("[region.US]\nname = x\n") == -1);
	CHECK_STR(err, "t.conf:2: [region.US]: a region code is 2 to 8 "
	    "lower-case letters");
}

static void
a_key_given_twice_is_refused(void)
{
	CHECK(load("[gateway]\nworkers = 2\nworkers = 3\n") == -1);
	CHECK_STR(err, "t.conf:3: [gateway] workers: given twice");
}

static void
bad_values_of_each_kind_are_refused(void)
{
	CHECK(load("[gateway]\nlisten = 0.0.0.0:9000\n") == -1);
	CHECK_STR(err, "t.conf:2: [gateway] listen: expected unix:PATH or "
	    "127.0.0.1:PORT");
	CHECK(load("[directory]\ndsn = postgres://x@y/z\n") == -1);
	CHECK_STR(err, "t.conf:2: [directory] dsn: bad database address: "
	    "must start with mysql://");
	CHECK(load("[directory]\ndsn = mysql://u@h/bad-name\n") == -1);
	CHECK(strstr(err, "[directory] dsn: bad database address") != NULL);
	CHECK(load("[region.us]\ntimezone = Mars/Olympus\n") == -1);
	CHECK_STR(err, "t.conf:2: [region.us] timezone: unknown time zone "
	    "\"Mars/Olympus\"");
	CHECK(load("[region.us]\ntimezone = ../../etc/passwd\n") == -1);
	CHECK(load("[region.us]\ncurrency = usd\n") == -1);
	CHECK_STR(err, "t.conf:2: [region.us] currency: expected an ISO 4217 "
	    "code such as USD");
	CHECK(load("[region.us]\nbilling_email = nobody\n") == -1);
	CHECK_STR(err, "t.conf:2: [region.us] billing_email: not an e-mail "
	    "address");
	CHECK(load("[region.us]\nname =\n") == -1);
	CHECK_STR(err, "t.conf:2: [region.us] name: empty value");
}

static void
a_syntax_error_names_its_line(void)
{
	CHECK(load("[gateway]\nworkers = 2\nthis is not ini\n") == -1);
	CHECK_STR(err, "t.conf:3: syntax error (expected [section] or "
	    "key = value)");
}

static void
an_overlong_line_is_refused_not_split(void)
{
	char	 text[400];

	snprintf(text, sizeof(text), "[gateway]\npublic_url = http://%0250d/\n",
	    0);
	CHECK(load(text) == -1);
	CHECK_STR(err, "t.conf:2: line longer than 198 bytes");
}

static void
line_numbers_stay_right_after_the_longest_line(void)
{
	char	 text[400];

	/* 198 bytes and the newline: the most inih reads in one piece. */
	snprintf(text, sizeof(text), "[gateway]\n;%0197d\nbogus = 1\n", 0);
	CHECK(load(text) == -1);
	CHECK_STR(err, "t.conf:3: [gateway] bogus: unknown key");
	snprintf(text, sizeof(text), "[gateway]\n;%0198d\nbogus = 1\n", 0);
	CHECK(load(text) == -1);
	CHECK_STR(err, "t.conf:2: line longer than 198 bytes");
}

static void
a_missing_section_or_region_is_reported(void)
{
	CHECK(load("[gateway]\nlisten = unix:/x\npublic_url = http://h/\n")
	    == -1);
	CHECK(strstr(err, "[session]: missing section") != NULL);
	CHECK(load(GOOD_HEAD) == -1);
	CHECK(strstr(err, "no region configured") != NULL);
}

static void
a_missing_file_is_reported(void)
{
	CHECK(config_load("/nonexistent/billgw.conf", &cf, err,
	    sizeof(err)) == -1);
	CHECK_STR(err, "/nonexistent/billgw.conf: No such file or directory");
}

static void
a_good_file_loads_with_defaults(void)
{
	CHECK(load(GOOD_HEAD REGION_US
	    "[region.ca]\n"
	    "name = Canada\n"
	    "currency = CAD\n"
	    "timezone = America/Toronto\n"
	    "dsn = mysql://billgw:p%40ss@db.example:3307/billgw_ca\n"
	    "billing_center_url = https://billing.example/ca/\n"
	    "corporate_portal_url = https://billing.example/corp/\n"
	    "regional_portal_url = https://billing.example/reg/\n"
	    "profile_url = https://billing.example/profile/\n"
	    "payment_terms_days = 30\n"
	    "billing_email = billing-ca@example.com\n"
	    "remit_to = C/O Lockbox 918020\n") == 0);
	CHECK_STR(err, "");
	CHECK(cf.gateway.workers == 4);
	CHECK(cf.gateway.max_requests == 100000);
	CHECK(cf.gateway.request_timeout == 10);
	CHECK(cf.gateway.slow_request_ms == 1000);
	CHECK(cf.gateway.listen_backlog == 1024);
	CHECK_STR(cf.gateway.signin_listen, "");	/* no sign-in lane */
	CHECK(cf.gateway.signin_workers == 0);		/* one per CPU */
	CHECK(cf.session.ttl == 1800);
	CHECK(cf.nregions == 2);
	CHECK_STR(cf.regions[0].code, "us");
	CHECK_STR(cf.regions[0].billing_email, "billing-us@example.com");
	CHECK(cf.regions[0].payment_terms_days == 15);
	CHECK(cf.regions[1].payment_terms_days == 30);
	CHECK(config_region(&cf, "ca") == &cf.regions[1]);
	CHECK(config_region(&cf, "eu") == NULL);
}

#define GATEWAY_WITH(lines) \
	"[gateway]\n" \
	"listen = unix:/tmp/billgw-test.sock\n" \
	lines \
	"public_url = http://127.0.0.1:8080\n" \
	"[session]\n" \
	"keys_file = /tmp/session.keys\n" \
	"[directory]\n" \
	"dsn = mysql://billgw@localhost/billgw_directory?socket=/tmp/m.sock\n" \
	"key_file = /tmp/directory.key\n" REGION_US

static void
the_sign_in_lane_has_its_own_address_and_a_bounded_size(void)
{
	CHECK(load(GATEWAY_WITH("signin_listen = unix:/tmp/billgw-signin.sock\n"
	    "signin_workers = 3\n")) == 0);
	CHECK_STR(cf.gateway.signin_listen, "unix:/tmp/billgw-signin.sock");
	CHECK(cf.gateway.signin_workers == 3);
	CHECK(load(GATEWAY_WITH("signin_listen = 127.0.0.1:9001\n")) == 0);
	CHECK(load(GATEWAY_WITH("signin_listen = unix:/tmp/billgw-test.sock\n"))
	    == -1);
	CHECK_STR(err, "t.conf:3: [gateway] signin_listen: the same address "
	    "as listen");
	CHECK(load(GATEWAY_WITH("signin_listen = 0.0.0.0:9001\n")) == -1);
	CHECK_STR(err, "t.conf:3: [gateway] signin_listen: expected unix:PATH "
	    "or 127.0.0.1:PORT");
	CHECK(load(GATEWAY_WITH("signin_workers = 65\n")) == -1);
	CHECK_STR(err, "t.conf:3: [gateway] signin_workers: must be a whole "
	    "number from 0 to 64");
}

int
main(void)
{
	RUN(a_missing_key_names_the_section_line_and_key);
	RUN(the_sign_in_lane_has_its_own_address_and_a_bounded_size);
	RUN(a_value_out_of_range_names_its_line);
	RUN(an_unknown_region_field_is_refused);
	RUN(a_bad_url_is_refused);
	RUN(an_unknown_section_or_region_code_is_refused);
	RUN(a_key_given_twice_is_refused);
	RUN(bad_values_of_each_kind_are_refused);
	RUN(a_syntax_error_names_its_line);
	RUN(an_overlong_line_is_refused_not_split);
	RUN(line_numbers_stay_right_after_the_longest_line);
	RUN(a_missing_section_or_region_is_reported);
	RUN(a_missing_file_is_reported);
	RUN(a_good_file_loads_with_defaults);
	return DONE();
}
