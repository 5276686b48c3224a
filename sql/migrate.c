/*
 * Schema migrations.  See migrate.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysqld_error.h>

#include "sql/db.h"
#include "sql/migrate.h"

/* Seconds to wait for another migrator: below the 5 s read timeout. */
#define MIGRATE_LOCK_WAIT	3

static const char	sql_version_table[] =
	"CREATE TABLE IF NOT EXISTS schema_version ("
	" version INT NOT NULL PRIMARY KEY,"
	" name VARCHAR(64) NOT NULL,"
	" applied_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP"
	") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
static const char	sql_lock[] = "SELECT GET_LOCK(?, ?)";
static const char	sql_unlock[] = "SELECT RELEASE_LOCK(?)";
static const char	sql_applied[] =
	"SELECT version FROM schema_version ORDER BY version";
static const char	sql_record[] =
	"INSERT INTO schema_version (version, name) VALUES (?, ?)";
static const char	lock_name[] = "billgw_migrate";

int
migrate_latest(const struct migration *set, size_t n)
{
	return n == 0 ? 0 : set[n - 1].version;
}

/*
 * Run each statement of the script text: a statement ends at a line whose
 * last non-blank character is ';'.  Lines starting with "--" are comments
 * and are dropped, so a ';' in a comment ends nothing.
 */
static int
run_script(struct db *db, const struct migration *m, char *err, size_t errlen)
{
	const char	*p = m->sql, *eol, *end;
	char		*buf;
	size_t		 len = 0, cap, ln, stmtno = 0;
	int		 rc = -1;

	cap = strlen(m->sql) + 1;
	if ((buf = malloc(cap)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	while (*p != '\0') {
		if ((eol = strchr(p, '\n')) == NULL)
			eol = p + strlen(p);
		ln = (size_t)(eol - p);
		end = eol;
		while (end > p && strchr(" \t\r", end[-1]) != NULL)
			end--;
		if (strspn(p, " \t") + 2 <= ln &&
		    strncmp(p + strspn(p, " \t"), "--", 2) == 0)
			goto next;
		memcpy(buf + len, p, ln);
		len += ln;
		buf[len++] = '\n';
		if (end > p && end[-1] == ';') {
			stmtno++;
			if (db_exec_text(db, buf, len) != DB_OK) {
				snprintf(err, errlen, "%s, statement %zu: %s",
				    m->name, stmtno, db_last_error(db));
				goto out;
			}
			len = 0;
		}
next:
		p = *eol ? eol + 1 : eol;
	}
	if (strspn(buf, " \t\r\n") < len) {
		snprintf(err, errlen, "%s: text after the last ';'", m->name);
		goto out;
	}
	rc = 0;
out:
	free(buf);
	return rc;
}

static int
is_applied(const struct db_result *res, int version)
{
	size_t	 i;

	for (i = 0; i < res->nrows; i++)
		if (DB_CELL(res, i, 0)->type == DB_T_INT64 &&
		    DB_CELL(res, i, 0)->i == version)
			return 1;
	return 0;
}

int
migrate_apply(struct db *db, const char *what, const struct migration *set,
    size_t n, char *err, size_t errlen)
{
	struct db_result	*res = NULL, *lk = NULL;
	struct db_val		 p[2];
	size_t			 i;
	int			 applied = 0, locked = 0, rc = -1;
	char			 e[512];

	if (db_ready(db) != DB_OK) {
		if (db_last_errno(db) == ER_BAD_DB_ERROR)
			snprintf(err, errlen, "%s: database %s does not exist "
			    "(create it first, as the stack script does)",
			    what, db_database(db));
		else
			snprintf(err, errlen, "%s: cannot connect to %s: %s",
			    what, db_name(db), db_last_error(db));
		return -1;
	}
	p[0] = DB_STR(lock_name);
	p[1] = DB_I64(MIGRATE_LOCK_WAIT);
	if (db_query_row(db, sql_lock, p, 2, &lk) != DB_OK ||
	    DB_CELL(lk, 0, 0)->type != DB_T_INT64 || DB_CELL(lk, 0, 0)->i != 1) {
		snprintf(err, errlen, "%s: another migration holds the lock "
		    "(waited %d s)", what, MIGRATE_LOCK_WAIT);
		goto out;
	}
	locked = 1;
	if (db_exec_text(db, sql_version_table, sizeof(sql_version_table) - 1)
	    != DB_OK ||
	    db_query(db, sql_applied, NULL, 0, &res) != DB_OK) {
		snprintf(err, errlen, "%s: schema_version: %s", what,
		    db_last_error(db));
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (is_applied(res, set[i].version))
			continue;
		/* Atomic for DML; DDL commits on its own (see migrate.h). */
		if (db_begin(db) != DB_OK) {
			snprintf(err, errlen, "%s: %s", what, db_last_error(db));
			goto out;
		}
		if (run_script(db, &set[i], e, sizeof(e)) == -1) {
			db_rollback(db);
			snprintf(err, errlen, "%s: %s", what, e);
			goto out;
		}
		p[0] = DB_I64(set[i].version);
		p[1] = DB_STR(set[i].name);
		if (db_exec(db, sql_record, p, 2, NULL) != DB_OK ||
		    db_commit(db) != DB_OK) {
			db_rollback(db);
			snprintf(err, errlen, "%s: recording %s: %s", what,
			    set[i].name, db_last_error(db));
			goto out;
		}
		applied++;
	}
	rc = applied;
out:
	if (locked) {
		db_result_free(lk);
		lk = NULL;
		p[0] = DB_STR(lock_name);
		if (db_query(db, sql_unlock, p, 1, &lk) != DB_OK)
			lk = NULL;	/* the lock dies with the session anyway */
	}
	db_result_free(lk);
	db_result_free(res);
	return rc;
}
