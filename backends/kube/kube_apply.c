/* kube_apply: the writes the console makes (paths from the kind table, kube_kind.c).
 * Server-side apply (PATCH application/apply-patch+yaml, fieldManager=pxcmesh; JSON
 * is YAML, so the object is sent as JSON), delete, a JSON merge patch for namespace labels
 * and a strategic merge patch for `rollout restart`. Read-only mode refuses each write
 * before anything is sent. It never retries a write: the caller shows the error and the
 * operator decides. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "xmalloc.h"
#include "kube/kube_internal.h"

static int
refuse_readonly(struct kube_client *kc, const char *what, struct pxerr *err)
{
    if (!kc->readonly)
        return 0;
    return pxerr_set(err, PXE_READONLY, "read-only mode: refusing to %s on cluster %s "
                     "(started with --readonly or readonly: true)", what, kube_client_name(kc));
}

/* manager: every PATCH names its field manager (an apply must; a merge patch without one
 * would be recorded under the client's user agent); force only for an apply. */
static void
add_flags(struct strbuf *p, unsigned flags, bool manager, bool apply)
{
    char sep = strchr(p->s, '?') ? '&' : '?';
    if (manager) {
        strbuf_appendf(p, "%cfieldManager=" KUBE_FIELD_MANAGER, sep);
        sep = '&';
    }
    if (apply && (flags & KUBE_FORCE))
        strbuf_append(p, "&force=true");
    if (flags & KUBE_DRY_RUN)
        strbuf_appendf(p, "%cdryRun=All", sep);
}

int
kube_apply(struct kube_client *kc, json_t *obj, unsigned flags, kube_resp_cb *cb, void *arg,
           struct kube_req **reqp, struct pxerr *err)
{
    json_t *md = json_object_get(obj, "metadata");
    const char *av = json_string_value(json_object_get(obj, "apiVersion"));
    const char *kind = json_string_value(json_object_get(obj, "kind"));
    const char *name = json_string_value(json_object_get(md, "name"));
    const char *ns = json_string_value(json_object_get(md, "namespace"));
    char what[256];
    snprintf(what, sizeof what, "apply %s %s%s%s", kind ? kind : "?", ns ? ns : "",
             ns ? "/" : "", name ? name : "?");
    int rc = refuse_readonly(kc, what, err);
    if (rc < 0)
        return rc;
    if (name == NULL || !name[0])
        return pxerr_set(err, PXE_INVAL, "cannot apply %s: metadata.name is missing",
                         kind ? kind : "object");
    struct strbuf p;
    strbuf_init(&p);
    rc = kube__kind_to_path(kc, av, kind, ns, name, &p, err);
    if (rc < 0) {
        strbuf_fini(&p);
        return rc;
    }
    add_flags(&p, flags, true, true);
    char *body = json_dumps(obj, JSON_COMPACT);
    if (body == NULL) {
        strbuf_fini(&p);
        return pxerr_set(err, PXE_INTERNAL, "cannot serialise %s", what + 6);
    }
    snprintf(what, sizeof what, "%s %s", kind, name);
    rc = kube__json_request(kc, "PATCH", p.s, "application/apply-patch+yaml", body, strlen(body),
                            "apply", what, ns, cb, arg, reqp, err);
    free(body);
    strbuf_fini(&p);
    return rc;
}

int
kube_delete(struct kube_client *kc, const char *api_version, const char *kind, const char *ns,
            const char *name, unsigned flags, kube_resp_cb *cb, void *arg,
            struct kube_req **reqp, struct pxerr *err)
{
    char what[256];
    snprintf(what, sizeof what, "delete %s %s%s%s", kind ? kind : "?", ns ? ns : "",
             ns ? "/" : "", name ? name : "?");
    int rc = refuse_readonly(kc, what, err);
    if (rc < 0)
        return rc;
    if (name == NULL || !name[0])
        return pxerr_set(err, PXE_INVAL, "cannot delete %s: no name", kind ? kind : "object");
    struct strbuf p;
    strbuf_init(&p);
    rc = kube__kind_to_path(kc, api_version, kind, ns, name, &p, err);
    if (rc == 0) {
        add_flags(&p, flags, false, false);
        snprintf(what, sizeof what, "%s %s", kind, name);
        rc = kube__json_request(kc, "DELETE", p.s, NULL, NULL, 0, "delete", what, ns, cb, arg,
                                reqp, err);
    }
    strbuf_fini(&p);
    return rc;
}

int
kube_label_namespace(struct kube_client *kc, const char *ns, const char *key, const char *value,
                     unsigned flags, kube_resp_cb *cb, void *arg, struct kube_req **reqp,
                     struct pxerr *err)
{
    char what[256];
    snprintf(what, sizeof what, "label namespace %s %s=%s", ns ? ns : "?", key ? key : "?",
             value ? value : "(remove)");
    int rc = refuse_readonly(kc, what, err);
    if (rc < 0)
        return rc;
    if (ns == NULL || key == NULL || !key[0])
        return pxerr_set(err, PXE_INVAL, "label namespace: namespace and key are required");
    if (kube_name_check_ns(ns, err) < 0)
        return PXE_INVAL;
    json_t *patch = json_pack("{s:{s:{s:o}}}", "metadata", "labels", key,
                              value ? json_string(value) : json_null());
    char *body = json_dumps(patch, JSON_COMPACT);
    json_decref(patch);
    struct strbuf p;
    strbuf_init(&p);
    strbuf_append(&p, "/api/v1/namespaces/");
    kube__name_append(&p, ns);
    add_flags(&p, flags, true, false);
    snprintf(what, sizeof what, "namespace %s", ns);
    rc = kube__json_request(kc, "PATCH", p.s, "application/merge-patch+json", body, strlen(body),
                            "patch", what, NULL, cb, arg, reqp, err);
    free(body);
    strbuf_fini(&p);
    return rc;
}

int
kube_restart_statefulset(struct kube_client *kc, const char *ns, const char *name,
                         unsigned flags, kube_resp_cb *cb, void *arg, struct kube_req **reqp,
                         struct pxerr *err)
{
    char what[256];
    snprintf(what, sizeof what, "restart statefulset %s/%s", ns ? ns : "?", name ? name : "?");
    int rc = refuse_readonly(kc, what, err);
    if (rc < 0)
        return rc;
    if (ns == NULL || name == NULL)
        return pxerr_set(err, PXE_INVAL, "restart statefulset: namespace and name are required");
    if (kube_name_check_ns(ns, err) < 0 || kube_name_check(name, err) < 0)
        return PXE_INVAL;
    char now[40];
    clock_fmt_rfc3339(clock_wall_ms(), now, sizeof now);
    json_t *patch = json_pack("{s:{s:{s:{s:{s:s}}}}}", "spec", "template", "metadata",
                              "annotations", "kubectl.kubernetes.io/restartedAt", now);
    char *body = json_dumps(patch, JSON_COMPACT);
    json_decref(patch);
    struct strbuf p;
    strbuf_init(&p);
    strbuf_append(&p, "/apis/apps/v1/namespaces/");
    kube__name_append(&p, ns);
    strbuf_append(&p, "/statefulsets/");
    kube__name_append(&p, name);
    add_flags(&p, flags, true, false);
    snprintf(what, sizeof what, "statefulset %s", name);
    rc = kube__json_request(kc, "PATCH", p.s, "application/strategic-merge-patch+json", body,
                            strlen(body), "patch", what, ns, cb, arg, reqp, err);
    free(body);
    strbuf_fini(&p);
    return rc;
}
