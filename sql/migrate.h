/*
 * Schema migrations (sql/schema/{region,directory}/NNN_name.sql), embedded
 * in the binary at build time by sql/embed.cmake.  A schema_version table in
 * each database records what was applied.
 */
#ifndef BILLGW_MIGRATE_H
#define BILLGW_MIGRATE_H

#include <stddef.h>

struct db;

struct migration {
	int		 version;	/* the NNN of the file name */
	const char	*name;		/* "NNN_name" */
	const char	*sql;		/* statements, each ending ';' at a line end */
};

/* Generated: ascending versions, then a { 0, NULL, NULL } row. */
extern const struct migration	migrations_region[];
extern const size_t		migrations_nregion;
extern const struct migration	migrations_directory[];
extern const size_t		migrations_ndirectory;

/*
 * Apply the migrations of set[0..n) that db has not recorded, in order,
 * under a named server lock so two migrators cannot interleave.  what names
 * the database in messages ("region us", "directory").  Returns the number
 * applied (0 when up to date), or -1 with a message in err; a database that
 * does not exist is named as such.  Statements run through the text
 * protocol (they are constant DDL); each migration's version is recorded
 * after its last statement.  DDL commits implicitly in MariaDB, so every
 * statement in the files is written to be safe to run again: a migration
 * cut short is completed by the next run.
 */
int	migrate_apply(struct db *db, const char *what,
	    const struct migration *set, size_t n, char *err, size_t errlen);

/* The highest version in set[0..n), 0 for none. */
int	migrate_latest(const struct migration *set, size_t n);

#endif /* BILLGW_MIGRATE_H */
