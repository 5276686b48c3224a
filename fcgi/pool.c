/*
 * The master process.
 *
 * It never calls into libfcgi, so libfcgi's signal handling never reaches
 * it: every signal it cares about is blocked and taken synchronously with
 * sigtimedwait(), which also gives the loop its tick for timeouts and
 * throttled respawns.  Workers undo the mask after fork (fcgi/worker.c).
 *
 * What replaces a worker, and how it is counted (struct scoreboard):
 *	crash	it died of a signal or exited non-zero on its own;
 *	timeout	we killed it, stuck past request_timeout on one request;
 *	recycle	it exited 0 on its own after max_requests;
 *	reload	a SIGHUP replaced its generation.
 * A worker that crashes within CRASH_EARLY_MS of its start lengthens the
 * delay before the next spawn (100 ms doubling up to 10 s), so a pool
 * whose workers die at start does not fork-storm; a worker that lives
 * resets it.
 *
 * Two lanes.  The main socket (listen) takes every request nginx sends;
 * with signin_listen set, a second one takes those that run argon2id
 * (nginx sends them there: conf/nginx.conf.in), served by signin_workers
 * workers of their own.  A verification holds a worker for 20-30 ms and
 * the pool runs at most one per core at a time, so sixty-four sign-ins at
 * once used to hold all sixteen workers, fourteen of them waiting for a
 * core, and /healthz took 650 ms behind them (measured); in their own
 * lane they queue in its socket's backlog instead, and the main lane
 * keeps answering.  A sign-in worker also keeps argon2id's buffer while
 * sign-ins keep coming (auth/password.c, fcgi/worker.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fcgi/gateway.h"
#include "fcgi/log.h"
#include "fcgi/pool.h"
#include "fcgi/scoreboard.h"
#include "fcgi/worker.h"
#include "auth/password.h"
#include "regions/config.h"

#define CRASH_EARLY_MS		2000
#define THROTTLE_FIRST_MS	100
#define THROTTLE_MAX_MS		10000
#define TICK_MS			100

struct kid {
	pid_t		 pid;		/* 0: slot free */
	int		 lane;		/* enum sb_lane */
	int		 generation;
	long long	 started_ms;
	int		 stopping;	/* we sent SIGTERM (reload/shutdown) */
	int		 reload;	/* replaced by a reload */
	int		 timed_out;	/* we sent SIGKILL past the timeout */
};

struct pool {
	const char		*config_path;
	struct gateway		*gw;
	struct scoreboard	*sb;
	int			 listen_fd[SB_LANE__MAX];	/* -1: none */
	char			 unix_path[SB_LANE__MAX][CONFIG_PATH_MAX];
	int			 size[SB_LANE__MAX];	/* workers wanted */
	int			 generation;
	int			 shutting_down;
	long long		 drain_deadline;
	int			 crash_streak;
	long long		 last_crash_ms;
	long long		 throttle_ms;	/* the current delay */
	long long		 next_spawn_at;
	struct kid		 kids[SB_SLOTS];
};

/*
 * Bind a lane's address l: a unix socket of mode 0660 (nginx's group may
 * connect, nobody else), or TCP on 127.0.0.1 only.
 */
static int
bind_listen(struct pool *p, int lane, const char *l)
{
	struct sockaddr_un	 sun;
	struct sockaddr_in	 sin;
	struct stat		 st;
	int			 fd, one = 1;

	if (strncmp(l, "unix:", 5) == 0) {
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", l + 5);
		snprintf(p->unix_path[lane], sizeof(p->unix_path[lane]), "%s",
		    l + 5);
		/* Remove a stale socket from a previous run, nothing else. */
		if (lstat(sun.sun_path, &st) == 0 && S_ISSOCK(st.st_mode))
			unlink(sun.sun_path);
		if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
			return -1;
		/* Created 0660 from the start: no window with a wider mode. */
		mode_t old = umask(0117);
		if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
			umask(old);
			close(fd);
			return -1;
		}
		umask(old);
		if (chmod(sun.sun_path, 0660) < 0) {
			close(fd);
			return -1;
		}
	} else {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sin.sin_port = htons((unsigned short)atoi(strchr(l, ':') + 1));
		if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
			return -1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
			close(fd);
			return -1;
		}
	}
	if (listen(fd, p->gw->cf.gateway.listen_backlog) < 0) {
		close(fd);
		return -1;
	}
	p->listen_fd[lane] = fd;
	return 0;
}

