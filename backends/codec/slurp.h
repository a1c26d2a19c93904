/* slurp: a file or a stream read whole into memory, with a size cap, for the inputs the
 * command line names (`apply -f`, `--ca-file`, `--token-file`) and the data files the
 * decoders read. A directory or a device is refused by its kind before it is opened
 * (/dev/zero would never end, a directory reads as empty); a pipe or FIFO is read when
 * the caller allows streams (`apply -f -`, `--token-file <(...)`), up to the cap.
 * Blocking: worker or CLI thread, never the loop. */
#ifndef PXC_BACKENDS_CODEC_SLURP_H
#define PXC_BACKENDS_CODEC_SLURP_H

#include <stddef.h>

#include "pxerr.h"
#include "strbuf.h"

#define SLURP_STREAMS 0x1u /* FIFOs and sockets are read too (regular files always are) */

/* Append the content of path (borrowed) to out. Errors name path and say what to do:
 *   PXE_NOTFOUND "F: No such file or directory"
 *   PXE_INVAL    "F: is a directory" / "F: is a character device, not a file" /
 *                "F: is larger than N MiB; is it the right file?"
 *   PXE_IO       "F: <strerror>"
 * On error out holds what was read so far (the caller resets or frees it). */
int slurp_path(const char *path, size_t max, unsigned flags, struct strbuf *out,
               struct pxerr *err) PXC_MUST_CHECK;
/* The same from an open descriptor (stdin): anything but a directory is read, up to max.
 * name stands for the input in messages. fd is not closed. */
int slurp_fd(int fd, const char *name, size_t max, struct strbuf *out,
             struct pxerr *err) PXC_MUST_CHECK;

#endif
