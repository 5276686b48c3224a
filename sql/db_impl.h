/*
 * Inside the Connector/C wrapper: shared by sql/db.c (connections,
 * statements) and sql/db_rows.c (result sets).  Nothing else includes it.
 */
#ifndef BILLGW_DB_IMPL_H
#define BILLGW_DB_IMPL_H

#include <mysql.h>

#include "sql/dsn.h"

struct stmt {
	char		*sql;		/* owned copy: the cache key */
	MYSQL_STMT	*st;		/* NULL: not prepared on this connection */
	unsigned long	 nparams;
};

struct db {
	struct dsn	 dsn;		/* holds the password: wiped in db_free */
	char		 name[400];	/* redacted, for messages */
	MYSQL		*my;		/* NULL: not connected */
	int		 in_tx;
	size_t		 nstmts;
	struct stmt	 stmts[DB_STMT_MAX];
	unsigned int	 err;
	char		 errmsg[512];
};

/* Record the statement's error and map it (see db_fail() in db.c). */
enum db_res	db_fail_stmt(struct db *, MYSQL_STMT *);

/* Read every row of the executed st into a new result (db_rows.c). */
enum db_res	db_read_rows(struct db *, MYSQL_STMT *st, struct db_result **);

#endif /* BILLGW_DB_IMPL_H */