/* The lanes' sizes from the configuration (no address, no sign-in lane). */
static void
size_lanes(struct pool *p)
{
	const struct config	*cf = &p->gw->cf;
	cpu_set_t		 cpus;
	int			 n = cf->gateway.signin_workers;

	if (n == 0) {
		n = 1;
		if (sched_getaffinity(0, sizeof(cpus), &cpus) == 0)
			n = CPU_COUNT(&cpus);
		if (n > CONFIG_MAX_SIGNIN_WORKERS)
			n = CONFIG_MAX_SIGNIN_WORKERS;
	}
	p->size[SB_LANE_MAIN] = cf->gateway.workers;
	p->size[SB_LANE_SIGNIN] = cf->gateway.signin_listen[0] ? n : 0;
	atomic_store(&p->sb->workers, p->size[SB_LANE_MAIN]);
	atomic_store(&p->sb->signin_workers, p->size[SB_LANE_SIGNIN]);
}

static int
live_workers(struct pool *p, int lane)
{
	int	 i, n = 0;

	for (i = 0; i < SB_SLOTS; i++)
		if (p->kids[i].pid && p->kids[i].lane == lane &&
		    p->kids[i].generation == p->generation &&
		    !p->kids[i].stopping)
			n++;
	return n;
}

static int
spawn(struct pool *p, int lane)
{
	struct sb_worker	*w;
	pid_t			 pid;
	int			 i;

	for (i = 0; i < SB_SLOTS; i++)
		if (p->kids[i].pid == 0)
			break;
	if (i == SB_SLOTS)
		return -1;
	w = &p->sb->slot[i];
	atomic_store(&w->pid, 0);
	atomic_store(&w->requests, 0);
	atomic_store(&w->generation, p->generation);
	atomic_store(&w->lane, lane);
	sb_set_state(w, SB_STARTING);
	if ((pid = fork()) < 0) {
		log_err("pool: fork: %s", strerror(errno));
		sb_set_state(w, SB_EMPTY);
		return -1;
	}
	if (pid == 0) {
		/* The other lane's socket is not this worker's to hold open. */
		for (int l = 0; l < SB_LANE__MAX; l++)
			if (l != lane && p->listen_fd[l] >= 0)
				close(p->listen_fd[l]);
		worker_run(p->listen_fd[lane], p->gw, p->sb, i);
	}
	atomic_store(&w->pid, (int)pid);
	p->kids[i].pid = pid;
	p->kids[i].lane = lane;
	p->kids[i].generation = p->generation;
	p->kids[i].started_ms = sb_now_ms();
	p->kids[i].stopping = p->kids[i].reload = p->kids[i].timed_out = 0;
	return 0;
}

/* Bring the current generation up to strength, within the throttle. */
static void
spawn_missing(struct pool *p)
{
	long long	 now = sb_now_ms();
	int		 lane;

	/* The last throttled spawn has lived: the trouble is over. */
	if (p->crash_streak > 0 &&
	    now - p->last_crash_ms > p->throttle_ms + CRASH_EARLY_MS)
		p->crash_streak = 0;
	for (lane = 0; lane < SB_LANE__MAX; lane++)
		while (live_workers(p, lane) < p->size[lane]) {
			if (p->crash_streak > 0) {
				if (now < p->next_spawn_at)
					return;
				/* One at a time while workers keep crashing. */
				p->next_spawn_at = now + THROTTLE_MAX_MS;
				spawn(p, lane);
				return;
			}
			if (spawn(p, lane) < 0)
				return;
		}
}

static void
worker_exited(struct pool *p, int slot, int status)
{
	struct kid	*k = &p->kids[slot];
	long long	 now = sb_now_ms(), lived = now - k->started_ms;
	long long	 delay;
	enum sb_cause	 cause;
	char		 how[48];

	if (WIFSIGNALED(status))
		snprintf(how, sizeof(how), "signal %d", WTERMSIG(status));
	else
		snprintf(how, sizeof(how), "exit %d", WEXITSTATUS(status));

	if (k->timed_out)
		cause = SB_TIMEOUT;
	else if (k->stopping)
		cause = k->reload ? SB_RELOAD : SB__CAUSE_NONE;
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		cause = SB_RECYCLE;
	else
		cause = SB_CRASH;

	if (cause != SB__CAUSE_NONE)
		atomic_fetch_add(&p->sb->restarts[cause], 1);
	if (cause == SB_CRASH) {
		log_err("pool: worker %d died (%s) after %lld ms", (int)k->pid,
		    how, lived);
		if (lived < CRASH_EARLY_MS) {
			p->crash_streak++;
			delay = THROTTLE_FIRST_MS;
			for (int i = 1; i < p->crash_streak &&
			    delay < THROTTLE_MAX_MS; i++)
				delay *= 2;
			if (delay > THROTTLE_MAX_MS)
				delay = THROTTLE_MAX_MS;
			p->next_spawn_at = now + delay;
			p->last_crash_ms = now;
			p->throttle_ms = delay;
			atomic_fetch_add(&p->sb->throttled, 1);
			log_warn("pool: workers crash at start; next spawn "
			    "in %lld ms", delay);
		} else
			p->crash_streak = 0;
	} else if (cause == SB_TIMEOUT)
		log_warn("pool: worker %d killed past request_timeout",
		    (int)k->pid);
	else if (cause == SB_RECYCLE)
		p->crash_streak = 0;

	atomic_store(&p->sb->slot[slot].pid, 0);
	sb_set_state(&p->sb->slot[slot], SB_EMPTY);
	memset(k, 0, sizeof(*k));
}

