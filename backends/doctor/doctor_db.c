/* doctor_db: the checks of the database side: every MySQL server that could not be read
 * (a hung one told apart from one that refuses or is refused), Galera per node and per
 * cluster, each replication channel, and the PXC CR against what the servers run. Blind is
 * never healthy here: a server that could not be read is a finding of its own, an error
 * when it hides a channel or the whole cluster, and the states it last reported are not
 * judged as if they were current. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "strbuf.h"
#include "doctor/doctor_internal.h"
#include "doctor/mesh.h"

static bool
host_is_global(const char *h)
{
    size_t n = strlen(h);
    return n > 7 && strcasecmp(h + n - 7, ".global") == 0;
}

static const struct m_sentry *
sentry_for_host(const struct m_cluster *c, const char *host)
{
    for (size_t i = 0; i < c->sentries.n; i++) {
        const struct m_sentry *se = c->sentries.items[i];
        for (int h = 0; h < se->n_hosts; h++)
            if (strcasecmp(se->hosts[h], host) == 0)
                return se;
    }
    return NULL;
}

static void
fmt_time(int64_t ms, char *buf, size_t n)
{
    if (ms > 0)
        clock_fmt_rfc3339(ms, buf, n);
    else
        snprintf(buf, n, "never");
}

/* The PXC pod a server is: same name, else same address. */
static struct m_pod *
server_pod(const struct dcl *k, const struct m_server *s)
{
    struct m_pod *p = doctor__pxc_pod(k, s->name);
    for (size_t i = 0; p == NULL && i < k->pxc_pods.n; i++) {
        struct m_pod *q = k->pxc_pods.items[i];
        if (q->ip[0] != '\0' && strcmp(q->ip, s->host) == 0)
            p = q;
    }
    return p;
}

static int
channels_on(const struct m_cluster *c, const char *server, const char **name)
{
    int n = 0;
    for (size_t i = 0; i < c->channels.n; i++) {
        const struct m_channel *ch = c->channels.items[i];
        if (strcmp(ch->server, server) == 0) {
            if (n++ == 0 && name != NULL)
                *name = ch->name;
        }
    }
    return n;
}

/* A node's Galera state as current: read, and its newest read did not fail. */
static bool
galera_fresh(const struct m_pod *p)
{
    return p->galera.known && p->galera.error == NULL;
}

/* "the other nodes report a cluster of 2 (pxc-cluster-pxc-0, pxc-cluster-pxc-2)" */
static void
others_say(const struct dcl *k, const struct m_pod *self, struct strbuf *sb)
{
    int size = -1, n = 0;
    struct strbuf who;
    strbuf_init(&who);
    for (size_t i = 0; i < k->pxc_pods.n; i++) {
        const struct m_pod *p = k->pxc_pods.items[i];
        if (p == self || !galera_fresh(p) || p->ns != self->ns || p->instance != self->instance)
            continue;
        if (p->galera.cluster_size > size)
            size = p->galera.cluster_size;
        strbuf_appendf(&who, "%s%s", n++ ? ", " : "", p->name);
    }
    if (n == 0)
        strbuf_append(sb, "no other node could be read");
    else
        strbuf_appendf(sb, "the other nodes report a cluster of %d (%s)", size, who.s);
    strbuf_fini(&who);
}

/* The read error without the "NAME (HOST:PORT): " that mysqlc puts first: the finding
 * names the server already. */
static const char *
error_words(const struct m_server *s)
{
    size_t n = strlen(s->name);
    if (strncmp(s->error, s->name, n) == 0 && s->error[n] == ' ' && s->error[n + 1] == '(') {
        const char *e = strstr(s->error + n, "): ");
        if (e != NULL)
            return e + 3;
    }
    return s->error;
}

