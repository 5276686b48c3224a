/*
 * Password reset queries.  See resets.h.
 */
#include <string.h>

#include "sql/resets.h"

#define STR_(x)	#x
#define STR(x)	STR_(x)

static const char	sql_user_lock[] =
	"SELECT id, account_id, user_id FROM corporate_users"
	" WHERE user_id = ? FOR UPDATE";

static const char	sql_invalidate[] =
	"UPDATE password_resets SET used_at = NOW()"
	" WHERE user_id = ? AND used_at IS NULL";

/*
 * INSERT ... SELECT from the user's row, so that id 0 inserts nothing with
 * the same statement, and the mail's address is the one in the row.
 */
static const char	sql_add[] =
	"INSERT INTO password_resets (token_hash, user_id, expires_at)"
	" SELECT ?, id, NOW() + INTERVAL " STR(RESETS_TTL_MIN) " MINUTE"
	" FROM corporate_users WHERE id = ?";

static const char	sql_mail[] =
	"INSERT INTO outbox (to_addr, subject, body)"
	" SELECT email, ?, ? FROM corporate_users WHERE id = ?";

static const char	sql_take[] =
	"SELECT c.id, c.account_id, c.user_id"
	" FROM password_resets r JOIN corporate_users c ON c.id = r.user_id"
	" WHERE r.token_hash = ? AND r.used_at IS NULL"
	" AND r.expires_at > NOW() FOR UPDATE";

static const char	sql_set_hash[] =
	"UPDATE corporate_users SET password_hash = ?,"
	" session_version = session_version + 1 WHERE id = ?";

/* Read the three columns of sql_user_lock and sql_take. */
static enum db_res
read_user(struct db_result *res, struct reset_user *out)
{
	const struct db_val	*id = DB_CELL(res, 0, 0);
	const struct db_val	*acct = DB_CELL(res, 0, 1);
	const struct db_val	*uid = DB_CELL(res, 0, 2);

	if (id->type != DB_T_INT64 || acct->type != DB_T_INT64 ||
	    uid->type != DB_T_TEXT || uid->len >= sizeof(out->user_id))
		return DB_ERR;
	out->id = id->i;
	out->account_id = acct->i;
	memcpy(out->user_id, uid->s, uid->len);
	out->user_id[uid->len] = '\0';
	return DB_OK;
}

enum db_res
resets_user_lock(struct db *db, const char *norm, struct reset_user *out)
{
	struct db_result	*res;
	struct db_val		 p = DB_STR(norm);
	enum db_res		 r;

	memset(out, 0, sizeof(*out));
	if ((r = db_query_row(db, sql_user_lock, &p, 1, &res)) != DB_OK)
		return r;
	r = read_user(res, out);
	db_result_free(res);
	return r;
}

enum db_res
resets_invalidate(struct db *db, int64_t id)
{
	struct db_val	 p = DB_I64(id);

	return db_exec(db, sql_invalidate, &p, 1, NULL);
}

enum db_res
resets_add(struct db *db, int64_t id,
    const unsigned char hash[RESETS_HASH_LEN])
{
	struct db_val	 p[2];

	p[0] = DB_BLOB(hash, RESETS_HASH_LEN);
	p[1] = DB_I64(id);
	return db_exec(db, sql_add, p, 2, NULL);
}

enum db_res
resets_mail(struct db *db, int64_t id, const char *subject,
    const char *body)
{
	struct db_val	 p[3];

	p[0] = DB_STR(subject);
	p[1] = DB_STR(body);
	p[2] = DB_I64(id);
	return db_exec(db, sql_mail, p, 3, NULL);
}

enum db_res
resets_take(struct db *db, const unsigned char hash[RESETS_HASH_LEN],
    struct reset_user *out)
{
	struct db_result	*res;
	struct db_val		 p = DB_BLOB(hash, RESETS_HASH_LEN);
	enum db_res		 r;

	memset(out, 0, sizeof(*out));
	if ((r = db_query_row(db, sql_take, &p, 1, &res)) != DB_OK)
		return r;
	r = read_user(res, out);
	db_result_free(res);
	return r;
}

enum db_res
resets_done(struct db *db, int64_t id, const char *hash)
{
	struct db_val		 p[2];
	struct db_exec_info	 info;
	enum db_res		 r;

	p[0] = DB_STR(hash);
	p[1] = DB_I64(id);
	if ((r = db_exec(db, sql_set_hash, p, 2, &info)) != DB_OK)
		return r;
	if (info.affected == 0)
		return DB_NOTFOUND;
	return resets_invalidate(db, id);
}
