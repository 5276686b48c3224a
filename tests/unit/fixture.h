/*
 * A valid configuration for the unit tests that need one: the head is 11
 * lines (tests/unit/test_config.c counts on that), a region 11 more.
 */
#ifndef BILLGW_FIXTURE_H
#define BILLGW_FIXTURE_H

#define FIXTURE_HEAD \
	"[gateway]\n" \
	"listen = unix:/tmp/billgw-test.sock\n" \
	"workers = 4\n" \
	"public_url = http://127.0.0.1:8080\n" \
	"\n" \
	"[session]\n" \
	"keys_file = /tmp/session.keys\n" \
	"\n" \
	"[directory]\n" \
	"dsn = mysql://billgw@localhost/billgw_directory?socket=/tmp/m.sock\n" \
	"key_file = /tmp/directory.key\n"

/* Region code on http://host, its corporate portal at host corp. */
#define FIXTURE_REGION(code, host, corp) \
	"[region." code "]\n" \
	"name = Region " code "\n" \
	"currency = USD\n" \
	"timezone = America/New_York\n" \
	"dsn = mysql://billgw@localhost/billgw_" code "?socket=/tmp/m.sock\n" \
	"billing_center_url = http://" host "/billing-center/\n" \
	"corporate_portal_url = http://" host corp "\n" \
	"regional_portal_url = http://" host "/regional/\n" \
	"profile_url = http://" host "/profile/\n" \
	"billing_email = billing-" code "@example.com\n" \
	"remit_to = Billing Inc.\n"

#endif /* BILLGW_FIXTURE_H */