static void
check_servers(struct dctx *d, const struct dcl *k)
{
    struct m_cluster *c = k->c;
    size_t n_bad = 0;
    for (size_t i = 0; i < c->servers.n; i++)
        n_bad += ((const struct m_server *)c->servers.items[i])->error[0] != '\0';
    bool all = n_bad > 0 && n_bad == c->servers.n;
    for (size_t i = 0; i < c->servers.n; i++) {
        const struct m_server *s = c->servers.items[i];
        if (s->error[0] == '\0')
            continue;
        struct m_pod *pod = server_pod(k, s);
        char obj[600], good[300], at[40];
        if (pod != NULL)
            snprintf(obj, sizeof obj, "pod/%s/%s", pod->ns, pod->name);
        else
            snprintf(obj, sizeof obj, "mysql/%s", s->name);
        fmt_time(s->updated_ms, at, sizeof at);
        if (pod != NULL && pod->galera.known)
            snprintf(good, sizeof good, "last good state %s, %s, size %d, read at %s",
                     pod->galera.state ? pod->galera.state : "?",
                     pod->galera.status ? pod->galera.status : "?", pod->galera.cluster_size, at);
        else if (s->updated_ms > 0)
            snprintf(good, sizeof good, "last good read at %s", at);
        else
            snprintf(good, sizeof good, "never read");
        const char *chan = NULL;
        int n_ch = channels_on(c, s->name, &chan);
        struct strbuf hides;
        strbuf_init(&hides);
        if (n_ch > 0)
            strbuf_appendf(&hides, "; it runs channel %s, whose state is unknown meanwhile", chan);
        if (all)
            strbuf_appendf(&hides,
                           "; no server of %s can be read: its channels and Galera "
                           "state are unknown",
                           c->name);
        struct m_finding *f;
        if (s->hung && pod != NULL) {
            struct strbuf others;
            strbuf_init(&others);
            others_say(k, pod, &others);
            f = doctor__add(d, SEV_ERROR, "GALERA_NODE_HUNG", k, obj,
                            "a server that accepts and never answers does not recover by "
                            "itself: deleting the pod restarts it, and it rejoins by IST",
                            "node %s (%s:%d) accepts connections but does not answer (%s); %s; "
                            "%s%s",
                            pod->name, s->host, s->port, error_words(s), good, others.s, hides.s);
            strbuf_fini(&others);
            doctor__fix_delete_pod(d, f, k, pod);
        } else {
            bool denied = strstr(s->error, "access denied") != NULL;
            const char *hint =
                denied        ? "the status user is refused: check its password where the config "
                                "says it is (mysql.passwordFrom) against the server's"
                : s->hung     ? "the server accepts connections and never answers: it is hung or "
                                "overloaded; restart it"
                : pod != NULL ? "the server is down or not listening; if its pod does not "
                                "restart it, deleting the pod does"
                              : "check that the server runs and listens at that address";
            enum finding_severity sev =
                n_ch > 0 || all || (pod != NULL && pod->replication_pod) ? SEV_ERROR : SEV_WARNING;
            f = doctor__add(d, sev, "MYSQL_UNREADABLE", k, obj, hint,
                            "cannot read MySQL server %s (%s:%d): %s; %s%s", s->name, s->host,
                            s->port, error_words(s), good, hides.s);
            if (pod != NULL && !denied)
                doctor__fix_delete_pod(d, f, k, pod);
        }
        f->since_ms = s->error_since_ms;
        strbuf_fini(&hides);
    }
}

