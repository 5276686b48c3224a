/*
 * The mail outbox of one region's database (SPEC sections 7 and 8): what
 * billgwctl lists and hands to sendmail.  Mails are queued by the modules
 * that write them (sql/resets.c for password resets).  Prepared statements
 * only.
 */
#ifndef BILLGW_OUTBOX_H
#define BILLGW_OUTBOX_H

#include <stdint.h>

#include "sql/db.h"

/*
 * The columns of outbox_read() and outbox_next(), in this order.  Times
 * are the database's UTC text "YYYY-MM-DD HH:MM:SS"; sent_at is DB_T_NULL
 * while a mail is unsent.
 */
enum outbox_col {
	OUTBOX_ID,		/* int64 */
	OUTBOX_CREATED_AT,
	OUTBOX_SENT_AT,
	OUTBOX_TO,
	OUTBOX_SUBJECT,
	OUTBOX_BODY
};

/* Every mail, oldest first, at most limit.  The caller frees *out. */
enum db_res	outbox_read(struct db *, int64_t limit, struct db_result **out);

/*
 * Inside a transaction: the oldest unsent mail with an id above after,
 * its row locked until the end of the transaction; rows another
 * transaction holds are skipped (two senders never send one mail twice).
 * DB_OK with one row in *out (the caller frees it), DB_NOTFOUND when there
 * is none, or the db_query_row() error.
 */
enum db_res	outbox_next(struct db *, int64_t after, struct db_result **out);

/* Mark mail id sent now.  DB_NOTFOUND when it is not an unsent mail. */
enum db_res	outbox_mark_sent(struct db *, int64_t id);

#endif /* BILLGW_OUTBOX_H */
