/*
 * Accounts, users and corporate users.  See accounts.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/accounts.h"

static const char	sql_account_insert[] =
	"INSERT INTO accounts (number, company, kind, portal, country)"
	" VALUES (?, ?, ?, ?, ?)";
/* LAST_INSERT_ID(id) makes the existing row's id the insert id. */
static const char	sql_account_upsert[] =
	"INSERT INTO accounts (number, company, kind, portal, country)"
	" VALUES (?, ?, ?, ?, ?)"
	" ON DUPLICATE KEY UPDATE id = LAST_INSERT_ID(id)";
static const char	sql_account_find[] =
	"SELECT id, kind, portal FROM accounts WHERE number = ?";
static const char	sql_account_max[] =
	"SELECT MAX(number) FROM accounts WHERE number BETWEEN ? AND ?";
static const char	sql_digest_range[] =
	"SELECT MIN(id), MAX(id) FROM accounts"
	" WHERE id BETWEEN ? AND ? AND digest IS NULL";
static const char	sql_digest_fill[] =
	"UPDATE accounts SET digest = account_digest(id)"
	" WHERE id BETWEEN ? AND ? AND digest IS NULL";
static const char	sql_account_ids[] =
	"SELECT id FROM accounts WHERE number BETWEEN ? AND ? ORDER BY number";
static const char	sql_user_insert[] =
	"INSERT INTO users (account_id, client_id, role, is_main, name,"
	" email, password_hash) VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char	sql_user_exists[] =
	"SELECT 1 FROM users WHERE client_id = ?";
static const char	sql_user_main[] =
	"SELECT 1 FROM users WHERE main_account_id = ?";
static const char	sql_corp_insert[] =
	"INSERT INTO corporate_users (account_id, user_id, name, email,"
	" password_hash) VALUES (?, ?, ?, ?, ?)";
static const char	sql_corp_exists[] =
	"SELECT 1 FROM corporate_users WHERE user_id = ?";

/* Run a query for one row and report only whether there was one. */
static enum db_res
exists(struct db *db, const char *sql, struct db_val p)
{
	struct db_result	*res;
	enum db_res		 r;

	if ((r = db_query_row(db, sql, &p, 1, &res)) == DB_OK)
		db_result_free(res);
	return r;
}

static void
account_params(const struct account_new *a, struct db_val *p)
{
	p[0] = DB_STR(a->number);
	p[1] = DB_STR(a->company);
	p[2] = DB_STR(a->kind);
	p[3] = DB_STR(a->portal);
	p[4] = DB_STR(a->country);
}

enum db_res
accounts_add(struct db *db, const struct account_new *a, int upsert,
    int64_t *id)
{
	struct db_val		 p[5];
	struct db_exec_info	 info;
	enum db_res		 r;

	account_params(a, p);
	r = db_exec(db, upsert ? sql_account_upsert : sql_account_insert, p, 5,
	    &info);
	if (r == DB_OK)
		*id = (int64_t)info.insert_id;
	return r;
}

enum db_res
accounts_find(struct db *db, const char *number, struct account_ref *out)
{
	struct db_result	*res;
	struct db_val		 p = DB_STR(number);
	enum db_res		 r;

	if ((r = db_query_row(db, sql_account_find, &p, 1, &res)) != DB_OK)
		return r;
	out->id = DB_CELL(res, 0, 0)->i;
	snprintf(out->kind, sizeof(out->kind), "%s", DB_CELL(res, 0, 1)->s);
	snprintf(out->portal, sizeof(out->portal), "%s",
	    DB_CELL(res, 0, 2)->s);
	db_result_free(res);
	return DB_OK;
}

enum db_res
accounts_max_in_range(struct db *db, const char *lo, const char *hi,
    char *out)
{
	struct db_result	*res;
	struct db_val		 p[2];
	enum db_res		 r;

	p[0] = DB_STR(lo);
	p[1] = DB_STR(hi);
	if ((r = db_query_row(db, sql_account_max, p, 2, &res)) != DB_OK)
		return r;
	if (DB_CELL(res, 0, 0)->type == DB_T_TEXT)
		snprintf(out, 13, "%s", DB_CELL(res, 0, 0)->s);
	else
		r = DB_NOTFOUND;
	db_result_free(res);
	return r;
}

