-- The version of what an account's summary shows (SPEC section 6): every
-- change to the account, its users, invoices, payments or messages bumps
-- it, whoever writes, so a worker may keep a summary until it moves.
-- A session that sets @billgw_bulk (billgwctl demo, writing accounts that
-- are new, so that nobody can hold a summary of them) skips the bump: the
-- generator would otherwise run at half its speed.

ALTER TABLE accounts ADD COLUMN IF NOT EXISTS version BIGINT UNSIGNED NOT NULL DEFAULT 1;

CREATE TRIGGER IF NOT EXISTS accounts_version BEFORE UPDATE ON accounts FOR EACH ROW SET NEW.version = IF(NEW.version = OLD.version, OLD.version + 1, NEW.version);

CREATE TRIGGER IF NOT EXISTS invoices_version_i AFTER INSERT ON invoices FOR EACH ROW UPDATE accounts SET version = version + 1 WHERE id = NEW.account_id AND @billgw_bulk IS NULL;
CREATE TRIGGER IF NOT EXISTS invoices_version_u AFTER UPDATE ON invoices FOR EACH ROW UPDATE accounts SET version = version + 1 WHERE id IN (NEW.account_id, OLD.account_id) AND @billgw_bulk IS NULL;
CREATE TRIGGER IF NOT EXISTS invoices_version_d AFTER DELETE ON invoices FOR EACH ROW UPDATE accounts SET version = version + 1 WHERE id = OLD.account_id AND @billgw_bulk IS NULL;

CREATE TRIGGER IF NOT EXISTS payments_version_i AFTER INSERT ON payments FOR EACH ROW UPDATE accounts SET version = version + 1 WHERE id = NEW.account_id AND @billgw_bulk IS NULL;
CREATE TRIGGER IF NOT EXISTS payments_version_u AFTER UPDATE ON payments FOR EACH ROW UPDATE accounts SET version = version + 1 WHERE id IN (NEW.account_id, OLD.account_id) AND @billgw_bulk IS NULL;
CREATE TRIGGER IF NOT EXISTS payments_version_d AFTER DELETE ON payments FOR EACH ROW UPDATE accounts SET version = version + 1 WHERE id = OLD.account_id AND @billgw_bulk IS NULL;

CREATE TRIGGER IF NOT EXISTS messages_version_i AFTER INSERT ON messages FOR EACH ROW UPDATE accounts SET version = version + 1 WHERE id = NEW.account_id AND @billgw_bulk IS NULL;
CREATE TRIGGER IF NOT EXISTS messages_version_u AFTER UPDATE ON messages FOR EACH ROW UPDATE accounts SET version = version + 1 WHERE id IN (NEW.account_id, OLD.account_id) AND @billgw_bulk IS NULL;
CREATE TRIGGER IF NOT EXISTS messages_version_d AFTER DELETE ON messages FOR EACH ROW UPDATE accounts SET version = version + 1 WHERE id = OLD.account_id AND @billgw_bulk IS NULL;

CREATE TRIGGER IF NOT EXISTS users_version_i AFTER INSERT ON users FOR EACH ROW UPDATE accounts SET version = version + 1 WHERE id = NEW.account_id AND @billgw_bulk IS NULL;
CREATE TRIGGER IF NOT EXISTS users_version_u AFTER UPDATE ON users FOR EACH ROW UPDATE accounts SET version = version + 1 WHERE id IN (NEW.account_id, OLD.account_id) AND @billgw_bulk IS NULL;
CREATE TRIGGER IF NOT EXISTS users_version_d AFTER DELETE ON users FOR EACH ROW UPDATE accounts SET version = version + 1 WHERE id = OLD.account_id AND @billgw_bulk IS NULL;
