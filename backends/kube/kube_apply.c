/* kube_apply: the writes the console makes, and the kind -> path table they and `pxcmesh get`
 * share. Server-side apply (PATCH application/apply-patch+yaml, fieldManager=pxcmesh; JSON
 * is YAML, so the object is sent as JSON), delete, a JSON merge patch for namespace labels
 * and a strategic merge patch for `rollout restart`. Read-only mode refuses each write
 * before anything is sent. It never retries a write: the caller shows the error and the
 * operator decides. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "xmalloc.h"
#include "kube/kube_internal.h"

struct kind_def {
    const char *kind;     /* as in manifests */
    const char *plural;   /* resource name */
    const char *group;    /* "" core; NULL: the discovered Istio group version */
    const char *version;
    bool namespaced;
    const char *aliases;  /* ",po,pod," as users type them */
};

/* Istio kinds take the group version found by discovery (kube_client_sentry_version). */
static const struct kind_def kinds[] = {
    {"Pod", "pods", "", "v1", true, ",po,pod,pods,"},
    {"Namespace", "namespaces", "", "v1", false, ",ns,namespace,namespaces,"},
    {"Service", "services", "", "v1", true, ",svc,service,services,"},
    {"Node", "nodes", "", "v1", false, ",no,node,nodes,"},
    {"Secret", "secrets", "", "v1", true, ","},
    {"ConfigMap", "configmaps", "", "v1", true, ",cm,configmap,configmaps,"},
    {"Endpoints", "endpoints", "", "v1", true, ",ep,endpoints,"},
    {"StatefulSet", "statefulsets", "apps", "v1", true, ",sts,statefulset,statefulsets,"},
    {"Deployment", "deployments", "apps", "v1", true, ",deploy,deployment,deployments,"},
    {"PerconaXtraDBCluster", "perconaxtradbclusters", "pxc.percona.com", "v1", true,
     ",pxc,pxcs,perconaxtradbcluster,perconaxtradbclusters,"},
    {"ServiceEntry", "serviceentries", NULL, NULL, true, ",se,serviceentry,serviceentries,"},
    {"DestinationRule", "destinationrules", NULL, NULL, true,
     ",dr,destinationrule,destinationrules,"},
    {"VirtualService", "virtualservices", NULL, NULL, true, ",vs,virtualservice,virtualservices,"},
    {"Gateway", "gateways", NULL, NULL, true, ",gw,gateway,gateways,"},
    {"Sidecar", "sidecars", NULL, NULL, true, ",sidecar,sidecars,"},
    {"PeerAuthentication", "peerauthentications", "security.istio.io", "v1", true,
     ",pa,peerauthentication,peerauthentications,"},
    {"MutatingWebhookConfiguration", "mutatingwebhookconfigurations",
     "admissionregistration.k8s.io", "v1", false,
     ",mwc,mutatingwebhookconfiguration,mutatingwebhookconfigurations,"},
};

static const struct kind_def *
find_kind(const char *kind)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcasecmp(kinds[i].kind, kind) == 0)
            return &kinds[i];
    return NULL;
}

static const struct kind_def *
find_alias(const char *typed)
{
    char pat[96];
    snprintf(pat, sizeof pat, ",%s,", typed);
    for (char *p = pat; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strstr(kinds[i].aliases, pat))
            return &kinds[i];
    return NULL;
}

static void
append_prefix(struct strbuf *out, const char *group_version)
{
    if (strchr(group_version, '/'))
        strbuf_appendf(out, "/apis/%s", group_version);
    else
        strbuf_appendf(out, "/api/%s", group_version);
}

static void
append_rest(struct strbuf *out, const char *ns, const char *plural, const char *name)
{
    if (ns) {
        strbuf_append(out, "/namespaces/");
        kube__urlenc(out, ns);
    }
    strbuf_appendf(out, "/%s", plural);
    if (name) {
        strbuf_appendc(out, '/');
        kube__urlenc(out, name);
    }
}

int
kube__kind_to_path(const struct kube_client *kc, const char *api_version, const char *kind,
                   const char *ns, const char *name, struct strbuf *out, struct pxerr *err)
{
    (void)kc;
    if (api_version == NULL || !api_version[0] || kind == NULL || !kind[0])
        return pxerr_set(err, PXE_INVAL, "object without apiVersion or kind");
    const struct kind_def *k = find_kind(kind);
    char plural[128];
    bool namespaced = true;
    if (k) {
        snprintf(plural, sizeof plural, "%s", k->plural);
        namespaced = k->namespaced;
    } else {
        /* An unknown kind: Kubernetes' own default plural (lower case + s, y -> ies). */
        size_t n = strlen(kind);
        if (n + 4 >= sizeof plural)
            return pxerr_set(err, PXE_INVAL, "kind '%s' is too long", kind);
        for (size_t i = 0; i < n; i++)
            plural[i] = (char)((kind[i] >= 'A' && kind[i] <= 'Z') ? kind[i] - 'A' + 'a'
                                                                    : kind[i]);
        plural[n] = '\0';
        if (n > 1 && plural[n - 1] == 'y' && !strchr("aeiou", plural[n - 2]))
            strcpy(plural + n - 1, "ies");
        else if (plural[n - 1] == 's')
            strcat(plural, "es");
        else
            strcat(plural, "s");
    }
    if (namespaced && (ns == NULL || !ns[0]) && name != NULL)
        return pxerr_set(err, PXE_INVAL, "%s %s: metadata.namespace is required", kind, name);
    append_prefix(out, api_version);
    append_rest(out, namespaced ? ns : NULL, plural, name);
    return 0;
}

