-- Invoices, payments and account messages (SPEC section 6).  Money is
-- BIGINT minor units of currency (ISO 4217), never a floating point type.

CREATE TABLE IF NOT EXISTS invoices (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	account_id	BIGINT UNSIGNED NOT NULL,
	number		VARCHAR(32) CHARACTER SET ascii COLLATE ascii_general_ci NOT NULL,
	kind		VARCHAR(16) NOT NULL DEFAULT 'service',
	issued_on	DATE NOT NULL,
	total_minor	BIGINT NOT NULL,
	currency	CHAR(3) CHARACTER SET ascii NOT NULL,
	void		TINYINT(1) NOT NULL DEFAULT 0,
	created_at	DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	UNIQUE KEY invoices_number (number),
	KEY invoices_account_issued (account_id, issued_on),
	CONSTRAINT invoices_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id),
	CONSTRAINT invoices_kind CHECK (kind IN ('service', 'hardware')),
	CONSTRAINT invoices_total CHECK (total_minor >= 0),
	CONSTRAINT invoices_currency CHECK (currency REGEXP '^[A-Z]{3}$'),
	CONSTRAINT invoices_void CHECK (void IN (0, 1))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- reference: an optional unique payment reference (the demo data uses it
-- to stay idempotent).
CREATE TABLE IF NOT EXISTS payments (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	account_id	BIGINT UNSIGNED NOT NULL,
	amount_minor	BIGINT NOT NULL,
	currency	CHAR(3) CHARACTER SET ascii NOT NULL,
	status		VARCHAR(16) NOT NULL DEFAULT 'processed',
	received_at	DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	reference	VARCHAR(64) CHARACTER SET ascii NULL,
	UNIQUE KEY payments_reference (reference),
	KEY payments_account (account_id, received_at),
	CONSTRAINT payments_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id),
	CONSTRAINT payments_amount CHECK (amount_minor > 0),
	CONSTRAINT payments_currency CHECK (currency REGEXP '^[A-Z]{3}$'),
	CONSTRAINT payments_status CHECK (status IN ('pending', 'processed'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS messages (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	account_id	BIGINT UNSIGNED NOT NULL,
	at		DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	text		VARCHAR(1000) NOT NULL,
	KEY messages_account (account_id, at),
	CONSTRAINT messages_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
