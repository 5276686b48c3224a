-- Accounts and the people who sign in to them (SPEC section 3).
-- Every statement is safe to run again: DDL commits on its own in MariaDB,
-- so a migration interrupted half-way is finished by the next run.

CREATE TABLE IF NOT EXISTS accounts (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	number		VARCHAR(12) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	company		VARCHAR(200) NOT NULL,
	kind		VARCHAR(16) NOT NULL DEFAULT 'standard',
	portal		VARCHAR(16) NOT NULL DEFAULT 'billing_center',
	country		CHAR(2) CHARACTER SET ascii NOT NULL,
	billing_cycle	VARCHAR(16) NOT NULL DEFAULT 'month_end',
	invoice_delivery VARCHAR(16) NOT NULL DEFAULT 'full_detail',
	payment_method	VARCHAR(16) NOT NULL DEFAULT 'cash_check',
	autopay		TINYINT(1) NOT NULL DEFAULT 0,
	created_at	DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	UNIQUE KEY accounts_number (number),
	CONSTRAINT accounts_number_digits CHECK (number REGEXP '^[0-9]{6,12}$'),
	CONSTRAINT accounts_kind CHECK (kind IN ('standard', 'corporate')),
	CONSTRAINT accounts_portal CHECK (portal IN ('billing_center', 'regional')),
	CONSTRAINT accounts_country CHECK (country REGEXP '^[A-Z]{2}$'),
	CONSTRAINT accounts_billing_cycle CHECK (billing_cycle IN ('month_end', 'anniversary')),
	CONSTRAINT accounts_invoice_delivery CHECK (invoice_delivery IN ('full_detail', 'summary', 'none')),
	CONSTRAINT accounts_payment_method CHECK (payment_method IN ('cash_check', 'credit_card', 'bank_transfer')),
	CONSTRAINT accounts_autopay CHECK (autopay IN (0, 1))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- client_id is stored in its normalised (lower-case) form; the ASCII
-- case-insensitive collation makes the unique key case-insensitive too.
-- main_account_id is the account id for the main billing contact and NULL
-- for everyone else: its unique key allows at most one main per account.
CREATE TABLE IF NOT EXISTS users (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	account_id	BIGINT UNSIGNED NOT NULL,
	client_id	VARCHAR(32) CHARACTER SET ascii COLLATE ascii_general_ci NOT NULL,
	role		VARCHAR(16) NOT NULL DEFAULT 'super_admin',
	is_main		TINYINT(1) NOT NULL DEFAULT 0,
	main_account_id	BIGINT UNSIGNED AS (IF(is_main = 1, account_id, NULL)) PERSISTENT,
	name		VARCHAR(200) NOT NULL,
	email		VARCHAR(254) NOT NULL,
	password_hash	VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	session_version	INT UNSIGNED NOT NULL DEFAULT 1,
	created_at	DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	updated_at	DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
	UNIQUE KEY users_client_id (client_id),
	UNIQUE KEY users_one_main (main_account_id),
	KEY users_account (account_id),
	CONSTRAINT users_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id),
	CONSTRAINT users_client_id_lower CHECK (client_id = LOWER(client_id) COLLATE ascii_bin),
	CONSTRAINT users_role CHECK (role IN ('super_admin', 'view_pay', 'member')),
	CONSTRAINT users_main_is_contact CHECK (is_main = 0 OR role IN ('super_admin', 'view_pay')),
	CONSTRAINT users_is_main CHECK (is_main IN (0, 1)),
	CONSTRAINT users_hash_phc CHECK (password_hash LIKE '$argon2id$%')
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Corporate User IDs: credentials of a corporate account's billing
-- contacts, separate from client IDs, used only at the Corporate Billing
-- Portal.  user_id is normalised (lower-case): a user name or an e-mail.
CREATE TABLE IF NOT EXISTS corporate_users (
	id		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
	account_id	BIGINT UNSIGNED NOT NULL,
	user_id		VARCHAR(254) CHARACTER SET ascii COLLATE ascii_general_ci NOT NULL,
	name		VARCHAR(200) NOT NULL,
	email		VARCHAR(254) NOT NULL,
	password_hash	VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	session_version	INT UNSIGNED NOT NULL DEFAULT 1,
	created_at	DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	updated_at	DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
	UNIQUE KEY corporate_users_user_id (user_id),
	KEY corporate_users_account (account_id),
	CONSTRAINT corporate_users_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id),
	CONSTRAINT corporate_users_user_id_lower CHECK (user_id = LOWER(user_id) COLLATE ascii_bin),
	CONSTRAINT corporate_users_hash_phc CHECK (password_hash LIKE '$argon2id$%')
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
