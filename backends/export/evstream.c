/* evstream: what changed, by comparing the model with the stream's own record of it. Every
 * object seen is a key ("kind\x1fcluster\x1fns\x1fname") stamped with the generation of the
 * call that last saw it; after a call, a key with an older stamp is an object removed.
 * Channels and findings keep the few fields whose change is a line. Deliberately not here:
 * writing the lines anywhere (the caller's), and deciding when to call (cmd_watch). */
#include "export/evstream.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "clock.h"
#include "hmap.h"
#include "vec.h"
#include "xmalloc.h"
#include "model/model_source.h"

#define SEP "\x1f"

struct ch_seen {
    uint64_t gen;
    enum thread_state io, sql;
    int io_errno, sql_errno;
    char *src;  /* owned: "cluster/server (address)", "" unknown */
    char *last; /* owned: the last known src, kept while unknown ("" none yet) */
    char *cluster, *server, *name;
};

struct f_seen {
    uint64_t gen;
    enum finding_severity sev;
    char *code, *cluster, *object, *message;
};

struct evstream {
    struct hmap objs;     /* key -> (uintptr_t)gen */
    struct hmap pods;     /* key -> (uintptr_t)gen, compared when pods_seq moves */
    struct hmap chans;    /* key -> struct ch_seen * (owned) */
    struct hmap finds;    /* key -> struct f_seen * (owned) */
    struct hmap clusters; /* name -> (uintptr_t)1 unreachable, 2 reachable */
    uint64_t gen, pods_gen, pods_seq;
    uint64_t events_seen;
    bool based;
};

struct evstream *
evstream_new(void)
{
    struct evstream *es = xcalloc(1, sizeof *es);
    hmap_init(&es->objs);
    hmap_init(&es->pods);
    hmap_init(&es->chans);
    hmap_init(&es->finds);
    hmap_init(&es->clusters);
    return es;
}

static void
ch_free(struct ch_seen *c)
{
    free(c->src);
    free(c->last);
    free(c->cluster);
    free(c->server);
    free(c->name);
    free(c);
}

static void
f_free(struct f_seen *f)
{
    free(f->code);
    free(f->cluster);
    free(f->object);
    free(f->message);
    free(f);
}

void
evstream_free(struct evstream *es)
{
    if (es == NULL)
        return;
    const char *k;
    void *v;
    for (size_t it = 0; hmap_next(&es->chans, &it, &k, &v);)
        ch_free(v);
    for (size_t it = 0; hmap_next(&es->finds, &it, &k, &v);)
        f_free(v);
    hmap_fini(&es->objs);
    hmap_fini(&es->pods);
    hmap_fini(&es->chans);
    hmap_fini(&es->finds);
    hmap_fini(&es->clusters);
    free(es);
}

/* ------------------------------------------------------------------ lines */

static json_t *
line_new(const char *type, const char *event)
{
    char t[40];
    clock_fmt_rfc3339(clock_wall_ms(), t, sizeof t);
    json_t *o = json_object();
    json_object_set_new(o, "time", json_string(t));
    json_object_set_new(o, "type", json_string(type));
    if (event != NULL)
        json_object_set_new(o, "event", json_string(event));
    return o;
}

static void
set_str(json_t *o, const char *k, const char *v)
{
    json_object_set_new(o, k, json_string(v != NULL ? v : ""));
}

/* Append o as one line and release it. */
static int
line_put(struct strbuf *out, json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(o);
    if (s == NULL)
        return 0;
    strbuf_append(out, s);
    strbuf_appendc(out, '\n');
    free(s);
    return 1;
}

void
evstream_line(struct strbuf *out, const char *type, const char *event, const char *cluster,
              const char *msg)
{
    json_t *o = line_new(type, event);
    if (cluster != NULL)
        set_str(o, "cluster", cluster);
    set_str(o, "message", msg);
    (void)line_put(out, o);
}

/* ------------------------------------------------------------------ objects */

static char *
obj_key(const char *kind, const char *cluster, const char *ns, const char *name)
{
    return xasprintf("%s" SEP "%s" SEP "%s" SEP "%s", kind, cluster, ns != NULL ? ns : "", name);
}

static int
obj_line(struct strbuf *out, const char *key, const char *event)
{
    char *copy = xstrdup(key), *parts[4] = {copy, "", "", ""};
    for (int i = 1; i < 4; i++) {
        char *p = strchr(parts[i - 1], SEP[0]);
        if (p == NULL)
            break;
        *p = '\0';
        parts[i] = p + 1;
    }
    json_t *o = line_new(parts[0], event);
    set_str(o, "cluster", parts[1]);
    if (parts[2][0] != '\0')
        set_str(o, "namespace", parts[2]);
    set_str(o, "name", parts[3]);
    free(copy);
    return line_put(out, o);
}

