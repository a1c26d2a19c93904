/* kube_logtail: one pod's container log followed into a bounded ring (logring.h), what the
 * console's logs pane shows. It reads the pod first (its containers, so that the pane can
 * list them and pick one: `pxc` when the pod has it, else the first), then follows the
 * container's log (kube_logs.h) from an initial tail. Switching the container starts a new
 * stream into an emptied ring. When the stream ends (the server ended it: pod deleted,
 * container stopped; or it broke, or was refused) the state says so in words and a line of
 * the ring marks where; kube_logtail_reconnect reads the pod again and follows on from the
 * time the stream ended.
 *
 * Memory: the ring's budgets (max_lines, max_bytes) bound everything kept.
 * Threads: loop thread only; on_change runs on the loop. */
#ifndef PXC_BACKENDS_KUBE_KUBE_LOGTAIL_H
#define PXC_BACKENDS_KUBE_KUBE_LOGTAIL_H

#include <stdbool.h>
#include <stddef.h>

#include "logring.h"
#include "pxerr.h"
#include "kube/kube.h"

#define KUBE_LOGTAIL_MAX_LINES_DEFAULT 5000
#define KUBE_LOGTAIL_MAX_BYTES_DEFAULT (4u << 20)

enum kube_logtail_state {
    KLT_READING_POD, /* GET of the pod in flight */
    KLT_FOLLOWING,   /* the stream is open (lines arrive as the container writes them) */
    KLT_ENDED,       /* the server ended the stream: the pod is gone or the container stopped */
    KLT_FAILED,      /* refused or broken: kube_logtail_error says why */
    KLT_GONE,        /* the cluster's client went away (:ctx drop, exit): nothing more comes */
};

struct kube_logtail; /* owned by its starter (kube_logtail_free) */

/* Something changed: new lines, the state, the containers. */
typedef void kube_logtail_change_cb(struct kube_logtail *t, void *arg);

struct kube_logtail_opts {
    const char *ns, *pod;  /* required; copied */
    const char *container; /* NULL: `pxc` when the pod has it, else its first container */
    int since_s;           /* > 0: the first read starts this many seconds back */
    int tail_lines;        /* >= 0: and at most this many lines back; < 0: no limit */
    size_t max_lines;      /* 0: KUBE_LOGTAIL_MAX_LINES_DEFAULT */
    size_t max_bytes;      /* 0: KUBE_LOGTAIL_MAX_BYTES_DEFAULT */
    kube_logtail_change_cb *on_change; /* may be NULL */
    void *arg;
};

/* Start reading the pod, then its log. kc borrowed: when the client is freed first the
 * tail goes to KLT_GONE (without a callback) and must still be freed. On success *out is
 * owned; no callback runs before this returns. */
int kube_logtail_start(struct kube_client *kc, const struct kube_logtail_opts *o,
                       struct kube_logtail **out, struct pxerr *err) PXC_MUST_CHECK;
/* Cancel everything (no callback afterwards) and free. NULL does nothing. */
void kube_logtail_free(struct kube_logtail *t);

/* Follow another container of the pod (copied), from the initial tail, into an emptied
 * ring. PXE_NOTFOUND (err names the pod's containers) when the pod has no such container. */
int kube_logtail_set_container(struct kube_logtail *t, const char *name,
                               struct pxerr *err) PXC_MUST_CHECK;
/* After KLT_ENDED or KLT_FAILED: read the pod again and follow on from when the stream
 * ended (the ring is kept; a note marks the gap). PXE_INVAL in another state. */
int kube_logtail_reconnect(struct kube_logtail *t, struct pxerr *err) PXC_MUST_CHECK;

enum kube_logtail_state kube_logtail_state(const struct kube_logtail *t);
/* Why it failed or ended, in words ("" none). Borrowed until the next change. */
const char *kube_logtail_error(const struct kube_logtail *t);
/* The lines: borrowed for the tail's life. */
const struct logring *kube_logtail_ring(const struct kube_logtail *t);
const char *kube_logtail_ns(const struct kube_logtail *t);  /* borrowed */
const char *kube_logtail_pod(const struct kube_logtail *t); /* borrowed */
/* The container followed, or NULL while the pod is being read the first time. Borrowed. */
const char *kube_logtail_container(const struct kube_logtail *t);
/* The pod's containers (spec.containers, then native sidecars among its init containers),
 * as of the last read of the pod. Borrowed until the next change. */
size_t kube_logtail_n_containers(const struct kube_logtail *t);
const char *kube_logtail_container_at(const struct kube_logtail *t, size_t i);

#endif