static void
reap(struct pool *p)
{
	pid_t	 pid;
	int	 status, i;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < SB_SLOTS; i++)
			if (p->kids[i].pid == pid)
				break;
		if (i < SB_SLOTS)
			worker_exited(p, i, status);
	}
}

/* SIGKILL a worker stuck on one request past request_timeout. */
static void
check_timeouts(struct pool *p)
{
	long long	 now = sb_now_ms();
	long long	 limit;
	char		 uri[SB_URI_MAX];
	int		 i;

	limit = (long long)p->gw->cf.gateway.request_timeout * 1000;
	for (i = 0; i < SB_SLOTS; i++) {
		struct kid *k = &p->kids[i];
		struct sb_worker *w = &p->sb->slot[i];

		if (k->pid == 0 || k->timed_out ||
		    atomic_load(&w->state) != SB_ACTIVE ||
		    now - atomic_load(&w->since_ms) <= limit)
			continue;
		sb_read_uri(w, uri, sizeof(uri));
		log_warn("pool: worker %d stuck on %.64s for %lld ms: killing",
		    (int)k->pid, uri, now - atomic_load(&w->since_ms));
		k->timed_out = 1;
		kill(k->pid, SIGKILL);
	}
}

/* Ask every worker of an older generation (or all) to finish and leave. */
static void
stop_workers(struct pool *p, int reload)
{
	int	 i;

	for (i = 0; i < SB_SLOTS; i++) {
		struct kid *k = &p->kids[i];

		if (k->pid == 0 || k->stopping ||
		    (reload && k->generation == p->generation))
			continue;
		k->stopping = 1;
		k->reload = reload;
		sb_set_state(&p->sb->slot[i], SB_EXITING);
		kill(k->pid, SIGTERM);
	}
}

/*
 * SIGHUP: read the file again.  A bad file is logged and the running
 * configuration keeps serving.  Otherwise a new generation of workers is
 * started first and the old one then drains: the listening socket never
 * closes, so no request is dropped.
 */
static void
reload(struct pool *p)
{
	struct gateway	*n;
	char		 err[512];

	if ((n = gateway_load(p->config_path, err, sizeof(err))) == NULL) {
		log_err("reload: %s; keeping the running configuration", err);
		return;
	}
	if (strcmp(n->cf.gateway.listen, p->gw->cf.gateway.listen) != 0) {
		log_warn("reload: a new listen address needs a restart; "
		    "keeping %s", p->gw->cf.gateway.listen);
		memcpy(n->cf.gateway.listen, p->gw->cf.gateway.listen,
		    sizeof(n->cf.gateway.listen));
	}
	if (strcmp(n->cf.gateway.signin_listen,
	    p->gw->cf.gateway.signin_listen) != 0) {
		log_warn("reload: a new signin_listen needs a restart; "
		    "keeping \"%s\"", p->gw->cf.gateway.signin_listen);
		memcpy(n->cf.gateway.signin_listen,
		    p->gw->cf.gateway.signin_listen,
		    sizeof(n->cf.gateway.signin_listen));
	}
	gateway_free(p->gw);
	p->gw = n;
	p->generation++;
	atomic_store(&p->sb->generation, p->generation);
	size_lanes(p);
	p->crash_streak = 0;
	spawn_missing(p);
	stop_workers(p, 1);
	log_info("reload: generation %d with %d workers and %d sign-in "
	    "workers", p->generation, p->size[SB_LANE_MAIN],
	    p->size[SB_LANE_SIGNIN]);
}