/* Stamp key in map; a key not there before is an object added. */
static int
see(struct hmap *map, uint64_t gen, char *key, bool quiet, struct strbuf *out)
{
    int n = 0;
    if (hmap_get(map, key) == NULL && !quiet)
        n = obj_line(out, key, "added");
    hmap_put(map, key, (void *)(uintptr_t)gen);
    free(key);
    return n;
}

/* Every key not stamped gen is an object removed: a line each, then forgotten. */
static int
sweep(struct hmap *map, uint64_t gen, struct strbuf *out)
{
    struct vec gone;
    vec_init(&gone, free);
    const char *k;
    void *v;
    for (size_t it = 0; hmap_next(map, &it, &k, &v);)
        if ((uintptr_t)v != gen)
            vec_push(&gone, xstrdup(k));
    int n = 0;
    for (size_t i = 0; i < gone.n; i++) {
        n += obj_line(out, gone.items[i], "removed");
        hmap_del(map, gone.items[i]);
    }
    vec_fini(&gone);
    return n;
}

static int
objects(struct evstream *es, const struct model *m, bool quiet, struct strbuf *out)
{
    int n = 0;
    uint64_t g = es->gen;
    for (size_t i = 0; i < m->clusters.n; i++) {
        const struct m_cluster *c = m->clusters.items[i];
        for (size_t k = 0; k < c->namespaces.n; k++) {
            const struct m_namespace *x = c->namespaces.items[k];
            n += see(&es->objs, g, obj_key("namespace", c->name, NULL, x->name), quiet, out);
        }
        for (size_t k = 0; k < c->pxcs.n; k++) {
            const struct m_pxc *x = c->pxcs.items[k];
            n += see(&es->objs, g, obj_key("pxc", c->name, x->ns, x->name), quiet, out);
        }
        for (size_t k = 0; k < c->sentries.n; k++) {
            const struct m_sentry *x = c->sentries.items[k];
            n += see(&es->objs, g, obj_key("serviceentry", c->name, x->ns, x->name), quiet, out);
        }
        for (size_t k = 0; k < c->nodes.n; k++) {
            const struct m_node *x = c->nodes.items[k];
            n += see(&es->objs, g, obj_key("node", c->name, NULL, x->name), quiet, out);
        }
        for (size_t k = 0; k < c->servers.n; k++) {
            const struct m_server *x = c->servers.items[k];
            n += see(&es->objs, g, obj_key("server", c->name, NULL, x->name), quiet, out);
        }
    }
    n += sweep(&es->objs, g, out);
    if (m->pods_seq != es->pods_seq || quiet) {
        es->pods_seq = m->pods_seq;
        es->pods_gen++;
        for (size_t i = 0; i < m->clusters.n; i++) {
            const struct m_cluster *c = m->clusters.items[i];
            for (size_t k = 0; k < c->pods.n; k++) {
                const struct m_pod *x = c->pods.items[k];
                n += see(&es->pods, es->pods_gen, obj_key("pod", c->name, x->ns, x->name), quiet,
                         out);
            }
        }
        n += sweep(&es->pods, es->pods_gen, out);
    }
    return n;
}

/* ------------------------------------------------------------------ clusters, channels */

static int
clusters(struct evstream *es, const struct model *m, bool quiet, struct strbuf *out)
{
    int n = 0;
    for (size_t i = 0; i < m->clusters.n; i++) {
        const struct m_cluster *c = m->clusters.items[i];
        uintptr_t now = c->reachable ? 2 : 1, was = (uintptr_t)hmap_get(&es->clusters, c->name);
        hmap_put(&es->clusters, c->name, (void *)now);
        if (quiet || now == was || (was == 0 && c->reachable))
            continue;
        json_t *o = line_new("cluster", c->reachable ? "reachable" : "unreachable");
        set_str(o, "cluster", c->name);
        set_str(o, "error", c->error);
        n += line_put(out, o);
    }
    return n;
}

static void
ch_fields(json_t *o, enum thread_state io, enum thread_state sql, int ioe, int sqle)
{
    json_object_set_new(o, "io", json_string(model_thread_name(io)));
    json_object_set_new(o, "sql", json_string(model_thread_name(sql)));
    json_object_set_new(o, "lastIoErrno", json_integer(ioe));
    json_object_set_new(o, "lastSqlErrno", json_integer(sqle));
}

