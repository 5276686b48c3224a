/*
 * The append-only audit log of a region's database (SPEC section 9): one
 * INSERT per event, never an UPDATE or a DELETE.  What goes in is what the
 * caller passes: the actor is already masked (auth/identifier.h's
 * ident_mask), and there is no field for a password, a token or a full
 * identifier.
 */
#ifndef BILLGW_AUDIT_H
#define BILLGW_AUDIT_H

#include <stdint.h>

#include "sql/db.h"

#define AUDIT_ACTOR_MAX		64	/* the column sizes */
#define AUDIT_EVENT_MAX		32
#define AUDIT_ADDR_MAX		45
#define AUDIT_REQUEST_ID_MAX	64

struct audit_entry {
	const char	*actor;		/* masked identifier, or a subject */
	int64_t		 account_id;	/* 0 when unknown: stored as NULL */
	const char	*event;		/* "signin", "logout" */
	const char	*outcome;	/* "signed_in", "invalid", "locked" */
	const char	*client_addr;	/* NULL: "" */
	const char	*request_id;	/* NULL: "" */
};

/*
 * Append e, stamped with the database's clock.  Strings are borrowed; the
 * client address and the request id come from the request, so they are cut
 * to their column's size and anything but printable ASCII becomes '?'
 * (in strict SQL mode an overlong value would refuse the whole row).
 * DB_OK, or the db_exec() error.
 */
enum db_res	audit_add(struct db *, const struct audit_entry *e);

#endif /* BILLGW_AUDIT_H */
