/* regions/balance.c: total due, credit, due date and past due; day numbers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "regions/balance.h"
#include "t.h"

#define TERMS	15

/* 2026-03-10T02:00:00Z: 2026-03-09 22:00 in New York, 11:00 in Tokyo. */
#define T_SPLIT	((time_t)1773108000)

static int32_t
D(int y, int m, int d)
{
	return day_from_ymd(y, m, d);
}

static struct balance
bal(struct bal_invoice *inv, size_t n, int64_t processed, int64_t pending,
    int32_t today)
{
	struct balance	 b;

	memset(&b, 0xa5, sizeof(b));
	CHECK(balance_compute(inv, n, processed, pending, TERMS, today,
	    &b) == 0);
	return b;
}

static int
refused(struct bal_invoice *inv, size_t n, int64_t processed,
    int64_t pending, int terms)
{
	struct balance	 b, before;

	memset(&b, 0x5a, sizeof(b));
	before = b;
	return balance_compute(inv, n, processed, pending, terms,
	    D(2026, 1, 1), &b) == -1 && memcmp(&b, &before, sizeof(b)) == 0;
}

static void
an_invoice_sum_beyond_int64_is_refused(void)
{
	struct bal_invoice	 inv[] = {
		{ D(2026, 1, 1), INT64_MAX, 0 },
		{ D(2026, 2, 1), 1, 0 },
	};
	struct bal_invoice	 voided[] = {
		{ D(2026, 1, 1), INT64_MAX, 0 },
		{ D(2026, 2, 1), 1, 1 },
	};

	CHECK(refused(inv, 2, 0, 0, TERMS));
	CHECK(refused(inv, 2, INT64_MAX, 0, TERMS));
	/* A void invoice counts for nothing, not even towards overflow. */
	CHECK(bal(voided, 2, 0, 0, D(2026, 1, 2)).total_due == INT64_MAX);
}

static void
negative_inputs_are_refused(void)
{
	struct bal_invoice	 neg[] = { { D(2026, 1, 1), -1, 0 } };
	struct bal_invoice	 negvoid[] = { { D(2026, 1, 1), -1, 1 } };
	struct bal_invoice	 ok[] = { { D(2026, 1, 1), 100, 0 } };

	CHECK(refused(neg, 1, 0, 0, TERMS));
	CHECK(refused(negvoid, 1, 0, 0, TERMS));
	CHECK(refused(ok, 1, -1, 0, TERMS));
	CHECK(refused(ok, 1, 0, -1, TERMS));
	CHECK(refused(ok, 1, 0, 0, -1));
	CHECK(refused(NULL, 1, 0, 0, TERMS));
}

static void
a_due_date_beyond_the_day_range_is_refused(void)
{
	struct bal_invoice	 inv[] = { { INT32_MAX - 3, 100, 0 } };

	CHECK(refused(inv, 1, 0, 0, TERMS));
}

static void
no_invoices_means_nothing_owed_and_no_due_date(void)
{
	struct balance	 b = bal(NULL, 0, 0, 0, D(2026, 3, 1));

	CHECK(b.total_due == 0);
	CHECK(b.credit == 0);
	CHECK(b.pending == 0);
	CHECK(b.has_due_date == 0);
	CHECK(b.past_due == 0);
}

static void
one_open_invoice_is_due_terms_days_after_it_is_issued(void)
{
	/* Seed 003: $ 61.11 due 7/30/2020, i.e. issued 2020-07-15. */
	struct bal_invoice	 inv[] = { { D(2020, 7, 15), 6111, 0 } };
	struct balance		 b = bal(inv, 1, 0, 0, D(2020, 7, 20));
	char			 iso[11];

	CHECK(b.total_due == 6111);
	CHECK(b.credit == 0);
	CHECK(b.has_due_date == 1);
	day_iso(b.due_date, iso, sizeof(iso));
	CHECK_STR(iso, "2020-07-30");
	CHECK(b.past_due == 0);
}

static void
a_partial_payment_lowers_the_total_but_keeps_the_due_date(void)
{
	struct bal_invoice	 inv[] = { { D(2020, 7, 15), 6111, 0 } };
	struct balance		 b = bal(inv, 1, 2000, 0, D(2020, 7, 31));

	CHECK(b.total_due == 4111);
	CHECK(b.has_due_date == 1);
	CHECK(b.due_date == D(2020, 7, 30));
	CHECK(b.past_due == 1);
}

static void
a_pending_payment_is_listed_apart_and_does_not_lower_the_total(void)
{
	struct bal_invoice	 inv[] = { { D(2020, 7, 15), 6111, 0 } };
	struct balance		 b = bal(inv, 1, 0, 6111, D(2020, 7, 20));

	CHECK(b.total_due == 6111);
	CHECK(b.pending == 6111);
	CHECK(b.has_due_date == 1);
	CHECK(b.due_date == D(2020, 7, 30));
}