static void
begin_shutdown(struct pool *p, int sig)
{
	log_info("pool: signal %d: draining", sig);
	p->shutting_down = 1;
	p->drain_deadline = sb_now_ms() +
	    ((long long)p->gw->cf.gateway.request_timeout + 2) * 1000;
	/* Stop taking connections now, so nginx fails over at once. */
	for (int lane = 0; lane < SB_LANE__MAX; lane++) {
		if (p->unix_path[lane][0])
			unlink(p->unix_path[lane]);
		if (p->listen_fd[lane] >= 0)
			close(p->listen_fd[lane]);
		p->listen_fd[lane] = -1;
	}
	stop_workers(p, 0);
}

static int
any_kids(struct pool *p)
{
	int	 i;

	for (i = 0; i < SB_SLOTS; i++)
		if (p->kids[i].pid)
			return 1;
	return 0;
}

int
pool_run(const char *config_path, struct gateway *gw)
{
	struct pool	*p;
	sigset_t	 set;
	struct timespec	 tick = { 0, TICK_MS * 1000000L };
	int		 sig, i;

	/*
	 * Our own signal handling, before anything else can install any:
	 * block the signals we wait for; ignore SIGPIPE.
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		log_err("pool: out of memory");
		return 1;
	}
	p->config_path = config_path;
	p->gw = gw;
	p->generation = 1;
	if ((p->sb = scoreboard_new()) == NULL) {
		log_err("pool: cannot map the scoreboard: %s",
		    strerror(errno));
		return 1;
	}
	atomic_store(&p->sb->generation, 1);
	/*
	 * The dummy hash that an unknown identifier is verified against
	 * (auth/password.c), computed once here and inherited by every
	 * worker through fork.  Computed by each worker as it started, it
	 * cost 120-140 ms of CPU a worker (one argon2id hash, most of it the
	 * kernel zeroing its 32 MiB), taken from the requests being served:
	 * a reload in the middle of 64 connections of account requests made
	 * wrk's p99 over those 6 seconds 901 ms, against 11.7 ms now (medians
	 * of 4 alternating runs); a 5-second stretch in which 3 to 5 workers
	 * recycled had its slowest requests at 53-81 ms, where stretches with
	 * 6 to 16 recycles now have theirs at 9-34 ms (once 83), as stretches
	 * without any do.  Forking after it is safe for the workers' random
	 * tokens: libsodium's randombytes is "sysrandom" here, a getrandom()
	 * at each call with no state to share.
	 */
	if (password_init() != 0) {
		log_err("pool: cannot initialise libsodium");
		return 1;
	}
	size_lanes(p);
	p->listen_fd[SB_LANE_MAIN] = p->listen_fd[SB_LANE_SIGNIN] = -1;
	if (p->sb->answers.fd < 0 || p->sb->tokens_shared.fd < 0)
		log_warn("pool: no shared caches (no memfd); each worker "
		    "keeps its own answers and tokens");
	if (bind_listen(p, SB_LANE_MAIN, gw->cf.gateway.listen) < 0) {
		log_err("pool: cannot listen on %s: %s", gw->cf.gateway.listen,
		    strerror(errno));
		return 1;
	}
	if (p->size[SB_LANE_SIGNIN] > 0 && bind_listen(p, SB_LANE_SIGNIN,
	    gw->cf.gateway.signin_listen) < 0) {
		log_err("pool: cannot listen on %s: %s",
		    gw->cf.gateway.signin_listen, strerror(errno));
		return 1;
	}
	log_info("pool: listening on %s with %d workers",
	    gw->cf.gateway.listen, p->size[SB_LANE_MAIN]);
	if (p->size[SB_LANE_SIGNIN] > 0)
		log_info("pool: sign-ins on %s with %d workers",
		    gw->cf.gateway.signin_listen, p->size[SB_LANE_SIGNIN]);

	for (;;) {
		reap(p);
		if (p->shutting_down) {
			if (!any_kids(p))
				break;
			if (sb_now_ms() > p->drain_deadline) {
				log_warn("pool: drain timed out; killing the "
				    "rest");
				for (i = 0; i < SB_SLOTS; i++)
					if (p->kids[i].pid)
						kill(p->kids[i].pid, SIGKILL);
				p->drain_deadline = sb_now_ms() + 60000;
			}
		} else
			spawn_missing(p);
		check_timeouts(p);

		sig = sigtimedwait(&set, NULL, &tick);
		if (sig == SIGHUP && !p->shutting_down)
			reload(p);
		else if ((sig == SIGTERM || sig == SIGINT || sig == SIGQUIT) &&
		    !p->shutting_down)
			begin_shutdown(p, sig);
	}
	log_info("pool: stopped");
	gateway_free(p->gw);
	free(p);
	return 0;
}
