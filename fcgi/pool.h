#ifndef BILLGW_POOL_H
#define BILLGW_POOL_H

struct config;

/*
 * The master (SPEC section 8): bind cf's listen address, fork the workers,
 * and supervise them until SIGTERM/SIGINT.  SIGHUP re-reads config_path.
 * Takes ownership of cf (heap-allocated).  Returns the exit status.
 */
int	pool_run(const char *config_path, struct config *cf);

#endif /* BILLGW_POOL_H */
