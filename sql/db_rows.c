/*
 * Result sets of the Connector/C wrapper: every row read at once into a
 * struct db_result of typed values (see db.h), and the multi-row INSERT
 * text builder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysql.h>
#include <errmsg.h>

#include "fcgi/log.h"
#include "sql/db.h"
#include "sql/db_impl.h"

#define DB_COL_BUF	256	/* first fetch buffer per text column */

void
db_result_free(struct db_result *res)
{
	size_t	 i, n;

	if (res == NULL)
		return;
	n = res->nrows * res->ncols;
	for (i = 0; i < n; i++)
		if (res->v[i].type == DB_T_TEXT)
			free((char *)res->v[i].s);
	free(res->v);
	free(res);
}

static int
field_is_integer(const MYSQL_FIELD *f)
{
	switch (f->type) {
	case MYSQL_TYPE_TINY:
	case MYSQL_TYPE_SHORT:
	case MYSQL_TYPE_INT24:
	case MYSQL_TYPE_LONG:
	case MYSQL_TYPE_LONGLONG:
		return 1;
	case MYSQL_TYPE_NEWDECIMAL:
	case MYSQL_TYPE_DECIMAL:
		/* SUM() of a BIGINT is a DECIMAL with no fraction. */
		return f->decimals == 0;
	default:
		return 0;
	}
}

struct colbuf {
	int		 integer;
	int64_t		 i;
	char		 buf[DB_COL_BUF];
	unsigned long	 len;
	my_bool		 is_null;
	my_bool		 error;
	my_bool		 is_unsigned;
};

/* Copy the current row of st into row[0..ncols). */
static enum db_res
fetch_row(struct db *db, MYSQL_STMT *st, struct colbuf *cb, size_t ncols,
    struct db_val *row)
{
	size_t		 c;
	char		*s;
	MYSQL_BIND	 b;

	for (c = 0; c < ncols; c++) {
		if (cb[c].is_null) {
			row[c].type = DB_T_NULL;
			continue;
		}
		if (cb[c].integer) {
			if (cb[c].error || (cb[c].is_unsigned && cb[c].i < 0)) {
				db->err = CR_UNKNOWN_ERROR;
				snprintf(db->errmsg, sizeof(db->errmsg),
				    "column %zu out of int64 range", c);
				log_err("db %s: %s", db->name, db->errmsg);
				return DB_ERR;
			}
			row[c].type = DB_T_INT64;
			row[c].i = cb[c].i;
			continue;
		}
		if ((s = malloc((size_t)cb[c].len + 1)) == NULL)
			return DB_ERR;
		if (cb[c].len <= DB_COL_BUF)
			memcpy(s, cb[c].buf, cb[c].len);
		else {
			memset(&b, 0, sizeof(b));
			b.buffer_type = MYSQL_TYPE_STRING;
			b.buffer = s;
			b.buffer_length = cb[c].len;
			if (mysql_stmt_fetch_column(st, &b, (unsigned int)c,
			    0) != 0) {
				free(s);
				return db_fail_stmt(db, st);
			}
		}
		s[cb[c].len] = '\0';
		row[c].type = DB_T_TEXT;
		row[c].s = s;
		row[c].len = cb[c].len;
	}
	return DB_OK;
}

enum db_res
db_read_rows(struct db *db, MYSQL_STMT *st, struct db_result **out)
{
	MYSQL_RES		*meta;
	MYSQL_FIELD		*f;
	MYSQL_BIND		*b = NULL;
	struct colbuf		*cb = NULL;
	struct db_result	*res;
	struct db_val		*nv;
	size_t			 ncols, c, cap = 0;
	enum db_res		 r = DB_ERR;
	int			 rc;

	if ((res = calloc(1, sizeof(*res))) == NULL)
		return DB_ERR;
	if ((meta = mysql_stmt_result_metadata(st)) == NULL) {
		/* Not a statement that returns rows. */
		*out = res;
		return DB_OK;
	}
	ncols = mysql_num_fields(meta);
	f = mysql_fetch_fields(meta);
	res->ncols = ncols;
	if ((b = calloc(ncols, sizeof(*b))) == NULL ||
	    (cb = calloc(ncols, sizeof(*cb))) == NULL)
		goto out;
	for (c = 0; c < ncols; c++) {
		cb[c].integer = field_is_integer(&f[c]);
		if (cb[c].integer) {
			b[c].buffer_type = MYSQL_TYPE_LONGLONG;
			b[c].buffer = &cb[c].i;
			cb[c].is_unsigned = (f[c].flags & UNSIGNED_FLAG) != 0;
			b[c].is_unsigned = cb[c].is_unsigned;
		} else {
			b[c].buffer_type = MYSQL_TYPE_STRING;
			b[c].buffer = cb[c].buf;
			b[c].buffer_length = sizeof(cb[c].buf);
		}
		b[c].length = &cb[c].len;
		b[c].is_null = &cb[c].is_null;
		b[c].error = &cb[c].error;
	}
	if (mysql_stmt_bind_result(st, b) != 0) {
		r = db_fail_stmt(db, st);
		goto out;
	}
	for (;;) {
		rc = mysql_stmt_fetch(st);
		if (rc == MYSQL_NO_DATA)
			break;
		if (rc == 1) {
			r = db_fail_stmt(db, st);
			goto out;
		}
		/* 0 or MYSQL_DATA_TRUNCATED: long text is fetched again. */
		if (res->nrows == cap) {
			cap = cap ? cap * 2 : 8;
			if ((nv = reallocarray(res->v, cap * ncols,
			    sizeof(*nv))) == NULL)
				goto out;
			res->v = nv;
		}
		memset(&res->v[res->nrows * ncols], 0, ncols * sizeof(*nv));
		res->nrows++;
		if ((r = fetch_row(db, st, cb, ncols,
		    &res->v[(res->nrows - 1) * ncols])) != DB_OK)
			goto out;
		r = DB_ERR;
	}
	r = DB_OK;
out:
	if (db->my != NULL)
		mysql_stmt_free_result(st);
	mysql_free_result(meta);
	free(b);
	free(cb);
	if (r == DB_OK)
		*out = res;
	else
		db_result_free(res);
	return r;
}

char *
db_sql_rows(const char *head, const char *row, size_t n, const char *tail)
{
	size_t	 hl = strlen(head), rl = strlen(row), tl = strlen(tail);
	size_t	 i, len;
	char	*sql, *q;

	if (n == 0 || n > DB_PARAM_MAX || rl > (SIZE_MAX - hl - tl - 1) / n / 2)
		return NULL;
	len = hl + n * (rl + 2) + tl + 1;
	if ((sql = malloc(len)) == NULL)
		return NULL;
	memcpy(sql, head, hl);
	q = sql + hl;
	for (i = 0; i < n; i++) {
		if (i > 0) {
			memcpy(q, ", ", 2);
			q += 2;
		}
		memcpy(q, row, rl);
		q += rl;
	}
	memcpy(q, tail, tl + 1);
	return sql;
}
