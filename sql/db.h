/*
 * The MariaDB Connector/C wrapper: the only module (with the other sql/
 * files) that includes <mysql.h>.  A struct db is one connection, opened
 * by db_ready() (a worker does it as it starts) or else by the first call,
 * with connect/read/write timeouts and never with auto-reconnect: after a
 * lost connection the next call reconnects explicitly and re-prepares every
 * statement registered on it.
 *
 * Statement cache: the SQL text is the key.  The first db_exec(),
 * db_query() or db_prepare() with a given text registers it on the handle
 * (a copy is kept) and prepares it; later calls with the same text reuse
 * the prepared statement, one round trip each.  After a reconnect every
 * registered statement is prepared again before anything runs.  At most
 * DB_STMT_MAX texts per handle: build SQL from constants only (a batch
 * INSERT with N rows of placeholders is one text per N), never from data.
 */
#ifndef BILLGW_DB_H
#define BILLGW_DB_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>		/* strlen() in DB_STR */

struct dsn;
struct db;

enum db_res {
	DB_OK,
	DB_NOTFOUND,
	DB_CONFLICT,		/* a unique key already holds the value */
	DB_UNAVAILABLE,		/* cannot connect, or the connection broke */
	DB_ERR			/* anything else: a bug or a schema mismatch */
};

#define DB_STMT_MAX	256	/* distinct SQL texts per handle */
#define DB_PARAM_MAX	65535	/* the protocol's limit per statement */

const char	*db_res_str(enum db_res);

/* A handle for the database at *d; no connection is made yet. */
struct db	*db_new(const struct dsn *d);
void		 db_free(struct db *);

/*
 * Make sure the connection is usable: connect if there is none, else one
 * round trip (mysql_ping).  On failure the connection is closed, so the next
 * call connects anew.  DB_OK or DB_UNAVAILABLE.
 */
enum db_res	 db_ready(struct db *);

/*
 * Register sql and prepare it now if connected (else when it connects), so
 * that its first use does not: what a worker does at start for the
 * statements of every request.  DB_OK, or as db_query().
 */
enum db_res	 db_prepare(struct db *, const char *sql);

/* "mysql://user@host/db" of this handle, never a password.  Borrowed. */
const char	*db_name(const struct db *);

/* The database name of the DSN.  Borrowed. */
const char	*db_database(const struct db *);

/*
 * The server or client error number and message of the last failed call
 * (0 and "" after a success).  The message may quote data (a duplicate
 * value): print it to an operator, never to a log line.
 */
unsigned int	 db_last_errno(const struct db *);
const char	*db_last_error(const struct db *);

/* Typed values: statement parameters and result columns. */
enum db_type {
	DB_T_NULL,
	DB_T_INT64,
	DB_T_TEXT,		/* utf8mb4 text, s[0..len) */
	DB_T_BLOB		/* bytes, s[0..len) (BINARY/VARBINARY/BLOB) */
};

struct db_val {
	enum db_type	 type;
	int64_t		 i;
	const char	*s;	/* params: borrowed; results: owned by the result */
	size_t		 len;
};

#define DB_NULLV	((struct db_val){ .type = DB_T_NULL })
#define DB_I64(x)	((struct db_val){ .type = DB_T_INT64, .i = (int64_t)(x) })
#define DB_STRN(p, n)	\
	((struct db_val){ .type = DB_T_TEXT, .s = (p), .len = (n) })
#define DB_STR(p)	DB_STRN((p), strlen(p))
#define DB_BLOB(p, n)	\
	((struct db_val){ .type = DB_T_BLOB, .s = (const char *)(p), \
	    .len = (n) })

/*
 * A result set, fully read: nrows x ncols values, row-major.  Integer
 * columns come back as DB_T_INT64 (unsigned values above INT64_MAX are an
 * error), SQL NULL as DB_T_NULL, every other column (DATE, DATETIME,
 * DECIMAL, text, binary) as DB_T_TEXT with its text form, NUL-terminated.
 */
struct db_result {
	size_t		 nrows;
	size_t		 ncols;
	struct db_val	*v;
};

#define DB_CELL(r, row, col)	(&(r)->v[(row) * (r)->ncols + (col)])

void		 db_result_free(struct db_result *);

struct db_exec_info {
	uint64_t	 affected;	/* rows changed (2 for an upsert update) */
	uint64_t	 insert_id;	/* the AUTO_INCREMENT of the first row */
};

/*
 * Run sql (cached and prepared, see above) with np parameters; np must
 * equal the number of placeholders.  DB_CONFLICT on a duplicate key,
 * DB_UNAVAILABLE when the connection broke (it is closed; the next call
 * reconnects), DB_ERR otherwise.  info may be NULL.
 */
enum db_res	 db_exec(struct db *, const char *sql, const struct db_val *p,
		    size_t np, struct db_exec_info *info);

/*
 * As db_exec() for a statement returning rows.  On DB_OK *out is a new
 * result the caller frees with db_result_free(); it may hold zero rows
 * (db_query() itself never says DB_NOTFOUND).
 */
enum db_res	 db_query(struct db *, const char *sql, const struct db_val *p,
		    size_t np, struct db_result **out);

/*
 * As db_query(), for at most one row: DB_NOTFOUND when there is none, and
 * DB_ERR when there are several.
 */
enum db_res	 db_query_row(struct db *, const char *sql,
		    const struct db_val *p, size_t np, struct db_result **out);

/*
 * Transactions.  db_begin() connects if needed; inside a transaction a
 * lost connection is DB_UNAVAILABLE and the server has rolled back.
 * db_rollback() never fails from the caller's view (it is the cleanup).
 */
enum db_res	 db_begin(struct db *);
enum db_res	 db_commit(struct db *);
void		 db_rollback(struct db *);
int		 db_in_transaction(const struct db *);

/*
 * Run one statement of constant text through the text protocol: DDL for the
 * migrations, nothing that carries data.  Result rows, if any, are dropped.
 */
enum db_res	 db_exec_text(struct db *, const char *sql, size_t len);

/*
 * The text head + n copies of row joined by ", " + tail, for a multi-row
 * INSERT of n rows of placeholders ("(?, ?)").  A new string the caller
 * frees, or NULL.  Constant pieces only: never data.
 */
char		*db_sql_rows(const char *head, const char *row, size_t n,
		    const char *tail);

#endif /* BILLGW_DB_H */
