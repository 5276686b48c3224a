/*
 * The MariaDB Connector/C wrapper: the only module (with the other sql/
 * files) that includes <mysql.h>.  A struct db is one connection, opened
 * lazily, with connect/read/write timeouts and never with auto-reconnect:
 * after a lost connection the next call reconnects explicitly and
 * re-prepares every statement registered on it.
 */
#ifndef BILLGW_DB_H
#define BILLGW_DB_H

#include <stddef.h>

struct dsn;
struct db;

enum db_res {
	DB_OK,
	DB_NOTFOUND,
	DB_CONFLICT,		/* a unique key already holds the value */
	DB_UNAVAILABLE,		/* cannot connect, or the connection broke */
	DB_ERR			/* anything else: a bug or a schema mismatch */
};

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

#endif /* BILLGW_DB_H */
