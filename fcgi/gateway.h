/*
 * Everything billgw loads from its configuration before it binds: the
 * config itself, the session keys and the directory's HMAC key.  The
 * master loads it at start and at SIGHUP; workers inherit it by fork.
 */
#ifndef BILLGW_GATEWAY_H
#define BILLGW_GATEWAY_H

#include <stddef.h>

#include "regions/config.h"

struct session_keys;
struct directory;

struct gateway {
	struct config		 cf;
	struct session_keys	*keys;
	struct directory	*dir;
};

/* Load and check all of it; NULL with "FILE:LINE: ..." in err. */
struct gateway	*gateway_load(const char *path, char *err, size_t errlen);
void		 gateway_free(struct gateway *);

#endif /* BILLGW_GATEWAY_H */
