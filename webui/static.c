/*
 * Static files (static.h).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "static.h"

static const struct {
	const char	*ext;
	const char	*type;
} mime_types[] = {
	{ "html", "text/html; charset=utf-8" },
	{ "htm", "text/html; charset=utf-8" },
	{ "js", "text/javascript; charset=utf-8" },
	{ "mjs", "text/javascript; charset=utf-8" },
	{ "css", "text/css; charset=utf-8" },
	{ "json", "application/json; charset=utf-8" },
	{ "map", "application/json; charset=utf-8" },
	{ "txt", "text/plain; charset=utf-8" },
	{ "svg", "image/svg+xml; charset=utf-8" },
	{ "png", "image/png" },
	{ "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },
	{ "gif", "image/gif" },
	{ "webp", "image/webp" },
	{ "ico", "image/x-icon" },
	{ "woff", "font/woff" },
	{ "woff2", "font/woff2" },
	{ "ttf", "font/ttf" },
	{ "wasm", "application/wasm" },
	{ "webmanifest", "application/manifest+json; charset=utf-8" },
};

const char *
static_mime(const char *name)
{
	const char *dot = strrchr(name, '.'), *slash = strrchr(name, '/');
	size_t i;

	if (dot == NULL || (slash != NULL && dot < slash))
		return "application/octet-stream";
	for (i = 0; i < sizeof(mime_types) / sizeof(mime_types[0]); i++)
		if (strcasecmp(dot + 1, mime_types[i].ext) == 0)
			return mime_types[i].type;
	return "application/octet-stream";
}

int
static_resolve(const char *url_path, char *out, size_t out_len)
{
	const char *p, *seg;
	size_t n, len;

	if (url_path[0] != '/')
		return -1;
	if (strcmp(url_path, "/") == 0)
		url_path = "/index.html";
	len = strlen(url_path + 1);
	if (len == 0 || len >= out_len || url_path[len] == '/')
		return -1;
	for (p = url_path + 1; *p != '\0'; p = seg + n + (seg[n] == '/')) {
		seg = p;
		n = strcspn(seg, "/");
		/* Empty, hidden, "." and ".." segments name nothing we serve. */
		if (n == 0 || seg[0] == '.')
			return -1;
	}
	for (p = url_path + 1; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\')
			return -1;
	memcpy(out, url_path + 1, len + 1);
	return 0;
}

static int
read_all(int fd, size_t size, struct buf *body)
{
	size_t got = 0;
	ssize_t n;
	char *dst = buf_reserve(body, size);

	while (got < size) {
		n = read(fd, dst + got, size - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -2;
		got += (size_t)n;
	}
	body->len += got;
	body->p[body->len] = '\0';
	return 0;
}

int
static_load(const char *root, const char *rel, struct buf *body)
{
	char path[PATH_MAX], real[PATH_MAX];
	size_t rlen = strlen(root);
	struct stat st;
	int fd, rc;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", root, rel) >=
	    sizeof(path))
		return -1;
	/* A link may point anywhere: what it resolves to must be inside. */
	if (realpath(path, real) == NULL)
		return errno == ENOENT || errno == ENOTDIR ? -1 : -2;
	if (strncmp(real, root, rlen) != 0 || real[rlen] != '/')
		return -1;
	if ((fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return errno == ENOENT ? -1 : -2;
	if (fstat(fd, &st) == -1) {
		close(fd);
		return -2;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > STATIC_FILE_MAX) {
		close(fd);
		return -1;
	}
	rc = read_all(fd, (size_t)st.st_size, body);
	close(fd);
	return rc;
}