void
doctor__check_galera(struct dctx *d, const struct dcl *k)
{
    check_servers(d, k);
    struct m_cluster *c = k->c;
    for (size_t i = 0; i < c->pxcs.n; i++) {
        struct m_pxc *x = c->pxcs.items[i];
        char obj[600];
        snprintf(obj, sizeof obj, "pxc/%s/%s", x->ns, x->name);
        /* Galera per pod of this CR, from current reads only: a node that cannot be read
         * is MYSQL_UNREADABLE / GALERA_NODE_HUNG, its last state is not judged. */
        int size_seen = -1;
        struct m_finding *blind = NULL;
        for (size_t j = 0; j < k->pxc_pods.n; j++) {
            struct m_pod *p = k->pxc_pods.items[j];
            if (p->ns != x->ns || p->instance == NULL || strcmp(p->instance, x->name) != 0)
                continue;
            char pobj[600];
            snprintf(pobj, sizeof pobj, "pod/%s/%s", p->ns, p->name);
            if (blind == NULL &&
                (blind = doctor__find(d, "GALERA_NODE_HUNG", c->name, pobj)) == NULL)
                blind = doctor__find(d, "MYSQL_UNREADABLE", c->name, pobj);
            if (!galera_fresh(p))
                continue;
            if (p->galera.status != NULL && strcmp(p->galera.status, "Primary") != 0)
                doctor__add(d, SEV_ERROR, "GALERA_NOT_PRIMARY", k, pobj,
                            "find the partition: check the other nodes; bootstrap the most "
                            "advanced node only if the whole cluster is down",
                            "node %s is in a %s component: it refuses writes", p->name,
                            p->galera.status);
            if (p->galera.state != NULL && strcmp(p->galera.state, "Synced") != 0)
                doctor__add(d, SEV_WARNING, "GALERA_NOT_SYNCED", k, pobj,
                            "wait for SST/IST to finish; if it stays, read the node's error log",
                            "node %s is %s, not Synced", p->name, p->galera.state);
            if (p->galera.fc_paused > 0.1)
                doctor__add(d, SEV_WARNING, "GALERA_FLOW_CONTROL", k, pobj,
                            "a slow node holds the cluster back: look at its recv queue and disk",
                            "node %s spent %.0f%% of the time paused by flow control", p->name,
                            p->galera.fc_paused * 100);
            if (p->galera.cluster_size > size_seen)
                size_seen = p->galera.cluster_size;
        }
        if (size_seen >= 0 && x->size > 0 && size_seen < x->size) {
            struct m_finding *f = doctor__add(
                d, SEV_ERROR, "GALERA_SIZE", k, obj,
                "look for nodes that left the cluster (GALERA_NOT_SYNCED, unreadable or hung "
                "nodes, pod restarts)",
                "Galera cluster size is %d, below the %d nodes %s asks for", size_seen, x->size,
                x->name);
            if (blind != NULL)
                f->cause = doctor__index(d, blind);
        }
    }
}

/* ---- channels ---- */

/* The host a channel of k named name should read from: the ServiceEntry host of k for the
 * cluster whose PXC CR declares the channel as its source, else for the only remote with a
 * ServiceEntry in k. NULL: none, or not one alone. */
static const char *
expected_source(const struct dctx *d, const struct dcl *k, const char *name, char *buf, size_t n)
{
    const char *only = NULL;
    int n_hosts = 0;
    for (size_t i = 0; i < k->c->sentries.n; i++) {
        const struct m_sentry *se = k->c->sentries.items[i];
        for (int h = 0; h < se->n_hosts; h++) {
            char pxc[128], remote[128];
            if (!mesh_host_parse(se->hosts[h], pxc, sizeof pxc, remote, sizeof remote))
                continue;
            const struct dcl *rk = doctor__cluster(d, remote);
            if (rk == NULL || rk == k)
                continue;
            n_hosts++;
            only = se->hosts[h];
            for (size_t x = 0; x < rk->c->pxcs.n; x++) {
                const struct m_pxc *px = rk->c->pxcs.items[x];
                for (size_t q = 0; q < px->channels.n; q++) {
                    const struct m_pxc_channel *pc = px->channels.items[q];
                    if (pc->is_source && strcmp(pc->name, name) == 0 &&
                        strcmp(px->name, pxc) == 0) {
                        snprintf(buf, n, "%s", se->hosts[h]);
                        return buf;
                    }
                }
            }
        }
    }
    if (n_hosts == 1) {
        snprintf(buf, n, "%s", only);
        return buf;
    }
    return NULL;
}

/* Is host NAME.CLUSTER.global a name of nothing known: no ServiceEntry of k declares it,
 * and CLUSTER is no cluster here, or one whose PXC clusters do not include NAME? */
static bool
host_unknown(const struct dctx *d, const struct dcl *k, const char *host)
{
    char pxc[128], remote[128];
    if (!host_is_global(host) || sentry_for_host(k->c, host) != NULL)
        return false;
    if (!mesh_host_parse(host, pxc, sizeof pxc, remote, sizeof remote))
        return true;
    const struct dcl *rk = doctor__cluster(d, remote);
    if (rk == NULL)
        return true;
    if (rk->c->pxcs.n == 0)
        return false; /* its CRs are not known: no claim */
    for (size_t i = 0; i < rk->c->pxcs.n; i++)
        if (strcmp(((const struct m_pxc *)rk->c->pxcs.items[i])->name, pxc) == 0)
            return false;
    return true;
}

