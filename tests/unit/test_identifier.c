/* auth/identifier.c: SPEC section 3, row by row, failures first. */
#include <stdlib.h>

#include "auth/identifier.h"
#include "t.h"

#define BC	IDENT_SCOPE_BILLING_CENTER
#define CORP	IDENT_SCOPE_CORPORATE

struct row {
	const char	*in;
	size_t		 len;		/* 0: strlen(in) */
	enum ident_scope scope;
	enum ident_err	 err;
	enum ident_kind	 kind;
	const char	*norm;
};

static int
run_rows(const struct row *r, size_t n)
{
	struct ident	 id;
	enum ident_err	 e;
	size_t		 i;
	int		 bad = 0;

	for (i = 0; i < n; i++) {
		e = ident_classify(r[i].in, r[i].len ? r[i].len :
		    strlen(r[i].in), r[i].scope, &id);
		if (e != r[i].err || (e == IDENT_OK && (id.kind != r[i].kind ||
		    strcmp(id.norm, r[i].norm) != 0 ||
		    id.len != strlen(r[i].norm)))) {
			fprintf(stderr, "    row %zu (\"%s\"): err %d kind %d "
			    "norm \"%s\"\n", i, r[i].in, e, id.kind, id.norm);
			bad++;
		}
	}
	return bad;
}

#define ROWS(t)	CHECK(run_rows((t), sizeof(t) / sizeof((t)[0])) == 0)

static void
empty_and_blank_input_is_refused_as_empty(void)
{
	static const struct row t[] = {
		{ "", 0, BC, IDENT_EMPTY, 0, NULL },
		{ "   ", 0, BC, IDENT_EMPTY, 0, NULL },
		{ " \t\r\n\v\f", 0, CORP, IDENT_EMPTY, 0, NULL },
	};
	struct ident	 id;

	CHECK(ident_classify("", 0, BC, &id) == IDENT_EMPTY);
	ROWS(t);
}

static void
a_nul_byte_anywhere_is_refused(void)
{
	static const struct row t[] = {
		{ "acme\0x", 6, BC, IDENT_NUL, 0, NULL },
		{ "12345678\0", 9, BC, IDENT_NUL, 0, NULL },
		{ "\0", 1, CORP, IDENT_NUL, 0, NULL },
	};

	ROWS(t);
}

static void
invalid_utf8_is_refused_as_such(void)
{
	static const struct row t[] = {
		{ "acme\xff", 0, BC, IDENT_BAD_UTF8, 0, NULL },
		{ "\xc3\x28", 0, BC, IDENT_BAD_UTF8, 0, NULL },	/* bad continuation */
		{ "\xc0\xaf" "abc", 0, BC, IDENT_BAD_UTF8, 0, NULL }, /* overlong */
		{ "ab\xed\xa0\x80", 0, CORP, IDENT_BAD_UTF8, 0, NULL }, /* surrogate */
		{ "\xe2\x82", 0, BC, IDENT_BAD_UTF8, 0, NULL },	/* truncated */
	};

	ROWS(t);
}

static void
account_numbers_outside_6_to_12_digits_are_refused(void)
{
	static const struct row t[] = {
		{ "12345", 0, BC, IDENT_BAD_FORM, 0, NULL },
		{ "1234567890123", 0, BC, IDENT_BAD_FORM, 0, NULL },
		{ "1234 5678", 0, BC, IDENT_BAD_FORM, 0, NULL },
		{ "1234\n5678", 0, BC, IDENT_BAD_FORM, 0, NULL },
		{ "+12345678", 0, BC, IDENT_BAD_FORM, 0, NULL },
		{ "-12345678", 0, BC, IDENT_BAD_FORM, 0, NULL },
		/* Arabic-Indic and full-width digits are not [0-9]. */
		{ "\xd9\xa1\xd9\xa2\xd9\xa3\xd9\xa4\xd9\xa5\xd9\xa6", 0, BC,
		    IDENT_BAD_FORM, 0, NULL },
		{ "\xef\xbc\x91\xef\xbc\x92\xef\xbc\x93\xef\xbc\x94"
		    "\xef\xbc\x95\xef\xbc\x96", 0, BC, IDENT_BAD_FORM, 0, NULL },
		{ "12345\xd9\xa6", 0, BC, IDENT_BAD_FORM, 0, NULL },
	};

	ROWS(t);
}

