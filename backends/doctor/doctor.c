/* doctor: checks are plain functions over the model, run in an order that lets later
 * ones link to earlier ones: mesh objects first (namespaces, sidecars, ServiceEntries),
 * then Galera, then channels, whose failures point back at the mesh finding that
 * explains them. Codes are stable: scripts and tests match on them. */
#include "doctor/doctor.h"

#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "xmalloc.h"
#include "doctor/mesh.h"
#include "manifest/manifest.h"

static struct m_finding *
add(struct model *m, enum finding_severity sev, const char *code, const char *cluster,
    const char *object, const char *hint, const char *fmt, ...) PXC_PRINTF(7, 8);

static struct m_finding *
add(struct model *m, enum finding_severity sev, const char *code, const char *cluster,
    const char *object, const char *hint, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return model_finding_add(m, sev, code, cluster, object, msg, hint);
}

static int
finding_index(const struct model *m, const struct m_finding *f)
{
    for (size_t i = 0; i < m->findings.n; i++)
        if (m->findings.items[i] == f)
            return (int)i;
    return -1;
}

static struct m_finding *
find_finding(const struct model *m, const char *code, const char *cluster, const char *object)
{
    for (size_t i = 0; i < m->findings.n; i++) {
        struct m_finding *f = m->findings.items[i];
        if (strcmp(f->code, code) == 0 && (cluster == NULL || strcmp(f->cluster, cluster) == 0) &&
            (object == NULL || strcmp(f->object, object) == 0))
            return f;
    }
    return NULL;
}

const char *
doctor_io_errno_cause(int e)
{
    switch (e) {
    case 1045:
        return "the source refused the replication user's credentials (1045 access denied)";
    case 2005:
        return "the source host name does not resolve (2005 unknown host: DNS)";
    case 2003:
        return "nothing accepts connections at the source address (2003 connection refused)";
    case 2013:
        return "the connection to the source was lost (2013)";
    case 2026:
        return "the TLS handshake with the source failed (2026)";
    case 1236:
    case 13114:
        return "the source no longer has the binary logs the replica needs (1236: purged)";
    case 1593:
        return "the replica and the source have the same server id or UUID (1593)";
    }
    return NULL;
}

static bool
host_is_global(const char *h)
{
    size_t n = strlen(h);
    return n > 7 && strcmp(h + n - 7, ".global") == 0;
}

static struct m_sentry *
sentry_for_host(struct m_cluster *c, const char *host)
{
    for (size_t i = 0; i < c->sentries.n; i++) {
        struct m_sentry *se = c->sentries.items[i];
        for (int h = 0; h < se->n_hosts; h++)
            if (strcasecmp(se->hosts[h], host) == 0)
                return se;
    }
    return NULL;
}

static bool
is_pxc_pod(const struct m_pod *p)
{
    return p->component != NULL && strcmp(p->component, "pxc") == 0;
}

static void
check_namespaces_and_sidecars(struct model *m, struct m_cluster *c)
{
    /* Namespaces that hold PXC pods and are not labelled for injection. */
    for (size_t i = 0; i < c->namespaces.n; i++) {
        struct m_namespace *ns = c->namespaces.items[i];
        bool has_pxc = false;
        for (size_t j = 0; j < c->pods.n && !has_pxc; j++) {
            struct m_pod *p = c->pods.items[j];
            has_pxc = p->ns == ns->name && is_pxc_pod(p);
        }
        if (!has_pxc || !c->istio_installed)
            continue;
        if (ns->injection == INJ_NONE || ns->injection == INJ_DISABLED) {
            char obj[600], hint[256];
            snprintf(obj, sizeof obj, "namespace/%s", ns->name);
            snprintf(hint, sizeof hint,
                     "kubectl label namespace %s istio-injection=enabled --overwrite "
                     "(or press the label key in the Injection view), then restart the PXC "
                     "statefulset",
                     ns->name);
            add(m, SEV_ERROR, "NS_NOT_INJECTED", c->name, obj, hint,
                "namespace %s holds PXC pods but is %s for sidecar injection: replication "
                "traffic bypasses the mesh",
                ns->name, ns->injection == INJ_DISABLED ? "disabled" : "not labelled");
        }
    }
    for (size_t j = 0; j < c->pods.n; j++) {
        struct m_pod *p = c->pods.items[j];
        if (p->sidecar != SIDECAR_MISSING)
            continue;
        char obj[600], hint[300], sts[256];
        snprintf(obj, sizeof obj, "pod/%s/%s", p->ns, p->name);
        /* A StatefulSet pod is NAME-N: the statefulset is NAME. */
        snprintf(sts, sizeof sts, "%s", p->name);
        char *dash = strrchr(sts, '-');
        if (dash != NULL && dash[1] >= '0' && dash[1] <= '9')
            *dash = '\0';
        snprintf(hint, sizeof hint, "kubectl rollout restart statefulset %s -n %s", sts, p->ns);
        struct m_finding *f =
            add(m, SEV_ERROR, "POD_NO_SIDECAR", c->name, obj, hint,
                "pod %s has no istio-proxy although namespace %s is labelled for injection: it "
                "was created before the label and needs a restart",
                p->name, p->ns);
        (void)f;
    }
}

