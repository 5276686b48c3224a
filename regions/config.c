/*
 * The configuration file (SPEC section 2), read with inih.
 *
 * Every key is declared once in a table below with its type and range; the
 * inih callback looks the key up, parses and range-checks the value, and
 * records that it was seen.  Missing keys are reported after the parse at
 * the line of their section header.  Errors read
 *
 *	FILE:LINE: [section] key: what is wrong
 *
 * inih does not tell a callback its line number, so the text is fed to
 * ini_parse_stream() through a reader that counts lines.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ini.h>

#include "regions/config.h"
#include "sql/dsn.h"

#define CONFIG_FILE_MAX	(64 * 1024)
/*
 * inih reads lines of at most INI_MAX_LINE - 1 = 199 bytes, the newline
 * included: a longer one would be split in two, and every later line
 * number would be off by one.
 */
#define CONFIG_LINE_MAX	198

enum ktype {
	K_STR,		/* printable text */
	K_INT,		/* a bounded decimal integer */
	K_URL,		/* http:// or https:// URL */
	K_LISTEN,	/* unix:PATH or 127.0.0.1:PORT */
	K_DSN,
	K_PATH,
	K_TZ,
	K_CURRENCY,
	K_EMAIL
};

enum section { S_GATEWAY, S_SESSION, S_DIRECTORY, S_REGION, S__MAX };

struct key {
	enum section	 section;
	const char	*name;
	enum ktype	 type;
	long		 min, max;	/* K_INT: the range; else max length */
	size_t		 off;		/* into struct config or region_conf */
	size_t		 size;		/* K_INT: sizeof the int field */
	const char	*def;		/* NULL: required */
};

#define G(f)	offsetof(struct config, gateway.f), sizeof(((struct config *)0)->gateway.f)
#define SE(f)	offsetof(struct config, session.f), sizeof(((struct config *)0)->session.f)
#define D(f)	offsetof(struct config, directory.f), sizeof(((struct config *)0)->directory.f)
#define R(f)	offsetof(struct region_conf, f), sizeof(((struct region_conf *)0)->f)

static const struct key keys[] = {
	{ S_GATEWAY, "listen", K_LISTEN, 0, 0, G(listen), NULL },
	{ S_GATEWAY, "workers", K_INT, 1, CONFIG_MAX_WORKERS, G(workers), "16" },
	{ S_GATEWAY, "max_requests", K_INT, 1, 1000000000, G(max_requests), "100000" },
	{ S_GATEWAY, "request_timeout", K_INT, 1, 3600, G(request_timeout), "10" },
	{ S_GATEWAY, "slow_request_ms", K_INT, 1, 600000, G(slow_request_ms), "1000" },
	{ S_GATEWAY, "listen_backlog", K_INT, 16, 65535, G(listen_backlog), "1024" },
	{ S_GATEWAY, "signin_listen", K_LISTEN, 0, 0, G(signin_listen), "" },
	{ S_GATEWAY, "signin_workers", K_INT, 0, CONFIG_MAX_SIGNIN_WORKERS, G(signin_workers), "0" },
	{ S_GATEWAY, "public_url", K_URL, 0, 0, G(public_url), NULL },
	{ S_SESSION, "keys_file", K_PATH, 0, 0, SE(keys_file), NULL },
	{ S_SESSION, "ttl", K_INT, 60, 86400, SE(ttl), "1800" },
	{ S_DIRECTORY, "dsn", K_DSN, 0, 0, D(dsn), NULL },
	{ S_DIRECTORY, "key_file", K_PATH, 0, 0, D(key_file), NULL },
	{ S_REGION, "name", K_STR, 0, 0, R(name), NULL },
	{ S_REGION, "currency", K_CURRENCY, 0, 0, R(currency), NULL },
	{ S_REGION, "timezone", K_TZ, 0, 0, R(timezone), NULL },
	{ S_REGION, "dsn", K_DSN, 0, 0, R(dsn), NULL },
	{ S_REGION, "billing_center_url", K_URL, 0, 0, R(billing_center_url), NULL },
	{ S_REGION, "corporate_portal_url", K_URL, 0, 0, R(corporate_portal_url), NULL },
	{ S_REGION, "regional_portal_url", K_URL, 0, 0, R(regional_portal_url), NULL },
	{ S_REGION, "profile_url", K_URL, 0, 0, R(profile_url), NULL },
	{ S_REGION, "payment_terms_days", K_INT, 0, 365, R(payment_terms_days), "15" },
	{ S_REGION, "billing_email", K_EMAIL, 0, 0, R(billing_email), NULL },
	{ S_REGION, "remit_to", K_STR, 0, 0, R(remit_to), NULL },
};
#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

