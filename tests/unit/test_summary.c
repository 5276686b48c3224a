/*
 * sql/summary.c against a running stack's us database (BILLGW_CONF, set by
 * scripts/dev test); without it the test fails.  Each test
 * makes accounts of its own (numbers 77PPPPPNN from the process id) and the
 * run deletes them at the end.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "regions/balance.h"
#include "regions/config.h"
#include "regions/dbroute.h"
#include "sql/accounts.h"
#include "sql/billing.h"
#include "sql/db.h"
#include "sql/dsn.h"
#include "sql/summary.h"
#include "dbtest.h"
#include "t.h"

#define HASH	"$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g"

static struct config		 cf;
static struct dbroute		*route;
static struct db		*db;
static int			 us;
static struct account_summary	 s;
static int			 naccounts;
static int64_t			 accounts[16];

/* A new account of this run; its id, or -1. */
static int64_t
account(const char *company, const char *portal)
{
	struct db_exec_info	 info;
	struct db_val		 p[3];
	char			 number[16];

	snprintf(number, sizeof(number), "77%05d%02d", (int)(getpid() % 100000),
	    naccounts);
	p[0] = DB_STR(number);
	p[1] = DB_STR(company);
	p[2] = DB_STR(portal);
	if (naccounts == 16 || db_exec(db, "INSERT INTO accounts (number,"
	    " company, portal, country, billing_cycle, invoice_delivery,"
	    " payment_method, autopay) VALUES (?, ?, ?, 'CA', 'anniversary',"
	    " 'summary', 'credit_card', 1)", p, 3, &info) != DB_OK)
		return -1;
	accounts[naccounts++] = (int64_t)info.insert_id;
	return (int64_t)info.insert_id;
}

static void
sql(const char *q, int64_t id, const char *a, const char *b)
{
	struct db_val	 p[3];
	size_t		 n = 1;

	p[0] = DB_I64(id);
	if (a != NULL)
		p[n++] = DB_STR(a);
	if (b != NULL)
		p[n++] = DB_STR(b);
	CHECK(db_exec(db, q, p, n, NULL) == DB_OK);
}

static void
invoice(int64_t id, const char *number, const char *issued,
    const char *total, int is_void)
{
	struct db_val	 p[5];

	p[0] = DB_I64(id);
	p[1] = DB_STR(number);
	p[2] = DB_STR(issued);
	p[3] = DB_STR(total);
	p[4] = DB_I64(is_void);
	CHECK(db_exec(db, "INSERT INTO invoices (account_id, number,"
	    " issued_on, total_minor, currency, void)"
	    " VALUES (?, ?, ?, ?, 'USD', ?)", p, 5, NULL) == DB_OK);
}

static int64_t
session_status(const char *name)
{
	struct db_result	*res;
	struct db_val		 p = DB_STR(name);
	int64_t			 v = -1;

	if (db_query_row(db, "SELECT VARIABLE_VALUE FROM"
	    " information_schema.SESSION_STATUS WHERE VARIABLE_NAME = ?", &p,
	    1, &res) != DB_OK)
		return -1;
	if (DB_CELL(res, 0, 0)->type == DB_T_TEXT)
		v = strtoll(DB_CELL(res, 0, 0)->s, NULL, 10);
	db_result_free(res);
	return v;
}

static void
an_unknown_account_is_not_found(void)
{
	CHECK(summary_load(db, INT64_MAX, &s) == DB_NOTFOUND);
	CHECK(summary_load(db, 0, &s) == DB_NOTFOUND);
}