/* The finding on the server of ch that explains why ch cannot be read, or NULL. */
static struct m_finding *
server_finding(const struct dctx *d, const struct dcl *k, const struct m_channel *ch)
{
    char obj[600];
    const struct m_pod *p = doctor__pxc_pod(k, ch->server);
    if (p != NULL)
        snprintf(obj, sizeof obj, "pod/%s/%s", p->ns, p->name);
    else
        snprintf(obj, sizeof obj, "mysql/%s", ch->server);
    struct m_finding *f = doctor__find(d, "GALERA_NODE_HUNG", k->c->name, obj);
    return f != NULL ? f : doctor__find(d, "MYSQL_UNREADABLE", k->c->name, obj);
}

static void
check_unreadable(struct dctx *d, const struct dcl *k, const struct m_channel *ch, const char *obj)
{
    char at[40], last[300];
    fmt_time(ch->updated_ms, at, sizeof at);
    if (ch->updated_ms > 0)
        snprintf(last, sizeof last, "last read at %s: IO %s, SQL %s%s", at,
                 model_thread_name(ch->io), model_thread_name(ch->sql),
                 ch->last_io_errno || ch->last_sql_errno ? ", with an error" : "");
    else
        snprintf(last, sizeof last, "never read: the PXC CR declares it on this server");
    struct m_finding *f = doctor__add(
        d, SEV_ERROR, "CH_UNREADABLE", k, obj,
        "its server could not be read: see the server's finding (hung, down, or the monitor "
        "user's password)",
        "cannot read the status of channel %s on %s: %s; %s", ch->name, ch->server, ch->error,
        last);
    struct m_finding *root = server_finding(d, k, ch);
    if (root != NULL) {
        f->cause = doctor__index(d, root);
        f->since_ms = root->since_ms;
    }
}

/* The source cluster of a channel reading from NAME.X.global: X, when known here. */
static const struct dcl *
source_cluster(const struct dctx *d, const struct m_channel *ch, char *pxc, size_t n)
{
    char remote[128];
    if (!mesh_host_parse(ch->source_host, pxc, n, remote, sizeof remote))
        return NULL;
    return doctor__cluster(d, remote);
}

static void
io_error(struct dctx *d, const struct dcl *k, const struct m_channel *ch, const char *obj,
         struct m_finding *root_host, struct m_finding *no_sidecar)
{
    struct m_cluster *c = k->c;
    const char *cause = doctor_io_errno_cause(ch->last_io_errno);
    char hint[1024];
    switch (ch->last_io_errno) {
    case 1045:
        snprintf(hint, sizeof hint,
                 "the channel's stored password for the replication user no longer matches the "
                 "source's: set it from the source's PXC Secret");
        break;
    case 2005:
        if (root_host != NULL)
            snprintf(hint, sizeof hint, "%s does not resolve: see %s", ch->source_host,
                     root_host->code);
        else if (no_sidecar != NULL)
            snprintf(hint, sizeof hint,
                     "%s has no sidecar, so no Istio DNS proxy resolves %s for it: restart it "
                     "(see POD_NO_SIDECAR)",
                     ch->server, ch->source_host);
        else
            snprintf(hint, sizeof hint,
                     "%s does not resolve from %s: run the in-mesh DNS probe (pxcmesh probe dns "
                     "%s --from-cluster %s)",
                     ch->source_host, ch->server, ch->source_host, c->name);
        break;
    case 2003:
        snprintf(hint, sizeof hint,
                 "check the ServiceEntry endpoints and that the source nodes listen on %d",
                 ch->source_port);
        break;
    case 1236:
    case 13114:
        snprintf(hint, sizeof hint,
                 "re-seed the replica from a backup of the source (binary logs were purged)");
        break;
    default:
        snprintf(hint, sizeof hint, "read Last_IO_Error; run the probes for this channel");
    }
    struct m_finding *f = doctor__add(d, SEV_ERROR, "CH_IO_ERROR", k, obj, hint,
                                      "channel %s on %s: IO thread %s, errno %d: %s%s%s", ch->name,
                                      ch->server, model_thread_name(ch->io), ch->last_io_errno,
                                      ch->last_io_error[0] ? ch->last_io_error : "(no message)",
                                      cause ? " — " : "", cause ? cause : "");
    f->since_ms = ch->last_io_error_ms;
    if (ch->last_io_errno == 2005 && root_host != NULL)
        f->cause = doctor__index(d, root_host);
    else if ((ch->last_io_errno == 2005 || ch->last_io_errno == 2003 ||
              ch->last_io_errno == 2013) &&
             no_sidecar != NULL)
        f->cause = doctor__index(d, no_sidecar);
    else if (ch->last_io_errno == 2003 || ch->last_io_errno == 2013) {
        struct m_finding *root = doctor__find(d, "SE_ENDPOINT_UNKNOWN", c->name, NULL);
        if (root != NULL)
            f->cause = doctor__index(d, root);
    }
    if (ch->last_io_errno == 1045) {
        char pxc[128];
        const struct dcl *src = source_cluster(d, ch, pxc, sizeof pxc);
        const struct m_pxc *x = NULL;
        for (size_t i = 0; src != NULL && i < src->c->pxcs.n && x == NULL; i++)
            if (strcmp(((const struct m_pxc *)src->c->pxcs.items[i])->name, pxc) == 0)
                x = src->c->pxcs.items[i];
        if (x != NULL) {
            char secret[300];
            snprintf(secret, sizeof secret, "%s", x->secrets_name != NULL ? x->secrets_name : "");
            if (secret[0] == '\0')
                snprintf(secret, sizeof secret, "%s-secrets", x->name);
            doctor__fix_password(d, f, k, ch, src, x->ns, secret);
        }
    }
}

