/*
 * The portal decision (SPEC section 4, step 4) as one pure function: who
 * goes where once the password is verified.  No database, no clock.
 */
#ifndef BILLGW_PORTAL_H
#define BILLGW_PORTAL_H

struct config;

enum entry {			/* where the user signed in */
	ENTRY_BILLING_CENTER,	/* /login, portal "billing_center" */
	ENTRY_CORPORATE		/* /corporate/login, portal "corporate" */
};

enum outcome {
	OUTCOME_SIGNED_IN,
	OUTCOME_WRONG_PLACE,
	OUTCOME_WRONG_REGION
};

enum portal {
	PORTAL_BILLING_CENTER,
	PORTAL_CORPORATE,
	PORTAL_REGIONAL
};

enum reason {
	REASON_NONE,
	REASON_NOT_BILLING_CONTACT,
	REASON_CORPORATE_ACCOUNT
};

struct portal_input {
	enum entry	 entry;
	int		 chosen_region;	/* index in cf->regions */
	int		 home_region;	/* index in cf->regions */
	int		 billing_contact; /* role super_admin or view_pay, or a
					    corporate User ID */
	int		 corporate_account;	/* accounts.kind = corporate */
	int		 regional_portal;	/* accounts.portal = regional */
	int		 corporate_user_id;	/* signed in by corporate User ID */
};

struct portal_decision {
	enum outcome	 outcome;
	enum reason	 reason;	/* with OUTCOME_WRONG_PLACE */
	enum portal	 portal;	/* the portal the session is for */
	int		 status;	/* 200 or 403 */
	int		 region;	/* the region whose URL was taken */
	char		 location[300];	/* from the configuration only */
};

/*
 * Decide, row by row in the SPEC's order (the first that matches wins):
 * not a billing contact; corporate account at the Billing Center; home
 * region differs; regional portal; corporate User ID at the corporate
 * portal; otherwise the Billing Center.  Returns 0, or -1 when an index
 * is out of range.
 */
int	portal_decide(const struct config *, const struct portal_input *,
	    struct portal_decision *);

const char	*outcome_str(enum outcome);
const char	*portal_str(enum portal);
const char	*reason_str(enum reason);

#endif /* BILLGW_PORTAL_H */
