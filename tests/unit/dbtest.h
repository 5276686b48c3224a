/*
 * For the unit tests that need the stack's MariaDB (scripts/dev test starts
 * it and exports BILLGW_CONF): load that configuration, or fail loudly.  A
 * test that silently skips would pass having checked nothing.
 */
#ifndef BILLGW_DBTEST_H
#define BILLGW_DBTEST_H

#include <stdio.h>
#include <stdlib.h>

#include "regions/config.h"

static void
dbtest_load(struct config *cf)
{
	const char	*path = getenv("BILLGW_CONF");
	char		 err[512];

	if (path == NULL || *path == '\0') {
		fprintf(stderr, "BILLGW_CONF is not set: run this test through "
		    "scripts/dev test, which starts the database it needs\n");
		exit(1);
	}
	if (config_load(path, cf, err, sizeof(err)) == -1) {
		fprintf(stderr, "set-up: %s\n", err);
		exit(1);
	}
}

#endif /* BILLGW_DBTEST_H */
