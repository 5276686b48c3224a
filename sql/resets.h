/*
 * The queries of corporate password resets (SPEC section 7) on one
 * region's database: the user a request is for, the reset rows
 * (password_resets: only SHA-256 of a token, never the token) and the
 * mail that carries the link (the outbox).  Prepared statements only;
 * User IDs must already be normalised (auth/identifier.h).
 *
 * The request's statements take a user id of 0 for a User ID nobody has:
 * they then change nothing, but cost the same round trips (auth/reset.c).
 */
#ifndef BILLGW_RESETS_H
#define BILLGW_RESETS_H

#include <stdint.h>

#include "sql/db.h"

#define RESETS_TTL_MIN		30	/* minutes a token is valid */
#define RESETS_HASH_LEN		32	/* SHA-256 */

struct reset_user {
	int64_t		 id;		/* corporate_users.id */
	int64_t		 account_id;
	char		 user_id[255];	/* normalised */
};

/*
 * The corporate user with User ID norm, its row locked until the end of
 * the transaction (so that two requests for one user run one after the
 * other).  DB_OK, DB_NOTFOUND or the db_query_row() error.
 */
enum db_res	resets_user_lock(struct db *, const char *norm,
		    struct reset_user *out);

/* Mark every unused token of user id used (0: none). */
enum db_res	resets_invalidate(struct db *, int64_t id);

/*
 * Store a token of user id by its hash, valid RESETS_TTL_MIN minutes on
 * the database's clock.  For id 0 nothing is stored.
 */
enum db_res	resets_add(struct db *, int64_t id,
		    const unsigned char hash[RESETS_HASH_LEN]);

/*
 * Queue a mail to the e-mail address of user id (for 0: none).  subject and
 * body are borrowed.
 */
enum db_res	resets_mail(struct db *, int64_t id, const char *subject,
		    const char *body);

/*
 * The user of the unused, unexpired token with this hash, both rows locked
 * until the end of the transaction.  DB_OK, DB_NOTFOUND (unknown, used,
 * expired) or the db_query_row() error.
 */
enum db_res	resets_take(struct db *, const unsigned char
		    hash[RESETS_HASH_LEN], struct reset_user *out);

/*
 * The new password hash of user id, its session version bumped (every
 * older session dies) and every unused token of the user marked used: two
 * statements, for one transaction.  DB_NOTFOUND when the user is gone.
 */
enum db_res	resets_done(struct db *, int64_t id, const char *hash);

#endif /* BILLGW_RESETS_H */
