/* file: the one way pxcmesh reads a file it was given. Two kinds of input:
 *  - a file pxcmesh reads on its own (config, MySQL option files, kubeconfig and the files
 *    it names, themes, snapshots, CRD files): file_read, file_read_secret. Only a regular
 *    file is read; a FIFO, a device or a directory is refused before a byte is read, so a
 *    wrong path can neither block the reader nor fill memory. Any thread.
 *  - an input named on the command line, where a pipe is as good as a file (`apply -f`,
 *    `apply -f -`, `generate --ca-file`/`--token-file <(...)`): file_read_stream,
 *    file_read_fd. A pipe or FIFO is read to its end, waiting for its writer as cat does:
 *    CLI thread or worker, never the loop.
 * Both refuse what is over the caller's limit, however large the file says it is or grows. */
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

/* Read the whole input path names, at most max_bytes: a regular file, a FIFO or a pipe
 * (/dev/fd/N of `<(...)`). A directory or a device is refused by its kind before it is
 * opened (/dev/zero never ends, a directory reads as empty). What it reads may be a
 * secret (a token, a manifest's Secret): buffers are zeroed on the way, and *out must be
 * released with file_free_secret. *out and *len as file_read; errors, naming path:
 *   PXE_NOTFOUND  no such file
 *   PXE_INVAL     "PATH: is a directory; give a file",
 *                 "PATH: is a character device, not a file; give a file or a pipe"
 *   PXE_TOOBIG    "PATH: is larger than 16 MiB; is it the right file?"
 *   PXE_IO        any other open or read error, with strerror's words */
int file_read_stream(const char *path, size_t max_bytes, char **out, size_t *len,
                     struct pxerr *err) PXC_MUST_CHECK;

/* The same from an open descriptor (stdin for `-f -`): anything but a directory is read to
 * its end, at most max_bytes. name (borrowed, "<stdin>") stands for it in messages. fd
 * stays open. */
int file_read_fd(int fd, const char *name, size_t max_bytes, char **out, size_t *len,
                 struct pxerr *err) PXC_MUST_CHECK;

/* Zero len bytes of buf (and its terminating NUL), then free it. NULL does nothing. */
void file_free_secret(char *buf, size_t len);

/* "1 MiB", "64 KiB", "100 bytes": a limit in words, into buf. */
void file_fmt_size(size_t bytes, char *buf, size_t n);

#endif
