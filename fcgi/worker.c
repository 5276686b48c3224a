/*
 * The worker: one FCGX_Accept_r loop, one request at a time.
 *
 * Signals.  Our handlers are installed before FCGX_Init(), so libfcgi
 * leaves them alone (it only installs its own where it finds SIG_DFL).
 * SIGTERM must never cut a request short: libfcgi gives up a stream on
 * EINTR, so the handler is SA_RESTART and the signal is blocked while a
 * request is served.  While the worker waits for work, the handler closes
 * its copy of the listening socket (and a kept-alive nginx connection, if
 * it is idle on one): the restarted accept(2) then fails with EBADF and
 * FCGX_Accept_r returns, with no window where a stop request is missed.
 * A sign-in worker waits in ppoll(2) first (lane_sleep()), which the
 * signal ends with EINTR.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "fcgi/app.h"
#include "fcgi/gateway.h"
#include "fcgi/log.h"
#include "fcgi/page.h"
#include "fcgi/request.h"
#include "fcgi/response.h"
#include "fcgi/route.h"
#include "fcgi/scoreboard.h"
#include "fcgi/websession.h"
#include "fcgi/worker.h"
#include "auth/identifier.h"
#include "auth/password.h"
#include "auth/session.h"
#include "regions/config.h"
#include "regions/dbroute.h"
#include "sql/credentials.h"
#include "sql/summary.h"

/* Input read past the request's own before closing (see finish()). */
#define FINISH_DRAIN_MAX	(64 * 1024)

static volatile sig_atomic_t	 stopping;
static volatile sig_atomic_t	 waiting;	/* in FCGX_Accept_r */
static int			 listen_sock = -1;
static volatile int		 idle_conn = -1; /* a kept nginx connection */

/*
 * The pool-wide argon2id gates (auth/password.h, fcgi/scoreboard.h), one
 * per core.  A worker holding gate i also runs on the i-th of its allowed
 * CPUs until it leaves, so that two verifications never share a core
 * while the other one serves nginx and MariaDB (measured: 61.4 -> 65.3
 * sign-ins/s, medians of 7 alternating runs).
 */
static struct scoreboard	*gate_sb;
static int			 gate_held = -1;
static cpu_set_t		 gate_cpus;	/* this worker's own mask */
static int			 gate_ncpus;	/* CPUs in it */
static int			 gate_cpu[SB_GATES_MAX]; /* gate i's CPU */

static void
gate_init(struct scoreboard *sb)
{
	int	 cpus[SB_GATES_MAX], cpu, i;

	gate_sb = sb;
	if (sched_getaffinity(0, sizeof(gate_cpus), &gate_cpus) != 0)
		return;
	for (cpu = 0; cpu < CPU_SETSIZE && gate_ncpus < SB_GATES_MAX; cpu++)
		if (CPU_ISSET(cpu, &gate_cpus))
			cpus[gate_ncpus++] = cpu;
	for (i = 0; gate_ncpus > 0 && i < SB_GATES_MAX; i++)
		gate_cpu[i] = cpus[i % gate_ncpus];
}

static void
gate_enter(void)
{
	cpu_set_t	 one;

	gate_held = sb_gate_enter(gate_sb);
	if (gate_held < 0 || gate_ncpus < 2)
		return;
	CPU_ZERO(&one);
	CPU_SET(gate_cpu[gate_held], &one);
	(void)sched_setaffinity(0, sizeof(one), &one);
}

static void
gate_leave(void)
{
	if (gate_held < 0)
		return;
	if (gate_ncpus >= 2)
		(void)sched_setaffinity(0, sizeof(gate_cpus), &gate_cpus);
	sb_gate_leave(gate_sb, gate_held);
	gate_held = -1;
}

static int
set_nonblocking(int fd)
{
	int	 fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* A connection is waiting on the listening socket. */
static int
work_waiting(int fd)
{
	struct pollfd	 pfd = { fd, POLLIN, 0 };

	return fd >= 0 && poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN);
}

/*
 * A sign-in worker's sleep until a connection waits.  The lane's socket
 * is non-blocking (worker_run()): a worker that saw a connection and did
 * not get it (the other sign-in worker took it, or nginx gave up on it)
 * has FCGX_Accept_r fail with EAGAIN and comes round again, giving its
 * argon2id buffer back as nothing waits, instead of sleeping in
 * accept(2) with the 32 MiB until the next sign-in, however far off
 * (seen once in a full bench run: a sign-in worker at 39 MiB after it).
 * The stop signals are let in here as they are in FCGX_Accept_r.
 */
