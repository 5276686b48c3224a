/*
 * auth/session.c: the keys file, issuing, and every check of SPEC
 * section 5.  Tokens are built here by hand (base64url and HMAC from
 * libsodium), so a test states exactly the bytes it sends.
 *
 * jwt_decode is interposed (the real one is reached with RTLD_NEXT) to
 * count what reaches libjwt and to make it refuse on demand.
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "auth/session.h"
#include "fcgi/slots.h"
#include "regions/config.h"
#include "fixture.h"
#include "t.h"

#define NOW	1750000000LL
#define K1	"Ry8u2Yq3Gx6vH0pNnW4kZ1tLb7sQeC9aJfM5dXo-_iUcVzTgE2hKwA0rPyS3lBmO"
#define K2	"second key, with spaces inside, 40 bytes"
#define HDR	"{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"k1\"}"
#define CONFIG \
	FIXTURE_HEAD FIXTURE_REGION("us", "127.0.0.1:8080", "/corporate/")
#define HDR2	"{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"k2\"}"


enum mac { MAC_HS256, MAC_HS512, MAC_NONE };

struct jwt;
int	jwt_decode(struct jwt **, const char *, const unsigned char *, int);

static int			 jwt_calls;	/* reached libjwt */
static int			 jwt_refuse;	/* make libjwt say no */
static struct config		 cf;
static struct session_keys	*keys;
static char			 dir[64], err[512], tok[16384];
static struct session_claims	 c;

int
jwt_decode(struct jwt **jwt, const char *token, const unsigned char *key,
    int key_len)
{
	int	(*real)(struct jwt **, const char *, const unsigned char *,
		    int);
	int	  rc;

	jwt_calls++;
	*(void **)&real = dlsym(RTLD_NEXT, "jwt_decode");
	rc = real(jwt, token, key, key_len);
	/* A refusal that still hands back a decoded object: only rc says no. */
	return jwt_refuse ? 22 : rc;	/* 22 is EINVAL, as libjwt says */
}