int
kube_kind_path(const struct kube_client *kc, const char *kind, const char *ns,
               struct strbuf *out, struct pxerr *err)
{
    if (kind && (strcasecmp(kind, "secret") == 0 || strcasecmp(kind, "secrets") == 0))
        return pxerr_set(err, PXE_UNSUPPORTED, "pxcmesh get does not show secrets; use kubectl "
                         "if you must");
    const struct kind_def *k = kind ? find_alias(kind) : NULL;
    if (k == NULL) {
        struct strbuf names;
        strbuf_init(&names);
        for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
            if (strcmp(kinds[i].aliases, ",") == 0)
                continue; /* secrets */
            /* Long plurals by their short name, so the list fits one error message. */
            const char *a = kinds[i].aliases + 1;
            if (strlen(kinds[i].plural) <= 12)
                strbuf_appendf(&names, "%s%s", names.len ? ", " : "", kinds[i].plural);
            else
                strbuf_appendf(&names, "%s%.*s", names.len ? ", " : "",
                               (int)(strchr(a, ',') - a), a);
        }
        pxerr_set(err, PXE_NOTFOUND, "unknown kind '%s'; known: %s", kind ? kind : "",
                  names.s);
        strbuf_fini(&names);
        return PXE_NOTFOUND;
    }
    char gv[128];
    if (k->group == NULL) {
        const char *se = kube_client_sentry_version(kc);
        if (!se[0])
            return pxerr_set(err, PXE_NOTFOUND, "cluster %s does not serve networking.istio.io "
                             "(is Istio installed?)", kube_client_name(kc));
        snprintf(gv, sizeof gv, "%s", se);
    } else if (k->group[0]) {
        snprintf(gv, sizeof gv, "%s/%s", k->group, k->version);
    } else {
        snprintf(gv, sizeof gv, "%s", k->version);
    }
    append_prefix(out, gv);
    append_rest(out, k->namespaced ? ns : NULL, k->plural, NULL);
    return 0;
}

static int
refuse_readonly(struct kube_client *kc, const char *what, struct pxerr *err)
{
    if (!kube__readonly(kc))
        return 0;
    return pxerr_set(err, PXE_READONLY, "read-only mode: refusing to %s on cluster %s "
                     "(started with --readonly or readonly: true)", what, kube_client_name(kc));
}

static void
add_flags(struct strbuf *p, unsigned flags, bool apply)
{
    char sep = strchr(p->s, '?') ? '&' : '?';
    if (apply) {
        strbuf_appendf(p, "%cfieldManager=pxcmesh", sep);
        sep = '&';
        if (flags & KUBE_FORCE) {
            strbuf_append(p, "&force=true");
        }
    }
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
    add_flags(&p, flags, true);
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
        add_flags(&p, flags, false);
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
    json_t *patch = json_pack("{s:{s:{s:o}}}", "metadata", "labels", key,
                              value ? json_string(value) : json_null());
    char *body = json_dumps(patch, JSON_COMPACT);
    json_decref(patch);
    struct strbuf p;
    strbuf_init(&p);
    strbuf_append(&p, "/api/v1/namespaces/");
    kube__urlenc(&p, ns);
    add_flags(&p, flags, false);
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
    char now[40];
    clock_fmt_rfc3339(clock_wall_ms(), now, sizeof now);
    json_t *patch = json_pack("{s:{s:{s:{s:{s:s}}}}}", "spec", "template", "metadata",
                              "annotations", "kubectl.kubernetes.io/restartedAt", now);
    char *body = json_dumps(patch, JSON_COMPACT);
    json_decref(patch);
    struct strbuf p;
    strbuf_init(&p);
    strbuf_append(&p, "/apis/apps/v1/namespaces/");
    kube__urlenc(&p, ns);
    strbuf_append(&p, "/statefulsets/");
    kube__urlenc(&p, name);
    add_flags(&p, flags, false);
    snprintf(what, sizeof what, "statefulset %s", name);
    rc = kube__json_request(kc, "PATCH", p.s, "application/strategic-merge-patch+json", body,
                            strlen(body), "patch", what, ns, cb, arg, reqp, err);
    free(body);
    strbuf_fini(&p);
    return rc;
}
