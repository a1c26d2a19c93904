/* setup: steps in dependency order (mesh, then sidecars, then the PXC clusters, then
 * the ServiceEntry, then DNS and the port as seen from inside the mesh, then the
 * channel). The checks read only the model and the probe results handed in. */
#include "doctor/setup.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xmalloc.h"
#include "doctor/mesh.h"
#include "manifest/manifest.h"

static struct setup_step *
step(struct setup_plan *plan, const char *id, const char *fmt, ...) PXC_PRINTF(3, 4);

static struct setup_step *
step(struct setup_plan *plan, const char *id, const char *fmt, ...)
{
    struct setup_step *s = &plan->steps[plan->n_steps++];
    memset(s, 0, sizeof *s);
    s->id = id;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->title, sizeof s->title, fmt, ap);
    va_end(ap);
    return s;
}

static void
say(struct setup_step *s, enum setup_state st, const char *fmt, ...) PXC_PRINTF(3, 4);

static void
say(struct setup_step *s, enum setup_state st, const char *fmt, ...)
{
    s->state = st;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->detail, sizeof s->detail, fmt, ap);
    va_end(ap);
}

static struct m_cluster *
cluster(const struct model *m, const char *name)
{
    for (size_t i = 0; i < m->clusters.n; i++) {
        struct m_cluster *c = m->clusters.items[i];
        if (strcmp(c->name, name) == 0)
            return c;
    }
    return NULL;
}

static bool
blocked_by(struct setup_step *s, const struct setup_step *dep)
{
    if (dep->state == SETUP_DONE)
        return false;
    say(s, SETUP_BLOCKED, "waits for: %s", dep->title);
    return true;
}

static void
check_istio(struct setup_step *s, const struct m_cluster *c, const char *name)
{
    if (c == NULL)
        say(s, SETUP_MISSING, "cluster %s is not in the console (add it with :ctx %s)", name,
            name);
    else if (!c->reachable)
        say(s, SETUP_UNKNOWN, "cannot reach %s: %s", name, c->error[0] ? c->error : "no answer");
    else if (!c->istio_installed)
        say(s, SETUP_MISSING,
            "no Istio sidecar injector in %s: install Istio first (seed step 1)", name);
    else
        say(s, SETUP_DONE, "Istio %s", c->istio_version ? c->istio_version : "installed");
}

static void
check_ns(struct setup_step *s, struct m_cluster *c, const char *ns)
{
    struct m_namespace *n = model_ns_find(c, ns);
    if (n == NULL) {
        say(s, SETUP_MISSING, "namespace %s does not exist in %s", ns, c->name);
        s->fix = SETUP_FIX_APPLY;
        s->fix_docs = json_array();
        struct mf_namespace_opts o = {.name = ns};
        struct pxerr err;
        if (mf_namespace(&o, s->fix_docs, &err) != 0)
            s->fix = SETUP_FIX_NONE;
        snprintf(s->fix_text, sizeof s->fix_text, "create namespace %s labelled for injection",
                 ns);
    } else if (n->injection == INJ_ENABLED || n->injection == INJ_REVISION) {
        say(s, SETUP_DONE, "%s", n->injection == INJ_ENABLED ? "istio-injection=enabled"
                                                             : "istio.io/rev set");
        return;
    } else {
        say(s, SETUP_MISSING, "namespace %s is %s for injection", ns,
            n->injection == INJ_DISABLED ? "disabled" : "not labelled");
        s->fix = SETUP_FIX_LABEL_NAMESPACE;
        snprintf(s->fix_text, sizeof s->fix_text, "label namespace %s istio-injection=enabled",
                 ns);
    }
    snprintf(s->fix_cluster, sizeof s->fix_cluster, "%s", c->name);
    snprintf(s->fix_target, sizeof s->fix_target, "%s", ns);
}