void
doctor__check_channels(struct dctx *d, const struct dcl *k)
{
    struct m_cluster *c = k->c;
    /* Lag is judged by the rule and thresholds the views colour by (doctor/health.h). */
    for (size_t i = 0; i < c->channels.n; i++) {
        struct m_channel *ch = c->channels.items[i];
        char obj[600];
        snprintf(obj, sizeof obj, "channel/%s", ch->name[0] ? ch->name : "(default)");
        if (ch->error[0] != '\0') {
            check_unreadable(d, k, ch, obj);
            continue;
        }
        /* The source host: a name of nothing known is the root cause; a known remote
         * without a ServiceEntry here is SE_MISSING. */
        struct m_finding *root_host = NULL;
        if (host_unknown(d, k, ch->source_host)) {
            char want[256];
            const char *host = expected_source(d, k, ch->name, want, sizeof want);
            char hint[600];
            if (host != NULL)
                snprintf(hint, sizeof hint,
                         "point the channel back at %s, the source cluster's ServiceEntry host",
                         host);
            else
                snprintf(hint, sizeof hint,
                         "point the channel at NAME.CLUSTER.global of its source cluster (a "
                         "ServiceEntry host of %s)",
                         c->name);
            root_host = doctor__add(
                d, SEV_ERROR, "CH_SOURCE_UNKNOWN", k, obj, hint,
                "channel %s on %s reads from %s, a name of no known cluster or ServiceEntry: "
                "no cluster here is called that, and no ServiceEntry of %s declares it",
                ch->name, ch->server, ch->source_host, c->name);
            if (host != NULL)
                doctor__fix_repoint(d, root_host, k, ch, host);
        } else if (host_is_global(ch->source_host) && sentry_for_host(c, ch->source_host) == NULL) {
            char name[128], remote[128];
            if (mesh_host_parse(ch->source_host, name, sizeof name, remote, sizeof remote)) {
                root_host = doctor__add(
                    d, SEV_ERROR, "SE_MISSING", k, obj,
                    "the command generates the ServiceEntry from the source cluster's nodes "
                    "and applies it",
                    "no ServiceEntry in %s declares host %s, which channel %s uses as its "
                    "source",
                    c->name, ch->source_host, ch->name);
                char ns[128];
                const struct m_pod *rp = doctor__pxc_pod(k, ch->server);
                snprintf(ns, sizeof ns, "%s", rp != NULL ? rp->ns : "pxc");
                doctor__fix_sentry(d, root_host, k, ns, name, remote, NULL);
            }
        } else if (ch->source_host[0] != '\0' && !host_is_global(ch->source_host) &&
                   c->sentries.n > 0 && sentry_for_host(c, ch->source_host) == NULL) {
            doctor__add(d, SEV_INFO, "CH_SOURCE_NOT_MESH", k, obj,
                        "point the channel at its source cluster's ServiceEntry host so it "
                        "survives pod restarts",
                        "channel %s replicates from %s, which matches no ServiceEntry host",
                        ch->name, ch->source_host);
        }
        /* The pod that runs the channel: without a sidecar it gets no mesh DNS or routes. */
        struct m_finding *no_sidecar = NULL;
        for (size_t q = 0; q < k->no_sidecar.n && no_sidecar == NULL; q++) {
            struct m_pod *p = k->no_sidecar.items[q];
            if (strcmp(p->name, ch->server) == 0 || strcmp(p->ip, ch->server) == 0) {
                char pobj[600];
                snprintf(pobj, sizeof pobj, "pod/%s/%s", p->ns, p->name);
                no_sidecar = doctor__find(d, "POD_NO_SIDECAR", c->name, pobj);
            }
        }
        if (ch->last_io_errno != 0 || ch->io == THR_CONNECTING)
            io_error(d, k, ch, obj, root_host, no_sidecar);
        if (ch->last_sql_errno != 0) {
            bool row = ch->last_sql_errno == 1062 || ch->last_sql_errno == 1032;
            char hint[400];
            if (ch->last_sql_errno == 1062)
                snprintf(hint, sizeof hint,
                         "the replica has a row the source inserts again: delete it on the "
                         "replica and START the channel (keeps the data identical), or skip the "
                         "one transaction with the command");
            else if (ch->last_sql_errno == 1032)
                snprintf(hint, sizeof hint,
                         "the replica lacks the row the source changes: restore it on the "
                         "replica and START the channel, or skip the one transaction with the "
                         "command");
            else
                snprintf(hint, sizeof hint,
                         "read Last_SQL_Error; fix the data, then START "
                         "the channel");
            struct m_finding *f =
                doctor__add(d, SEV_ERROR, "CH_SQL_ERROR", k, obj, hint,
                            "channel %s on %s: SQL thread stopped with errno %d: %s", ch->name,
                            ch->server, ch->last_sql_errno, ch->last_sql_error);
            f->since_ms = ch->last_sql_error_ms;
            if (row)
                doctor__fix_skip(d, f, k, ch);
        }
        if (ch->io == THR_NO && ch->sql == THR_NO && ch->last_io_errno == 0 &&
            ch->last_sql_errno == 0) {
            struct m_finding *f =
                doctor__add(d, SEV_WARNING, "CH_STOPPED", k, obj,
                            "someone stopped it (STOP REPLICA); start it when that is done",
                            "channel %s on %s is stopped", ch->name, ch->server);
            f->since_ms = ch->state_since_ms;
            doctor__fix_start(d, f, k, ch);
        }
        enum health_level lag = health_lag(ch->lag_s, &d->lim);
        if (lag == HEALTH_WARN || lag == HEALTH_BAD)
            doctor__add(d, lag == HEALTH_BAD ? SEV_ERROR : SEV_WARNING, "CH_LAG", k, obj,
                        "look for long transactions on the source, and at the replica's apply "
                        "rate",
                        "channel %s is %.0f s behind its source (threshold %.0f s, %s)", ch->name,
                        ch->lag_s, lag == HEALTH_BAD ? d->lim.lag_crit_s : d->lim.lag_warn_s,
                        lag == HEALTH_BAD ? "lagCritSeconds" : "lagWarnSeconds");
        if (ch->gtid_mode == 1)
            doctor__add(d, SEV_WARNING, "CH_GTID_OFF", k, obj,
                        "use GTID auto-positioning so the channel can fail over between "
                        "sources",
                        "channel %s uses file/position, not GTIDs", ch->name);
    }
}