/* A ServiceEntry's endpoints for host against the mesh rule (doctor/mesh.h): the remote
 * cluster's node InternalIPs. Not checked while the remote's nodes are unknown: no check
 * rather than a false alarm. */
static void
check_sentry_endpoints(struct model *m, struct m_cluster *c, const struct m_sentry *se,
                       const char *host, const char *obj)
{
    char name[128], remote[128];
    if (!mesh_host_parse(host, name, sizeof name, remote, sizeof remote))
        return;
    struct m_cluster *rc = model_cluster_find(m, remote);
    const char *want[MF_MAX_ENDPOINTS];
    int n_want = rc != NULL && rc->reachable ? mesh_endpoints(rc, want, MF_MAX_ENDPOINTS) : 0;
    if (n_want == 0)
        return;
    /* The same object, VIP and name again, with the endpoints from the nodes. */
    char hint[1024], objname[300], opt_obj[340] = "", opt_vip[300] = "";
    snprintf(objname, sizeof objname, "%s-%s", name, remote);
    if (strcmp(objname, se->name) != 0)
        snprintf(opt_obj, sizeof opt_obj, " --object-name %s", se->name);
    if (se->n_addresses > 0)
        snprintf(opt_vip, sizeof opt_vip, " --address %s", se->addresses[0]);
    snprintf(hint, sizeof hint,
             "regenerate it from %s's nodes: pxcmesh generate serviceentry --name %s "
             "--namespace %s --remote-cluster %s%s%s --endpoints-from-cluster %s | "
             "pxcmesh apply -f - --context %s",
             remote, name, se->ns, remote, opt_obj, opt_vip, remote, c->context);
    for (int e = 0; e < se->n_endpoints; e++) {
        const char *a = se->endpoints[e].address;
        if (!mesh_is_endpoint(rc, a))
            add(m, SEV_ERROR, "SE_ENDPOINT_UNKNOWN", c->name, obj, hint,
                "endpoint %s of %s is not a node address (InternalIP) of cluster %s", a, host,
                remote);
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
    if (n_missing > 0)
        add(m, SEV_WARNING, "SE_ENDPOINT_MISSING", c->name, obj, hint,
            "%s lists %d of cluster %s's %d node addresses (not %s): connections never use the "
            "others, and fail when the listed nodes are down",
            host, n_cmp - n_missing, remote, n_want, missing.s);
    strbuf_fini(&missing);
}

static void
check_sentries(struct model *m, struct m_cluster *c)
{
    for (size_t i = 0; i < c->sentries.n; i++) {
        struct m_sentry *se = c->sentries.items[i];
        char obj[600];
        snprintf(obj, sizeof obj, "serviceentry/%s/%s", se->ns, se->name);
        bool tcp = false;
        for (int p = 0; p < se->n_ports; p++) {
            struct m_port *pt = &se->ports[p];
            bool named = strncmp(pt->name, "tcp", 3) == 0 || strncmp(pt->name, "mysql", 5) == 0;
            if (strcasecmp(pt->protocol, "TCP") == 0 || strcasecmp(pt->protocol, "MYSQL") == 0)
                tcp = true;
            if (!named)
                add(m, SEV_WARNING, "SE_PORT_NAME", c->name, obj,
                    "name the port tcp-mysql (pxcmesh generate serviceentry does)",
                    "port %d is named '%s': Istio picks the protocol from a tcp-* or mysql* "
                    "name",
                    pt->number, pt->name);
            if (pt->protocol[0] != '\0' && strcasecmp(pt->protocol, "TCP") != 0 &&
                strcasecmp(pt->protocol, "MYSQL") != 0)
                add(m, SEV_ERROR, "SE_PROTOCOL", c->name, obj,
                    "set protocol: TCP on the MySQL port",
                    "port %d has protocol %s: MySQL replication needs TCP", pt->number,
                    pt->protocol);
        }
        if (tcp && se->n_addresses == 0)
            add(m, SEV_WARNING, "SE_NO_ADDRESSES", c->name, obj,
                "add spec.addresses with a virtual IP (pxcmesh generate serviceentry sets one)",
                "TCP ServiceEntry %s has no addresses: it captures all traffic on its port in the "
                "mesh (istioctl IST0134)",
                se->name);
        if (se->resolution != NULL && strcmp(se->resolution, "STATIC") == 0 &&
            se->n_endpoints == 0)
            add(m, SEV_ERROR, "SE_NO_ENDPOINTS", c->name, obj,
                "add endpoints at the remote cluster's node addresses (pxcmesh generate "
                "serviceentry --endpoints-from-cluster)",
                "ServiceEntry %s resolves STATIC but has no endpoints: connections go nowhere",
                se->name);
        for (int h = 0; h < se->n_hosts; h++)
            check_sentry_endpoints(m, c, se, se->hosts[h], obj);
        /* The same host in two ServiceEntries: Istio merges them unpredictably. */
        for (size_t j = i + 1; j < c->sentries.n; j++) {
            struct m_sentry *o = c->sentries.items[j];
            for (int h = 0; h < se->n_hosts; h++)
                for (int k = 0; k < o->n_hosts; k++)
                    if (strcasecmp(se->hosts[h], o->hosts[k]) == 0)
                        add(m, SEV_WARNING, "SE_HOST_DUP", c->name, obj,
                            "keep one ServiceEntry per host; delete the other",
                            "host %s is declared by ServiceEntries %s/%s and %s/%s",
                            se->hosts[h], se->ns, se->name, o->ns, o->name);
        }
    }
}

static void
check_pxc(struct model *m, struct m_cluster *c)
{
    for (size_t i = 0; i < c->pxcs.n; i++) {
        struct m_pxc *x = c->pxcs.items[i];
        char obj[600];
        snprintf(obj, sizeof obj, "pxc/%s/%s", x->ns, x->name);
        if (x->expose && c->sentries.n > 0) {
            char hint[1024];
            snprintf(hint, sizeof hint,
                     "kubectl patch pxc %s -n %s --type merge -p "
                     "'{\"spec\":{\"pxc\":{\"expose\":{\"enabled\":false}}}}'",
                     x->name, x->ns);
            add(m, SEV_WARNING, "PXC_EXPOSE_ON", c->name, obj, hint,
                "%s still exposes its pods (pxc.expose) although ServiceEntries carry "
                "replication: external IPs are not needed",
                x->name);
        }
        /* Galera per pod of this CR. */
        int synced = 0, size_seen = -1;
        for (size_t j = 0; j < c->pods.n; j++) {
            struct m_pod *p = c->pods.items[j];
            if (!is_pxc_pod(p) || p->ns != x->ns || p->instance == NULL ||
                strcmp(p->instance, x->name) != 0 || !p->galera.known)
                continue;
            char pobj[600];
            snprintf(pobj, sizeof pobj, "pod/%s/%s", p->ns, p->name);
            if (p->galera.status != NULL && strcmp(p->galera.status, "Primary") != 0)
                add(m, SEV_ERROR, "GALERA_NOT_PRIMARY", c->name, pobj,
                    "find the partition: check the other nodes; bootstrap the most advanced "
                    "node only if the whole cluster is down",
                    "node %s is in a %s component: it refuses writes", p->name,
                    p->galera.status);
            if (p->galera.state != NULL && strcmp(p->galera.state, "Synced") != 0)
                add(m, SEV_WARNING, "GALERA_NOT_SYNCED", c->name, pobj,
                    "wait for SST/IST to finish; if it stays, read the node's error log",
                    "node %s is %s, not Synced", p->name, p->galera.state);
            else
                synced++;
            if (p->galera.fc_paused > 0.1)
                add(m, SEV_WARNING, "GALERA_FLOW_CONTROL", c->name, pobj,
                    "a slow node holds the cluster back: look at its recv queue and disk",
                    "node %s spent %.0f%% of the time paused by flow control", p->name,
                    p->galera.fc_paused * 100);
            if (p->galera.cluster_size > size_seen)
                size_seen = p->galera.cluster_size;
        }
        if (size_seen >= 0 && x->size > 0 && size_seen < x->size)
            add(m, SEV_ERROR, "GALERA_SIZE", c->name, obj,
                "look for nodes that left the cluster (GALERA_NOT_SYNCED, pod restarts)",
                "Galera cluster size is %d, below the %d nodes %s asks for", size_seen, x->size,
                x->name);
    }
}

static struct m_channel *
channel_named(struct m_cluster *c, const char *name)
{
    for (size_t i = 0; i < c->channels.n; i++) {
        struct m_channel *ch = c->channels.items[i];
        if (strcmp(ch->name, name) == 0)
            return ch;
    }
    return NULL;
}

static void
check_drift(struct model *m, struct m_cluster *c)
{
    bool have_status = false;
    for (size_t i = 0; i < c->channels.n; i++)
        if (((struct m_channel *)c->channels.items[i])->updated_ms > 0)
            have_status = true;
    for (size_t i = 0; i < c->pxcs.n; i++) {
        struct m_pxc *x = c->pxcs.items[i];
        for (size_t k = 0; k < x->channels.n; k++) {
            struct m_pxc_channel *pc = x->channels.items[k];
            if (pc->is_source)
                continue;
            char obj[600];
            snprintf(obj, sizeof obj, "channel/%s", pc->name);
            struct m_channel *ch = channel_named(c, pc->name);
            if (ch == NULL) {
                if (have_status)
                    add(m, SEV_ERROR, "DRIFT_CHANNEL_MISSING", c->name, obj,
                        "the operator has not configured it yet, or it was reset by hand: "
                        "check the operator's log",
                        "%s declares channel %s in spec.pxc.replicationChannels, but no server "
                        "runs it",
                        x->name, pc->name);
                continue;
            }
            /* sourcesList against the server's failover list (MySQL 8 only). */
            if (ch->n_failover > 0) {
                for (int s = 0; s < pc->n_sources; s++) {
                    bool found = false;
                    for (int f = 0; f < ch->n_failover && !found; f++)
                        found = strcasecmp(ch->failover[f].host, pc->sources[s].host) == 0 &&
                                ch->failover[f].port == pc->sources[s].port &&
                                ch->failover[f].weight == pc->sources[s].weight;
                    if (!found)
                        add(m, SEV_WARNING, "DRIFT_SOURCES", c->name, obj,
                            "the operator re-applies sourcesList on its next reconcile; if it "
                            "does not, compare its log",
                            "source %s:%d weight %d of the CR is not in the server's failover "
                            "list",
                            pc->sources[s].host, pc->sources[s].port, pc->sources[s].weight);
                }
            }
            /* The pod labelled as the replication pod should be where the channel runs. */
            for (size_t j = 0; j < c->pods.n; j++) {
                struct m_pod *p = c->pods.items[j];
                if (p->replication_pod && strcmp(p->name, ch->server) != 0 &&
                    strstr(ch->server, p->name) == NULL && strcmp(p->ip, ch->server) != 0) {
                    add(m, SEV_WARNING, "DRIFT_REPLICATION_POD", c->name, obj,
                        "the operator moves the label on its next reconcile; a stale label "
                        "misleads scripts that exec into it",
                        "pod %s carries percona.com/replicationPod=true but the channel runs on "
                        "%s",
                        p->name, ch->server);
                }
            }
        }
        /* The reverse: a channel on the server the CR does not declare. */
        if (x->channels.n > 0) {
            for (size_t k = 0; k < c->channels.n; k++) {
                struct m_channel *ch = c->channels.items[k];
                bool declared = false;
                for (size_t q = 0; q < x->channels.n && !declared; q++)
                    declared = strcmp(((struct m_pxc_channel *)x->channels.items[q])->name,
                                      ch->name) == 0;
                if (!declared) {
                    char obj[600];
                    snprintf(obj, sizeof obj, "channel/%s", ch->name);
                    add(m, SEV_WARNING, "DRIFT_CHANNEL_UNDECLARED", c->name, obj,
                        "add it to spec.pxc.replicationChannels or the operator may not keep it",
                        "channel %s runs on %s but %s does not declare it", ch->name, ch->server,
                        x->name);
                }
            }
        }
        for (size_t k = 0; k < x->channels.n; k++) {
            struct m_pxc_channel *pc = x->channels.items[k];
            for (size_t j = 0; j < c->pods.n; j++) {
                struct m_pod *p = c->pods.items[j];
                if (!is_pxc_pod(p) || p->read_only == 0)
                    continue;
                if (pc->is_source && p->read_only == 2) {
                    char obj[600];
                    snprintf(obj, sizeof obj, "pod/%s/%s", p->ns, p->name);
                    add(m, SEV_WARNING, "DRIFT_SOURCE_READONLY", c->name, obj,
                        "SET GLOBAL read_only=OFF on the source cluster's nodes",
                        "%s is a source of channel %s in the CR but %s has read_only=ON",
                        x->name, pc->name, p->name);
                }
            }
        }
    }
}

static void
check_channels(struct model *m, struct m_cluster *c, const struct doctor_opts *o)
{
    /* Lag is judged by the rule and thresholds the views colour by (doctor/health.h). */
    struct health_limits lim = health_limits_from_config(NULL);
    if (o != NULL && o->limits != NULL)
        lim = *o->limits;
    for (size_t i = 0; i < c->channels.n; i++) {
        struct m_channel *ch = c->channels.items[i];
        char obj[600];
        snprintf(obj, sizeof obj, "channel/%s", ch->name[0] ? ch->name : "(default)");
        if (ch->error[0] != '\0') {
            add(m, SEV_ERROR, "CH_UNREADABLE", c->name, obj,
                "check that the server is up and the monitor user's password",
                "cannot read the status of channel %s on %s: %s", ch->name, ch->server,
                ch->error);
            continue;
        }
        /* The source host against the ServiceEntries of this cluster. */
        struct m_finding *se_missing = NULL;
        if (host_is_global(ch->source_host) && sentry_for_host(c, ch->source_host) == NULL) {
            char remote[128], hint[512];
            if (!mesh_host_parse(ch->source_host, NULL, 0, remote, sizeof remote))
                snprintf(remote, sizeof remote, "REMOTE");
            char name[128];
            snprintf(name, sizeof name, "%.*s", (int)strcspn(ch->source_host, "."),
                     ch->source_host);
            snprintf(hint, sizeof hint,
                     "pxcmesh generate serviceentry --name %s --namespace pxc --remote-cluster %s "
                     "--endpoints-from-cluster %s | pxcmesh apply -f - --context %s",
                     name, remote, remote, c->context);
            se_missing = add(m, SEV_ERROR, "SE_MISSING", c->name, obj, hint,
                             "no ServiceEntry in %s declares host %s, which channel %s uses as "
                             "its source",
                             c->name, ch->source_host, ch->name);
        } else if (ch->source_host[0] != '\0' && !host_is_global(ch->source_host) &&
                   c->sentries.n > 0 && sentry_for_host(c, ch->source_host) == NULL) {
            add(m, SEV_INFO, "CH_SOURCE_NOT_MESH", c->name, obj,
                "point the channel at the ServiceEntry host (NAME.CLUSTER.global) so it survives "
                "pod restarts",
                "channel %s replicates from %s, which matches no ServiceEntry host", ch->name,
                ch->source_host);
        }
        /* The pod that runs the channel: without a sidecar it gets no mesh DNS or routes. */
        struct m_finding *no_sidecar = NULL;
        for (size_t k = 0; k < c->pods.n && no_sidecar == NULL; k++) {
            struct m_pod *p = c->pods.items[k];
            if (p->sidecar == SIDECAR_MISSING &&
                (strcmp(p->name, ch->server) == 0 || strcmp(p->ip, ch->server) == 0)) {
                char pobj[600];
                snprintf(pobj, sizeof pobj, "pod/%s/%s", p->ns, p->name);
                no_sidecar = find_finding(m, "POD_NO_SIDECAR", c->name, pobj);
            }
        }
        if (ch->last_io_errno != 0 || ch->io == THR_CONNECTING) {
            const char *cause = doctor_io_errno_cause(ch->last_io_errno);
            char hint[1024];
            switch (ch->last_io_errno) {
            case 1045:
                snprintf(hint, sizeof hint, "check the replication user and password: pxcmesh "
                                            "generate replication-sql --create-user ...");
                break;
            case 2005:
                if (se_missing != NULL)
                    snprintf(hint, sizeof hint, "make %s resolvable in the mesh: a ServiceEntry "
                                                "with that host (see SE_MISSING)",
                             ch->source_host);
                else if (no_sidecar != NULL)
                    snprintf(hint, sizeof hint,
                             "%s has no sidecar, so no Istio DNS proxy resolves %s for it: "
                             "restart it (see POD_NO_SIDECAR)",
                             ch->server, ch->source_host);
                else
                    snprintf(hint, sizeof hint,
                             "%s does not resolve from %s: run the in-mesh DNS probe "
                             "(pxcmesh probe dns %s --from-cluster %s)",
                             ch->source_host, ch->server, ch->source_host, c->name);
                break;
            case 2003:
                snprintf(hint, sizeof hint, "check the ServiceEntry endpoints and that the source "
                                            "nodes listen on %d",
                         ch->source_port);
                break;
            case 1236:
            case 13114:
                snprintf(hint, sizeof hint, "re-seed the replica from a backup of the source "
                                            "(binary logs were purged)");
                break;
            default:
                snprintf(hint, sizeof hint, "read Last_IO_Error; run the probes for this "
                                            "channel");
            }
            struct m_finding *f = add(
                m, SEV_ERROR, "CH_IO_ERROR", c->name, obj, hint,
                "channel %s on %s: IO thread %s, errno %d: %s%s%s", ch->name, ch->server,
                model_thread_name(ch->io), ch->last_io_errno,
                ch->last_io_error[0] ? ch->last_io_error : "(no message)", cause ? " — " : "",
                cause ? cause : "");
            if (ch->last_io_errno == 2005 && se_missing != NULL)
                f->cause = finding_index(m, se_missing);
            else if ((ch->last_io_errno == 2005 || ch->last_io_errno == 2003 ||
                      ch->last_io_errno == 2013) &&
                     no_sidecar != NULL)
                f->cause = finding_index(m, no_sidecar);
            else if (ch->last_io_errno == 2003 || ch->last_io_errno == 2013) {
                struct m_finding *root = find_finding(m, "SE_ENDPOINT_UNKNOWN", c->name, NULL);
                if (root != NULL)
                    f->cause = finding_index(m, root);
            }
        }
        if (ch->last_sql_errno != 0)
            add(m, SEV_ERROR, "CH_SQL_ERROR", c->name, obj,
                ch->last_sql_errno == 1062
                    ? "the replica has a row the source inserts again: remove it on the "
                      "replica (or skip the transaction) and START the channel"
                    : "read Last_SQL_Error; fix the data, then START the channel",
                "channel %s on %s: SQL thread stopped with errno %d: %s", ch->name, ch->server,
                ch->last_sql_errno, ch->last_sql_error);
        if (ch->io == THR_NO && ch->sql == THR_NO && ch->last_io_errno == 0 &&
            ch->last_sql_errno == 0)
            add(m, SEV_WARNING, "CH_STOPPED", c->name, obj,
                "start it with the channel key, or: pxcmesh channel start NAME --cluster C",
                "channel %s on %s is stopped", ch->name, ch->server);
        enum health_level lag = health_lag(ch->lag_s, &lim);
        if (lag == HEALTH_WARN || lag == HEALTH_BAD)
            add(m, lag == HEALTH_BAD ? SEV_ERROR : SEV_WARNING, "CH_LAG", c->name, obj,
                "look for long transactions on the source, and at the replica's apply rate",
                "channel %s is %.0f s behind its source (threshold %.0f s, %s)", ch->name,
                ch->lag_s, lag == HEALTH_BAD ? lim.lag_crit_s : lim.lag_warn_s,
                lag == HEALTH_BAD ? "lagCritSeconds" : "lagWarnSeconds");
        if (ch->gtid_mode == 1)
            add(m, SEV_WARNING, "CH_GTID_OFF", c->name, obj,
                "use GTID auto-positioning so the channel can fail over between sources",
                "channel %s uses file/position, not GTIDs", ch->name);
    }
}

int
doctor_run(struct model *m, const struct doctor_opts *o)
{
    model_findings_clear(m);
    for (size_t i = 0; i < m->clusters.n; i++) {
        struct m_cluster *c = m->clusters.items[i];
        if (!c->reachable && c->error[0] != '\0') {
            add(m, SEV_ERROR, "API_UNREACHABLE", c->name, "cluster",
                "check the kubeconfig context, network and credentials",
                "cannot reach the API server of %s: %s", c->name, c->error);
        }
        check_namespaces_and_sidecars(m, c);
        check_sentries(m, c);
        check_pxc(m, c);
    }
    for (size_t i = 0; i < m->clusters.n; i++) {
        struct m_cluster *c = m->clusters.items[i];
        check_channels(m, c, o);
        check_drift(m, c);
    }
    int errors = 0;
    for (size_t i = 0; i < m->findings.n; i++)
        if (((struct m_finding *)m->findings.items[i])->severity == SEV_ERROR)
            errors++;
    return errors;
}

static void
format_one(const struct m_finding *f, struct strbuf *out, int depth)
{
    for (int i = 0; i < depth; i++)
        strbuf_append(out, "    ");
    strbuf_appendf(out, "%s%-7s %-22s %s %s: %s\n", depth ? "└─ " : "",
                   model_severity_name(f->severity), f->code, f->cluster, f->object, f->message);
    if (f->hint[0] != '\0') {
        for (int i = 0; i < depth; i++)
            strbuf_append(out, "    ");
        strbuf_appendf(out, "%s        fix: %s\n", depth ? "   " : "", f->hint);
    }
}

void
doctor_format(const struct model *m, struct strbuf *out)
{
    if (m->findings.n == 0) {
        strbuf_append(out, "no problems found\n");
        return;
    }
    /* Roots (findings nothing points at, or that cause others) first, their effects
     * indented under them; errors before warnings before infos. */
    for (int sev = SEV_ERROR; sev >= SEV_INFO; sev--) {
        for (size_t i = 0; i < m->findings.n; i++) {
            const struct m_finding *f = m->findings.items[i];
            if (f->cause >= 0 || (int)f->severity != sev)
                continue;
            bool is_cause = false;
            for (size_t j = 0; j < m->findings.n; j++)
                if (((const struct m_finding *)m->findings.items[j])->cause == (int)i)
                    is_cause = true;
            format_one(f, out, 0);
            if (!is_cause)
                continue;
            for (size_t j = 0; j < m->findings.n; j++) {
                const struct m_finding *e = m->findings.items[j];
                if (e->cause == (int)i)
                    format_one(e, out, 1);
            }
        }
    }
}

json_t *
doctor_findings_json(const struct model *m)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < m->findings.n; i++) {
        const struct m_finding *f = m->findings.items[i];
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "severity",
                              model_severity_name(f->severity), "code", f->code, "cluster",
                              f->cluster, "object", f->object, "message", f->message, "hint",
                              f->hint);
        json_object_set_new(o, "cause", f->cause >= 0 ? json_integer(f->cause) : json_null());
        json_array_append_new(arr, o);
    }
    return arr;
}

void
doctor_json(const struct model *m, struct strbuf *out)
{
    json_t *doc = json_object();
    json_object_set_new(doc, "findings", doctor_findings_json(m));
    char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (s != NULL) {
        strbuf_append(out, s);
        strbuf_appendc(out, '\n');
        free(s);
    }
    json_decref(doc);
}
