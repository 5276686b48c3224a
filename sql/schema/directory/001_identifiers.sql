-- The directory: which region is home to an identifier.  hmac is the keyed
-- HMAC-SHA-256 of "kind:normalised identifier" ([directory] key_file), so
-- the directory holds no personal data.

CREATE TABLE IF NOT EXISTS identifiers (
	hmac		BINARY(32) NOT NULL PRIMARY KEY,
	kind		VARCHAR(16) CHARACTER SET ascii NOT NULL,
	region		VARCHAR(16) CHARACTER SET ascii NOT NULL,
	created_at	DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	CONSTRAINT identifiers_kind CHECK (kind IN ('account', 'client', 'corporate'))
) ENGINE=InnoDB;
