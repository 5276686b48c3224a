/*
 * Invoices, payments, account messages and the mail outbox of one region's
 * database.  Money is int64 minor units with its ISO 4217 code.  Prepared
 * statements only; strings are borrowed for the call.
 */
#ifndef BILLGW_BILLING_H
#define BILLGW_BILLING_H

#include <stddef.h>
#include <stdint.h>

#include "sql/db.h"

#define BILLING_BATCH_MAX	1000	/* rows per *_add_batch() call */

struct invoice_new {
	int64_t		 account_id;
	const char	*number;
	const char	*kind;		/* service | hardware */
	const char	*issued_on;	/* YYYY-MM-DD */
	int64_t		 total_minor;
	const char	*currency;
	int		 is_void;
};

struct payment_new {
	int64_t		 account_id;
	int64_t		 amount_minor;
	const char	*currency;
	const char	*status;	/* pending | processed */
	const char	*reference;	/* unique, or NULL */
	const char	*received_at;	/* "YYYY-MM-DD HH:MM:SS" UTC, or NULL: now */
};

/*
 * Insert an invoice.  DB_CONFLICT when its number is taken, unless upsert:
 * then the existing invoice is kept as it is.
 */
enum db_res	invoices_add(struct db *, const struct invoice_new *,
		    int upsert);
enum db_res	invoices_add_batch(struct db *, const struct invoice_new *,
		    size_t n);

/*
 * Insert a payment.  DB_CONFLICT when its reference is taken, unless
 * upsert: then the existing payment is kept as it is.
 */
enum db_res	payments_add(struct db *, const struct payment_new *,
		    int upsert);
enum db_res	payments_add_batch(struct db *, const struct payment_new *,
		    size_t n);

/* Add a message unless the account already has one with this text. */
enum db_res	messages_ensure(struct db *, int64_t account_id,
		    const char *text);

#endif /* BILLGW_BILLING_H */
