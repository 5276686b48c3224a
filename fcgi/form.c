#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "fcgi/form.h"
#include "fcgi/request.h"

static int
bad(struct request *req, const char *field, const char *message)
{
	req->error_code = "bad_request";
	req->error_field = field;
	req->error_message = message;
	return 400;
}

static int
spec_index(const struct field_spec *spec, size_t n, const char *name)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(spec[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Store one value for field i: once only, within its size. */
static int
put(struct request *req, const struct field_spec *spec, struct field_val *out,
    int i, const char *val, size_t len, int copy)
{
	if (out[i].val != NULL)
		return bad(req, spec[i].name, "Given more than once.");
	if (len > spec[i].max)
		return bad(req, spec[i].name, "Too long.");
	if (memchr(val, '\0', len) != NULL)
		return bad(req, spec[i].name, "NUL bytes are not allowed.");
	if (!utf8_valid(val, len))
		return bad(req, spec[i].name, "Invalid UTF-8.");
	if (copy)
		val = arena_strndup(req->arena, val, len);
	if ((out[i].val = val) == NULL)
		return bad(req, spec[i].name, "Request too large.");
	out[i].len = len;
	return 0;
}

static int
read_json(struct request *req, const struct field_spec *spec, size_t n,
    struct field_val *out)
{
	json_error_t	 jerr;
	json_t		*root, *v;
	const char	*key;
	int		 i, st = 0;

	/* Duplicate keys are refused; \u0000 is let through to put(), which
	 * refuses it naming the field. */
	root = json_loadb(req->body, req->body_len,
	    JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
	    &jerr);
	if (root == NULL) {
		if (strstr(jerr.text, "duplicate") != NULL)
			return bad(req, "body", "A field is given twice.");
		return bad(req, "body", "Malformed JSON.");
	}
	if (!json_is_object(root)) {
		json_decref(root);
		return bad(req, "body", "Expected a JSON object.");
	}
	json_object_foreach(root, key, v) {
		if ((i = spec_index(spec, n, key)) < 0) {
			st = bad(req, "body", "Unknown field.");
			/* Name the field only if it is a plain name. */
			if (strlen(key) <= 64 &&
			    strspn(key, "abcdefghijklmnopqrstuvwxyz_") ==
			    strlen(key))
				req->error_field =
				    arena_strndup(req->arena, key, strlen(key));
			break;
		}
		if (!json_is_string(v)) {
			st = bad(req, spec[i].name, "Expected a string.");
			break;
		}
		if ((st = put(req, spec, out, i, json_string_value(v),
		    json_string_length(v), 1)) != 0)
			break;
	}
	/* jansson kept copies of every value: wipe them before freeing. */
	json_object_foreach(root, key, v)
		if (json_is_string(v))
			explicit_bzero((char *)json_string_value(v),
			    json_string_length(v));
	json_decref(root);
	return st;
}

static int
read_urlencoded(struct request *req, const struct field_spec *spec, size_t n,
    struct field_val *out)
{
	struct kv	 kv[FORM_FIELDS_MAX];
	int		 k, i, m, st;

	if ((m = request_parse_urlencoded(req, req->body ? req->body : "",
	    req->body_len, kv, FORM_FIELDS_MAX, "body")) < 0)
		return 400;
	for (k = 0; k < m; k++) {
		if ((i = spec_index(spec, n, kv[k].key)) < 0)
			return bad(req, kv[k].key, "Unknown field.");
		if ((st = put(req, spec, out, i, kv[k].val, kv[k].len,
		    0)) != 0)
			return st;
	}
	return 0;
}

int
form_read(struct request *req, const struct field_spec *spec, size_t n,
    struct field_val *out)
{
	size_t	 i;
	int	 st;

	memset(out, 0, n * sizeof(*out));
	if (strncasecmp(req->content_type, "application/json", 16) == 0)
		st = read_json(req, spec, n, out);
	else
		st = read_urlencoded(req, spec, n, out);
	if (st != 0)
		return st;
	for (i = 0; i < n; i++)
		if (spec[i].required && (out[i].val == NULL ||
		    out[i].len == 0))
			return bad(req, spec[i].name, "Required.");
	return 0;
}

void
form_wipe(struct request *req, struct field_val *out, size_t i)
{
	if (req->body != NULL)
		explicit_bzero((char *)req->body, req->body_len);
	if (out[i].val != NULL)
		explicit_bzero((char *)out[i].val, out[i].len);
}