static void
client_ids_of_a_wrong_shape_are_refused(void)
{
	static const struct row t[] = {
		{ "ab", 0, BC, IDENT_BAD_FORM, 0, NULL },	/* 2 chars */
		{ "a234567890123456789012345678901234", 0, BC, IDENT_BAD_FORM,
		    0, NULL },				/* 33 chars */
		{ "1acme", 0, BC, IDENT_BAD_FORM, 0, NULL },	/* digit first */
		{ "_acme", 0, BC, IDENT_BAD_FORM, 0, NULL },
		{ "ac me", 0, BC, IDENT_BAD_FORM, 0, NULL },
		{ "acme@x.example", 0, BC, IDENT_BAD_FORM, 0, NULL },
		{ "acm\xc3\xa9", 0, BC, IDENT_BAD_FORM, 0, NULL },	/* é */
		{ "acme\nx", 0, BC, IDENT_BAD_FORM, 0, NULL },
		{ "acme;drop", 0, BC, IDENT_BAD_FORM, 0, NULL },
	};

	ROWS(t);
}

static void
corporate_user_ids_of_a_wrong_shape_are_refused(void)
{
	static char	 long_name[70], long_mail[300], long_local[80];
	struct ident	 id;

	static const struct row t[] = {
		{ "12345678", 0, CORP, IDENT_BAD_FORM, 0, NULL },
		{ "ab", 0, CORP, IDENT_BAD_FORM, 0, NULL },
		{ "@example.com", 0, CORP, IDENT_BAD_FORM, 0, NULL },
		{ "ap@", 0, CORP, IDENT_BAD_FORM, 0, NULL },
		{ "ap@example", 0, CORP, IDENT_BAD_FORM, 0, NULL },
		{ "ap@@example.com", 0, CORP, IDENT_BAD_FORM, 0, NULL },
		{ "a..p@example.com", 0, CORP, IDENT_BAD_FORM, 0, NULL },
		{ "ap@-example.com", 0, CORP, IDENT_BAD_FORM, 0, NULL },
		{ "ap@example.com\nx", 0, CORP, IDENT_BAD_FORM, 0, NULL },
	};

	ROWS(t);
	/* A user name of 65 characters. */
	memset(long_name, 'a', 65);
	CHECK(ident_classify(long_name, 65, CORP, &id) == IDENT_BAD_FORM);
	/* An e-mail address of 255 characters. */
	memset(long_mail, 'a', sizeof(long_mail));
	memcpy(long_mail, "ap@", 3);
	memcpy(long_mail + 251, ".com", 4);
	CHECK(ident_classify(long_mail, 255, CORP, &id) == IDENT_TOO_LONG);
	/* A local part of 65 characters. */
	memset(long_local, 'a', 65);
	memcpy(long_local + 65, "@example.com", 12);
	CHECK(ident_classify(long_local, 77, CORP, &id) == IDENT_BAD_FORM);
}

static void
input_over_the_raw_limit_is_refused_before_matching(void)
{
	static char	 big[IDENT_INPUT_MAX + 1];
	struct ident	 id;

	memset(big, ' ', sizeof(big));
	big[0] = 'a';
	CHECK(ident_classify(big, sizeof(big), BC, &id) == IDENT_TOO_LONG);
}

static void
account_numbers_of_6_to_12_digits_are_accepted_as_typed(void)
{
	static const struct row t[] = {
		{ "123456", 0, BC, IDENT_OK, IDENT_ACCOUNT_NUMBER, "123456" },
		{ "123456789012", 0, BC, IDENT_OK, IDENT_ACCOUNT_NUMBER,
		    "123456789012" },
		{ "00045678", 0, BC, IDENT_OK, IDENT_ACCOUNT_NUMBER,
		    "00045678" },
	};

	ROWS(t);
}

static void
surrounding_white_space_is_trimmed_so_a_final_newline_is_no_part(void)
{
	static const struct row t[] = {
		{ "10045678\n", 0, BC, IDENT_OK, IDENT_ACCOUNT_NUMBER,
		    "10045678" },
		{ " \t10045678 \r\n", 0, BC, IDENT_OK, IDENT_ACCOUNT_NUMBER,
		    "10045678" },
		{ "  Acme \n", 0, BC, IDENT_OK, IDENT_CLIENT_ID, "acme" },
		{ "\tAP@Globex.Example\n", 0, CORP, IDENT_OK,
		    IDENT_CORPORATE_USER_ID, "ap@globex.example" },
	};

	ROWS(t);
}

