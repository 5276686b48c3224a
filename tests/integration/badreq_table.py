"""The bad-request table (issue 6, item 3): hostile requests through nginx
and what the stack must answer.  test_badreq.py sends every row and checks
it; this file is only data.

A row is made with row(name, method, path, status, ...):

    name      unique; every failure message starts with it
    method    the request method as sent (bytes or str, anything goes)
    path      the request target as sent, unencoded by us
    status    the expected HTTP status; always a 4xx (a 5xx fails any row)
    code      error.code of billgw's JSON envelope (also nginx's own JSON
              error pages: bad_request, forbidden, body_too_large)
    field     error.field: a name, or None when the envelope must have none;
              not checked when left out
    kind      "json" (the JSON envelope), "html" (an HTML page: the form
              routes answer with pages), "nginx" (nginx's own page: status
              only), "empty" (HEAD: no body)
    headers   a list of (name, value) sent in this order (duplicates too)
    body      bytes or str; a Content-Length is added unless the headers
              carry one or a Transfer-Encoding, or cl=False
    raw       the whole request as bytes instead (request-line tricks)
    allow     the expected Allow header (405)
    source    the local address to connect from (127.0.0.2: not local to
              nginx's allow/deny rules)
    csrf      first GET /login and send its CSRF cookie; {CSRF} in the body
              becomes its form token
    contains  a text the answer's body must contain
    bug       why this row fails today: a real defect, reported to the
              lead; the row asserts the right behaviour

Placeholders, replaced in path, headers, body and raw before sending:

    {PW}    the suite's marker password (never in any log, table or file)
    {TOK}   the marker session token: HS256, the stack's kid, plausible
            claims, signed with a key the stack does not have
    {STOK}  the marker session token signed with the stack's real key, for
            a real user but a session version that is not the user's
    {NONE}  the marker claims with "alg": "none" and no signature
    {RTOK}  the marker password-reset token ("us." + 43 base64url)
    {ACCT}  the client ID of a real account (made by the suite; its
            password is not {PW})
    {UNK}   an identifier no account has, different in every row (so the
            per-identifier lock never trips)
    {CSRF}  see csrf above
"""

JSON = ("Content-Type", "application/json")
FORM = ("Content-Type", "application/x-www-form-urlencoded")
UNSET = object()

SESSION = "/api/v1/session"
RESET = "/api/v1/password-reset"
CONFIRM = "/api/v1/password-reset/confirm"
ACCOUNT = "/api/v1/account"
COOKIE = "__Host-billgw_session"

BIG = 17 * 1024

# The same root cause for every "bug_uri" row: conf/nginx.conf.in sends
# nginx's 400 to a *named* location (error_page 400 = @bad_request), and a
# 400 raised while nginx reads the request line has no URI yet, so nginx
# logs "empty URI in redirect to named location" and answers 500 instead.
BUG_URI = ("nginx answers 500, not 400: error_page 400 = @bad_request "
           "cannot redirect a request whose request line was refused "
           "(nginx-error.log: \"empty URI in redirect to named location\")")
BUG_TRACE = ("nginx refuses TRACE itself: 405 without Allow and with its "
             "own HTML page, not billgw's 405 with Allow (SPEC section 9)")


def row(name, method, path, status, code=UNSET, field=UNSET, kind="json",
        headers=(), body=b"", raw=None, allow=None, source=None, csrf=False,
        contains=None, cl=True, bug=None):
    return {"name": name, "method": method, "path": path, "status": status,
            "code": code, "field": field, "kind": kind,
            "headers": list(headers), "body": body, "raw": raw,
            "allow": allow, "source": source, "csrf": csrf,
            "contains": contains, "cl": cl, "bug": bug}


def deep(n, open_=b"[", close=b"]"):
    return open_ * n + close * n


def line(request_line, *headers):
    """A whole request with request_line as given (bytes)."""
    out = request_line + b"\r\nHost: localhost\r\nConnection: close\r\n"
    for h in headers:
        out += h + b"\r\n"
    return out + b"\r\n"


def sign_in(**fields):
    """A JSON sign-in body with these fields, in this order (values are
    inserted verbatim: they are JSON texts)."""
    return ("{" + ", ".join(f'"{k}": {v}' for k, v in fields.items())
            + "}").encode()


def s(text):
    """A JSON string literal of text (placeholders stay placeholders)."""
    return '"' + text + '"'