/* Append base64url of p[0..n) to s. */
static void
b64_cat(char *s, size_t size, const void *p, size_t n)
{
	size_t	 len = strlen(s);

	sodium_bin2base64(s + len, size - len, p, n,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* Into tok: base64url(hdr) "." base64url(pay) "." signature under key. */
static const char *
sign(const char *hdr, const char *pay, const char *key, enum mac mac)
{
	crypto_auth_hmacsha256_state	 s256;
	crypto_auth_hmacsha512_state	 s512;
	unsigned char			 m[64];

	tok[0] = '\0';
	b64_cat(tok, sizeof(tok), hdr, strlen(hdr));
	strcat(tok, ".");
	b64_cat(tok, sizeof(tok), pay, strlen(pay));
	if (mac == MAC_HS256) {
		crypto_auth_hmacsha256_init(&s256, (const unsigned char *)key,
		    strlen(key));
		crypto_auth_hmacsha256_update(&s256,
		    (const unsigned char *)tok, strlen(tok));
		crypto_auth_hmacsha256_final(&s256, m);
	} else if (mac == MAC_HS512) {
		crypto_auth_hmacsha512_init(&s512, (const unsigned char *)key,
		    strlen(key));
		crypto_auth_hmacsha512_update(&s512,
		    (const unsigned char *)tok, strlen(tok));
		crypto_auth_hmacsha512_final(&s512, m);
	}
	strcat(tok, ".");
	if (mac != MAC_NONE)
		b64_cat(tok, sizeof(tok), m, mac == MAC_HS256 ? 32 : 64);
	return tok;
}

/* A payload with the claims given as JSON text and the rest good. */
static const char *
payload(const char *iss, const char *rgn, const char *iat, const char *exp,
    const char *extra)
{
	static char	 buf[8192];

	snprintf(buf, sizeof(buf), "{\"iss\":%s,\"aud\":\"billing_center\","
	    "\"sub\":\"u:42\",\"rgn\":%s,\"acct\":1001,\"role\":"
	    "\"super_admin\",\"sv\":3,\"iat\":%s,\"exp\":%s,"
	    "\"jti\":\"c29tZS1yYW5kb20tdmFsdWU\"%s}", iss, rgn, iat, exp,
	    extra);
	return buf;
}

#define GOOD_PAYLOAD \
	payload("\"billgw\"", "\"us\"", "1750000000", "1750000600", "")

static enum session_err
verify(const char *t)
{
	return session_verify(keys, &cf, t, strlen(t), (time_t)NOW, &c);
}

/* The path of a new file name in the test directory holding text. */
static const char *
write_file(const char *name, const char *text, size_t len)
{
	static char	 path[128];
	FILE		*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL) {
		perror(path);
		exit(2);
	}
	fwrite(text, 1, len, f);
	fclose(f);
	return path;
}

static struct session_keys *
load(const char *name, const char *text)
{
	const char	*path = write_file(name, text, strlen(text));

	err[0] = '\0';
	return session_keys_load(path, err, sizeof(err));
}

static void
check_load_error(const char *text, int line, const char *msg)
{
	char	 want[512];

	CHECK(load("bad.keys", text) == NULL);
	if (line > 0)
		snprintf(want, sizeof(want), "%s/bad.keys:%d: %s", dir, line,
		    msg);
	else
		snprintf(want, sizeof(want), "%s/bad.keys: %s", dir, msg);
	CHECK_STR(err, want);
}

static void
a_keys_file_with_a_short_secret_is_refused_naming_file_and_line(void)
{
	check_load_error("k1 " K1 "\nk2 0123456789abcdef0123456789abcde\n", 2,
	    "the secret of k2 is 31 bytes, at least 32 are needed");
	check_load_error("k1\n", 1,
	    "the secret of k1 is 0 bytes, at least 32 are needed");
	/* Trailing blanks are not part of the secret. */
	check_load_error("k1 0123456789abcdef0123456789abcde  \t\r\n", 1,
	    "the secret of k1 is 31 bytes, at least 32 are needed");
}

static void
a_keys_file_with_a_duplicate_kid_is_refused(void)
{
	check_load_error("# keys\nk1 " K1 "\n\nk1 " K2 "\n", 4,
	    "the kid k1 is already on line 2");
}

static void
an_empty_or_missing_keys_file_is_refused(void)
{
	char	 want[256];

	check_load_error("", 0, "no keys");
	check_load_error("# only a comment\n\n   \n", 0, "no keys");
	err[0] = '\0';
	snprintf(want, sizeof(want), "%s/absent.keys", dir);
	CHECK(session_keys_load(want, err, sizeof(err)) == NULL);
	CHECK(strncmp(err, want, strlen(want)) == 0);
	CHECK_STR(err + strlen(want), ": No such file or directory");
}

static void
a_keys_file_with_a_bad_kid_or_too_many_keys_is_refused(void)
{
	static const char nul[] = "k1 " K1 "\nk2 a\0b" K2 "\n";
	char		 text[2048] = "", want[256];
	int		 i;

	check_load_error("k/1 " K1 "\n", 1, "the kid must be 1 to 32 of "
	    "A-Z a-z 0-9 _ - and a blank before the secret");
	check_load_error("k1:" K1 "\n", 1, "the kid must be 1 to 32 of "
	    "A-Z a-z 0-9 _ - and a blank before the secret");
	err[0] = '\0';
	CHECK(session_keys_load(write_file("bad.keys", nul, sizeof(nul) - 1),
	    err, sizeof(err)) == NULL);
	snprintf(want, sizeof(want), "%s/bad.keys:2: a NUL byte", dir);
	CHECK_STR(err, want);
	for (i = 0; i < SESSION_KEYS_MAX + 1; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
		    "k%d %s\n", i, K1);
	check_load_error(text, SESSION_KEYS_MAX + 1, "more than 8 keys");
}

static void
a_mac_under_a_domain_of_base64url_only_or_a_missing_key_is_refused(void)
{
	unsigned char	 m[SESSION_MAC_LEN];

	CHECK(session_keys_mac(keys, 0, "csrf", "x", 1, m) == -1);
	CHECK(session_keys_mac(keys, 0, "", "x", 1, m) == -1);
	CHECK(session_keys_mac(keys, 2, "csrf:", "x", 1, m) == -1);
	CHECK(session_keys_mac(keys, 1, "csrf:", "x", 1, m) == 0);
}

static void
a_token_over_4096_bytes_is_refused_before_decoding(void)
{
	char	 x[5001], pad[5100];

	/* 5 KB of the right shape, correctly signed. */
	memset(x, 'x', sizeof(x) - 1);
	x[sizeof(x) - 1] = '\0';
	snprintf(pad, sizeof(pad), ",\"pad\":\"%s\"", x);
	jwt_calls = 0;
	sign(HDR, payload("\"billgw\"", "\"us\"", "1750000000",
	    "1750000600", pad), K1, MAC_HS256);
	CHECK(strlen(tok) > 5000);
	CHECK(verify(tok) == SESSION_MALFORMED);
	/* One byte over the limit, one at it. */
	memset(tok, 'A', SESSION_TOKEN_MAX + 1);
	tok[10] = tok[20] = '.';
	tok[SESSION_TOKEN_MAX + 1] = '\0';
	CHECK(verify(tok) == SESSION_MALFORMED);
	tok[SESSION_TOKEN_MAX] = '\0';
	CHECK(verify(tok) != SESSION_OK);
	CHECK(jwt_calls == 0);
}

static void
a_9_mb_token_is_refused_at_once_without_reaching_libjwt(void)
{
	struct timespec	 t0, t1;
	size_t		 len = 9 * 1024 * 1024;
	char		*big;
	double		 ms;

	if ((big = malloc(len + 1)) == NULL)
		exit(2);
	memset(big, 'A', len);
	big[100] = big[len - 100] = '.';
	big[len] = '\0';
	jwt_calls = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(session_verify(keys, &cf, big, len, (time_t)NOW, &c) ==
	    SESSION_MALFORMED);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	CHECK(ms < 1.0);
	CHECK(jwt_calls == 0);
	free(big);
}

static void
a_token_of_the_wrong_shape_is_malformed(void)
{
	static const char *const bad[] = {
		"", "abc", "a.b", "a.b.c.d", ".b.c", "a..c", "a.b.", "a.b.c ",
		"a+b.c.d", "a/b.c.d", "YQ==.YQ.YQ", "a.b.c\n", "a b.c.d",
		"eyJ.e\xc3\xa9.x",
	};
	size_t	 i;

	jwt_calls = 0;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(verify(bad[i]) == SESSION_MALFORMED);
	/* A NUL inside the given length. */
	CHECK(session_verify(keys, &cf, "a.b\0.c", 6, (time_t)NOW, &c) ==
	    SESSION_MALFORMED);
	CHECK(session_verify(keys, &cf, NULL, 0, (time_t)NOW, &c) ==
	    SESSION_MALFORMED);
	/* A header that is not base64url of JSON, or not an object. */
	CHECK(verify("YQ.YQ.YQ") == SESSION_MALFORMED);
	CHECK(verify("Y.YQ.YQ") == SESSION_MALFORMED);
	CHECK(verify(sign("[\"HS256\"]", GOOD_PAYLOAD, K1, MAC_HS256)) ==
	    SESSION_MALFORMED);
	CHECK(jwt_calls == 0);
}

static void
an_unsigned_alg_none_token_is_refused(void)
{
	jwt_calls = 0;
	/* "a.b." has an empty third segment: refused by shape. */
	CHECK(verify(sign("{\"alg\":\"none\"}", GOOD_PAYLOAD, NULL,
	    MAC_NONE)) == SESSION_MALFORMED);
	CHECK(verify(sign("{\"alg\":\"none\",\"kid\":\"k1\"}", GOOD_PAYLOAD,
	    K1, MAC_HS256)) == SESSION_BAD_HEADER);
	CHECK(verify(sign("{\"alg\":\"NONE\",\"kid\":\"k1\"}", GOOD_PAYLOAD,
	    K1, MAC_HS256)) == SESSION_BAD_HEADER);
	CHECK(verify(sign("{\"kid\":\"k1\"}", GOOD_PAYLOAD, K1,
	    MAC_HS256)) == SESSION_BAD_HEADER);
	CHECK(jwt_calls == 0);
}

static void
an_hs512_or_lowercase_hs256_token_with_the_right_key_is_refused(void)
{
	jwt_calls = 0;
	CHECK(verify(sign("{\"alg\":\"HS512\",\"typ\":\"JWT\",\"kid\":\"k1\"}",
	    GOOD_PAYLOAD, K1, MAC_HS512)) == SESSION_BAD_HEADER);
	CHECK(verify(sign("{\"alg\":\"hs256\",\"typ\":\"JWT\",\"kid\":\"k1\"}",
	    GOOD_PAYLOAD, K1, MAC_HS256)) == SESSION_BAD_HEADER);
	CHECK(verify(sign("{\"alg\":\"HS256 \",\"kid\":\"k1\"}",
	    GOOD_PAYLOAD, K1, MAC_HS256)) == SESSION_BAD_HEADER);
	CHECK(verify(sign("{\"alg\":[\"HS256\"],\"kid\":\"k1\"}",
	    GOOD_PAYLOAD, K1, MAC_HS256)) == SESSION_BAD_HEADER);
	CHECK(jwt_calls == 0);
}

static void
a_crit_header_or_a_foreign_typ_or_header_key_is_refused(void)
{
	CHECK(verify(sign("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"k1\","
	    "\"crit\":[\"exp\"]}", GOOD_PAYLOAD, K1, MAC_HS256)) ==
	    SESSION_BAD_HEADER);
	CHECK(verify(sign("{\"alg\":\"HS256\",\"typ\":\"jwt\",\"kid\":\"k1\"}",
	    GOOD_PAYLOAD, K1, MAC_HS256)) == SESSION_BAD_HEADER);
	CHECK(verify(sign("{\"alg\":\"HS256\",\"typ\":1,\"kid\":\"k1\"}",
	    GOOD_PAYLOAD, K1, MAC_HS256)) == SESSION_BAD_HEADER);
	CHECK(verify(sign("{\"alg\":\"HS256\",\"kid\":\"k1\",\"jku\":"
	    "\"http://x/\"}", GOOD_PAYLOAD, K1, MAC_HS256)) ==
	    SESSION_BAD_HEADER);
	/* {"alg":"HS256","alg":"none"}: the last would win elsewhere. */
	CHECK(verify(sign("{\"alg\":\"HS256\",\"alg\":\"none\",\"kid\":"
	    "\"k1\"}", GOOD_PAYLOAD, K1, MAC_HS256)) == SESSION_BAD_HEADER);
}

static void
an_unknown_or_missing_kid_is_refused(void)
{
	CHECK(verify(sign("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"k3\"}",
	    GOOD_PAYLOAD, K1, MAC_HS256)) == SESSION_UNKNOWN_KID);
	CHECK(verify(sign("{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
	    GOOD_PAYLOAD, K1, MAC_HS256)) == SESSION_UNKNOWN_KID);
	CHECK(verify(sign("{\"alg\":\"HS256\",\"kid\":1}",
	    GOOD_PAYLOAD, K1, MAC_HS256)) == SESSION_UNKNOWN_KID);
}

static void
a_flipped_signature_bit_is_refused_before_reaching_libjwt(void)
{
	unsigned char	 sig[32];
	char		*dot;
	size_t		 n;

	sign(HDR, GOOD_PAYLOAD, K1, MAC_HS256);
	dot = strrchr(tok, '.');
	CHECK(sodium_base642bin(sig, sizeof(sig), dot + 1, strlen(dot + 1),
	    NULL, &n, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0);
	sig[17] ^= 0x08;
	dot[1] = '\0';
	b64_cat(tok, sizeof(tok), sig, sizeof(sig));
	jwt_calls = 0;
	CHECK(verify(tok) == SESSION_BAD_SIGNATURE);
	/* The right token under the wrong key; and k2's signature as k1. */
	CHECK(verify(sign(HDR, GOOD_PAYLOAD, K1 "x", MAC_HS256)) ==
	    SESSION_BAD_SIGNATURE);
	CHECK(verify(sign(HDR, GOOD_PAYLOAD, K2, MAC_HS256)) ==
	    SESSION_BAD_SIGNATURE);
	/* A signature of 31 bytes, or 33. */
	sign(HDR, GOOD_PAYLOAD, K1, MAC_HS256);
	tok[strlen(tok) - 1] = '\0';
	CHECK(verify(tok) == SESSION_BAD_SIGNATURE);
	strcat(tok, "AAA");
	CHECK(verify(tok) == SESSION_BAD_SIGNATURE);
	CHECK(jwt_calls == 0);
}

static void
an_edited_payload_with_the_old_signature_is_refused(void)
{
	char	 good[1024];

	snprintf(good, sizeof(good), "%s", sign(HDR, GOOD_PAYLOAD, K1,
	    MAC_HS256));
	sign(HDR, payload("\"billgw\"", "\"us\"", "1750000000",
	    "1750000600", ",\"x\":1"), K1, MAC_HS256);
	/* The edited header.payload with the original signature. */
	memcpy(strrchr(tok, '.'), strrchr(good, '.'), 44);
	CHECK(strlen(tok) > strlen(good));
	jwt_calls = 0;
	CHECK(verify(tok) == SESSION_BAD_SIGNATURE);
	CHECK(jwt_calls == 0);
}

static void
a_token_libjwt_refuses_is_refused_even_when_our_hmac_agrees(void)
{
	jwt_calls = 0;
	jwt_refuse = 1;
	CHECK(verify(sign(HDR, GOOD_PAYLOAD, K1, MAC_HS256)) ==
	    SESSION_BAD_SIGNATURE);
	jwt_refuse = 0;
	CHECK(jwt_calls == 1);
}

static void
an_expired_token_is_refused_after_30_seconds_of_leeway(void)
{
	CHECK(verify(sign(HDR, payload("\"billgw\"", "\"us\"", "1749999000",
	    "1749999969", ""), K1, MAC_HS256)) == SESSION_EXPIRED);
	CHECK(verify(sign(HDR, payload("\"billgw\"", "\"us\"", "1749999000",
	    "1749999970", ""), K1, MAC_HS256)) == SESSION_EXPIRED);
	CHECK(verify(sign(HDR, payload("\"billgw\"", "\"us\"", "1749999000",
	    "1749999971", ""), K1, MAC_HS256)) == SESSION_OK);
}

static void
claims_of_the_wrong_json_type_are_refused(void)
{
	CHECK(verify(sign(HDR, payload("\"billgw\"", "\"us\"", "1750000000",
	    "\"1750000600\"", ""), K1, MAC_HS256)) == SESSION_BAD_CLAIMS);
	CHECK(verify(sign(HDR, payload("\"billgw\"", "\"us\"", "1750000000",
	    "1750000600.0", ""), K1, MAC_HS256)) == SESSION_BAD_CLAIMS);
	CHECK(verify(sign(HDR, payload("\"billgw\"", "\"us\"", "true",
	    "1750000600", ""), K1, MAC_HS256)) == SESSION_BAD_CLAIMS);
	CHECK(verify(sign(HDR, payload("[\"billgw\"]", "\"us\"",
	    "1750000000", "1750000600", ""), K1, MAC_HS256)) ==
	    SESSION_BAD_CLAIMS);
	CHECK(verify(sign(HDR, payload("\"billgw\"", "null", "1750000000",
	    "1750000600", ""), K1, MAC_HS256)) == SESSION_BAD_CLAIMS);
	/* A missing claim, an empty one, an unknown one. */
	CHECK(verify(sign(HDR, "{\"iss\":\"billgw\",\"aud\":\"corporate\","
	    "\"sub\":\"c:1\",\"rgn\":\"us\",\"acct\":1,\"role\":\"corporate\","
	    "\"sv\":1,\"iat\":1750000000,\"exp\":1750000600}", K1,
	    MAC_HS256)) == SESSION_BAD_CLAIMS);
	CHECK(verify(sign(HDR, payload("\"\"", "\"us\"", "1750000000",
	    "1750000600", ""), K1, MAC_HS256)) == SESSION_BAD_CLAIMS);
	CHECK(verify(sign(HDR, payload("\"billgw\"", "\"us\"", "1750000000",
	    "1750000600", ",\"nbf\":0"), K1, MAC_HS256)) ==
	    SESSION_BAD_CLAIMS);
}

static void
a_string_claim_too_long_for_its_field_is_refused(void)
{
	char	 pay[512];

	/* sub holds 95 bytes at most: "u:" and 93 digits; 94 digits are not. */
	snprintf(pay, sizeof(pay), "{\"iss\":\"billgw\",\"aud\":\"regional\","
	    "\"sub\":\"u:%094d\",\"rgn\":\"us\",\"acct\":1,\"role\":"
	    "\"member\",\"sv\":1,\"iat\":1750000000,\"exp\":1750000600,"
	    "\"jti\":\"x\"}", 1);
	CHECK(verify(sign(HDR, pay, K1, MAC_HS256)) == SESSION_BAD_CLAIMS);
	snprintf(pay, sizeof(pay), "{\"iss\":\"billgw\",\"aud\":\"regional\","
	    "\"sub\":\"u:%093d\",\"rgn\":\"us\",\"acct\":1,\"role\":"
	    "\"member\",\"sv\":1,\"iat\":1750000000,\"exp\":1750000600,"
	    "\"jti\":\"x\"}", 1);
	CHECK(verify(sign(HDR, pay, K1, MAC_HS256)) == SESSION_OK);
	CHECK(strlen(c.sub) == 95);
}

static void
a_token_living_longer_than_the_ttl_is_refused(void)
{
	/* NOW is 1750000000; the fixture's ttl is the default 1800 s. */
	CHECK(verify(sign(HDR, payload("\"billgw\"", "\"us\"", "1749000000",
	    "1750000600", ""), K1, MAC_HS256)) == SESSION_BAD_CLAIMS);
	CHECK(verify(sign(HDR, payload("\"billgw\"", "\"us\"",
	    "-9223372036854775807", "1750000600", ""), K1, MAC_HS256)) ==
	    SESSION_BAD_CLAIMS);
	CHECK(verify(sign(HDR, payload("\"billgw\"", "\"us\"", "1749998800",
	    "1750000600", ""), K1, MAC_HS256)) == SESSION_OK);
}

static void
an_iat_in_the_future_is_refused_after_30_seconds_of_leeway(void)
{
	CHECK(verify(sign(HDR, payload("\"billgw\"", "\"us\"", "1750000031",
	    "1750000600", ""), K1, MAC_HS256)) == SESSION_NOT_YET);
	CHECK(verify(sign(HDR, payload("\"billgw\"", "\"us\"", "1750000030",
	    "1750000600", ""), K1, MAC_HS256)) == SESSION_OK);
}

static void
a_wrong_iss_or_aud_is_refused(void)
{
	CHECK(verify(sign(HDR, payload("\"billgw2\"", "\"us\"", "1750000000",
	    "1750000600", ""), K1, MAC_HS256)) == SESSION_BAD_CLAIMS);
	CHECK(verify(sign(HDR, payload("\"BILLGW\"", "\"us\"", "1750000000",
	    "1750000600", ""), K1, MAC_HS256)) == SESSION_BAD_CLAIMS);
	CHECK(verify(sign(HDR, "{\"iss\":\"billgw\",\"aud\":\"admin\","
	    "\"sub\":\"u:1\",\"rgn\":\"us\",\"acct\":1,\"role\":\"member\","
	    "\"sv\":1,\"iat\":1750000000,\"exp\":1750000600,\"jti\":\"x\"}",
	    K1, MAC_HS256)) == SESSION_BAD_CLAIMS);
}

static void
a_duplicated_sub_is_refused(void)
{
	jwt_calls = 0;
	CHECK(verify(sign(HDR, payload("\"billgw\"", "\"us\"", "1750000000",
	    "1750000600", ",\"sub\":\"u:1\""), K1, MAC_HS256)) ==
	    SESSION_BAD_CLAIMS);
	/* libjwt itself accepted it: the refusal is ours. */
	CHECK(jwt_calls == 1);
}

static void
a_payload_that_is_an_array_or_not_json_is_refused(void)
{
	CHECK(verify(sign(HDR, "[{\"iss\":\"billgw\"}]", K1, MAC_HS256)) ==
	    SESSION_MALFORMED);
	CHECK(verify(sign(HDR, "\"billgw\"", K1, MAC_HS256)) != SESSION_OK);
	CHECK(verify(sign(HDR, "{\"iss\":", K1, MAC_HS256)) != SESSION_OK);
	CHECK(verify(sign(HDR, "{} {}", K1, MAC_HS256)) != SESSION_OK);
}

static void
an_rgn_of_a_region_not_configured_is_refused(void)
{
	CHECK(verify(sign(HDR, payload("\"billgw\"", "\"eu\"", "1750000000",
	    "1750000600", ""), K1, MAC_HS256)) == SESSION_BAD_CLAIMS);
	CHECK(verify(sign(HDR, payload("\"billgw\"", "\"US\"", "1750000000",
	    "1750000600", ""), K1, MAC_HS256)) == SESSION_BAD_CLAIMS);
}

static void
the_claims_are_left_untouched_when_a_check_fails(void)
{
	struct session_claims	 before;

	memset(&c, 0xa5, sizeof(c));
	before = c;
	CHECK(verify(sign(HDR, payload("\"billgw\"", "\"eu\"", "1750000000",
	    "1750000600", ""), K1, MAC_HS256)) == SESSION_BAD_CLAIMS);
	CHECK(memcmp(&c, &before, sizeof(c)) == 0);
}

static void
a_valid_token_round_trips_with_every_claim_equal(void)
{
	struct session_claims	 in, out;
	char			 t[SESSION_TOKEN_MAX + 1], hdr[256];
	size_t			 n;

	memset(&in, 0, sizeof(in));
	in.aud = AUD_CORPORATE;
	snprintf(in.sub, sizeof(in.sub), "c:77");
	snprintf(in.rgn, sizeof(in.rgn), "us");
	in.acct = 9007199254740993LL;	/* over 2^53: kept exact */
	snprintf(in.role, sizeof(in.role), "corporate");
	in.sv = 12;
	CHECK(session_issue(keys, &in, (time_t)NOW, 1800, t, sizeof(t)) == 0);
	CHECK(in.iat == NOW && in.exp == NOW + 1800);
	CHECK(strlen(in.jti) == 22);
	/* libjwt's header: alg, kid, typ (its keys come out sorted). */
	CHECK(sodium_base642bin((unsigned char *)hdr, sizeof(hdr) - 1, t,
	    strcspn(t, "."), NULL, &n, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0);
	hdr[n] = '\0';
	CHECK_STR(hdr, "{\"alg\":\"HS256\",\"kid\":\"k1\",\"typ\":\"JWT\"}");
	jwt_calls = 0;
	memset(&out, 0, sizeof(out));
	CHECK(session_verify(keys, &cf, t, strlen(t), (time_t)NOW + 60,
	    &out) == SESSION_OK);
	CHECK(jwt_calls == 1);
	CHECK(out.aud == in.aud);
	CHECK_STR(out.sub, in.sub);
	CHECK_STR(out.rgn, in.rgn);
	CHECK(out.acct == in.acct);
	CHECK_STR(out.role, in.role);
	CHECK(out.sv == in.sv);
	CHECK(out.iat == in.iat);
	CHECK(out.exp == in.exp);
	CHECK_STR(out.jti, in.jti);
	/* Two tokens never share a jti. */
	CHECK(session_issue(keys, &out, (time_t)NOW, 1800, t, sizeof(t)) ==
	    0);
	CHECK(strcmp(out.jti, in.jti) != 0);
}

static void
issuing_refuses_a_short_buffer_or_bad_claims(void)
{
	struct session_claims	 in;
	char			 t[64];

	memset(&in, 0, sizeof(in));
	in.aud = AUD_BILLING_CENTER;
	snprintf(in.sub, sizeof(in.sub), "u:1");
	snprintf(in.rgn, sizeof(in.rgn), "us");
	snprintf(in.role, sizeof(in.role), "member");
	CHECK(session_issue(keys, &in, (time_t)NOW, 600, t, sizeof(t)) == -1);
	CHECK_STR(t, "");
	CHECK(session_issue(keys, &in, (time_t)NOW, 0, tok, sizeof(tok)) ==
	    -1);
	in.aud = AUD__MAX;
	CHECK(session_issue(keys, &in, (time_t)NOW, 600, tok, sizeof(tok)) ==
	    -1);
	in.aud = AUD_REGIONAL;
	in.role[0] = '\0';
	CHECK(session_issue(keys, &in, (time_t)NOW, 600, tok, sizeof(tok)) ==
	    -1);
}

static void
a_token_signed_with_the_second_key_of_the_file_verifies(void)
{
	memset(&c, 0, sizeof(c));
	CHECK(verify(sign(HDR2, GOOD_PAYLOAD, K2, MAC_HS256)) == SESSION_OK);
	CHECK_STR(c.sub, "u:42");
	CHECK(c.acct == 1001 && c.sv == 3 && c.aud == AUD_BILLING_CENTER);
	/* Without typ, as the SPEC allows. */
	CHECK(verify(sign("{\"kid\":\"k1\",\"alg\":\"HS256\"}", GOOD_PAYLOAD,
	    K1, MAC_HS256)) == SESSION_OK);
}

static void
a_token_issued_before_a_key_rotation_still_verifies(void)
{
	struct session_keys	*old, *rotated;
	struct session_claims	 in, out;
	char			 t[SESSION_TOKEN_MAX + 1];

	old = load("old.keys", "k1 " K1 "\n");
	rotated = load("new.keys", "k2 " K2 "\r\nk1 " K1 "\r\n");
	CHECK(old != NULL && rotated != NULL);
	if (old == NULL || rotated == NULL)
		return;
	memset(&in, 0, sizeof(in));
	in.aud = AUD_REGIONAL;
	snprintf(in.sub, sizeof(in.sub), "u:5");
	snprintf(in.rgn, sizeof(in.rgn), "us");
	snprintf(in.role, sizeof(in.role), "view_pay");
	CHECK(session_issue(old, &in, (time_t)NOW, 600, t, sizeof(t)) == 0);
	CHECK(session_verify(rotated, &cf, t, strlen(t), (time_t)NOW, &out) ==
	    SESSION_OK);
	/* The new first key signs; the old file does not know it. */
	CHECK(session_issue(rotated, &in, (time_t)NOW, 600, t, sizeof(t)) ==
	    0);
	CHECK(session_verify(keys, &cf, t, strlen(t), (time_t)NOW, &out) ==
	    SESSION_OK);
	CHECK(session_verify(old, &cf, t, strlen(t), (time_t)NOW, &out) ==
	    SESSION_UNKNOWN_KID);
	session_keys_free(old);
	session_keys_free(rotated);
}

static enum session_err
verify_memo(struct session_memo *m, const char *t, long long now)
{
	return session_verify_memo(m, keys, &cf, t, strlen(t), (time_t)now,
	    &c, NULL);
}

static void
the_memo_answers_a_token_seen_before_without_decoding_it_again(void)
{
	struct session_memo	*m = session_memo_new();
	char			 good[1024];

	CHECK(m != NULL);
	snprintf(good, sizeof(good), "%s",
	    sign(HDR, GOOD_PAYLOAD, K1, MAC_HS256));
	jwt_calls = 0;
	memset(&c, 0, sizeof(c));
	CHECK(verify_memo(m, good, NOW) == SESSION_OK);
	CHECK(jwt_calls == 1);
	memset(&c, 0, sizeof(c));
	CHECK(verify_memo(m, good, NOW + 5) == SESSION_OK);
	CHECK(jwt_calls == 1);
	CHECK_STR(c.sub, "u:42");
	CHECK_STR(c.rgn, "us");
	CHECK_STR(c.role, "super_admin");
	CHECK_STR(c.jti, "c29tZS1yYW5kb20tdmFsdWU");
	CHECK(c.acct == 1001 && c.sv == 3 && c.aud == AUD_BILLING_CENTER);
	CHECK(c.iat == 1750000000 && c.exp == 1750000600);
	session_memo_free(m);
}

static void
a_token_from_the_memo_still_expires_and_is_not_yet_valid(void)
{
	struct session_memo	*m = session_memo_new();
	char			 good[1024];

	snprintf(good, sizeof(good), "%s",
	    sign(HDR, GOOD_PAYLOAD, K1, MAC_HS256));
	CHECK(verify_memo(m, good, NOW) == SESSION_OK);
	jwt_calls = 0;
	/* iat is NOW: 31 s before it is too early, from the memo too. */
	CHECK(verify_memo(m, good, NOW - 31) == SESSION_NOT_YET);
	CHECK(verify_memo(m, good, NOW - 30) == SESSION_OK);
	/* exp is NOW + 600, with 30 s of leeway. */
	CHECK(verify_memo(m, good, NOW + 629) == SESSION_OK);
	CHECK(verify_memo(m, good, NOW + 630) == SESSION_EXPIRED);
	CHECK(jwt_calls == 0);
	/* Dropped once expired: the next look is a full verification. */
	CHECK(verify_memo(m, good, NOW) == SESSION_OK);
	CHECK(jwt_calls == 1);
	session_memo_free(m);
}

static void
a_token_one_byte_off_a_memoized_one_is_verified_in_full(void)
{
	struct session_memo	*m = session_memo_new();
	char			 good[1024], bad[1024];
	char			*dot;

	snprintf(good, sizeof(good), "%s",
	    sign(HDR, GOOD_PAYLOAD, K1, MAC_HS256));
	CHECK(verify_memo(m, good, NOW) == SESSION_OK);
	/* Another last signature character; then another payload. */
	snprintf(bad, sizeof(bad), "%s", good);
	bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == 'A' ? 'Q' : 'A';
	CHECK(verify_memo(m, bad, NOW) == SESSION_BAD_SIGNATURE);
	sign(HDR, payload("\"billgw\"", "\"us\"", "1750000000",
	    "1750000601", ""), K1, MAC_HS256);
	dot = strrchr(good, '.');
	snprintf(bad, sizeof(bad), "%.*s%s", (int)(strrchr(tok, '.') - tok),
	    tok, dot);
	CHECK(verify_memo(m, bad, NOW) == SESSION_BAD_SIGNATURE);
	/* A prefix, and the token with one more byte. */
	snprintf(bad, sizeof(bad), "%.*s", (int)strlen(good) - 1, good);
	CHECK(verify_memo(m, bad, NOW) == SESSION_BAD_SIGNATURE);
	snprintf(bad, sizeof(bad), "%s.", good);
	CHECK(verify_memo(m, bad, NOW) == SESSION_MALFORMED);
	CHECK(verify_memo(m, "", NOW) == SESSION_MALFORMED);
	CHECK(verify_memo(m, good, NOW) == SESSION_OK);
	session_memo_free(m);
}

/* m's answer for t at now, and where it came from. */
static enum session_src
source_of(struct session_memo *m, const char *t, long long now,
    enum session_err *res)
{
	enum session_src	 src = SESSION_SRC__MAX;

	*res = session_verify_memo(m, keys, &cf, t, strlen(t), (time_t)now,
	    &c, &src);
	return src;
}

static void
a_shared_memo_gives_a_worker_the_tokens_another_verified(void)
{
	struct slots		 shared;
	unsigned char		 key[SESSION_MEMO_KEYBYTES];
	struct session_memo	*m[5];
	enum session_err	 r;
	char			 good[1024];
	uint32_t		 i;
	int			 k;

	CHECK(slots_open(&shared, "test-tokens", 64, 512) == 0);
	randombytes_buf(key, sizeof(key));
	for (k = 0; k < 5; k++) {
		CHECK((m[k] = session_memo_new()) != NULL);
		/* m[3] is of another generation of the pool. */
		session_memo_share(m[k], &shared, key, k == 3 ? 2 : 1);
	}
	snprintf(good, sizeof(good), "%s",
	    sign(HDR, GOOD_PAYLOAD, K1, MAC_HS256));
	jwt_calls = 0;
	CHECK(source_of(m[0], good, NOW, &r) == SESSION_SRC_VERIFIED &&
	    r == SESSION_OK);
	CHECK(jwt_calls == 1);
	memset(&c, 0, sizeof(c));
	CHECK(source_of(m[1], good, NOW + 5, &r) == SESSION_SRC_SHARED &&
	    r == SESSION_OK);
	CHECK_STR(c.sub, "u:42");
	CHECK_STR(c.jti, "c29tZS1yYW5kb20tdmFsdWU");
	CHECK(c.acct == 1001 && c.sv == 3 && c.aud == AUD_BILLING_CENTER);
	CHECK(source_of(m[1], good, NOW + 6, &r) == SESSION_SRC_MEMO &&
	    r == SESSION_OK);
	CHECK(jwt_calls == 1);
	/* Shared claims are still held against now. */
	CHECK(source_of(m[2], good, NOW + 630, &r) == SESSION_SRC_SHARED &&
	    r == SESSION_EXPIRED);
	/* Another generation verifies for itself. */
	CHECK(source_of(m[3], good, NOW, &r) == SESSION_SRC_VERIFIED &&
	    r == SESSION_OK);
	CHECK(jwt_calls == 2);
	/* A claims byte changed in every slot: none of them is believed. */
	for (i = 0; i < shared.n; i++)
		CHECK(pwrite(shared.fd, "X", 1, (off_t)i * shared.size + 100) ==
		    1);
	CHECK(source_of(m[4], good, NOW, &r) == SESSION_SRC_VERIFIED &&
	    r == SESSION_OK);
	CHECK(jwt_calls == 3);
	for (k = 0; k < 5; k++)
		session_memo_free(m[k]);
	close(shared.fd);
}

static void
a_memo_fuller_than_its_slots_never_mixes_two_tokens_up(void)
{
	static char		 toks[3000][512];
	struct session_memo	*m = session_memo_new();
	char			 pay[1024];
	int			 i, pass, wrong = 0, calls;

	/* The sv claim tells the tokens apart. */
	for (i = 0; i < 3000; i++) {
		snprintf(pay, sizeof(pay), "{\"iss\":\"billgw\",\"aud\":"
		    "\"billing_center\",\"sub\":\"u:42\",\"rgn\":\"us\","
		    "\"acct\":1001,\"role\":\"member\",\"sv\":%d,"
		    "\"iat\":1750000000,\"exp\":1750000600,"
		    "\"jti\":\"abcdefghijklmnop\"}", i);
		snprintf(toks[i], sizeof(toks[i]), "%s",
		    sign(HDR, pay, K1, MAC_HS256));
	}
	/* 400 sessions, twice: the second time nearly all from the memo. */
	jwt_calls = 0;
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < 400; i++) {
			c.sv = -1;
			if (verify_memo(m, toks[i], NOW) != SESSION_OK ||
			    c.sv != i)
				wrong++;
		}
	calls = jwt_calls;
	CHECK(calls >= 400 && calls <= 440);
	/* 3,000 on 1,024 entries, then back: only the newest 1,024 hit. */
	jwt_calls = 0;
	for (i = 0; i < 3000; i++) {
		c.sv = -1;
		if (verify_memo(m, toks[i], NOW) != SESSION_OK || c.sv != i)
			wrong++;
	}
	for (i = 2999; i >= 0; i--) {
		c.sv = -1;
		if (verify_memo(m, toks[i], NOW) != SESSION_OK || c.sv != i)
			wrong++;
	}
	CHECK(wrong == 0);
	CHECK(jwt_calls > 3000 + 1000 && jwt_calls < 3000 + 3000 - 900);
	session_memo_free(m);
}

static void
the_names_of_portals_and_errors_are_stable(void)
{
	enum session_aud	 a;

	CHECK_STR(session_aud_str(AUD_BILLING_CENTER), "billing_center");
	CHECK(session_aud_parse("corporate", &a) == 0 && a == AUD_CORPORATE);
	CHECK(session_aud_parse("Corporate", &a) == -1);
	CHECK_STR(session_err_str(SESSION_EXPIRED), "token expired");
}

int
main(void)
{
	char	 path[128];

	if (sodium_init() < 0)
		return 2;
	snprintf(dir, sizeof(dir), "/tmp/billgw-test-session.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	if (config_load_string("t.conf", CONFIG, &cf, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	if ((keys = load("session.keys", "# rotate: add a line on top\n"
	    "k1 " K1 "\n\nk2\t" K2 "  \n")) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}

	RUN(a_keys_file_with_a_short_secret_is_refused_naming_file_and_line);
	RUN(a_keys_file_with_a_duplicate_kid_is_refused);
	RUN(an_empty_or_missing_keys_file_is_refused);
	RUN(a_keys_file_with_a_bad_kid_or_too_many_keys_is_refused);
	RUN(a_mac_under_a_domain_of_base64url_only_or_a_missing_key_is_refused);
	RUN(a_token_over_4096_bytes_is_refused_before_decoding);
	RUN(a_9_mb_token_is_refused_at_once_without_reaching_libjwt);
	RUN(a_token_of_the_wrong_shape_is_malformed);
	RUN(an_unsigned_alg_none_token_is_refused);
	RUN(an_hs512_or_lowercase_hs256_token_with_the_right_key_is_refused);
	RUN(a_crit_header_or_a_foreign_typ_or_header_key_is_refused);
	RUN(an_unknown_or_missing_kid_is_refused);
	RUN(a_flipped_signature_bit_is_refused_before_reaching_libjwt);
	RUN(an_edited_payload_with_the_old_signature_is_refused);
	RUN(a_token_libjwt_refuses_is_refused_even_when_our_hmac_agrees);
	RUN(an_expired_token_is_refused_after_30_seconds_of_leeway);
	RUN(claims_of_the_wrong_json_type_are_refused);
	RUN(a_string_claim_too_long_for_its_field_is_refused);
	RUN(an_iat_in_the_future_is_refused_after_30_seconds_of_leeway);
	RUN(a_token_living_longer_than_the_ttl_is_refused);
	RUN(a_wrong_iss_or_aud_is_refused);
	RUN(a_duplicated_sub_is_refused);
	RUN(a_payload_that_is_an_array_or_not_json_is_refused);
	RUN(an_rgn_of_a_region_not_configured_is_refused);
	RUN(the_claims_are_left_untouched_when_a_check_fails);
	RUN(a_valid_token_round_trips_with_every_claim_equal);
	RUN(issuing_refuses_a_short_buffer_or_bad_claims);
	RUN(a_token_signed_with_the_second_key_of_the_file_verifies);
	RUN(a_token_issued_before_a_key_rotation_still_verifies);
	RUN(the_memo_answers_a_token_seen_before_without_decoding_it_again);
	RUN(a_token_from_the_memo_still_expires_and_is_not_yet_valid);
	RUN(a_shared_memo_gives_a_worker_the_tokens_another_verified);
	RUN(a_token_one_byte_off_a_memoized_one_is_verified_in_full);
	RUN(a_memo_fuller_than_its_slots_never_mixes_two_tokens_up);
	RUN(the_names_of_portals_and_errors_are_stable);

	session_keys_free(keys);
	snprintf(path, sizeof(path), "%s/session.keys", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/bad.keys", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/old.keys", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/new.keys", dir);
	unlink(path);
	rmdir(dir);
	return DONE();
}
