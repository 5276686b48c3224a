#include <stdio.h>
#include <stdlib.h>

#include "auth/directory.h"
#include "auth/session.h"
#include "fcgi/gateway.h"

struct gateway *
gateway_load(const char *path, char *err, size_t errlen)
{
	struct gateway	*gw;
	char		 why[400];

	if ((gw = calloc(1, sizeof(*gw))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (config_load(path, &gw->cf, err, errlen) != 0)
		goto fail;
	/* billgw refuses to start with a session key under 32 bytes. */
	if ((gw->keys = session_keys_load(gw->cf.session.keys_file, why,
	    sizeof(why))) == NULL) {
		snprintf(err, errlen, "%s: [session] keys_file: %s", path, why);
		goto fail;
	}
	if ((gw->dir = directory_new(gw->cf.directory.key_file, why,
	    sizeof(why))) == NULL) {
		snprintf(err, errlen, "%s: [directory] key_file: %s", path,
		    why);
		goto fail;
	}
	return gw;
fail:
	gateway_free(gw);
	return NULL;
}

void
gateway_free(struct gateway *gw)
{
	if (gw == NULL)
		return;
	session_keys_free(gw->keys);
	directory_free(gw->dir);
	free(gw);
}
