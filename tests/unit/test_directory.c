/* auth/directory.c: the key file and the keyed HMAC (no database). */
#include <stdlib.h>
#include <unistd.h>

#include "auth/directory.h"
#include "auth/identifier.h"
#include "t.h"

static char	 dir_tmp[] = "/tmp/billgw-test-dir.XXXXXX";
static char	 err[512];

/* Write n bytes of c into a file under dir_tmp; its path in path. */
static void
key_file(const char *name, int c, size_t n, char *path, size_t len)
{
	FILE	*f;
	size_t	 i;

	snprintf(path, len, "%s/%s", dir_tmp, name);
	if ((f = fopen(path, "w")) == NULL)
		return;
	for (i = 0; i < n; i++)
		fputc(c, f);
	fclose(f);
}

static void
a_key_shorter_than_32_bytes_is_refused(void)
{
	char	 path[256];

	key_file("short", 'k', 31, path, sizeof(path));
	CHECK(directory_new(path, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "at least 32") != NULL);
}

static void
a_missing_key_file_is_refused_with_its_name(void)
{
	CHECK(directory_new("/nonexistent/billgw.key", err,
	    sizeof(err)) == NULL);
	CHECK(strstr(err, "/nonexistent/billgw.key") != NULL);
}

static void
a_key_over_the_maximum_is_refused(void)
{
	char	 path[256];

	key_file("long", 'k', DIRECTORY_KEY_MAX + 1, path, sizeof(path));
	CHECK(directory_new(path, err, sizeof(err)) == NULL);
}

static void
the_hmac_depends_on_key_kind_and_normalised_form_only(void)
{
	struct directory	*a, *b;
	struct ident		 x, y, z;
	unsigned char		 h1[32], h2[32], h3[32], h4[32];
	char			 pa[256], pb[256];

	key_file("a", 'a', 32, pa, sizeof(pa));
	key_file("b", 'b', 32, pb, sizeof(pb));
	a = directory_new(pa, err, sizeof(err));
	b = directory_new(pb, err, sizeof(err));
	CHECK(a != NULL && b != NULL);
	if (a == NULL || b == NULL)
		return;
	CHECK(ident_classify(" Acme-US ", 9, IDENT_SCOPE_BILLING_CENTER,
	    &x) == IDENT_OK);
	CHECK(ident_classify("acme-us", 7, IDENT_SCOPE_BILLING_CENTER,
	    &y) == IDENT_OK);
	CHECK(ident_classify("acme-us", 7, IDENT_SCOPE_CORPORATE,
	    &z) == IDENT_OK);
	directory_hmac(a, &x, h1);
	directory_hmac(a, &y, h2);
	directory_hmac(a, &z, h3);
	directory_hmac(b, &y, h4);
	CHECK(memcmp(h1, h2, 32) == 0);		/* same normalised form */
	CHECK(memcmp(h2, h3, 32) != 0);		/* client vs corporate */
	CHECK(memcmp(h2, h4, 32) != 0);		/* another key */
	directory_free(a);
	directory_free(b);
}

int
main(void)
{
	char	 cmd[300];
	int	 rc;

	if (mkdtemp(dir_tmp) == NULL)
		return 1;
	RUN(a_key_shorter_than_32_bytes_is_refused);
	RUN(a_missing_key_file_is_refused_with_its_name);
	RUN(a_key_over_the_maximum_is_refused);
	RUN(the_hmac_depends_on_key_kind_and_normalised_form_only);
	rc = DONE();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir_tmp);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