static void
more_invoices_than_the_limit_are_an_error(void)
{
	struct invoice_new	 inv[BILLING_BATCH_MAX];
	char			 num[BILLING_BATCH_MAX][32];
	int64_t			 id = account("Many Invoices Inc", "regional");
	size_t			 i;

	CHECK(id > 0);
	for (i = 0; i < BILLING_BATCH_MAX; i++) {
		snprintf(num[i], sizeof(num[i]), "UT%lld-%zu", (long long)id,
		    i);
		inv[i] = (struct invoice_new){ .account_id = id,
		    .number = num[i], .kind = "service",
		    .issued_on = "2020-01-01", .total_minor = 1,
		    .currency = "USD" };
	}
	CHECK(invoices_add_batch(db, inv, BILLING_BATCH_MAX) == DB_OK);
	CHECK(SUMMARY_INVOICES_MAX == BILLING_BATCH_MAX);
	CHECK(summary_load(db, id, &s) == DB_OK);
	CHECK(s.ninvoices == SUMMARY_INVOICES_MAX);
	/* A void one more is still fine; a live one more is not. */
	snprintf(num[0], sizeof(num[0]), "UT%lld-void", (long long)id);
	invoice(id, num[0], "2020-01-02", "5", 1);
	CHECK(summary_load(db, id, &s) == DB_OK);
	snprintf(num[0], sizeof(num[0]), "UT%lld-live", (long long)id);
	invoice(id, num[0], "2020-01-02", "5", 0);
	CHECK(summary_load(db, id, &s) == DB_ERR);
}

static void
an_account_with_nothing_yet_has_zeros_and_no_contact(void)
{
	int64_t	 id = account("Empty Co", "billing_center");

	CHECK(id > 0);
	memset(&s, 0x5a, sizeof(s));
	CHECK(summary_load(db, id, &s) == DB_OK);
	CHECK_STR(s.company, "Empty Co");
	CHECK_STR(s.client_id, "");
	CHECK(s.processed == 0);
	CHECK(s.pending == 0);
	CHECK(s.ninvoices == 0);
	CHECK(s.nmessages == 0);
}

static void
every_field_of_an_account_is_read(void)
{
	/* 200 characters of 4 bytes, 1000 of 3: wider than 1 byte a char. */
	char	 company[801], text[4001], num[32], want[32];
	int64_t	 id;
	size_t	 i;

	for (i = 0; i < 200; i++)
		memcpy(company + 4 * i, "\xf0\x9f\x92\xb0", 4);	/* U+1F4B0 */
	company[800] = '\0';
	for (i = 0; i < 1000; i++)
		memcpy(text + 3 * i, "\xe2\x82\xac", 3);	/* U+20AC */
	text[3000] = '\0';
	CHECK((id = account(company, "regional")) > 0);
	snprintf(num, sizeof(num), "ut-sum-%lld", (long long)id);
	sql("INSERT INTO users (account_id, client_id, role, is_main, name,"
	    " email, password_hash) VALUES (?, ?, 'view_pay', 1, 'Main',"
	    " 'main@example.com', '" HASH "')", id, num, NULL);
	snprintf(want, sizeof(want), "ut-other-%lld", (long long)id);
	sql("INSERT INTO users (account_id, client_id, role, is_main, name,"
	    " email, password_hash) VALUES (?, ?, 'member', 0, 'Other',"
	    " 'other@example.com', '" HASH "')", id, want, NULL);

	/* Out of order on purpose; one void; two on the same day. */
	snprintf(num, sizeof(num), "UT%lld-a", (long long)id);
	invoice(id, num, "2020-07-15", "6111", 0);
	snprintf(num, sizeof(num), "UT%lld-b", (long long)id);
	invoice(id, num, "2020-06-15", "5000", 0);
	snprintf(num, sizeof(num), "UT%lld-c", (long long)id);
	invoice(id, num, "2020-05-15", "9999", 1);
	snprintf(num, sizeof(num), "UT%lld-d", (long long)id);
	invoice(id, num, "2020-06-15", "7", 0);

	sql("INSERT INTO payments (account_id, amount_minor, currency, status)"
	    " VALUES (?, 1000, 'USD', 'processed')", id, NULL, NULL);
	sql("INSERT INTO payments (account_id, amount_minor, currency, status)"
	    " VALUES (?, 234, 'USD', 'processed')", id, NULL, NULL);
	sql("INSERT INTO payments (account_id, amount_minor, currency, status)"
	    " VALUES (?, 500, 'USD', 'pending')", id, NULL, NULL);

	/* Twelve messages over twelve days; two share the latest instant. */
	for (i = 1; i <= 11; i++) {
		snprintf(num, sizeof(num), "2020-07-%02zu 09:00:00", i);
		snprintf(want, sizeof(want), "message %zu", i);
		sql("INSERT INTO messages (account_id, at, text)"
		    " VALUES (?, ?, ?)", id, num, want);
	}
	sql("INSERT INTO messages (account_id, at, text)"
	    " VALUES (?, '2020-07-11 09:00:00', ?)", id, text, NULL);

	memset(&s, 0x5a, sizeof(s));
	CHECK(summary_load(db, id, &s) == DB_OK);
	snprintf(want, sizeof(want), "77%05d%02d", (int)(getpid() % 100000),
	    naccounts - 1);
	CHECK_STR(s.number, want);
	snprintf(want, sizeof(want), "ut-sum-%lld", (long long)id);
	CHECK_STR(s.client_id, want);
	CHECK_STR(s.company, company);
	CHECK_STR(s.kind, "standard");
	CHECK_STR(s.portal, "regional");
	CHECK_STR(s.country, "CA");
	CHECK_STR(s.billing_cycle, "anniversary");
	CHECK_STR(s.invoice_delivery, "summary");
	CHECK_STR(s.payment_method, "credit_card");
	CHECK(s.autopay == 1);
	CHECK(s.processed == 1234);
	CHECK(s.pending == 500);

	CHECK(s.ninvoices == 3);
	CHECK(s.invoices[0].issued == day_from_ymd(2020, 6, 15));
	CHECK(s.invoices[0].total_minor == 5000);
	CHECK(s.invoices[1].issued == day_from_ymd(2020, 6, 15));
	CHECK(s.invoices[1].total_minor == 7);
	CHECK(s.invoices[2].issued == day_from_ymd(2020, 7, 15));
	CHECK(s.invoices[2].total_minor == 6111);
	CHECK(!s.invoices[0].is_void && !s.invoices[1].is_void &&
	    !s.invoices[2].is_void);

	CHECK(s.nmessages == SUMMARY_MESSAGES_MAX);
	CHECK_STR(s.messages[0].at, "2020-07-11T09:00:00Z");
	CHECK_STR(s.messages[0].text, text);
	CHECK_STR(s.messages[1].at, "2020-07-11T09:00:00Z");
	CHECK_STR(s.messages[1].text, "message 11");
	CHECK_STR(s.messages[2].at, "2020-07-10T09:00:00Z");
	CHECK_STR(s.messages[9].at, "2020-07-03T09:00:00Z");
	CHECK_STR(s.messages[9].text, "message 3");
}

