/*
 * The account summary of SPEC section 6, read in one round trip: one
 * statement, prepared once per connection, reading the account by primary
 * key with its main contact and its digest (migration 005: its payment
 * totals, its invoices, its latest messages).
 */
#ifndef BILLGW_SUMMARY_H
#define BILLGW_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include "regions/balance.h"
#include "sql/db.h"

/*
 * The digest's account_digest() holds at most SUMMARY_INVOICES_MAX + 1
 * invoices and SUMMARY_MESSAGES_MAX messages: a change here is a new
 * migration redefining it (tests/unit/test_summary.c fails on a mismatch).
 */
#define SUMMARY_INVOICES_MAX	1000	/* more are an error (DB_ERR) */
#define SUMMARY_MESSAGES_MAX	10	/* the latest */

struct summary_message {
	char		 at[24];	/* "2020-07-01T09:00:00Z" */
	char		 text[4001];	/* VARCHAR(1000) utf8mb4: 4 bytes a char */
};

struct account_summary {
	char		 number[16];
	char		 client_id[33];	/* the main billing contact's, or "" */
	char		 company[801];	/* VARCHAR(200) utf8mb4 */
	char		 kind[16];	/* standard | corporate */
	char		 portal[16];	/* billing_center | regional */
	char		 country[3];
	char		 billing_cycle[16];
	char		 invoice_delivery[16];
	char		 payment_method[16];
	int		 autopay;
	int64_t		 processed;	/* sum of processed payments */
	int64_t		 pending;	/* sum of pending payments */
	size_t		 ninvoices;
	struct bal_invoice invoices[SUMMARY_INVOICES_MAX];
	size_t		 nmessages;
	struct summary_message messages[SUMMARY_MESSAGES_MAX];
};

/* Fill *out for account_id.  DB_OK, DB_NOTFOUND, DB_UNAVAILABLE, DB_ERR. */
enum db_res	summary_load(struct db *, int64_t account_id,
		    struct account_summary *out);

/* Prepare summary_load()'s statement on db now (db_prepare()). */
void		summary_prepare(struct db *);

#endif /* BILLGW_SUMMARY_H */
