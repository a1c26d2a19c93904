/* kube_get_obj: GET the live version of an object named by its own apiVersion, kind,
 * metadata.namespace and metadata.name (what `apply` needs to diff live against intended).
 * Loop thread. */
#ifndef PXC_BACKENDS_KUBE_KUBE_GET_OBJ_H
#define PXC_BACKENDS_KUBE_KUBE_GET_OBJ_H

#include "kube/kube.h"

/* cb: status 0 with the live object; PXE_NOTFOUND (body NULL) when it does not exist yet;
 * other errors as kube_get. obj borrowed for the call. */
int kube_get_obj(struct kube_client *kc, const json_t *obj, kube_resp_cb *cb, void *arg,
                 struct kube_req **reqp, struct pxerr *err) PXC_MUST_CHECK;

#endif
