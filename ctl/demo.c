/*
 * billgwctl demo: the documented demo data (docs/demo.md) in every region,
 * and on request N generated accounts per region.
 *
 * Idempotent: accounts, invoices and payments are keyed by their number or
 * reference and kept when present; a user that exists is not hashed again;
 * directory entries already homed in the region are fine.  Invoice dates
 * are relative to today, so "due date ahead" and "past due" stay true
 * (due = issued + payment_terms_days).
 *
 * Generated accounts are numbered 9<region digit><8-digit sequence>; --accounts
 * N makes sure sequences 1..N exist, so a second run adds nothing.  Each has
 * a main billing contact (gen-<region>-<7-digit sequence>), two invoices and
 * one or two payments, written in blocks of DEMO_BATCH accounts: one
 * multi-row INSERT per table inside one transaction per block, and one
 * multi-row INSERT into the directory per block.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/directory.h"
#include "auth/identifier.h"
#include "auth/password.h"
#include "ctl/ctl.h"
#include "regions/config.h"
#include "regions/dbroute.h"
#include "regions/money.h"
#include "sql/accounts.h"
#include "sql/billing.h"
#include "sql/db.h"

#define DEMO_PASSWORD		"Demo-Passw0rd!"	/* client IDs, numbers */
#define DEMO_CORP_PASSWORD	"Corp-Passw0rd!"	/* corporate User IDs */
#define DEMO_GEN_PASSWORD	"Gen-Passw0rd!"		/* generated users */
#define DEMO_BATCH		500	/* accounts per transaction */
#define BULK_ON			"SET @billgw_bulk = 1"
#define BULK_OFF		"SET @billgw_bulk = NULL"
#define DEMO_MESSAGE \
	"Welcome to the Billing Center. Invoices are issued at month end " \
	"and due within the payment terms of your region."

enum when { AHEAD, PAST_DUE, LONG_AGO };
enum pay { PAY_NONE, PAY_PROCESSED, PAY_PENDING };

struct demo_user {
	const char	*client;	/* "%s": the region code */
	const char	*role;
	int		 is_main;
	const char	*name;
	const char	*email;		/* "%s": the region code */
};

static const struct demo_account {
	int			 k;		/* the last digit of the number */
	const char		*company;
	const char		*kind;
	const char		*portal;
	struct demo_user	 users[2];
	const char		*corporate[2];	/* User IDs, "%s": region */
	int64_t			 cents;		/* of the one invoice */
	enum when		 issued;
	enum pay		 pay;
} accounts[] = {
	{ 1, "Acme Corp", "standard", "billing_center",
	  { { "acme-%s", "super_admin", 1, "Alice Adams",
	      "alice.adams@acme-%s.example" },
	    { "acme-member-%s", "member", 0, "Mark Miller",
	      "mark.miller@acme-%s.example" } },
	  { NULL, NULL }, 6111, AHEAD, PAY_NONE },
	{ 2, "Globex Corporation", "corporate", "billing_center",
	  { { "globex-%s", "super_admin", 1, "Grace Green",
	      "grace.green@globex-%s.example" } },
	  { "globex-ap-%s", "ap@globex-%s.example" }, 125000, AHEAD,
	  PAY_NONE },
	{ 3, "Initech", "standard", "regional",
	  { { "initech-%s", "super_admin", 1, "Ian Irwin",
	      "ian.irwin@initech-%s.example" } },
	  { NULL, NULL }, 4999, LONG_AGO, PAY_PROCESSED },
	{ 4, "Umbrella Ltd", "standard", "billing_center",
	  { { "umbrella-%s", "view_pay", 1, "Uma Underwood",
	      "uma.underwood@umbrella-%s.example" } },
	  { NULL, NULL }, 8950, AHEAD, PAY_PENDING },
	{ 5, "Hooli Inc", "standard", "billing_center",
	  { { "hooli-%s", "super_admin", 1, "Hank Hill",
	      "hank.hill@hooli-%s.example" } },
	  { NULL, NULL }, 20000, PAST_DUE, PAY_NONE },
};

