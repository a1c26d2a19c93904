/* file: the one way pxcmesh reads a file it was given (config, MySQL option files,
 * kubeconfig and the files it names, themes, snapshots). A path that names a FIFO, a
 * device or a directory is refused before a byte is read, and nothing larger than the
 * caller's limit is read, so a wrong path can neither block the reader nor fill memory.
 * Any thread; blocking only on the filesystem (open never waits for a FIFO writer). */
#ifndef PXC_BASE_FILE_H
#define PXC_BASE_FILE_H

#include <stddef.h>

#include "pxerr.h"

/* Read the whole regular file path, at most max_bytes. On success *out is owned (free),
 * NUL-terminated one byte past *len (the file may hold NULs of its own). On failure *out
 * and *len are untouched and err says, naming the path:
 *   PXE_NOTFOUND  no such file
 *   PXE_INVAL     not a regular file ("PATH: not a regular file (a FIFO); give a file")
 *   PXE_TOOBIG    larger than max_bytes (the message gives the limit)
 *   PXE_IO        any other open or read error, with strerror's words */
int file_read(const char *path, size_t max_bytes, char **out, size_t *len,
              struct pxerr *err) PXC_MUST_CHECK;

/* As file_read, for files that hold secrets (passwords, tokens, keys): every buffer it
 * used on the way is zeroed, and *out must be released with file_free_secret. */
int file_read_secret(const char *path, size_t max_bytes, char **out, size_t *len,
                     struct pxerr *err) PXC_MUST_CHECK;

/* Zero len bytes of buf, then free it. NULL does nothing. */
void file_free_secret(char *buf, size_t len);

/* "1 MiB", "64 KiB", "100 bytes": a limit in words, into buf. */
void file_fmt_size(size_t bytes, char *buf, size_t n);

#endif
