/*
 * Log lines: one line per event on stderr,
 *   2026-11-29T14:00:00.123Z LEVEL billgw[PID] req=ID message
 * Never a password, a token or a full identifier (see auth/identifier.h for
 * the masked form).
 */
#ifndef BILLGW_LOG_H
#define BILLGW_LOG_H

void	log_set_request_id(const char *id);	/* NULL: none */
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* BILLGW_LOG_H */
