/*
 * The account summary of SPEC section 6 in two indexed queries.  See
 * summary.h.
 *
 * Query one is the account row by primary key, with scalar subqueries for
 * the main billing contact (unique key users_one_main), the processed and
 * pending payment sums (payments_account) and the latest messages
 * (messages_account, read backwards, LIMIT in a derived table) folded into
 * one JSON array that jansson takes apart.  Query two is the account's
 * non-void invoices in issue order (invoices_account_issued, whose entries
 * end with the primary key, so "ORDER BY issued_on, id" needs no sort),
 * one row more than the limit so that too many is seen without reading
 * them all.
 *
 * XXX The two queries are not one snapshot: a payment recorded between
 * them shows in the next request.  A transaction would cost two more round
 * trips on the busiest endpoint.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "fcgi/log.h"
#include "sql/summary.h"

static const char	sql_summary_account[] =
	"SELECT a.number, a.company, a.kind, a.portal, a.country,"
	" a.billing_cycle, a.invoice_delivery, a.payment_method, a.autopay,"
	" (SELECT u.client_id FROM users u WHERE u.main_account_id = a.id),"
	" (SELECT SUM(p.amount_minor) FROM payments p"
	"  WHERE p.account_id = a.id AND p.status = 'processed'),"
	" (SELECT SUM(p.amount_minor) FROM payments p"
	"  WHERE p.account_id = a.id AND p.status = 'pending'),"
	" (SELECT JSON_ARRAYAGG(JSON_OBJECT("
	"   'at', DATE_FORMAT(m.at, '%Y-%m-%dT%H:%i:%sZ'), 'text', m.text)"
	"   ORDER BY m.at DESC, m.id DESC)"
	"  FROM (SELECT id, at, text FROM messages WHERE account_id = ?"
	"   ORDER BY at DESC, id DESC LIMIT ?) m)"
	" FROM accounts a WHERE a.id = ?";

static const char	sql_summary_invoices[] =
	"SELECT TO_DAYS(issued_on) - TO_DAYS('1970-01-01'), total_minor"
	" FROM invoices WHERE account_id = ? AND void = 0"
	" ORDER BY issued_on, id LIMIT ?";

enum {
	C_NUMBER, C_COMPANY, C_KIND, C_PORTAL, C_COUNTRY, C_CYCLE,
	C_DELIVERY, C_METHOD, C_AUTOPAY, C_CLIENT_ID, C_PROCESSED, C_PENDING,
	C_MESSAGES, C__MAX
};

/*
 * Copy text value v into dst[size].  -1 when v is not text or does not fit
 * (a column wider than the struct: a schema mismatch, not data to cut).
 */
static int
copy_text(char *dst, size_t size, const struct db_val *v, const char *what)
{
	if (v->type != DB_T_TEXT || v->len >= size) {
		log_err("summary: %s: %s", what, v->type != DB_T_TEXT ?
		    "not text" : "longer than its field");
		return -1;
	}
	memcpy(dst, v->s, v->len);
	dst[v->len] = '\0';
	return 0;
}

/* An integer column; SQL NULL (no rows to sum) reads as 0. */
static int
get_int(int64_t *dst, const struct db_val *v, const char *what)
{
	if (v->type == DB_T_NULL) {
		*dst = 0;
		return 0;
	}
	if (v->type != DB_T_INT64) {
		log_err("summary: %s: not an integer", what);
		return -1;
	}
	*dst = v->i;
	return 0;
}

/* Copy JSON string s into dst[size]; -1 when it is missing or too long. */
static int
copy_json_str(char *dst, size_t size, json_t *s)
{
	size_t	 len;

	if (!json_is_string(s) || (len = json_string_length(s)) >= size ||
	    memchr(json_string_value(s), '\0', len) != NULL)
		return -1;
	memcpy(dst, json_string_value(s), len);
	dst[len] = '\0';
	return 0;
}

/* The messages column: NULL (none) or [{"at": ..., "text": ...}, ...]. */
static int
parse_messages(const struct db_val *v, struct account_summary *out)
{
	json_t		*a, *m;
	json_error_t	 jerr;
	size_t		 i;
	int		 rc = -1;

	out->nmessages = 0;
	if (v->type == DB_T_NULL)
		return 0;
	if (v->type != DB_T_TEXT)
		return -1;
	if ((a = json_loadb(v->s, v->len, JSON_REJECT_DUPLICATES,
	    &jerr)) == NULL) {
		log_err("summary: messages: %s", jerr.text);
		return -1;
	}
	if (!json_is_array(a) || json_array_size(a) > SUMMARY_MESSAGES_MAX)
		goto out;
	json_array_foreach(a, i, m) {
		if (!json_is_object(m) ||
		    copy_json_str(out->messages[i].at,
		    sizeof(out->messages[i].at), json_object_get(m, "at")) ||
		    copy_json_str(out->messages[i].text,
		    sizeof(out->messages[i].text), json_object_get(m, "text")))
			goto out;
	}
	out->nmessages = json_array_size(a);
	rc = 0;
out:
	if (rc != 0)
		log_err("summary: messages: not the expected array");
	json_decref(a);
	return rc;
}

