/*
 * Exact decimal <-> minor units.  See money.h.
 */
#include <stdio.h>
#include <string.h>

#include "regions/money.h"

static const struct {
	const char	*code;
	int		 exponent;
} currencies[] = {
	/* ISO 4217 minor units of the currencies a region may bill in. */
	{ "AUD", 2 }, { "BHD", 3 }, { "BRL", 2 }, { "CAD", 2 },
	{ "CHF", 2 }, { "CNY", 2 }, { "DKK", 2 }, { "EUR", 2 },
	{ "GBP", 2 }, { "HKD", 2 }, { "INR", 2 }, { "JPY", 0 },
	{ "KRW", 0 }, { "KWD", 3 }, { "MXN", 2 }, { "NOK", 2 },
	{ "NZD", 2 }, { "SEK", 2 }, { "SGD", 2 }, { "USD", 2 },
	{ "ZAR", 2 },
};

int
money_exponent(const char *currency)
{
	size_t	 i;

	for (i = 0; i < sizeof(currencies) / sizeof(currencies[0]); i++)
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
