/*
 * Failure counting and lockout.  See throttle.h for the semantics.
 *
 * Why a fixed window: a sliding one needs a row per failure.  With a fixed
 * window an attacker gets at most 2 x 9 tries in a short span across a
 * window's end before the lock, then 10 per 30 minutes at best; PCI DSS
 * 8.3.4 asks for a lock after at most 10 invalid attempts, which the count
 * within a window gives.
 */
#include "auth/throttle.h"

#define STR_(x)	#x
#define STR(x)	STR_(x)
#define WINDOW	" INTERVAL " STR(THROTTLE_WINDOW_MIN) " MINUTE"
#define LOCK	" INTERVAL " STR(THROTTLE_LOCK_MIN) " MINUTE"

static const char	sql_check[] =
	"SELECT TIMESTAMPDIFF(SECOND, NOW(), locked_until)"
	" FROM signin_throttle WHERE key_hash = ? AND locked_until > NOW()";

/*
 * One statement, so concurrent failures of one key never lose a count.
 * MariaDB evaluates the assignments of ON DUPLICATE KEY UPDATE from left
 * to right, each seeing the columns already assigned (as in UPDATE without
 * SIMULTANEOUS_ASSIGNMENT).  So the first line alone decides from the old
 * row whether a new window starts (an ended lock, or a window past its
 * end with no lock) and leaves failures = 1 exactly then; the next two
 * read that decision from failures (a kept row has failures >= 1, so a
 * continued window has failures >= 2 after the increment).  A lock still
 * running (a failure that raced past throttle_check) is kept as it is.
 */
static const char	sql_fail[] =
	"INSERT INTO signin_throttle"
	" (key_hash, failures, first_failure_at, locked_until)"
	" VALUES (?, 1, NOW(), NULL)"
	" ON DUPLICATE KEY UPDATE"
	" failures = IF(locked_until <= NOW() OR (locked_until IS NULL AND"
	"  first_failure_at <= NOW() -" WINDOW "), 1, failures + 1),"
	" first_failure_at = IF(failures = 1, NOW(), first_failure_at),"
	" locked_until = CASE"
	"  WHEN failures = 1 THEN NULL"
	"  WHEN locked_until > NOW() THEN locked_until"
	"  WHEN failures >= " STR(THROTTLE_MAX_FAILURES) " THEN NOW() +" LOCK
	"  ELSE NULL END";

static const char	sql_reset[] =
	"DELETE FROM signin_throttle WHERE key_hash = ?";

enum db_res
throttle_check(struct db *db, const unsigned char key[THROTTLE_KEY_LEN],
    int *locked, long *retry_after)
{
	struct db_result	*res;
	struct db_val		 p = DB_BLOB(key, THROTTLE_KEY_LEN);
	const struct db_val	*v;
	enum db_res		 r;

	*locked = 0;
	*retry_after = 0;
	if ((r = db_query(db, sql_check, &p, 1, &res)) != DB_OK)
		return r;
	if (res->nrows == 1) {
		v = DB_CELL(res, 0, 0);
		*locked = 1;
		/* Whole seconds left, rounded so that it is never 0. */
		*retry_after = v->type == DB_T_INT64 && v->i > 0 ?
		    (long)v->i : 1;
	}
	db_result_free(res);
	return DB_OK;
}

enum db_res
throttle_fail(struct db *db, const unsigned char key[THROTTLE_KEY_LEN])
{
	struct db_val	 p = DB_BLOB(key, THROTTLE_KEY_LEN);

	return db_exec(db, sql_fail, &p, 1, NULL);
}

enum db_res
throttle_reset(struct db *db, const unsigned char key[THROTTLE_KEY_LEN])
{
	struct db_val	 p = DB_BLOB(key, THROTTLE_KEY_LEN);

	return db_exec(db, sql_reset, &p, 1, NULL);
}