/* The digit that tells demo identifiers of one region from another's. */
static int
region_digit(const char *code, int index)
{
	static const char *const known[] = { "us", "ca", "eu", "apac" };
	int	 i;

	for (i = 0; i < 4; i++)
		if (strcmp(code, known[i]) == 0)
			return i + 1;
	return index + 5;
}

static const char *
region_country(const char *code)
{
	if (strcmp(code, "us") == 0)
		return "US";
	if (strcmp(code, "ca") == 0)
		return "CA";
	if (strcmp(code, "eu") == 0)
		return "DE";
	if (strcmp(code, "apac") == 0)
		return "AU";
	return "US";
}

/* YYYY-MM-DD of today (UTC) minus days. */
static void
date_ago(int days, char out[11])
{
	time_t		 t = time(NULL) - (time_t)days * 86400;
	struct tm	 tm;

	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* Issue date offset (days ago) for when under terms days of credit. */
static int
issued_days_ago(enum when w, int terms)
{
	switch (w) {
	case AHEAD:
		return terms / 3;		/* due in 2/3 of the terms */
	case PAST_DUE:
		return terms + 20;		/* due 20 days ago */
	case LONG_AGO:
		break;
	}
	return terms + 40;
}

static int
report(const char *code, const char *what, struct db *db, enum db_res r)
{
	if (r == DB_OK)
		return 0;
	ctl_err("region %s: %s: %s %s", code, what, db_res_str(r),
	    db_last_error(db));
	return -1;
}

/* Make id (of kind, text s) homed in region code. */
static int
demo_directory(struct ctl *c, const char *code, enum ident_kind kind,
    const char *s)
{
	struct ident	 id;
	char		 holder[32];
	int		 created;
	enum db_res	 r;

	if (ident_classify(s, strlen(s), kind == IDENT_CORPORATE_USER_ID ?
	    IDENT_SCOPE_CORPORATE : IDENT_SCOPE_BILLING_CENTER, &id) !=
	    IDENT_OK || id.kind != kind) {
		ctl_err("demo identifier %s is not valid", s);
		return -1;
	}
	r = directory_put(c->dir, dbroute_directory(c->dr), &id, code,
	    &created, holder, sizeof(holder));
	if (r == DB_CONFLICT) {
		ctl_err("demo identifier %s is homed in region %s", s, holder);
		return -1;
	}
	return report(code, "directory", dbroute_directory(c->dr), r);
}

static int
demo_hash(char *hash, const char *pw)
{
	if (password_hash(pw, strlen(pw), hash) == -1) {
		ctl_err("cannot hash a demo password");
		return -1;
	}
	return 0;
}

/* The fixed demo accounts of region ri. */
static int
demo_fixed(struct ctl *c, int ri)
{
	const struct region_conf	*rc = &c->cf.regions[ri];
	const struct demo_account	*a;
	struct db			*db = dbroute_region(c->dr, ri);
	struct account_new		 an;
	struct user_new			 un;
	struct corporate_user_new	 cn;
	struct invoice_new		 in;
	struct payment_new		 pn;
	char				 num[32], cid[40], email[128];
	char				 inv[32], ref[32], date[11], upper[16];
	char				 hash[PASSWORD_HASH_MAX];
	int64_t				 id, uid, minor;
	size_t				 i, u;
	int				 d, e, j;

	d = region_digit(rc->code, ri);
	if ((e = money_exponent(rc->currency)) == -1) {
		ctl_err("region %s: currency %s unknown", rc->code,
		    rc->currency);
		return -1;
	}
	for (j = 0; rc->code[j] != '\0' && j < 15; j++)
		upper[j] = (char)(rc->code[j] & ~0x20);
	upper[j] = '\0';
	for (i = 0; i < sizeof(accounts) / sizeof(accounts[0]); i++) {
		a = &accounts[i];
		snprintf(num, sizeof(num), "100%d456%d", d, a->k);
		an = (struct account_new){ num, a->company, a->kind,
		    a->portal, region_country(rc->code) };
		if (demo_directory(c, rc->code, IDENT_ACCOUNT_NUMBER, num) ||
		    report(rc->code, "account", db,
		    accounts_add(db, &an, 1, &id)) ||
		    report(rc->code, "message", db,
		    messages_ensure(db, id, DEMO_MESSAGE)))
			return -1;
		for (u = 0; u < 2 && a->users[u].client != NULL; u++) {
			snprintf(cid, sizeof(cid), a->users[u].client,
			    rc->code);
			snprintf(email, sizeof(email), a->users[u].email,
			    rc->code);
			if (demo_directory(c, rc->code, IDENT_CLIENT_ID, cid))
				return -1;
			if (users_exists(db, cid) == DB_OK)
				continue;
			if (demo_hash(hash, DEMO_PASSWORD))
				return -1;
			un = (struct user_new){ id, cid, a->users[u].role,
			    a->users[u].is_main, a->users[u].name, email,
			    hash };
			if (report(rc->code, "user", db,
			    users_add(db, &un, &uid)))
				return -1;
		}
		for (u = 0; u < 2 && a->corporate[u] != NULL; u++) {
			snprintf(cid, sizeof(cid), a->corporate[u], rc->code);
			if (demo_directory(c, rc->code,
			    IDENT_CORPORATE_USER_ID, cid))
				return -1;
			if (corporate_users_exists(db, cid) == DB_OK)
				continue;
			if (demo_hash(hash, DEMO_CORP_PASSWORD))
				return -1;
			snprintf(email, sizeof(email), a->users[0].email,
			    rc->code);
			cn = (struct corporate_user_new){ id, cid,
			    a->users[0].name, email, hash };
			if (report(rc->code, "corporate user", db,
			    corporate_users_add(db, &cn, &uid)))
				return -1;
		}
		/* cents to the currency's minor units (JPY: whole units). */
		minor = a->cents;
		for (j = e; j < 2; j++)
			minor /= 10;
		for (j = 2; j < e; j++)
			minor *= 10;
		snprintf(inv, sizeof(inv), "INV-%s-%d001", upper, a->k);
		date_ago(issued_days_ago(a->issued, rc->payment_terms_days),
		    date);
		in = (struct invoice_new){ id, inv, "service", date, minor,
		    rc->currency, 0 };
		if (report(rc->code, "invoice", db, invoices_add(db, &in, 1)))
			return -1;
		if (a->pay == PAY_NONE)
			continue;
		snprintf(ref, sizeof(ref), "DEMO-%s-%d001", upper, a->k);
		pn = (struct payment_new){ id, minor, rc->currency,
		    a->pay == PAY_PENDING ? "pending" : "processed", ref,
		    NULL };
		if (report(rc->code, "payment", db, payments_add(db, &pn, 1)))
			return -1;
	}
	password_wipe(hash, sizeof(hash));
	return 0;
}

/* The arrays of one block of generated accounts. */
struct block {
	struct account_new		 a[DEMO_BATCH];
	struct user_new			 u[DEMO_BATCH];
	struct invoice_new		 inv[2 * DEMO_BATCH];
	struct payment_new		 pay[2 * DEMO_BATCH];
	struct ident			 ids[2 * DEMO_BATCH];
	int64_t				 acct_id[DEMO_BATCH];
	char				 num[DEMO_BATCH][40];
	char				 company[DEMO_BATCH][40];
	char				 name[DEMO_BATCH][32];
	char				 email[DEMO_BATCH][64];
	char				 invno[2 * DEMO_BATCH][48];
};

/*
 * Write generated accounts first..last (sequence numbers) of region ri as
 * one block.  hash is the one precomputed password hash they all share.
 */
static int
demo_block(struct ctl *c, int ri, struct block *b, long first, long last,
    const char *hash, const char *d_old, const char *d_new)
{
	const struct region_conf	*rc = &c->cf.regions[ri];
	struct db			*db = dbroute_region(c->dr, ri);
	struct db			*ddb = dbroute_directory(c->dr);
	size_t				 n = (size_t)(last - first + 1), i, np = 0;
	long				 s;
	int				 d = region_digit(rc->code, ri);
	int64_t				 v1, v2;
	uint64_t			 filled;
	enum db_res			 r;

	for (i = 0; i < n; i++) {
		s = first + (long)i;
		snprintf(b->num[i], sizeof(b->num[i]), "9%d%08ld", d, s);
		snprintf(b->company[i], sizeof(b->company[i]),
		    "Generated Customer %ld", s);
		snprintf(b->name[i], sizeof(b->name[i]), "Contact %ld", s);
		snprintf(b->email[i], sizeof(b->email[i]),
		    "contact%ld@gen-%s.example", s, rc->code);
		b->a[i] = (struct account_new){ b->num[i], b->company[i],
		    "standard", s % 10 == 0 ? "regional" : "billing_center",
		    region_country(rc->code) };
		/* Directory entries: the account number and the client ID. */
		memset(&b->ids[2 * i], 0, 2 * sizeof(b->ids[0]));
		b->ids[2 * i].kind = IDENT_ACCOUNT_NUMBER;
		b->ids[2 * i].len = (size_t)snprintf(b->ids[2 * i].norm,
		    sizeof(b->ids[2 * i].norm), "%s", b->num[i]);
		b->ids[2 * i + 1].kind = IDENT_CLIENT_ID;
		b->ids[2 * i + 1].len = (size_t)snprintf(
		    b->ids[2 * i + 1].norm, sizeof(b->ids[2 * i + 1].norm),
		    "gen-%s-%07ld", rc->code, s);
	}
	if (report(rc->code, "directory", ddb, directory_put_batch(c->dir,
	    ddb, b->ids, 2 * n, rc->code)))
		return -1;
	if ((r = db_begin(db)) != DB_OK ||
	    (r = accounts_add_batch(db, b->a, n, b->acct_id)) != DB_OK)
		goto fail;
	for (i = 0; i < n; i++) {
		s = first + (long)i;
		b->u[i] = (struct user_new){ b->acct_id[i],
		    b->ids[2 * i + 1].norm, "super_admin", 1, b->name[i],
		    b->email[i], hash };
		v1 = 1000 + (s * 37) % 90000;
		v2 = 500 + (s * 91) % 50000;
		snprintf(b->invno[2 * i], sizeof(b->invno[0]), "G%d-%08ld-1",
		    d, s);
		snprintf(b->invno[2 * i + 1], sizeof(b->invno[0]),
		    "G%d-%08ld-2", d, s);
		b->inv[2 * i] = (struct invoice_new){ b->acct_id[i],
		    b->invno[2 * i], "service", d_old, v1, rc->currency, 0 };
		b->inv[2 * i + 1] = (struct invoice_new){ b->acct_id[i],
		    b->invno[2 * i + 1], s % 7 == 0 ? "hardware" : "service",
		    d_new, v2, rc->currency, 0 };
		/* The old invoice is paid; one in four pays the new one too. */
		b->pay[np++] = (struct payment_new){ b->acct_id[i], v1,
		    rc->currency, "processed", NULL, NULL };
		if (s % 4 == 0)
			b->pay[np++] = (struct payment_new){ b->acct_id[i], v2,
			    rc->currency, "pending", NULL, NULL };
	}
	if ((r = users_add_batch(db, b->u, n)) != DB_OK ||
	    (r = invoices_add_batch(db, b->inv, 2 * n)) != DB_OK ||
	    (r = payments_add_batch(db, b->pay, np)) != DB_OK ||
	    (r = accounts_fill_digests(db, b->acct_id[0],
	    b->acct_id[n - 1], &filled)) != DB_OK ||
	    (r = db_commit(db)) != DB_OK)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return report(rc->code, "generated accounts", db, r);
}

static double
now_s(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Make sure region ri has generated accounts 1..n; *made counts new ones. */
static int
demo_generate(struct ctl *c, int ri, long n, const char *hash, long *made)
{
	const struct region_conf	*rc = &c->cf.regions[ri];
	struct db			*db = dbroute_region(c->dr, ri);
	struct block			*b;
	char				 lo[32], hi[32], max[32];
	char				 d_old[11], d_new[11];
	int				 d = region_digit(rc->code, ri);
	long				 have = 0, first, last;
	enum db_res			 r;

	*made = 0;
	snprintf(lo, sizeof(lo), "9%d%08d", d, 1);
	snprintf(hi, sizeof(hi), "9%d%08d", d, 99999999);
	r = accounts_max_in_range(db, lo, hi, max);
	if (r == DB_OK)
		have = strtol(max + strlen(max) - 8, NULL, 10);
	else if (report(rc->code, "generated accounts", db,
	    r == DB_NOTFOUND ? DB_OK : r))
		return -1;
	if (have >= n)
		return 0;
	if ((b = malloc(sizeof(*b))) == NULL) {
		ctl_err("out of memory");
		return -1;
	}
	date_ago(rc->payment_terms_days + 30, d_old);
	date_ago(rc->payment_terms_days / 3, d_new);
	/*
	 * Only new accounts are written here, which no worker can hold a
	 * summary of: skip the triggers' version bumps and digests
	 * (migrations 004 and 005); each block computes its accounts'
	 * digests once, at its end.
	 */
	if (report(rc->code, "generated accounts", db,
	    db_exec_text(db, BULK_ON, sizeof(BULK_ON) - 1))) {
		free(b);
		return -1;
	}
	for (first = have + 1; first <= n; first = last + 1) {
		last = first + DEMO_BATCH - 1 < n ? first + DEMO_BATCH - 1 : n;
		if (demo_block(c, ri, b, first, last, hash, d_old, d_new)) {
			free(b);
			return -1;
		}
		*made += last - first + 1;
	}
	free(b);
	return report(rc->code, "generated accounts", db,
	    db_exec_text(db, BULK_OFF, sizeof(BULK_OFF) - 1)) ? -1 : 0;
}

int
demo_run(struct ctl *c, long naccounts)
{
	char		 hash[PASSWORD_HASH_MAX];
	double		 t0, t1, all0;
	long		 made, total = 0;
	size_t		 i;

	if (ctl_directory(c) == NULL)
		return CTL_EXIT_FAIL;
	for (i = 0; i < c->cf.nregions; i++) {
		if (demo_fixed(c, (int)i) == -1)
			return CTL_EXIT_FAIL;
		printf("region %s: demo accounts ready\n",
		    c->cf.regions[i].code);
	}
	if (naccounts == 0)
		return CTL_EXIT_OK;
	/*
	 * One hash for every generated user: argon2id is slow by design
	 * (tens of milliseconds and 32 MiB each), so hashing 100,000 users
	 * per region would take hours.  They all share DEMO_GEN_PASSWORD.
	 */
	if (demo_hash(hash, DEMO_GEN_PASSWORD))
		return CTL_EXIT_FAIL;
	all0 = now_s();
	for (i = 0; i < c->cf.nregions; i++) {
		t0 = now_s();
		if (demo_generate(c, (int)i, naccounts, hash, &made) == -1)
			return CTL_EXIT_FAIL;
		t1 = now_s();
		total += made;
		printf("region %s: %ld generated account(s) added in %.1f s "
		    "(%.0f accounts/s)\n", c->cf.regions[i].code, made,
		    t1 - t0, made > 0 ? (double)made / (t1 - t0) : 0.0);
	}
	t1 = now_s();
	printf("generated %ld account(s) in %.1f s: %.0f accounts/s\n", total,
	    t1 - all0, total > 0 ? (double)total / (t1 - all0) : 0.0);
	return CTL_EXIT_OK;
}