static void
a_summary_is_one_statement_prepared_once(void)
{
	int64_t	 prep, exec, id = accounts[naccounts - 1];

	CHECK(summary_load(db, id, &s) == DB_OK);
	(void)session_status("COM_STMT_PREPARE");
	prep = session_status("COM_STMT_PREPARE");
	exec = session_status("COM_STMT_EXECUTE");
	CHECK(summary_load(db, id, &s) == DB_OK);
	CHECK(summary_load(db, id, &s) == DB_OK);
	CHECK(summary_load(db, id, &s) == DB_OK);
	CHECK(session_status("COM_STMT_PREPARE") == prep);
	/*
	 * 3 loads of one statement each, and the two readings since (a
	 * reading counts itself).
	 */
	CHECK(session_status("COM_STMT_EXECUTE") == exec + 3 + 2);
}

/* Set the account's digest (migration 005) by hand; NULL for none. */
static void
set_digest(int64_t id, const char *digest)
{
	struct db_val	 p[2];

	p[0] = digest != NULL ? DB_STR(digest) : DB_NULLV;
	p[1] = DB_I64(id);
	CHECK(db_exec(db, "UPDATE accounts SET digest = ? WHERE id = ?", p, 2,
	    NULL) == DB_OK);
}

static void
every_write_moves_the_digest(void)
{
	int64_t	 x = account("Writes Ltd", "billing_center");
	int64_t	 y = account("Elsewhere Ltd", "billing_center");
	char	 n1[32], n2[32];

	CHECK(x > 0 && y > 0);
	snprintf(n1, sizeof(n1), "UT%lld-w1", (long long)x);
	snprintf(n2, sizeof(n2), "UT%lld-w2", (long long)x);
	invoice(x, n1, "2020-01-15", "100", 0);
	invoice(x, n2, "2020-02-15", "200", 0);
	sql("INSERT INTO payments (account_id, amount_minor, currency, status)"
	    " VALUES (?, 50, 'USD', 'pending')", x, NULL, NULL);
	sql("INSERT INTO messages (account_id, at, text)"
	    " VALUES (?, '2020-03-01 10:00:00', ?)", x, "first", NULL);
	CHECK(summary_load(db, x, &s) == DB_OK);
	CHECK(s.ninvoices == 2);
	CHECK(s.invoices[0].total_minor == 100);
	CHECK(s.invoices[1].total_minor == 200);
	CHECK(s.processed == 0 && s.pending == 50);
	CHECK(s.nmessages == 1);
	CHECK_STR(s.messages[0].text, "first");

	/* Updates: a voided invoice, a processed payment, an edited text. */
	sql("UPDATE invoices SET void = 1 WHERE account_id = ? AND number = ?",
	    x, n1, NULL);
	sql("UPDATE payments SET status = 'processed' WHERE account_id = ?", x,
	    NULL, NULL);
	sql("UPDATE messages SET text = CONCAT('edited ', text)"
	    " WHERE account_id = ?", x, NULL, NULL);
	CHECK(summary_load(db, x, &s) == DB_OK);
	CHECK(s.ninvoices == 1);
	CHECK(s.invoices[0].total_minor == 200);
	CHECK(s.processed == 50 && s.pending == 0);
	CHECK(s.nmessages == 1);
	CHECK_STR(s.messages[0].text, "edited first");

	/* An invoice moved to another account leaves one, joins the other. */
	sql("UPDATE invoices SET account_id = ? WHERE number = ?", y, n2, NULL);
	CHECK(summary_load(db, x, &s) == DB_OK);
	CHECK(s.ninvoices == 0);
	CHECK(summary_load(db, y, &s) == DB_OK);
	CHECK(s.ninvoices == 1);
	CHECK(s.invoices[0].issued == day_from_ymd(2020, 2, 15));

	/* Deletes. */
	sql("DELETE FROM payments WHERE account_id = ?", x, NULL, NULL);
	sql("DELETE FROM messages WHERE account_id = ?", x, NULL, NULL);
	sql("DELETE FROM invoices WHERE account_id = ?", y, NULL, NULL);
	CHECK(summary_load(db, x, &s) == DB_OK);
	CHECK(s.processed == 0 && s.pending == 0 && s.nmessages == 0);
	CHECK(summary_load(db, y, &s) == DB_OK);
	CHECK(s.ninvoices == 0);
}

