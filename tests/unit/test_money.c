/* regions/money.c: exact decimal amounts in minor units. */
#include <stdint.h>
#include <stdlib.h>

#include "regions/money.h"
#include "t.h"

static char	 err[128];

static int
fails(const char *s, int e)
{
	int64_t	 v = -1;

	err[0] = '\0';
	return money_parse(s, e, &v, err, sizeof(err)) == -1 && v == -1 &&
	    err[0] != '\0';
}

static int64_t
parsed(const char *s, int e)
{
	int64_t	 v = -1;

	if (money_parse(s, e, &v, err, sizeof(err)) == -1)
		return -999;
	return v;
}

static void
more_decimals_than_the_currency_has_are_refused(void)
{
	CHECK(fails("1.234", 2));
	CHECK(fails("1.5", 0));
	CHECK(fails("0.001", 2));
	CHECK(fails("1.00", 0));
	CHECK(strstr(err, "decimal") != NULL);
}

static void
amounts_beyond_int64_are_refused(void)
{
	CHECK(fails("92233720368547758.08", 2));	/* INT64_MAX + 1 */
	CHECK(fails("92233720368547759", 2));		/* overflows on scaling */
	CHECK(fails("9223372036854775808", 0));
	CHECK(fails("99999999999999999999999", 0));
	CHECK(strstr(err, "too large") != NULL);
}

static void
negative_amounts_are_refused(void)
{
	CHECK(fails("-1", 2));
	CHECK(fails("-0.01", 2));
	CHECK(strstr(err, "negative") != NULL);
}

static void
garbage_is_refused(void)
{
	CHECK(fails("", 2));
	CHECK(fails(".", 2));
	CHECK(fails(".50", 2));
	CHECK(fails("1.", 2));
	CHECK(fails("+1", 2));
	CHECK(fails(" 1", 2));
	CHECK(fails("1 ", 2));
	CHECK(fails("1,000.00", 2));
	CHECK(fails("1e3", 2));
	CHECK(fails("0x10", 2));
	CHECK(fails("1.2.3", 2));
	CHECK(fails("12abc", 2));
	CHECK(fails("\xd9\xa1", 2));		/* a non-ASCII digit */
	CHECK(fails("1", 7));			/* no such exponent */
}

static void
amounts_are_scaled_exactly_to_the_exponent(void)
{
	CHECK(parsed("61.11", 2) == 6111);
	CHECK(parsed("61.1", 2) == 6110);
	CHECK(parsed("61", 2) == 6100);
	CHECK(parsed("0", 2) == 0);
	CHECK(parsed("0.01", 2) == 1);
	CHECK(parsed("007.50", 2) == 750);
	CHECK(parsed("1500", 0) == 1500);
	CHECK(parsed("1.234", 3) == 1234);
	CHECK(parsed("92233720368547758.07", 2) == INT64_MAX);
	CHECK(parsed("9223372036854775807", 0) == INT64_MAX);
	/* 0.1 + 0.2 in binary floating point is not 0.3; here it is. */
	CHECK(parsed("0.1", 2) + parsed("0.2", 2) == parsed("0.3", 2));
}

static void
currency_exponents_follow_iso_4217(void)
{
	CHECK(money_exponent("USD") == 2);
	CHECK(money_exponent("CAD") == 2);
	CHECK(money_exponent("EUR") == 2);
	CHECK(money_exponent("AUD") == 2);
	CHECK(money_exponent("JPY") == 0);
	CHECK(money_exponent("BHD") == 3);
	CHECK(money_exponent("XXX") == -1);
	CHECK(money_exponent("usd") == -1);
}

static void
formatting_round_trips_and_handles_the_extremes(void)
{
	char	 buf[32];

	CHECK(money_format(6111, 2, buf, sizeof(buf)) == 0);
	CHECK_STR(buf, "61.11");
	CHECK(money_format(5, 2, buf, sizeof(buf)) == 0);
	CHECK_STR(buf, "0.05");
	CHECK(money_format(-6111, 2, buf, sizeof(buf)) == 0);
	CHECK_STR(buf, "-61.11");
	CHECK(money_format(1500, 0, buf, sizeof(buf)) == 0);
	CHECK_STR(buf, "1500");
	CHECK(money_format(INT64_MIN, 2, buf, sizeof(buf)) == 0);
	CHECK_STR(buf, "-92233720368547758.08");
	CHECK(money_format(6111, 2, buf, 5) == -1);
	CHECK(parsed("61.11", 2) == 6111);
}


