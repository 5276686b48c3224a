/*
 * Region -> database handle, per worker process.  Handles are created at
 * worker start (after fork), connected there by dbroute_connect(), and
 * connect again on the first use after a failure.  A caller asks
 * by region index, so no request ever reaches another region's database by
 * accident of a string.
 */
#ifndef BILLGW_DBROUTE_H
#define BILLGW_DBROUTE_H

struct config;
struct db;
struct dbroute;

struct dbroute	*dbroute_new(const struct config *cf);
void		 dbroute_free(struct dbroute *);

/*
 * Connect every handle now, before the first request needs it.  One that
 * cannot (its database down) is logged and left to that request, as any
 * handle whose connection failed.
 */
void		 dbroute_connect(struct dbroute *);

/* Borrowed handles; NULL for an index out of range. */
struct db	*dbroute_region(struct dbroute *, int region_index);
struct db	*dbroute_directory(struct dbroute *);

#endif /* BILLGW_DBROUTE_H */
