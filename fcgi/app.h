/*
 * What a handler is given besides the request: the worker's configuration,
 * its database handles and the pool scoreboard.  All borrowed.
 */
#ifndef BILLGW_APP_H
#define BILLGW_APP_H

struct config;
struct dbroute;
struct scoreboard;
struct sb_worker;
struct request;
struct response;

struct app {
	const struct config	*cf;
	struct dbroute		*db;
	struct scoreboard	*sb;
	struct sb_worker	*me;	/* this worker's slot */
};

typedef void	(*handler_fn)(struct app *, struct request *,
		    struct response *);

/* fcgi/api_ops.c: the operations endpoints for load balancers. */
void	api_healthz(struct app *, struct request *, struct response *);
void	api_readyz(struct app *, struct request *, struct response *);
void	api_status(struct app *, struct request *, struct response *);
void	api_metrics(struct app *, struct request *, struct response *);

#endif /* BILLGW_APP_H */
