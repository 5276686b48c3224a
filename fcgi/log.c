#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static char	 request_id[64];

void
log_set_request_id(const char *id)
{
	size_t	 i;

	request_id[0] = '\0';
	if (id == NULL)
		return;
	/* nginx's $request_id is 32 hex digits; keep only safe bytes. */
	for (i = 0; id[i] != '\0' && i < sizeof(request_id) - 1; i++) {
		char c = id[i];
		request_id[i] = ((c >= '0' && c <= '9') ||
		    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    c == '-') ? c : '_';
	}
	request_id[i] = '\0';
}

static void
log_emit(const char *level, const char *fmt, va_list ap)
{
	char		 line[1024];
	struct timespec	 ts;
	struct tm	 tm;
	int		 n, m;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = snprintf(line, sizeof(line),
	    "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s billgw[%ld] req=%s ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, level,
	    (long)getpid(), request_id[0] ? request_id : "-");
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	m = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n >= sizeof(line) - 1)
		n = sizeof(line) - 2;
	/* One event, one line: no embedded newlines reach the log. */
	for (m = 0; m < n; m++)
		if (line[m] == '\n' || line[m] == '\r')
			line[m] = ' ';
	line[n++] = '\n';
	/* A single write(2) keeps lines from several workers whole. */
	(void)!write(STDERR_FILENO, line, n);
}

#define LOG_FN(name, level)					\
void								\
name(const char *fmt, ...)					\
{								\
	va_list	 ap;						\
	va_start(ap, fmt);					\
	log_emit(level, fmt, ap);				\
	va_end(ap);						\
}

LOG_FN(log_info, "INFO")
LOG_FN(log_warn, "WARN")
LOG_FN(log_err, "ERROR")
