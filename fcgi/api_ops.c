/*
 * Operations endpoints for load balancers and operators (SPEC section 8).
 * nginx lets only local addresses reach /status and /metrics.
 */
#include <stdio.h>
#include <time.h>

#include <jansson.h>

#include "fcgi/app.h"
#include "fcgi/request.h"
#include "fcgi/response.h"
#include "fcgi/scoreboard.h"
#include "regions/config.h"
#include "regions/dbroute.h"
#include "sql/db.h"

/* GET /healthz: the worker runs.  No database is touched. */
void
api_healthz(struct app *app, struct request *req, struct response *resp)
{
	(void)app;
	(void)req;
	resp_body(resp, 200, "application/json", "{\"status\":\"ok\"}\n", 16);
}

/*
 * GET /readyz: each region's database, and the directory's.  One round trip
 * each on a connection already open, a connect otherwise.  503 when no
 * region can be served; a directory outage alone only degrades (sign-ins
 * in the right region still work).
 */
void
api_readyz(struct app *app, struct request *req, struct response *resp)
{
	json_t	*regions, *r;
	size_t	 i;
	int	 up = 0, dir;

	(void)req;
	if ((regions = json_array()) == NULL)
		return;
	for (i = 0; i < app->cf->nregions; i++) {
		const struct region_conf *rc = &app->cf->regions[i];
		int ok = db_ready(dbroute_region(app->db, (int)i)) == DB_OK;

		up += ok;
		r = json_pack("{s:s, s:s, s:s}", "code", rc->code, "name",
		    rc->name, "database", ok ? "up" : "down");
		json_array_append_new(regions, r);
	}
	dir = db_ready(dbroute_directory(app->db)) == DB_OK;
	resp_json(resp, up ? 200 : 503, json_pack("{s:s, s:s, s:o}",
	    "status", up == 0 ? "unavailable" :
	    (size_t)up == app->cf->nregions && dir ? "ready" : "degraded",
	    "directory", dir ? "up" : "down", "regions", regions));
	if (up == 0)
		resp_header(resp, "Retry-After", "5");
}

struct pool_counts {
	unsigned long	 total, idle, active;
};

static struct pool_counts
count_workers(struct scoreboard *sb)
{
	struct pool_counts	 c = { 0, 0, 0 };
	size_t			 i;
	int			 state;

	for (i = 0; i < SB_SLOTS; i++) {
		state = atomic_load(&sb->slot[i].state);
		if (state == SB_EMPTY)
			continue;
		c.total++;
		if (state == SB_IDLE)
			c.idle++;
		else if (state == SB_ACTIVE)
			c.active++;
	}
	return c;
}

/* GET /status: the scoreboard as JSON. */
void
api_status(struct app *app, struct request *req, struct response *resp)
{
	struct scoreboard	*sb = app->sb;
	struct pool_counts	 c = count_workers(sb);
	json_t			*procs, *restarts, *p;
	char			 uri[SB_URI_MAX];
	long long		 now = sb_now_ms();
	size_t			 i;
	int			 state, k;

	(void)req;
	procs = json_array();
	restarts = json_object();
	if (procs == NULL || restarts == NULL) {
		json_decref(procs);
		json_decref(restarts);
		return;
	}
	for (k = 0; k < SB_CAUSE__MAX; k++)
		json_object_set_new(restarts, sb_cause_str(k),
		    json_integer((json_int_t)atomic_load(&sb->restarts[k])));
	for (i = 0; i < SB_SLOTS; i++) {
		struct sb_worker *w = &sb->slot[i];

		if ((state = atomic_load(&w->state)) == SB_EMPTY)
			continue;
		sb_read_uri(w, uri, sizeof(uri));
		p = json_pack("{s:i, s:s, s:s, s:i, s:I, s:I}",
		    "pid", atomic_load(&w->pid),
		    "state", sb_state_str(state),
		    "lane", sb_lane_str(atomic_load(&w->lane)),
		    "generation", atomic_load(&w->generation),
		    "requests", (json_int_t)atomic_load(&w->requests),
		    "age_ms", (json_int_t)(now - atomic_load(&w->since_ms)));
		json_object_set_new(p, "uri", state == SB_ACTIVE ?
		    json_string(uri) : json_null());
		json_array_append_new(procs, p);
	}
	resp->no_store = 1;
	resp_json(resp, 200, json_pack("{s:i, s:i, s:I, s:{s:I, s:I, s:I, s:i, s:i},"
	    " s:I, s:I, s:o, s:I, s:o}",
	    "pid", (int)sb->master,
	    "generation", atomic_load(&sb->generation),
	    "uptime_s", (json_int_t)(time(NULL) - sb->started),
	    "workers", "total", (json_int_t)c.total,
	    "idle", (json_int_t)c.idle, "active", (json_int_t)c.active,
	    "configured", atomic_load(&sb->workers),
	    "signin_configured", atomic_load(&sb->signin_workers),
	    "accepted", (json_int_t)atomic_load(&sb->accepted),
	    "slow_requests", (json_int_t)atomic_load(&sb->slow),
	    "restarts", restarts,
	    "throttled_spawns", (json_int_t)atomic_load(&sb->throttled),
	    "processes", procs));
}