static char	 shown[64];

static const char *
display(int64_t minor, const char *currency)
{
	if (money_display(minor, currency, shown, sizeof(shown)) != 0)
		return "(refused)";
	return shown;
}

static void
display_refuses_unknown_currencies_and_short_buffers(void)
{
	char	 small[11];

	CHECK(money_display(100, "XXX", shown, sizeof(shown)) == -1);
	CHECK(money_display(100, "usd", shown, sizeof(shown)) == -1);
	CHECK(money_display(100, "", shown, sizeof(shown)) == -1);
	/* "$ 61.11 USD" is 11 bytes and its NUL. */
	CHECK(money_display(6111, "USD", small, sizeof(small)) == -1);
	CHECK(money_display(6111, "USD", shown, 12) == 0);
	CHECK_STR(shown, "$ 61.11 USD");
	CHECK(money_display(6111, "USD", shown, 11) == -1);
}

static void
display_matches_the_billing_portal(void)
{
	CHECK_STR(display(6111, "USD"), "$ 61.11 USD");
	CHECK_STR(display(0, "USD"), "$ 0.00 USD");
	CHECK_STR(display(5, "USD"), "$ 0.05 USD");
	CHECK_STR(display(125000, "USD"), "$ 1,250.00 USD");
	CHECK_STR(display(6111, "CAD"), "$ 61.11 CAD");
	CHECK_STR(display(6111, "AUD"), "$ 61.11 AUD");
	CHECK_STR(display(6111, "EUR"), "\xe2\x82\xac 61.11 EUR");
	CHECK_STR(display(6111, "GBP"), "\xc2\xa3 61.11 GBP");
	CHECK_STR(display(1250000, "BHD"), "1,250.000 BHD");
}

static void
display_of_jpy_has_no_minor_units(void)
{
	CHECK_STR(display(1200, "JPY"), "\xc2\xa5 1,200 JPY");
	CHECK_STR(display(0, "JPY"), "\xc2\xa5 0 JPY");
	CHECK_STR(display(999, "JPY"), "\xc2\xa5 999 JPY");
	CHECK_STR(display(-1000000, "JPY"), "-\xc2\xa5 1,000,000 JPY");
}

static void
display_groups_thousands_and_signs_negatives(void)
{
	CHECK_STR(display(-500, "USD"), "-$ 5.00 USD");
	CHECK_STR(display(-1, "USD"), "-$ 0.01 USD");
	CHECK_STR(display(99999, "USD"), "$ 999.99 USD");
	CHECK_STR(display(100000, "USD"), "$ 1,000.00 USD");
	CHECK_STR(display(10000000, "USD"), "$ 100,000.00 USD");
	CHECK_STR(display(123456789012, "USD"), "$ 1,234,567,890.12 USD");
	CHECK_STR(display(INT64_MAX, "USD"),
	    "$ 92,233,720,368,547,758.07 USD");
	CHECK_STR(display(INT64_MIN, "USD"),
	    "-$ 92,233,720,368,547,758.08 USD");
	CHECK_STR(display(INT64_MIN, "JPY"),
	    "-\xc2\xa5 9,223,372,036,854,775,808 JPY");
}

int
main(void)
{
	RUN(more_decimals_than_the_currency_has_are_refused);
	RUN(amounts_beyond_int64_are_refused);
	RUN(negative_amounts_are_refused);
	RUN(garbage_is_refused);
	RUN(amounts_are_scaled_exactly_to_the_exponent);
	RUN(currency_exponents_follow_iso_4217);
	RUN(formatting_round_trips_and_handles_the_extremes);
	RUN(display_refuses_unknown_currencies_and_short_buffers);
	RUN(display_matches_the_billing_portal);
	RUN(display_of_jpy_has_no_minor_units);
	RUN(display_groups_thousands_and_signs_negatives);
	return DONE();
}
