/* kube_logtail: a pod read (kube_get) and a followed log (kube_logs) feeding one logring,
 * with the state a reader shows. It deliberately keeps no history beyond the ring and never
 * retries by itself: a stream the server ended is a fact to show (the pod may be gone for
 * good), and the reader decides to reconnect. It lives on the client (kube_owned) so that a
 * client freed first leaves it inert rather than pointing at freed requests. */
#include "kube/kube_logtail.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "clock.h"
#include "strbuf.h"
#include "vec.h"
#include "xmalloc.h"
#include "kube/kube_internal.h"
#include "kube/kube_logs.h"

struct kube_logtail {
    struct kube_owned own;
    struct kube_client *kc; /* NULL once the client went */
    struct kube_req *get;   /* the pod read in flight */
    struct kube_logs *logs; /* the stream */
    char *ns, *pod, *container, *want;
    int since_s, tail_lines;
    int resume_s;          /* > 0: the next stream starts this many seconds back (a reconnect) */
    int64_t ended_ms;      /* wall ms when the last stream ended, 0 none */
    struct vec containers; /* owned char * */
    struct logring *ring;
    enum kube_logtail_state state;
    char error[300];
    kube_logtail_change_cb *on_change;
    void *arg;
};

static void
changed(struct kube_logtail *t)
{
    if (t->on_change != NULL)
        t->on_change(t, t->arg);
}

static void
on_line(struct kube_logs *l, const char *line, size_t len, bool cut, void *arg)
{
    struct kube_logtail *t = arg;
    (void)l;
    logring_write(t->ring, line, len);
    if (!cut)
        logring_write(t->ring, "\n", 1);
    changed(t);
}

static void
end_note(struct kube_logtail *t, const char *what)
{
    char hms[16], note[400];
    clock_fmt_hms(t->ended_ms, hms, sizeof hms);
    snprintf(note, sizeof note, "-- %s at %s --", what, hms);
    logring_note(t->ring, note);
}

static void
on_end(struct kube_logs *l, int status, const struct pxerr *err, void *arg)
{
    struct kube_logtail *t = arg;
    (void)l;
    t->logs = NULL;
    t->ended_ms = clock_wall_ms();
    logring_flush(t->ring);
    if (status == 0) {
        t->state = KLT_ENDED;
        snprintf(t->error, sizeof t->error,
                 "the server ended the stream: pod %s/%s is gone or container %s stopped", t->ns,
                 t->pod, t->container);
        end_note(t, "stream ended by the server");
    } else {
        t->state = KLT_FAILED;
        snprintf(t->error, sizeof t->error, "%s", err->msg);
        end_note(t, "stream failed");
    }
    changed(t);
}

static int
start_stream(struct kube_logtail *t, struct pxerr *err)
{
    struct kube_logs_opts o = {
        .ns = t->ns,
        .pod = t->pod,
        .container = t->container,
        .follow = true,
        .since_s = t->resume_s > 0 ? t->resume_s : t->since_s,
        .tail_lines = t->resume_s > 0 ? -1 : t->tail_lines,
        .on_line = on_line,
        .on_end = on_end,
        .arg = t,
    };
    t->resume_s = 0;
    int rc = kube_logs_start(t->kc, &o, &t->logs, err);
    if (rc < 0) {
        t->state = KLT_FAILED;
        snprintf(t->error, sizeof t->error, "%s", err->msg);
        return rc;
    }
    t->state = KLT_FOLLOWING;
    t->error[0] = '\0';
    return 0;
}

static bool
has_container(const struct kube_logtail *t, const char *name)
{
    for (size_t i = 0; i < t->containers.n; i++)
        if (strcmp(t->containers.items[i], name) == 0)
            return true;
    return false;
}

/* The pod's containers; native sidecars (init containers that keep running) too, since an
 * Istio 1.20+ sidecar can be one. */
