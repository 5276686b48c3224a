/*
 * Fuzz target: the configuration loader (regions/config.c),
 * config_load_string() on the input as the text of the file.  Like
 * config_load(), which refuses a file holding a NUL byte, the text ends
 * at the first NUL.
 *
 * On success every value is within its declared range; on failure the
 * message names the file.
 */
#include <string.h>

#include "fuzz.h"
#include "regions/config.h"

#define ERR_SIZE	512

/* s is NUL-terminated inside its array of size bytes, and not empty. */
#define FUZZ_STR(s)	FUZZ_ASSERT(memchr((s), '\0', sizeof(s)) != NULL && \
			    (s)[0] != '\0')

static void
check_region(const struct config *cf, size_t i)
{
	const struct region_conf *r = &cf->regions[i];
	size_t	 j;

	FUZZ_STR(r->code);
	FUZZ_ASSERT(strlen(r->code) >= 2 && strlen(r->code) <= 8);
	for (j = 0; r->code[j]; j++)
		FUZZ_ASSERT(r->code[j] >= 'a' && r->code[j] <= 'z');
	FUZZ_ASSERT(config_region_index(cf, r->code) == (int)i);
	FUZZ_ASSERT(config_region(cf, r->code) == r);
	FUZZ_STR(r->name);
	FUZZ_ASSERT(strlen(r->currency) == 3);
	FUZZ_STR(r->timezone);
	FUZZ_STR(r->dsn);
	FUZZ_STR(r->billing_center_url);
	FUZZ_STR(r->corporate_portal_url);
	FUZZ_STR(r->regional_portal_url);
	FUZZ_STR(r->profile_url);
	FUZZ_ASSERT(r->payment_terms_days >= 0 &&
	    r->payment_terms_days <= 365);
	FUZZ_STR(r->billing_email);
	FUZZ_STR(r->remit_to);
}

static void
check_config(const struct config *cf)
{
	size_t	 i;

	FUZZ_ASSERT(strcmp(cf->path, "fuzz.conf") == 0);
	FUZZ_STR(cf->gateway.listen);
	FUZZ_ASSERT(cf->gateway.workers >= 1 &&
	    cf->gateway.workers <= CONFIG_MAX_WORKERS);
	FUZZ_ASSERT(cf->gateway.max_requests >= 1 &&
	    cf->gateway.max_requests <= 1000000000);
	FUZZ_ASSERT(cf->gateway.request_timeout >= 1 &&
	    cf->gateway.request_timeout <= 3600);
	FUZZ_ASSERT(cf->gateway.slow_request_ms >= 1 &&
	    cf->gateway.slow_request_ms <= 600000);
	FUZZ_ASSERT(cf->gateway.listen_backlog >= 16 &&
	    cf->gateway.listen_backlog <= 65535);
	FUZZ_STR(cf->gateway.public_url);
	FUZZ_STR(cf->session.keys_file);
	FUZZ_ASSERT(cf->session.ttl >= 60 && cf->session.ttl <= 86400);
	FUZZ_STR(cf->directory.dsn);
	FUZZ_STR(cf->directory.key_file);
	FUZZ_ASSERT(cf->nregions >= 1 && cf->nregions <= CONFIG_MAX_REGIONS);
	for (i = 0; i < cf->nregions; i++)
		check_region(cf, i);
	FUZZ_ASSERT(config_region(cf, "") == NULL);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	*cf;
	char		*text, *err;

	text = fuzz_strndup(data, size);
	if ((cf = malloc(sizeof(*cf))) == NULL ||
	    (err = malloc(ERR_SIZE)) == NULL)
		abort();
	err[0] = '\0';
	if (config_load_string("fuzz.conf", text, cf, err, ERR_SIZE) == 0) {
		check_config(cf);
	} else {
		FUZZ_ASSERT(memchr(err, '\0', ERR_SIZE) != NULL);
		FUZZ_ASSERT(strncmp(err, "fuzz.conf:", 10) == 0);
	}
	free(err);
	free(cf);
	free(text);
	return 0;
}
