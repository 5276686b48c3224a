/*
 * What a signed-in billing contact came for (SPEC section 6, seed 003):
 *	GET /api/v1/account				the account summary, JSON
 *	GET /billing-center/, /corporate/, /regional/	the same as a page
 * Both read the session's own region only: two indexed queries
 * (sql/summary.c), then the pure balance computation (regions/balance.c)
 * with today's date in the region's time zone.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "auth/csrf.h"
#include "auth/session.h"
#include "fcgi/answers.h"
#include "fcgi/app.h"
#include "fcgi/page.h"
#include "fcgi/request.h"
#include "fcgi/response.h"
#include "fcgi/scoreboard.h"
#include "regions/balance.h"
#include "regions/config.h"
#include "regions/dbroute.h"
#include "regions/money.h"
#include "sql/summary.h"

struct view {
	const struct region_conf	*rc;
	struct account_summary		*s;
	struct balance			 b;
	char				 due[11];	/* "" when none */
};

/* Large (the invoices): one per worker, reused by every request. */
static struct account_summary	 summary;

/*
 * The last JSON answers of this worker, by account.  An answer holds while
 * its account's version (bumped by triggers on every change to what the
 * summary shows, read with the session check at no extra round trip) and
 * the region's date are the same: no summary query at all then.
 *
 * Behind it is the pool's shared cache (fcgi/answers.h): an answer another
 * worker loaded costs a pread, not a query.
 *
 * CACHE_SETS sets of CACHE_WAYS answers, the least recently used replaced.
 * The set comes from the account id mixed with splitmix64's finalizer: a
 * plain modulo put accounts spaced 1,000 apart into 64 slots of 512, and
 * 400 of them missed every time (measured: 5,576 vs 12,300 req/s).  Eight
 * ways of 1,024 answers: with 400 accounts, about one set in 200 overflows.
 */
#define CACHE_SETS	128
#define CACHE_WAYS	8

static struct cached {
	int		 ri;
	int64_t		 acct, version;
	int32_t		 today;
	uint64_t	 stamp;		/* 0: free; else last use */
	char		*json;
	size_t		 len;
} cache[CACHE_SETS][CACHE_WAYS];
static uint64_t		 cache_clock;

/*
 * The entry of (ri, acct) if this worker keeps one; else NULL, with
 * *victim the entry to fill (an empty one, or the set's least recently
 * used).
 */
static struct cached *
cache_find(int ri, int64_t acct, struct cached **victim)
{
	struct cached	*set;
	uint64_t	 x = (uint64_t)acct ^ ((uint64_t)ri << 56);
	size_t		 i;

	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	set = cache[x % CACHE_SETS];
	*victim = &set[0];
	for (i = 0; i < CACHE_WAYS; i++) {
		if (set[i].stamp != 0 && set[i].ri == ri && set[i].acct == acct)
			return &set[i];
		if (set[i].stamp < (*victim)->stamp)
			*victim = &set[i];
	}
	return NULL;
}

/* Load the session's account; 0, or an HTTP status with resp filled. */
static int
view_load(struct app *app, struct request *req, struct response *resp,
    struct view *v)
{
	int	 ri = req->session_region;

	memset(v, 0, sizeof(*v));
	v->rc = &app->cf->regions[ri];
	v->s = &summary;
	switch (summary_load(dbroute_region(app->db, ri), req->session->acct,
	    v->s)) {
	case DB_OK:
		break;
	case DB_NOTFOUND:
		resp_error(resp, 404, "not_found", "No such account.", NULL);
		return 404;
	case DB_UNAVAILABLE:
		resp_error(resp, 503, "unavailable", "This region is "
		    "unavailable at the moment. Please try again shortly.",
		    NULL);
		resp_header(resp, "Retry-After", "30");
		return 503;
	default:
		resp_error(resp, 500, "internal", "Internal error.", NULL);
		return 500;
	}
	if (balance_compute(v->s->invoices, v->s->ninvoices, v->s->processed,
	    v->s->pending, v->rc->payment_terms_days,
	    day_today(v->rc->timezone, time(NULL)), &v->b) != 0) {
		resp_error(resp, 500, "internal", "Internal error.", NULL);
		return 500;
	}
	if (v->b.has_due_date)
		day_iso(v->b.due_date, v->due, sizeof(v->due));
	return 0;
}

