/*
 * Invoices, payments, messages, outbox.  See billing.h.
 */
#include <stdlib.h>

#include "sql/billing.h"

static const char	sql_invoice_insert[] =
	"INSERT INTO invoices (account_id, number, kind, issued_on,"
	" total_minor, currency, void) VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char	sql_invoice_upsert[] =
	"INSERT INTO invoices (account_id, number, kind, issued_on,"
	" total_minor, currency, void) VALUES (?, ?, ?, ?, ?, ?, ?)"
	" ON DUPLICATE KEY UPDATE id = id";
static const char	sql_payment_insert[] =
	"INSERT INTO payments (account_id, amount_minor, currency, status,"
	" reference, received_at)"
	" VALUES (?, ?, ?, ?, ?, COALESCE(?, CURRENT_TIMESTAMP))";
static const char	sql_payment_upsert[] =
	"INSERT INTO payments (account_id, amount_minor, currency, status,"
	" reference, received_at)"
	" VALUES (?, ?, ?, ?, ?, COALESCE(?, CURRENT_TIMESTAMP))"
	" ON DUPLICATE KEY UPDATE id = id";
static const char	sql_message_ensure[] =
	"INSERT INTO messages (account_id, text)"
	" SELECT ?, ? FROM DUAL WHERE NOT EXISTS"
	" (SELECT 1 FROM messages WHERE account_id = ? AND text = ?)";

static void
invoice_params(const struct invoice_new *v, struct db_val *p)
{
	p[0] = DB_I64(v->account_id);
	p[1] = DB_STR(v->number);
	p[2] = DB_STR(v->kind);
	p[3] = DB_STR(v->issued_on);
	p[4] = DB_I64(v->total_minor);
	p[5] = DB_STR(v->currency);
	p[6] = DB_I64(v->is_void ? 1 : 0);
}

static void
payment_params(const struct payment_new *v, struct db_val *p)
{
	p[0] = DB_I64(v->account_id);
	p[1] = DB_I64(v->amount_minor);
	p[2] = DB_STR(v->currency);
	p[3] = DB_STR(v->status);
	p[4] = v->reference ? DB_STR(v->reference) : DB_NULLV;
	p[5] = v->received_at ? DB_STR(v->received_at) : DB_NULLV;
}

enum db_res
invoices_add(struct db *db, const struct invoice_new *v, int upsert)
{
	struct db_val	 p[7];

	invoice_params(v, p);
	return db_exec(db, upsert ? sql_invoice_upsert : sql_invoice_insert,
	    p, 7, NULL);
}

enum db_res
payments_add(struct db *db, const struct payment_new *v, int upsert)
{
	struct db_val	 p[6];

	payment_params(v, p);
	return db_exec(db, upsert ? sql_payment_upsert : sql_payment_insert,
	    p, 6, NULL);
}

/* One multi-row INSERT of n rows of ncols parameters each. */
static enum db_res
add_batch(struct db *db, const char *head, const char *row, size_t ncols,
    const void *v, size_t size, size_t n,
    void (*params)(const void *, struct db_val *))
{
	struct db_val	*p = NULL;
	char		*sql = NULL;
	size_t		 i;
	enum db_res	 r = DB_ERR;

	if (n == 0)
		return DB_OK;
	if (n > BILLING_BATCH_MAX)
		return DB_ERR;
	if ((p = calloc(n * ncols, sizeof(*p))) == NULL ||
	    (sql = db_sql_rows(head, row, n, "")) == NULL)
		goto out;
	for (i = 0; i < n; i++)
		params((const char *)v + i * size, &p[i * ncols]);
	r = db_exec(db, sql, p, n * ncols, NULL);
out:
	free(sql);
	free(p);
	return r;
}

static void
invoice_params_v(const void *v, struct db_val *p)
{
	invoice_params(v, p);
}

static void
payment_params_v(const void *v, struct db_val *p)
{
	payment_params(v, p);
}

enum db_res
invoices_add_batch(struct db *db, const struct invoice_new *v, size_t n)
{
	return add_batch(db, "INSERT INTO invoices (account_id, number, kind,"
	    " issued_on, total_minor, currency, void) VALUES ",
	    "(?, ?, ?, ?, ?, ?, ?)", 7, v, sizeof(*v), n, invoice_params_v);
}

enum db_res
payments_add_batch(struct db *db, const struct payment_new *v, size_t n)
{
	return add_batch(db, "INSERT INTO payments (account_id, amount_minor,"
	    " currency, status, reference, received_at) VALUES ",
	    "(?, ?, ?, ?, ?, COALESCE(?, CURRENT_TIMESTAMP))", 6, v,
	    sizeof(*v), n, payment_params_v);
}

enum db_res
messages_ensure(struct db *db, int64_t account_id, const char *text)
{
	struct db_val	 p[4];

	p[0] = DB_I64(account_id);
	p[1] = DB_STR(text);
	p[2] = DB_I64(account_id);
	p[3] = DB_STR(text);
	return db_exec(db, sql_message_ensure, p, 4, NULL);
}