static void
lane_sleep(int fd, const sigset_t *during)
{
	struct pollfd	 pfd = { fd, POLLIN, 0 };

	waiting = 1;
	if (!stopping)
		(void)ppoll(&pfd, 1, NULL, during);
	waiting = 0;
}

static void
on_stop(int sig)
{
	int	 saved = errno;

	(void)sig;
	stopping = 1;
	if (waiting) {
		if (listen_sock >= 0) {
			close(listen_sock);
			listen_sock = -1;
		}
		/*
		 * Idle on a connection nginx keeps (fastcgi_keep_conn): end
		 * it.  Should a request be arriving on it at this very
		 * moment, nginx retries it, as it does for any cached
		 * upstream connection that fails.  A freshly accepted
		 * connection is never touched.
		 */
		if (idle_conn >= 0)
			shutdown(idle_conn, SHUT_RDWR);
	}
	errno = saved;
}

static void
install_signals(sigset_t *stopset)
{
	struct sigaction	 sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = 0;
	sigaction(SIGHUP, &sa, NULL);	/* the master reloads, not us */
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);	/* libfcgi's own shutdown signal */
	sa.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);

	sigemptyset(stopset);
	sigaddset(stopset, SIGTERM);
	sigaddset(stopset, SIGINT);
}

static const char *
fcgi_param(void *ctx, const char *name)
{
	return FCGX_GetParam(name, ((FCGX_Request *)ctx)->envp);
}

static long
fcgi_read(void *ctx, char *buf, size_t len)
{
	int	 n;

	if (len > (size_t)REQ_BODY_MAX)
		len = REQ_BODY_MAX;
	n = FCGX_GetStr(buf, (int)len, ((FCGX_Request *)ctx)->in);
	return n;
}

/* An error in the form the route speaks: the JSON envelope or a page. */
static void
fail(struct response *resp, const struct route *rt, int status,
    const char *code, const char *message, const char *field)
{
	if (rt != NULL && rt->kind == R_PAGE)
		page_message(resp, status, http_reason(status), message);
	else
		resp_error(resp, status, code, message, field);
}

/* A page that needs a session: 303 to the right sign-in page. */
static void
to_sign_in(struct app *app, struct request *req, struct response *resp)
{
	char		 where[CONFIG_URL_MAX + 32];

	websession_sign_in_url(app, strncmp(req->path, "/corporate", 10) == 0,
	    where, sizeof(where));
	resp_body(resp, 303, "text/html", "", 0);
	resp_header(resp, "Location", where);
}

static int
is_safe_method(const char *m)
{
	return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
}

/* Fill resp for one request; the prepare step of STYLE habit 2. */
static void
dispatch(struct app *app, struct request *req, struct response *resp,
    int status)
{
	const struct route	*rt;
	char			 allow[64];

	if (status != 0) {
		resp_error(resp, status, req->error_code, req->error_message,
		    req->error_field);
		return;
	}
	if ((rt = route_match(req->method, req->path, &status, allow,
	    sizeof(allow))) == NULL) {
		if (status == 405) {
			resp_error(resp, 405, "method_not_allowed",
			    "Method not allowed.", NULL);
			resp_header(resp, "Allow", allow);
		} else
			resp_error(resp, 404, "not_found", "No such page.",
			    NULL);
		return;
	}
	if (route_check_body(rt, req->content_type, req->content_length)) {
		fail(resp, rt, 415, "unsupported_media_type",
		    "Send application/json or "
		    "application/x-www-form-urlencoded.", NULL);
		return;
	}
	if (!is_safe_method(req->method) && websession_cross_site(app, req)) {
		fail(resp, rt, 403, "cross_site",
		    "Cross-site requests are refused.", NULL);
		return;
	}
	if (rt->auth == AUTH_SESSION &&
	    (status = websession_check(app, req)) != 0) {
		if (status == 503) {
			fail(resp, rt, 503, "unavailable", "This region is "
			    "unavailable at the moment. Please try again "
			    "shortly.", NULL);
			resp_header(resp, "Retry-After", "30");
		} else if (rt->kind == R_PAGE)
			to_sign_in(app, req, resp);
		else {
			fail(resp, rt, 401, "unauthorized",
			    "Sign in first.", NULL);
			resp_header(resp, "WWW-Authenticate", "Bearer");
		}
		resp->no_store = 1;
		return;
	}
	if (rt->auth == AUTH_SESSION)
		resp->no_store = 1;
	rt->handler(app, req, resp);
}