static void
check_sidecars(struct setup_step *s, struct m_cluster *c, const char *ns, const char *pxc)
{
    int total = 0, missing = 0;
    for (size_t i = 0; i < c->pods.n; i++) {
        const struct m_pod *p = c->pods.items[i];
        if (strcmp(p->ns, ns) != 0 || p->component == NULL || strcmp(p->component, "pxc") != 0 ||
            (p->instance != NULL && strcmp(p->instance, pxc) != 0))
            continue;
        total++;
        if (p->sidecar != SIDECAR_INJECTED)
            missing++;
    }
    if (total == 0) {
        say(s, SETUP_UNKNOWN, "no PXC pods of %s seen in %s/%s yet", pxc, c->name, ns);
        return;
    }
    if (missing == 0) {
        say(s, SETUP_DONE, "%d of %d pods have istio-proxy", total, total);
        return;
    }
    say(s, SETUP_MISSING, "%d of %d PXC pods lack istio-proxy: they started before the label",
        missing, total);
    s->fix = SETUP_FIX_RESTART_STS;
    snprintf(s->fix_cluster, sizeof s->fix_cluster, "%s", c->name);
    snprintf(s->fix_target, sizeof s->fix_target, "%s/%s-pxc", ns, pxc);
    snprintf(s->fix_text, sizeof s->fix_text, "rollout restart statefulset %s-pxc in %s", pxc, ns);
}

static void
check_pxc(struct setup_step *s, struct m_cluster *c, const char *ns, const char *pxc)
{
    struct m_pxc *x = model_pxc_find(c, ns, pxc);
    if (x == NULL) {
        say(s, SETUP_MISSING, "no PerconaXtraDBCluster %s in %s/%s", pxc, c->name, ns);
        s->fix = SETUP_FIX_APPLY;
        s->fix_docs = json_array();
        struct mf_pxc_opts o = {.name = pxc, .namespace = ns, .size = 3};
        struct pxerr err;
        if (mf_pxc(&o, s->fix_docs, &err) != 0)
            s->fix = SETUP_FIX_NONE;
        snprintf(s->fix_text, sizeof s->fix_text, "create PXC %s (3 nodes, no expose) in %s", pxc,
                 ns);
        snprintf(s->fix_cluster, sizeof s->fix_cluster, "%s", c->name);
        return;
    }
    if (x->expose) {
        say(s, SETUP_MISSING, "%s still exposes its pods (pxc.expose): not needed with the mesh",
            pxc);
        s->fix = SETUP_FIX_APPLY;
        s->fix_docs = json_pack("[{s:s, s:s, s:{s:s, s:s}, s:{s:{s:{s:b}}}}]", "apiVersion",
                                "pxc.percona.com/v1", "kind", "PerconaXtraDBCluster", "metadata",
                                "name", pxc, "namespace", ns, "spec", "pxc", "expose", "enabled",
                                0);
        snprintf(s->fix_text, sizeof s->fix_text, "set pxc.expose.enabled=false on %s", pxc);
        snprintf(s->fix_cluster, sizeof s->fix_cluster, "%s", c->name);
        return;
    }
    if (x->state == NULL || strcasecmp(x->state, "ready") != 0)
        say(s, SETUP_UNKNOWN, "%s is %s (%d/%d ready): wait for the operator", pxc,
            x->state ? x->state : "in an unknown state", x->ready, x->size);
    else
        say(s, SETUP_DONE, "%s ready %d/%d, no expose", pxc, x->ready, x->size);
}

static bool
sentry_has(const struct m_sentry *se, const char *host)
{
    for (int h = 0; h < se->n_hosts; h++)
        if (strcasecmp(se->hosts[h], host) == 0)
            return true;
    return false;
}

