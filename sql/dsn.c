/*
 * Database addresses.  The form is deliberately narrow:
 *
 *	mysql://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?socket=PATH]
 *
 * USER and DATABASE are plain identifiers, the password may carry
 * percent-escapes, PATH is an absolute or relative file name.  Anything else
 * is refused, so a typo fails at start-up rather than at the first query.
 */
#include <stdio.h>
#include <string.h>

#include "sql/dsn.h"

static int
is_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Copy [s, e) into dst (size len), percent-decoding when decode is set.
 * Returns 0, or -1 when it does not fit, is empty, or holds a bad escape
 * or a control byte.
 */
static int
copy_part(char *dst, size_t len, const char *s, const char *e, int decode)
{
	size_t	 n = 0;
	int	 hi, lo;

	if (s == e)
		return -1;
	for (; s < e; s++) {
		unsigned char c = (unsigned char)*s;

		if (decode && c == '%') {
			if (e - s < 3 || (hi = hexval(s[1])) < 0 ||
			    (lo = hexval(s[2])) < 0)
				return -1;
			c = (unsigned char)(hi << 4 | lo);
			s += 2;
		}
		if (c < 0x20 || c == 0x7f || n + 1 >= len)
			return -1;
		dst[n++] = (char)c;
	}
	dst[n] = '\0';
	return 0;
}

int
dsn_parse(const char *s, struct dsn *d, char *err, size_t errlen)
{
	const char	*p, *at, *colon, *slash, *q, *end;
	unsigned long	 port = 0;

	memset(d, 0, sizeof(*d));
	if (strncmp(s, "mysql://", 8) != 0) {
		snprintf(err, errlen, "must start with mysql://");
		return -1;
	}
	p = s + 8;
	end = p + strlen(p);
	if ((at = strchr(p, '@')) == NULL) {
		snprintf(err, errlen, "no user@ before the host");
		return -1;
	}
	colon = memchr(p, ':', at - p);
	if (copy_part(d->user, sizeof(d->user), p, colon ? colon : at, 0)) {
		snprintf(err, errlen, "bad user");
		return -1;
	}
	for (q = d->user; *q; q++)
		if (!is_ident(*q) && *q != '-' && *q != '.') {
			snprintf(err, errlen, "bad user");
			return -1;
		}
	if (colon && copy_part(d->password, sizeof(d->password),
	    colon + 1, at, 1)) {
		snprintf(err, errlen, "bad password");
		return -1;
	}
	p = at + 1;
	if ((slash = strchr(p, '/')) == NULL) {
		snprintf(err, errlen, "no /database after the host");
		return -1;
	}
	colon = memchr(p, ':', slash - p);
	if (copy_part(d->host, sizeof(d->host), p, colon ? colon : slash, 0)) {
		snprintf(err, errlen, "bad host");
		return -1;
	}
	for (q = d->host; *q; q++)
		if (!is_ident(*q) && *q != '-' && *q != '.') {
			snprintf(err, errlen, "bad host");
			return -1;
		}
	if (colon) {
		for (q = colon + 1; q < slash; q++) {
			if (*q < '0' || *q > '9' || port > 65535) {
				snprintf(err, errlen, "bad port");
				return -1;
			}
			port = port * 10 + (unsigned long)(*q - '0');
		}
		if (port == 0 || port > 65535) {
			snprintf(err, errlen, "bad port");
			return -1;
		}
		d->port = (unsigned int)port;
	}
	p = slash + 1;
	q = strchr(p, '?');
	if (copy_part(d->database, sizeof(d->database), p, q ? q : end, 0)) {
		snprintf(err, errlen, "bad database name");
		return -1;
	}
	for (p = d->database; *p; p++)
		if (!is_ident(*p)) {
			snprintf(err, errlen,
			    "database name must be letters, digits and _");
			return -1;
		}
	if (q == NULL)
		return 0;
	if (strncmp(q, "?socket=", 8) != 0 ||
	    copy_part(d->socket, sizeof(d->socket), q + 8, end, 1) ||
	    strpbrk(d->socket, "&?") != NULL) {
		snprintf(err, errlen, "the only option is ?socket=PATH");
		return -1;
	}
	return 0;
}

void
dsn_redact(const struct dsn *d, char *buf, size_t len)
{
	if (d->socket[0])
		snprintf(buf, len, "mysql://%s@%s/%s?socket=%s", d->user,
		    d->host, d->database, d->socket);
	else if (d->port)
		snprintf(buf, len, "mysql://%s@%s:%u/%s", d->user, d->host,
		    d->port, d->database);
	else
		snprintf(buf, len, "mysql://%s@%s/%s", d->user, d->host,
		    d->database);
}