static void
serve(struct app *app, FCGX_Request *fr, struct arena *arena)
{
	struct req_source	 src = { fcgi_param, fcgi_read, fr };
	struct request		 req;
	struct response		 resp;
	struct buf		 out = { NULL, 0, 0, 0 };
	const char		*path, *method;
	long long		 start = sb_now_ms(), took;
	int			 status;

	path = FCGX_GetParam("DOCUMENT_URI", fr->envp);
	method = FCGX_GetParam("REQUEST_METHOD", fr->envp);
	/* The path only: a query may carry a token that /status must not show. */
	sb_begin_request(app->me, path ? path : "?");
	log_set_request_id(FCGX_GetParam("REQUEST_ID", fr->envp));
	arena_reset(arena);
	resp_init(&resp);

	status = request_read(&req, &src, arena);
	dispatch(app, &req, &resp, status);
	if (resp_serialise(&resp, method && strcmp(method, "HEAD") == 0,
	    &out) == 0)
		FCGX_PutStr(out.data, (int)out.len, fr->out);
	else
		log_err("cannot build the response: out of memory");
	if (resp.status >= 500)
		log_warn("%s %.64s -> %d", method ? method : "?",
		    path ? path : "?", resp.status);

	took = sb_now_ms() - start;
	if (took >= app->cf->gateway.slow_request_ms) {
		atomic_fetch_add(&app->sb->slow, 1);
		log_warn("slow request: %s %.64s took %lld ms",
		    method ? method : "?", path ? path : "?", took);
	}
	buf_free(&out);
	resp_free(&resp);
	log_set_request_id(NULL);
}

/*
 * End the request.  libfcgi closes a connection with shutdown(), then
 * waits (up to 2 s) for nginx to close its end first: a whole round trip
 * through nginx per request, during which this worker serves nobody
 * (measured: account 12,135 -> 13,017 req/s, /healthz 25,768 -> 26,456,
 * medians of 5 and 3 alternating runs).  The wait only matters when input
 * is left unread, as closing then resets the connection; so it is skipped
 * when the request's input was read to its end, which a little draining
 * ensures for nearly every request (nginx bounds bodies at 16 KiB).
 */
static void
finish(FCGX_Request *fr)
{
	char	 sink[4096];
	int	 n, left = FINISH_DRAIN_MAX;

	while (left > 0 &&
	    (n = FCGX_GetStr(sink, sizeof(sink), fr->in)) > 0)
		left -= n;
	if (!fr->keepConnection && FCGX_HasSeenEOF(fr->in) == EOF)
		FCGX_Detach(fr);
	FCGX_Finish_r(fr);
}

