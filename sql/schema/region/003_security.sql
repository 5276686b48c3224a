-- Audit log, sign-in throttle, password resets and the mail outbox
-- (SPEC sections 4, 7 and 9).

-- Append-only: the application only INSERTs here.  actor is the masked
-- identifier (auth/identifier.h); there is no column for a password, a
-- token or a full identifier.  account_id is not a foreign key so that the
-- log outlives what it records.
CREATE TABLE IF NOT EXISTS audit_log (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	at		DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
	actor		VARCHAR(64) NOT NULL,
	account_id	BIGINT UNSIGNED NULL,
	event		VARCHAR(32) NOT NULL,
	outcome		VARCHAR(32) NOT NULL,
	client_addr	VARCHAR(45) CHARACTER SET ascii NOT NULL DEFAULT '',
	request_id	VARCHAR(64) CHARACTER SET ascii NOT NULL DEFAULT '',
	KEY audit_log_account (account_id, at),
	KEY audit_log_at (at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- key_hash: keyed HMAC-SHA-256 of "kind:normalised identifier" (the
-- directory key), so the table names nobody.
CREATE TABLE IF NOT EXISTS signin_throttle (
	key_hash	BINARY(32) NOT NULL PRIMARY KEY,
	failures	INT UNSIGNED NOT NULL DEFAULT 0,
	first_failure_at DATETIME NOT NULL,
	locked_until	DATETIME NULL,
	KEY signin_throttle_first (first_failure_at)
) ENGINE=InnoDB;

-- token_hash: SHA-256 of the random token; the token itself is only in the
-- mail.
CREATE TABLE IF NOT EXISTS password_resets (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	token_hash	BINARY(32) NOT NULL,
	user_id		BIGINT UNSIGNED NOT NULL,
	created_at	DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	expires_at	DATETIME NOT NULL,
	used_at		DATETIME NULL,
	UNIQUE KEY password_resets_token (token_hash),
	KEY password_resets_user (user_id),
	CONSTRAINT password_resets_user_fk FOREIGN KEY (user_id) REFERENCES corporate_users (id)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS outbox (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	to_addr		VARCHAR(254) NOT NULL,
	subject		VARCHAR(255) NOT NULL,
	body		TEXT NOT NULL,
	created_at	DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	sent_at		DATETIME NULL,
	KEY outbox_unsent (sent_at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
