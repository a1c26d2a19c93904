/* doctor_mesh: the checks of the mesh side: namespaces labelled for injection, pods with
 * their sidecar, ServiceEntries (ports, addresses, endpoints against the mesh rule of
 * doctor/mesh.h, hosts declared twice) and PXC's own expose. Each finding carries its fix:
 * the label, the restart, or the ServiceEntry regenerated from the remote cluster's nodes,
 * all of which pxcmesh can run itself. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "strbuf.h"
#include "doctor/doctor_internal.h"
#include "doctor/mesh.h"
#include "manifest/manifest.h"

static void
check_namespaces(struct dctx *d, const struct dcl *k)
{
    struct m_cluster *c = k->c;
    if (!c->istio_installed)
        return;
    for (size_t i = 0; i < c->namespaces.n; i++) {
        struct m_namespace *ns = c->namespaces.items[i];
        bool has_pxc = false;
        for (size_t j = 0; j < k->pxc_pods.n && !has_pxc; j++)
            has_pxc = ((struct m_pod *)k->pxc_pods.items[j])->ns == ns->name;
        if (!has_pxc || (ns->injection != INJ_NONE && ns->injection != INJ_DISABLED))
            continue;
        char obj[600];
        snprintf(obj, sizeof obj, "namespace/%s", ns->name);
        struct m_finding *f =
            doctor__add(d, SEV_ERROR, "NS_NOT_INJECTED", k, obj,
                        "then restart the PXC statefulset so its pods are created with the sidecar "
                        "(POD_NO_SIDECAR gives that command)",
                        "namespace %s holds PXC pods but is %s for sidecar injection: replication "
                        "traffic bypasses the mesh",
                        ns->name, ns->injection == INJ_DISABLED ? "disabled" : "not labelled");
        doctor__fix_label(d, f, k, ns->name);
    }
}

static void
check_sidecars(struct dctx *d, const struct dcl *k)
{
    for (size_t j = 0; j < k->no_sidecar.n; j++) {
        struct m_pod *p = k->no_sidecar.items[j];
        char obj[600], sts[256];
        snprintf(obj, sizeof obj, "pod/%s/%s", p->ns, p->name);
        /* A StatefulSet pod is NAME-N: the statefulset is NAME. */
        snprintf(sts, sizeof sts, "%s", p->name);
        char *dash = strrchr(sts, '-');
        if (dash != NULL && dash[1] >= '0' && dash[1] <= '9')
            *dash = '\0';
        struct m_finding *f = doctor__add(
            d, SEV_ERROR, "POD_NO_SIDECAR", k, obj,
            "the restart re-creates the pods one at a time; each rejoins Galera by IST",
            "pod %s has no istio-proxy although namespace %s is labelled for injection: it "
            "was created before the label and needs a restart",
            p->name, p->ns);
        doctor__fix_restart(d, f, k, p->ns, sts);
    }
}

/* The ServiceEntry se of k for host NAME.REMOTE.global, regenerated from the remote's
 * nodes, as f's fix; false when the host has another form or the remote is not known. */
static bool
regen_fix(struct dctx *d, struct m_finding *f, const struct dcl *k, const struct m_sentry *se,
          const char *host)
{
    char name[128], remote[128];
    if (!mesh_host_parse(host, name, sizeof name, remote, sizeof remote))
        return false;
    const struct dcl *rk = doctor__cluster(d, remote);
    if (rk == NULL)
        return false;
    doctor__fix_sentry(d, f, k, se->ns, name, remote, se);
    return true;
}

/* A ServiceEntry's endpoints for host against the mesh rule (doctor/mesh.h): the remote
 * cluster's node InternalIPs. Not checked while the remote's nodes are unknown: no check
 * rather than a false alarm. */
static void
check_sentry_endpoints(struct dctx *d, const struct dcl *k, const struct m_sentry *se,
                       const char *host, const char *obj)
{
    char name[128], remote[128];
    if (!mesh_host_parse(host, name, sizeof name, remote, sizeof remote))
        return;
    const struct dcl *rk = doctor__cluster(d, remote);
    const char *want[MF_MAX_ENDPOINTS];
    int n_want = rk != NULL && rk->c->reachable ? mesh_endpoints(rk->c, want, MF_MAX_ENDPOINTS) : 0;
    if (n_want == 0)
        return;
    char hint[300];
    snprintf(hint, sizeof hint,
             "the command regenerates the same object (name, VIP) from %s's nodes and applies "
             "it",
             remote);
    for (int e = 0; e < se->n_endpoints; e++) {
        const char *a = se->endpoints[e].address;
        if (mesh_is_endpoint(rk->c, a))
            continue;
        struct m_finding *f = doctor__add(
            d, SEV_ERROR, "SE_ENDPOINT_UNKNOWN", k, obj, hint,
            "endpoint %s of %s is not a node address (InternalIP) of cluster %s", a, host, remote);
        doctor__fix_sentry(d, f, k, se->ns, name, remote, se);
        f->since_ms = se->changed_ms;
    }
    /* An entry without endpoints is SE_NO_ENDPOINTS already. */
    if (se->n_endpoints == 0)
        return;
    struct strbuf missing;
    strbuf_init(&missing);
    int n_missing = 0, n_cmp = n_want < MF_MAX_ENDPOINTS ? n_want : MF_MAX_ENDPOINTS;
    for (int w = 0; w < n_cmp; w++) {
        bool listed = false;
        for (int e = 0; e < se->n_endpoints && !listed; e++)
            listed = mesh_address_equal(se->endpoints[e].address, want[w]);
        if (!listed)
            strbuf_appendf(&missing, "%s%s", n_missing++ ? ", " : "", want[w]);
    }
    if (n_missing > 0) {
        struct m_finding *f = doctor__add(
            d, SEV_WARNING, "SE_ENDPOINT_MISSING", k, obj, hint,
            "%s lists %d of cluster %s's %d node addresses (not %s): connections never use the "
            "others, and fail when the listed nodes are down",
            host, n_cmp - n_missing, remote, n_want, missing.s);
        doctor__fix_sentry(d, f, k, se->ns, name, remote, se);
    }
    strbuf_fini(&missing);
}

