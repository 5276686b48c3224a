/*
 * fcgi/answers.c and fcgi/slots.c: the pool's shared answer cache, on a
 * memfd of its own, with torn and foreign slots written over it by hand.
 */
#include <sys/mman.h>
#include <sys/wait.h>

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fcgi/answers.h"
#include "t.h"

static struct slots	 a;
static struct answer_claims *claims;	/* shared, as in the scoreboard */

static struct answer_key
key(int64_t acct, int64_t version)
{
	struct answer_key	 k;

	memset(&k, 0, sizeof(k));
	k.ri = 1;
	k.today = 20000;
	k.acct = acct;
	k.version = version;
	k.generation = 1;
	return k;
}

/*
 * Keep "answer of ACCT vVERSION" for k as a worker does, after a miss; the
 * body written.  0, or -1 when k's answer was there already.
 */
static int
store(const struct answer_key *k, char *body, size_t size)
{
	char		 buf[ANSWERS_SLOT_SIZE];
	uint32_t	 where;

	snprintf(body, size, "answer of %" PRId64 " v%" PRId64, k->acct,
	    k->version);
	if (answers_get(&a, k, buf, sizeof(buf), &where) != -1)
		return -1;
	answers_put(&a, k, body, strlen(body), where);
	return 0;
}

static void
put(const struct answer_key *k, char *body, size_t size)
{
	CHECK(store(k, body, size) == 0);
}

static void
an_answer_kept_is_found_for_its_own_key_only(void)
{
	struct answer_key	 k = key(101, 7), other[5];
	char			 body[64], buf[ANSWERS_SLOT_SIZE];
	uint32_t		 where;
	long			 n;
	size_t			 i;

	put(&k, body, sizeof(body));
	n = answers_get(&a, &k, buf, sizeof(buf), &where);
	CHECK(n == (long)strlen(body) && memcmp(buf, body, (size_t)n) == 0);
	/* Every part of the key must match. */
	for (i = 0; i < 5; i++)
		other[i] = k;
	other[0].version = 8;
	other[1].today = 20001;
	other[2].generation = 2;
	other[3].ri = 2;
	other[4].acct = 102;
	for (i = 0; i < 5; i++)
		CHECK(answers_get(&a, &other[i], buf, sizeof(buf), &where) ==
		    -1);
	/* Too small a buffer: a miss, never a cut answer. */
	CHECK(answers_get(&a, &k, buf, 4, &where) == -1);
}

static void
a_newer_version_replaces_the_older_in_its_slot(void)
{
	struct answer_key	 v1 = key(201, 1), v2 = key(201, 2);
	char			 body[64], buf[ANSWERS_SLOT_SIZE];
	uint32_t		 where, old;

	put(&v1, body, sizeof(body));
	CHECK(answers_get(&a, &v1, buf, sizeof(buf), &old) >= 0);
	CHECK(answers_get(&a, &v2, buf, sizeof(buf), &where) == -1);
	/* The older answer's own slot is the one offered. */
	CHECK(pread(a.fd, buf, 48, (off_t)where * ANSWERS_SLOT_SIZE) == 48);
	CHECK(memcmp(buf + sizeof(struct slot_head), &v1, sizeof(v1)) == 0);
	put(&v2, body, sizeof(body));
	CHECK(answers_get(&a, &v2, buf, sizeof(buf), &where) ==
	    (long)strlen(body));
	CHECK(answers_get(&a, &v1, buf, sizeof(buf), &where) == -1);
}

/* The slot holding k's answer, found by its key bytes. */
static long
slot_of(const struct answer_key *k)
{
	unsigned char	 head[48];
	long		 i;

	for (i = 0; i < ANSWERS_SLOTS; i++)
		if (pread(a.fd, head, sizeof(head), (off_t)i *
		    ANSWERS_SLOT_SIZE) == (ssize_t)sizeof(head) &&
		    memcmp(head + sizeof(struct slot_head), k, sizeof(*k)) == 0)
			return i;
	return -1;
}

static void
a_torn_or_forged_slot_is_a_miss(void)
{
	struct answer_key	 k = key(301, 1);
	char			 body[64], buf[ANSWERS_SLOT_SIZE];
	uint32_t		 where;
	long			 i;
	off_t			 at;

	put(&k, body, sizeof(body));
	CHECK((i = slot_of(&k)) >= 0);
	at = (off_t)i * ANSWERS_SLOT_SIZE;
	/* Half of another write over the body. */
	CHECK(pwrite(a.fd, "XXXX", 4, at + 48 + 3) == 4);
	CHECK(answers_get(&a, &k, buf, sizeof(buf), &where) == -1);
	/* The key changed to another account's, the body and mac kept. */
	put(&k, body, sizeof(body));
	k.acct = 302;
	CHECK(pwrite(a.fd, &k, sizeof(k), at + sizeof(struct slot_head)) ==
	    (ssize_t)sizeof(k));
	CHECK(answers_get(&a, &k, buf, sizeof(buf), &where) == -1);
	/* A length past the slot. */
	k.acct = 301;
	put(&k, body, sizeof(body));
	CHECK(pwrite(a.fd, "\xff\xff\x00\x00", 4,
	    at + offsetof(struct slot_head, len)) == 4);
	CHECK(answers_get(&a, &k, buf, sizeof(buf), &where) == -1);
}

