/*
 * Sign-in throttling (SPEC section 4, step 1; PCI DSS 8.3.4): 10 failed
 * attempts for the same identifier within 30 minutes lock it for 30
 * minutes, whether the identifier exists or not, so a lock tells nothing
 * about who exists.
 *
 * The key is the directory's keyed HMAC of the classified identifier
 * (auth/directory.h: "kind:normalised"), so the table names nobody and an
 * unknown identifier is counted exactly like a known one.  The row lives in
 * signin_throttle of the database the attempt is made in (the caller
 * chooses it: the chosen region's).
 *
 * Semantics, all on the database's clock (NOW(), in the UTC session of
 * sql/db.c), so that pools on several hosts share one clock per region and
 * a skewed host cannot shorten a lock:
 *
 *   - a window opens at the first failure (first_failure_at) and lasts
 *     THROTTLE_WINDOW_MIN minutes; a failure after it has passed, with no
 *     lock, starts a new window with a count of 1 (a fixed window, not a
 *     sliding one: see throttle.c);
 *   - the THROTTLE_MAX_FAILURES-th failure in a window sets locked_until to
 *     NOW() + THROTTLE_LOCK_MIN minutes; that attempt itself still answers
 *     "invalid", the next one is refused (429) whatever the password;
 *   - a lock ends when locked_until <= NOW(); the next failure after that
 *     starts a new window (count 1), so editing locked_until (or both
 *     columns) into the past unlocks at once;
 *   - a successful sign-in deletes the row.
 */
#ifndef BILLGW_THROTTLE_H
#define BILLGW_THROTTLE_H

#include "auth/directory.h"	/* DIRECTORY_HMAC_LEN */
#include "sql/db.h"

#define THROTTLE_MAX_FAILURES	10
#define THROTTLE_WINDOW_MIN	30
#define THROTTLE_LOCK_MIN	30
#define THROTTLE_KEY_LEN	DIRECTORY_HMAC_LEN

/*
 * Is key locked now?  DB_OK with *locked 1 and *retry_after the seconds
 * left (at least 1), or *locked 0 and *retry_after 0; else the
 * db_query() error (the caller answers 503: fail closed).
 */
enum db_res	throttle_check(struct db *,
		    const unsigned char key[THROTTLE_KEY_LEN], int *locked,
		    long *retry_after);

/* Count one failure for key: one atomic upsert.  DB_OK or the error. */
enum db_res	throttle_fail(struct db *,
		    const unsigned char key[THROTTLE_KEY_LEN]);

/* Forget key's failures (a successful sign-in, a password reset). */
enum db_res	throttle_reset(struct db *,
		    const unsigned char key[THROTTLE_KEY_LEN]);

#endif /* BILLGW_THROTTLE_H */
