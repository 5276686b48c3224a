#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "fcgi/answers.h"
#include "fcgi/scoreboard.h"

static int
gates_init(struct scoreboard *sb)
{
	pthread_mutexattr_t	 a;
	long			 n = sysconf(_SC_NPROCESSORS_ONLN);
	int			 i;

	sb->ngates = n < 1 ? 1 : n > SB_GATES_MAX ? SB_GATES_MAX : (int)n;
	if (pthread_mutexattr_init(&a) != 0)
		return -1;
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	for (i = 0; i < sb->ngates; i++)
		if (pthread_mutex_init(&sb->gate[i], &a) != 0)
			return -1;
	pthread_mutexattr_destroy(&a);
	return 0;
}

/* Lock result rc of gate i: a dead owner's gate is ours, made whole. */
static int
gate_taken(struct scoreboard *sb, int i, int rc)
{
	if (rc == EOWNERDEAD) {
		pthread_mutex_consistent(&sb->gate[i]);
		return 1;
	}
	return rc == 0;
}

int
sb_gate_enter(struct scoreboard *sb)
{
	int	 i;

	for (i = 0; i < sb->ngates; i++)
		if (gate_taken(sb, i, pthread_mutex_trylock(&sb->gate[i])))
			return i;
	/* All taken: queue on one, spread by pid. */
	i = (int)(getpid() % sb->ngates);
	while (!gate_taken(sb, i, pthread_mutex_lock(&sb->gate[i])))
		continue;
	return i;
}

void
sb_gate_leave(struct scoreboard *sb, int i)
{
	pthread_mutex_unlock(&sb->gate[i]);
}

struct scoreboard *
scoreboard_new(void)
{
	struct scoreboard	*sb;

	sb = mmap(NULL, sizeof(*sb), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sb == MAP_FAILED)
		return NULL;
	/* The mapping comes zeroed: every slot SB_EMPTY, counters 0. */
	sb->master = getpid();
	sb->started = (long long)time(NULL);
	if (gates_init(sb) != 0) {
		munmap(sb, sizeof(*sb));
		return NULL;
	}
	/* Without them (no memfd) each worker still keeps its own. */
	(void)answers_open(&sb->answers);
	(void)slots_open(&sb->tokens_shared, "billgw-tokens", SB_TOKEN_SLOTS,
	    SB_TOKEN_SLOT_SIZE);
	randombytes_buf(sb->token_key, sizeof(sb->token_key));
	return sb;
}

const char *
sb_state_str(enum sb_state s)
{
	static const char *const names[] = {
		"empty", "starting", "idle", "active", "exiting"
	};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ?
	    names[s] : "unknown";
}

const char *
sb_cause_str(enum sb_cause c)
{
	static const char *const names[SB_CAUSE__MAX] = {
		"crash", "timeout", "recycle", "reload"
	};

	return (unsigned)c < SB_CAUSE__MAX ? names[c] : "unknown";
}

const char *
sb_lane_str(enum sb_lane l)
{
	static const char *const names[SB_LANE__MAX] = { "main", "signin" };

	return (unsigned)l < SB_LANE__MAX ? names[l] : "unknown";
}

long long
sb_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
sb_set_state(struct sb_worker *w, enum sb_state s)
{
	atomic_store(&w->since_ms, sb_now_ms());
	atomic_store(&w->state, (int)s);
}

void
sb_begin_request(struct sb_worker *w, const char *uri)
{
	size_t	 n = strlen(uri);

	if (n >= SB_URI_MAX)
		n = SB_URI_MAX - 1;
	atomic_fetch_add(&w->seq, 1);		/* odd: writing */
	memcpy(w->uri, uri, n);
	w->uri[n] = '\0';
	atomic_fetch_add(&w->seq, 1);		/* even: stable */
	sb_set_state(w, SB_ACTIVE);
}

void
sb_end_request(struct sb_worker *w)
{
	atomic_fetch_add(&w->requests, 1);
	sb_set_state(w, SB_IDLE);
}

void
sb_read_uri(struct sb_worker *w, char *buf, size_t len)
{
	unsigned int	 before, after;
	int		 tries;

	buf[0] = '\0';
	for (tries = 0; tries < 8; tries++) {
		before = atomic_load(&w->seq);
		if (before & 1)
			continue;
		memcpy(buf, w->uri, len < SB_URI_MAX ? len : SB_URI_MAX);
		buf[len - 1] = '\0';
		after = atomic_load(&w->seq);
		if (before == after)
			return;
	}
	buf[0] = '\0';
}
