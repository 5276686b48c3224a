/*
 * The pool's scoreboard: one shared anonymous mapping made by the master
 * before it forks, written by each worker for its own slot and by the
 * master for the pool counters, read by whichever worker answers /status
 * or /metrics (like PHP-FPM's status page).
 *
 * Counters are C11 atomics, which are lock-free for these sizes and so
 * safe across processes.  The current URI is a short string guarded by a
 * per-slot sequence number (odd while it is being written).
 */
#ifndef BILLGW_SCOREBOARD_H
#define BILLGW_SCOREBOARD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/types.h>

#include "auth/session.h"
#include "fcgi/answers.h"
#include "regions/config.h"

/* A reload runs the old and the new generation side by side. */
#define SB_SLOTS	(2 * (CONFIG_MAX_WORKERS + CONFIG_MAX_SIGNIN_WORKERS))
#define SB_URI_MAX	128
#define SB_GATES_MAX	64	/* argon2id gates: one per core */
#define SB_TOKEN_SLOTS		8192	/* the shared token memo: 4 MiB */
#define SB_TOKEN_SLOT_SIZE	512

enum sb_state {
	SB_EMPTY,
	SB_STARTING,	/* forked, not yet accepting */
	SB_IDLE,	/* waiting for a request */
	SB_ACTIVE,	/* serving one */
	SB_EXITING	/* told to stop, finishing */
};

/*
 * Which socket a worker accepts on (fcgi/pool.c): the main one, or the
 * sign-in lane's, where nginx sends the requests that run argon2id.
 */
enum sb_lane {
	SB_LANE_MAIN,
	SB_LANE_SIGNIN,
	SB_LANE__MAX
};

enum sb_cause {		/* why a worker was replaced */
	SB_CRASH,	/* died of a signal or a non-zero exit */
	SB_TIMEOUT,	/* killed past request_timeout */
	SB_RECYCLE,	/* left after max_requests */
	SB_RELOAD,	/* replaced by a new generation on SIGHUP */
	SB_CAUSE__MAX,
	SB__CAUSE_NONE = SB_CAUSE__MAX	/* not counted: a planned stop */
};

struct sb_worker {
	atomic_int		 pid;
	atomic_int		 state;		/* enum sb_state */
	atomic_int		 generation;
	atomic_int		 lane;		/* enum sb_lane */
	atomic_ulong		 requests;	/* served by this process */
	atomic_llong		 since_ms;	/* monotonic: state entered */
	atomic_uint		 seq;		/* guards uri */
	char			 uri[SB_URI_MAX];
};

struct scoreboard {
	pid_t			 master;
	long long		 started;	/* wall clock, seconds */
	atomic_int		 generation;
	atomic_int		 workers;	/* configured pool size */
	atomic_int		 signin_workers; /* and the sign-in lane's */
	atomic_ulong		 accepted;
	atomic_ulong		 slow;
	atomic_ulong		 restarts[SB_CAUSE__MAX];
	atomic_ulong		 throttled;	/* respawns delayed */
	atomic_ulong		 summaries_cached;	/* account answers */
	atomic_ulong		 summaries_shared;
	atomic_ulong		 summaries_loaded;
	atomic_ulong		 tokens[SESSION_SRC__MAX];	/* accepted */
	/* The pool's shared caches (fcgi/slots.h); fd -1: none. */
	struct slots		 answers;
	struct answer_claims	 claims;	/* its loads in flight */
	struct slots		 tokens_shared;
	unsigned char		 token_key[SESSION_MEMO_KEYBYTES];
	/*
	 * At most ngates argon2id computations at once across the pool:
	 * robust process-shared mutexes, so a worker killed while holding
	 * one (request_timeout, kill -9) does not hold it for ever.
	 */
	int			 ngates;
	pthread_mutex_t		 gate[SB_GATES_MAX];
	struct sb_worker	 slot[SB_SLOTS];
};

struct scoreboard	*scoreboard_new(void);	/* shared; never freed */
const char		*sb_state_str(enum sb_state);
const char		*sb_cause_str(enum sb_cause);
const char		*sb_lane_str(enum sb_lane);
long long		 sb_now_ms(void);	/* CLOCK_MONOTONIC */

/* Worker side: its own slot only. */
void	sb_set_state(struct sb_worker *, enum sb_state);
void	sb_begin_request(struct sb_worker *, const char *uri);
void	sb_end_request(struct sb_worker *);

/* Take a gate (blocking when all are taken); returns its index. */
int	sb_gate_enter(struct scoreboard *);
void	sb_gate_leave(struct scoreboard *, int);

/* Reader side: a consistent copy of a slot's URI (may be ""). */
void	sb_read_uri(struct sb_worker *, char *buf, size_t len);

#endif /* BILLGW_SCOREBOARD_H */
