/*
 * billgwctl's "add" commands: account, user, corporate-user, invoice,
 * payment (SPEC section 8).  Every value is validated before anything is
 * written; a new identifier is recorded in the directory first and taken
 * back if the region's insert fails, so a failed command leaves nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "auth/directory.h"
#include "auth/identifier.h"
#include "auth/password.h"
#include "ctl/ctl.h"
#include "regions/config.h"
#include "regions/dbroute.h"
#include "regions/money.h"
#include "sql/accounts.h"
#include "sql/billing.h"
#include "sql/db.h"

#define TEXT_MAX	200	/* company, name */

/* 1..max bytes of printable text (no control characters). */
static int
valid_text(const char *what, const char *s, size_t max)
{
	size_t	 i, len = strlen(s);

	if (len == 0 || len > max) {
		ctl_err("--%s must be 1 to %zu bytes", what, max);
		return 0;
	}
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
			ctl_err("--%s holds a control character", what);
			return 0;
		}
	return 1;
}

/* Classify s as exactly kind; print why not. */
static int
valid_ident(const char *what, const char *s, enum ident_scope scope,
    enum ident_kind kind, struct ident *id)
{
	enum ident_err	 e;

	if ((e = ident_classify(s, strlen(s), scope, id)) != IDENT_OK) {
		ctl_err("--%s %s", what, ident_err_str(e));
		return 0;
	}
	if (id->kind != kind) {
		ctl_err("--%s is not in a valid form", what);
		return 0;
	}
	return 1;
}

static int
valid_email(const char *what, const char *s)
{
	struct ident	 id;

	if (strchr(s, '@') == NULL || ident_classify(s, strlen(s),
	    IDENT_SCOPE_CORPORATE, &id) != IDENT_OK) {
		ctl_err("--%s is not an e-mail address", what);
		return 0;
	}
	return 1;
}

/* The region index of --region; -1 after printing why not. */
int
region_arg(struct ctl *c, struct opt *o)
{
	const char	*code = opt(o, "region");
	int		 i;

	if ((i = config_region_index(&c->cf, code)) == -1)
		ctl_err("--region %s: no such region in %s", code, c->cf.path);
	return i;
}

/* Find the account --account in the region's database. */
static int
account_arg(struct db *db, struct opt *o, struct account_ref *a)
{
	struct ident	 id;
	enum db_res	 r;

	if (!valid_ident("account", opt(o, "account"),
	    IDENT_SCOPE_BILLING_CENTER, IDENT_ACCOUNT_NUMBER, &id))
		return CTL_EXIT_USAGE;
	if ((r = accounts_find(db, id.norm, a)) == DB_NOTFOUND) {
		ctl_err("account %s does not exist in %s", id.norm,
		    db_database(db));
		return CTL_EXIT_FAIL;
	}
	if (r != DB_OK) {
		ctl_err("%s: %s", db_name(db), db_res_str(r));
		return CTL_EXIT_FAIL;
	}
	return CTL_EXIT_OK;
}

/*
 * Read one line (the password) from standard input into buf, without echo
 * on a terminal.  The newline is stripped.  Returns its length, or -1 after
 * printing why.  buf holds PASSWORD_MAX_BYTES + 2.
 */
static ssize_t
read_password(char *buf)
{
	struct termios	 old, raw;
	size_t		 len = 0;
	ssize_t		 n;
	int		 tty = isatty(STDIN_FILENO), echo_off = 0;
	char		 ch;

	if (tty) {
		fputs("Password: ", stderr);
		if (tcgetattr(STDIN_FILENO, &old) == 0) {
			raw = old;
			raw.c_lflag &= ~(tcflag_t)ECHO;
			echo_off = tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) == 0;
		}
	}
	for (;;) {
		n = read(STDIN_FILENO, &ch, 1);
		if (n <= 0 || ch == '\n')
			break;
		if (len == PASSWORD_MAX_BYTES + 1)
			continue;	/* drain the line, keep only the limit */
		buf[len++] = ch;
	}
	buf[len] = '\0';
	if (echo_off) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (len == 0) {
		ctl_err("no password on standard input");
		return -1;
	}
	return (ssize_t)len;
}

/* Read, check and hash a new password into hash; 0 or an exit code. */
static int
new_password(char *hash)
{
	char		 pw[PASSWORD_MAX_BYTES + 2];
	const char	*why;
	ssize_t		 len;
	int		 rc = CTL_EXIT_USAGE;

	if ((len = read_password(pw)) == -1)
		goto out;
	if ((why = password_policy(pw, (size_t)len)) != NULL) {
		ctl_err("%s", why);
		goto out;
	}
	if (password_hash(pw, (size_t)len, hash) == -1) {
		ctl_err("cannot hash the password");
		rc = CTL_EXIT_FAIL;
		goto out;
	}
	rc = CTL_EXIT_OK;
out:
	password_wipe(pw, sizeof(pw));
	return rc;
}