static json_t *
money_json(int64_t minor, const char *currency)
{
	char	 display[64];

	if (money_display(minor, currency, display, sizeof(display)) != 0)
		return NULL;
	return json_pack("{s:I, s:s, s:s}", "minor", (json_int_t)minor,
	    "currency", currency, "display", display);
}

/* Keep body[len] as entry c's answer for the request's account today. */
static void
cache_fill(struct cached *c, const struct request *req, int32_t today,
    const char *body, size_t len)
{
	free(c->json);
	c->stamp = 0;
	if ((c->json = malloc(len)) == NULL)
		return;
	memcpy(c->json, body, len);
	c->len = len;
	c->ri = req->session_region;
	c->acct = req->session->acct;
	c->version = req->account_version;
	c->today = today;
	c->stamp = ++cache_clock;
}

/* Load the account's answer from the database, keep it and share it. */
static void
account_load(struct app *app, struct request *req, struct response *resp,
    struct cached *c, const struct answer_key *k, uint32_t where)
{
	struct view		 v;
	json_t			*msgs, *bal;
	const char		*cur;
	size_t			 i;

	if (view_load(app, req, resp, &v) != 0)
		return;
	atomic_fetch_add(&app->sb->summaries_loaded, 1);
	cur = v.rc->currency;
	if ((msgs = json_array()) == NULL)
		return;
	for (i = 0; i < v.s->nmessages; i++)
		json_array_append_new(msgs, json_pack("{s:s, s:s}",
		    "at", v.s->messages[i].at, "text", v.s->messages[i].text));
	bal = json_pack("{s:o, s:o, s:o, s:b}",
	    "total_due", money_json(v.b.total_due, cur),
	    "pending_payments", money_json(v.b.pending, cur),
	    "due_date", v.due[0] ? json_string(v.due) : json_null(),
	    "past_due", v.b.past_due);
	/* An overpayment shows as a credit; total_due stays 0. */
	if (bal != NULL && v.b.credit > 0)
		json_object_set_new(bal, "credit", money_json(v.b.credit, cur));
	resp_json(resp, 200, json_pack("{s:{s:s, s:s, s:s, s:s, s:s, s:s},"
	    " s:o, s:{s:s, s:s}, s:{s:s, s:s, s:b}, s:o, s:o}",
	    "account", "number", v.s->number, "client_id", v.s->client_id,
	    "company", v.s->company, "region", v.rc->code,
	    "portal", v.s->portal, "kind", v.s->kind,
	    "balance", bal,
	    "information", "billing_cycle", v.s->billing_cycle,
	    "country", v.s->country,
	    "settings", "invoice_delivery", v.s->invoice_delivery,
	    "payment_method", v.s->payment_method, "autopay", v.s->autopay,
	    "messages", msgs,
	    "current_activity", money_json(0, cur)));
	if (resp->status != 200 || resp->body.failed)
		return;
	cache_fill(c, req, k->today, resp->body.data, resp->body.len);
	answers_put(&app->sb->answers, k, resp->body.data, resp->body.len,
	    where);
}

