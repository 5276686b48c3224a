#ifndef BILLGW_WORKER_H
#define BILLGW_WORKER_H

struct gateway;
struct scoreboard;

/*
 * A worker process: accept FastCGI requests on listen_fd and serve them
 * until told to stop (SIGTERM/SIGINT: finish the request in flight, then
 * exit 0) or until max_requests (exit 0: the master recycles it).  Runs in
 * the forked child; never returns.
 */
void	worker_run(int listen_fd, const struct gateway *gw,
	    struct scoreboard *sb, int slot) __attribute__((noreturn));

#endif /* BILLGW_WORKER_H */
