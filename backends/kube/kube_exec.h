/* kube_exec: run a command in a pod's container through the API server (pods/NAME/exec over
 * WebSocket), what `kubectl exec POD -c C -- CMD...` does, without a terminal. It offers
 * v5.channel.k8s.io and falls back to v4.channel.k8s.io when the server chooses it (the
 * server picks the first it serves); stdout and stderr are streamed to callbacks as they
 * arrive (nothing is kept: memory stays bounded whatever the command prints), and the exit
 * code comes from the status channel's metav1.Status (reason NonZeroExitCode, cause
 * ExitCode). stdin, when given, is sent whole and then closed (v5's close signal; v4 has
 * none, so a command that reads stdin to its end waits until the timeout there).
 *
 * Use it for probes from inside a pod (DNS of a .global host, a MySQL handshake from the
 * pxc container, Envoy's clusters from istio-proxy): the command runs in the failing pod
 * itself, with its resolv.conf and its sidecar.
 *
 * Threads: loop thread only; every callback runs on the loop. */
#ifndef PXC_BACKENDS_KUBE_KUBE_EXEC_H
#define PXC_BACKENDS_KUBE_KUBE_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pxerr.h"
#include "kube/kube.h"

#define KUBE_EXEC_TIMEOUT_MS_DEFAULT 60000

struct kube_exec; /* borrowed until on_exit returns or kube_exec_cancel */

/* A piece of the command's stdout or stderr (not line-aligned), borrowed for the call. */
typedef void kube_exec_out_cb(struct kube_exec *ex, const char *data, size_t len, void *arg);
/* The command is over, exactly once unless cancelled. status 0: it ran and exited with
 * exit_code (0-255). Otherwise it did not run or its end is unknown, exit_code is -1 and err
 * (borrowed for the call) says why in words: PXE_FORBIDDEN ("forbidden: cannot create
 * pods/exec in namespace pxc (the RBAC verb 'create' on 'pods/exec' is needed)"),
 * PXE_NOTFOUND (the pod is gone), PXE_HTTP (the container is not running, or the runtime
 * could not start the command: "... executable file not found in $PATH"), PXE_TIMEOUT,
 * PXE_CONN (the stream broke). ex is freed after the call. */
typedef void kube_exec_exit_cb(struct kube_exec *ex, int status, int exit_code,
                               const struct pxerr *err, void *arg);

struct kube_exec_opts {
    const char *ns, *pod;    /* required; copied */
    const char *container;   /* NULL: the pod's default (a pod with several containers and no
                                kubectl.kubernetes.io/default-container annotation refuses) */
    const char *const *argv; /* the command and its arguments (NULL-terminated, >= 1); no
                                shell is involved unless argv[0] is one */
    const void *stdin_data;  /* NULL: no stdin; else stdin_len bytes (copied), then EOF */
    size_t stdin_len;
    int timeout_ms;              /* the whole run; 0: KUBE_EXEC_TIMEOUT_MS_DEFAULT */
    kube_exec_out_cb *on_stdout; /* may be NULL: discarded */
    kube_exec_out_cb *on_stderr; /* may be NULL: discarded */
    kube_exec_exit_cb *on_exit;  /* required */
    void *arg;
};

/* Start the command. *out (may be NULL) is borrowed as above; no callback runs before this
 * returns. <0 with err only for bad options or a stopped client. */
int kube_exec_start(struct kube_client *kc, const struct kube_exec_opts *o, struct kube_exec **out,
                    struct pxerr *err) PXC_MUST_CHECK;
/* Stop waiting: no callback afterwards (the remote command may go on running, as with kubectl
 * when its connection drops). NULL does nothing. */
void kube_exec_cancel(struct kube_exec *ex);

/* The subprotocol the server chose ("v5.channel.k8s.io", "v4.channel.k8s.io"; "" before the
 * upgrade). Borrowed while ex is. */
const char *kube_exec_protocol(const struct kube_exec *ex);

#endif