void
api_account(struct app *app, struct request *req, struct response *resp)
{
	struct cached		*c, *slot;
	struct answer_key	 k;
	char			 shared[ANSWERS_SLOT_SIZE];
	enum answer_claim	 claim = CLAIM_NONE;
	uint64_t		 ticket;
	long			 n;
	uint32_t		 where;
	int32_t			 today;
	int			 ri;

	ri = req->session_region;
	today = day_today(app->cf->regions[ri].timezone, time(NULL));
	resp->no_store = 1;
	/* An answer of an older version or date is replaced in its place. */
	if ((c = cache_find(ri, req->session->acct, &slot)) == NULL)
		c = slot;
	else if (c->version == req->account_version && c->today == today) {
		c->stamp = ++cache_clock;
		atomic_fetch_add(&app->sb->summaries_cached, 1);
		resp_body(resp, 200, "application/json", c->json, c->len);
		return;
	}
	/*
	 * Another worker's answer, from the pool's shared cache, or about to
	 * be there: one load for the pool, however many workers miss it.
	 */
	k = (struct answer_key){ .ri = ri, .today = today,
	    .acct = req->session->acct, .version = req->account_version,
	    .generation = atomic_load(&app->me->generation) };
	if ((n = answers_get(&app->sb->answers, &k, shared, sizeof(shared),
	    &where)) < 0 && (claim = answers_claim(&app->sb->answers,
	    &app->sb->claims, &k, &ticket)) == CLAIM_BUSY)
		n = answers_await(&app->sb->answers, &app->sb->claims, &k,
		    shared, sizeof(shared), &where);
	if (n >= 0) {
		atomic_fetch_add(&app->sb->summaries_shared, 1);
		resp_body(resp, 200, "application/json", shared, (size_t)n);
		cache_fill(c, req, today, shared, (size_t)n);
		return;
	}
	account_load(app, req, resp, c, &k, where);
	if (claim == CLAIM_OURS)
		answers_release(&app->sb->answers, &app->sb->claims, &k,
		    ticket);
}

/* --- the portal home pages -------------------------------------------- */

static const struct {
	const char	*path;
	enum session_aud aud;
	const char	*title;
} portals[] = {
	{ "/billing-center/", AUD_BILLING_CENTER, "Billing Center" },
	{ "/corporate/", AUD_CORPORATE, "Corporate Billing Portal" },
	{ "/regional/", AUD_REGIONAL, "Regional Billing Portal" },
};