/* GET /metrics: the same in Prometheus text exposition format 0.0.4. */
void
api_metrics(struct app *app, struct request *req, struct response *resp)
{
	struct scoreboard	*sb = app->sb;
	struct pool_counts	 c = count_workers(sb);
	struct buf		*b = &resp->body;
	size_t			 i;
	int			 k, state;

	(void)req;
	buf_puts(b, "# HELP billgw_workers Worker processes by state.\n"
	    "# TYPE billgw_workers gauge\n");
	buf_printf(b, "billgw_workers{state=\"idle\"} %lu\n"
	    "billgw_workers{state=\"active\"} %lu\n"
	    "billgw_workers{state=\"other\"} %lu\n",
	    c.idle, c.active, c.total - c.idle - c.active);
	buf_printf(b, "# HELP billgw_workers_configured Configured pool "
	    "size.\n# TYPE billgw_workers_configured gauge\n"
	    "billgw_workers_configured %d\n", atomic_load(&sb->workers));
	buf_printf(b, "# HELP billgw_accepted_requests_total Requests "
	    "accepted by the pool.\n"
	    "# TYPE billgw_accepted_requests_total counter\n"
	    "billgw_accepted_requests_total %lu\n",
	    atomic_load(&sb->accepted));
	buf_printf(b, "# HELP billgw_slow_requests_total Requests slower "
	    "than slow_request_ms.\n"
	    "# TYPE billgw_slow_requests_total counter\n"
	    "billgw_slow_requests_total %lu\n", atomic_load(&sb->slow));
	buf_puts(b, "# HELP billgw_restarts_total Workers replaced, by "
	    "cause.\n# TYPE billgw_restarts_total counter\n");
	for (k = 0; k < SB_CAUSE__MAX; k++)
		buf_printf(b, "billgw_restarts_total{cause=\"%s\"} %lu\n",
		    sb_cause_str(k), atomic_load(&sb->restarts[k]));
	buf_printf(b, "# HELP billgw_throttled_spawns_total Respawns "
	    "delayed by the crash throttle.\n"
	    "# TYPE billgw_throttled_spawns_total counter\n"
	    "billgw_throttled_spawns_total %lu\n",
	    atomic_load(&sb->throttled));
	buf_printf(b, "# HELP billgw_account_summaries_total Answers of "
	    "GET /api/v1/account, by where the summary came from.\n"
	    "# TYPE billgw_account_summaries_total counter\n"
	    "billgw_account_summaries_total{source=\"cache\"} %lu\n"
	    "billgw_account_summaries_total{source=\"shared\"} %lu\n"
	    "billgw_account_summaries_total{source=\"database\"} %lu\n",
	    atomic_load(&sb->summaries_cached),
	    atomic_load(&sb->summaries_shared),
	    atomic_load(&sb->summaries_loaded));
	buf_printf(b, "# HELP billgw_token_checks_total Session tokens "
	    "accepted, by where their check came from.\n"
	    "# TYPE billgw_token_checks_total counter\n"
	    "billgw_token_checks_total{source=\"memo\"} %lu\n"
	    "billgw_token_checks_total{source=\"shared\"} %lu\n"
	    "billgw_token_checks_total{source=\"verified\"} %lu\n",
	    atomic_load(&sb->tokens[SESSION_SRC_MEMO]),
	    atomic_load(&sb->tokens[SESSION_SRC_SHARED]),
	    atomic_load(&sb->tokens[SESSION_SRC_VERIFIED]));
	buf_puts(b, "# HELP billgw_worker_requests Requests served by each "
	    "worker.\n# TYPE billgw_worker_requests gauge\n");
	for (i = 0; i < SB_SLOTS; i++) {
		state = atomic_load(&sb->slot[i].state);
		if (state == SB_EMPTY)
			continue;
		buf_printf(b, "billgw_worker_requests{pid=\"%d\",state=\"%s\","
		    "lane=\"%s\"} %lu\n", atomic_load(&sb->slot[i].pid),
		    sb_state_str(state),
		    sb_lane_str(atomic_load(&sb->slot[i].lane)),
		    atomic_load(&sb->slot[i].requests));
	}
	resp->status = 200;
	resp->content_type = "text/plain; version=0.0.4";
	resp->no_store = 1;
}