static void
check_sentries(struct dctx *d, const struct dcl *k)
{
    struct m_cluster *c = k->c;
    for (size_t i = 0; i < c->sentries.n; i++) {
        struct m_sentry *se = c->sentries.items[i];
        const char *host0 = se->n_hosts > 0 ? se->hosts[0] : "";
        char obj[600];
        snprintf(obj, sizeof obj, "serviceentry/%s/%s", se->ns, se->name);
        bool tcp = false;
        for (int p = 0; p < se->n_ports; p++) {
            struct m_port *pt = &se->ports[p];
            bool named = strncmp(pt->name, "tcp", 3) == 0 || strncmp(pt->name, "mysql", 5) == 0;
            if (strcasecmp(pt->protocol, "TCP") == 0 || strcasecmp(pt->protocol, "MYSQL") == 0)
                tcp = true;
            if (!named) {
                struct m_finding *f = doctor__add(
                    d, SEV_WARNING, "SE_PORT_NAME", k, obj,
                    "name the port tcp-mysql (pxcmesh generate serviceentry does)",
                    "port %d is named '%s': Istio picks the protocol from a tcp-* or mysql* "
                    "name",
                    pt->number, pt->name);
                regen_fix(d, f, k, se, host0);
            }
            if (pt->protocol[0] != '\0' && strcasecmp(pt->protocol, "TCP") != 0 &&
                strcasecmp(pt->protocol, "MYSQL") != 0) {
                struct m_finding *f = doctor__add(
                    d, SEV_ERROR, "SE_PROTOCOL", k, obj, "set protocol: TCP on the MySQL port",
                    "port %d has protocol %s: MySQL replication needs TCP", pt->number,
                    pt->protocol);
                regen_fix(d, f, k, se, host0);
            }
        }
        if (tcp && se->n_addresses == 0) {
            struct m_finding *f = doctor__add(
                d, SEV_WARNING, "SE_NO_ADDRESSES", k, obj,
                "add spec.addresses with a virtual IP (pxcmesh generate serviceentry sets one)",
                "TCP ServiceEntry %s has no addresses: it captures all traffic on its port in "
                "the mesh (istioctl IST0134)",
                se->name);
            regen_fix(d, f, k, se, host0);
        }
        if (se->resolution != NULL && strcmp(se->resolution, "STATIC") == 0 &&
            se->n_endpoints == 0) {
            struct m_finding *f = doctor__add(
                d, SEV_ERROR, "SE_NO_ENDPOINTS", k, obj,
                "add endpoints at the remote cluster's node addresses (pxcmesh generate "
                "serviceentry --endpoints-from-cluster)",
                "ServiceEntry %s resolves STATIC but has no endpoints: connections go nowhere",
                se->name);
            regen_fix(d, f, k, se, host0);
        }
        for (int h = 0; h < se->n_hosts; h++)
            check_sentry_endpoints(d, k, se, se->hosts[h], obj);
        /* The same host in two ServiceEntries: Istio merges them unpredictably. */
        for (size_t j = i + 1; j < c->sentries.n; j++) {
            struct m_sentry *o = c->sentries.items[j];
            for (int h = 0; h < se->n_hosts; h++)
                for (int q = 0; q < o->n_hosts; q++)
                    if (strcasecmp(se->hosts[h], o->hosts[q]) == 0)
                        doctor__add(d, SEV_WARNING, "SE_HOST_DUP", k, obj,
                                    "keep one ServiceEntry per host; delete the other",
                                    "host %s is declared by ServiceEntries %s/%s and %s/%s",
                                    se->hosts[h], se->ns, se->name, o->ns, o->name);
        }
    }
}

static void
check_expose(struct dctx *d, const struct dcl *k)
{
    struct m_cluster *c = k->c;
    for (size_t i = 0; i < c->pxcs.n && c->sentries.n > 0; i++) {
        struct m_pxc *x = c->pxcs.items[i];
        if (!x->expose)
            continue;
        char obj[600];
        snprintf(obj, sizeof obj, "pxc/%s/%s", x->ns, x->name);
        struct m_finding *f =
            doctor__add(d, SEV_WARNING, "PXC_EXPOSE_ON", k, obj,
                        "the operator removes the per-pod Services on its next reconcile",
                        "%s still exposes its pods (pxc.expose) although ServiceEntries carry "
                        "replication: external IPs are not needed",
                        x->name);
        doctor__fix_kubectl(d, f, k, FIX_COMMAND, "turn pxc.expose off",
                            "patch pxc %s -n %s --type merge -p "
                            "'{\"spec\":{\"pxc\":{\"expose\":{\"enabled\":false}}}}'",
                            x->name, x->ns);
    }
}

void
doctor__check_mesh(struct dctx *d, const struct dcl *k)
{
    check_namespaces(d, k);
    check_sidecars(d, k);
    check_sentries(d, k);
    check_expose(d, k);
}
