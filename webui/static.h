/*
 * Static files of the dashboard, served from TW_WEB_ROOT by webui itself
 * so every answer carries its headers: "/" is index.html, no directory is
 * listed, no path leaves the root (no "..", no hidden names, no symbolic
 * link pointing outside), and the content type comes from a fixed table.
 */
#ifndef STATIC_H
#define STATIC_H

#include <stddef.h>

#include "buf.h"

#define STATIC_FILE_MAX		(32 * 1024 * 1024)

/*
 * Maps a decoded URL path to a path relative to the root ("/" ->
 * "index.html"). -1 when the path cannot name a file we serve. Pure.
 */
int		 static_resolve(const char *url_path, char *out, size_t out_len);
/* The Content-Type for a file name (by extension). Pure. */
const char	*static_mime(const char *name);

/*
 * Reads root/rel into body. root must be a real path (realpath()). 0, or
 * -1 when it is missing, not a regular file, outside the root or too big
 * (all a 404 to the client), or -2 on an I/O error (a 500).
 */
int		 static_load(const char *root, const char *rel, struct buf *body);

#endif /* STATIC_H */