static void
the_digest_is_what_is_read_and_a_missing_one_is_computed(void)
{
	int64_t	 id = account("Digest Co", "regional");
	char	 num[32];

	CHECK(id > 0);
	snprintf(num, sizeof(num), "UT%lld-d", (long long)id);
	invoice(id, num, "2020-01-15", "300", 0);
	/* The statement reads the digest, not the rows... */
	set_digest(id, "{\"processed\": 7, \"pending\": 8, \"invoices\":"
	    " [[1, 2]], \"messages\": [[\"2020-01-01T00:00:00Z\", \"kept\"]]}");
	CHECK(summary_load(db, id, &s) == DB_OK);
	CHECK(s.processed == 7 && s.pending == 8);
	CHECK(s.ninvoices == 1);
	CHECK(s.invoices[0].issued == 1 && s.invoices[0].total_minor == 2);
	CHECK(s.nmessages == 1);
	CHECK_STR(s.messages[0].text, "kept");
	/* ...and computes it from the rows when there is none. */
	set_digest(id, NULL);
	CHECK(summary_load(db, id, &s) == DB_OK);
	CHECK(s.processed == 0 && s.pending == 0);
	CHECK(s.ninvoices == 1);
	CHECK(s.invoices[0].total_minor == 300);
	CHECK(s.nmessages == 0);
}

