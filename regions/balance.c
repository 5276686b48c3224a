/*
 * Balances, due dates and day numbers (SPEC section 6).  See balance.h.
 *
 * Everything here but day_today() is pure: no clock, no database, no
 * allocation.  Money is int64 minor units and every sum is checked before
 * it is made.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "regions/balance.h"

#define DAY_SECS		86400
#define TODAY_CACHE_MAX		8	/* zones: one per region is plenty */
#define TODAY_CACHE_SECS	3600	/* at most, whatever the zone does */

/*
 * Sort inv[0..n) by issue date, keeping the given order among invoices of
 * the same day (insertion sort: stable, and linear on the sorted input the
 * database gives; n is at most a few thousand).
 */
static void
invoices_sort(struct bal_invoice *inv, size_t n)
{
	struct bal_invoice	 t;
	size_t			 i, j;

	for (i = 1; i < n; i++) {
		t = inv[i];
		for (j = i; j > 0 && inv[j - 1].issued > t.issued; j--)
			inv[j] = inv[j - 1];
		inv[j] = t;
	}
}

int
balance_compute(struct bal_invoice *inv, size_t n, int64_t processed,
    int64_t pending, int terms_days, int32_t today, struct balance *out)
{
	struct balance	 b;
	int64_t		 total = 0, paid_through = 0, due;
	size_t		 i;

	if (processed < 0 || pending < 0 || terms_days < 0 ||
	    (n > 0 && inv == NULL))
		return -1;
	for (i = 0; i < n; i++) {
		if (inv[i].total_minor < 0)
			return -1;
		if (inv[i].is_void)
			continue;
		if (total > INT64_MAX - inv[i].total_minor)
			return -1;
		total += inv[i].total_minor;
	}

	memset(&b, 0, sizeof(b));
	b.pending = pending;
	if (processed >= total) {
		/* Nothing owed: the excess, if any, is a credit. */
		b.credit = processed - total;
		*out = b;
		return 0;
	}
	b.total_due = total - processed;

	/*
	 * Processed payments pay the oldest invoices first: the oldest invoice
	 * not fully paid is the first whose running total passes what was
	 * paid.  It exists, since total > processed; a void or zero invoice
	 * never passes.
	 */
	invoices_sort(inv, n);
	for (i = 0; i < n; i++) {
		if (inv[i].is_void)
			continue;
		/* At most total: no overflow. */
		paid_through += inv[i].total_minor;
		if (paid_through > processed)
			break;
	}
	due = (int64_t)inv[i].issued + terms_days;
	if (due > INT32_MAX)
		return -1;
	b.has_due_date = 1;
	b.due_date = (int32_t)due;
	/* Due today is not past due. */
	b.past_due = b.due_date < today;
	*out = b;
	return 0;
}

/*
 * Days from civil and back: Howard Hinnant's algorithms ("chrono-Compatible
 * Low-Level Date Algorithms"), in 400-year eras of 146097 days, with March
 * as the first month so that February's length comes last.  Proleptic
 * Gregorian; day 0 is 1970-01-01, which is day 719468 from 0000-03-01.
 */
/* Days of y-m-d from 1970-01-01, for any y, m in 1..12 and d in 1..31. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t	 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;					/* [0, 399] */
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;	/* [0, 365] */
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;	/* [0, 146096] */
	return era * 146097 + doe - 719468;
}

