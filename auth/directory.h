/*
 * The identifier directory (SPEC section 4, "Find"): keyed HMAC-SHA-256 of
 * "kind:normalised identifier" -> home region code, kept in the directory
 * database.  No personal data leaves the regions: without the key the
 * directory names nobody.
 */
#ifndef BILLGW_DIRECTORY_H
#define BILLGW_DIRECTORY_H

#include <stddef.h>

#include "sql/db.h"

#define DIRECTORY_KEY_MIN	32	/* bytes in [directory] key_file */
#define DIRECTORY_KEY_MAX	1024
#define DIRECTORY_HMAC_LEN	32
#define DIRECTORY_BATCH_MAX	1000	/* identifiers per directory_put_batch() */

struct ident;
struct directory;

/*
 * Read the raw key from key_file (every byte counts, a final newline too).
 * NULL with a reason in err when it cannot be read or holds fewer than
 * DIRECTORY_KEY_MIN bytes.  The key is wiped by directory_free().
 */
struct directory	*directory_new(const char *key_file, char *err,
			    size_t errlen);
void			 directory_free(struct directory *);

/* HMAC-SHA-256 under the key of "kind:norm" for id (classified). */
void	directory_hmac(const struct directory *, const struct ident *id,
	    unsigned char out[DIRECTORY_HMAC_LEN]);

/*
 * Record that id is homed in region.  DB_OK when it is now (*created says
 * whether this call wrote the row, so a caller whose next step fails can
 * directory_remove() it); DB_CONFLICT when another region holds it, whose
 * code is copied into holder.  Other db_res values as db_exec().
 */
enum db_res	directory_put(struct directory *, struct db *dirdb,
		    const struct ident *id, const char *region, int *created,
		    char *holder, size_t holderlen);

/*
 * Record ids[0..n) (n <= DIRECTORY_BATCH_MAX) as homed in region, in one
 * multi-row INSERT.  Rows already present are left as they are, whatever
 * region they name: for generated identifiers that cannot clash across
 * regions (the demo generator), not for operator input.
 */
enum db_res	directory_put_batch(struct directory *, struct db *dirdb,
		    const struct ident *ids, size_t n, const char *region);

/* The home region of id into region (DB_NOTFOUND when unknown). */
enum db_res	directory_lookup(struct directory *, struct db *dirdb,
		    const struct ident *id, char *region, size_t regionlen);

/* Forget id if region holds it (the undo of directory_put()). */
enum db_res	directory_remove(struct directory *, struct db *dirdb,
		    const struct ident *id, const char *region);

#endif /* BILLGW_DIRECTORY_H */