static void
check_sentry(struct setup_step *s, struct m_cluster *rep, struct m_cluster *src,
             const struct setup_params *p, const char *host)
{
    const char *addrs[MF_MAX_ENDPOINTS];
    int n_addrs = src != NULL ? mesh_endpoints(src, addrs, MF_MAX_ENDPOINTS) : 0;
    if (n_addrs > MF_MAX_ENDPOINTS)
        n_addrs = MF_MAX_ENDPOINTS;
    struct m_sentry *found = NULL;
    for (size_t i = 0; i < rep->sentries.n && found == NULL; i++)
        if (sentry_has(rep->sentries.items[i], host))
            found = rep->sentries.items[i];
    if (found != NULL) {
        int matched = 0, extra = 0;
        for (int a = 0; a < n_addrs; a++)
            for (int e = 0; e < found->n_endpoints; e++)
                if (mesh_address_equal(found->endpoints[e].address, addrs[a])) {
                    matched++;
                    break;
                }
        for (int e = 0; e < found->n_endpoints && src != NULL; e++)
            extra += !mesh_is_endpoint(src, found->endpoints[e].address);
        if (n_addrs == 0 || (matched == n_addrs && extra == 0)) {
            say(s, SETUP_DONE, "ServiceEntry %s/%s: %s -> %d endpoint(s)", found->ns, found->name,
                host, found->n_endpoints);
            return;
        }
        if (extra > 0)
            say(s, SETUP_MISSING,
                "ServiceEntry %s/%s lists %d of %s's %d node addresses and %d other "
                "address(es)",
                found->ns, found->name, matched, p->source, n_addrs, extra);
        else
            say(s, SETUP_MISSING, "ServiceEntry %s/%s lists %d of %s's %d node addresses",
                found->ns, found->name, matched, p->source, n_addrs);
    } else {
        say(s, SETUP_MISSING, "no ServiceEntry in %s declares %s", rep->name, host);
    }
    if (n_addrs == 0) {
        snprintf(s->detail + strlen(s->detail), sizeof s->detail - strlen(s->detail),
                 "; %s's node addresses are not known yet", p->source);
        return;
    }
    struct mf_serviceentry_opts o = {.name = p->pxc, .namespace = p->ns,
                                     .remote_cluster = p->source, .n_endpoints = n_addrs};
    if (found != NULL)
        o.object_name = found->name;
    for (int a = 0; a < n_addrs; a++)
        o.endpoints[a].address = addrs[a];
    s->fix_docs = json_array();
    struct pxerr err;
    if (mf_serviceentry(&o, s->fix_docs, &err) != 0) {
        json_decref(s->fix_docs);
        s->fix_docs = NULL;
        return;
    }
    s->fix = SETUP_FIX_APPLY;
    snprintf(s->fix_cluster, sizeof s->fix_cluster, "%s", rep->name);
    snprintf(s->fix_text, sizeof s->fix_text, "apply ServiceEntry %s -> %d address(es) of %s",
             host, n_addrs, p->source);
}

static void
check_probe(struct setup_step *s, const struct probe_result *r, const char *rep,
            const char *target, const char *what)
{
    s->fix = SETUP_FIX_PROBE;
    snprintf(s->fix_cluster, sizeof s->fix_cluster, "%s", rep);
    snprintf(s->fix_target, sizeof s->fix_target, "%s", target);
    snprintf(s->fix_text, sizeof s->fix_text, "%s %s from inside %s (exec in a pxc pod)", what,
             target, rep);
    if (r == NULL) {
        say(s, SETUP_UNKNOWN, "not checked yet: run the probe");
        return;
    }
    if (r->status == PROBE_OK) {
        say(s, SETUP_DONE, "%s", r->summary);
        return;
    }
    say(s, SETUP_MISSING, "%s", r->summary);
}

static void
check_channel(struct setup_step *s, struct m_cluster *rep, const struct setup_params *p,
              const char *host)
{
    struct m_channel *ch = NULL;
    for (size_t i = 0; i < rep->channels.n && ch == NULL; i++)
        if (strcmp(((struct m_channel *)rep->channels.items[i])->name, p->channel) == 0)
            ch = rep->channels.items[i];
    snprintf(s->fix_cluster, sizeof s->fix_cluster, "%s", rep->name);
    snprintf(s->fix_target, sizeof s->fix_target, "%s", p->channel);
    if (ch == NULL) {
        say(s, SETUP_MISSING, "no channel %s on %s's servers", p->channel, rep->name);
        struct strbuf sql;
        strbuf_init(&sql);
        struct mf_repl_sql_opts o = {.channel = p->channel, .source_host = host,
                                     .user = p->repl_user, .dialect = (enum mf_dialect)p->dialect};
        struct pxerr err;
        if (mf_replication_sql(&o, &sql, &err) == 0) {
            s->fix = SETUP_FIX_SQL;
            s->fix_sql = strbuf_detach(&sql);
            snprintf(s->fix_text, sizeof s->fix_text, "create channel %s from %s on %s",
                     p->channel, host, rep->name);
        }
        strbuf_fini(&sql);
        return;
    }
    /* Running is the step's goal; lag over the thresholds is worth saying, not a step. */
    char why[400];
    enum health_level h = health_channel(ch, p->limits, why, sizeof why);
    if (ch->io == THR_YES && ch->sql == THR_YES) {
        if (h == HEALTH_OK)
            say(s, SETUP_DONE, "running on %s, lag %.1f s", ch->server, ch->lag_s);
        else if (ch->lag_s >= 0)
            say(s, SETUP_DONE, "running on %s, but %s", ch->server, why);
        else
            say(s, SETUP_DONE, "running on %s", ch->server);
        return;
    }
    say(s, SETUP_MISSING, "%s on %s", why, ch->server);
    s->fix = SETUP_FIX_START_CHANNEL;
    snprintf(s->fix_text, sizeof s->fix_text, "START channel %s on %s", p->channel, ch->server);
}

