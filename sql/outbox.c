/*
 * The mail outbox.  See outbox.h.
 */
#include "sql/outbox.h"

#define OUTBOX_COLS	"id, created_at, sent_at, to_addr, subject, body"

static const char	sql_read[] =
	"SELECT " OUTBOX_COLS " FROM outbox ORDER BY id LIMIT ?";
static const char	sql_next[] =
	"SELECT " OUTBOX_COLS " FROM outbox"
	" WHERE sent_at IS NULL AND id > ? ORDER BY id LIMIT 1"
	" FOR UPDATE SKIP LOCKED";
static const char	sql_mark_sent[] =
	"UPDATE outbox SET sent_at = NOW(),"
	/* A sent mail keeps no live link: its token leaves with the mail. */
	" body = REGEXP_REPLACE(body, 'token=[A-Za-z0-9._-]+', 'token=(sent)')"
	" WHERE id = ? AND sent_at IS NULL";

enum db_res
outbox_read(struct db *db, int64_t limit, struct db_result **out)
{
	struct db_val	 p = DB_I64(limit);

	return db_query(db, sql_read, &p, 1, out);
}

enum db_res
outbox_next(struct db *db, int64_t after, struct db_result **out)
{
	struct db_val	 p = DB_I64(after);

	return db_query_row(db, sql_next, &p, 1, out);
}

enum db_res
outbox_mark_sent(struct db *db, int64_t id)
{
	struct db_val		 p = DB_I64(id);
	struct db_exec_info	 info;
	enum db_res		 r;

	if ((r = db_exec(db, sql_mark_sent, &p, 1, &info)) != DB_OK)
		return r;
	return info.affected == 0 ? DB_NOTFOUND : DB_OK;
}