static void
an_overpayment_owes_nothing_and_shows_the_excess_as_credit(void)
{
	struct bal_invoice	 inv[] = { { D(2020, 7, 15), 6111, 0 } };
	struct balance		 b = bal(inv, 1, 10000, 500, D(2020, 8, 20));

	CHECK(b.total_due == 0);
	CHECK(b.credit == 10000 - 6111);
	CHECK(b.pending == 500);
	CHECK(b.has_due_date == 0);
	CHECK(b.past_due == 0);
}

static void
an_exact_payment_owes_nothing_and_leaves_no_credit(void)
{
	struct bal_invoice	 inv[] = { { D(2020, 7, 15), 6111, 0 } };
	struct balance		 b = bal(inv, 1, 6111, 0, D(2020, 8, 20));

	CHECK(b.total_due == 0);
	CHECK(b.credit == 0);
	CHECK(b.has_due_date == 0);
	CHECK(b.past_due == 0);
}

static void
a_void_invoice_counts_for_nothing(void)
{
	struct bal_invoice	 inv[] = {
		{ D(2020, 6, 15), 9999, 1 },	/* older, void */
		{ D(2020, 7, 15), 6111, 0 },
	};
	struct bal_invoice	 only[] = { { D(2020, 6, 15), 9999, 1 } };
	struct balance		 b = bal(inv, 2, 0, 0, D(2020, 7, 20));

	CHECK(b.total_due == 6111);
	CHECK(b.due_date == D(2020, 7, 30));	/* not the void one's */
	CHECK(b.past_due == 0);
	b = bal(only, 1, 0, 0, D(2020, 7, 20));
	CHECK(b.total_due == 0);
	CHECK(b.has_due_date == 0);
	/* A payment against a void invoice is credit. */
	b = bal(only, 1, 100, 0, D(2020, 7, 20));
	CHECK(b.credit == 100);
}

static void
payments_go_to_the_oldest_invoice_first(void)
{
	/* Given newest first: the function sorts by issue date. */
	struct bal_invoice	 inv[] = {
		{ D(2020, 7, 15), 6111, 0 },
		{ D(2020, 6, 15), 5000, 0 },
	};
	struct balance		 b;

	b = bal(inv, 2, 0, 0, D(2020, 7, 20));
	CHECK(b.total_due == 11111);
	CHECK(b.due_date == D(2020, 6, 30));
	CHECK(b.past_due == 1);

	/* Part of the June invoice paid: still June's due date. */
	b = bal(inv, 2, 4999, 0, D(2020, 7, 20));
	CHECK(b.total_due == 6112);
	CHECK(b.due_date == D(2020, 6, 30));
	CHECK(b.past_due == 1);

	/* June paid in full: the due date moves to July's, not past due. */
	b = bal(inv, 2, 5000, 0, D(2020, 7, 20));
	CHECK(b.total_due == 6111);
	CHECK(b.due_date == D(2020, 7, 30));
	CHECK(b.past_due == 0);

	b = bal(inv, 2, 5001, 0, D(2020, 7, 20));
	CHECK(b.total_due == 6110);
	CHECK(b.due_date == D(2020, 7, 30));
}

static void
invoices_of_the_same_day_keep_their_order_and_zero_ones_are_paid(void)
{
	struct bal_invoice	 inv[] = {
		{ D(2020, 7, 15), 100, 0 },
		{ D(2020, 5, 15), 0, 0 },	/* nothing to pay: never due */
		{ D(2020, 6, 15), 100, 0 },
		{ D(2020, 6, 15), 200, 0 },
	};
	struct balance		 b;

	b = bal(inv, 4, 0, 0, D(2020, 7, 1));
	CHECK(b.due_date == D(2020, 6, 30));
	CHECK(inv[0].total_minor == 0);		/* sorted in place */
	CHECK(inv[1].total_minor == 100);	/* stably */
	CHECK(inv[2].total_minor == 200);
	b = bal(inv, 4, 300, 0, D(2020, 7, 1));
	CHECK(b.due_date == D(2020, 7, 30));
}

/* Due today in zone tz at instant now, then due yesterday. */
static void
due_today_then_yesterday(const char *tz, time_t now, int32_t local_today)
{
	struct bal_invoice	 today_due[] = {
		{ local_today - TERMS, 6111, 0 }
	};
	struct bal_invoice	 yesterday_due[] = {
		{ local_today - TERMS - 1, 6111, 0 }
	};
	struct balance		 b;
	int32_t			 today = day_today(tz, now);

	CHECK(today == local_today);
	b = bal(today_due, 1, 0, 0, today);
	CHECK(b.due_date == local_today);
	CHECK(b.past_due == 0);
	b = bal(yesterday_due, 1, 0, 0, today);
	CHECK(b.due_date == local_today - 1);
	CHECK(b.past_due == 1);
}