void
worker_run(int fd, const struct gateway *gw, struct scoreboard *sb,
    int slot)
{
	static char		 arena_mem[REQ_ARENA_SIZE];
	struct arena		 arena;
	const struct config	*cf;
	struct app		 app;
	FCGX_Request		 fr;
	sigset_t		 stopset, waitset;
	long			 served = 0;
	int			 rc, code = 0, ri, signin;

	install_signals(&stopset);
	sigprocmask(SIG_BLOCK, &stopset, NULL);
	/* The master blocks the rest for sigtimedwait(); undo that here. */
	{
		sigset_t	 others;

		sigfillset(&others);
		sigdelset(&others, SIGTERM);
		sigdelset(&others, SIGINT);
		sigprocmask(SIG_UNBLOCK, &others, NULL);
	}
	/* If the master dies, drain and leave rather than linger. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != sb->master)
		_exit(0);

	listen_sock = fd;
	cf = &gw->cf;
	app.cf = cf;
	app.keys = gw->keys;
	app.sb = sb;
	app.me = &sb->slot[slot];
	arena_init(&arena, arena_mem, sizeof(arena_mem));
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, fd,
	    FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		log_err("worker: cannot initialise libfcgi");
		_exit(1);
	}
	if ((app.db = dbroute_new(cf)) == NULL ||
	    (app.memo = session_memo_new()) == NULL) {
		log_err("worker: out of memory");
		_exit(1);
	}
	if (sb->tokens_shared.fd >= 0)
		session_memo_share(app.memo, &sb->tokens_shared, sb->token_key,
		    atomic_load(&app.me->generation));
	/*
	 * argon2id takes 32 MiB per verification.  glibc would raise its
	 * mmap threshold after the first free and keep every later buffer
	 * on the heap, resident for good; a fixed threshold gives each one
	 * back when it is freed (measured: 39 MiB RSS per worker without).
	 */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	/*
	 * Per process: PCRE2 patterns compiled.  The dummy hash comes
	 * computed from the master (fcgi/pool.c), so password_init() finds
	 * it and computes nothing.
	 */
	if (ident_init() != 0 || password_init() != 0) {
		log_err("worker: cannot initialise identifiers or passwords");
		_exit(1);
	}
	gate_init(sb);
	password_set_gate(gate_enter, gate_leave);
	/*
	 * A sign-in worker keeps argon2id's 32 MiB from one sign-in to the
	 * next while they keep coming, and gives it back when its socket has
	 * nothing waiting (below): the workers are small again once a peak is
	 * over.  What keeping it saves: auth/password.c.
	 */
	signin = atomic_load(&app.me->lane) == SB_LANE_SIGNIN;
	password_keep_buffer(signin);
	/*
	 * The flag is on the socket that the lane's workers share (with the
	 * master, which never accepts on it): each of them sleeps in
	 * lane_sleep() and accepts without blocking.
	 */
	if (signin && set_nonblocking(fd) != 0) {
		log_err("worker: cannot make the sign-in socket non-blocking: "
		    "%s", strerror(errno));
		_exit(1);
	}
	sigprocmask(SIG_BLOCK, NULL, &waitset);
	sigdelset(&waitset, SIGTERM);
	sigdelset(&waitset, SIGINT);
	/*
	 * Connected before the first request, not by it: after a reload or a
	 * respawn, new workers connecting (and MariaDB authenticating them)
	 * inside their first requests made that second's p99.  Cold account
	 * rows right after a reload, 6 alternating pairs: p99 15.2 -> 11.6 ms.
	 */
	dbroute_connect(app.db);
	/*
	 * And with the statements of an account request prepared.  Preparing
	 * the summary costs MariaDB 0.3-1.7 ms, executing it 0.2: sixteen new
	 * workers preparing it on each region's connection in their first
	 * requests held up everything queued behind them (cold rows right
	 * after a reload, 8 alternating pairs: p99 15.4 -> 12.9 ms).
	 */
	for (ri = 0; ri < (int)cf->nregions; ri++) {
		cred_prepare(dbroute_region(app.db, ri));
		summary_prepare(dbroute_region(app.db, ri));
	}
	app.signin.cf = cf;
	app.signin.db = app.db;
	app.signin.dir = gw->dir;

	while (!stopping) {
		if (signin && !work_waiting(fd))
			password_release_buffer();
		sb_set_state(app.me, SB_IDLE);
		if (signin && fr.ipcFd < 0)
			lane_sleep(fd, &waitset);
		idle_conn = fr.ipcFd;
		waiting = 1;
		sigprocmask(SIG_UNBLOCK, &stopset, NULL);
		rc = stopping ? -1 : FCGX_Accept_r(&fr);
		sigprocmask(SIG_BLOCK, &stopset, NULL);
		waiting = 0;
		idle_conn = -1;
		if (rc == -EAGAIN && signin && !stopping)
			continue;	/* gone before we took it: lane_sleep() */
		if (rc < 0) {
			if (!stopping) {
				log_err("worker: accept failed: %s",
				    strerror(-rc));
				code = 1;
			}
			break;
		}
		atomic_fetch_add(&sb->accepted, 1);
		serve(&app, &fr, &arena);
		finish(&fr);
		sb_end_request(app.me);
		if (++served >= cf->gateway.max_requests) {
			log_info("worker: recycling after %ld requests",
			    served);
			break;
		}
	}
	sb_set_state(app.me, SB_EXITING);
	dbroute_free(app.db);
	FCGX_Free(&fr, 1);
	_exit(code);
}