/* ---- the CR against the servers ---- */

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
drift_declared(struct dctx *d, const struct dcl *k, const struct m_pxc *x, bool have_status)
{
    struct m_cluster *c = k->c;
    for (size_t q = 0; q < x->channels.n; q++) {
        struct m_pxc_channel *pc = x->channels.items[q];
        if (pc->is_source)
            continue;
        char obj[600];
        snprintf(obj, sizeof obj, "channel/%s", pc->name);
        struct m_channel *ch = channel_named(c, pc->name);
        if (ch == NULL) {
            if (have_status)
                doctor__add(d, SEV_ERROR, "DRIFT_CHANNEL_MISSING", k, obj,
                            "the operator has not configured it yet, or it was reset by hand: "
                            "check the operator's log",
                            "%s declares channel %s in spec.pxc.replicationChannels, but no "
                            "server runs it",
                            x->name, pc->name);
            continue;
        }
        /* sourcesList against the server's failover list (MySQL 8 only). */
        for (int s = 0; ch->n_failover > 0 && s < pc->n_sources; s++) {
            bool found = false;
            for (int f = 0; f < ch->n_failover && !found; f++)
                found = strcasecmp(ch->failover[f].host, pc->sources[s].host) == 0 &&
                        ch->failover[f].port == pc->sources[s].port &&
                        ch->failover[f].weight == pc->sources[s].weight;
            if (!found)
                doctor__add(d, SEV_WARNING, "DRIFT_SOURCES", k, obj,
                            "the operator re-applies sourcesList on its next reconcile; if it "
                            "does not, compare its log",
                            "source %s:%d weight %d of the CR is not in the server's failover "
                            "list",
                            pc->sources[s].host, pc->sources[s].port, pc->sources[s].weight);
        }
        /* The pod labelled as the replication pod should be where the channel runs. */
        for (size_t j = 0; j < k->pxc_pods.n; j++) {
            struct m_pod *p = k->pxc_pods.items[j];
            if (p->replication_pod && strcmp(p->name, ch->server) != 0 &&
                strstr(ch->server, p->name) == NULL && strcmp(p->ip, ch->server) != 0)
                doctor__add(d, SEV_WARNING, "DRIFT_REPLICATION_POD", k, obj,
                            "the operator moves the label on its next reconcile; a stale label "
                            "misleads scripts that exec into it",
                            "pod %s carries percona.com/replicationPod=true but the channel "
                            "runs on %s",
                            p->name, ch->server);
        }
    }
}