/* The index in keys[] of sect's key name; NKEYS if there is none. */
static size_t
key_index(enum section sect, const char *name)
{
	size_t	 k;

	for (k = 0; k < NKEYS; k++)
		if (keys[k].section == sect && strcmp(keys[k].name, name) == 0)
			break;
	return k;
}

static const char *const section_names[S__MAX] = {
	"gateway", "session", "directory", "region.*"
};

struct parse {
	const char	*name;		/* file name for messages */
	const char	*text;		/* the whole file */
	const char	*pos;		/* the reader's position */
	int		 line;		/* number of the line last read */
	struct config	*cf;
	char		*err;
	size_t		 errlen;
	int		 failed;
	/* Where each fixed section and each region began; 0: absent. */
	int		 sect_line[S__MAX];
	int		 region_line[CONFIG_MAX_REGIONS];
	/* The line each key was given on; 0: not given. */
	int		 seen[CONFIG_MAX_REGIONS + S__MAX][NKEYS];
	int		 last_header;	/* line of the last [header] read */
};

/* Report the first error only: it is the one worth fixing first. */
static int
fail(struct parse *p, int line, const char *section, const char *key,
    const char *fmt, const char *detail)
{
	char	 what[256];

	if (p->failed)
		return 0;
	p->failed = 1;
	snprintf(what, sizeof(what), fmt, detail ? detail : "");
	if (key)
		snprintf(p->err, p->errlen, "%s:%d: [%s] %s: %s", p->name,
		    line, section, key, what);
	else
		snprintf(p->err, p->errlen, "%s:%d: [%s]: %s", p->name, line,
		    section, what);
	return 0;
}

/* An fgets() over the in-memory text that counts lines for messages. */
static char *
reader(char *str, int num, void *stream)
{
	struct parse	*p = stream;
	const char	*nl, *s;
	size_t		 n;

	if (*p->pos == '\0')
		return NULL;
	nl = strchr(p->pos, '\n');
	n = nl ? (size_t)(nl - p->pos) + 1 : strlen(p->pos);
	if (n > (size_t)num - 1)
		n = (size_t)num - 1;	/* lines are checked: cannot happen */
	memcpy(str, p->pos, n);
	str[n] = '\0';
	p->pos += n;
	p->line++;
	for (s = str; *s == ' ' || *s == '\t'; s++)
		continue;
	if (*s == '[')
		p->last_header = p->line;
	return str;
}