static void
read_containers(struct kube_logtail *t, json_t *pod)
{
    vec_clear(&t->containers);
    json_t *spec = json_object_get(pod, "spec"), *c;
    size_t i;
    json_array_foreach(json_object_get(spec, "containers"), i, c)
    {
        const char *name = json_string_value(json_object_get(c, "name"));
        if (name != NULL)
            vec_push(&t->containers, xstrdup(name));
    }
    json_array_foreach(json_object_get(spec, "initContainers"), i, c)
    {
        const char *name = json_string_value(json_object_get(c, "name"));
        const char *rp = json_string_value(json_object_get(c, "restartPolicy"));
        if (name != NULL && rp != NULL && strcmp(rp, "Always") == 0)
            vec_push(&t->containers, xstrdup(name));
    }
}

static void
on_pod(int status, long code, json_t *body, const struct pxerr *err, void *arg)
{
    struct kube_logtail *t = arg;
    t->get = NULL;
    if (status != 0) {
        t->state = KLT_FAILED;
        if (code == 404)
            snprintf(t->error, sizeof t->error,
                     "pod %s/%s is gone (the API server has no such pod)", t->ns, t->pod);
        else
            snprintf(t->error, sizeof t->error, "%s", err->msg);
        changed(t);
        return;
    }
    read_containers(t, body);
    if (t->containers.n == 0) {
        t->state = KLT_FAILED;
        snprintf(t->error, sizeof t->error, "pod %s/%s has no containers", t->ns, t->pod);
        changed(t);
        return;
    }
    /* The one asked for, else the one followed before (a reconnect), else pxc, else the
     * first: a PXC pod's log is its server's error log, which is what one looks for. */
    const char *pick = NULL;
    if (t->want != NULL && has_container(t, t->want))
        pick = t->want;
    else if (t->container != NULL && has_container(t, t->container))
        pick = t->container;
    else if (has_container(t, "pxc"))
        pick = "pxc";
    else
        pick = t->containers.items[0];
    char *c = xstrdup(pick);
    free(t->container);
    t->container = c;
    struct pxerr e = {0};
    (void)start_stream(t, &e); /* a failure is the state, in words, shown by the reader */
    changed(t);
}

static int
read_pod(struct kube_logtail *t, struct pxerr *err)
{
    if (kube_name_check_ns(t->ns, err) < 0 || kube_name_check(t->pod, err) < 0)
        return PXE_INVAL;
    struct strbuf path;
    strbuf_init(&path);
    strbuf_append(&path, "/api/v1/namespaces/");
    kube__name_append(&path, t->ns);
    strbuf_append(&path, "/pods/");
    kube__name_append(&path, t->pod);
    int rc = kube_get(t->kc, path.s, on_pod, t, &t->get, err);
    strbuf_fini(&path);
    if (rc < 0)
        return rc;
    t->state = KLT_READING_POD;
    t->error[0] = '\0';
    return 0;
}

static void
cancel_io(struct kube_logtail *t)
{
    if (t->get != NULL)
        kube_req_cancel(t->get);
    t->get = NULL;
    kube_logs_cancel(t->logs);
    t->logs = NULL;
}

/* The client is being freed: its requests and streams go with it, without callbacks, and
 * the stream's own drop may have run already, so they are forgotten here, not cancelled. */
static void
on_client_gone(struct kube_owned *o)
{
    struct kube_logtail *t =
        (struct kube_logtail *)((char *)o - offsetof(struct kube_logtail, own));
    t->get = NULL;
    t->logs = NULL;
    t->kc = NULL;
    t->state = KLT_GONE;
    snprintf(t->error, sizeof t->error, "the cluster's connection was closed");
}

