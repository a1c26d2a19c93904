/* kube_kind: kind -> resource path, for the writes (an object names its apiVersion and kind)
 * and for `pxcmesh get` (a kind as users type it: "po", "svc", "se"). A table of the kinds
 * pxcmesh meets, with their plural, group, scope and aliases; the Istio networking kinds take
 * the group version discovery found. A kind not in the table gets Kubernetes' own default
 * plural. Secrets are in the table for the writes but refused to `get`. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

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
        kube__name_append(out, ns);
    }
    strbuf_appendc(out, '/');
    kube__name_append(out, plural);
    if (name) {
        strbuf_appendc(out, '/');
        kube__name_append(out, name);
    }
}

/* ns and name fit in a path: DNS-1123 for the kinds of the table, the path-segment rule for
 * others (a ClusterRole may be "system:controller:x"). */
static int
check_names(const struct kind_def *k, const char *ns, const char *name, struct pxerr *err)
{
    if (ns && ns[0] && kube_name_check_ns(ns, err) < 0)
        return PXE_INVAL;
    if (name == NULL)
        return 0;
    return k ? kube_name_check(name, err) : kube__name_check_segment(name, err);
}

/* "v1" or "group/version", group a DNS-1123 subdomain, version a label: it goes into the path
 * as is (its '/' is the path's). */
static int
check_group_version(const char *gv, struct pxerr *err)
{
    const char *slash = strchr(gv, '/');
    char group[256];
    struct pxerr e;
    if (slash && (size_t)(slash - gv) < sizeof group) {
        memcpy(group, gv, (size_t)(slash - gv));
        group[slash - gv] = '\0';
        if (kube_name_check(group, &e) == 0 && kube_name_check_ns(slash + 1, &e) == 0)
            return 0;
    } else if (slash == NULL && kube_name_check_ns(gv, &e) == 0) {
        return 0;
    }
    char q[96];
    size_t k = 0;
    for (const unsigned char *c = (const unsigned char *)gv; *c && k + 1 < sizeof q && k < 80; c++)
        q[k++] = *c >= 0x20 && *c < 0x7f ? (char)*c : '?';
    q[k] = '\0';
    return pxerr_set(err, PXE_INVAL, "apiVersion \"%s\" is not a version (v1) or group/version "
                     "(apps/v1)", q);
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
    if (check_names(k, namespaced ? ns : NULL, name, err) < 0)
        return PXE_INVAL;
    if (check_group_version(api_version, err) < 0)
        return PXE_INVAL;
    append_prefix(out, api_version);
    append_rest(out, namespaced ? ns : NULL, plural, name);
    return 0;
}

int
kube_kind_path(const struct kube_client *kc, const char *kind, const char *ns, const char *name,
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
    if (check_names(k, k->namespaced ? ns : NULL, name, err) < 0)
        return PXE_INVAL;
    append_prefix(out, gv);
    append_rest(out, k->namespaced ? ns : NULL, k->plural, name);
    return 0;
}
