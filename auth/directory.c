/*
 * The identifier directory.  See directory.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "auth/directory.h"
#include "auth/identifier.h"

struct directory {
	size_t		 keylen;
	unsigned char	 key[DIRECTORY_KEY_MAX];
};

static const char	sql_insert[] =
	"INSERT INTO identifiers (hmac, kind, region) VALUES (?, ?, ?)";
static const char	sql_region[] =
	"SELECT region FROM identifiers WHERE hmac = ?";
static const char	sql_delete[] =
	"DELETE FROM identifiers WHERE hmac = ? AND region = ?";

struct directory *
directory_new(const char *key_file, char *err, size_t errlen)
{
	struct directory	*dir;
	ssize_t			 n;
	size_t			 len = 0;
	int			 fd;

	if (sodium_init() < 0) {
		snprintf(err, errlen, "libsodium cannot start");
		return NULL;
	}
	if ((dir = calloc(1, sizeof(*dir))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if ((fd = open(key_file, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", key_file, strerror(errno));
		goto fail;
	}
	/* Read one byte more than allowed to tell "too long" apart. */
	for (;;) {
		n = read(fd, dir->key + len, sizeof(dir->key) - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == sizeof(dir->key)) {
			char	 c;

			if (read(fd, &c, 1) == 1) {
				snprintf(err, errlen, "%s: key longer than %d "
				    "bytes", key_file, DIRECTORY_KEY_MAX);
				close(fd);
				goto fail;
			}
			break;
		}
	}
	close(fd);
	if (n == -1) {
		snprintf(err, errlen, "%s: %s", key_file, strerror(errno));
		goto fail;
	}
	if (len < DIRECTORY_KEY_MIN) {
		snprintf(err, errlen, "%s: key of %zu bytes, at least %d "
		    "needed", key_file, len, DIRECTORY_KEY_MIN);
		goto fail;
	}
	dir->keylen = len;
	return dir;
fail:
	directory_free(dir);
	return NULL;
}

void
directory_free(struct directory *dir)
{
	if (dir == NULL)
		return;
	sodium_memzero(dir, sizeof(*dir));
	free(dir);
}

void
directory_hmac(const struct directory *dir, const struct ident *id,
    unsigned char out[DIRECTORY_HMAC_LEN])
{
	crypto_auth_hmacsha256_state	 st;
	const char			*kind = ident_kind_str(id->kind);

	crypto_auth_hmacsha256_init(&st, dir->key, dir->keylen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)kind,
	    strlen(kind));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)":", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)id->norm,
	    id->len);
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(&st, sizeof(st));
}

enum db_res
directory_lookup(struct directory *dir, struct db *dirdb,
    const struct ident *id, char *region, size_t regionlen)
{
	unsigned char		 h[DIRECTORY_HMAC_LEN];
	struct db_val		 p[1];
	struct db_result	*res;
	enum db_res		 r;

	directory_hmac(dir, id, h);
	p[0] = DB_BLOB(h, sizeof(h));
	if ((r = db_query_row(dirdb, sql_region, p, 1, &res)) != DB_OK)
		return r;
	if (DB_CELL(res, 0, 0)->type != DB_T_TEXT)
		r = DB_ERR;
	else
		snprintf(region, regionlen, "%s", DB_CELL(res, 0, 0)->s);
	db_result_free(res);
	return r;
}

enum db_res
directory_put(struct directory *dir, struct db *dirdb, const struct ident *id,
    const char *region, int *created, char *holder, size_t holderlen)
{
	unsigned char	 h[DIRECTORY_HMAC_LEN];
	struct db_val	 p[3];
	enum db_res	 r;

	*created = 0;
	directory_hmac(dir, id, h);
	p[0] = DB_BLOB(h, sizeof(h));
	p[1] = DB_STR(ident_kind_str(id->kind));
	p[2] = DB_STR(region);
	if ((r = db_exec(dirdb, sql_insert, p, 3, NULL)) == DB_OK) {
		*created = 1;
		return DB_OK;
	}
	if (r != DB_CONFLICT)
		return r;
	if ((r = directory_lookup(dir, dirdb, id, holder, holderlen)) != DB_OK)
		return r;
	return strcmp(holder, region) == 0 ? DB_OK : DB_CONFLICT;
}

enum db_res
directory_put_batch(struct directory *dir, struct db *dirdb,
    const struct ident *ids, size_t n, const char *region)
{
	unsigned char		(*h)[DIRECTORY_HMAC_LEN] = NULL;
	struct db_val		*p = NULL;
	char			*sql = NULL;
	size_t			 i;
	enum db_res		 r = DB_ERR;

	if (n == 0)
		return DB_OK;
	if (n > DIRECTORY_BATCH_MAX)
		return DB_ERR;
	if ((h = calloc(n, sizeof(*h))) == NULL ||
	    (p = calloc(n * 3, sizeof(*p))) == NULL ||
	    (sql = db_sql_rows("INSERT INTO identifiers (hmac, kind, region) "
	    "VALUES ", "(?, ?, ?)", n,
	    " ON DUPLICATE KEY UPDATE region = region")) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		directory_hmac(dir, &ids[i], h[i]);
		p[3 * i] = DB_BLOB(h[i], DIRECTORY_HMAC_LEN);
		p[3 * i + 1] = DB_STR(ident_kind_str(ids[i].kind));
		p[3 * i + 2] = DB_STR(region);
	}
	r = db_exec(dirdb, sql, p, n * 3, NULL);
out:
	free(sql);
	free(p);
	free(h);
	return r;
}

enum db_res
directory_remove(struct directory *dir, struct db *dirdb,
    const struct ident *id, const char *region)
{
	unsigned char	 h[DIRECTORY_HMAC_LEN];
	struct db_val	 p[2];

	directory_hmac(dir, id, h);
	p[0] = DB_BLOB(h, sizeof(h));
	p[1] = DB_STR(region);
	return db_exec(dirdb, sql_delete, p, 2, NULL);
}
