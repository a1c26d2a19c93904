/* probe_exec: in-mesh probes run inside a pod of the cluster through the API server
 * (pods/exec), as the seed's `kubectl exec ... -c pxc -- ...` lines do: from the failing pod
 * itself, with its resolv.conf and its sidecar, and without creating anything. Where exec is
 * forbidden (403 on pods/exec) or impossible (no Running pxc pod, the pod gone, the container
 * cannot run the command), it falls back to a probe pod (probe_pod.h), if allowed, and the
 * result's `via` says which way it ran and why.
 *
 *   dns HOST        pxc container: `getent hosts HOST` (nslookup where getent is missing)
 *   tcp HOST:PORT   pxc container: bash's /dev/tcp connect
 *   mysql HOST:PORT pxc container: the mysql client's handshake; with a user, its login and
 *                   SELECT VERSION() (the password goes on stdin into MYSQL_PWD, never on a
 *                   command line)
 *   envoy HOST:PORT istio-proxy container: `curl -s localhost:15000/clusters`
 *
 * Threads: loop thread only; every callback runs on the loop. */
#ifndef PXC_BACKENDS_PROBE_PROBE_EXEC_H
#define PXC_BACKENDS_PROBE_PROBE_EXEC_H

#include <stdbool.h>
#include <stddef.h>

#include <uv.h>

#include "kube/kube.h"
#include "probe/probe.h"

struct probe_exec_opts {
    const char *ns;              /* the PXC namespace (required); copied */
    const char *pod;             /* NULL: the first Running pod of ns with a `pxc` container */
    const char *cluster;         /* display name for the result's "from"; copied */
    const char *user;            /* mysql: log in as user (copied); NULL: the handshake only */
    const char *password;        /* borrowed for the call; copied, zeroed after use */
    int timeout_ms;              /* the exec; 0: 10000 */
    bool pod_fallback;           /* a probe pod where exec cannot run; false: fail, saying why */
    const char *no_fallback_why; /* with !pod_fallback: why, for the message ("read-only") */
    const char *image;           /* the probe pod's image; NULL: its default */
    int pod_timeout_ms;          /* the probe pod; 0: its default */
    /* Optional: called once when the probe is over entirely (cb ran, a fallback pod is
     * deleted or given up) and the probe freed; a CLI waits for it before exiting. */
    void (*on_cleanup)(void *arg);
    void *cleanup_arg;
};

struct probe_exec;

/* kind and target as probe_pod_start (MySQL: "host[:port]", default 3306). cb runs once on
 * the loop, never during this call. kc borrowed; it must outlive the probe (cancel first).
 * *out (optional) borrowed until cb ran and on_cleanup is due. */
int probe_exec_start(uv_loop_t *loop, struct kube_client *kc, enum probe_kind kind,
                     const char *target, const struct probe_exec_opts *o, probe_cb *cb, void *arg,
                     struct probe_exec **out, struct pxerr *err) PXC_MUST_CHECK;
/* Before cb: cb runs now with PROBE_CANCELLED. After cb, while a fallback pod is being
 * deleted: give the delete up and free now (the pod is labelled managed-by=pxcmesh). */
void probe_exec_cancel(struct probe_exec *p);

/* What the probe runs through exec, for a question that says what runs where: the container
 * ("pxc", "istio-proxy"; static) and, into buf, the command in words ("getent hosts HOST").
 * login: a mysql probe with a user. Pure. */
const char *probe_exec_container(enum probe_kind kind);
void probe_exec_describe(enum probe_kind kind, const char *target, bool login, char *buf,
                         size_t len);

/* Parsers of what the commands print, into r (status, summary, addrs...). exit_code is the
 * command's. Pure; tested alone. */
void probe_exec_parse_dns(const char *out, int exit_code, struct probe_result *r);
void probe_exec_parse_tcp(const char *out, int exit_code, struct probe_result *r);
void probe_exec_parse_mysql(const char *out, int exit_code, bool login, struct probe_result *r);

#endif
