/*
 * auth/reset.c without a database: the form of a token, the link of a
 * mail, and the bad input that both steps refuse before any database work
 * (the context has no database handles: reaching one would crash).
 */
#include <sodium.h>

#include "auth/identifier.h"
#include "auth/password.h"
#include "auth/reset.h"
#include "auth/signin.h"
#include "regions/config.h"
#include "fixture.h"
#include "t.h"

static struct config	 cf;
static struct signin_ctx ctx;

/* A token of region code as reset_request() makes them, into buf. */
static void
make_token(const char *code, char *buf, size_t size)
{
	unsigned char	 raw[32];
	size_t		 n;

	randombytes_buf(raw, sizeof(raw));
	n = (size_t)snprintf(buf, size, "%s.", code);
	sodium_bin2base64(buf + n, size - n, raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static int
wellformed(const char *t)
{
	return reset_token_wellformed(&ctx, t, strlen(t));
}

static void
a_token_of_no_valid_form_is_refused(void)
{
	char	 good[RESET_TOKEN_MAX + 1], bad[RESET_TOKEN_MAX + 16];
	size_t	 n;

	make_token("us", good, sizeof(good));
	n = strlen(good);
	CHECK(!wellformed(""));
	CHECK(!wellformed("us."));
	CHECK(!wellformed("."));
	CHECK(!wellformed(good + 3));			/* no region */
	CHECK(!wellformed(good + 2));			/* ".xxx" */
	snprintf(bad, sizeof(bad), "xx%s", good + 2);	/* unknown region */
	CHECK(!wellformed(bad));
	snprintf(bad, sizeof(bad), "US%s", good + 2);	/* upper case */
	CHECK(!wellformed(bad));
	snprintf(bad, sizeof(bad), " %s", good);
	CHECK(!wellformed(bad));
	snprintf(bad, sizeof(bad), "%s\n", good);
	CHECK(!wellformed(bad));
	snprintf(bad, sizeof(bad), "%sA", good);	/* 44 chars */
	CHECK(!wellformed(bad));
	snprintf(bad, sizeof(bad), "%.*s", (int)n - 1, good);	/* 42 */
	CHECK(!wellformed(bad));
	snprintf(bad, sizeof(bad), "%s", good);
	bad[5] = '+';					/* base64, not url */
	CHECK(!wellformed(bad));
	bad[5] = '=';
	CHECK(!wellformed(bad));
	bad[5] = '.';
	CHECK(!wellformed(bad));
	snprintf(bad, sizeof(bad), "%s", good);
	bad[n - 1] = 'B';		/* leftover bits set: not canonical */
	CHECK(!wellformed(bad));
	/* A NUL inside: the length, not strlen, counts. */
	snprintf(bad, sizeof(bad), "%s", good);
	bad[10] = '\0';
	CHECK(!reset_token_wellformed(&ctx, bad, n));
	memset(bad, 'a', sizeof(bad) - 1);
	bad[sizeof(bad) - 1] = '\0';
	CHECK(!wellformed(bad));
	CHECK(!reset_token_wellformed(&ctx, NULL, 0));
}

static void
a_token_of_a_configured_region_is_wellformed(void)
{
	char	 t[RESET_TOKEN_MAX + 1];
	int	 i;

	for (i = 0; i < 50; i++) {
		make_token(i % 2 ? "us" : "apac", t, sizeof(t));
		CHECK(strlen(t) == strlen(i % 2 ? "us." : "apac.") + 43);
		CHECK(wellformed(t));
	}
	/* The last character carries 4 bits and 2 zero bits. */
	make_token("us", t, sizeof(t));
	t[strlen(t) - 1] = 'E';
	CHECK(wellformed(t));
}

static void
a_link_that_does_not_fit_is_refused(void)
{
	char	 buf[40];

	CHECK(reset_link("http://portal.example/corporate/", "us.tok", buf,
	    sizeof(buf)) == -1);
	CHECK(reset_link("http://a/", "us.tok", buf, 0) == -1);
}

static void
a_link_joins_the_portal_url_and_the_token_with_one_slash(void)
{
	char	 buf[RESET_LINK_MAX];

	CHECK(reset_link("http://portal.example/corporate/", "us.abc", buf,
	    sizeof(buf)) == 0);
	CHECK_STR(buf, "http://portal.example/corporate/reset?token=us.abc");
	CHECK(reset_link("https://corp.example/portal", "eu.x-_", buf,
	    sizeof(buf)) == 0);
	CHECK_STR(buf, "https://corp.example/portal/reset?token=eu.x-_");
	CHECK(reset_link("https://corp.example", "eu.x", buf,
	    sizeof(buf)) == 0);
	CHECK_STR(buf, "https://corp.example/reset?token=eu.x");
}

static struct reset_result
request(const char *s, size_t len)
{
	struct reset_result	 r;

	reset_request(&ctx, s, len, "127.0.0.1", "unit-reset", &r);
	return r;
}

#define REQ(s)	request((s), sizeof(s) - 1)

static void
a_user_id_of_no_valid_form_is_bad_input_naming_user_id(void)
{
	struct reset_result	 r;
	char			 big[300];
	size_t			 i;
	static const struct {
		const char	*s;
		size_t		 len;
	} cases[] = {
		{ "", 0 },
		{ "   ", 3 },
		{ "globex\0ap-us", 12 },
		{ "globex-\xff\xfe", 9 },
		{ "globex-ap-us\r\n", 14 },
		{ "globex-ap-us\nBcc: x@y.example", 29 },
		{ "\nglobex-ap-us", 13 },
		{ "' OR 1=1 --", 11 },
		{ "10014561", 8 },		/* an account number */
	};

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = request(cases[i].s, cases[i].len);
		CHECK(r.res == RESET_BAD_INPUT);
		CHECK_STR(r.field, "user_id");
		CHECK(r.message != NULL && strncmp(r.message, "user_id", 7) ==
		    0);
	}
	memset(big, 'a', sizeof(big));
	r = request(big, sizeof(big));
	CHECK(r.res == RESET_BAD_INPUT);
	CHECK_STR(r.field, "user_id");
	r = request(NULL, 0);
	CHECK(r.res == RESET_BAD_INPUT);
}

static struct reset_result
confirm(const char *tok, const char *pw, size_t pwlen)
{
	struct reset_result	 r;

	reset_confirm(&ctx, tok, tok != NULL ? strlen(tok) : 0, pw, pwlen,
	    "127.0.0.1", "unit-reset", &r);
	return r;
}

static void
a_bad_token_is_refused_before_the_password_is_looked_at(void)
{
	struct reset_result	 r;

	r = confirm("us.short", "New-Passw0rd-123", 16);
	CHECK(r.res == RESET_BAD_TOKEN);
	CHECK_STR(r.field, "token");
	CHECK_STR(r.message, "This reset link is invalid or has expired. "
	    "Request a new one.");
	r = confirm(NULL, "x", 1);
	CHECK(r.res == RESET_BAD_TOKEN);
}

static void
a_password_of_11_or_129_characters_is_bad_input_naming_password(void)
{
	struct reset_result	 r;
	char			 t[RESET_TOKEN_MAX + 1], pw[130];

	make_token("us", t, sizeof(t));
	memset(pw, 'p', sizeof(pw));
	r = confirm(t, pw, 11);
	CHECK(r.res == RESET_BAD_INPUT);
	CHECK_STR(r.field, "password");
	r = confirm(t, pw, 129);
	CHECK(r.res == RESET_BAD_INPUT);
	CHECK_STR(r.field, "password");
	r = confirm(t, "Passw0rd-123\n", 13);
	CHECK(r.res == RESET_BAD_INPUT);
	CHECK_STR(r.field, "password");
	r = confirm(t, NULL, 0);
	CHECK(r.res == RESET_BAD_INPUT);
	CHECK_STR(r.field, "password");
}

int
main(void)
{
	char	 err[512];

	if (config_load_string("t.conf", FIXTURE_HEAD
	    FIXTURE_REGION("us", "us.example", "/corporate/")
	    FIXTURE_REGION("apac", "apac.example", "/corp"), &cf, err,
	    sizeof(err)) != 0 || sodium_init() < 0 || ident_init() == -1) {
		fprintf(stderr, "set-up: %s\n", err);
		return 1;
	}
	ctx.cf = &cf;

	RUN(a_token_of_no_valid_form_is_refused);
	RUN(a_token_of_a_configured_region_is_wellformed);
	RUN(a_link_that_does_not_fit_is_refused);
	RUN(a_link_joins_the_portal_url_and_the_token_with_one_slash);
	RUN(a_user_id_of_no_valid_form_is_bad_input_naming_user_id);
	RUN(a_bad_token_is_refused_before_the_password_is_looked_at);
	RUN(a_password_of_11_or_129_characters_is_bad_input_naming_password);
	return DONE();
}