enum db_res
accounts_add_batch(struct db *db, const struct account_new *a, size_t n,
    int64_t *ids)
{
	struct db_val		*p = NULL, range[2];
	struct db_result	*res = NULL;
	char			*sql = NULL;
	size_t			 i;
	enum db_res		 r = DB_ERR;

	if (n == 0)
		return DB_OK;
	if (n > ACCOUNTS_BATCH_MAX)
		return DB_ERR;
	for (i = 1; i < n; i++)
		if (strlen(a[i].number) != strlen(a[0].number) ||
		    strcmp(a[i - 1].number, a[i].number) >= 0)
			return DB_ERR;
	if ((p = calloc(n * 5, sizeof(*p))) == NULL ||
	    (sql = db_sql_rows("INSERT INTO accounts (number, company, kind,"
	    " portal, country) VALUES ", "(?, ?, ?, ?, ?)", n, "")) == NULL)
		goto out;
	for (i = 0; i < n; i++)
		account_params(&a[i], &p[5 * i]);
	if ((r = db_exec(db, sql, p, n * 5, NULL)) != DB_OK)
		goto out;
	/*
	 * The ids by number, not from LAST_INSERT_ID(): consecutive ids for
	 * a multi-row INSERT depend on innodb_autoinc_lock_mode.
	 */
	range[0] = DB_STR(a[0].number);
	range[1] = DB_STR(a[n - 1].number);
	if ((r = db_query(db, sql_account_ids, range, 2, &res)) != DB_OK)
		goto out;
	if (res->nrows != n) {
		r = DB_ERR;
		goto out;
	}
	for (i = 0; i < n; i++)
		ids[i] = DB_CELL(res, i, 0)->i;
out:
	db_result_free(res);
	free(sql);
	free(p);
	return r;
}

enum db_res
accounts_fill_digests(struct db *db, int64_t lo, int64_t hi,
    uint64_t *filled)
{
	struct db_result	*res;
	struct db_exec_info	 info;
	struct db_val		 p[2];
	int64_t			 from, to;
	enum db_res		 r;

	*filled = 0;
	p[0] = DB_I64(lo);
	p[1] = DB_I64(hi);
	if ((r = db_query_row(db, sql_digest_range, p, 2, &res)) != DB_OK)
		return r;
	if (DB_CELL(res, 0, 0)->type != DB_T_INT64 ||
	    DB_CELL(res, 0, 1)->type != DB_T_INT64) {
		db_result_free(res);
		return DB_OK;		/* none missing */
	}
	lo = DB_CELL(res, 0, 0)->i;
	hi = DB_CELL(res, 0, 1)->i;
	db_result_free(res);
	for (from = lo;; from = to + 1) {
		to = hi - from < ACCOUNTS_DIGEST_STEP ? hi :
		    from + ACCOUNTS_DIGEST_STEP - 1;
		p[0] = DB_I64(from);
		p[1] = DB_I64(to);
		if ((r = db_exec(db, sql_digest_fill, p, 2, &info)) != DB_OK)
			return r;
		*filled += info.affected;
		if (to == hi)
			return DB_OK;
	}
}

static void
user_params(const struct user_new *u, struct db_val *p)
{
	p[0] = DB_I64(u->account_id);
	p[1] = DB_STR(u->client_id);
	p[2] = DB_STR(u->role);
	p[3] = DB_I64(u->is_main ? 1 : 0);
	p[4] = DB_STR(u->name);
	p[5] = DB_STR(u->email);
	p[6] = DB_STR(u->password_hash);
}

enum db_res
users_add(struct db *db, const struct user_new *u, int64_t *id)
{
	struct db_val		 p[7];
	struct db_exec_info	 info;
	enum db_res		 r;

	user_params(u, p);
	if ((r = db_exec(db, sql_user_insert, p, 7, &info)) == DB_OK)
		*id = (int64_t)info.insert_id;
	return r;
}

enum db_res
users_exists(struct db *db, const char *client_id)
{
	return exists(db, sql_user_exists, DB_STR(client_id));
}

enum db_res
users_main_exists(struct db *db, int64_t account_id)
{
	return exists(db, sql_user_main, DB_I64(account_id));
}

enum db_res
users_add_batch(struct db *db, const struct user_new *u, size_t n)
{
	struct db_val	*p = NULL;
	char		*sql = NULL;
	size_t		 i;
	enum db_res	 r = DB_ERR;

	if (n == 0 || n > ACCOUNTS_BATCH_MAX)
		return n == 0 ? DB_OK : DB_ERR;
	if ((p = calloc(n * 7, sizeof(*p))) == NULL ||
	    (sql = db_sql_rows("INSERT INTO users (account_id, client_id,"
	    " role, is_main, name, email, password_hash) VALUES ",
	    "(?, ?, ?, ?, ?, ?, ?)", n, "")) == NULL)
		goto out;
	for (i = 0; i < n; i++)
		user_params(&u[i], &p[7 * i]);
	r = db_exec(db, sql, p, n * 7, NULL);
out:
	free(sql);
	free(p);
	return r;
}

enum db_res
corporate_users_add(struct db *db, const struct corporate_user_new *u,
    int64_t *id)
{
	struct db_val		 p[5];
	struct db_exec_info	 info;
	enum db_res		 r;

	p[0] = DB_I64(u->account_id);
	p[1] = DB_STR(u->user_id);
	p[2] = DB_STR(u->name);
	p[3] = DB_STR(u->email);
	p[4] = DB_STR(u->password_hash);
	if ((r = db_exec(db, sql_corp_insert, p, 5, &info)) == DB_OK)
		*id = (int64_t)info.insert_id;
	return r;
}

enum db_res
corporate_users_exists(struct db *db, const char *user_id)
{
	return exists(db, sql_corp_exists, DB_STR(user_id));
}