static void
client_ids_are_accepted_and_lower_cased(void)
{
	static const struct row t[] = {
		{ "Acme", 0, BC, IDENT_OK, IDENT_CLIENT_ID, "acme" },
		{ "abc", 0, BC, IDENT_OK, IDENT_CLIENT_ID, "abc" },
		{ "ACME-US", 0, BC, IDENT_OK, IDENT_CLIENT_ID, "acme-us" },
		{ "a.b_c-d9", 0, BC, IDENT_OK, IDENT_CLIENT_ID, "a.b_c-d9" },
		{ "a2345678901234567890123456789012", 0, BC, IDENT_OK,
		    IDENT_CLIENT_ID, "a2345678901234567890123456789012" },
	};

	ROWS(t);
}

static void
corporate_user_ids_are_user_names_or_addresses_lower_cased(void)
{
	static char	 name64[65], mail254[255];
	struct ident	 id;
	static const struct row t[] = {
		{ "Globex-AP-US", 0, CORP, IDENT_OK, IDENT_CORPORATE_USER_ID,
		    "globex-ap-us" },
		{ "AP@Globex-US.example", 0, CORP, IDENT_OK,
		    IDENT_CORPORATE_USER_ID, "ap@globex-us.example" },
		{ "first.last+tag@mail.example.co.uk", 0, CORP, IDENT_OK,
		    IDENT_CORPORATE_USER_ID,
		    "first.last+tag@mail.example.co.uk" },
	};

	ROWS(t);
	memset(name64, 'b', 64);
	CHECK(ident_classify(name64, 64, CORP, &id) == IDENT_OK);
	CHECK(id.kind == IDENT_CORPORATE_USER_ID && id.len == 64);
	/* 254 characters: 64 local, '@', 63-char labels, ".com". */
	memset(mail254, 'c', 254);
	mail254[64] = '@';
	mail254[128] = '.';
	mail254[192] = '.';
	memcpy(mail254 + 246, "cccc.com", 8);
	CHECK(ident_classify(mail254, 254, CORP, &id) == IDENT_OK);
	CHECK(id.len == 254);
}

static void
the_scope_decides_which_forms_count(void)
{
	struct ident	 id;

	CHECK(ident_classify("ap@globex.example", 17, BC, &id) ==
	    IDENT_BAD_FORM);
	CHECK(ident_classify("acme", 4, CORP, &id) == IDENT_OK);
	CHECK(id.kind == IDENT_CORPORATE_USER_ID);
}

static void
the_mask_shows_two_characters_at_most(void)
{
	char	 buf[IDENT_MASK_MAX];

	ident_mask("acme-us", 7, buf, sizeof(buf));
	CHECK_STR(buf, "ac***");
	ident_mask("10045678", 8, buf, sizeof(buf));
	CHECK_STR(buf, "10***");
	ident_mask("abc", 3, buf, sizeof(buf));
	CHECK_STR(buf, "***");
	ident_mask("\n\xff" "bcd", 5, buf, sizeof(buf));
	CHECK_STR(buf, "??***");
}

int
main(void)
{
	CHECK(ident_init() == 0);
	RUN(empty_and_blank_input_is_refused_as_empty);
	RUN(a_nul_byte_anywhere_is_refused);
	RUN(invalid_utf8_is_refused_as_such);
	RUN(account_numbers_outside_6_to_12_digits_are_refused);
	RUN(client_ids_of_a_wrong_shape_are_refused);
	RUN(corporate_user_ids_of_a_wrong_shape_are_refused);
	RUN(input_over_the_raw_limit_is_refused_before_matching);
	RUN(account_numbers_of_6_to_12_digits_are_accepted_as_typed);
	RUN(surrounding_white_space_is_trimmed_so_a_final_newline_is_no_part);
	RUN(client_ids_are_accepted_and_lower_cased);
	RUN(corporate_user_ids_are_user_names_or_addresses_lower_cased);
	RUN(the_scope_decides_which_forms_count);
	RUN(the_mask_shows_two_characters_at_most);
	return DONE();
}