static void
an_answer_larger_than_a_slot_is_not_kept(void)
{
	struct answer_key	 k = key(401, 1);
	static char		 big[ANSWERS_SLOT_SIZE];
	char			 buf[ANSWERS_SLOT_SIZE];
	uint32_t		 where;

	memset(big, 'x', sizeof(big));
	CHECK(answers_get(&a, &k, buf, sizeof(buf), &where) == -1);
	answers_put(&a, &k, big, sizeof(big), where);
	CHECK(answers_get(&a, &k, buf, sizeof(buf), &where) == -1);
	answers_put(&a, &k, big, ANSWERS_BODY_MAX, where);
	CHECK(answers_get(&a, &k, buf, sizeof(buf), &where) ==
	    ANSWERS_BODY_MAX);
}

/*
 * Twice as many accounts as slots, written by two processes at once: an
 * answer found is always its own account's, and most recent ones are kept.
 */
static void
many_writers_never_give_an_account_another_s_answer(void)
{
	char		 body[64], buf[ANSWERS_SLOT_SIZE];
	struct answer_key k;
	uint32_t	 where;
	long		 n;
	int64_t		 i;
	int		 status, wrong = 0, found = 0;
	pid_t		 pid;

	if ((pid = fork()) == 0) {
		for (i = 0; i < 2 * ANSWERS_SLOTS; i++) {
			k = key(1000000 + i, 1);
			(void)store(&k, body, sizeof(body));
		}
		_exit(0);
	}
	for (i = 2 * ANSWERS_SLOTS - 1; i >= 0; i--) {
		k = key(1000000 + i, 1);
		(void)store(&k, body, sizeof(body));
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && status == 0);
	for (i = 0; i < 2 * ANSWERS_SLOTS; i++) {
		k = key(1000000 + i, 1);
		if ((n = answers_get(&a, &k, buf, sizeof(buf), &where)) < 0)
			continue;
		found++;
		snprintf(body, sizeof(body), "answer of %" PRId64 " v1",
		    k.acct);
		wrong += n != (long)strlen(body) ||
		    memcmp(buf, body, (size_t)n) != 0;
	}
	CHECK(wrong == 0);
	/* SLOTS_WAYS choices a key: well over half the slots hold one. */
	CHECK(found > ANSWERS_SLOTS * 3 / 4);
	printf("     %d of %d answers kept in %d slots\n", found,
	    2 * ANSWERS_SLOTS, ANSWERS_SLOTS);
}

/*
 * A whole table of answers of a past generation, then answers of the
 * current one for other accounts: those take the past ones' slots and
 * seldom each other's (2 of 2,048 lost in a run, against 256 if any slot
 * were taken at random).
 */
static void
a_past_generation_s_slot_is_taken_before_a_current_answer(void)
{
	char		 body[64], buf[ANSWERS_SLOT_SIZE];
	struct answer_key k;
	uint32_t	 where;
	int64_t		 i, n = ANSWERS_SLOTS / 4;
	int		 lost = 0;

	for (i = 0; i < 2 * ANSWERS_SLOTS; i++) {
		k = key(3000000 + i, 1);
		k.generation = 41;
		(void)store(&k, body, sizeof(body));
	}
	for (i = 0; i < n; i++) {
		k = key(4000000 + i, 1);
		k.generation = 42;
		(void)store(&k, body, sizeof(body));
	}
	for (i = 0; i < n; i++) {
		k = key(4000000 + i, 1);
		k.generation = 42;
		lost += answers_get(&a, &k, buf, sizeof(buf), &where) < 0;
	}
	printf("     %d of %" PRId64 " current answers lost\n", lost, n);
	CHECK(lost < n / 16);
}

/* A key's slots are SLOTS_WAYS different ones, within the table. */
static void
a_key_has_slots_ways_different_slots(void)
{
	uint32_t	 i[SLOTS_WAYS];
	int64_t		 acct;
	int		 j, k, bad = 0;

	for (acct = 0; acct < 100000; acct++) {
		slots_pick(&a, &acct, sizeof(acct), i);
		for (j = 0; j < SLOTS_WAYS; j++) {
			bad += i[j] >= ANSWERS_SLOTS;
			for (k = 0; k < j; k++)
				bad += i[k] == i[j];
		}
	}
	CHECK(bad == 0);
}

/*
 * 4,000 accounts, as many as the benchmark's widest row, in a table of
 * 8,192: once each has been loaded, a second pass finds nearly all (41
 * loaded again in a run; with two slots a key, 420).
 */
static void
a_second_pass_over_half_a_table_loads_almost_nothing(void)
{
	char		 body[64];
	struct answer_key k;
	int64_t		 i;
	int		 again = 0;

	for (i = 0; i < 4000; i++) {
		k = key(5000000 + i, 1);
		k.generation = 43;
		(void)store(&k, body, sizeof(body));
	}
	for (i = 0; i < 4000; i++) {
		k = key(5000000 + i, 1);
		k.generation = 43;
		again += store(&k, body, sizeof(body)) == 0;
	}
	printf("     %d of 4000 loaded again\n", again);
	CHECK(again < 100);
}

