/*
 * The portal decision table of SPEC section 4, step 4.  See portal.h.
 *
 * Every URL comes from the configuration of the account's home region:
 * the home region's data decides (SPEC section 4), and nothing of the
 * request ever reaches a location.
 */
#include <stdio.h>
#include <string.h>

#include "regions/config.h"
#include "regions/portal.h"

/*
 * Copy url into d->location, with "login" appended when login is set:
 * the corporate portal's login page.  The configured URLs end with "/";
 * one that does not gets "/login", never "xlogin".  The location is 300
 * bytes, a URL at most CONFIG_URL_MAX - 1 = 255: it always fits.
 */
static void
set_location(struct portal_decision *d, const char *url, int login)
{
	size_t	 len = strlen(url);

	if (!login)
		(void)snprintf(d->location, sizeof(d->location), "%s", url);
	else
		(void)snprintf(d->location, sizeof(d->location), "%s%s", url,
		    len > 0 && url[len - 1] == '/' ? "login" : "/login");
}

/*
 * The portal a session of this account is for, and its URL in region h:
 * rows 4 to 6 of the table, which the wrong-region row (3) reuses so that
 * the redirect leads to where a sign-in in the home region would.
 */
static void
home_portal(const struct region_conf *h, const struct portal_input *in,
    struct portal_decision *d)
{
	if (in->regional_portal) {
		d->portal = PORTAL_REGIONAL;
		set_location(d, h->regional_portal_url, 0);
	} else if (in->corporate_user_id && in->entry == ENTRY_CORPORATE) {
		d->portal = PORTAL_CORPORATE;
		set_location(d, h->corporate_portal_url, 0);
	} else {
		d->portal = PORTAL_BILLING_CENTER;
		set_location(d, h->billing_center_url, 0);
	}
}

/*
 * SPEC section 4's table, first match wins.  For OUTCOME_WRONG_PLACE no
 * session is issued; d->portal is then the portal of the entry (where the
 * user tried to sign in), for the audit and the page, nothing more.
 */
int
portal_decide(const struct config *cf, const struct portal_input *in,
    struct portal_decision *d)
{
	const struct region_conf	*h;

	memset(d, 0, sizeof(*d));
	if (in->home_region < 0 || (size_t)in->home_region >= cf->nregions ||
	    in->chosen_region < 0 ||
	    (size_t)in->chosen_region >= cf->nregions)
		return -1;
	h = &cf->regions[in->home_region];
	d->region = in->home_region;
	d->reason = REASON_NONE;
	d->portal = in->entry == ENTRY_CORPORATE ? PORTAL_CORPORATE :
	    PORTAL_BILLING_CENTER;

	if (!in->billing_contact) {
		d->outcome = OUTCOME_WRONG_PLACE;
		d->reason = REASON_NOT_BILLING_CONTACT;
		d->status = 403;
		set_location(d, h->profile_url, 0);
	} else if (in->corporate_account && in->entry == ENTRY_BILLING_CENTER) {
		d->outcome = OUTCOME_WRONG_PLACE;
		d->reason = REASON_CORPORATE_ACCOUNT;
		d->status = 403;
		set_location(d, h->corporate_portal_url, 1);
	} else if (in->home_region != in->chosen_region) {
		d->outcome = OUTCOME_WRONG_REGION;
		d->status = 200;
		home_portal(h, in, d);
	} else {
		d->outcome = OUTCOME_SIGNED_IN;
		d->status = 200;
		home_portal(h, in, d);
	}
	return 0;
}

const char *
outcome_str(enum outcome o)
{
	switch (o) {
	case OUTCOME_SIGNED_IN:
		return "signed_in";
	case OUTCOME_WRONG_PLACE:
		return "wrong_place";
	case OUTCOME_WRONG_REGION:
		return "wrong_region";
	}
	return "unknown";
}

const char *
portal_str(enum portal p)
{
	switch (p) {
	case PORTAL_BILLING_CENTER:
		return "billing_center";
	case PORTAL_CORPORATE:
		return "corporate";
	case PORTAL_REGIONAL:
		return "regional";
	}
	return "unknown";
}

/* "none" for REASON_NONE: the JSON answer leaves "reason" out then. */
const char *
reason_str(enum reason r)
{
	switch (r) {
	case REASON_NONE:
		return "none";
	case REASON_NOT_BILLING_CONTACT:
		return "not_billing_contact";
	case REASON_CORPORATE_ACCOUNT:
		return "corporate_account";
	}
	return "unknown";
}
