/* doctor: runs the checks (doctor_mesh.c, doctor_db.c) in an order that lets later ones
 * link to earlier ones: mesh objects first (namespaces, sidecars, ServiceEntries), then
 * Galera and the servers, then channels, whose failures point back at the finding that
 * explains them. Codes are stable: scripts and tests match on them. Here too: since when
 * each finding holds (the onset the model knows, else the first run that saw it, through
 * a memo), and the findings as text and JSON. */
#include "doctor/doctor.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "hmap.h"
#include "xmalloc.h"
#include "config/config.h"
#include "doctor/doctor_internal.h"

struct memo_ent {
    int64_t since_ms;
    uint64_t run; /* the last run that produced it */
};

struct doctor_memo {
    struct hmap seen; /* "code\x1f" "cluster\x1f" "object" -> struct memo_ent * (owned) */
    uint64_t run;
};

struct doctor_memo *
doctor_memo_new(void)
{
    struct doctor_memo *mm = xcalloc(1, sizeof *mm);
    hmap_init(&mm->seen);
    return mm;
}

void
doctor_memo_free(struct doctor_memo *mm)
{
    if (mm == NULL)
        return;
    const char *k;
    void *v;
    for (size_t it = 0; hmap_next(&mm->seen, &it, &k, &v);)
        free(v);
    hmap_fini(&mm->seen);
    free(mm);
}

struct m_finding *
doctor__add(struct dctx *d, enum finding_severity sev, const char *code, const struct dcl *k,
            const char *object, const char *hint, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    struct m_finding *f =
        model_finding_new(sev, code, k != NULL ? k->c->name : "", object, msg, hint);
    vec_push(d->out, f);
    return f;
}

struct m_finding *
doctor__find(const struct dctx *d, const char *code, const char *cluster, const char *object)
{
    for (size_t i = 0; i < d->out->n; i++) {
        struct m_finding *f = d->out->items[i];
        if (strcmp(f->code, code) == 0 && (cluster == NULL || strcmp(f->cluster, cluster) == 0) &&
            (object == NULL || strcmp(f->object, object) == 0))
            return f;
    }
    return NULL;
}

int
doctor__index(const struct dctx *d, const struct m_finding *f)
{
    for (size_t i = 0; i < d->out->n; i++)
        if (d->out->items[i] == f)
            return (int)i;
    return -1;
}

const struct dcl *
doctor__cluster(const struct dctx *d, const char *name)
{
    for (size_t i = 0; i < d->n_cl; i++)
        if (strcmp(d->cl[i].c->name, name) == 0)
            return &d->cl[i];
    return NULL;
}