int32_t
day_from_ymd(int y, int m, int d)
{
	static const int	 mdays[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	int			 leap, last;

	/* The years "YYYY-MM-DD" can write (and MariaDB's DATE can hold). */
	if (y < 1 || y > 9999 || m < 1 || m > 12)
		return INT32_MIN;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	last = mdays[m - 1] + (m == 2 && leap);
	if (d < 1 || d > last)
		return INT32_MIN;
	return (int32_t)days_from_civil(y, m, d);
}

void
ymd_from_day(int32_t day, int *y, int *m, int *d)
{
	int64_t	 z, era, doe, yoe, doy, mp;

	z = (int64_t)day + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;				/* [0, 146096] */
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);		/* [0, 365] */
	mp = (5 * doy + 2) / 153;				/* [0, 11] */
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

void
day_iso(int32_t day, char *buf, size_t len)
{
	int	 y, m, d;

	if (len == 0)
		return;
	ymd_from_day(day, &y, &m, &d);
	/* Outside years 0..9999 the text is longer: snprintf cuts it. */
	(void)snprintf(buf, len, "%04d-%02d-%02d", y, m, d);
}

/* A day count clamped into the int32 day numbers. */
static int32_t
day_clamp(int64_t day)
{
	return day < INT32_MIN ? INT32_MIN : day > INT32_MAX ? INT32_MAX :
	    (int32_t)day;
}

/*
 * The local date of now in zone tz, through the C library's tzdata reader:
 * TZ is set for the call and put back as it was.  *valid is how many
 * seconds from now, at most cap, the date is sure to stay the same: the rest
 * of the local day as the clock shows it, unless the date at the end of that
 * span differs (a DST jump across midnight), then 0.  Not thread-safe: TZ is
 * process state, and the workers are single-threaded.
 */
static int32_t
day_local(const char *tz, time_t now, time_t cap, time_t *valid)
{
	struct tm	 tm, end;
	time_t		 last;
	const char	*old;
	char		*saved = NULL;
	int		 ok, secs;

	*valid = 0;
	if ((old = getenv("TZ")) != NULL && (saved = strdup(old)) == NULL)
		goto utc;
	if (setenv("TZ", tz, 1) != 0) {
		free(saved);
		goto utc;
	}
	tzset();
	if ((ok = localtime_r(&now, &tm) != NULL)) {
		secs = tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
		*valid = secs < DAY_SECS ? DAY_SECS - secs : 0;
		if (*valid > cap)
			*valid = cap;
		if (*valid > 0 && now <= INT64_MAX - *valid) {
			last = now + *valid - 1;
			if (localtime_r(&last, &end) == NULL ||
			    end.tm_mday != tm.tm_mday ||
			    end.tm_mon != tm.tm_mon ||
			    end.tm_year != tm.tm_year)
				*valid = 0;
		} else
			*valid = 0;
	}
	if (saved != NULL)
		(void)setenv("TZ", saved, 1);
	else
		(void)unsetenv("TZ");
	tzset();
	free(saved);
	if (!ok)
		goto utc;
	return day_clamp(days_from_civil((int64_t)tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday));
utc:
	/*
	 * XXX Out of memory, or an instant localtime cannot convert: the UTC
	 * date, never cached, is the best guess left.
	 */
	*valid = 0;
	return day_clamp(now >= 0 ? now / DAY_SECS :
	    -((-(now + 1)) / DAY_SECS) - 1);
}

int32_t
day_today(const char *tz, time_t now)
{
	static struct {
		char	 tz[64];
		time_t	 from;		/* the entry holds on [from, until) */
		time_t	 until;
		int32_t	 day;
	}		 cache[TODAY_CACHE_MAX];
	static size_t	 next;		/* reused when every slot is taken */
	size_t		 i, slot;
	time_t		 valid;
	int32_t		 day;

	for (i = 0; i < TODAY_CACHE_MAX; i++)
		if (strcmp(cache[i].tz, tz) == 0 && cache[i].from <= now &&
		    now < cache[i].until)
			return cache[i].day;

	day = day_local(tz, now, TODAY_CACHE_SECS, &valid);
	if (valid == 0 || tz[0] == '\0' || strlen(tz) >= sizeof(cache[0].tz))
		return day;
	/* The zone's own slot, else a free one, else round robin. */
	for (slot = 0; slot < TODAY_CACHE_MAX; slot++)
		if (strcmp(cache[slot].tz, tz) == 0)
			break;
	if (slot == TODAY_CACHE_MAX)
		for (slot = 0; slot < TODAY_CACHE_MAX; slot++)
			if (cache[slot].tz[0] == '\0')
				break;
	if (slot == TODAY_CACHE_MAX) {
		slot = next;
		next = (next + 1) % TODAY_CACHE_MAX;
	}
	(void)snprintf(cache[slot].tz, sizeof(cache[slot].tz), "%s", tz);
	cache[slot].from = now;
	cache[slot].until = now + valid;
	cache[slot].day = day;
	return day;
}
