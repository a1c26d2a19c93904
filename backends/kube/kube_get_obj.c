/* kube_get_obj: the path comes from the client's kind table (kube__kind_to_path), so a
 * ServiceEntry of any served version and a core kind are found the same way. */
#include "kube/kube_get_obj.h"

#include "strbuf.h"
#include "kube/kube_internal.h"

int
kube_get_obj(struct kube_client *kc, const json_t *obj, kube_resp_cb *cb, void *arg,
             struct kube_req **reqp, struct pxerr *err)
{
    const char *av = json_string_value(json_object_get(obj, "apiVersion"));
    const char *kind = json_string_value(json_object_get(obj, "kind"));
    json_t *md = json_object_get(obj, "metadata");
    const char *name = json_string_value(json_object_get(md, "name"));
    const char *ns = json_string_value(json_object_get(md, "namespace"));
    if (name == NULL)
        return pxerr_set(err, PXE_INVAL, "%s without metadata.name", kind ? kind : "object");
    struct strbuf path;
    strbuf_init(&path);
    int rc = kube__kind_to_path(kc, av, kind, ns, name, &path, err);
    if (rc == 0)
        rc = kube_get(kc, path.s, cb, arg, reqp, err);
    strbuf_fini(&path);
    return rc;
}
