/*
 * billgw: the FastCGI gateway.
 *
 *	billgw --config FILE		run the pool in the foreground
 *	billgw --check --config FILE	validate FILE and try every database
 *
 * The configuration is read and checked before anything is bound: a bad
 * file exits 1 with FILE:LINE: [section] key: reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi/gateway.h"
#include "fcgi/log.h"
#include "fcgi/pool.h"
#include "sql/db.h"
#include "sql/dsn.h"

static void
usage(void)
{
	fprintf(stderr, "usage: billgw [--check] --config FILE\n");
	exit(2);
}

/* Try one database; print its state.  Returns 1 when it is up. */
static int
check_db(const char *what, const char *dsn_text)
{
	struct dsn	 d;
	struct db	*db;
	char		 err[128], shown[600];
	int		 ok;

	if (dsn_parse(dsn_text, &d, err, sizeof(err)) != 0) {
		printf("%-12s bad address: %s\n", what, err);
		return 0;
	}
	dsn_redact(&d, shown, sizeof(shown));
	db = db_new(&d);
	explicit_bzero(&d, sizeof(d));
	ok = db != NULL && db_ready(db) == DB_OK;
	printf("%-12s %-4s %s\n", what, ok ? "up" : "DOWN", shown);
	db_free(db);
	return ok;
}

static int
check(const struct config *cf)
{
	char	 what[32];
	size_t	 i;
	int	 up;

	up = check_db("directory", cf->directory.dsn);
	for (i = 0; i < cf->nregions; i++) {
		snprintf(what, sizeof(what), "region %s", cf->regions[i].code);
		up &= check_db(what, cf->regions[i].dsn);
	}
	printf("%s: configuration valid, %s\n", cf->path,
	    up ? "every database reachable" : "some database unreachable");
	return up ? 0 : 1;
}

int
main(int argc, char *argv[])
{
	struct gateway	*gw;
	const char	*path = NULL;
	char		 err[512];
	int		 i, checking = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--check") == 0)
			checking = 1;
		else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			path = argv[++i];
		else
			usage();
	}
	if (path == NULL)
		usage();
	if ((gw = gateway_load(path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "billgw: %s\n", err);
		return 1;
	}
	if (checking) {
		i = check(&gw->cf);
		gateway_free(gw);
		return i;
	}
	return pool_run(path, gw);
}
