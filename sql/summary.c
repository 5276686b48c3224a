/*
 * The account summary of SPEC section 6 in ONE statement, prepared once per
 * connection: one round trip.  See summary.h.
 *
 * One row: the account by primary key, joined to its main billing contact
 * (unique key users_one_main), with its digest: what the summary needs of
 * its payments, invoices and messages, kept ready on the account as JSON
 * by the triggers of migration 005 (sql/schema/region/005_account_digest.sql
 * gives its form).  A NULL digest is computed by the statement itself
 * (account_digest(), the function the triggers call), so a digest not kept
 * yet costs time, never a wrong answer.  One statement is also one
 * snapshot: a payment recorded meanwhile cannot show in the sums but not in
 * the invoices.
 *
 * Measured (one client, 5,000 runs over 100,000 accounts, MariaDB's CPU
 * above an EXECUTE of SELECT ?+?+?+?+?): the earlier statement, three
 * indexed SELECTs over the four tables joined by UNION ALL, cost about 205
 * us a run, prepared and optimized again at every execution; its parts
 * about 105 (the account, its contact and its payment sums), 70 (the
 * invoices) and 40 (the messages), none of them moved by index hints,
 * STRAIGHT_JOIN or dropping the ORDER BY, TO_DAYS or the void filter.  The
 * account and its contact alone cost about 45: most of the rest is opening
 * and optimizing a table per block.  This statement costs about 60: a
 * summary's load, 3.5 times cheaper for MariaDB, for writes that cost
 * about 600 us instead of 160 (a payment, one client; the triggers compute
 * the digest again).  Naming account_digest() in the statement costs about
 * 10 us a run even where the digest is there (MariaDB opens the function's
 * tables with the statement's: 84-90 us against 72-80 without, 3 rounds);
 * asking for a missing digest in a second statement would save that but
 * add a round trip wherever one is missing.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "fcgi/log.h"
#include "sql/summary.h"

static const char	sql_summary[] =
	"SELECT a.number, a.company, a.kind, a.portal, a.country,"
	"  a.billing_cycle, a.invoice_delivery, a.payment_method,"
	"  u.client_id, a.autopay, COALESCE(a.digest, account_digest(a.id))"
	" FROM accounts a"
	" LEFT JOIN users u ON u.main_account_id = a.id"
	" WHERE a.id = ?";

enum {
	C_NUMBER, C_COMPANY, C_KIND, C_PORTAL, C_COUNTRY, C_CYCLE,
	C_DELIVERY, C_METHOD, C_CLIENT_ID, C_AUTOPAY, C_DIGEST, C__MAX
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

/* JSON integer v, within [lo, hi], into *dst. */
static int
json_int(const json_t *v, int64_t lo, int64_t hi, int64_t *dst)
{
	if (!json_is_integer(v) || json_integer_value(v) < lo ||
	    json_integer_value(v) > hi)
		return -1;
	*dst = json_integer_value(v);
	return 0;
}

/* JSON string v into dst[size]; -1 when v is not one or does not fit. */
static int
json_text(char *dst, size_t size, const json_t *v)
{
	size_t	 n;

	if (!json_is_string(v) || (n = json_string_length(v)) >= size)
		return -1;
	memcpy(dst, json_string_value(v), n);
	dst[n] = '\0';
	return 0;
}

/* The account's own columns and its main contact's client ID. */
static int
fill_account(const struct db_val *c, struct account_summary *out)
{
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
	return 0;
}

/* The digest's invoices: null (none) or [[issued day, total], ...]. */
static int
read_invoices(const json_t *a, struct account_summary *out)
{
	json_t	*e;
	size_t	 i;
	int64_t	 day, total;

	if (json_is_null(a))
		return 0;
	if (!json_is_array(a))
		return -1;
	if (json_array_size(a) > SUMMARY_INVOICES_MAX) {
		log_err("summary: more than %d invoices",
		    SUMMARY_INVOICES_MAX);
		return -1;
	}
	json_array_foreach(a, i, e) {
		if (!json_is_array(e) || json_array_size(e) != 2 ||
		    json_int(json_array_get(e, 0), INT32_MIN, INT32_MAX,
		    &day) ||
		    json_int(json_array_get(e, 1), 0, INT64_MAX, &total)) {
			log_err("summary: an invoice out of range");
			return -1;
		}
		out->invoices[i] = (struct bal_invoice){
			.issued = (int32_t)day, .total_minor = total };
		out->ninvoices = i + 1;
	}
	return 0;
}

/* The digest's messages, latest first: null (none) or [[at, text], ...]. */
static int
read_messages(const json_t *a, struct account_summary *out)
{
	json_t	*e;
	size_t	 i;

	if (json_is_null(a))
		return 0;
	if (!json_is_array(a))
		return -1;
	if (json_array_size(a) > SUMMARY_MESSAGES_MAX) {
		log_err("summary: more than %d messages",
		    SUMMARY_MESSAGES_MAX);
		return -1;
	}
	json_array_foreach(a, i, e) {
		if (!json_is_array(e) || json_array_size(e) != 2 ||
		    json_text(out->messages[i].at, sizeof(out->messages[i].at),
		    json_array_get(e, 0)) ||
		    json_text(out->messages[i].text,
		    sizeof(out->messages[i].text), json_array_get(e, 1))) {
			log_err("summary: a message out of range");
			return -1;
		}
		out->nmessages = i + 1;
	}
	return 0;
}

/* The digest (migration 005): its payment sums, invoices and messages. */
static int
read_digest(const struct db_val *v, struct account_summary *out)
{
	json_t		*d;
	json_error_t	 err;
	int		 rc = -1;

	if (v->type != DB_T_TEXT) {
		log_err("summary: the digest is not text");
		return -1;
	}
	if ((d = json_loadb(v->s, v->len, JSON_REJECT_DUPLICATES,
	    &err)) == NULL) {
		log_err("summary: the digest is not JSON: %s", err.text);
		return -1;
	}
	if (!json_is_object(d) || json_object_size(d) != 4 ||
	    json_int(json_object_get(d, "processed"), 0, INT64_MAX,
	    &out->processed) ||
	    json_int(json_object_get(d, "pending"), 0, INT64_MAX,
	    &out->pending))
		log_err("summary: the digest's payment sums are out of range");
	else if (read_invoices(json_object_get(d, "invoices"), out) == 0 &&
	    read_messages(json_object_get(d, "messages"), out) == 0)
		rc = 0;
	json_decref(d);
	return rc;
}

void
summary_prepare(struct db *db)
{
	(void)db_prepare(db, sql_summary);
}

enum db_res
summary_load(struct db *db, int64_t account_id, struct account_summary *out)
{
	struct db_result	*res = NULL;
	struct db_val		 p[1];
	const struct db_val	*c;
	enum db_res		 r;

	p[0] = DB_I64(account_id);
	if ((r = db_query(db, sql_summary, p, 1, &res)) != DB_OK)
		return r;
	out->ninvoices = out->nmessages = 0;
	if (res->ncols != C__MAX) {
		log_err("summary: %zu columns, %d expected", res->ncols,
		    C__MAX);
		r = DB_ERR;
	} else if (res->nrows == 0)
		r = DB_NOTFOUND;
	else {
		c = DB_CELL(res, 0, 0);
		r = res->nrows == 1 && fill_account(c, out) == 0 &&
		    read_digest(&c[C_DIGEST], out) == 0 ? DB_OK : DB_ERR;
	}
	db_result_free(res);
	return r;
}