static int
parse_long(const char *v, long min, long max, long *out)
{
	char	*end;
	long	 n;

	if (*v == '\0' || !(isdigit((unsigned char)*v) || *v == '-'))
		return -1;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || *end != '\0' || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

static int
printable(const char *v)
{
	for (; *v; v++)
		if ((unsigned char)*v < 0x20 || *v == 0x7f)
			return 0;
	return 1;
}

/* http(s)://host[:port]/path with no space, quote or angle bracket. */
static int
valid_url(const char *v)
{
	const char	*h;

	if (strncmp(v, "http://", 7) == 0)
		h = v + 7;
	else if (strncmp(v, "https://", 8) == 0)
		h = v + 8;
	else
		return 0;
	if (!isalnum((unsigned char)*h) && *h != '[')
		return 0;
	for (; *v; v++)
		if ((unsigned char)*v <= 0x20 || (unsigned char)*v >= 0x7f ||
		    strchr("\"'<>\\`{}|^", *v))
			return 0;
	return 1;
}

static int
valid_tz(const char *v)
{
	char		 path[128];
	struct stat	 st;
	const char	*s;

	if (*v == '\0' || *v == '/' || strstr(v, ".."))
		return 0;
	for (s = v; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("/_+-", *s))
			return 0;
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", v);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int
valid_email(const char *v)
{
	const char	*at = strchr(v, '@');

	if (at == NULL || at == v || strchr(at + 1, '@') || !strchr(at, '.'))
		return 0;
	for (; *v; v++)
		if ((unsigned char)*v <= 0x20 || (unsigned char)*v >= 0x7f ||
		    strchr("\"'<>\\,;()[]", *v))
			return 0;
	return 1;
}

static int
valid_listen(const char *v, char *why, size_t whylen)
{
	long	 port;

	if (strncmp(v, "unix:", 5) == 0) {
		if (v[5] == '\0' || strlen(v + 5) > 107) {
			snprintf(why, whylen, "unix socket path empty or "
			    "over 107 bytes");
			return 0;
		}
		return 1;
	}
	if (strncmp(v, "127.0.0.1:", 10) == 0 &&
	    parse_long(v + 10, 1, 65535, &port) == 0)
		return 1;
	snprintf(why, whylen, "expected unix:PATH or 127.0.0.1:PORT");
	return 0;
}

/* Parse value v for key k into the struct at base. */
static int
set_value(struct parse *p, const char *section, const struct key *k,
    char *base, const char *v)
{
	char		 why[128];
	struct dsn	 d;
	long		 n;

	if (k->type == K_INT) {
		snprintf(why, sizeof(why), "must be a whole number from %ld "
		    "to %ld", k->min, k->max);
		if (parse_long(v, k->min, k->max, &n))
			return fail(p, p->line, section, k->name, "%s", why);
		if (k->size == sizeof(long))
			*(long *)(base + k->off) = n;
		else
			*(int *)(base + k->off) = (int)n;
		return 1;
	}
	if (*v == '\0')
		return fail(p, p->line, section, k->name, "empty value", NULL);
	if (strlen(v) >= k->size) {
		snprintf(why, sizeof(why), "%zu", k->size - 1);
		return fail(p, p->line, section, k->name,
		    "longer than %s bytes", why);
	}
	if (!printable(v))
		return fail(p, p->line, section, k->name, "control character",
		    NULL);
	switch (k->type) {
	case K_URL:
		if (!valid_url(v))
			return fail(p, p->line, section, k->name,
			    "not an http:// or https:// URL", NULL);
		break;
	case K_LISTEN:
		if (!valid_listen(v, why, sizeof(why)))
			return fail(p, p->line, section, k->name, "%s", why);
		break;
	case K_DSN:
		if (dsn_parse(v, &d, why, sizeof(why)))
			return fail(p, p->line, section, k->name,
			    "bad database address: %s", why);
		explicit_bzero(&d, sizeof(d));
		break;
	case K_TZ:
		if (!valid_tz(v))
			return fail(p, p->line, section, k->name,
			    "unknown time zone \"%s\"", v);
		break;
	case K_CURRENCY:
		if (strlen(v) != 3 || !isupper((unsigned char)v[0]) ||
		    !isupper((unsigned char)v[1]) ||
		    !isupper((unsigned char)v[2]))
			return fail(p, p->line, section, k->name,
			    "expected an ISO 4217 code such as USD", NULL);
		break;
	case K_EMAIL:
		if (!valid_email(v))
			return fail(p, p->line, section, k->name,
			    "not an e-mail address", NULL);
		break;
	default:
		break;
	}
	memcpy(base + k->off, v, strlen(v) + 1);
	return 1;
}

static int
valid_region_code(const char *s)
{
	size_t	 n = strlen(s);

	if (n < 2 || n > 8)
		return 0;
	for (; *s; s++)
		if (*s < 'a' || *s > 'z')
			return 0;
	return 1;
}

static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse		*p = user;
	struct config		*cf = p->cf;
	enum section		 sect;
	char			*base = (char *)cf;
	int			 slot, i;
	size_t			 k;

	if (p->failed)
		return 0;
	if (strncmp(section, "region.", 7) == 0) {
		sect = S_REGION;
		if (!valid_region_code(section + 7))
			return fail(p, p->line, section, NULL, "a region code "
			    "is 2 to 8 lower-case letters", NULL);
		if ((i = config_region_index(cf, section + 7)) < 0) {
			if (cf->nregions == CONFIG_MAX_REGIONS)
				return fail(p, p->line, section, NULL,
				    "more than 16 regions", NULL);
			i = (int)cf->nregions++;
			snprintf(cf->regions[i].code,
			    sizeof(cf->regions[i].code), "%s", section + 7);
			cf->regions[i].payment_terms_days = 15;
			p->region_line[i] = p->last_header;
		} else if (p->region_line[i] != p->last_header) {
			return fail(p, p->line, section, NULL,
			    "section given twice", NULL);
		}
		base = (char *)&cf->regions[i];
		slot = S__MAX + i;
	} else {
		for (sect = 0; sect < S_REGION; sect++)
			if (strcmp(section, section_names[sect]) == 0)
				break;
		if (sect == S_REGION)
			return fail(p, p->line, section, NULL,
			    "unknown section", NULL);
		if (p->sect_line[sect] == 0)
			p->sect_line[sect] = p->last_header;
		else if (p->sect_line[sect] != p->last_header)
			return fail(p, p->line, section, NULL,
			    "section given twice", NULL);
		slot = sect;
	}
	if ((k = key_index(sect, name)) == NKEYS)
		return fail(p, p->line, section, name, "unknown key", NULL);
	if (p->seen[slot][k])
		return fail(p, p->line, section, name, "given twice", NULL);
	p->seen[slot][k] = p->line;
	return set_value(p, section, &keys[k], base, value);
}

/* After the parse: defaults for absent optional keys, errors for the rest. */
static int
check_missing(struct parse *p)
{
	char		 section[32];
	size_t		 k, i;
	int		 slot, line;

	for (k = 0; k < NKEYS; k++) {
		const struct key *key = &keys[k];
		size_t first = 0, last = 1;

		if (key->section == S_REGION) {
			first = 0;
			last = p->cf->nregions;
		}
		for (i = first; i < last; i++) {
			if (key->section == S_REGION) {
				slot = S__MAX + (int)i;
				line = p->region_line[i];
				snprintf(section, sizeof(section), "region.%s",
				    p->cf->regions[i].code);
			} else {
				slot = key->section;
				line = p->sect_line[key->section];
				snprintf(section, sizeof(section), "%s",
				    section_names[key->section]);
			}
			if (p->seen[slot][k])
				continue;
			if (key->def == NULL && line == 0) {
				fail(p, p->line, section, NULL,
				    "missing section", NULL);
				return -1;
			}
			if (key->def == NULL) {
				fail(p, line, section, key->name,
				    "missing", NULL);
				return -1;
			}
			if (key->type == K_INT)
				set_value(p, section, key, key->section ==
				    S_REGION ? (char *)&p->cf->regions[i] :
				    (char *)p->cf, key->def);
		}
	}
	if (p->cf->nregions == 0) {
		fail(p, p->line, "region.*", NULL, "no region configured",
		    NULL);
		return -1;
	}
	/* Two lanes on one socket would be one lane, badly. */
	if (strcmp(p->cf->gateway.signin_listen, p->cf->gateway.listen) == 0) {
		fail(p, p->seen[S_GATEWAY][key_index(S_GATEWAY,
		    "signin_listen")], "gateway", "signin_listen",
		    "the same address as listen", NULL);
		return -1;
	}
	return 0;
}

int
config_load_string(const char *name, const char *text, struct config *cf,
    char *err, size_t errlen)
{
	struct parse	*p;
	const char	*s, *nl;
	int		 rc, line = 0;

	memset(cf, 0, sizeof(*cf));
	snprintf(cf->path, sizeof(cf->path), "%s", name);
	for (s = text; *s; s = nl + 1) {
		line++;
		nl = strchr(s, '\n');
		if ((nl ? (size_t)(nl - s) : strlen(s)) > CONFIG_LINE_MAX) {
			snprintf(err, errlen, "%s:%d: line longer than %d "
			    "bytes", name, line, CONFIG_LINE_MAX);
			return -1;
		}
		if (nl == NULL)
			break;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	p->name = name;
	p->text = p->pos = text;
	p->cf = cf;
	p->err = err;
	p->errlen = errlen;
	rc = ini_parse_stream(reader, p, handler, p);
	if (rc != 0 && !p->failed) {
		if (rc > 0)
			snprintf(err, errlen, "%s:%d: syntax error (expected "
			    "[section] or key = value)", name, rc);
		else
			snprintf(err, errlen, "%s: cannot parse", name);
		p->failed = 1;
	}
	if (!p->failed)
		check_missing(p);
	rc = p->failed ? -1 : 0;
	free(p);
	if (rc)
		memset(cf, 0, sizeof(*cf));
	return rc;
}

int
config_load(const char *path, struct config *cf, char *err, size_t errlen)
{
	FILE	*f;
	char	*text;
	size_t	 n;
	int	 rc;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if ((text = malloc(CONFIG_FILE_MAX + 1)) == NULL) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	n = fread(text, 1, CONFIG_FILE_MAX + 1, f);
	if (ferror(f) || n > CONFIG_FILE_MAX || memchr(text, '\0', n)) {
		snprintf(err, errlen, "%s: %s", path, ferror(f) ?
		    "read error" : n > CONFIG_FILE_MAX ?
		    "larger than 64 KiB" : "holds a NUL byte");
		fclose(f);
		free(text);
		return -1;
	}
	fclose(f);
	text[n] = '\0';
	rc = config_load_string(path, text, cf, err, errlen);
	free(text);
	return rc;
}

int
config_region_index(const struct config *cf, const char *code)
{
	size_t	 i;

	for (i = 0; i < cf->nregions; i++)
		if (strcmp(cf->regions[i].code, code) == 0)
			return (int)i;
	return -1;
}

const struct region_conf *
config_region(const struct config *cf, const char *code)
{
	int	 i = config_region_index(cf, code);

	return i < 0 ? NULL : &cf->regions[i];
}
