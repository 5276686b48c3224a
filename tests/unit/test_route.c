/* fcgi/route.c: the URL table. */
#include "fcgi/route.h"
#include "t.h"

static void
an_unknown_path_is_404(void)
{
	char	 allow[64] = "";
	int	 status = 0;

	CHECK(route_match("GET", "/nope", &status, allow, sizeof(allow))
	    == NULL);
	CHECK(status == 404);
	/* Paths match exactly: no prefix, case or trailing-slash slack. */
	CHECK(route_match("GET", "/healthz/", &status, allow, sizeof(allow))
	    == NULL && status == 404);
	CHECK(route_match("GET", "/HEALTHZ", &status, allow, sizeof(allow))
	    == NULL && status == 404);
	CHECK(route_match("GET", "/health", &status, allow, sizeof(allow))
	    == NULL && status == 404);
}

static void
a_known_path_with_the_wrong_method_is_405_with_allow(void)
{
	char	 allow[64] = "";
	int	 status = 0;

	CHECK(route_match("POST", "/healthz", &status, allow, sizeof(allow))
	    == NULL);
	CHECK(status == 405);
	CHECK_STR(allow, "GET, HEAD");
	CHECK(route_match("BREW", "/status", &status, allow, sizeof(allow))
	    == NULL);
	CHECK(status == 405);
}

static void
every_ops_endpoint_answers_get_and_head(void)
{
	const char	*paths[] = { "/healthz", "/readyz", "/status",
			    "/metrics" };
	char		 allow[64];
	int		 status;
	size_t		 i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		const struct route *rt = route_match("GET", paths[i], &status,
		    allow, sizeof(allow));

		CHECK(rt != NULL && rt->auth == AUTH_NONE);
		CHECK(route_match("HEAD", paths[i], &status, allow,
		    sizeof(allow)) == rt);
	}
}

static void
rows_of_one_path_merge_their_methods(void)
{
	char			 allow[64] = "";
	int			 status = 0;
	const struct route	*post, *del;

	post = route_match("POST", "/api/v1/session", &status, allow,
	    sizeof(allow));
	del = route_match("DELETE", "/api/v1/session", &status, allow,
	    sizeof(allow));
	CHECK(post != NULL && del != NULL && post != del);
	CHECK(post->auth == AUTH_NONE && post->body == BODY_FORM_OR_JSON);
	CHECK(del->auth == AUTH_SESSION);
	CHECK(route_match("GET", "/api/v1/session", &status, allow,
	    sizeof(allow)) == NULL);
	CHECK(status == 405);
	CHECK_STR(allow, "POST, DELETE");
	CHECK(route_match("PUT", "/login", &status, allow, sizeof(allow))
	    == NULL);
	CHECK_STR(allow, "GET, HEAD, POST");
}

static void
signed_in_routes_require_a_session(void)
{
	char	 allow[64];
	int	 status;

	CHECK(route_match("GET", "/api/v1/account", &status, allow,
	    sizeof(allow))->auth == AUTH_SESSION);
	CHECK(route_match("POST", "/logout", &status, allow,
	    sizeof(allow))->auth == AUTH_SESSION);
	CHECK(route_match("POST", "/login", &status, allow,
	    sizeof(allow))->kind == R_PAGE);
	CHECK(route_match("GET", "/api/v1/regions", &status, allow,
	    sizeof(allow))->auth == AUTH_NONE);
}

static void
a_body_of_an_unaccepted_type_is_415(void)
{
	struct route	 form = { M_POST, "/x", AUTH_NONE, BODY_FORM, R_PAGE,
			    NULL };
	struct route	 json = { M_POST, "/x", AUTH_NONE, BODY_JSON, R_API,
			    NULL };
	struct route	 both = { M_POST, "/x", AUTH_NONE, BODY_FORM_OR_JSON,
			    R_API, NULL };

	CHECK(route_check_body(&form, "text/plain", 3) == 415);
	CHECK(route_check_body(&json, "application/x-www-form-urlencoded", 3)
	    == 415);
	CHECK(route_check_body(&both, "multipart/form-data; boundary=x", 3)
	    == 415);
	CHECK(route_check_body(&json, "application/jsonp", 3) == 415);
	CHECK(route_check_body(&json, "", 3) == 415);
	CHECK(route_check_body(&json, "application/json; charset=utf-8", 3)
	    == 0);
	CHECK(route_check_body(&form, "Application/X-WWW-Form-Urlencoded", 3)
	    == 0);
	CHECK(route_check_body(&both, "application/json", 3) == 0);
	/* No body: nothing to refuse. */
	CHECK(route_check_body(&json, "text/plain", 0) == 0);
}

int
main(void)
{
	RUN(an_unknown_path_is_404);
	RUN(a_known_path_with_the_wrong_method_is_405_with_allow);
	RUN(every_ops_endpoint_answers_get_and_head);
	RUN(rows_of_one_path_merge_their_methods);
	RUN(signed_in_routes_require_a_session);
	RUN(a_body_of_an_unaccepted_type_is_415);
	return DONE();
}