static void
past_due_compares_with_today_in_new_york(void)
{
	due_today_then_yesterday("America/New_York", T_SPLIT, D(2026, 3, 9));
}

static void
past_due_compares_with_today_in_tokyo(void)
{
	due_today_then_yesterday("Asia/Tokyo", T_SPLIT, D(2026, 3, 10));
}

static void
an_invoice_due_on_the_tokyo_date_is_past_due_there_only(void)
{
	/* Due 2026-03-09: in Tokyo that was yesterday, in New York today. */
	struct bal_invoice	 inv[] = { { D(2026, 2, 22), 6111, 0 } };

	CHECK(bal(inv, 1, 0, 0, day_today("Asia/Tokyo", T_SPLIT)).past_due);
	CHECK(!bal(inv, 1, 0, 0,
	    day_today("America/New_York", T_SPLIT)).past_due);
}

static void
today_follows_the_zone_across_midnight_and_back_in_time(void)
{
	/* 2026-03-10T03:59:59Z is 23:59:59 EDT, 04:00:00Z the next day. */
	CHECK(day_today("America/New_York", T_SPLIT + 2 * 3600 - 1) ==
	    D(2026, 3, 9));
	CHECK(day_today("America/New_York", T_SPLIT + 2 * 3600) ==
	    D(2026, 3, 10));
	/* Cached entries never answer for an earlier instant. */
	CHECK(day_today("America/New_York", T_SPLIT) == D(2026, 3, 9));
	/* Asia/Tokyo midnight: 2026-03-10T15:00:00Z. */
	CHECK(day_today("Asia/Tokyo", T_SPLIT + 13 * 3600 - 1) ==
	    D(2026, 3, 10));
	CHECK(day_today("Asia/Tokyo", T_SPLIT + 13 * 3600) ==
	    D(2026, 3, 11));
	CHECK(day_today("UTC", T_SPLIT) == D(2026, 3, 10));
	CHECK(day_today("UTC", 0) == D(1970, 1, 1));
	CHECK(day_today("UTC", -1) == D(1969, 12, 31));
}

