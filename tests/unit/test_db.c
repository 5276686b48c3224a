/* sql/db.c: what works without a server (the server: it_ctl). */
#include <stdlib.h>
#include <time.h>

#include "sql/db.h"
#include "sql/dsn.h"
#include "t.h"

static void
an_unreachable_server_is_unavailable_within_the_connect_timeout(void)
{
	struct dsn		 d;
	struct db		*db;
	struct db_result	*res = NULL;
	char			 err[256];
	time_t			 t0;

	CHECK(dsn_parse("mysql://billgw@localhost/billgw_none"
	    "?socket=/nonexistent/mysqld.sock", &d, err, sizeof(err)) == 0);
	CHECK((db = db_new(&d)) != NULL);
	if (db == NULL)
		return;
	t0 = time(NULL);
	CHECK(db_ready(db) == DB_UNAVAILABLE);
	CHECK(db_query(db, "SELECT 1", NULL, 0, &res) == DB_UNAVAILABLE);
	CHECK(res == NULL);
	CHECK(db_begin(db) == DB_UNAVAILABLE);
	CHECK(!db_in_transaction(db));
	CHECK(db_last_errno(db) != 0);
	CHECK(time(NULL) - t0 <= 5);
	CHECK(strstr(db_name(db), "billgw_none") != NULL);
	db_free(db);
}

static void
a_handle_never_shows_the_password(void)
{
	struct dsn	 d;
	struct db	*db;
	char		 err[256];

	CHECK(dsn_parse("mysql://billgw:s3cret@localhost/billgw_us", &d,
	    err, sizeof(err)) == 0);
	CHECK((db = db_new(&d)) != NULL);
	if (db == NULL)
		return;
	CHECK(strstr(db_name(db), "s3cret") == NULL);
	db_free(db);
}

static void
batch_sql_repeats_the_row_n_times(void)
{
	char	*s;

	s = db_sql_rows("INSERT INTO t (a, b) VALUES ", "(?, ?)", 3, " X");
	CHECK_STR(s, "INSERT INTO t (a, b) VALUES (?, ?), (?, ?), (?, ?) X");
	free(s);
	CHECK(db_sql_rows("I ", "(?)", 0, "") == NULL);
	CHECK(db_sql_rows("I ", "(?)", (size_t)DB_PARAM_MAX + 1, "") == NULL);
}

static void
result_codes_have_names(void)
{
	CHECK_STR(db_res_str(DB_CONFLICT), "conflict");
	CHECK_STR(db_res_str(DB_UNAVAILABLE), "database unavailable");
}

int
main(void)
{
	RUN(an_unreachable_server_is_unavailable_within_the_connect_timeout);
	RUN(a_handle_never_shows_the_password);
	RUN(batch_sql_repeats_the_row_n_times);
	RUN(result_codes_have_names);
	return DONE();
}
