/* config_optread: a password from a MySQL option file, read on libuv's thread pool so that
 * the loop thread never reads a file while the console runs (config_read_option_file does
 * the reading, with its limits). The answer comes back on the loop, shaped like a Secret
 * read's (kube_secret_cb), so that a poller handles both the same way. */
#ifndef PXC_BACKENDS_CONFIG_CONFIG_OPTREAD_H
#define PXC_BACKENDS_CONFIG_CONFIG_OPTREAD_H

#include <stddef.h>

#include <uv.h>

#include "pxerr.h"

struct config_optread; /* opaque */

/* status 0: password (borrowed, NUL-terminated, len bytes) is the password= of [group] or
 * [client]; it is zeroed right after the callback returns. Otherwise password is NULL and
 * err says what and where ("PATH: not a regular file (a FIFO); give a file", "PATH has no
 * password= in [pxcmesh] or [client]"). Loop thread. */
typedef void config_optread_cb(int status, const char *password, size_t len,
                               const struct pxerr *err, void *arg);

/* Read the option file path (group NULL: "client"; both copied) on a worker. cb is called
 * once on loop's thread, unless config_optread_cancel comes first. *out is borrowed until cb
 * runs or the cancel. Loop thread. */
int config_optread_start(uv_loop_t *loop, const char *path, const char *group,
                         config_optread_cb *cb, void *arg, struct config_optread **out,
                         struct pxerr *err) PXC_MUST_CHECK;

/* cb will not be called. The read already running finishes on its worker and is freed
 * then, its password zeroed; the loop must run until it has (uv_run, as at any close).
 * Loop thread. */
void config_optread_cancel(struct config_optread *r);

#endif