/* Day by day_today() and by an uncached localtime agree on [from, to). */
static int
agrees(const char *tz, time_t from, time_t to, time_t step)
{
	struct tm	 tm;
	time_t		 t;
	int32_t		 want;

	for (t = from; t < to; t += step) {
		setenv("TZ", tz, 1);
		tzset();
		localtime_r(&t, &tm);
		unsetenv("TZ");
		tzset();
		want = D(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
		if (day_today(tz, t) != want) {
			fprintf(stderr, "    %s at %lld\n", tz, (long long)t);
			return 0;
		}
	}
	return 1;
}

static void
today_in_many_zones_agrees_with_an_uncached_reading(void)
{
	static const char	*zones[] = {
		"America/New_York", "Asia/Tokyo", "Europe/London",
		"Australia/Sydney", "America/Toronto", "Pacific/Kiritimati",
		"Pacific/Pago_Pago", "Asia/Kolkata", "America/St_Johns",
		"Europe/Paris", "UTC",
	};
	size_t		 z;
	time_t		 t;

	/*
	 * Every 7 minutes over 4 days around a DST change, 11 zones taking
	 * turns in a cache of 8.
	 */
	for (t = T_SPLIT - 2 * 86400; t < T_SPLIT + 2 * 86400; t += 420)
		for (z = 0; z < sizeof(zones) / sizeof(zones[0]); z++)
			if (!agrees(zones[z], t, t + 1, 1)) {
				CHECK(0);
				return;
			}
}

static void
today_is_right_when_dst_moves_midnight_in_santiago(void)
{
	/* 2026-04-05T03:00Z: 00:00 -03 goes back to 23:00 -04 on the 4th. */
	CHECK(agrees("America/Santiago", 1775358000 - 3 * 3600,
	    1775358000 + 3 * 3600, 60));
	/* 2026-09-06T04:00Z: 00:00 -04 jumps to 01:00 -03. */
	CHECK(agrees("America/Santiago", 1788667200 - 3 * 3600,
	    1788667200 + 3 * 3600, 60));
	CHECK(day_today("America/Santiago", 1775358000) == D(2026, 4, 4));
	CHECK(day_today("America/Santiago", 1788667200) == D(2026, 9, 6));
}

static void
day_today_leaves_tz_as_it_found_it(void)
{
	setenv("TZ", "Europe/Paris", 1);
	(void)day_today("Asia/Kathmandu", T_SPLIT + 12345);
	CHECK_STR(getenv("TZ"), "Europe/Paris");
	unsetenv("TZ");
	(void)day_today("Asia/Kathmandu", T_SPLIT + 12346 + 7200);
	CHECK(getenv("TZ") == NULL);
}

static void
impossible_dates_are_refused(void)
{
	CHECK(D(2021, 2, 29) == INT32_MIN);
	CHECK(D(1900, 2, 29) == INT32_MIN);	/* not a leap year */
	CHECK(D(2100, 2, 29) == INT32_MIN);
	CHECK(D(2020, 4, 31) == INT32_MIN);
	CHECK(D(2020, 0, 1) == INT32_MIN);
	CHECK(D(2020, 13, 1) == INT32_MIN);
	CHECK(D(2020, 1, 0) == INT32_MIN);
	CHECK(D(2020, 1, 32) == INT32_MIN);
	CHECK(D(0, 1, 1) == INT32_MIN);
	CHECK(D(10000, 1, 1) == INT32_MIN);
}

static void
day_numbers_match_known_dates(void)
{
	char	 iso[11];

	CHECK(D(1970, 1, 1) == 0);
	CHECK(D(1969, 12, 31) == -1);
	CHECK(D(2000, 3, 1) == 11017);
	CHECK(D(2000, 2, 29) == 11016);
	CHECK(D(1900, 3, 1) == -25508);
	CHECK(D(1900, 2, 28) == -25509);
	CHECK(D(2100, 2, 28) == 47540);
	CHECK(D(2100, 3, 1) == 47541);
	CHECK(D(1, 1, 1) == -719162);
	CHECK(D(9999, 12, 31) == 2932896);
	CHECK(D(2038, 1, 19) == 24855);		/* int32 time_t's last day */
	day_iso(D(2000, 2, 29), iso, sizeof(iso));
	CHECK_STR(iso, "2000-02-29");
	day_iso(D(1, 1, 1), iso, sizeof(iso));
	CHECK_STR(iso, "0001-01-01");
	day_iso(0, iso, 5);
	CHECK_STR(iso, "1970");
}

static void
day_numbers_round_trip_from_year_1_to_9999(void)
{
	int32_t	 day, first = D(1, 1, 1), last = D(9999, 12, 31);
	int	 y, m, d, py = 1, pm = 1, pd = 0;

	for (day = first; day <= last; day++) {
		ymd_from_day(day, &y, &m, &d);
		/* Each day follows the previous one on the calendar. */
		if (!((y == py && m == pm && d == pd + 1) ||
		    (y == py && m == pm + 1 && d == 1) ||
		    (y == py + 1 && m == 1 && d == 1 && pm == 12)) ||
		    D(y, m, d) != day) {
			CHECK(D(y, m, d) == day);
			fprintf(stderr, "    at %d-%02d-%02d\n", y, m, d);
			return;
		}
		py = y;
		pm = m;
		pd = d;
	}
	CHECK(y == 9999 && m == 12 && d == 31);
}

static void
day_numbers_convert_far_outside_the_iso_years(void)
{
	int	 y, m, d;

	ymd_from_day(INT32_MIN, &y, &m, &d);
	CHECK(y == -5877641 && m == 6 && d == 23);
	ymd_from_day(INT32_MAX, &y, &m, &d);
	CHECK(y == 5881580 && m == 7 && d == 11);
}

int
main(void)
{
	RUN(an_invoice_sum_beyond_int64_is_refused);
	RUN(negative_inputs_are_refused);
	RUN(a_due_date_beyond_the_day_range_is_refused);
	RUN(impossible_dates_are_refused);
	RUN(no_invoices_means_nothing_owed_and_no_due_date);
	RUN(one_open_invoice_is_due_terms_days_after_it_is_issued);
	RUN(a_partial_payment_lowers_the_total_but_keeps_the_due_date);
	RUN(a_pending_payment_is_listed_apart_and_does_not_lower_the_total);
	RUN(an_overpayment_owes_nothing_and_shows_the_excess_as_credit);
	RUN(an_exact_payment_owes_nothing_and_leaves_no_credit);
	RUN(a_void_invoice_counts_for_nothing);
	RUN(payments_go_to_the_oldest_invoice_first);
	RUN(invoices_of_the_same_day_keep_their_order_and_zero_ones_are_paid);
	RUN(past_due_compares_with_today_in_new_york);
	RUN(past_due_compares_with_today_in_tokyo);
	RUN(an_invoice_due_on_the_tokyo_date_is_past_due_there_only);
	RUN(today_follows_the_zone_across_midnight_and_back_in_time);
	RUN(today_in_many_zones_agrees_with_an_uncached_reading);
	RUN(today_is_right_when_dst_moves_midnight_in_santiago);
	RUN(day_today_leaves_tz_as_it_found_it);
	RUN(day_numbers_match_known_dates);
	RUN(day_numbers_round_trip_from_year_1_to_9999);
	RUN(day_numbers_convert_far_outside_the_iso_years);
	return DONE();
}
