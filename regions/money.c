/*
 * Exact decimal <-> minor units, and the display form.  See money.h.
 */
#include <stdio.h>
#include <string.h>

#include "regions/money.h"

/*
 * ISO 4217 minor units of the currencies a region may bill in, and the
 * symbol the display form puts first (UTF-8; NULL: none in common use, the
 * ISO code alone says it).
 */
static const struct {
	const char	*code;
	int		 exponent;
	const char	*symbol;
} currencies[] = {
	{ "AUD", 2, "$" },
	{ "BHD", 3, NULL },
	{ "BRL", 2, "R$" },
	{ "CAD", 2, "$" },
	{ "CHF", 2, NULL },
	{ "CNY", 2, "\xc2\xa5" },		/* ¥ */
	{ "DKK", 2, "kr" },
	{ "EUR", 2, "\xe2\x82\xac" },		/* € */
	{ "GBP", 2, "\xc2\xa3" },		/* £ */
	{ "HKD", 2, "$" },
	{ "INR", 2, "\xe2\x82\xb9" },		/* ₹ */
	{ "JPY", 0, "\xc2\xa5" },		/* ¥ */
	{ "KRW", 0, "\xe2\x82\xa9" },		/* ₩ */
	{ "KWD", 3, NULL },
	{ "MXN", 2, "$" },
	{ "NOK", 2, "kr" },
	{ "NZD", 2, "$" },
	{ "SEK", 2, "kr" },
	{ "SGD", 2, "$" },
	{ "USD", 2, "$" },
	{ "ZAR", 2, "R" },
};

#define NCURRENCIES	(sizeof(currencies) / sizeof(currencies[0]))

int
money_exponent(const char *currency)
{
	size_t	 i;

	for (i = 0; i < NCURRENCIES; i++)
		if (strcmp(currencies[i].code, currency) == 0)
			return currencies[i].exponent;
	return -1;
}

int
money_parse(const char *s, int exponent, int64_t *minor, char *err,
    size_t errlen)
{
	int64_t		 v = 0;
	const char	*p = s;
	int		 d, frac = 0, digits = 0;

	if (exponent < 0 || exponent > 4) {
		snprintf(err, errlen, "unknown currency exponent");
		return -1;
	}
	if (*p == '-') {
		snprintf(err, errlen, "amount is negative");
		return -1;
	}
	for (; *p >= '0' && *p <= '9'; p++, digits++) {
		d = *p - '0';
		if (v > (INT64_MAX - d) / 10)
			goto overflow;
		v = v * 10 + d;
	}
	if (digits == 0) {
		snprintf(err, errlen, "amount is not a decimal number");
		return -1;
	}
	if (*p == '.') {
		p++;
		for (; *p >= '0' && *p <= '9'; p++, frac++) {
			if (frac == exponent) {
				snprintf(err, errlen, "amount has more than %d "
				    "decimal%s", exponent,
				    exponent == 1 ? "" : "s");
				return -1;
			}
			d = *p - '0';
			if (v > (INT64_MAX - d) / 10)
				goto overflow;
			v = v * 10 + d;
		}
		if (frac == 0) {
			snprintf(err, errlen, "amount has no digit after "
			    "the point");
			return -1;
		}
	}
	if (*p != '\0') {
		snprintf(err, errlen, "amount is not a decimal number");
		return -1;
	}
	/* Scale what was given to exactly exponent decimals. */
	for (; frac < exponent; frac++) {
		if (v > INT64_MAX / 10)
			goto overflow;
		v *= 10;
	}
	*minor = v;
	return 0;
overflow:
	snprintf(err, errlen, "amount is too large");
	return -1;
}

int
money_format(int64_t minor, int exponent, char *buf, size_t len)
{
	uint64_t	 u, scale = 1;
	int		 i, n;

	if (exponent < 0 || exponent > 4)
		return -1;
	for (i = 0; i < exponent; i++)
		scale *= 10;
	/* The magnitude as unsigned: -INT64_MIN does not fit an int64_t. */
	u = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
	if (exponent == 0)
		n = snprintf(buf, len, "%s%llu", minor < 0 ? "-" : "",
		    (unsigned long long)u);
	else
		n = snprintf(buf, len, "%s%llu.%0*llu", minor < 0 ? "-" : "",
		    (unsigned long long)(u / scale), exponent,
		    (unsigned long long)(u % scale));
	return (n < 0 || (size_t)n >= len) ? -1 : 0;
}

/*
 * The display form: [-][symbol ]integer-part-with-commas[.fraction] CODE.
 * A currency without a symbol shows "1,250.000 BHD".  The separators are
 * the seed's (comma, point) whatever the locale: this is not localisation.
 */
int
money_display(int64_t minor, const char *currency, char *buf, size_t len)
{
	char		 digits[32], grouped[40];
	uint64_t	 u, scale = 1, whole;
	size_t		 i, nd, ng = 0;
	int		 n = -1, e;
	const char	*sym = NULL;

	for (i = 0; i < NCURRENCIES; i++)
		if (strcmp(currencies[i].code, currency) == 0)
			break;
	if (i == NCURRENCIES)
		return -1;
	e = currencies[i].exponent;
	sym = currencies[i].symbol;
	for (i = 0; i < (size_t)e; i++)
		scale *= 10;
	/* The magnitude as unsigned: -INT64_MIN does not fit an int64_t. */
	u = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
	whole = u / scale;

	/* At most 20 digits and 6 commas: both buffers are large enough. */
	nd = (size_t)snprintf(digits, sizeof(digits), "%llu",
	    (unsigned long long)whole);
	for (i = 0; i < nd; i++) {
		if (i > 0 && (nd - i) % 3 == 0)
			grouped[ng++] = ',';
		grouped[ng++] = digits[i];
	}
	grouped[ng] = '\0';

	if (e == 0)
		n = snprintf(buf, len, "%s%s%s%s %s", minor < 0 ? "-" : "",
		    sym ? sym : "", sym ? " " : "", grouped, currency);
	else
		n = snprintf(buf, len, "%s%s%s%s.%0*llu %s",
		    minor < 0 ? "-" : "", sym ? sym : "", sym ? " " : "",
		    grouped, e, (unsigned long long)(u % scale), currency);
	return (n < 0 || (size_t)n >= len) ? -1 : 0;
}