static double
ms_since(const struct timespec *t0)
{
	struct timespec	 t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1e3 + (t.tv_nsec - t0->tv_nsec) / 1e6;
}

/*
 * A child misses k while the parent loads it: it must not load too, and
 * waits for the parent's answer (exit 0), or for nothing (exit 1).
 */
static pid_t
waiter(const struct answer_key *k)
{
	char		 buf[ANSWERS_SLOT_SIZE], body[64];
	uint64_t	 ticket;
	uint32_t	 where;
	long		 n;
	pid_t		 pid;

	if ((pid = fork()) != 0)
		return pid;
	if (answers_claim(&a, claims, k, &ticket) != CLAIM_BUSY)
		_exit(2);
	n = answers_await(&a, claims, k, buf, sizeof(buf), &where);
	snprintf(body, sizeof(body), "answer of %" PRId64 " v%" PRId64,
	    k->acct, k->version);
	if (n < 0)
		_exit(1);
	_exit(n == (long)strlen(body) && memcmp(buf, body, (size_t)n) == 0 ?
	    0 : 3);
}

static int
exit_code(pid_t pid)
{
	int	 status;

	return pid > 0 && waitpid(pid, &status, 0) == pid &&
	    WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void
a_second_miss_waits_for_the_first_load_s_answer(void)
{
	struct answer_key	 k = key(501, 1);
	const struct timespec	 load = { 0, 5 * 1000 * 1000 };
	char			 body[64];
	uint64_t		 ticket, other;
	pid_t			 pid;

	CHECK(answers_claim(&a, claims, &k, &ticket) == CLAIM_OURS);
	pid = waiter(&k);
	nanosleep(&load, NULL);
	put(&k, body, sizeof(body));
	answers_release(&a, claims, &k, ticket);
	CHECK(exit_code(pid) == 0);
	/* Released: the next miss (say, of a newer version) loads. */
	CHECK(answers_claim(&a, claims, &k, &other) == CLAIM_OURS);
	answers_release(&a, claims, &k, other);
	/* Another key, another claim. */
	k.version = 2;
	CHECK(answers_claim(&a, claims, &k, &ticket) == CLAIM_OURS);
	answers_release(&a, claims, &k, ticket);
}

static void
a_load_that_shares_nothing_lets_the_waiters_load_at_once(void)
{
	struct answer_key	 k = key(502, 1);
	const struct timespec	 load = { 0, 5 * 1000 * 1000 };
	struct timespec		 t0;
	uint64_t		 ticket;
	pid_t			 pid;

	CHECK(answers_claim(&a, claims, &k, &ticket) == CLAIM_OURS);
	pid = waiter(&k);
	nanosleep(&load, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	answers_release(&a, claims, &k, ticket);	/* no answer put */
	CHECK(exit_code(pid) == 1);
	/* Told by the release, not by the claim's lapse. */
	CHECK(ms_since(&t0) < ANSWERS_CLAIM_MS / 2);
}

static void
a_claim_lapses_when_its_worker_is_gone(void)
{
	struct answer_key	 k = key(503, 1);
	const struct timespec	 lapse = { 0,
	    (ANSWERS_CLAIM_MS + 10) * 1000L * 1000 };
	uint64_t		 dead, ticket, later;

	CHECK(answers_claim(&a, claims, &k, &dead) == CLAIM_OURS);
	CHECK(answers_claim(&a, claims, &k, &ticket) == CLAIM_BUSY);
	/* Its waiters give up when it lapses, and load. */
	CHECK(exit_code(waiter(&k)) == 1);
	nanosleep(&lapse, NULL);
	CHECK(answers_claim(&a, claims, &k, &ticket) == CLAIM_OURS);
	/* The dead claim's release, should it come, frees nothing. */
	answers_release(&a, claims, &k, dead);
	CHECK(answers_claim(&a, claims, &k, &later) == CLAIM_BUSY);
	answers_release(&a, claims, &k, ticket);
}

int
main(void)
{
	if (answers_open(&a) != 0) {
		perror("answers_open");
		return 1;
	}
	claims = mmap(NULL, sizeof(*claims), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (claims == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	RUN(an_answer_kept_is_found_for_its_own_key_only);
	RUN(a_newer_version_replaces_the_older_in_its_slot);
	RUN(a_torn_or_forged_slot_is_a_miss);
	RUN(an_answer_larger_than_a_slot_is_not_kept);
	RUN(many_writers_never_give_an_account_another_s_answer);
	RUN(a_past_generation_s_slot_is_taken_before_a_current_answer);
	RUN(a_key_has_slots_ways_different_slots);
	RUN(a_second_pass_over_half_a_table_loads_almost_nothing);
	RUN(a_second_miss_waits_for_the_first_load_s_answer);
	RUN(a_load_that_shares_nothing_lets_the_waiters_load_at_once);
	RUN(a_claim_lapses_when_its_worker_is_gone);
	return DONE();
}
