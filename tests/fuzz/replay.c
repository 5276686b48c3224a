/*
 * replay FILE|DIR...: feed each file (a directory: each file in it, in
 * name order, dot files such as .gitkeep skipped) to the fuzz target this
 * program is linked with, once, in the order given.  Without libFuzzer, so
 * that the committed corpus and crash reproducers run as regression tests
 * in the ordinary sanitizer build (tests/CMakeLists.txt).  Arguments
 * starting with '-' are libFuzzer options and are ignored.
 *
 * A crash is the sanitizers' or FUZZ_ASSERT's: the process dies.  Exits 1
 * when a path cannot be read (a misspelt corpus must not pass as empty),
 * else 0 after printing how many inputs ran.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define REPLAY_FILE_MAX	(16 * 1024 * 1024)

static size_t	 nrun;

/* Run the target on the file at path.  0, or -1 with a message. */
static int
run_file(const char *path)
{
	FILE		*f;
	struct stat	 st;
	uint8_t		*buf;
	size_t		 n;

	if ((f = fopen(path, "rb")) == NULL || fstat(fileno(f), &st) == -1) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		if (f != NULL)
			fclose(f);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > REPLAY_FILE_MAX) {
		fprintf(stderr, "replay: %s: not a regular file of at most "
		    "%d bytes\n", path, REPLAY_FILE_MAX);
		fclose(f);
		return -1;
	}
	/* Exactly the file's size, so that a read past its end is caught. */
	if ((buf = malloc(st.st_size > 0 ? (size_t)st.st_size : 1)) == NULL) {
		fclose(f);
		fprintf(stderr, "replay: %s: out of memory\n", path);
		return -1;
	}
	n = fread(buf, 1, (size_t)st.st_size, f);
	if (ferror(f) || n != (size_t)st.st_size) {
		fprintf(stderr, "replay: %s: read error\n", path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	fprintf(stderr, "replay: %s (%zu bytes)\n", path, n);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	nrun++;
	return 0;
}

static int
name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int
no_dot(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Each file of the directory at path, in name order.  0 or -1. */
static int
run_dir(const char *path)
{
	struct dirent	**ents;
	char		 *sub;
	int		  i, n, rc = 0;

	if ((n = scandir(path, &ents, no_dot, name_cmp)) == -1) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (asprintf(&sub, "%s/%s", path, ents[i]->d_name) == -1) {
			fprintf(stderr, "replay: out of memory\n");
			rc = -1;
		} else {
			if (run_file(sub) == -1)
				rc = -1;
			free(sub);
		}
		free(ents[i]);
	}
	free(ents);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct stat	 st;
	int		 i, rc = 0;

	LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;
		if (stat(argv[i], &st) == -1) {
			fprintf(stderr, "replay: %s: %s\n", argv[i],
			    strerror(errno));
			rc = 1;
		} else if (S_ISDIR(st.st_mode)) {
			if (run_dir(argv[i]) == -1)
				rc = 1;
		} else if (run_file(argv[i]) == -1)
			rc = 1;
	}
	printf("replay: %zu inputs ran%s\n", nrun, rc ? ", some paths "
	    "could not be read" : "");
	return rc;
}
