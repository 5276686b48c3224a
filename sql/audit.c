/*
 * The audit log.  See audit.h.
 */
#include <stddef.h>

#include "sql/audit.h"

static const char	sql_insert[] =
	"INSERT INTO audit_log (actor, account_id, event, outcome,"
	" client_addr, request_id) VALUES (?, ?, ?, ?, ?, ?)";

/*
 * Copy s (NULL: "") into buf of size max + 1, cut to max bytes, every byte
 * outside printable ASCII replaced by '?'.  Returns buf.
 */
static const char *
clean(const char *s, char *buf, size_t max)
{
	size_t	 i;

	for (i = 0; s != NULL && s[i] != '\0' && i < max; i++)
		buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}

enum db_res
audit_add(struct db *db, const struct audit_entry *e)
{
	char		 actor[AUDIT_ACTOR_MAX + 1];
	char		 event[AUDIT_EVENT_MAX + 1];
	char		 outcome[AUDIT_EVENT_MAX + 1];
	char		 addr[AUDIT_ADDR_MAX + 1];
	char		 rid[AUDIT_REQUEST_ID_MAX + 1];
	struct db_val	 p[6];

	p[0] = DB_STR(clean(e->actor, actor, AUDIT_ACTOR_MAX));
	p[1] = e->account_id > 0 ? DB_I64(e->account_id) : DB_NULLV;
	p[2] = DB_STR(clean(e->event, event, AUDIT_EVENT_MAX));
	p[3] = DB_STR(clean(e->outcome, outcome, AUDIT_EVENT_MAX));
	p[4] = DB_STR(clean(e->client_addr, addr, AUDIT_ADDR_MAX));
	p[5] = DB_STR(clean(e->request_id, rid, AUDIT_REQUEST_ID_MAX));
	return db_exec(db, sql_insert, p, 6, NULL);
}
