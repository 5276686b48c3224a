/*
 * Money: integer minor units of an ISO 4217 currency, never floating point
 * (SPEC section 6).  Parsing of operator input ("61.11") and plain
 * formatting, exact in both directions.
 */
#ifndef BILLGW_MONEY_H
#define BILLGW_MONEY_H

#include <stddef.h>
#include <stdint.h>

/*
 * The number of minor-unit digits of currency (USD 2, JPY 0, BHD 3...),
 * or -1 for a code this table does not know.
 */
int	money_exponent(const char *currency);

/*
 * Parse the decimal string s ("1234", "1234.5", "1234.56") exactly into
 * minor units with exponent digits after the point: digits, optionally a
 * point and 1..exponent digits; no sign, no white space, no separators, no
 * exponent form.  Returns 0 with *minor set, or -1 with a reason in err
 * (more decimals than the currency has, beyond int64, not a number).
 */
int	money_parse(const char *s, int exponent, int64_t *minor,
	    char *err, size_t errlen);

/*
 * Write minor with exponent digits after the point ("-61.11", "500") into
 * buf.  Returns 0, or -1 when buf is too small.
 */
int	money_format(int64_t minor, int exponent, char *buf, size_t len);

/*
 * The display form of seed 003, "$ 61.11 USD": the currency's symbol, the
 * amount with its exponent's decimals (none for JPY) and thousands
 * separators, and the ISO code; a negative amount as "-$ 5.00 USD".  A
 * known currency without a symbol in common use (BHD, CHF, KWD) shows
 * the amount and the code only: "1,250.000 BHD".  Returns 0, or -1 for an
 * unknown currency or a short buffer (64 bytes always suffice).
 */
int	money_display(int64_t minor, const char *currency, char *buf,
	    size_t len);

#endif /* BILLGW_MONEY_H */
