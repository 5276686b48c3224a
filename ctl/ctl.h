/*
 * billgwctl's shared state and helpers (ctl/billgwctl.c, ctl/cmd_*.c,
 * ctl/demo.c).
 */
#ifndef BILLGW_CTL_H
#define BILLGW_CTL_H

#include "regions/config.h"

#define CTL_EXIT_OK	0
#define CTL_EXIT_FAIL	1	/* a runtime failure: database, conflict */
#define CTL_EXIT_USAGE	2	/* bad command line or input */

struct db;
struct dbroute;
struct directory;

struct opt {
	const char	*name;		/* without the leading "--" */
	int		 flag;		/* takes no value */
	int		 required;
	const char	*val;		/* NULL: not given ("" for a flag) */
};

struct ctl {
	struct config		 cf;
	struct dbroute		*dr;
	struct directory	*dir;	/* loaded on first use */
};

/* The directory key and handle; NULL after printing why not. */
struct directory	*ctl_directory(struct ctl *);

/* Print "billgwctl: ..." on stderr. */
void	ctl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Option values of the command line; NULL when absent. */
const char	*opt(struct opt *, const char *name);
const char	*opt_or(struct opt *, const char *name, const char *dflt);

/* Is s one of the words of the NULL-ended list? */
int	one_of(const char *s, const char *const *list);

/* The region index of --region; -1 after printing why not. */
int	region_arg(struct ctl *, struct opt *);

/* The "add" commands (ctl/cmd_add.c); each returns an exit code. */
int	cmd_account_add(struct ctl *, struct opt *);
int	cmd_user_add(struct ctl *, struct opt *);
int	cmd_corporate_user_add(struct ctl *, struct opt *);
int	cmd_invoice_add(struct ctl *, struct opt *);
int	cmd_payment_add(struct ctl *, struct opt *);

/*
 * The outbox commands (ctl/cmd_outbox.c): list the mails; pipe the unsent
 * ones to a sendmail-compatible program.  Each returns an exit code.
 */
int	cmd_outbox_list(struct ctl *, struct opt *);
int	cmd_outbox_send(struct ctl *, struct opt *);

/*
 * The demo data of docs/demo.md in every region, idempotently; then make
 * sure each region has naccounts generated accounts.  Returns an exit code.
 */
int	demo_run(struct ctl *, long naccounts);

#endif /* BILLGW_CTL_H */