ROWS = [
    # --- paths -------------------------------------------------------------
    row("path-unknown", "GET", "/nope", 404, "not_found", None),
    row("path-unknown-under-api", "GET", "/api/v1/nope", 404, "not_found",
        None),
    row("path-dotdot-normalised-by-nginx", "GET", "/api/v1/../healthz", 404,
        "not_found", None),
    row("path-dotdot-above-the-root", "GET", "/../../etc/passwd", 400,
        "bad_request", None, bug=BUG_URI),
    row("path-encoded-dotdot-above-the-root", "GET", "/%2e%2e/healthz", 400,
        "bad_request", None, bug=BUG_URI),
    row("path-encoded-slashes-route-decoded", "GET", "/api%2fv1%2faccount",
        401, "unauthorized", None),
    row("path-encoded-traversal-to-status-from-afar", "GET",
        "/api/v1/..%2f..%2fstatus", 403, "forbidden", None,
        source="127.0.0.2"),
    row("path-encoded-status-from-afar", "GET", "/%73tatus", 403,
        "forbidden", None, source="127.0.0.2"),
    row("path-double-slash-metrics-from-afar", "GET", "//metrics", 403,
        "forbidden", None, source="127.0.0.2"),
    row("path-3000-bytes", "GET", "/" + "a" * 3000, 400, "bad_request",
        "path"),
    row("path-9000-bytes", "GET", "/" + "a" * 9000, 414, kind="nginx"),
    row("path-nul", "GET", "/healthz%00", 400, "bad_request", None,
        bug=BUG_URI),
    row("path-nul-on-signin", "POST", "/api/v1/session%00", 400,
        "bad_request", None, headers=[JSON],
        body=sign_in(region=s("us"), identifier=s("{UNK}"),
                     password=s("{PW}")), bug=BUG_URI),
    row("path-trailing-slash-healthz", "GET", "/healthz/", 404,
        "not_found", None),
    row("path-trailing-slash-account", "GET", "/api/v1/account/", 404,
        "not_found", None),
    row("path-trailing-slash-session-post", "POST", "/api/v1/session/",
        404, "not_found", None, headers=[JSON],
        body=sign_in(region=s("us"), identifier=s("{UNK}"),
                     password=s("{PW}"))),
    row("path-portal-without-trailing-slash", "GET", "/billing-center",
        404, "not_found", None),
    row("path-upper-case", "GET", "/HEALTHZ", 404, "not_found", None),
    row("path-double-slash-merged", "GET", "//api/v1/account", 401,
        "unauthorized", None),
    row("path-dot-segment-normalised", "GET", "/api/v1/./account", 401,
        "unauthorized", None),
    row("path-matrix-parameter", "GET", "/api/v1/account;jsessionid=x",
        404, "not_found", None),

    # --- methods -----------------------------------------------------------
    row("method-put-session", "PUT", SESSION, 405, "method_not_allowed",
        None, allow="POST, DELETE", headers=[JSON],
        body=sign_in(region=s("us"), identifier=s("{UNK}"),
                     password=s("{PW}"))),
    row("method-patch-account", "PATCH", ACCOUNT, 405, "method_not_allowed",
        None, allow="GET, HEAD"),
    row("method-delete-login", "DELETE", "/login", 405,
        "method_not_allowed", None, allow="GET, HEAD, POST"),
    row("method-options-session", "OPTIONS", SESSION, 405,
        "method_not_allowed", None, allow="POST, DELETE"),
    row("method-options-reset", "OPTIONS", RESET, 405,
        "method_not_allowed", None, allow="POST"),
    row("method-put-confirm", "PUT", CONFIRM, 405, "method_not_allowed",
        None, allow="POST", headers=[JSON],
        body=b'{"token": "{RTOK}", "password": "{PW}"}'),
    row("method-trace-account", "TRACE", ACCOUNT, 405, "method_not_allowed",
        None, allow="GET, HEAD", bug=BUG_TRACE),
    row("method-trace-session", "TRACE", SESSION, 405, "method_not_allowed",
        None, allow="POST, DELETE", bug=BUG_TRACE),
    row("method-unknown-foo", "FOO", ACCOUNT, 405, "method_not_allowed",
        None, allow="GET, HEAD"),
    row("method-unknown-propfind", "PROPFIND", "/healthz", 405,
        "method_not_allowed", None, allow="GET, HEAD"),
    row("method-lower-case-get", "get", "/healthz", 400, "bad_request",
        None, bug=BUG_URI),
    row("method-head-session", "HEAD", SESSION, 405, kind="empty",
        allow="POST, DELETE"),

    # --- headers -----------------------------------------------------------
    row("header-9000-bytes", "GET", "/healthz", 400, kind="nginx",
        headers=[("X-Big", "a" * 9000)]),
    row("header-5-of-7000-bytes", "GET", "/healthz", 400, kind="nginx",
        headers=[(f"X-Big-{i}", "a" * 7000) for i in range(5)]),
    row("header-content-length-not-a-number", "POST", SESSION, 400,
        "bad_request", None, headers=[JSON, ("Content-Length", "abc")],
        body=b"{}", cl=False),
    row("header-content-length-negative", "POST", SESSION, 400,
        "bad_request", None, headers=[JSON, ("Content-Length", "-1")],
        body=b"{}", cl=False),
    row("header-content-length-twice-differing", "POST", SESSION, 400,
        "bad_request", None, headers=[JSON, ("Content-Length", "2"),
                                      ("Content-Length", "3")],
        body=b"{}", cl=False),
    row("header-content-length-23-digits", "POST", SESSION, 400,
        "bad_request", None,
        headers=[JSON, ("Content-Length", "9" * 23)], body=b"{}",
        cl=False),
    row("header-content-length-plus-sign", "POST", SESSION, 400,
        "bad_request", None, headers=[JSON, ("Content-Length", "+2")],
        body=b"{}", cl=False),
    row("header-transfer-encoding-and-content-length", "POST", SESSION,
        400, "bad_request", None,
        headers=[JSON, ("Transfer-Encoding", "chunked"),
                 ("Content-Length", "2")],
        body=b"2\r\n{}\r\n0\r\n\r\n"),
    row("header-transfer-encoding-twice", "POST", SESSION, 400,
        "bad_request", None,
        headers=[JSON, ("Transfer-Encoding", "chunked"),
                 ("Transfer-Encoding", "chunked")],
        body=b"2\r\n{}\r\n0\r\n\r\n"),
    row("header-chunk-size-not-hex", "POST", SESSION, 400, "bad_request",
        None, headers=[JSON, ("Transfer-Encoding", "chunked")],
        body=b"zz\r\n{}\r\n0\r\n\r\n"),
    row("header-chunk-size-overflows", "POST", SESSION, 400, "bad_request",
        None, headers=[JSON, ("Transfer-Encoding", "chunked")],
        body=b"fffffffffffffffffff\r\n{}\r\n0\r\n\r\n"),
    row("header-chunked-17-KiB", "POST", SESSION, 413, "body_too_large",
        None, headers=[JSON, ("Transfer-Encoding", "chunked")],
        body=b"4400\r\n" + b"a" * 0x4400 + b"\r\n0\r\n\r\n"),
    row("header-chunked-in-http-1.0", "POST", SESSION, 400, "bad_request",
        None, raw=b"POST /api/v1/session HTTP/1.0\r\nHost: localhost\r\n"
        b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
        b"\r\n2\r\n{}\r\n0\r\n\r\n"),
    # nginx passes the first Content-Type on, and billgw reads that one.
    row("header-content-type-twice-text-first", "POST", SESSION, 415,
        "unsupported_media_type", None,
        headers=[("Content-Type", "text/plain"), JSON],
        body=sign_in(region=s("us"), identifier=s("{UNK}"),
                     password=s("{PW}"))),
    row("header-content-type-twice-json-first", "POST", SESSION, 401,
        "invalid_credentials", None,
        headers=[JSON, ("Content-Type", "text/plain")],
        body=sign_in(region=s("us"), identifier=s("{UNK}"),
                     password=s("{PW}"))),
    row("header-no-host-in-http-1.1", "GET", "/healthz", 400,
        "bad_request", None,
        raw=b"GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n"),
    row("header-host-twice", "GET", "/healthz", 400, "bad_request", None,
        raw=line(b"GET /healthz HTTP/1.1", b"Host: other")),
    row("header-nul-in-a-value", "GET", "/healthz", 400, "bad_request",
        None, raw=line(b"GET /healthz HTTP/1.1", b"X-A: b\x00c")),
    row("header-line-without-colon", "GET", "/healthz", 400,
        "bad_request", None, raw=line(b"GET /healthz HTTP/1.1", b"X-A b")),
    row("header-obs-fold", "GET", "/healthz", 400, "bad_request", None,
        raw=line(b"GET /healthz HTTP/1.1", b"X-A: b", b" folded")),
    row("header-control-byte-in-authorization", "GET", ACCOUNT, 400,
        "bad_request", "header",
        raw=line(b"GET /api/v1/account HTTP/1.1",
                 b"Authorization: Bearer \x01{TOK}")),
    row("header-authorization-twice", "GET", ACCOUNT, 400, "bad_request",
        None, headers=[("Authorization", "Bearer {TOK}"),
                       ("Authorization", "Bearer {STOK}")]),
    row("header-request-line-extra-token", "GET", "/healthz", 400,
        "bad_request", None,
        raw=line(b"GET /healthz HTTP/1.1 extra"), bug=BUG_URI),

    # --- query strings -----------------------------------------------------
    row("query-percent-not-hex", "GET", "/login?x=%ZZ", 400, "bad_request",
        "x"),
    row("query-percent-at-the-end", "GET", "/login?x=%", 400,
        "bad_request", "x"),
    row("query-percent-one-digit", "GET", "/api/v1/regions?x=%4", 400,
        "bad_request", "x"),
    row("query-repeated-reset-token", "GET",
        "/corporate/reset?token={RTOK}&token=us.other", 400, kind="html"),
    row("query-too-many-fields", "GET", "/login?" + "a=&" * 40, 400,
        "bad_request", "query"),
    row("query-6000-bytes", "GET", "/login?q=" + "a" * 6000, 400,
        "bad_request", "query"),
    row("query-9000-bytes", "GET", "/login?q=" + "a" * 9000, 414,
        kind="nginx"),
    row("query-encoded-nul", "GET", "/healthz?q=%00", 400, "bad_request",
        "q"),
    row("query-encoded-crlf-header-injection", "GET",
        "/healthz?q=%0d%0aSet-Cookie:%20x=1", 400, "bad_request", "q"),
    row("query-encoded-control-byte", "GET", "/healthz?q=%01", 400,
        "bad_request", "q"),
    row("query-raw-control-byte", "GET", "/healthz?q=\x01", 400,
        "bad_request", None, bug=BUG_URI),
    row("query-raw-del", "GET", "/healthz?q=\x7f", 400, "bad_request",
        None, bug=BUG_URI),
    # The same nginx defect, and its error-log line holds the request line
    # with its query: the reset token below ends up in nginx-error.log.
    row("query-reset-token-then-a-raw-control-byte", "GET",
        "/corporate/reset?token={RTOK}&x=\x01", 400, "bad_request", None,
        bug=BUG_URI + "; and the line logs the query (the reset token)"),
    row("query-invalid-utf8", "GET", "/healthz?q=%FF", 400, "bad_request",
        "q"),
    row("query-overlong-utf8", "GET", "/healthz?q=%C0%AF", 400,
        "bad_request", "q"),
    row("query-lone-surrogate-utf8", "GET", "/healthz?q=%ED%A0%80", 400,
        "bad_request", "q"),
    row("query-empty-key", "GET", "/healthz?=1", 400, "bad_request",
        "query"),
    row("query-bracket-key", "GET", "/healthz?a[b]=1", 400, "bad_request",
        "query"),
    row("query-marker-token-as-access-token", "GET",
        ACCOUNT + "?access_token={TOK}", 401, "unauthorized", None),

    # --- JSON sign-in bodies -----------------------------------------------
    row("session-json-region-a-number", "POST", SESSION, 400,
        "bad_request", "region", headers=[JSON],
        body=sign_in(region="1", identifier=s("{UNK}"),
                     password=s("{PW}"))),
    row("session-json-identifier-an-array", "POST", SESSION, 400,
        "bad_request", "identifier", headers=[JSON],
        body=sign_in(region=s("us"), identifier='["{UNK}"]',
                     password=s("{PW}"))),
    row("session-json-password-null", "POST", SESSION, 400, "bad_request",
        "password", headers=[JSON],
        body=sign_in(region=s("us"), identifier=s("{UNK}"),
                     password="null")),
    row("session-json-password-an-object", "POST", SESSION, 400,
        "bad_request", "password", headers=[JSON],
        body=sign_in(region=s("us"), identifier=s("{UNK}"),
                     password='{"value": "{PW}"}')),
    row("session-json-password-true", "POST", SESSION, 400, "bad_request",
        "password", headers=[JSON],
        body=sign_in(region=s("us"), identifier=s("{UNK}"),
                     password="true")),
    row("session-json-top-level-array", "POST", SESSION, 400,
        "bad_request", "body", headers=[JSON],
        body=b'[{"region": "us", "identifier": "{UNK}", '
             b'"password": "{PW}"}]'),
    row("session-json-top-level-string", "POST", SESSION, 400,
        "bad_request", "body", headers=[JSON], body=b'"{PW}"'),
    row("session-json-duplicate-password", "POST", SESSION, 400,
        "bad_request", "body", headers=[JSON],
        body=b'{"region": "us", "identifier": "{UNK}", "password": "{PW}",'
             b' "password": "{PW}2"}'),
    row("session-json-nested-10000-deep", "POST", SESSION, 413,
        "body_too_large", None, headers=[JSON], body=deep(10000)),
    row("session-json-nested-8000-deep", "POST", SESSION, 400,
        "bad_request", "body", headers=[JSON], body=deep(8000)),
    row("session-json-objects-2700-deep", "POST", SESSION, 400,
        "bad_request", "body", headers=[JSON],
        body=b'{"a":' * 2700 + b"1" + b"}" * 2700),
    row("session-json-16000-unclosed-brackets", "POST", SESSION, 400,
        "bad_request", "body", headers=[JSON], body=b"[" * 16000),
    row("session-json-utf8-bom", "POST", SESSION, 400, "bad_request",
        "body", headers=[JSON],
        body=b"\xef\xbb\xbf" + sign_in(region=s("us"),
                                       identifier=s("{UNK}"),
                                       password=s("{PW}"))),
    row("session-json-lone-surrogate-escape", "POST", SESSION, 400,
        "bad_request", "body", headers=[JSON],
        body=sign_in(region=s("us"), identifier=s("{UNK}"),
                     password=s("{PW}\\ud800"))),
    row("session-json-overlong-utf8", "POST", SESSION, 400, "bad_request",
        "body", headers=[JSON],
        body=b'{"region": "us", "identifier": "ab\xc0\xafcd", '
             b'"password": "{PW}"}'),
    row("session-json-invalid-utf8", "POST", SESSION, 400, "bad_request",
        "body", headers=[JSON],
        body=b'{"region": "us", "identifier": "{UNK}", '
             b'"password": "{PW}\xff\xfe"}'),
    row("session-json-nul-escape-in-identifier", "POST", SESSION, 400,
        "bad_request", "identifier", headers=[JSON],
        body=sign_in(region=s("us"), identifier=s("ab\\u0000cd"),
                     password=s("{PW}"))),
    row("session-json-nul-escape-in-password", "POST", SESSION, 400,
        "bad_request", "password", headers=[JSON],
        body=sign_in(region=s("us"), identifier=s("{UNK}"),
                     password=s("{PW}\\u0000"))),
    row("session-json-unknown-field", "POST", SESSION, 400, "bad_request",
        "admin", headers=[JSON],
        body=sign_in(region=s("us"), identifier=s("{UNK}"),
                     password=s("{PW}"), admin=s("1"))),
    row("session-json-unknown-field-odd-name", "POST", SESSION, 400,
        "bad_request", "body", headers=[JSON],
        body=sign_in(region=s("us"), identifier=s("{UNK}"),
                     password=s("{PW}"), **{"Pass Word!": s("{PW}")})),
    row("session-json-marker-token-as-a-field", "POST", SESSION, 400,
        "bad_request", "token", headers=[JSON],
        body=sign_in(region=s("us"), identifier=s("{UNK}"),
                     password=s("{PW}"), token=s("{TOK}"))),
    row("session-json-identifier-16000-bytes", "POST", SESSION, 400,
        "bad_request", "identifier", headers=[JSON],
        body=sign_in(region=s("us"), identifier=s("a" * 16000),
                     password=s("{PW}"))),
    row("session-json-password-over-128-bytes", "POST", SESSION, 400,
        "bad_request", "password", headers=[JSON],
        body=sign_in(region=s("us"), identifier=s("{UNK}"),
                     password=s("{PW}" + "x" * 128))),
    row("session-json-identifier-with-newline", "POST", SESSION, 400,
        "bad_request", "identifier", headers=[JSON],
        body=sign_in(region=s("us"), identifier=s("ab\\ncd"),
                     password=s("{PW}"))),
    row("session-json-region-not-configured", "POST", SESSION, 400,
        "bad_request", "region", headers=[JSON],
        body=sign_in(region=s("zz"), identifier=s("{UNK}"),
                     password=s("{PW}"))),
    row("session-json-portal-unknown", "POST", SESSION, 400, "bad_request",
        "portal", headers=[JSON],
        body=sign_in(region=s("us"), identifier=s("{UNK}"),
                     password=s("{PW}"), portal=s("admin"))),
    row("session-json-huge-number", "POST", SESSION, 400, "bad_request",
        "body", headers=[JSON], body=b'{"region": 1e999999}'),
    row("session-json-truncated", "POST", SESSION, 400, "bad_request",
        "body", headers=[JSON],
        body=sign_in(region=s("us"), identifier=s("{UNK}"),
                     password=s("{PW}"))[:-1]),
    row("session-json-trailing-garbage", "POST", SESSION, 400,
        "bad_request", "body", headers=[JSON],
        body=sign_in(region=s("us"), identifier=s("{UNK}"),
                     password=s("{PW}")) + b"garbage"),
    row("session-json-empty-body", "POST", SESSION, 400, "bad_request",
        "body", headers=[JSON, ("Content-Length", "0")], body=b""),
    row("session-json-as-text-plain", "POST", SESSION, 415,
        "unsupported_media_type", None,
        headers=[("Content-Type", "text/plain")],
        body=sign_in(region=s("us"), identifier=s("{UNK}"),
                     password=s("{PW}"))),
    row("session-json-as-multipart", "POST", SESSION, 415,
        "unsupported_media_type", None,
        headers=[("Content-Type", "multipart/form-data; boundary=x")],
        body=sign_in(region=s("us"), identifier=s("{UNK}"),
                     password=s("{PW}"))),
    row("session-json-patch-media-type", "POST", SESSION, 415,
        "unsupported_media_type", None,
        headers=[("Content-Type", "application/json-patch+json")],
        body=sign_in(region=s("us"), identifier=s("{UNK}"),
                     password=s("{PW}"))),
    row("session-no-content-type", "POST", SESSION, 415,
        "unsupported_media_type", None,
        body=sign_in(region=s("us"), identifier=s("{UNK}"),
                     password=s("{PW}"))),
    row("session-17-KiB", "POST", SESSION, 413, "body_too_large", None,
        headers=[JSON], body=b'{"password": "{PW}", "x": "' +
        b"a" * BIG + b'"}'),
    row("session-password-typed-as-identifier", "POST", SESSION, 401,
        "invalid_credentials", None, headers=[JSON],
        body=sign_in(region=s("us"), identifier=s("{PW}"),
                     password=s("{PW}"))),
    row("session-real-account-marker-password", "POST", SESSION, 401,
        "invalid_credentials", None, headers=[JSON],
        body=sign_in(region=s("us"), identifier=s("{ACCT}"),
                     password=s("{PW}"))),
    row("session-cross-site-origin", "POST", SESSION, 403, "cross_site",
        None, headers=[JSON, ("Origin", "http://evil.example")],
        body=sign_in(region=s("us"), identifier=s("{ACCT}"),
                     password=s("{PW}"))),

    # --- form sign-in bodies -----------------------------------------------
    row("session-form-json-text", "POST", SESSION, 400, "bad_request",
        "body", headers=[FORM],
        body=sign_in(region=s("us"), identifier=s("{UNK}"),
                     password=s("{PW}"))),
    row("session-form-unknown-identifier", "POST", SESSION, 401,
        "invalid_credentials", None, headers=[FORM],
        body="region=us&identifier={UNK}&password={PW}"),
    row("session-form-password-twice", "POST", SESSION, 400, "bad_request",
        "password", headers=[FORM],
        body="region=us&identifier={UNK}&password={PW}&password={PW}"),
    row("session-form-bad-percent-escape", "POST", SESSION, 400,
        "bad_request", "password", headers=[FORM],
        body="region=us&identifier={UNK}&password={PW}%ZZ"),
    row("session-form-overlong-utf8", "POST", SESSION, 400, "bad_request",
        "identifier", headers=[FORM],
        body="region=us&identifier=ab%C0%AFcd&password={PW}"),
    row("session-form-encoded-nul", "POST", SESSION, 400, "bad_request",
        "password", headers=[FORM],
        body="region=us&identifier={UNK}&password={PW}%00"),

    # --- password reset ----------------------------------------------------
    row("reset-user-id-a-number", "POST", RESET, 400, "bad_request",
        "user_id", headers=[JSON], body=b'{"user_id": 5}'),
    row("reset-user-id-twice", "POST", RESET, 400, "bad_request", "body",
        headers=[JSON],
        body=b'{"user_id": "a@b.example", "user_id": "{UNK}"}'),
    row("reset-empty-object", "POST", RESET, 400, "bad_request", "user_id",
        headers=[JSON], body=b"{}"),
    row("reset-form-bad-percent-escape", "POST", RESET, 400, "bad_request",
        "user_id", headers=[FORM], body="user_id=a%ZZ"),
    row("reset-form-user-id-twice", "POST", RESET, 400, "bad_request",
        "user_id", headers=[FORM], body="user_id=a&user_id=b"),
    row("reset-with-a-password-field", "POST", RESET, 400, "bad_request",
        "password", headers=[JSON],
        body=b'{"user_id": "{UNK}@corp.example", "password": "{PW}"}'),
    row("reset-user-id-300-bytes", "POST", RESET, 400, "bad_request",
        "user_id", headers=[JSON],
        body=b'{"user_id": "' + b"a" * 300 + b'@corp.example"}'),
    row("reset-overlong-utf8", "POST", RESET, 400, "bad_request", "body",
        headers=[JSON], body=b'{"user_id": "\xc0\xaf@corp.example"}'),
    row("reset-nested-8000-deep", "POST", RESET, 400, "bad_request", "body",
        headers=[JSON], body=deep(8000)),
    row("reset-as-text-xml", "POST", RESET, 415, "unsupported_media_type",
        None, headers=[("Content-Type", "text/xml")],
        body=b'{"user_id": "{UNK}"}'),
    row("reset-17-KiB", "POST", RESET, 413, "body_too_large", None,
        headers=[JSON], body=b'{"user_id": "' + b"a" * BIG + b'"}'),

    # --- password reset confirm --------------------------------------------
    row("confirm-made-up-token", "POST", CONFIRM, 400, "bad_request",
        "token", headers=[JSON],
        body=b'{"token": "{RTOK}", "password": "{PW}"}'),
    row("confirm-token-a-number", "POST", CONFIRM, 400, "bad_request",
        "token", headers=[JSON], body=b'{"token": 5, "password": "{PW}"}'),
    row("confirm-password-an-array", "POST", CONFIRM, 400, "bad_request",
        "password", headers=[JSON],
        body=b'{"token": "{RTOK}", "password": ["{PW}"]}'),
    row("confirm-password-missing", "POST", CONFIRM, 400, "bad_request",
        "password", headers=[JSON], body=b'{"token": "{RTOK}"}'),
    row("confirm-token-missing", "POST", CONFIRM, 400, "bad_request",
        "token", headers=[JSON], body=b'{"password": "{PW}"}'),
    row("confirm-token-5000-bytes", "POST", CONFIRM, 400, "bad_request",
        "token", headers=[JSON],
        body=b'{"token": "' + b"A" * 5000 + b'", "password": "{PW}"}'),
    row("confirm-password-nul-escape", "POST", CONFIRM, 400, "bad_request",
        "password", headers=[JSON],
        body=b'{"token": "{RTOK}", "password": "{PW}\\u0000x"}'),
    row("confirm-password-twice", "POST", CONFIRM, 400, "bad_request",
        "body", headers=[JSON],
        body=b'{"token": "{RTOK}", "password": "{PW}", '
             b'"password": "{PW}"}'),
    row("confirm-utf8-bom", "POST", CONFIRM, 400, "bad_request", "body",
        headers=[JSON],
        body=b'\xef\xbb\xbf{"token": "{RTOK}", "password": "{PW}"}'),
    row("confirm-form-invalid-utf8", "POST", CONFIRM, 400, "bad_request",
        "password", headers=[FORM], body="token={RTOK}&password={PW}%FF"),
    row("confirm-as-text-plain", "POST", CONFIRM, 415,
        "unsupported_media_type", None,
        headers=[("Content-Type", "text/plain")],
        body=b'{"token": "{RTOK}", "password": "{PW}"}'),
    row("confirm-17-KiB", "POST", CONFIRM, 413, "body_too_large", None,
        headers=[JSON], body=b'{"token": "{RTOK}", "password": "{PW}' +
        b"a" * BIG + b'"}'),

    # --- the HTML sign-in form ---------------------------------------------
    row("login-json-body", "POST", "/login", 415, kind="html",
        headers=[JSON],
        body=sign_in(region=s("us"), identifier=s("{UNK}"),
                     password=s("{PW}"))),
    row("login-multipart", "POST", "/login", 415, kind="html",
        headers=[("Content-Type", "multipart/form-data; boundary=x")],
        body="region=us&identifier={UNK}&password={PW}"),
    row("login-without-csrf", "POST", "/login", 403, kind="html",
        headers=[FORM], body="region=us&identifier={UNK}&password={PW}"),
    row("login-wrong-password", "POST", "/login", 401, kind="html",
        csrf=True, headers=[FORM],
        body="region=us&identifier={UNK}&password={PW}&csrf={CSRF}",
        contains="Invalid client ID, account number or password."),
    row("login-csrf-twice", "POST", "/login", 400, kind="html", csrf=True,
        headers=[FORM],
        body="region=us&identifier={UNK}&password={PW}&csrf={CSRF}"
             "&csrf={CSRF}"),
    row("login-overlong-utf8-identifier", "POST", "/login", 400,
        kind="html", csrf=True, headers=[FORM],
        body="region=us&identifier=%C0%AF&password={PW}&csrf={CSRF}"),
    row("login-password-over-128-bytes", "POST", "/login", 400,
        kind="html", csrf=True, headers=[FORM],
        body="region=us&identifier={UNK}&password={PW}" + "x" * 128 +
             "&csrf={CSRF}"),
    row("login-unknown-field", "POST", "/login", 400, kind="html",
        csrf=True, headers=[FORM],
        body="region=us&identifier={UNK}&password={PW}&csrf={CSRF}"
             "&is_admin=1"),
    row("login-cross-site", "POST", "/login", 403, kind="html", csrf=True,
        headers=[FORM, ("Sec-Fetch-Site", "cross-site")],
        body="region=us&identifier={UNK}&password={PW}&csrf={CSRF}"),
    row("login-17-KiB", "POST", "/login", 413, "body_too_large", None,
        headers=[FORM], body="password={PW}&x=" + "a" * BIG),

    # --- cookies on GET /api/v1/account ------------------------------------
    row("cookie-session-empty", "GET", ACCOUNT, 401, "unauthorized", None,
        headers=[("Cookie", COOKIE + "=")]),
    row("cookie-session-twice-garbage", "GET", ACCOUNT, 401,
        "unauthorized", None,
        headers=[("Cookie", f"{COOKIE}=a; {COOKIE}=b")]),
    row("cookie-session-twice-marker-tokens", "GET", ACCOUNT, 401,
        "unauthorized", None,
        headers=[("Cookie", f"{COOKIE}={{TOK}}; {COOKIE}={{STOK}}")]),
    row("cookie-two-cookie-headers", "GET", ACCOUNT, 401, "unauthorized",
        None, headers=[("Cookie", f"{COOKIE}={{TOK}}"),
                       ("Cookie", f"{COOKIE}={{STOK}}")]),
    row("cookie-session-7000-bytes", "GET", ACCOUNT, 400, "bad_request",
        "cookie", headers=[("Cookie", COOKIE + "=" + "a" * 7000)]),
    row("cookie-session-9000-bytes", "GET", ACCOUNT, 400, kind="nginx",
        headers=[("Cookie", COOKIE + "=" + "a" * 9000)]),
    row("cookie-session-quoted", "GET", ACCOUNT, 401, "unauthorized", None,
        headers=[("Cookie", COOKIE + '="{TOK}"')]),
    row("cookie-name-only", "GET", ACCOUNT, 401, "unauthorized", None,
        headers=[("Cookie", COOKIE)]),
    row("cookie-garbage-separators", "GET", ACCOUNT, 401, "unauthorized",
        None, headers=[("Cookie", ";;;;=;=; ;=x")]),
    row("cookie-non-utf8-bytes", "GET", ACCOUNT, 401, "unauthorized", None,
        headers=[(b"Cookie", b"\xff\xfe=\xff; " + COOKIE.encode() +
                  b"=\xc0\xaf")]),
    row("cookie-200-cookies", "GET", ACCOUNT, 400, "bad_request", "cookie",
        headers=[("Cookie", "; ".join(f"c{i}=1" for i in range(200)))]),
    row("cookie-marker-token", "GET", ACCOUNT, 401, "unauthorized", None,
        headers=[("Cookie", f"{COOKIE}={{TOK}}")]),
    row("cookie-marker-token-signed-stale", "GET", ACCOUNT, 401,
        "unauthorized", None, headers=[("Cookie", f"{COOKIE}={{STOK}}")]),
    row("cookie-alg-none", "GET", ACCOUNT, 401, "unauthorized", None,
        headers=[("Cookie", f"{COOKIE}={{NONE}}")]),

    # --- tokens on GET /api/v1/account -------------------------------------
    row("token-bearer-garbage", "GET", ACCOUNT, 401, "unauthorized", None,
        headers=[("Authorization", "Bearer garbage")]),
    row("token-bearer-empty", "GET", ACCOUNT, 401, "unauthorized", None,
        headers=[("Authorization", "Bearer ")]),
    row("token-bearer-no-space", "GET", ACCOUNT, 401, "unauthorized", None,
        headers=[("Authorization", "Bearer{TOK}")]),
    row("token-bearer-four-segments", "GET", ACCOUNT, 401, "unauthorized",
        None, headers=[("Authorization", "Bearer {TOK}.AAAA")]),
    row("token-bearer-not-base64url", "GET", ACCOUNT, 401, "unauthorized",
        None, headers=[("Authorization", "Bearer !!!.@@@.###")]),
    row("token-bearer-5000-bytes", "GET", ACCOUNT, 401, "unauthorized",
        None, headers=[("Authorization",
                        "Bearer " + "e" * 5000 + ".e.e")]),
    row("token-alg-none", "GET", ACCOUNT, 401, "unauthorized", None,
        headers=[("Authorization", "Bearer {NONE}")]),
    row("token-marker-bad-signature", "GET", ACCOUNT, 401, "unauthorized",
        None, headers=[("Authorization", "Bearer {TOK}")]),
    row("token-marker-signed-stale-version", "GET", ACCOUNT, 401,
        "unauthorized", None,
        headers=[("Authorization", "Bearer {STOK}")]),
    row("token-scheme-basic", "GET", ACCOUNT, 401, "unauthorized", None,
        headers=[("Authorization", "Basic {STOK}")]),
    row("token-scheme-token", "GET", ACCOUNT, 401, "unauthorized", None,
        headers=[("Authorization", "Token {TOK}")]),
    row("token-scheme-lower-case", "GET", ACCOUNT, 401, "unauthorized",
        None, headers=[("Authorization", "bearer {STOK}")]),
    row("token-delete-session-with-marker", "DELETE", SESSION, 401,
        "unauthorized", None,
        headers=[("Authorization", "Bearer {STOK}")]),
]