struct m_pod *
doctor__pxc_pod(const struct dcl *k, const char *name)
{
    for (size_t i = 0; i < k->pxc_pods.n; i++) {
        struct m_pod *p = k->pxc_pods.items[i];
        if (strcmp(p->name, name) == 0)
            return p;
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

/* The one pass over each cluster's pods: the rest of the run reads these short lists. */
static void
index_clusters(struct dctx *d)
{
    d->n_cl = d->m->clusters.n;
    d->cl = xcalloc(d->n_cl ? d->n_cl : 1, sizeof *d->cl);
    const struct config *cfg = d->o->cfg;
    for (size_t i = 0; i < d->n_cl; i++) {
        struct dcl *k = &d->cl[i];
        k->c = d->m->clusters.items[i];
        k->cfg_i = -1;
        for (size_t j = 0; cfg != NULL && j < cfg->n_clusters; j++)
            if (strcmp(cfg->clusters[j].name, k->c->name) == 0)
                k->cfg_i = (int)j;
        vec_init(&k->pxc_pods, NULL);
        vec_init(&k->no_sidecar, NULL);
        for (size_t j = 0; j < k->c->pods.n; j++) {
            struct m_pod *p = k->c->pods.items[j];
            if (p->component != NULL && strcmp(p->component, "pxc") == 0)
                vec_push(&k->pxc_pods, p);
            if (p->sidecar == SIDECAR_MISSING)
                vec_push(&k->no_sidecar, p);
        }
    }
}

static void
memo_key(const struct m_finding *f, char *buf, size_t n)
{
    snprintf(buf, n, "%s\x1f%s\x1f%s", f->code, f->cluster, f->object);
}

/* since: the onset a check found in the model, else the first run that saw the finding
 * (the memo), else now. The memo forgets what this run did not find. */
static void
stamp_since(struct dctx *d)
{
    struct doctor_memo *mm = d->o->memo;
    if (mm != NULL)
        mm->run++;
    for (size_t i = 0; i < d->out->n; i++) {
        struct m_finding *f = d->out->items[i];
        if (mm == NULL) {
            if (f->since_ms == 0)
                f->since_ms = d->now_ms;
            continue;
        }
        char key[1024];
        memo_key(f, key, sizeof key);
        struct memo_ent *e = hmap_get(&mm->seen, key);
        if (e == NULL) {
            e = xcalloc(1, sizeof *e);
            e->since_ms = d->now_ms;
            hmap_put(&mm->seen, key, e);
        }
        e->run = mm->run;
        if (f->since_ms == 0)
            f->since_ms = e->since_ms;
    }
    if (mm == NULL)
        return;
    const char *k;
    void *v;
    struct vec gone;
    vec_init(&gone, free);
    for (size_t it = 0; hmap_next(&mm->seen, &it, &k, &v);)
        if (((struct memo_ent *)v)->run != mm->run)
            vec_push(&gone, xstrdup(k));
    for (size_t i = 0; i < gone.n; i++)
        free(hmap_del(&mm->seen, gone.items[i]));
    vec_fini(&gone);
}

int
doctor_collect(const struct model *m, const struct doctor_opts *o, struct vec *out)
{
    struct doctor_opts none = {0};
    struct dctx d = {.m = m, .o = o != NULL ? o : &none, .out = out};
    d.lim = health_limits_from_config(NULL);
    if (d.o->limits != NULL)
        d.lim = *d.o->limits;
    d.now_ms = d.o->now_ms != 0 ? d.o->now_ms : clock_wall_ms();
    index_clusters(&d);
    /* While a cluster's first lists are in flight, a missing ServiceEntry, pod or sidecar
     * proves nothing (a channel read before the ServiceEntries were listed would be
     * SE_MISSING for half a second): judge only what is known to have failed. The run
     * that follows the lists' arrival judges the rest. */
    bool listing = false;
    for (size_t i = 0; i < d.n_cl; i++)
        listing |= d.cl[i].c->listing;
    for (size_t i = 0; i < d.n_cl; i++) {
        const struct dcl *k = &d.cl[i];
        struct m_cluster *c = k->c;
        if (!c->reachable && c->error[0] != '\0') {
            struct m_finding *f =
                doctor__add(&d, SEV_ERROR, "API_UNREACHABLE", k, "cluster",
                            "check the kubeconfig context, network and credentials",
                            "cannot reach the API server of %s: %s", c->name, c->error);
            f->since_ms = c->updated_ms; /* the last good contact: unreachable since */
        }
        if (listing)
            continue;
        doctor__check_mesh(&d, k);
        doctor__check_galera(&d, k);
    }
    for (size_t i = 0; i < d.n_cl && !listing; i++) {
        doctor__check_channels(&d, &d.cl[i]);
        doctor__check_drift(&d, &d.cl[i]);
    }
    stamp_since(&d);
    for (size_t i = 0; i < d.n_cl; i++) {
        vec_fini(&d.cl[i].pxc_pods);
        vec_fini(&d.cl[i].no_sidecar);
    }
    free(d.cl);
    int errors = 0;
    for (size_t i = 0; i < out->n; i++)
        errors += ((struct m_finding *)out->items[i])->severity == SEV_ERROR;
    return errors;
}

int
doctor_run(struct model *m, const struct doctor_opts *o)
{
    struct vec set;
    vec_init(&set, model_finding_free);
    int errors = doctor_collect(m, o, &set);
    (void)model_findings_replace(m, &set); /* unchanged findings are not news */
    vec_fini(&set);
    return errors;
}

static void
indent(struct strbuf *out, int depth)
{
    for (int i = 0; i < depth; i++)
        strbuf_append(out, "    ");
}

static void
format_one(const struct m_finding *f, struct strbuf *out, int depth)
{
    indent(out, depth);
    strbuf_appendf(out, "%s%-7s %-22s %s %s: %s\n", depth ? "└─ " : "",
                   model_severity_name(f->severity), f->code, f->cluster, f->object, f->message);
    const char *pad = depth ? "           " : "        ";
    const char *cmd = f->fix.command != NULL ? f->fix.command : "";
    if (cmd[0] != '\0') {
        indent(out, depth);
        strbuf_appendf(out, "%sfix: %s\n", pad, cmd);
    }
    if (f->hint[0] != '\0') {
        indent(out, depth);
        strbuf_appendf(out, "%s%s%s\n", pad, cmd[0] ? "     " : "fix: ", f->hint);
    }
    if (f->fix.warning != NULL && f->fix.warning[0] != '\0') {
        indent(out, depth);
        strbuf_appendf(out, "%swarning: %s\n", pad, f->fix.warning);
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
            format_one(f, out, 0);
            for (size_t j = 0; j < m->findings.n; j++) {
                const struct m_finding *e = m->findings.items[j];
                if (e->cause == (int)i)
                    format_one(e, out, 1);
            }
        }
    }
}

static json_t *
str_or_empty(const char *s)
{
    return json_string(s != NULL ? s : "");
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
        char ts[40];
        if (f->since_ms > 0) {
            clock_fmt_rfc3339(f->since_ms, ts, sizeof ts);
            json_object_set_new(o, "since", json_string(ts));
        } else {
            json_object_set_new(o, "since", json_null());
        }
        json_t *fx = json_object();
        json_object_set_new(fx, "action", json_string(model_fix_kind_name(f->fix.kind)));
        json_object_set_new(fx, "command", str_or_empty(f->fix.command));
        json_object_set_new(fx, "what", str_or_empty(f->fix.what));
        json_object_set_new(fx, "where", str_or_empty(f->fix.where));
        json_object_set_new(fx, "warning", str_or_empty(f->fix.warning));
        json_object_set_new(o, "fix", fx);
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
