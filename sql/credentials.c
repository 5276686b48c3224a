/*
 * Sign-in and session queries.  See credentials.h.
 */
#include <stdio.h>
#include <string.h>

#include "sql/credentials.h"

/*
 * The three finders select the same columns in the same order, so one
 * function reads them all:
 *   0 user id, 1 role, 2 is_main, 3 password_hash, 4 session_version,
 *   5 account id, 6 number, 7 company, 8 kind, 9 portal,
 *   10 main contact's name, 11 main contact's e-mail (NULL when none).
 * users.main_account_id holds the account id for the main contact only,
 * and its unique key makes the LEFT JOIN one index look-up.
 */
#define CRED_ACCOUNT_COLS \
	" a.id, a.number, a.company, a.kind, a.portal, m.name, m.email"

static const char	sql_by_client[] =
	"SELECT u.id, u.role, u.is_main, u.password_hash, u.session_version,"
	CRED_ACCOUNT_COLS
	" FROM users u JOIN accounts a ON a.id = u.account_id"
	" LEFT JOIN users m ON m.main_account_id = a.id"
	" WHERE u.client_id = ?";
static const char	sql_by_number[] =
	"SELECT u.id, u.role, u.is_main, u.password_hash, u.session_version,"
	CRED_ACCOUNT_COLS
	" FROM accounts a JOIN users u ON u.main_account_id = a.id"
	" JOIN users m ON m.id = u.id"
	" WHERE a.number = ?";
static const char	sql_by_corporate[] =
	"SELECT c.id, 'corporate', 0, c.password_hash, c.session_version,"
	CRED_ACCOUNT_COLS
	" FROM corporate_users c JOIN accounts a ON a.id = c.account_id"
	" LEFT JOIN users m ON m.main_account_id = a.id"
	" WHERE c.user_id = ?";

static const char *const sql_set_hash[] = {
	[CRED_USERS] = "UPDATE users SET password_hash = ? WHERE id = ?",
	[CRED_CORPORATE_USERS] =
	    "UPDATE corporate_users SET password_hash = ? WHERE id = ?",
};
static const char *const sql_session[] = {
	[CRED_USERS] = "SELECT u.session_version, u.account_id, a.version"
	    " FROM users u JOIN accounts a ON a.id = u.account_id"
	    " WHERE u.id = ?",
	[CRED_CORPORATE_USERS] = "SELECT c.session_version, c.account_id,"
	    " a.version FROM corporate_users c"
	    " JOIN accounts a ON a.id = c.account_id WHERE c.id = ?",
};
static const char *const sql_bump[] = {
	[CRED_USERS] = "UPDATE users SET session_version ="
	    " session_version + 1 WHERE id = ?",
	[CRED_CORPORATE_USERS] = "UPDATE corporate_users SET"
	    " session_version = session_version + 1 WHERE id = ?",
};

/* Copy a text cell into buf; "" for NULL.  0, or -1 when it does not fit. */
static int
cell_str(const struct db_val *v, char *buf, size_t size)
{
	if (v->type == DB_T_NULL) {
		buf[0] = '\0';
		return 0;
	}
	if (v->type != DB_T_TEXT || v->len >= size)
		return -1;
	memcpy(buf, v->s, v->len);
	buf[v->len] = '\0';
	return 0;
}

static int
cell_int(const struct db_val *v, int64_t *out)
{
	if (v->type != DB_T_INT64)
		return -1;
	*out = v->i;
	return 0;
}

enum db_res
cred_find(struct db *db, enum cred_kind k, const char *norm,
    struct cred *out)
{
	struct db_result	*res;
	struct db_val		 p = DB_STR(norm);
	const char		*sql;
	int64_t			 is_main = 0;
	enum db_res		 r;
	int			 bad;

	memset(out, 0, sizeof(*out));
	switch (k) {
	case CRED_CLIENT_ID:
		sql = sql_by_client;
		break;
	case CRED_ACCOUNT_NUMBER:
		sql = sql_by_number;
		break;
	case CRED_CORPORATE:
		sql = sql_by_corporate;
		break;
	default:
		return DB_ERR;
	}
	if ((r = db_query_row(db, sql, &p, 1, &res)) != DB_OK)
		return r;
	out->table = k == CRED_CORPORATE ? CRED_CORPORATE_USERS : CRED_USERS;
	bad = cell_int(DB_CELL(res, 0, 0), &out->user_id) ||
	    cell_str(DB_CELL(res, 0, 1), out->role, sizeof(out->role)) ||
	    cell_int(DB_CELL(res, 0, 2), &is_main) ||
	    cell_str(DB_CELL(res, 0, 3), out->password_hash,
	    sizeof(out->password_hash)) ||
	    cell_int(DB_CELL(res, 0, 4), &out->session_version) ||
	    cell_int(DB_CELL(res, 0, 5), &out->account_id) ||
	    cell_str(DB_CELL(res, 0, 6), out->account_number,
	    sizeof(out->account_number)) ||
	    cell_str(DB_CELL(res, 0, 7), out->company, sizeof(out->company)) ||
	    cell_str(DB_CELL(res, 0, 8), out->account_kind,
	    sizeof(out->account_kind)) ||
	    cell_str(DB_CELL(res, 0, 9), out->account_portal,
	    sizeof(out->account_portal)) ||
	    cell_str(DB_CELL(res, 0, 10), out->admin_name,
	    sizeof(out->admin_name)) ||
	    cell_str(DB_CELL(res, 0, 11), out->admin_email,
	    sizeof(out->admin_email));
	out->is_main = is_main != 0;
	/* The hash was copied: wipe the result's copy before freeing it. */
	if (DB_CELL(res, 0, 3)->type == DB_T_TEXT)
		explicit_bzero((void *)DB_CELL(res, 0, 3)->s,
		    DB_CELL(res, 0, 3)->len);
	db_result_free(res);
	if (bad) {
		explicit_bzero(out->password_hash, sizeof(out->password_hash));
		return DB_ERR;
	}
	return DB_OK;
}

enum db_res
cred_set_hash(struct db *db, enum cred_table t, int64_t user_id,
    const char *hash)
{
	struct db_val	 p[2];

	p[0] = DB_STR(hash);
	p[1] = DB_I64(user_id);
	return db_exec(db, sql_set_hash[t], p, 2, NULL);
}

void
cred_prepare(struct db *db)
{
	size_t	 t;

	for (t = 0; t < sizeof(sql_session) / sizeof(sql_session[0]); t++)
		(void)db_prepare(db, sql_session[t]);
}

enum db_res
cred_session(struct db *db, enum cred_table t, int64_t user_id,
    int64_t *sv, int64_t *account_id, int64_t *account_version)
{
	struct db_result	*res;
	struct db_val		 p = DB_I64(user_id);
	enum db_res		 r;

	if ((r = db_query_row(db, sql_session[t], &p, 1, &res)) != DB_OK)
		return r;
	if (cell_int(DB_CELL(res, 0, 0), sv) ||
	    cell_int(DB_CELL(res, 0, 1), account_id) ||
	    cell_int(DB_CELL(res, 0, 2), account_version))
		r = DB_ERR;
	db_result_free(res);
	return r;
}

enum db_res
cred_bump_session(struct db *db, enum cred_table t, int64_t user_id)
{
	struct db_val		 p = DB_I64(user_id);
	struct db_exec_info	 info;
	enum db_res		 r;

	if ((r = db_exec(db, sql_bump[t], &p, 1, &info)) != DB_OK)
		return r;
	return info.affected == 0 ? DB_NOTFOUND : DB_OK;
}
