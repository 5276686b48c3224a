/*
 * Region -> database handle, per process.  One struct db per configured
 * region, in the order of cf->regions, plus one for the directory.  Nothing
 * connects here: each handle connects on its first use (after fork, in the
 * worker that uses it), so a region whose database is down costs nothing
 * until it is asked for and never blocks the others.
 */
#include <stdlib.h>
#include <string.h>

#include "fcgi/log.h"
#include "regions/config.h"
#include "regions/dbroute.h"
#include "sql/db.h"
#include "sql/dsn.h"

struct dbroute {
	size_t		 nregions;
	struct db	*regions[CONFIG_MAX_REGIONS];
	struct db	*directory;
};

/* A handle for the DSN text s; NULL (logged) when it does not parse. */
static struct db *
dbroute_open(const char *what, const char *s)
{
	struct dsn	 d;
	struct db	*db;
	char		 err[256];

	if (dsn_parse(s, &d, err, sizeof(err)) == -1) {
		log_err("%s: dsn: %s", what, err);
		explicit_bzero(&d, sizeof(d));
		return NULL;
	}
	db = db_new(&d);
	explicit_bzero(&d, sizeof(d));
	if (db == NULL)
		log_err("%s: out of memory", what);
	return db;
}

/*
 * Build the handles for cf (borrowed only during the call: every handle
 * keeps its own copy of its DSN).  NULL when a DSN does not parse, which a
 * loaded config rules out, or when memory runs out.
 */
struct dbroute *
dbroute_new(const struct config *cf)
{
	struct dbroute	*dr;
	size_t		 i;

	if ((dr = calloc(1, sizeof(*dr))) == NULL)
		return NULL;
	if ((dr->directory = dbroute_open("[directory]",
	    cf->directory.dsn)) == NULL)
		goto fail;
	for (i = 0; i < cf->nregions && i < CONFIG_MAX_REGIONS; i++) {
		if ((dr->regions[i] = dbroute_open(cf->regions[i].code,
		    cf->regions[i].dsn)) == NULL)
			goto fail;
		dr->nregions = i + 1;
	}
	return dr;
fail:
	dbroute_free(dr);
	return NULL;
}

void
dbroute_free(struct dbroute *dr)
{
	size_t	 i;

	if (dr == NULL)
		return;
	for (i = 0; i < dr->nregions; i++)
		db_free(dr->regions[i]);
	db_free(dr->directory);
	free(dr);
}

void
dbroute_connect(struct dbroute *dr)
{
	size_t	 i;

	(void)db_ready(dr->directory);
	for (i = 0; i < dr->nregions; i++)
		(void)db_ready(dr->regions[i]);
}

struct db *
dbroute_region(struct dbroute *dr, int region_index)
{
	if (region_index < 0 || (size_t)region_index >= dr->nregions)
		return NULL;
	return dr->regions[region_index];
}

struct db *
dbroute_directory(struct dbroute *dr)
{
	return dr->directory;
}
