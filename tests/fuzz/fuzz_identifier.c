/*
 * Fuzz target: sign-in identifiers (auth/identifier.c): ident_classify()
 * in both scopes on the whole input, the classification of its own result
 * (normalising is idempotent), and ident_mask() into buffers of every size
 * up to IDENT_MASK_MAX, each allocated exactly so that ASan sees its end.
 */
#include <string.h>

#include "auth/identifier.h"
#include "fuzz.h"

static void
check_ok(const struct ident *id, enum ident_scope scope)
{
	struct ident	 again;
	size_t		 i;

	FUZZ_ASSERT(id->len >= 1 && id->len <= IDENT_MAX);
	FUZZ_ASSERT(strlen(id->norm) == id->len);
	if (scope == IDENT_SCOPE_BILLING_CENTER)
		FUZZ_ASSERT(id->kind == IDENT_ACCOUNT_NUMBER ||
		    id->kind == IDENT_CLIENT_ID);
	else
		FUZZ_ASSERT(id->kind == IDENT_CORPORATE_USER_ID);
	for (i = 0; i < id->len; i++)
		FUZZ_ASSERT(id->norm[i] > 0x20 && id->norm[i] < 0x7f &&
		    !(id->norm[i] >= 'A' && id->norm[i] <= 'Z'));
	FUZZ_ASSERT(ident_classify(id->norm, id->len, scope, &again) ==
	    IDENT_OK);
	FUZZ_ASSERT(again.kind == id->kind && again.len == id->len &&
	    memcmp(again.norm, id->norm, id->len + 1) == 0);
}

static void
check_mask(const char *s, size_t len)
{
	char	*buf;
	size_t	 size, n;

	for (size = 0; size <= IDENT_MASK_MAX; size++) {
		if ((buf = malloc(size > 0 ? size : 1)) == NULL)
			abort();
		ident_mask(s, len, buf, size);
		if (size > 0) {
			n = strnlen(buf, size);
			FUZZ_ASSERT(n < size);
			/* At most two characters of the input shown. */
			FUZZ_ASSERT(n <= 5);
			/* Whole, when the buffer is as large as documented. */
			if (size == IDENT_MASK_MAX)
				FUZZ_ASSERT(n >= 3 &&
				    strcmp(buf + n - 3, "***") == 0);
		}
		free(buf);
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (ident_init() == -1) {
		fprintf(stderr, "fuzz_identifier: ident_init failed\n");
		abort();
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ident		 id;
	const char		*s;
	char			*copy;
	enum ident_err		 e;
	int			 scope;

	/* Exactly size bytes, not NUL-terminated, as the form hands it. */
	if ((copy = malloc(size > 0 ? size : 1)) == NULL)
		abort();
	if (size > 0)
		memcpy(copy, data, size);
	s = copy;
	for (scope = IDENT_SCOPE_BILLING_CENTER; scope <= IDENT_SCOPE_CORPORATE;
	    scope++) {
		e = ident_classify(s, size, (enum ident_scope)scope, &id);
		FUZZ_ASSERT(e != IDENT_INTERNAL);
		FUZZ_ASSERT(ident_err_str(e) != NULL);
		FUZZ_ASSERT(ident_kind_str(id.kind) != NULL);
		if (e == IDENT_OK)
			check_ok(&id, (enum ident_scope)scope);
		else
			FUZZ_ASSERT(id.kind == IDENT_NONE && id.len == 0);
	}
	check_mask(s, size);
	free(copy);
	return 0;
}