static void
a_digest_out_of_range_is_an_error(void)
{
	static const char	*bad[] = {
		"not JSON",
		"[]",
		"{\"processed\": -1, \"pending\": 0, \"invoices\": null,"
		" \"messages\": null}",
		"{\"processed\": 1.5, \"pending\": 0, \"invoices\": null,"
		" \"messages\": null}",
		"{\"processed\": 0, \"processed\": 0, \"invoices\": null,"
		" \"messages\": null}",
		"{\"processed\": 0, \"pending\": 0, \"invoices\": null}",
		"{\"processed\": 0, \"pending\": 0, \"invoices\": null,"
		" \"messages\": null, \"more\": 1}",
		"{\"processed\": 0, \"pending\": 0, \"invoices\": {},"
		" \"messages\": null}",
		"{\"processed\": 0, \"pending\": 0, \"invoices\": [[1]],"
		" \"messages\": null}",
		"{\"processed\": 0, \"pending\": 0, \"invoices\": [[1, -5]],"
		" \"messages\": null}",
		"{\"processed\": 0, \"pending\": 0, \"invoices\":"
		" [[3000000000, 5]], \"messages\": null}",
		"{\"processed\": 0, \"pending\": 0, \"invoices\": null,"
		" \"messages\": [[\"2020-01-01T00:00:00Z\", 5]]}",
		"{\"processed\": 0, \"pending\": 0, \"invoices\": null,"
		" \"messages\": [[\"2020-01-01T00:00:00.000000Z\", \"x\"]]}",
		"{\"processed\": 0, \"pending\": 0, \"invoices\": null,"
		" \"messages\": [[\"a\", \"1\"], [\"a\", \"2\"], [\"a\", \"3\"],"
		" [\"a\", \"4\"], [\"a\", \"5\"], [\"a\", \"6\"], [\"a\", \"7\"],"
		" [\"a\", \"8\"], [\"a\", \"9\"], [\"a\", \"10\"],"
		" [\"a\", \"11\"]]}",
	};
	int64_t			 id = account("Bad Digest Co", "regional");
	size_t			 i;
	enum db_res		 r;

	CHECK(id > 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		set_digest(id, bad[i]);
		if ((r = summary_load(db, id, &s)) != DB_ERR)
			fprintf(stderr, "  bad digest %zu: %d\n", i, (int)r);
		CHECK(r == DB_ERR);
	}
	set_digest(id, NULL);
	CHECK(summary_load(db, id, &s) == DB_OK);
}

/* The account's digest is SQL NULL. */
static int
no_digest(int64_t id)
{
	struct db_result	*res;
	struct db_val		 p = DB_I64(id);
	int			 none;

	if (db_query_row(db, "SELECT digest FROM accounts WHERE id = ?", &p,
	    1, &res) != DB_OK)
		return -1;
	none = DB_CELL(res, 0, 0)->type == DB_T_NULL;
	db_result_free(res);
	return none;
}

static void
a_bulk_load_leaves_the_digest_to_fill(void)
{
	static const char	 on[] = "SET @billgw_bulk = 1";
	static const char	 off[] = "SET @billgw_bulk = NULL";
	int64_t			 id, other;
	uint64_t		 filled;
	char			 num[32];

	/* billgwctl demo: new accounts and their rows, triggers skipped. */
	CHECK(db_exec_text(db, on, sizeof(on) - 1) == DB_OK);
	CHECK((id = account("Bulk Co", "billing_center")) > 0);
	snprintf(num, sizeof(num), "UT%lld-b1", (long long)id);
	invoice(id, num, "2020-01-15", "10", 0);
	sql("INSERT INTO payments (account_id, amount_minor, currency, status)"
	    " VALUES (?, 4, 'USD', 'processed')", id, NULL, NULL);
	CHECK(db_exec_text(db, off, sizeof(off) - 1) == DB_OK);
	CHECK(no_digest(id) == 1);
	/* Without a digest the statement computes it... */
	CHECK(summary_load(db, id, &s) == DB_OK);
	CHECK(s.ninvoices == 1 && s.invoices[0].total_minor == 10);
	CHECK(s.processed == 4);
	/* ...and the fill keeps it, touching only missing ones. */
	CHECK((other = account("Kept Co", "billing_center")) > 0);
	set_digest(other, "{\"processed\": 9, \"pending\": 0, \"invoices\":"
	    " null, \"messages\": null}");
	CHECK(accounts_fill_digests(db, id, id, &filled) == DB_OK);
	CHECK(filled == 1);
	CHECK(no_digest(id) == 0);
	CHECK(summary_load(db, id, &s) == DB_OK);
	CHECK(s.ninvoices == 1 && s.invoices[0].total_minor == 10);
	CHECK(s.processed == 4);
	CHECK(accounts_fill_digests(db, id, id, &filled) == DB_OK);
	CHECK(filled == 0);
	CHECK(accounts_fill_digests(db, other, other, &filled) == DB_OK);
	CHECK(filled == 0);
	CHECK(summary_load(db, other, &s) == DB_OK);
	CHECK(s.processed == 9);
}

