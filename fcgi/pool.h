#ifndef BILLGW_POOL_H
#define BILLGW_POOL_H

struct gateway;

/*
 * The master (SPEC section 8): bind gw's listen address, fork the workers,
 * and supervise them until SIGTERM/SIGINT.  SIGHUP re-reads config_path.
 * Takes ownership of gw.  Returns the exit status.
 */
int	pool_run(const char *config_path, struct gateway *gw);

#endif /* BILLGW_POOL_H */
