/*
 * The gateway configuration (SPEC section 2): one INI file read with inih
 * into an immutable struct.  Every key is validated with its range; an error
 * names the file, the line and the key.
 */
#ifndef BILLGW_CONFIG_H
#define BILLGW_CONFIG_H

#include <stddef.h>

#define CONFIG_MAX_REGIONS	16
#define CONFIG_MAX_WORKERS	256
#define CONFIG_MAX_SIGNIN_WORKERS 64
#define CONFIG_PATH_MAX		256
#define CONFIG_URL_MAX		256
#define CONFIG_DSN_MAX		512

struct region_conf {
	char	 code[16];		/* [a-z]{2,8}, from [region.CODE] */
	char	 name[64];
	char	 currency[4];		/* ISO 4217, [A-Z]{3} */
	char	 timezone[64];		/* an IANA zone present in tzdata */
	char	 dsn[CONFIG_DSN_MAX];	/* mysql://user[:pass]@host[:port]/db[?socket=path] */
	char	 billing_center_url[CONFIG_URL_MAX];
	char	 corporate_portal_url[CONFIG_URL_MAX];
	char	 regional_portal_url[CONFIG_URL_MAX];
	char	 profile_url[CONFIG_URL_MAX];
	int	 payment_terms_days;	/* 0..365, default 15 */
	char	 billing_email[254];
	char	 remit_to[256];
};

struct config {
	char	 path[CONFIG_PATH_MAX];	/* the file it was read from */
	struct {
		char	 listen[CONFIG_PATH_MAX]; /* "unix:PATH" or "127.0.0.1:PORT" */
		int	 workers;		/* 1..CONFIG_MAX_WORKERS */
		long	 max_requests;		/* 1..1e9 */
		int	 request_timeout;	/* seconds, 1..3600 */
		int	 slow_request_ms;	/* 1..600000, default 1000 */
		int	 listen_backlog;	/* 16..65535, default 1024 */
		/* The sign-in lane; "": none (fcgi/pool.c). */
		char	 signin_listen[CONFIG_PATH_MAX];
		int	 signin_workers;	/* 0..64; 0: one per CPU */
		char	 public_url[CONFIG_URL_MAX];
	} gateway;
	struct {
		char	 keys_file[CONFIG_PATH_MAX];
		int	 ttl;			/* seconds, 60..86400 */
	} session;
	struct {
		char	 dsn[CONFIG_DSN_MAX];
		char	 key_file[CONFIG_PATH_MAX]; /* HMAC key, >= 32 bytes */
	} directory;
	size_t			 nregions;
	struct region_conf	 regions[CONFIG_MAX_REGIONS];
};

/*
 * Read and validate the file at path into *cf.  Returns 0, or -1 with a
 * message "FILE:LINE: [section] key: what is wrong" in err.
 */
int	config_load(const char *path, struct config *cf, char *err, size_t errlen);

/* Load from a string, for tests; name stands for the file name in errors. */
int	config_load_string(const char *name, const char *text,
	    struct config *cf, char *err, size_t errlen);

/* The region with this code, or NULL.  Borrowed from cf. */
const struct region_conf *config_region(const struct config *cf,
	    const char *code);

/* Its index in cf->regions, or -1. */
int	config_region_index(const struct config *cf, const char *code);

#endif /* BILLGW_CONFIG_H */