int
kube_logtail_start(struct kube_client *kc, const struct kube_logtail_opts *o,
                   struct kube_logtail **out, struct pxerr *err)
{
    if (o->ns == NULL || o->pod == NULL)
        return pxerr_set(err, PXE_INVAL, "kube_logtail_start: a namespace and a pod are needed");
    struct kube_logtail *t = xcalloc(1, sizeof *t);
    t->kc = kc;
    t->ns = xstrdup(o->ns);
    t->pod = xstrdup(o->pod);
    t->want = xstrdup_or_null(o->container);
    t->since_s = o->since_s;
    t->tail_lines = o->tail_lines;
    vec_init(&t->containers, free);
    t->ring = logring_new(o->max_lines ? o->max_lines : KUBE_LOGTAIL_MAX_LINES_DEFAULT,
                          o->max_bytes ? o->max_bytes : KUBE_LOGTAIL_MAX_BYTES_DEFAULT);
    t->on_change = o->on_change;
    t->arg = o->arg;
    int rc = read_pod(t, err);
    if (rc < 0) {
        t->kc = NULL;
        kube_logtail_free(t);
        return rc;
    }
    kube__own(kc, &t->own, on_client_gone);
    *out = t;
    return 0;
}

void
kube_logtail_free(struct kube_logtail *t)
{
    if (t == NULL)
        return;
    cancel_io(t);
    if (t->kc != NULL)
        kube__disown(t->kc, &t->own);
    free(t->ns);
    free(t->pod);
    free(t->container);
    free(t->want);
    vec_fini(&t->containers);
    logring_free(t->ring);
    free(t);
}

int
kube_logtail_set_container(struct kube_logtail *t, const char *name, struct pxerr *err)
{
    if (t->kc == NULL)
        return pxerr_set(err, PXE_CONN, "%s", t->error);
    if (!has_container(t, name)) {
        struct strbuf names;
        strbuf_init(&names);
        for (size_t i = 0; i < t->containers.n; i++)
            strbuf_appendf(&names, "%s%s", i ? ", " : "", (char *)t->containers.items[i]);
        int rc = pxerr_set(err, PXE_NOTFOUND, "pod %s/%s has no container %s (it has: %s)", t->ns,
                           t->pod, name, names.len ? names.s : "none known yet");
        strbuf_fini(&names);
        return rc;
    }
    cancel_io(t);
    char *c = xstrdup(name);
    free(t->container);
    t->container = c;
    free(t->want);
    t->want = xstrdup(name);
    logring_clear(t->ring);
    t->resume_s = 0;
    int rc = start_stream(t, err);
    changed(t);
    return rc;
}

int
kube_logtail_reconnect(struct kube_logtail *t, struct pxerr *err)
{
    if (t->state != KLT_ENDED && t->state != KLT_FAILED)
        return pxerr_set(err, PXE_INVAL, "the log of %s/%s is %s", t->ns, t->pod,
                         t->state == KLT_GONE ? "closed with its cluster" : "still being read");
    if (t->kc == NULL)
        return pxerr_set(err, PXE_CONN, "%s", t->error);
    /* From a second before the end on: a line or two may show twice, none goes missing. */
    int64_t gap_ms = t->ended_ms > 0 ? clock_wall_ms() - t->ended_ms : 0;
    t->resume_s = t->ended_ms > 0 ? (int)(gap_ms / 1000) + 2 : 0;
    int rc = read_pod(t, err);
    if (rc == 0) {
        logring_note(t->ring, "-- reconnecting --");
        changed(t);
    }
    return rc;
}

enum kube_logtail_state
kube_logtail_state(const struct kube_logtail *t)
{
    return t->state;
}

const char *
kube_logtail_error(const struct kube_logtail *t)
{
    return t->error;
}

const struct logring *
kube_logtail_ring(const struct kube_logtail *t)
{
    return t->ring;
}

const char *
kube_logtail_ns(const struct kube_logtail *t)
{
    return t->ns;
}

const char *
kube_logtail_pod(const struct kube_logtail *t)
{
    return t->pod;
}

const char *
kube_logtail_container(const struct kube_logtail *t)
{
    return t->container;
}

size_t
kube_logtail_n_containers(const struct kube_logtail *t)
{
    return t->containers.n;
}

const char *
kube_logtail_container_at(const struct kube_logtail *t, size_t i)
{
    return i < t->containers.n ? t->containers.items[i] : NULL;
}