/*
 * Record id in the directory for region code, then run insert; on its
 * failure take back the directory row this call wrote.
 */
static int
with_directory(struct ctl *c, const struct ident *id, const char *what,
    const char *code, enum db_res (*insert)(void *), void *arg)
{
	struct directory	*dir;
	struct db		*ddb = dbroute_directory(c->dr);
	char			 holder[32];
	int			 created;
	enum db_res		 r;

	if ((dir = ctl_directory(c)) == NULL)
		return CTL_EXIT_FAIL;
	r = directory_put(dir, ddb, id, code, &created, holder, sizeof(holder));
	if (r == DB_CONFLICT) {
		ctl_err("%s %s already exists in region %s", what, id->norm,
		    holder);
		return CTL_EXIT_FAIL;
	}
	if (r != DB_OK) {
		ctl_err("directory %s: %s", db_name(ddb), db_res_str(r));
		return CTL_EXIT_FAIL;
	}
	if ((r = insert(arg)) == DB_OK)
		return CTL_EXIT_OK;
	if (created)
		(void)directory_remove(dir, ddb, id, code);
	return r == DB_CONFLICT ? -1 : CTL_EXIT_FAIL;
}

struct add_account {
	struct db		*db;
	struct account_new	 a;
	int64_t			 id;
};

static enum db_res
insert_account(void *arg)
{
	struct add_account	*x = arg;

	return accounts_add(x->db, &x->a, 0, &x->id);
}

