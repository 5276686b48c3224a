/*
 * The MariaDB Connector/C wrapper.  See db.h for the contract; the notes
 * here are about how.
 *
 * Connection life: db_new() only copies the DSN.  The first call that needs
 * the server connects (2 s connect timeout, 5 s read and write timeouts,
 * utf8mb4, UTC session time zone, strict SQL mode, MYSQL_OPT_RECONNECT
 * explicitly off: the library's silent reconnect would drop our prepared
 * statements and an open transaction without telling us).  Any error that
 * means the connection is gone closes it here; the next call connects again
 * and prepares every registered statement anew.
 *
 * Retry: a statement is sent again once, transparently, only when the
 * server was already gone before it could be sent (CR_SERVER_GONE_ERROR)
 * and no transaction is open.  A connection lost while the server may have
 * run the statement (CR_SERVER_LOST) is DB_UNAVAILABLE: sending a write
 * twice is worse than one failed request.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>

#include "fcgi/log.h"
#include "sql/db.h"
#include "sql/db_impl.h"
#include "sql/dsn.h"

#define DB_CONNECT_TIMEOUT	2	/* seconds */
#define DB_RW_TIMEOUT		5	/* seconds, each of read and write */
#define DB_BIND_STACK		16

/* Every session starts the same way: UTC and strict input checking. */
#define DB_INIT_COMMAND \
	"SET time_zone = '+00:00', sql_mode = 'STRICT_ALL_TABLES," \
	"NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO," \
	"NO_ENGINE_SUBSTITUTION'"

static void	db_disconnect(struct db *);

const char *
db_res_str(enum db_res r)
{
	switch (r) {
	case DB_OK:
		return "ok";
	case DB_NOTFOUND:
		return "not found";
	case DB_CONFLICT:
		return "conflict";
	case DB_UNAVAILABLE:
		return "database unavailable";
	case DB_ERR:
		break;
	}
	return "database error";
}

struct db *
db_new(const struct dsn *d)
{
	struct db	*db;

	if ((db = calloc(1, sizeof(*db))) == NULL)
		return NULL;
	db->dsn = *d;
	dsn_redact(d, db->name, sizeof(db->name));
	return db;
}

void
db_free(struct db *db)
{
	size_t	 i;

	if (db == NULL)
		return;
	db_disconnect(db);
	for (i = 0; i < db->nstmts; i++)
		free(db->stmts[i].sql);
	explicit_bzero(&db->dsn, sizeof(db->dsn));
	free(db);
}

const char *
db_name(const struct db *db)
{
	return db->name;
}

const char *
db_database(const struct db *db)
{
	return db->dsn.database;
}

unsigned int
db_last_errno(const struct db *db)
{
	return db->err;
}

const char *
db_last_error(const struct db *db)
{
	return db->errmsg;
}

int
db_in_transaction(const struct db *db)
{
	return db->in_tx;
}

static void
db_clear_error(struct db *db)
{
	db->err = 0;
	db->errmsg[0] = '\0';
}

/* Errors after which the connection cannot be trusted any more. */
static int
db_errno_lost(unsigned int e)
{
	switch (e) {
	case CR_CONNECTION_ERROR:
	case CR_CONN_HOST_ERROR:
	case CR_SERVER_GONE_ERROR:
	case CR_SERVER_LOST:
	case CR_SERVER_LOST_EXTENDED:
	case CR_COMMANDS_OUT_OF_SYNC:
	case ER_CONNECTION_KILLED:
	case ER_SERVER_SHUTDOWN:
		return 1;
	default:
		return 0;
	}
}

/*
 * Record error e and map it to a result.  A lost connection is closed.  The
 * server's message may quote data for SQLSTATE classes 22 (data) and 23
 * (constraint), so those are logged without it.
 */