static int
fill_account(const struct db_result *res, struct account_summary *out)
{
	const struct db_val	*c = DB_CELL(res, 0, 0);

	if (res->ncols != C__MAX) {
		log_err("summary: %zu columns, %d expected", res->ncols,
		    C__MAX);
		return -1;
	}
	if (copy_text(out->number, sizeof(out->number), &c[C_NUMBER],
	    "number") ||
	    copy_text(out->company, sizeof(out->company), &c[C_COMPANY],
	    "company") ||
	    copy_text(out->kind, sizeof(out->kind), &c[C_KIND], "kind") ||
	    copy_text(out->portal, sizeof(out->portal), &c[C_PORTAL],
	    "portal") ||
	    copy_text(out->country, sizeof(out->country), &c[C_COUNTRY],
	    "country") ||
	    copy_text(out->billing_cycle, sizeof(out->billing_cycle),
	    &c[C_CYCLE], "billing_cycle") ||
	    copy_text(out->invoice_delivery, sizeof(out->invoice_delivery),
	    &c[C_DELIVERY], "invoice_delivery") ||
	    copy_text(out->payment_method, sizeof(out->payment_method),
	    &c[C_METHOD], "payment_method"))
		return -1;
	if (c[C_AUTOPAY].type != DB_T_INT64)
		return -1;
	out->autopay = c[C_AUTOPAY].i != 0;
	/* No main billing contact: an empty client ID. */
	if (c[C_CLIENT_ID].type == DB_T_NULL)
		out->client_id[0] = '\0';
	else if (copy_text(out->client_id, sizeof(out->client_id),
	    &c[C_CLIENT_ID], "client_id"))
		return -1;
	if (get_int(&out->processed, &c[C_PROCESSED], "processed") ||
	    get_int(&out->pending, &c[C_PENDING], "pending"))
		return -1;
	if (out->processed < 0 || out->pending < 0)
		return -1;
	return parse_messages(&c[C_MESSAGES], out);
}

static int
fill_invoices(const struct db_result *res, struct account_summary *out)
{
	const struct db_val	*day, *total;
	size_t			 i;

	if (res->ncols != 2)
		return -1;
	if (res->nrows > SUMMARY_INVOICES_MAX) {
		log_err("summary: more than %d invoices",
		    SUMMARY_INVOICES_MAX);
		return -1;
	}
	for (i = 0; i < res->nrows; i++) {
		day = DB_CELL(res, i, 0);
		total = DB_CELL(res, i, 1);
		if (day->type != DB_T_INT64 || total->type != DB_T_INT64 ||
		    day->i < INT32_MIN || day->i > INT32_MAX ||
		    total->i < 0) {
			log_err("summary: invoice row %zu out of range", i);
			return -1;
		}
		out->invoices[i].issued = (int32_t)day->i;
		out->invoices[i].total_minor = total->i;
		out->invoices[i].is_void = 0;
	}
	out->ninvoices = res->nrows;
	return 0;
}

enum db_res
summary_load(struct db *db, int64_t account_id, struct account_summary *out)
{
	struct db_result	*res = NULL;
	struct db_val		 p[3];
	enum db_res		 r;

	p[0] = DB_I64(account_id);
	p[1] = DB_I64(SUMMARY_MESSAGES_MAX);
	p[2] = DB_I64(account_id);
	if ((r = db_query_row(db, sql_summary_account, p, 3, &res)) != DB_OK)
		return r;
	r = fill_account(res, out) == 0 ? DB_OK : DB_ERR;
	db_result_free(res);
	res = NULL;
	if (r != DB_OK)
		return r;

	p[0] = DB_I64(account_id);
	p[1] = DB_I64(SUMMARY_INVOICES_MAX + 1);
	if ((r = db_query(db, sql_summary_invoices, p, 2, &res)) != DB_OK)
		return r;
	r = fill_invoices(res, out) == 0 ? DB_OK : DB_ERR;
	db_result_free(res);
	return r;
}
