/*
 * billgwctl: the operator's command line (SPEC section 8).
 *
 *	billgwctl --config FILE COMMAND [--option value ...]
 *
 * Each command declares its options in a table (name, value or flag,
 * required); an unknown, repeated or missing option is a usage error (exit
 * 2), as is a value that fails validation.  A database or conflict failure
 * exits 1.  Success prints one confirmation line on stdout.  Passwords are
 * read from standard input, never from argv.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/directory.h"
#include "auth/identifier.h"
#include "ctl/ctl.h"
#include "regions/config.h"
#include "regions/dbroute.h"
#include "sql/accounts.h"
#include "sql/db.h"
#include "sql/migrate.h"

#define OPT_MAX		10

struct cmd {
	const char	*word1;
	const char	*word2;		/* NULL for one-word commands */
	int		(*fn)(struct ctl *, struct opt *);
	struct opt	 opts[OPT_MAX];
};

void
ctl_err(const char *fmt, ...)
{
	va_list	 ap;

	fputs("billgwctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

struct directory *
ctl_directory(struct ctl *c)
{
	char	 err[512];

	if (c->dir == NULL &&
	    (c->dir = directory_new(c->cf.directory.key_file, err,
	    sizeof(err))) == NULL)
		ctl_err("[directory] key_file: %s", err);
	return c->dir;
}

/* The value of option name (NULL when absent). */
const char *
opt(struct opt *o, const char *name)
{
	for (; o->name != NULL; o++)
		if (strcmp(o->name, name) == 0)
			return o->val;
	return NULL;
}

const char *
opt_or(struct opt *o, const char *name, const char *dflt)
{
	const char	*v = opt(o, name);

	return v != NULL ? v : dflt;
}

/* Is s one of the words of the NULL-ended list? */
int
one_of(const char *s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

static int
cmd_migrate(struct ctl *c, struct opt *o)
{
	char		 err[1024], what[64];
	size_t		 i;
	int		 n, rc = CTL_EXIT_OK;
	uint64_t	 filled;
	enum db_res	 r;

	(void)o;
	n = migrate_apply(dbroute_directory(c->dr), "directory",
	    migrations_directory, migrations_ndirectory, err, sizeof(err));
	if (n < 0) {
		ctl_err("%s", err);
		rc = CTL_EXIT_FAIL;
	} else
		printf("directory: %d migration(s) applied, at version %d\n",
		    n, migrate_latest(migrations_directory,
		    migrations_ndirectory));
	for (i = 0; i < c->cf.nregions; i++) {
		snprintf(what, sizeof(what), "region %s", c->cf.regions[i].code);
		n = migrate_apply(dbroute_region(c->dr, (int)i), what,
		    migrations_region, migrations_nregion, err, sizeof(err));
		if (n < 0) {
			ctl_err("%s", err);
			rc = CTL_EXIT_FAIL;
			continue;
		}
		printf("%s: %d migration(s) applied, at version %d\n", what,
		    n, migrate_latest(migrations_region, migrations_nregion));
		/* Accounts older than migration 005, or left by a bulk load. */
		r = accounts_fill_digests(dbroute_region(c->dr, (int)i), 0,
		    INT64_MAX, &filled);
		if (r != DB_OK) {
			ctl_err("%s: account digests: %s %s", what,
			    db_res_str(r),
			    db_last_error(dbroute_region(c->dr, (int)i)));
			rc = CTL_EXIT_FAIL;
		} else
			printf("%s: %llu account digest(s) computed\n", what,
			    (unsigned long long)filled);
	}
	return rc;
}

static int
cmd_check(struct ctl *c, struct opt *o)
{
	struct db	*db;
	size_t		 i;
	int		 rc = CTL_EXIT_OK;

	(void)o;
	printf("config %s: ok, %zu region(s)\n", c->cf.path, c->cf.nregions);
	if (ctl_directory(c) == NULL)
		rc = CTL_EXIT_FAIL;
	for (i = 0; i <= c->cf.nregions; i++) {
		db = i < c->cf.nregions ? dbroute_region(c->dr, (int)i) :
		    dbroute_directory(c->dr);
		if (db_ready(db) == DB_OK) {
			printf("%s %s: ok\n", i < c->cf.nregions ? "region" :
			    "directory", i < c->cf.nregions ?
			    c->cf.regions[i].code : db_name(db));
			continue;
		}
		ctl_err("%s %s: unreachable: %s",
		    i < c->cf.nregions ? "region" : "directory",
		    i < c->cf.nregions ? c->cf.regions[i].code : "",
		    db_last_error(db));
		rc = CTL_EXIT_FAIL;
	}
	return rc;
}

static int
cmd_demo(struct ctl *c, struct opt *o)
{
	const char	*s = opt(o, "accounts");
	char		*end;
	long		 n = 0;

	if (s != NULL) {
		n = strtol(s, &end, 10);
		if (*s < '0' || *s > '9' || *end != '\0' || n < 0 ||
		    n > 10000000) {
			ctl_err("--accounts must be 0 to 10000000");
			return CTL_EXIT_USAGE;
		}
	}
	return demo_run(c, n);
}

#define OPT(n)		{ .name = (n) }
#define OPT_REQ(n)	{ .name = (n), .required = 1 }
#define OPT_FLAG(n)	{ .name = (n), .flag = 1 }
#define OPT_END		{ .name = NULL }

static struct cmd cmds[] = {
	{ "db", "migrate", cmd_migrate, { OPT_END } },
	{ "demo", NULL, cmd_demo, { OPT("accounts"), OPT_END } },
	{ "check", NULL, cmd_check, { OPT_END } },
	{ "account", "add", cmd_account_add, { OPT_REQ("region"),
	    OPT_REQ("number"), OPT_REQ("company"), OPT("kind"),
	    OPT("portal"), OPT("country"), OPT_END } },
	{ "user", "add", cmd_user_add, { OPT_REQ("region"),
	    OPT_REQ("account"), OPT_REQ("client-id"), OPT_REQ("name"),
	    OPT_REQ("email"), OPT("role"), OPT_FLAG("main"),
	    OPT_END } },
	{ "corporate-user", "add", cmd_corporate_user_add, {
	    OPT_REQ("region"), OPT_REQ("account"), OPT_REQ("user-id"),
	    OPT_REQ("name"), OPT_REQ("email"), OPT_END } },
	{ "invoice", "add", cmd_invoice_add, { OPT_REQ("region"),
	    OPT_REQ("account"), OPT_REQ("number"), OPT_REQ("issued"),
	    OPT_REQ("total"), OPT("kind"), OPT_FLAG("void"),
	    OPT_END } },
	{ "payment", "add", cmd_payment_add, { OPT_REQ("region"),
	    OPT_REQ("account"), OPT_REQ("amount"), OPT("status"),
	    OPT_END } },
	{ "outbox", "list", cmd_outbox_list, { OPT("region"),
	    OPT_END } },
	{ "outbox", "send", cmd_outbox_send, { OPT_REQ("sendmail"),
	    OPT("region"), OPT_END } },
};

static void
usage(void)
{
	fputs("usage: billgwctl --config FILE db migrate | check |\n"
	    "\tdemo [--accounts N] | outbox list [--region R] |\n"
	    "\toutbox send --sendmail PATH [--region R] |\n"
	    "\taccount add --region R --number DIGITS --company NAME "
	    "[--kind K] [--portal P] [--country CC] |\n"
	    "\tuser add --region R --account DIGITS --client-id ID "
	    "--name NAME --email ADDR [--role ROLE] [--main] < password |\n"
	    "\tcorporate-user add --region R --account DIGITS --user-id ID "
	    "--name NAME --email ADDR < password |\n"
	    "\tinvoice add --region R --account DIGITS --number INV "
	    "--issued YYYY-MM-DD --total AMOUNT [--kind K] [--void] |\n"
	    "\tpayment add --region R --account DIGITS --amount AMOUNT "
	    "[--status S]\n", stderr);
}

/* Fill cmd->opts from argv[0..argc); 0, or -1 after printing why. */
static int
parse_opts(struct cmd *cmd, int argc, char **argv)
{
	struct opt	*o;
	int		 i;

	for (i = 0; i < argc; i++) {
		if (strncmp(argv[i], "--", 2) != 0) {
			ctl_err("unexpected argument: %s", argv[i]);
			return -1;
		}
		for (o = cmd->opts; o->name != NULL; o++)
			if (strcmp(o->name, argv[i] + 2) == 0)
				break;
		if (o->name == NULL) {
			ctl_err("unknown option %s", argv[i]);
			return -1;
		}
		if (o->val != NULL) {
			ctl_err("option %s given twice", argv[i]);
			return -1;
		}
		if (o->flag)
			o->val = "";
		else if (i + 1 == argc) {
			ctl_err("option %s needs a value", argv[i]);
			return -1;
		} else
			o->val = argv[++i];
	}
	for (o = cmd->opts; o->name != NULL; o++)
		if (o->required && o->val == NULL) {
			ctl_err("option --%s is required", o->name);
			return -1;
		}
	return 0;
}

int
main(int argc, char *argv[])
{
	static struct ctl	 c;
	struct cmd		*cmd = NULL;
	char			 err[1024];
	size_t			 i;
	int			 words, rc = CTL_EXIT_USAGE;

	if (argc < 4 || strcmp(argv[1], "--config") != 0) {
		usage();
		return CTL_EXIT_USAGE;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[3], cmds[i].word1) != 0)
			continue;
		if (cmds[i].word2 != NULL && (argc < 5 ||
		    strcmp(argv[4], cmds[i].word2) != 0))
			continue;
		cmd = &cmds[i];
		break;
	}
	if (cmd == NULL) {
		ctl_err("unknown command: %s", argv[3]);
		usage();
		return CTL_EXIT_USAGE;
	}
	words = cmd->word2 != NULL ? 2 : 1;
	if (parse_opts(cmd, argc - 3 - words, argv + 3 + words) == -1)
		return CTL_EXIT_USAGE;
	if (config_load(argv[2], &c.cf, err, sizeof(err)) == -1) {
		ctl_err("%s", err);
		return CTL_EXIT_FAIL;
	}
	if (ident_init() == -1) {
		ctl_err("cannot compile the identifier patterns");
		return CTL_EXIT_FAIL;
	}
	if ((c.dr = dbroute_new(&c.cf)) == NULL) {
		ctl_err("cannot set up the database handles");
		return CTL_EXIT_FAIL;
	}
	rc = cmd->fn(&c, cmd->opts);
	dbroute_free(c.dr);
	directory_free(c.dir);
	return rc;
}
