-- What an account's summary reads from its invoices, payments and
-- messages (SPEC section 6), kept ready on the account as one JSON
-- document, so that a summary is one primary-key row instead of four
-- tables read and optimized again at every execution (sql/summary.c):
--	{"processed": <sum of processed payments>,
--	 "pending": <sum of pending payments>,
--	 "invoices": [[<issued, days since 1970-01-01>, <total>], ...] | null,
--	 "messages": [[<at, ISO 8601 UTC>, <text>], ...] | null}
-- The invoices are the non-void ones in issue order, at most 1,001: one
-- more than SUMMARY_INVOICES_MAX (sql/summary.h), so that too many is seen
-- without reading them all.  The messages are the latest 10
-- (SUMMARY_MESSAGES_MAX).
--
-- The triggers of migration 004 rewrite the digest where they bump the
-- version, whoever writes, holding the account's row lock; inside a
-- writing statement InnoDB reads the rows the digest comes from as they
-- are committed (locking reads), not as of the writer's snapshot, so a
-- writer whose transaction read earlier still writes a whole digest
-- (tests/unit/test_summary.c).  A session that sets @billgw_bulk skips both
-- (billgwctl demo, whose new accounts have no digest yet: it computes them
-- at the end of each block).  A NULL digest (an account with nothing
-- written since it was created, a bulk load not done, an account older
-- than this migration) is computed by the summary statement itself:
-- slower, never wrong.  billgwctl db migrate computes the missing ones
-- after the migrations, a few hundred accounts a statement; this file
-- does not, as one statement over every account can outlast the client's
-- read timeout (100,000 accounts took 15 s).

ALTER TABLE accounts ADD COLUMN IF NOT EXISTS digest LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL;

CREATE OR REPLACE FUNCTION account_digest(acct BIGINT UNSIGNED)
RETURNS LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin
READS SQL DATA
RETURN JSON_OBJECT(
	'processed', (SELECT COALESCE(SUM(amount_minor), 0) FROM payments WHERE account_id = acct AND status = 'processed'),
	'pending', (SELECT COALESCE(SUM(amount_minor), 0) FROM payments WHERE account_id = acct AND status = 'pending'),
	'invoices', (SELECT JSON_ARRAYAGG(JSON_ARRAY(TO_DAYS(issued_on) - TO_DAYS('1970-01-01'), total_minor) ORDER BY issued_on, id LIMIT 1001) FROM invoices WHERE account_id = acct AND void = 0),
	'messages', (SELECT JSON_ARRAYAGG(JSON_ARRAY(DATE_FORMAT(at, '%Y-%m-%dT%H:%i:%sZ'), text) ORDER BY at DESC, id DESC LIMIT 10) FROM messages WHERE account_id = acct));

CREATE OR REPLACE TRIGGER invoices_version_i AFTER INSERT ON invoices FOR EACH ROW UPDATE accounts SET version = version + 1, digest = account_digest(id) WHERE id = NEW.account_id AND @billgw_bulk IS NULL;
CREATE OR REPLACE TRIGGER invoices_version_u AFTER UPDATE ON invoices FOR EACH ROW UPDATE accounts SET version = version + 1, digest = account_digest(id) WHERE id IN (NEW.account_id, OLD.account_id) AND @billgw_bulk IS NULL;
CREATE OR REPLACE TRIGGER invoices_version_d AFTER DELETE ON invoices FOR EACH ROW UPDATE accounts SET version = version + 1, digest = account_digest(id) WHERE id = OLD.account_id AND @billgw_bulk IS NULL;

CREATE OR REPLACE TRIGGER payments_version_i AFTER INSERT ON payments FOR EACH ROW UPDATE accounts SET version = version + 1, digest = account_digest(id) WHERE id = NEW.account_id AND @billgw_bulk IS NULL;
CREATE OR REPLACE TRIGGER payments_version_u AFTER UPDATE ON payments FOR EACH ROW UPDATE accounts SET version = version + 1, digest = account_digest(id) WHERE id IN (NEW.account_id, OLD.account_id) AND @billgw_bulk IS NULL;
CREATE OR REPLACE TRIGGER payments_version_d AFTER DELETE ON payments FOR EACH ROW UPDATE accounts SET version = version + 1, digest = account_digest(id) WHERE id = OLD.account_id AND @billgw_bulk IS NULL;

CREATE OR REPLACE TRIGGER messages_version_i AFTER INSERT ON messages FOR EACH ROW UPDATE accounts SET version = version + 1, digest = account_digest(id) WHERE id = NEW.account_id AND @billgw_bulk IS NULL;
CREATE OR REPLACE TRIGGER messages_version_u AFTER UPDATE ON messages FOR EACH ROW UPDATE accounts SET version = version + 1, digest = account_digest(id) WHERE id IN (NEW.account_id, OLD.account_id) AND @billgw_bulk IS NULL;
CREATE OR REPLACE TRIGGER messages_version_d AFTER DELETE ON messages FOR EACH ROW UPDATE accounts SET version = version + 1, digest = account_digest(id) WHERE id = OLD.account_id AND @billgw_bulk IS NULL;
