/* kube_logs: a container's log streamed line by line (GET pods/NAME/log, text), what
 * `kubectl logs [-f] [--since] [--tail] -c C POD` shows. With follow the stream stays open
 * and each new line is delivered as the server sends it, until kube_logs_cancel, the pod is
 * deleted (the server ends the stream) or the connection breaks (then on_end says so; a
 * caller that wants to go on starts again with since_s covering the gap).
 *
 * Memory is bounded: nothing is kept but the unfinished last line, and a line longer than
 * max_line is delivered in pieces of max_line bytes (cut, flagged). Keeping history (a
 * logs pane's last N lines) is the caller's.
 *
 * Threads: loop thread only; every callback runs on the loop. */
#ifndef PXC_BACKENDS_KUBE_KUBE_LOGS_H
#define PXC_BACKENDS_KUBE_KUBE_LOGS_H

#include <stdbool.h>
#include <stddef.h>

#include "pxerr.h"
#include "kube/kube.h"

#define KUBE_LOGS_MAX_LINE_DEFAULT (16u << 10)

struct kube_logs; /* borrowed until on_end returns or kube_logs_cancel */

/* One line without its newline (borrowed for the call; NUL-terminated at len). cut: the line
 * was longer than max_line and this is a piece of it (the last piece has cut false). */
typedef void kube_logs_line_cb(struct kube_logs *l, const char *line, size_t len, bool cut,
                               void *arg);
/* Over, exactly once unless cancelled: status 0 when the server ended the log (without
 * follow: the whole log was sent; with follow: the pod is gone or the container ended);
 * else PXE_* and err (borrowed for the call) in words (403 names the RBAC rule, 404 the pod
 * gone, 400 the container unknown or not given, PXE_CONN the stream broke). A last line
 * without a newline is delivered before. l is freed after the call. */
typedef void kube_logs_end_cb(struct kube_logs *l, int status, const struct pxerr *err, void *arg);

struct kube_logs_opts {
    const char *ns, *pod;       /* required; copied */
    const char *container;      /* NULL: the pod's only container */
    bool follow;                /* stream new lines until cancelled */
    bool timestamps;            /* prefix each line with its RFC 3339 time */
    int since_s;                /* > 0: only lines of the last since_s seconds */
    int tail_lines;             /* >= 0: only the last tail_lines lines; < 0: all */
    size_t max_line;            /* 0: KUBE_LOGS_MAX_LINE_DEFAULT */
    int timeout_ms;             /* without follow, the whole read; 0: the client's request timeout
                                   (with follow there is no deadline: cancel it) */
    kube_logs_line_cb *on_line; /* required */
    kube_logs_end_cb *on_end;   /* required */
    void *arg;
};

/* Start reading. *out (may be NULL) borrowed as above; no callback before this returns. */
int kube_logs_start(struct kube_client *kc, const struct kube_logs_opts *o, struct kube_logs **out,
                    struct pxerr *err) PXC_MUST_CHECK;
/* Stop: no callback afterwards. NULL does nothing. */
void kube_logs_cancel(struct kube_logs *l);

#endif