static json_t *
ch_line(const char *event, const char *cluster, const struct m_channel *ch)
{
    json_t *o = line_new("channel", event);
    set_str(o, "cluster", cluster);
    set_str(o, "server", ch->server);
    set_str(o, "channel", ch->name);
    return o;
}

static void
src_fields(json_t *o, const struct m_channel *ch)
{
    set_str(o, "sourceHost", ch->source_host);
    set_str(o, "sourceCluster", ch->src_cluster);
    set_str(o, "sourceServer", ch->src_server);
    set_str(o, "sourceAddress", ch->src_address);
}

static int
channels(struct evstream *es, const struct model *m, bool quiet, struct strbuf *out)
{
    int n = 0;
    uint64_t g = es->gen;
    for (size_t i = 0; i < m->clusters.n; i++) {
        const struct m_cluster *c = m->clusters.items[i];
        for (size_t k = 0; k < c->channels.n; k++) {
            const struct m_channel *ch = c->channels.items[k];
            char *key = obj_key("channel", c->name, ch->server, ch->name);
            struct ch_seen *s = hmap_get(&es->chans, key);
            char src[700];
            model_source_describe(ch, src, sizeof src);
            if (s == NULL) {
                s = xcalloc(1, sizeof *s);
                s->cluster = xstrdup(c->name);
                s->server = xstrdup(ch->server);
                s->name = xstrdup(ch->name);
                s->io = ch->io;
                s->sql = ch->sql;
                s->io_errno = ch->last_io_errno;
                s->sql_errno = ch->last_sql_errno;
                s->src = xstrdup(src);
                s->last = xstrdup(src);
                hmap_put(&es->chans, key, s);
                if (!quiet) {
                    json_t *o = ch_line("added", c->name, ch);
                    ch_fields(o, ch->io, ch->sql, ch->last_io_errno, ch->last_sql_errno);
                    src_fields(o, ch);
                    n += line_put(out, o);
                }
            } else {
                if (s->io != ch->io || s->sql != ch->sql || s->io_errno != ch->last_io_errno ||
                    s->sql_errno != ch->last_sql_errno) {
                    json_t *o = ch_line("state", c->name, ch);
                    ch_fields(o, ch->io, ch->sql, ch->last_io_errno, ch->last_sql_errno);
                    if (ch->last_io_errno != 0)
                        set_str(o, "lastIoError", ch->last_io_error);
                    if (ch->last_sql_errno != 0)
                        set_str(o, "lastSqlError", ch->last_sql_error);
                    json_t *was = json_object();
                    ch_fields(was, s->io, s->sql, s->io_errno, s->sql_errno);
                    json_object_set_new(o, "was", was);
                    n += line_put(out, o);
                    s->io = ch->io;
                    s->sql = ch->sql;
                    s->io_errno = ch->last_io_errno;
                    s->sql_errno = ch->last_sql_errno;
                }
                if (strcmp(s->src, src) != 0) {
                    json_t *o = ch_line("source", c->name, ch);
                    src_fields(o, ch);
                    set_str(o, "source", src);
                    /* A failover passes through unknown (the IO thread reconnecting):
                     * the new source's line names the one before it, not the gap. */
                    json_t *was = json_object();
                    set_str(was, "source", s->src[0] != '\0' ? s->src : s->last);
                    json_object_set_new(o, "was", was);
                    n += line_put(out, o);
                    free(s->src);
                    s->src = xstrdup(src);
                    if (src[0] != '\0') {
                        free(s->last);
                        s->last = xstrdup(src);
                    }
                }
            }
            s->gen = g;
            free(key);
        }
    }
    struct vec gone;
    vec_init(&gone, free);
    const char *k;
    void *v;
    for (size_t it = 0; hmap_next(&es->chans, &it, &k, &v);)
        if (((struct ch_seen *)v)->gen != g)
            vec_push(&gone, xstrdup(k));
    for (size_t i = 0; i < gone.n; i++) {
        struct ch_seen *s = hmap_del(&es->chans, gone.items[i]);
        json_t *o = line_new("channel", "removed");
        set_str(o, "cluster", s->cluster);
        set_str(o, "server", s->server);
        set_str(o, "channel", s->name);
        n += line_put(out, o);
        ch_free(s);
    }
    vec_fini(&gone);
    return n;
}

/* ------------------------------------------------------------------ findings, log */

static json_t *
f_line(const char *event, enum finding_severity sev, const char *code, const char *cluster,
       const char *object, const char *message)
{
    json_t *o = line_new("finding", event);
    set_str(o, "code", code);
    set_str(o, "severity", model_severity_name(sev));
    set_str(o, "cluster", cluster);
    set_str(o, "object", object);
    set_str(o, "message", message);
    return o;
}