/*
 * A writer whose transaction read before another writer committed still
 * writes a digest with both: inside a writing statement InnoDB reads the
 * rows it computes from as they are committed, not as of the snapshot.
 */
static void
a_writer_on_an_older_snapshot_still_writes_a_whole_digest(void)
{
	struct dsn	 d;
	struct db	*other;
	struct db_val	 p[2];
	char		 err[256], n1[32], n2[32];
	int64_t		 id = account("Snapshot Co", "regional");

	CHECK(id > 0);
	snprintf(n1, sizeof(n1), "UT%lld-s1", (long long)id);
	snprintf(n2, sizeof(n2), "UT%lld-s2", (long long)id);
	CHECK(dsn_parse(cf.regions[us].dsn, &d, err, sizeof(err)) == 0);
	CHECK((other = db_new(&d)) != NULL);
	if (other == NULL)
		return;
	CHECK(db_begin(other) == DB_OK);
	CHECK(summary_load(other, id, &s) == DB_OK);	/* its snapshot */
	CHECK(s.ninvoices == 0);
	invoice(id, n1, "2021-01-15", "111", 0);	/* committed meanwhile */
	p[0] = DB_I64(id);
	p[1] = DB_STR(n2);
	CHECK(db_exec(other, "INSERT INTO invoices (account_id, number,"
	    " issued_on, total_minor, currency) VALUES (?, ?, '2021-02-15',"
	    " 222, 'USD')", p, 2, NULL) == DB_OK);
	CHECK(db_commit(other) == DB_OK);
	db_free(other);
	CHECK(summary_load(db, id, &s) == DB_OK);
	CHECK(s.ninvoices == 2);
	CHECK(s.invoices[0].total_minor == 111);
	CHECK(s.invoices[1].total_minor == 222);
}

static void
clean_up(void)
{
	static const char	*q[] = {
		"DELETE FROM invoices WHERE account_id = ?",
		"DELETE FROM payments WHERE account_id = ?",
		"DELETE FROM messages WHERE account_id = ?",
		"DELETE FROM users WHERE account_id = ?",
		"DELETE FROM accounts WHERE id = ?",
	};
	size_t			 i;
	int			 a;

	for (a = 0; a < naccounts; a++)
		for (i = 0; i < sizeof(q) / sizeof(q[0]); i++)
			sql(q[i], accounts[a], NULL, NULL);
}

int
main(void)
{
	dbtest_load(&cf);
	if ((us = config_region_index(&cf, "us")) < 0 ||
	    (route = dbroute_new(&cf)) == NULL ||
	    (db = dbroute_region(route, us)) == NULL) {
		fprintf(stderr, "set-up: no us region\n");
		return 1;
	}

	RUN(an_unknown_account_is_not_found);
	RUN(more_invoices_than_the_limit_are_an_error);
	RUN(an_account_with_nothing_yet_has_zeros_and_no_contact);
	RUN(every_field_of_an_account_is_read);
	RUN(a_summary_is_one_statement_prepared_once);
	RUN(every_write_moves_the_digest);
	RUN(the_digest_is_what_is_read_and_a_missing_one_is_computed);
	RUN(a_digest_out_of_range_is_an_error);
	RUN(a_bulk_load_leaves_the_digest_to_fill);
	RUN(a_writer_on_an_older_snapshot_still_writes_a_whole_digest);
	RUN(clean_up);

	dbroute_free(route);
	return DONE();
}
