/*
 * Database addresses: mysql://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?socket=PATH]
 * The password, if any, is percent-decoded; it never appears in a log line
 * (use dsn_redact()).
 */
#ifndef BILLGW_DSN_H
#define BILLGW_DSN_H

#include <stddef.h>

struct dsn {
	char		 user[81];
	char		 password[129];
	char		 host[256];
	unsigned int	 port;		/* 0: the default */
	char		 database[65];	/* [A-Za-z0-9_]{1,64} */
	char		 socket[256];	/* empty: TCP */
};

/* Parse s into *d.  Returns 0, or -1 with a reason in err. */
int	dsn_parse(const char *s, struct dsn *d, char *err, size_t errlen);

/* Write "mysql://user@host/db" (no password) into buf for log lines. */
void	dsn_redact(const struct dsn *d, char *buf, size_t len);

#endif /* BILLGW_DSN_H */