/* Words for the codes the database keeps. */
static const char *
label(const char *code)
{
	static const char *const words[][2] = {
		{ "month_end", "Month End" }, { "anniversary", "Anniversary" },
		{ "full_detail", "Full Detail" }, { "summary", "Summary" },
		{ "none", "None" }, { "cash_check", "Cash/Check" },
		{ "credit_card", "Credit Card" },
		{ "bank_transfer", "Bank Transfer" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(words[i][0], code) == 0)
			return words[i][1];
	return code;
}

static void
dd(struct buf *b, const char *id, const char *term, const char *value)
{
	buf_puts(b, "<dt>");
	buf_html(b, term);
	buf_puts(b, "</dt><dd");
	if (id != NULL)
		buf_printf(b, " id=\"%s\"", id);
	buf_puts(b, ">");
	buf_html(b, value);
	buf_puts(b, "</dd>\n");
}

static void
section(struct buf *b, const char *id, const char *title)
{
	buf_printf(b, "<section class=\"card\" aria-labelledby=\"%s\">\n"
	    "<h2 id=\"%s\">", id, id);
	buf_html(b, title);
	buf_puts(b, "</h2>\n");
}

static void
render(struct app *app, struct request *req, struct response *resp,
    const struct view *v, const char *title)
{
	struct buf	*b = &resp->body;
	const char	*cur = v->rc->currency;
	char		 total[64], pending[64], credit[64], activity[64];
	char		 csrf[CSRF_TOKEN_LEN + 1];
	size_t		 i;

	money_display(v->b.total_due, cur, total, sizeof(total));
	money_display(v->b.pending, cur, pending, sizeof(pending));
	money_display(v->b.credit, cur, credit, sizeof(credit));
	money_display(0, cur, activity, sizeof(activity));
	csrf_token(app->keys, req->session->jti, csrf);

	page_begin(resp, 200, title, NULL);
	buf_puts(b, "<div class=\"card\">\n<h1>");
	buf_html(b, title);
	buf_puts(b, "</h1>\n<dl>\n");
	dd(b, "account-number", "Account Number", v->s->number);
	dd(b, "company", "Company", v->s->company);
	dd(b, "header-total-due", "Total Amount Due", total);
	buf_puts(b, "</dl>\n<form method=\"post\" action=\"/logout\">"
	    "<input type=\"hidden\" name=\"csrf\" value=\"");
	buf_html(b, csrf);
	buf_puts(b, "\"><button type=\"submit\" class=\"link\">Logout"
	    "</button></form>\n</div>\n");

	section(b, "information", "Account Information");
	buf_puts(b, "<dl>\n");
	dd(b, "billing-cycle", "Billing Cycle", label(v->s->billing_cycle));
	dd(b, "country", "Country", v->s->country);
	buf_puts(b, "</dl>\n</section>\n");

	section(b, "settings", "Account Settings");
	buf_puts(b, "<dl>\n");
	dd(b, "invoice-delivery", "Invoice Delivery",
	    label(v->s->invoice_delivery));
	dd(b, "payment-method", "Payment Method",
	    label(v->s->payment_method));
	dd(b, "autopay", "Autopay", v->s->autopay ? "On" : "Off");
	buf_puts(b, "</dl>\n</section>\n");

	section(b, "payment", "Payment Information");
	buf_puts(b, "<dl>\n");
	dd(b, "total-due", "Total Amount Due", total);
	dd(b, "due-date", "Payment Due", v->due[0] ? v->due : "None");
	if (v->b.past_due)
		dd(b, "past-due", "Status", "Past due");
	dd(b, "pending-payments", "Pending Payments", pending);
	if (v->b.credit > 0)
		dd(b, "credit", "Credit", credit);
	buf_puts(b, "</dl>\n<p class=\"note\">Please note the Total Amount "
	    "Due is only updated once payment is received and processed. "
	    "Questions about your Total Amount Due? Write to <a "
	    "href=\"mailto:");
	buf_html(b, v->rc->billing_email);
	buf_puts(b, "\">");
	buf_html(b, v->rc->billing_email);
	buf_puts(b, "</a>.</p>\n<p class=\"note\">Remit to: ");
	buf_html(b, v->rc->remit_to);
	buf_puts(b, "</p>\n</section>\n");

	section(b, "messages", "Messages");
	if (v->s->nmessages == 0)
		buf_puts(b, "<p>No messages.</p>\n");
	else {
		buf_puts(b, "<ul>\n");
		for (i = 0; i < v->s->nmessages; i++) {
			buf_puts(b, "<li><time datetime=\"");
			buf_html(b, v->s->messages[i].at);
			buf_puts(b, "\">");
			buf_add(b, v->s->messages[i].at, 10);
			buf_puts(b, "</time> ");
			buf_html(b, v->s->messages[i].text);
			buf_puts(b, "</li>\n");
		}
		buf_puts(b, "</ul>\n");
	}
	buf_puts(b, "</section>\n");

	section(b, "activity", "Current Activity");
	buf_puts(b, "<dl>\n");
	dd(b, "current-activity", "Total", activity);
	buf_puts(b, "</dl>\n</section>\n");
	page_end(resp);
}

/* The portal URL of a session's own portal, from its region's config. */
static const char *
portal_url(const struct region_conf *rc, enum session_aud aud)
{
	return aud == AUD_CORPORATE ? rc->corporate_portal_url :
	    aud == AUD_REGIONAL ? rc->regional_portal_url :
	    rc->billing_center_url;
}

void
page_portal(struct app *app, struct request *req, struct response *resp)
{
	struct view	 v;
	size_t		 i;

	for (i = 0; i < sizeof(portals) / sizeof(portals[0]); i++)
		if (strcmp(portals[i].path, req->path) == 0)
			break;
	if (i == sizeof(portals) / sizeof(portals[0])) {
		page_message(resp, 404, "Not Found", "No such page.");
		return;
	}
	/* A session of another portal goes to its own. */
	if (req->session->aud != portals[i].aud) {
		resp_body(resp, 303, "text/html", "", 0);
		resp_header(resp, "Location", portal_url(
		    &app->cf->regions[req->session_region],
		    req->session->aud));
		return;
	}
	if (view_load(app, req, resp, &v) != 0) {
		page_message(resp, resp->status, portals[i].title,
		    resp->status == 503 ? "This region is unavailable at the "
		    "moment. Please try again shortly." :
		    "Your account cannot be shown.");
		return;
	}
	render(app, req, resp, &v, portals[i].title);
}
