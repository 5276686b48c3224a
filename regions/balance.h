/*
 * Balances and due dates (SPEC section 6) as one pure function: invoices
 * and payment totals in, total due, pending payments, due date and past
 * due out.  Integer minor units throughout; no database, no clock: the
 * caller passes today's date in the region's time zone.
 *
 * Dates are day numbers: days since 1970-01-01 (proleptic Gregorian).
 */
#ifndef BILLGW_BALANCE_H
#define BILLGW_BALANCE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct bal_invoice {
	int32_t		 issued;	/* day number */
	int64_t		 total_minor;	/* >= 0 */
	int		 is_void;	/* counts for nothing */
};

struct balance {
	int64_t		 total_due;	/* >= 0: what is owed */
	int64_t		 credit;	/* >= 0: paid beyond every invoice */
	int64_t		 pending;	/* pending payments, apart */
	int		 has_due_date;	/* 0: nothing is owed (due_date null) */
	int32_t		 due_date;	/* of the oldest invoice not fully paid */
	int		 past_due;	/* due_date < today */
};

/*
 * Processed payments (processed, a total) pay the oldest invoices first
 * (inv in any order; sorted here in place by issue date, stably).  An invoice is due
 * terms_days after it is issued.  Overpayment: total_due is 0 and the
 * excess is credit.  Pending payments never lower total_due.  Returns 0,
 * or -1 when a sum would overflow int64 or an input is negative (then *out
 * is untouched).
 */
int	balance_compute(struct bal_invoice *inv, size_t n, int64_t processed,
	    int64_t pending, int terms_days, int32_t today, struct balance *out);

/*
 * Day numbers <-> calendar dates.  day_from_ymd takes years 1..9999 and
 * returns INT32_MIN for anything else or a date that does not exist;
 * ymd_from_day takes any day number.
 */
int32_t	day_from_ymd(int y, int m, int d);
void	ymd_from_day(int32_t day, int *y, int *m, int *d);

/* "YYYY-MM-DD" of a day number into buf (at least 11 bytes). */
void	day_iso(int32_t day, char *buf, size_t len);

/*
 * Today's day number in time zone tz (an IANA name) at instant now.  Not
 * pure (it reads tzdata, and sets and restores TZ: single-threaded use
 * only); cached per zone until the next local midnight, for at most an
 * hour, and never for an instant before the one it was read at.
 */
int32_t	day_today(const char *tz, time_t now);

#endif /* BILLGW_BALANCE_H */