int
cmd_account_add(struct ctl *c, struct opt *o)
{
	static const char *const kinds[] = { "standard", "corporate", NULL };
	static const char *const portals[] = { "billing_center", "regional",
	    NULL };
	struct add_account	 x;
	struct ident		 num;
	const char		*code, *country = opt(o, "country");
	char			 cc[3];
	int			 ri, rc;

	if ((ri = region_arg(c, o)) == -1)
		return CTL_EXIT_USAGE;
	code = c->cf.regions[ri].code;
	memset(&x, 0, sizeof(x));
	x.db = dbroute_region(c->dr, ri);
	if (!valid_ident("number", opt(o, "number"),
	    IDENT_SCOPE_BILLING_CENTER, IDENT_ACCOUNT_NUMBER, &num) ||
	    !valid_text("company", opt(o, "company"), TEXT_MAX))
		return CTL_EXIT_USAGE;
	x.a.number = num.norm;
	x.a.company = opt(o, "company");
	x.a.kind = opt_or(o, "kind", "standard");
	x.a.portal = opt_or(o, "portal", "billing_center");
	if (!one_of(x.a.kind, kinds) || !one_of(x.a.portal, portals)) {
		ctl_err("--kind is standard|corporate, --portal is "
		    "billing_center|regional");
		return CTL_EXIT_USAGE;
	}
	/* The default country: a two-letter region code, upper-cased. */
	if (country == NULL && strlen(code) == 2)
		country = code;
	if (country == NULL || strlen(country) != 2 ||
	    strspn(country, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
	    != 2) {
		ctl_err("--country must be a two-letter ISO 3166 code");
		return CTL_EXIT_USAGE;
	}
	cc[0] = (char)(country[0] & ~0x20);
	cc[1] = (char)(country[1] & ~0x20);
	cc[2] = '\0';
	x.a.country = cc;
	rc = with_directory(c, &num, "account", code, insert_account, &x);
	if (rc == -1) {
		ctl_err("account %s already exists in region %s", num.norm,
		    code);
		rc = CTL_EXIT_FAIL;
	}
	if (rc == CTL_EXIT_OK)
		printf("account %s added to region %s (id %lld)\n", num.norm,
		    code, (long long)x.id);
	return rc;
}

struct add_user {
	struct db			*db;
	struct user_new			 u;
	struct corporate_user_new	 cu;
	int64_t				 id;
};

static enum db_res
insert_user(void *arg)
{
	struct add_user	*x = arg;

	return users_add(x->db, &x->u, &x->id);
}

static enum db_res
insert_corporate_user(void *arg)
{
	struct add_user	*x = arg;

	return corporate_users_add(x->db, &x->cu, &x->id);
}

int
cmd_user_add(struct ctl *c, struct opt *o)
{
	static const char *const roles[] = { "super_admin", "view_pay",
	    "member", NULL };
	struct add_user		 x;
	struct account_ref	 acct;
	struct ident		 cid;
	char			 hash[PASSWORD_HASH_MAX];
	int			 ri, rc;

	if ((ri = region_arg(c, o)) == -1)
		return CTL_EXIT_USAGE;
	memset(&x, 0, sizeof(x));
	x.db = dbroute_region(c->dr, ri);
	x.u.role = opt_or(o, "role", "super_admin");
	x.u.is_main = opt(o, "main") != NULL;
	if (!valid_ident("client-id", opt(o, "client-id"),
	    IDENT_SCOPE_BILLING_CENTER, IDENT_CLIENT_ID, &cid) ||
	    !valid_text("name", opt(o, "name"), TEXT_MAX) ||
	    !valid_email("email", opt(o, "email")))
		return CTL_EXIT_USAGE;
	if (!one_of(x.u.role, roles)) {
		ctl_err("--role is super_admin|view_pay|member");
		return CTL_EXIT_USAGE;
	}
	if (x.u.is_main && strcmp(x.u.role, "member") == 0) {
		ctl_err("--main needs a billing contact: a member is not one");
		return CTL_EXIT_USAGE;
	}
	if ((rc = account_arg(x.db, o, &acct)) != CTL_EXIT_OK)
		return rc;
	if (x.u.is_main && users_main_exists(x.db, acct.id) == DB_OK) {
		ctl_err("account %s already has a main billing contact",
		    opt(o, "account"));
		return CTL_EXIT_FAIL;
	}
	if ((rc = new_password(hash)) != CTL_EXIT_OK)
		return rc;
	x.u.account_id = acct.id;
	x.u.client_id = cid.norm;
	x.u.name = opt(o, "name");
	x.u.email = opt(o, "email");
	x.u.password_hash = hash;
	rc = with_directory(c, &cid, "client ID", c->cf.regions[ri].code,
	    insert_user, &x);
	if (rc == -1) {
		if (users_exists(x.db, cid.norm) == DB_OK)
			ctl_err("client ID %s already exists", cid.norm);
		else
			ctl_err("account %s already has a main billing "
			    "contact", opt(o, "account"));
		rc = CTL_EXIT_FAIL;
	}
	if (rc == CTL_EXIT_OK)
		printf("user %s added to account %s in region %s\n", cid.norm,
		    opt(o, "account"), c->cf.regions[ri].code);
	password_wipe(hash, sizeof(hash));
	return rc;
}

int
cmd_corporate_user_add(struct ctl *c, struct opt *o)
{
	struct add_user		 x;
	struct account_ref	 acct;
	struct ident		 uid;
	char			 hash[PASSWORD_HASH_MAX];
	int			 ri, rc;

	if ((ri = region_arg(c, o)) == -1)
		return CTL_EXIT_USAGE;
	memset(&x, 0, sizeof(x));
	x.db = dbroute_region(c->dr, ri);
	if (!valid_ident("user-id", opt(o, "user-id"), IDENT_SCOPE_CORPORATE,
	    IDENT_CORPORATE_USER_ID, &uid) ||
	    !valid_text("name", opt(o, "name"), TEXT_MAX) ||
	    !valid_email("email", opt(o, "email")))
		return CTL_EXIT_USAGE;
	if ((rc = account_arg(x.db, o, &acct)) != CTL_EXIT_OK)
		return rc;
	if (strcmp(acct.kind, "corporate") != 0) {
		ctl_err("account %s is not a corporate account",
		    opt(o, "account"));
		return CTL_EXIT_FAIL;
	}
	if ((rc = new_password(hash)) != CTL_EXIT_OK)
		return rc;
	x.cu.account_id = acct.id;
	x.cu.user_id = uid.norm;
	x.cu.name = opt(o, "name");
	x.cu.email = opt(o, "email");
	x.cu.password_hash = hash;
	rc = with_directory(c, &uid, "User ID", c->cf.regions[ri].code,
	    insert_corporate_user, &x);
	if (rc == -1) {
		ctl_err("User ID %s already exists", uid.norm);
		rc = CTL_EXIT_FAIL;
	}
	if (rc == CTL_EXIT_OK)
		printf("corporate user %s added to account %s in region %s\n",
		    uid.norm, opt(o, "account"), c->cf.regions[ri].code);
	password_wipe(hash, sizeof(hash));
	return rc;
}

/* Parse --name into minor units of region ri's currency. */
static int
amount_arg(struct ctl *c, int ri, struct opt *o, const char *name,
    int64_t *minor)
{
	const char	*cur = c->cf.regions[ri].currency;
	char		 err[128];
	int		 e;

	if ((e = money_exponent(cur)) == -1) {
		ctl_err("currency %s: minor units unknown", cur);
		return 0;
	}
	if (money_parse(opt(o, name), e, minor, err, sizeof(err)) == -1) {
		ctl_err("--%s: %s (%s)", name, err, cur);
		return 0;
	}
	return 1;
}

/* A real calendar date written YYYY-MM-DD. */
static int
valid_date(const char *s)
{
	struct tm	 tm;
	const char	*end;
	char		 back[11];

	memset(&tm, 0, sizeof(tm));
	if (strlen(s) != 10 || (end = strptime(s, "%Y-%m-%d", &tm)) == NULL ||
	    *end != '\0')
		return 0;
	/* strptime takes 2024-02-30; a round trip through timegm does not. */
	tm.tm_hour = 12;
	if (timegm(&tm) == -1 ||
	    strftime(back, sizeof(back), "%Y-%m-%d", &tm) != 10)
		return 0;
	return strcmp(back, s) == 0 && tm.tm_year >= 70;
}

int
cmd_invoice_add(struct ctl *c, struct opt *o)
{
	static const char *const kinds[] = { "service", "hardware", NULL };
	struct invoice_new	 v;
	struct account_ref	 acct;
	struct db		*db;
	const char		*num = opt(o, "number");
	enum db_res		 r;
	int			 ri, rc;

	if ((ri = region_arg(c, o)) == -1)
		return CTL_EXIT_USAGE;
	db = dbroute_region(c->dr, ri);
	memset(&v, 0, sizeof(v));
	v.kind = opt_or(o, "kind", "service");
	if (strlen(num) == 0 || strlen(num) > 32 || strspn(num,
	    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-")
	    != strlen(num)) {
		ctl_err("--number must be 1 to 32 letters, digits or '-'");
		return CTL_EXIT_USAGE;
	}
	if (!valid_date(opt(o, "issued"))) {
		ctl_err("--issued must be a date written YYYY-MM-DD");
		return CTL_EXIT_USAGE;
	}
	if (!one_of(v.kind, kinds)) {
		ctl_err("--kind is service|hardware");
		return CTL_EXIT_USAGE;
	}
	if (!amount_arg(c, ri, o, "total", &v.total_minor))
		return CTL_EXIT_USAGE;
	if ((rc = account_arg(db, o, &acct)) != CTL_EXIT_OK)
		return rc;
	v.account_id = acct.id;
	v.number = num;
	v.issued_on = opt(o, "issued");
	v.currency = c->cf.regions[ri].currency;
	v.is_void = opt(o, "void") != NULL;
	if ((r = invoices_add(db, &v, 0)) == DB_CONFLICT) {
		ctl_err("invoice %s already exists in region %s", num,
		    c->cf.regions[ri].code);
		return CTL_EXIT_FAIL;
	} else if (r != DB_OK) {
		ctl_err("%s: %s: %s", db_name(db), db_res_str(r),
		    db_last_error(db));
		return CTL_EXIT_FAIL;
	}
	printf("invoice %s added to account %s: %s %s%s\n", num,
	    opt(o, "account"), opt(o, "total"), v.currency,
	    v.is_void ? " (void)" : "");
	return CTL_EXIT_OK;
}

int
cmd_payment_add(struct ctl *c, struct opt *o)
{
	static const char *const statuses[] = { "pending", "processed", NULL };
	struct payment_new	 v;
	struct account_ref	 acct;
	struct db		*db;
	enum db_res		 r;
	int			 ri, rc;

	if ((ri = region_arg(c, o)) == -1)
		return CTL_EXIT_USAGE;
	db = dbroute_region(c->dr, ri);
	memset(&v, 0, sizeof(v));
	v.status = opt_or(o, "status", "processed");
	if (!one_of(v.status, statuses)) {
		ctl_err("--status is pending|processed");
		return CTL_EXIT_USAGE;
	}
	if (!amount_arg(c, ri, o, "amount", &v.amount_minor))
		return CTL_EXIT_USAGE;
	if (v.amount_minor == 0) {
		ctl_err("--amount must be more than zero");
		return CTL_EXIT_USAGE;
	}
	if ((rc = account_arg(db, o, &acct)) != CTL_EXIT_OK)
		return rc;
	v.account_id = acct.id;
	v.currency = c->cf.regions[ri].currency;
	if ((r = payments_add(db, &v, 0)) != DB_OK) {
		ctl_err("%s: %s: %s", db_name(db), db_res_str(r),
		    db_last_error(db));
		return CTL_EXIT_FAIL;
	}
	printf("payment of %s %s (%s) added to account %s\n",
	    opt(o, "amount"), v.currency, v.status, opt(o, "account"));
	return CTL_EXIT_OK;
}

