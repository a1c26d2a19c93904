/* kube_log: read a container's log (`pods/log`, text, not JSON) through a cluster's
 * client. Loop thread. */
#ifndef PXC_BACKENDS_KUBE_KUBE_LOG_H
#define PXC_BACKENDS_KUBE_KUBE_LOG_H

#include <stddef.h>

#include "pxerr.h"
#include "kube/kube.h"

/* text borrowed during the call (NUL-terminated); status != 0: text NULL, err says what. */
typedef void kube_log_cb(int status, const char *text, size_t len, const struct pxerr *err,
                         void *arg);

struct kube_log_req; /* borrowed until the callback returns */

/* GET /api/v1/namespaces/NS/pods/NAME/log?container=C (container NULL: the only one),
 * tail_lines > 0 limits the lines. */
int kube_pod_log(struct kube_client *kc, const char *ns, const char *name, const char *container,
                 int tail_lines, kube_log_cb *cb, void *arg, struct kube_log_req **out,
                 struct pxerr *err) PXC_MUST_CHECK;
void kube_pod_log_cancel(struct kube_log_req *r);

#endif