static enum db_res
db_fail(struct db *db, unsigned int e, const char *msg, const char *state)
{
	db->err = e;
	snprintf(db->errmsg, sizeof(db->errmsg), "%s", msg ? msg : "");
	if (db_errno_lost(e)) {
		log_warn("db %s: connection lost (%u)", db->name, e);
		db_disconnect(db);
		return DB_UNAVAILABLE;
	}
	if (e == ER_DUP_ENTRY || e == ER_DUP_KEY ||
	    e == ER_DUP_ENTRY_WITH_KEY_NAME)
		return DB_CONFLICT;
	if (state != NULL && (strncmp(state, "22", 2) == 0 ||
	    strncmp(state, "23", 2) == 0))
		log_err("db %s: error %u (SQLSTATE %s)", db->name, e, state);
	else
		log_err("db %s: error %u (SQLSTATE %s): %s", db->name, e,
		    state ? state : "?", db->errmsg);
	return DB_ERR;
}

static enum db_res
db_fail_conn(struct db *db)
{
	return db_fail(db, mysql_errno(db->my), mysql_error(db->my),
	    mysql_sqlstate(db->my));
}

enum db_res
db_fail_stmt(struct db *db, MYSQL_STMT *st)
{
	return db_fail(db, mysql_stmt_errno(st), mysql_stmt_error(st),
	    mysql_stmt_sqlstate(st));
}

static void
db_disconnect(struct db *db)
{
	size_t	 i;

	for (i = 0; i < db->nstmts; i++) {
		if (db->stmts[i].st != NULL)
			mysql_stmt_close(db->stmts[i].st);
		db->stmts[i].st = NULL;
	}
	if (db->my != NULL)
		mysql_close(db->my);
	db->my = NULL;
	db->in_tx = 0;
}

/* Prepare s on the current connection. */
static enum db_res
stmt_prepare(struct db *db, struct stmt *s)
{
	MYSQL_STMT	*st;
	enum db_res	 r;

	if ((st = mysql_stmt_init(db->my)) == NULL)
		return db_fail_conn(db);
	if (mysql_stmt_prepare(st, s->sql, strlen(s->sql)) != 0) {
		r = db_fail_stmt(db, st);
		mysql_stmt_close(st);
		return r;
	}
	s->st = st;
	s->nparams = mysql_stmt_param_count(st);
	return DB_OK;
}

/*
 * Open the connection and prepare every registered statement again.  A
 * statement that no longer prepares (schema changed) is left for its next
 * use to report; the connection stays.
 */