void
setup_evaluate(const struct model *m, const struct setup_params *p, struct setup_plan *plan)
{
    memset(plan, 0, sizeof *plan);
    snprintf(plan->host, sizeof plan->host, "%s.%s.global", p->pxc, p->source);
    struct m_cluster *rep = cluster(m, p->replica), *src = cluster(m, p->source);

    struct setup_step *ir = step(plan, "istio-replica", "%s: Istio installed", p->replica);
    check_istio(ir, rep, p->replica);
    struct setup_step *is = step(plan, "istio-source", "%s: Istio installed", p->source);
    check_istio(is, src, p->source);

    struct setup_step *nr = step(plan, "ns-replica", "%s: namespace %s labelled for injection",
                                 p->replica, p->ns);
    if (!blocked_by(nr, ir))
        check_ns(nr, rep, p->ns);
    struct setup_step *ns_ = step(plan, "ns-source", "%s: namespace %s labelled for injection",
                                  p->source, p->ns);
    if (!blocked_by(ns_, is))
        check_ns(ns_, src, p->ns);

    struct setup_step *sr = step(plan, "sidecars-replica", "%s: PXC pods have sidecars",
                                 p->replica);
    if (!blocked_by(sr, nr))
        check_sidecars(sr, rep, p->ns, p->pxc);
    struct setup_step *ss = step(plan, "sidecars-source", "%s: PXC pods have sidecars", p->source);
    if (!blocked_by(ss, ns_))
        check_sidecars(ss, src, p->ns, p->pxc);

    struct setup_step *pr = step(plan, "pxc-replica", "%s: PXC ready without expose", p->replica);
    if (!blocked_by(pr, ir))
        check_pxc(pr, rep, p->ns, p->pxc);
    struct setup_step *ps = step(plan, "pxc-source", "%s: PXC ready without expose", p->source);
    if (!blocked_by(ps, is))
        check_pxc(ps, src, p->ns, p->pxc);

    struct setup_step *se = step(plan, "serviceentry", "%s: ServiceEntry for %s", p->replica,
                                 plan->host);
    if (!blocked_by(se, ir) && !blocked_by(se, is))
        check_sentry(se, rep, src, p, plan->host);

    struct setup_step *dns = step(plan, "dns-mesh", "%s: %s resolves inside the mesh", p->replica,
                                  plan->host);
    if (!blocked_by(dns, se) && !blocked_by(dns, sr))
        check_probe(dns, p->dns_probe, p->replica, plan->host, "resolve");

    char hostport[300];
    snprintf(hostport, sizeof hostport, "%s:3306", plan->host);
    struct setup_step *tcp = step(plan, "port-mesh", "%s: %s reachable inside the mesh",
                                  p->replica, hostport);
    if (!blocked_by(tcp, dns))
        check_probe(tcp, p->tcp_probe, p->replica, hostport, "connect to");

    struct setup_step *ch = step(plan, "channel", "%s: channel %s running", p->replica,
                                 p->channel);
    if (!blocked_by(ch, tcp))
        check_channel(ch, rep, p, plan->host);
    else if (rep != NULL) {
        /* A running channel proves the path even if the probes were not run. */
        struct setup_step tmp;
        memset(&tmp, 0, sizeof tmp);
        check_channel(&tmp, rep, p, plan->host);
        if (tmp.state == SETUP_DONE) {
            *ch = tmp;
            ch->id = "channel";
            snprintf(ch->title, sizeof ch->title, "%s: channel %s running", p->replica,
                     p->channel);
        } else {
            json_decref(tmp.fix_docs);
            free(tmp.fix_sql);
        }
    }
}

void
setup_plan_fini(struct setup_plan *plan)
{
    for (int i = 0; i < plan->n_steps; i++) {
        json_decref(plan->steps[i].fix_docs);
        free(plan->steps[i].fix_sql);
        plan->steps[i].fix_docs = NULL;
        plan->steps[i].fix_sql = NULL;
    }
    plan->n_steps = 0;
}

int
setup_next(const struct setup_plan *plan)
{
    for (int i = 0; i < plan->n_steps; i++)
        if (plan->steps[i].state != SETUP_DONE)
            return i;
    return -1;
}

const char *
setup_state_name(enum setup_state s)
{
    switch (s) {
    case SETUP_DONE:
        return "done";
    case SETUP_MISSING:
        return "missing";
    case SETUP_BLOCKED:
        return "blocked";
    case SETUP_UNKNOWN:
        break;
    }
    return "?";
}
