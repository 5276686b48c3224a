/*
 * The queries of sign-in and of the session check (SPEC sections 4 and 5)
 * on one region's database: find who signs in with an identifier, with
 * their account and the account's main billing contact, in one round trip;
 * store a new password hash; read and bump a session version.  Prepared
 * statements only; identifiers must already be normalised
 * (auth/identifier.h).
 */
#ifndef BILLGW_CREDENTIALS_H
#define BILLGW_CREDENTIALS_H

#include <stdint.h>

#include "sql/db.h"

enum cred_kind {
	CRED_CLIENT_ID,		/* users.client_id */
	CRED_ACCOUNT_NUMBER,	/* accounts.number's main billing contact */
	CRED_CORPORATE		/* corporate_users.user_id */
};

enum cred_table {		/* where a session subject lives */
	CRED_USERS,		/* "u:ID" */
	CRED_CORPORATE_USERS	/* "c:ID" */
};

struct cred {
	enum cred_table	 table;
	int64_t		 user_id;	/* users.id or corporate_users.id */
	char		 role[16];	/* super_admin, view_pay, member;
					   "corporate" for a User ID */
	int		 is_main;
	char		 password_hash[256];	/* PHC string: wipe after use */
	int64_t		 session_version;
	int64_t		 account_id;
	char		 account_number[16];
	char		 company[201];
	char		 account_kind[16];	/* standard | corporate */
	char		 account_portal[16];	/* billing_center | regional */
	/* The account's main billing contact ("" when it has none). */
	char		 admin_name[201];
	char		 admin_email[255];
};

/*
 * Who signs in with the normalised identifier norm of kind k, with the
 * account and its main contact, in one query.  DB_OK with *out filled,
 * DB_NOTFOUND, or the db_query_row() error.  The caller wipes
 * out->password_hash when done.
 */
enum db_res	cred_find(struct db *, enum cred_kind k, const char *norm,
		    struct cred *out);

/* Replace the password hash of a user (a rehash on sign-in). */
enum db_res	cred_set_hash(struct db *, enum cred_table, int64_t user_id,
		    const char *hash);

/*
 * The session version and the account of a user, and the version of that
 * account (bumped by triggers on every change to what its summary shows).
 * DB_OK, DB_NOTFOUND or the db_query_row() error.
 */
enum db_res	cred_session(struct db *, enum cred_table, int64_t user_id,
		    int64_t *sv, int64_t *account_id, int64_t *account_version);

/* Prepare cred_session()'s statements on db now (db_prepare()). */
void		cred_prepare(struct db *);

/* Add one to the session version: every older token dies.  DB_NOTFOUND
 * when there is no such user. */
enum db_res	cred_bump_session(struct db *, enum cred_table,
		    int64_t user_id);

#endif /* BILLGW_CREDENTIALS_H */
