/*
 * The fixed keys, configuration and clock of the session fuzz target,
 * shared with mint_tokens.c, which issues its seed tokens: a token minted
 * there verifies here.  Not secrets: test data.
 */
#ifndef BILLGW_FUZZ_SESSION_FIXTURE_H
#define BILLGW_FUZZ_SESSION_FIXTURE_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/session.h"
#include "regions/config.h"

#define FUZZ_NOW	1750000000	/* 2025-06-15T15:06:40Z */
#define FUZZ_TTL	1800

/* Two keys, as after a rotation: k2 signs, both verify. */
#define FUZZ_KID_SIGN	"k2"
#define FUZZ_SECRET_SIGN "fuzz-signing-key-0123456789abcdef-not-a-secret"
#define FUZZ_KID_OLD	"k1"
#define FUZZ_SECRET_OLD	"fuzz-retired-key-with spaces-0123456789abcdef"
#define FUZZ_KEYS \
	"# billgw fuzz keys\n" \
	FUZZ_KID_SIGN " " FUZZ_SECRET_SIGN "\n" \
	FUZZ_KID_OLD "\t" FUZZ_SECRET_OLD "\n"

#define FUZZ_REGION(code, zone) \
	"[region." code "]\n" \
	"name = Region " code "\n" \
	"currency = USD\n" \
	"timezone = " zone "\n" \
	"dsn = mysql://billgw@localhost/billgw_" code "?socket=/tmp/m.sock\n" \
	"billing_center_url = http://127.0.0.1:8080/billing-center/\n" \
	"corporate_portal_url = http://127.0.0.1:8080/corporate/\n" \
	"regional_portal_url = http://127.0.0.1:8080/regional/\n" \
	"profile_url = http://127.0.0.1:8080/profile/\n" \
	"billing_email = billing-" code "@example.com\n" \
	"remit_to = Billing Inc.\n"

#define FUZZ_CONFIG \
	"[gateway]\n" \
	"listen = unix:/tmp/billgw-fuzz.sock\n" \
	"public_url = http://127.0.0.1:8080\n" \
	"[session]\n" \
	"keys_file = /nonexistent/session.keys\n" \
	"[directory]\n" \
	"dsn = mysql://billgw@localhost/billgw_directory?socket=/tmp/m.sock\n" \
	"key_file = /nonexistent/directory.key\n" \
	FUZZ_REGION("us", "America/New_York") \
	FUZZ_REGION("ca", "America/Toronto") \
	FUZZ_REGION("eu", "Europe/Berlin") \
	FUZZ_REGION("apac", "Australia/Sydney")

/*
 * Load FUZZ_KEYS (through a file in a new temporary directory, removed
 * at once: the keys stay in memory) and FUZZ_CONFIG.  Aborts on failure:
 * without them the target would test nothing.
 */
static inline struct session_keys *
fuzz_session_setup(struct config *cf)
{
	struct session_keys	*ks;
	char			 dir[] = "/tmp/billgw-fuzz-XXXXXX";
	char			 path[PATH_MAX], err[512];
	FILE			*f;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		abort();
	}
	snprintf(path, sizeof(path), "%s/session.keys", dir);
	if ((f = fopen(path, "w")) == NULL ||
	    fputs(FUZZ_KEYS, f) == EOF || fclose(f) == EOF) {
		perror(path);
		abort();
	}
	ks = session_keys_load(path, err, sizeof(err));
	unlink(path);
	rmdir(dir);
	if (ks == NULL) {
		fprintf(stderr, "fuzz: keys: %s\n", err);
		abort();
	}
	if (config_load_string("fuzz.conf", FUZZ_CONFIG, cf, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "fuzz: config: %s\n", err);
		abort();
	}
	return ks;
}

#endif /* BILLGW_FUZZ_SESSION_FIXTURE_H */