void
doctor__check_drift(struct dctx *d, const struct dcl *k)
{
    struct m_cluster *c = k->c;
    bool have_status = false;
    for (size_t i = 0; i < c->channels.n; i++)
        if (((struct m_channel *)c->channels.items[i])->updated_ms > 0)
            have_status = true;
    for (size_t i = 0; i < c->pxcs.n; i++) {
        struct m_pxc *x = c->pxcs.items[i];
        drift_declared(d, k, x, have_status);
        /* The reverse: a channel on the server the CR does not declare. */
        for (size_t q = 0; x->channels.n > 0 && q < c->channels.n; q++) {
            struct m_channel *ch = c->channels.items[q];
            bool declared = false;
            for (size_t r = 0; r < x->channels.n && !declared; r++)
                declared =
                    strcmp(((struct m_pxc_channel *)x->channels.items[r])->name, ch->name) == 0;
            if (!declared) {
                char obj[600];
                snprintf(obj, sizeof obj, "channel/%s", ch->name);
                doctor__add(d, SEV_WARNING, "DRIFT_CHANNEL_UNDECLARED", k, obj,
                            "add it to spec.pxc.replicationChannels or the operator may not keep "
                            "it",
                            "channel %s runs on %s but %s does not declare it", ch->name,
                            ch->server, x->name);
            }
        }
        for (size_t q = 0; q < x->channels.n; q++) {
            struct m_pxc_channel *pc = x->channels.items[q];
            for (size_t j = 0; pc->is_source && j < k->pxc_pods.n; j++) {
                struct m_pod *p = k->pxc_pods.items[j];
                if (p->read_only != 2)
                    continue;
                char obj[600];
                snprintf(obj, sizeof obj, "pod/%s/%s", p->ns, p->name);
                doctor__add(d, SEV_WARNING, "DRIFT_SOURCE_READONLY", k, obj,
                            "SET GLOBAL read_only=OFF on the source cluster's nodes",
                            "%s is a source of channel %s in the CR but %s has read_only=ON",
                            x->name, pc->name, p->name);
            }
        }
    }
}
