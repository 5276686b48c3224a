/*
 * billgwctl's outbox commands (SPEC section 8): list the queued mails and
 * hand them to a sendmail-compatible program.
 *
 *	outbox list [--region R]
 *	outbox send --sendmail PATH [--region R]
 *
 * "send" pipes one RFC 5322 message per unsent mail, oldest first, to
 * "PATH -t -i" (fork and exec, no shell: the recipient is in the To:
 * header, never in argv) and marks the mail sent only when the program
 * exits 0.  Each mail is taken in a transaction of its own that locks its
 * row (SKIP LOCKED), so two senders at once never send one mail twice.
 * The one gap: a mail the program took whose mark then fails is sent
 * again next time (at least once, never lost); that is reported.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "auth/identifier.h"
#include "ctl/ctl.h"
#include "regions/config.h"
#include "regions/dbroute.h"
#include "sql/db.h"
#include "sql/outbox.h"

#define OUTBOX_LIMIT	1000	/* mails listed per region */
#define WORD_BYTES	45	/* subject bytes per RFC 2047 encoded word */

/* Print s with every control byte but '\n' (and '\t') as '?'. */
static void
put_clean(const char *s, FILE *f)
{
	for (; *s != '\0'; s++)
		fputc(((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t') ||
		    *s == 0x7f ? '?' : *s, f);
}

static const char *
cell(const struct db_result *res, size_t row, enum outbox_col col)
{
	const struct db_val	*v = DB_CELL(res, row, col);

	return v->type == DB_T_TEXT ? v->s : "";
}

/*
 * One line per mail (region, id, created, sent or "unsent", recipient,
 * subject), then its body, each line indented by a tab.
 */
int
cmd_outbox_list(struct ctl *c, struct opt *o)
{
	struct db_result	*res;
	const char		*b, *nl;
	size_t			 i, k;
	int			 ri = -1, rc = CTL_EXIT_OK;
	enum db_res		 r;

	if (opt(o, "region") != NULL && (ri = region_arg(c, o)) == -1)
		return CTL_EXIT_USAGE;
	for (i = 0; i < c->cf.nregions; i++) {
		if (ri != -1 && (size_t)ri != i)
			continue;
		if ((r = outbox_read(dbroute_region(c->dr, (int)i),
		    OUTBOX_LIMIT, &res)) != DB_OK) {
			ctl_err("region %s: %s", c->cf.regions[i].code,
			    db_res_str(r));
			rc = CTL_EXIT_FAIL;
			continue;
		}
		for (k = 0; k < res->nrows; k++) {
			printf("%s\t%lld\t%s\t", c->cf.regions[i].code,
			    (long long)DB_CELL(res, k, OUTBOX_ID)->i,
			    cell(res, k, OUTBOX_CREATED_AT));
			fputs(DB_CELL(res, k, OUTBOX_SENT_AT)->type ==
			    DB_T_NULL ? "unsent" : cell(res, k, OUTBOX_SENT_AT),
			    stdout);
			putchar('\t');
			put_clean(cell(res, k, OUTBOX_TO), stdout);
			putchar('\t');
			put_clean(cell(res, k, OUTBOX_SUBJECT), stdout);
			putchar('\n');
			b = cell(res, k, OUTBOX_BODY);
			for (; *b != '\0'; b = nl) {
				if ((nl = strchr(b, '\n')) == NULL)
					nl = b + strlen(b);
				printf("\t%.*s\n", (int)(nl - b), b);
				if (*nl == '\n')
					nl++;
			}
		}
		printf("region %s: %zu message(s)\n", c->cf.regions[i].code,
		    res->nrows);
		db_result_free(res);
	}
	return rc;
}

/* Is s a subject we can put in a header: no control character? */
static int
subject_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/*
 * The Subject: header's value (subject_ok): s itself when it is ASCII,
 * else RFC 2047 encoded words of UTF-8, cut between characters, folded.
 */
static void
put_subject(const char *s, FILE *f)
{
	char		 b64[sodium_base64_ENCODED_LEN(WORD_BYTES,
			    sodium_base64_VARIANT_ORIGINAL)];
	size_t		 i, n, len = strlen(s);
	int		 ascii = 1;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			ascii = 0;
	if (ascii) {
		fputs(s, f);
		return;
	}
	for (i = 0; i < len; i += n) {
		n = len - i < WORD_BYTES ? len - i : WORD_BYTES;
		/* Back off to the start of a UTF-8 character. */
		while (n > 1 && i + n < len &&
		    ((unsigned char)s[i + n] & 0xc0) == 0x80)
			n--;
		sodium_bin2base64(b64, sizeof(b64),
		    (const unsigned char *)s + i, n,
		    sodium_base64_VARIANT_ORIGINAL);
		fprintf(f, "%s=?UTF-8?B?%s?=", i > 0 ? "\n " : "", b64);
	}
}

/* created ("YYYY-MM-DD HH:MM:SS", UTC) as an RFC 5322 date; now if bad. */
static void
put_date(const char *created, FILE *f)
{
	struct tm	 tm;
	time_t		 t;
	char		 buf[64];
	const char	*end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(created, "%Y-%m-%d %H:%M:%S", &tm);
	if (end == NULL || *end != '\0' || (t = timegm(&tm)) == (time_t)-1)
		t = time(NULL);
	gmtime_r(&t, &tm);
	/* billgwctl never calls setlocale(): the names are English. */
	strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	fputs(buf, f);
}

/* The message of mail row 0 of res, from region rc, onto f. */
static void
put_message(const struct region_conf *rc, const struct db_result *res,
    FILE *f)
{
	const char	*body = cell(res, 0, OUTBOX_BODY);

	fprintf(f, "To: %s\n", cell(res, 0, OUTBOX_TO));
	if (rc->billing_email[0] != '\0')
		fprintf(f, "From: %s\n", rc->billing_email);
	fputs("Subject: ", f);
	put_subject(cell(res, 0, OUTBOX_SUBJECT), f);
	fputs("\nDate: ", f);
	put_date(cell(res, 0, OUTBOX_CREATED_AT), f);
	fputs("\nMIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: 8bit\n"
	    "\n", f);
	fputs(body, f);
	if (body[0] != '\0' && body[strlen(body) - 1] != '\n')
		fputc('\n', f);
}

/*
 * Run "path -t -i" with mail row 0 of res on its standard input (its
 * standard output goes to our standard error, so that ours stays the
 * report).  0 when it exits 0, else -1 after saying why.  A mail whose
 * recipient or subject could inject a header is refused before anything
 * runs.
 */
static int
pipe_mail(const char *path, const struct region_conf *rc,
    const struct db_result *res, int64_t id)
{
	char *const	 argv[] = { (char *)path, "-t", "-i", NULL };
	const char	*to = cell(res, 0, OUTBOX_TO);
	struct ident	 check;
	FILE		*f;
	pid_t		 pid;
	int		 fd[2], status, bad = 0;

	if (strchr(to, '@') == NULL || ident_classify(to, strlen(to),
	    IDENT_SCOPE_CORPORATE, &check) != IDENT_OK) {
		ctl_err("mail %lld: the recipient is not an e-mail address",
		    (long long)id);
		return -1;
	}
	if (!subject_ok(cell(res, 0, OUTBOX_SUBJECT))) {
		ctl_err("mail %lld: the subject holds a control character",
		    (long long)id);
		return -1;
	}
	if (pipe(fd) == -1) {
		ctl_err("pipe: %s", strerror(errno));
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1) {
		ctl_err("fork: %s", strerror(errno));
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	if (pid == 0) {
		if (dup2(fd[0], STDIN_FILENO) == -1 ||
		    dup2(STDERR_FILENO, STDOUT_FILENO) == -1)
			_exit(127);
		/* Nothing else of ours: not the pipe, not a database socket. */
		closefrom(STDERR_FILENO + 1);
		execv(path, argv);
		_exit(127);
	}
	close(fd[0]);
	if ((f = fdopen(fd[1], "w")) == NULL) {
		ctl_err("fdopen: %s", strerror(errno));
		close(fd[1]);
		bad = 1;
	} else {
		put_message(rc, res, f);
		/* EPIPE: the program quit without reading it all. */
		if (fclose(f) != 0) {
			ctl_err("mail %lld: writing to %s: %s", (long long)id,
			    path, strerror(errno));
			bad = 1;
		}
	}
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR) {
			ctl_err("waitpid: %s", strerror(errno));
			return -1;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return bad ? -1 : 0;
	if (WIFEXITED(status))
		ctl_err("mail %lld: %s exited with %d", (long long)id, path,
		    WEXITSTATUS(status));
	else
		ctl_err("mail %lld: %s was killed by signal %d",
		    (long long)id, path, WTERMSIG(status));
	return -1;
}

/*
 * Send the unsent mails of region ri, oldest first.  Adds to *sent and
 * *failed; returns an exit code (a database failure stops the region).
 */
static int
send_region(struct ctl *c, int ri, const char *path, size_t *sent,
    size_t *failed)
{
	struct db_result	*res;
	struct db		*db = dbroute_region(c->dr, ri);
	const char		*code = c->cf.regions[ri].code;
	int64_t			 id, after = 0;
	enum db_res		 r;
	int			 rc = CTL_EXIT_OK;

	for (;;) {
		if ((r = db_begin(db)) != DB_OK ||
		    (r = outbox_next(db, after, &res)) != DB_OK) {
			db_rollback(db);
			if (r == DB_NOTFOUND)
				return rc;
			ctl_err("region %s: %s", code, db_res_str(r));
			return CTL_EXIT_FAIL;
		}
		id = after = DB_CELL(res, 0, OUTBOX_ID)->i;
		if (pipe_mail(path, &c->cf.regions[ri], res, id) == -1) {
			db_rollback(db);	/* it stays unsent */
			db_result_free(res);
			(*failed)++;
			rc = CTL_EXIT_FAIL;
			continue;
		}
		db_result_free(res);
		if ((r = outbox_mark_sent(db, id)) != DB_OK ||
		    (r = db_commit(db)) != DB_OK) {
			db_rollback(db);
			ctl_err("region %s: mail %lld was sent but not marked "
			    "(%s): it will be sent again", code, (long long)id,
			    db_res_str(r));
			(*failed)++;
			return CTL_EXIT_FAIL;
		}
		(*sent)++;
	}
}

int
cmd_outbox_send(struct ctl *c, struct opt *o)
{
	const char	*path = opt(o, "sendmail");
	size_t		 i, sent, failed, tsent = 0, tfailed = 0;
	int		 ri = -1, rc = CTL_EXIT_OK;

	if (access(path, X_OK) == -1) {
		ctl_err("--sendmail %s: %s", path, strerror(errno));
		return CTL_EXIT_USAGE;
	}
	if (opt(o, "region") != NULL && (ri = region_arg(c, o)) == -1)
		return CTL_EXIT_USAGE;
	if (sodium_init() < 0) {
		ctl_err("cannot initialise libsodium");
		return CTL_EXIT_FAIL;
	}
	/* A program that quits early must fail its mail, not kill us. */
	(void)signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < c->cf.nregions; i++) {
		if (ri != -1 && (size_t)ri != i)
			continue;
		sent = failed = 0;
		if (send_region(c, (int)i, path, &sent, &failed) !=
		    CTL_EXIT_OK)
			rc = CTL_EXIT_FAIL;
		printf("region %s: %zu sent, %zu failed\n",
		    c->cf.regions[i].code, sent, failed);
		tsent += sent;
		tfailed += failed;
	}
	printf("%zu sent, %zu failed\n", tsent, tfailed);
	return rc;
}
