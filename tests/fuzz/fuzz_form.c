/*
 * Fuzz target: declared form fields (fcgi/form.c): form_read() on a JSON
 * or application/x-www-form-urlencoded body against the field specs of
 * the sign-in and password-reset handlers, then form_wipe().
 *
 * The first byte of the input chooses: its low 3 bits the Content-Type
 * (types[] below), the next 2 bits the field spec (specs[]).  The rest is
 * the body, NUL-terminated as request_read() leaves it.
 */
#include <string.h>

#include <jansson.h>

#include "auth/identifier.h"
#include "fcgi/form.h"
#include "fcgi/request.h"
#include "fuzz.h"

static const char *const types[8] = {
	"application/json",
	"application/x-www-form-urlencoded",
	"application/json; charset=utf-8",
	"application/x-www-form-urlencoded; charset=UTF-8",
	"APPLICATION/JSON",
	"",
	"text/plain",
	"multipart/form-data; boundary=x",
};

/* As in fcgi/signin_http.c and fcgi/reset_http.c. */
static const struct field_spec api_fields[] = {
	{ "region", 16, 0 },
	{ "identifier", IDENT_INPUT_MAX, 0 },
	{ "password", 1024, 0 },
	{ "portal", 32, 0 },
};
static const struct field_spec form_fields[] = {
	{ "region", 16, 0 },
	{ "identifier", IDENT_INPUT_MAX, 0 },
	{ "password", 1024, 0 },
	{ "csrf", 64, 0 },
};
static const struct field_spec reset_request_fields[] = {
	{ "user_id", 1024, 0 },
	{ "csrf", 64, 0 },
};
/* One required field, so that "Required." is reached as well. */
static const struct field_spec reset_confirm_fields[] = {
	{ "token", 64, 1 },
	{ "password", 1024, 0 },
	{ "password2", 1024, 0 },
	{ "csrf", 64, 0 },
};

static const struct {
	const struct field_spec	*spec;
	size_t			 n;
	size_t			 password;	/* the field form_wipe() wipes */
} specs[4] = {
	{ api_fields, 4, 2 },
	{ form_fields, 4, 2 },
	{ reset_request_fields, 2, 0 },
	{ reset_confirm_fields, 4, 1 },
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	json_object_seed(0x62696c6c);	/* the same hash tables every run */
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct field_spec	*spec;
	struct field_val	 out[FORM_FIELDS_MAX];
	struct request		 r;
	struct arena		 a;
	char			*body, *mem;
	size_t			 i, n, pw;
	int			 st, sel;

	if (size == 0 || size - 1 > REQ_BODY_MAX)
		return 0;	/* request_read() refuses larger bodies */
	sel = data[0];
	spec = specs[(sel >> 3) & 3].spec;
	n = specs[(sel >> 3) & 3].n;
	pw = specs[(sel >> 3) & 3].password;

	body = fuzz_strndup(data + 1, size - 1);
	if ((mem = malloc(REQ_ARENA_SIZE)) == NULL)
		abort();
	arena_init(&a, mem, REQ_ARENA_SIZE);
	memset(&r, 0, sizeof(r));
	r.arena = &a;
	r.content_type = types[sel & 7];
	r.body = size > 1 ? body : NULL;
	r.body_len = size - 1;
	r.content_length = size - 1;

	st = form_read(&r, spec, n, out);
	if (st != 0) {
		FUZZ_ASSERT(st == 400);
		FUZZ_ASSERT(r.error_code != NULL && r.error_message != NULL);
	} else {
		for (i = 0; i < n; i++) {
			if (out[i].val == NULL) {
				FUZZ_ASSERT(!spec[i].required);
				continue;
			}
			FUZZ_ASSERT(out[i].len <= spec[i].max);
			FUZZ_ASSERT(strlen(out[i].val) == out[i].len);
			FUZZ_ASSERT(utf8_valid(out[i].val, out[i].len));
			FUZZ_ASSERT(!spec[i].required || out[i].len > 0);
		}
		form_wipe(&r, out, pw);
		if (out[pw].val != NULL)
			for (i = 0; i < out[pw].len; i++)
				FUZZ_ASSERT(out[pw].val[i] == '\0');
	}
	arena_reset(&a);
	free(mem);
	free(body);
	return 0;
}
