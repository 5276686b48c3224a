/*
 * mint_tokens DIR: write the session fuzz target's seed tokens into DIR,
 * real tokens issued by session_issue() under the keys, configuration and
 * clock of session_fixture.h (one per portal, role and region, and a few
 * issued before or after FUZZ_NOW so that the expiry and iat checks are
 * reached).  Built with the fuzz targets; its output is committed in
 * tests/fuzz/corpus/session/ as token-*.  The jti is random, so each run
 * writes different (equally good) tokens.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session_fixture.h"

static const struct {
	const char	*name;
	enum session_aud aud;
	const char	*rgn, *sub, *role;
	long		 at;		/* issued at FUZZ_NOW + at */
	int		 ttl;
} mint[] = {
	{ "bc-us", AUD_BILLING_CENTER, "us", "us:u:42", "super_admin", 0,
	    FUZZ_TTL },
	{ "bc-ca-viewpay", AUD_BILLING_CENTER, "ca", "ca:u:7", "view_pay",
	    -60, FUZZ_TTL },
	{ "regional-eu-member", AUD_REGIONAL, "eu", "eu:u:1001", "member",
	    -1000, FUZZ_TTL },
	{ "corporate-apac", AUD_CORPORATE, "apac", "apac:c:9", "corporate",
	    -5, FUZZ_TTL },
	{ "expired-us", AUD_BILLING_CENTER, "us", "us:u:42", "super_admin",
	    -7200, FUZZ_TTL },
	{ "future-us", AUD_BILLING_CENTER, "us", "us:u:42", "super_admin",
	    3600, FUZZ_TTL },
	{ "leeway-us", AUD_BILLING_CENTER, "us", "us:u:42", "super_admin",
	    20, 60 },
	{ "unknown-region", AUD_BILLING_CENTER, "zz", "zz:u:1", "member", 0,
	    FUZZ_TTL },
};

int
main(int argc, char *argv[])
{
	struct session_keys	*ks;
	struct session_claims	 c;
	struct config		*cf;
	char			 tok[SESSION_TOKEN_MAX + 1], path[4096];
	FILE			*f;
	size_t			 i;

	if (argc != 2) {
		fprintf(stderr, "usage: mint_tokens DIR\n");
		return 2;
	}
	if ((cf = malloc(sizeof(*cf))) == NULL)
		return 1;
	ks = fuzz_session_setup(cf);
	for (i = 0; i < sizeof(mint) / sizeof(mint[0]); i++) {
		memset(&c, 0, sizeof(c));
		c.aud = mint[i].aud;
		snprintf(c.rgn, sizeof(c.rgn), "%s", mint[i].rgn);
		snprintf(c.sub, sizeof(c.sub), "%s", mint[i].sub);
		snprintf(c.role, sizeof(c.role), "%s", mint[i].role);
		c.acct = 1000 + (int64_t)i;
		c.sv = (int64_t)i;
		if (session_issue(ks, &c, (time_t)(FUZZ_NOW + mint[i].at),
		    mint[i].ttl, tok, sizeof(tok)) != 0) {
			fprintf(stderr, "mint_tokens: %s: cannot issue\n",
			    mint[i].name);
			return 1;
		}
		snprintf(path, sizeof(path), "%s/token-%s", argv[1],
		    mint[i].name);
		if ((f = fopen(path, "w")) == NULL ||
		    fputs(tok, f) == EOF || fclose(f) == EOF) {
			perror(path);
			return 1;
		}
		printf("%s: %s\n", path, session_err_str(session_verify(ks,
		    cf, tok, strlen(tok), (time_t)FUZZ_NOW, &c)));
	}
	session_keys_free(ks);
	free(cf);
	return 0;
}
