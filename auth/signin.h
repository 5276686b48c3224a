/*
 * The sign-in core (SPEC section 4): one function with the same order of
 * checks for the HTML forms and the JSON API.  It knows nothing of HTTP.
 *
 *	1. locked?		(auth/throttle.c)  -> SIGNIN_LOCKED
 *	2. find the user in the chosen region, else ask the directory for the
 *	   home region and look there
 *	3. verify the password (a dummy verification when nobody was found)
 *						   -> SIGNIN_INVALID
 *	4. route (regions/portal.c)		   -> SIGNIN_DONE
 * Every attempt writes an audit row in the region's database.
 */
#ifndef BILLGW_SIGNIN_H
#define BILLGW_SIGNIN_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "regions/portal.h"

struct config;
struct dbroute;
struct directory;

enum signin_res {
	SIGNIN_DONE,		/* decision holds the outcome and location */
	SIGNIN_BAD_INPUT,	/* field names the offending field: 400 */
	SIGNIN_INVALID,		/* one message for every cause: 401 */
	SIGNIN_LOCKED,		/* retry_after seconds: 429 */
	SIGNIN_UNAVAILABLE	/* a database is down: 503 */
};

struct signin_ctx {		/* a worker's long-lived pieces, borrowed */
	const struct config	*cf;
	struct dbroute		*db;
	struct directory	*dir;
};

struct signin_req {
	enum entry	 entry;
	const char	*region;	/* a code; NULL or "" allowed only for
					   ENTRY_CORPORATE */
	const char	*identifier;	/* as typed: trimmed and classified here */
	size_t		 identifier_len;
	const char	*password;	/* never logged, never stored */
	size_t		 password_len;
	const char	*client_addr;	/* for the audit row */
	const char	*request_id;
	time_t		 now;
};

struct signin_result {
	enum signin_res		 res;
	const char		*field;		/* SIGNIN_BAD_INPUT */
	const char		*message;	/* SIGNIN_BAD_INPUT: why, naming
						   the field ("region is required") */
	long			 retry_after;	/* SIGNIN_LOCKED, seconds */
	struct portal_decision	 decision;	/* SIGNIN_DONE */
	int			 home_region;	/* index; -1 when unknown */
	/* The account and the user, for the answer and the session. */
	int64_t			 account_id;
	char			 account_number[16];
	char			 company[201];
	char			 subject[72];	/* "u:ID" or "c:ID" */
	char			 role[16];	/* or "corporate" */
	int64_t			 session_version;
	/* OUTCOME_WRONG_PLACE, not_billing_contact: the main contact. */
	char			 admin_name[201];
	char			 admin_email[255];
};

/*
 * Run one attempt.  The password is wiped by the caller, not here.
 * Returns r->res.
 */
enum signin_res	signin_run(const struct signin_ctx *, const struct signin_req *,
		    struct signin_result *r);

/*
 * The user's current session version, for the session check of SPEC
 * section 5 (subject as issued in the token, in region index ri).
 * DB_OK, DB_NOTFOUND or DB_UNAVAILABLE/DB_ERR.
 */
int	signin_session_version(const struct signin_ctx *, int ri,
	    const char *subject, int64_t *sv, int64_t *account_id,
	    int64_t *account_version);

/* Bump it (logout, password change): every older token dies.  0 or -1. */
int	signin_bump_session(const struct signin_ctx *, int ri,
	    const char *subject, const char *client_addr,
	    const char *request_id);

#endif /* BILLGW_SIGNIN_H */