static int
findings(struct evstream *es, const struct model *m, struct strbuf *out)
{
    int n = 0;
    uint64_t g = es->gen;
    for (size_t i = 0; i < m->findings.n; i++) {
        const struct m_finding *f = m->findings.items[i];
        char *key = obj_key(f->code, f->cluster, NULL, f->object);
        struct f_seen *s = hmap_get(&es->finds, key);
        if (s == NULL) {
            s = xcalloc(1, sizeof *s);
            s->sev = f->severity;
            s->code = xstrdup(f->code);
            s->cluster = xstrdup(f->cluster);
            s->object = xstrdup(f->object);
            s->message = xstrdup(f->message);
            hmap_put(&es->finds, key, s);
            json_t *o = f_line("appeared", f->severity, f->code, f->cluster, f->object, f->message);
            if (f->fix.command != NULL && f->fix.command[0] != '\0')
                set_str(o, "fix", f->fix.command);
            n += line_put(out, o);
        }
        s->gen = g;
        free(key);
    }
    struct vec gone;
    vec_init(&gone, free);
    const char *k;
    void *v;
    for (size_t it = 0; hmap_next(&es->finds, &it, &k, &v);)
        if (((struct f_seen *)v)->gen != g)
            vec_push(&gone, xstrdup(k));
    for (size_t i = 0; i < gone.n; i++) {
        struct f_seen *s = hmap_del(&es->finds, gone.items[i]);
        n += line_put(out, f_line("cleared", s->sev, s->code, s->cluster, s->object, s->message));
        f_free(s);
    }
    vec_fini(&gone);
    return n;
}

static int
log_lines(struct evstream *es, const struct model *m, uint64_t n_events, struct strbuf *out)
{
    if (n_events <= es->events_seen)
        return 0;
    uint64_t fresh = n_events - es->events_seen;
    es->events_seen = n_events;
    int n = 0;
    if (fresh > (uint64_t)m->ev_len) {
        char msg[96];
        snprintf(msg, sizeof msg, "%llu older events dropped from the log before they were read",
                 (unsigned long long)(fresh - (uint64_t)m->ev_len));
        evstream_line(out, "log", "dropped", NULL, msg);
        n++;
        fresh = (uint64_t)m->ev_len;
    }
    static const char *const level[] = {"info", "warning", "error"};
    for (int i = (int)fresh - 1; i >= 0; i--) {
        const struct m_event *e = model_event_at(m, i);
        json_t *o = line_new("log", NULL);
        set_str(o, "level", level[e->level >= 0 && e->level <= 2 ? e->level : 0]);
        set_str(o, "cluster", e->cluster);
        set_str(o, "message", e->what);
        char t[40];
        clock_fmt_rfc3339(e->wall_ms, t, sizeof t);
        json_object_set_new(o, "time", json_string(t));
        n += line_put(out, o);
    }
    return n;
}

static int
synced_line(const struct model *m, struct strbuf *out)
{
    json_t *o = line_new("synced", NULL), *cl = json_array();
    for (size_t i = 0; i < m->clusters.n; i++) {
        const struct m_cluster *c = m->clusters.items[i];
        json_t *x = json_object();
        set_str(x, "cluster", c->name);
        json_object_set_new(x, "reachable", json_boolean(c->reachable));
        set_str(x, "error", c->error);
        json_object_set_new(x, "pods", json_integer((json_int_t)c->pods.n));
        json_object_set_new(x, "serviceEntries", json_integer((json_int_t)c->sentries.n));
        json_t *chs = json_array();
        for (size_t k = 0; k < c->channels.n; k++) {
            const struct m_channel *ch = c->channels.items[k];
            json_t *y = json_object();
            set_str(y, "server", ch->server);
            set_str(y, "channel", ch->name);
            ch_fields(y, ch->io, ch->sql, ch->last_io_errno, ch->last_sql_errno);
            src_fields(y, ch);
            json_array_append_new(chs, y);
        }
        json_object_set_new(x, "channels", chs);
        json_array_append_new(cl, x);
    }
    json_object_set_new(o, "clusters", cl);
    return line_put(out, o);
}

int
evstream_diff(struct evstream *es, const struct model *m, uint64_t n_events, bool baseline,
              struct strbuf *out)
{
    bool quiet = baseline && !es->based;
    es->gen++;
    int n = 0;
    if (quiet)
        n += synced_line(m, out);
    n += clusters(es, m, quiet, out);
    n += objects(es, m, quiet, out);
    n += channels(es, m, quiet, out);
    n += findings(es, m, out);
    n += log_lines(es, m, n_events, out);
    es->based = es->based || baseline;
    return n;
}
