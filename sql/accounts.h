/*
 * Accounts, users (client IDs) and corporate users of one region's
 * database.  Prepared statements only; strings are borrowed for the call.
 * Identifiers must already be normalised (auth/identifier.h).
 */
#ifndef BILLGW_ACCOUNTS_H
#define BILLGW_ACCOUNTS_H

#include <stddef.h>
#include <stdint.h>

#include "sql/db.h"

#define ACCOUNTS_BATCH_MAX	1000	/* rows per *_add_batch() call */

struct account_new {
	const char	*number;	/* 6..12 digits */
	const char	*company;
	const char	*kind;		/* standard | corporate */
	const char	*portal;	/* billing_center | regional */
	const char	*country;	/* ISO 3166 alpha-2, upper case */
};

struct account_ref {
	int64_t		 id;
	char		 kind[16];
	char		 portal[16];
};

struct user_new {
	int64_t		 account_id;
	const char	*client_id;
	const char	*role;		/* super_admin | view_pay | member */
	int		 is_main;
	const char	*name;
	const char	*email;
	const char	*password_hash;	/* argon2id PHC string */
};

struct corporate_user_new {
	int64_t		 account_id;
	const char	*user_id;
	const char	*name;
	const char	*email;
	const char	*password_hash;
};

/*
 * Insert an account; *id its id.  DB_CONFLICT when the number is taken,
 * unless upsert: then the existing row is kept as it is and *id is its id.
 */
enum db_res	accounts_add(struct db *, const struct account_new *, int upsert,
		    int64_t *id);

/* The account with this number (DB_NOTFOUND when none). */
enum db_res	accounts_find(struct db *, const char *number,
		    struct account_ref *out);

/*
 * The greatest account number in [lo, hi] (same-length digit strings) into
 * out (13 bytes); DB_NOTFOUND when the range is empty.
 */
enum db_res	accounts_max_in_range(struct db *, const char *lo,
		    const char *hi, char *out);

/*
 * Insert a[0..n) (n <= ACCOUNTS_BATCH_MAX) in one statement and write their
 * ids in the order of a into ids.  The numbers must be new, of one length,
 * in ascending order, and no other account may lie between the first and
 * the last (the generator's blocks); DB_ERR otherwise.
 */
enum db_res	accounts_add_batch(struct db *, const struct account_new *a,
		    size_t n, int64_t *ids);

/*
 * Compute the missing digests (migration 005) of the accounts whose ids lie
 * in [lo, hi], ACCOUNTS_DIGEST_STEP ids a statement (a digest costs MariaDB
 * about 0.2 ms: each statement stays far within the read timeout); their
 * number into *filled.  Filling a missing digest is always right: the
 * triggers keep every digest there is.
 */
#define ACCOUNTS_DIGEST_STEP	500
enum db_res	accounts_fill_digests(struct db *, int64_t lo, int64_t hi,
		    uint64_t *filled);

/* Insert a user; DB_CONFLICT when the client ID is taken or, for a main
 * user, the account already has a main billing contact. */
enum db_res	users_add(struct db *, const struct user_new *, int64_t *id);

/* DB_OK when the client ID exists, DB_NOTFOUND when not. */
enum db_res	users_exists(struct db *, const char *client_id);

/* DB_OK when the account has a main billing contact, else DB_NOTFOUND. */
enum db_res	users_main_exists(struct db *, int64_t account_id);

/* Insert u[0..n) (n <= ACCOUNTS_BATCH_MAX) in one statement. */
enum db_res	users_add_batch(struct db *, const struct user_new *u, size_t n);

/* Insert a corporate user; DB_CONFLICT when the User ID is taken. */
enum db_res	corporate_users_add(struct db *,
		    const struct corporate_user_new *, int64_t *id);
enum db_res	corporate_users_exists(struct db *, const char *user_id);

#endif /* BILLGW_ACCOUNTS_H */