static enum db_res
db_connect(struct db *db)
{
	MYSQL		*my;
	unsigned int	 ct = DB_CONNECT_TIMEOUT, rw = DB_RW_TIMEOUT;
	unsigned int	 proto = MYSQL_PROTOCOL_SOCKET;
	my_bool		 no = 0;
	size_t		 i;
	const char	*sock;

	if (db->my != NULL)
		return DB_OK;
	if ((my = mysql_init(NULL)) == NULL) {
		db->err = CR_OUT_OF_MEMORY;
		snprintf(db->errmsg, sizeof(db->errmsg), "out of memory");
		return DB_ERR;
	}
	mysql_options(my, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
	mysql_options(my, MYSQL_OPT_READ_TIMEOUT, &rw);
	mysql_options(my, MYSQL_OPT_WRITE_TIMEOUT, &rw);
	mysql_options(my, MYSQL_OPT_RECONNECT, &no);
	mysql_options(my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(my, MYSQL_INIT_COMMAND, DB_INIT_COMMAND);
	sock = db->dsn.socket[0] != '\0' ? db->dsn.socket : NULL;
	if (sock != NULL)
		mysql_options(my, MYSQL_OPT_PROTOCOL, &proto);
	if (mysql_real_connect(my, db->dsn.host[0] ? db->dsn.host : NULL,
	    db->dsn.user, db->dsn.password[0] ? db->dsn.password : NULL,
	    db->dsn.database, db->dsn.port, sock, 0) == NULL) {
		db->err = mysql_errno(my);
		snprintf(db->errmsg, sizeof(db->errmsg), "%s", mysql_error(my));
		log_warn("db %s: cannot connect (%u): %s", db->name, db->err,
		    db->errmsg);
		mysql_close(my);
		return DB_UNAVAILABLE;
	}
	db->my = my;
	db->in_tx = 0;
	for (i = 0; i < db->nstmts; i++) {
		if (stmt_prepare(db, &db->stmts[i]) == DB_UNAVAILABLE)
			return DB_UNAVAILABLE;
	}
	db_clear_error(db);
	return DB_OK;
}

enum db_res
db_ready(struct db *db)
{
	enum db_res	 r;

	db_clear_error(db);
	if (db->my == NULL)
		return db_connect(db);
	if (mysql_ping(db->my) == 0)
		return DB_OK;
	r = db_fail_conn(db);
	if (r != DB_UNAVAILABLE) {
		/* A failed ping of any kind: start afresh next time. */
		db_disconnect(db);
		r = DB_UNAVAILABLE;
	}
	return r;
}

/* The cache entry for sql, registered if new; NULL when the cache is full. */
static struct stmt *
stmt_lookup(struct db *db, const char *sql)
{
	size_t		 i;
	struct stmt	*s;

	for (i = 0; i < db->nstmts; i++)
		if (db->stmts[i].sql == sql ||
		    strcmp(db->stmts[i].sql, sql) == 0)
			return &db->stmts[i];
	if (db->nstmts == DB_STMT_MAX) {
		log_err("db %s: more than %d statements: SQL built from data?",
		    db->name, DB_STMT_MAX);
		return NULL;
	}
	s = &db->stmts[db->nstmts];
	if ((s->sql = strdup(sql)) == NULL)
		return NULL;
	s->st = NULL;
	db->nstmts++;
	return s;
}

/* Bind p[0..np) to s's placeholders and execute. */
static enum db_res
stmt_execute(struct db *db, struct stmt *s, const struct db_val *p, size_t np)
{
	MYSQL_BIND	 sb[DB_BIND_STACK], *b = sb;
	unsigned long	 sl[DB_BIND_STACK], *len = sl;
	size_t		 i;
	enum db_res	 r = DB_OK;

	if (np != s->nparams) {
		db->err = CR_PARAMS_NOT_BOUND;
		snprintf(db->errmsg, sizeof(db->errmsg),
		    "%zu parameters for %lu placeholders", np, s->nparams);
		log_err("db %s: %s", db->name, db->errmsg);
		return DB_ERR;
	}
	if (np > DB_BIND_STACK) {
		b = calloc(np, sizeof(*b));
		len = calloc(np, sizeof(*len));
		if (b == NULL || len == NULL) {
			free(b);
			free(len);
			return DB_ERR;
		}
	} else
		memset(sb, 0, sizeof(sb));
	for (i = 0; i < np; i++) {
		switch (p[i].type) {
		case DB_T_NULL:
			b[i].buffer_type = MYSQL_TYPE_NULL;
			break;
		case DB_T_INT64:
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = (void *)&p[i].i;
			break;
		case DB_T_TEXT:
		case DB_T_BLOB:
			b[i].buffer_type = p[i].type == DB_T_TEXT ?
			    MYSQL_TYPE_STRING : MYSQL_TYPE_BLOB;
			b[i].buffer = (void *)(p[i].s ? p[i].s : "");
			len[i] = p[i].len;
			b[i].buffer_length = p[i].len;
			b[i].length = &len[i];
			break;
		}
	}
	if (np > 0 && mysql_stmt_bind_param(s->st, b) != 0)
		r = db_fail_stmt(db, s->st);
	else if (mysql_stmt_execute(s->st) != 0)
		r = db_fail_stmt(db, s->st);
	if (b != sb) {
		free(b);
		free(len);
	}
	return r;
}

/*
 * Find or register sql, connect and prepare as needed, execute with p.  On
 * DB_OK the statement is returned in *out with its results pending.
 */
static enum db_res
db_run(struct db *db, const char *sql, const struct db_val *p, size_t np,
    struct stmt **out)
{
	struct stmt	*s;
	enum db_res	 r;
	int		 attempt;

	db_clear_error(db);
	if ((s = stmt_lookup(db, sql)) == NULL)
		return DB_ERR;
	for (attempt = 0; attempt < 2; attempt++) {
		if (db->my == NULL && (r = db_connect(db)) != DB_OK)
			return r;
		if (s->st == NULL && (r = stmt_prepare(db, s)) != DB_OK)
			goto failed;
		if ((r = stmt_execute(db, s, p, np)) == DB_OK) {
			*out = s;
			return DB_OK;
		}
failed:
		/* Only a request that never left is safe to send again. */
		if (r != DB_UNAVAILABLE || db->err != CR_SERVER_GONE_ERROR ||
		    db->in_tx)
			return r;
	}
	return r;
}

enum db_res
db_prepare(struct db *db, const char *sql)
{
	struct stmt	*s;

	db_clear_error(db);
	if ((s = stmt_lookup(db, sql)) == NULL)
		return DB_ERR;
	if (db->my == NULL || s->st != NULL)
		return DB_OK;
	return stmt_prepare(db, s);
}

enum db_res
db_exec(struct db *db, const char *sql, const struct db_val *p, size_t np,
    struct db_exec_info *info)
{
	struct stmt	*s;
	enum db_res	 r;

	if ((r = db_run(db, sql, p, np, &s)) != DB_OK)
		return r;
	if (info != NULL) {
		info->affected = mysql_stmt_affected_rows(s->st);
		info->insert_id = mysql_stmt_insert_id(s->st);
	}
	mysql_stmt_free_result(s->st);
	return DB_OK;
}

enum db_res
db_query(struct db *db, const char *sql, const struct db_val *p, size_t np,
    struct db_result **out)
{
	struct stmt	*s;
	enum db_res	 r;

	*out = NULL;
	if ((r = db_run(db, sql, p, np, &s)) != DB_OK)
		return r;
	return db_read_rows(db, s->st, out);
}

enum db_res
db_query_row(struct db *db, const char *sql, const struct db_val *p,
    size_t np, struct db_result **out)
{
	enum db_res	 r;

	if ((r = db_query(db, sql, p, np, out)) != DB_OK)
		return r;
	if ((*out)->nrows == 1)
		return DB_OK;
	r = (*out)->nrows == 0 ? DB_NOTFOUND : DB_ERR;
	if (r == DB_ERR)
		log_err("db %s: one row expected, %zu read", db->name,
		    (*out)->nrows);
	db_result_free(*out);
	*out = NULL;
	return r;
}

enum db_res
db_exec_text(struct db *db, const char *sql, size_t len)
{
	MYSQL_RES	*res;
	enum db_res	 r;

	db_clear_error(db);
	if (db->my == NULL && (r = db_connect(db)) != DB_OK)
		return r;
	if (mysql_real_query(db->my, sql, len) != 0)
		return db_fail_conn(db);
	if ((res = mysql_store_result(db->my)) != NULL)
		mysql_free_result(res);
	else if (mysql_field_count(db->my) != 0)
		return db_fail_conn(db);
	return DB_OK;
}

enum db_res
db_begin(struct db *db)
{
	static const char	 q[] = "START TRANSACTION";
	enum db_res		 r;

	if (db->in_tx) {
		log_err("db %s: nested transaction", db->name);
		return DB_ERR;
	}
	r = db_exec_text(db, q, sizeof(q) - 1);
	/* Nothing was pending, so a connection found dead may be renewed. */
	if (r == DB_UNAVAILABLE && db->err == CR_SERVER_GONE_ERROR)
		r = db_exec_text(db, q, sizeof(q) - 1);
	if (r == DB_OK)
		db->in_tx = 1;
	return r;
}

enum db_res
db_commit(struct db *db)
{
	if (!db->in_tx || db->my == NULL) {
		log_err("db %s: commit without a transaction", db->name);
		return DB_ERR;
	}
	db->in_tx = 0;
	if (mysql_commit(db->my) != 0)
		return db_fail_conn(db);
	return DB_OK;
}

void
db_rollback(struct db *db)
{
	if (db->in_tx && db->my != NULL && mysql_rollback(db->my) != 0)
		(void)db_fail_conn(db);
	db->in_tx = 0;
}
