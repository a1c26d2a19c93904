/* ksim_log: pods/NAME/log as the kubelet serves it through the API server: tailLines,
 * sinceSeconds, timestamps (each line prefixed with its RFC 3339 time and a space) and
 * follow (a chunked stream that goes on until the client leaves or the pod goes away).
 * The pxc container's log is the real error log of the lab's mariadbd for that pod (the
 * --pod-map file names it; a PXC image logs mysqld's error log to the container's
 * output); other containers' logs come from ksim_sim (probe output, annotations, the
 * Envoy start-up lines of istio-proxy), and a follow of them sends what grows (a probe's
 * output while it runs). Line times: the line's own leading time (Envoy's ISO time,
 * MariaDB's "YYYY-MM-DD HH:MM:SS" local time), else the pod's start time. */
#include "ksim_stream.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "xmalloc.h"

struct logq {
    long tail;       /* -1: all */
    int64_t since_s; /* -1: all */
    bool timestamps;
    time_t default_t; /* lines without a time of their own */
};

/* The time a line carries at its start, or -1. */
static time_t
line_time(const char *l, size_t len)
{
    struct tm tm = {0};
    int y, mo, d, h, mi, s;
    char sep;
    if (len < 19 || sscanf(l, "%4d-%2d-%2d%c%2d:%2d:%2d", &y, &mo, &d, &sep, &h, &mi, &s) != 7)
        return -1;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    if (sep == 'T')
        return timegm(&tm); /* Envoy, istio: UTC with a Z */
    if (sep == ' ') {
        /* MariaDB pads the hour with a space: "2026-12-07  4:03:13" */
        if (sscanf(l, "%4d-%2d-%2d %d:%2d:%2d", &y, &mo, &d, &h, &mi, &s) != 6)
            return -1;
        tm.tm_hour = h;
        tm.tm_isdst = -1;
        return mktime(&tm);
    }
    return -1;
}

static time_t
rfc3339_parse(const char *s)
{
    return s ? line_time(s, strlen(s)) : -1;
}

/* Append text's lines to out, as q asks; last_t carries the time of a previous line to
 * the continuation lines that have none. */
static void
emit_lines(const char *text, size_t len, const struct logq *q, time_t *last_t, struct strbuf *out)
{
    time_t now = time(NULL);
    size_t at = 0;
    while (at < len) {
        const char *nl = memchr(text + at, '\n', len - at);
        size_t ll = nl ? (size_t)(nl - (text + at)) : len - at;
        time_t t = line_time(text + at, ll);
        if (t < 0)
            t = *last_t >= 0 ? *last_t : q->default_t;
        *last_t = t;
        if (q->since_s < 0 || t >= now - q->since_s) {
            if (q->timestamps) {
                struct tm tm;
                gmtime_r(&t, &tm);
                char ts[48];
                strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S.000000000Z ", &tm);
                strbuf_append(out, ts);
            }
            strbuf_appendn(out, text + at, ll);
            strbuf_appendc(out, '\n');
        }
        at += ll + (nl ? 1 : 0);
    }
}

static void
keep_tail(struct strbuf *b, long want)
{
    if (want < 0)
        return;
    size_t i = b->len;
    if (i > 0 && b->s[i - 1] == '\n')
        i--;
    long lines = 0;
    while (i > 0) {
        if (b->s[i - 1] == '\n' && ++lines == want)
            break;
        i--;
    }
    if (want == 0)
        i = b->len;
    strbuf_consume(b, i);
}

static char *
read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    struct strbuf b;
    strbuf_init(&b);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        strbuf_appendn(&b, buf, n);
    fclose(f);
    *len = b.len;
    return strbuf_detach(&b);
}

/* ---- follow ---- */

struct follow {
    struct ksim_server *srv;
    char *ns, *pod, *uid, *container, *file; /* owned; file NULL: the simulated log */
    struct logq q;
    time_t last_t;
    off_t off;       /* file: bytes sent so far */
    size_t sim_sent; /* simulated: bytes of the text sent so far */
    struct strbuf partial, out;
    size_t out_off;
    int fd; /* the client's socket, to see it leave */
};

static bool
client_left(int fd)
{
    if (fd < 0)
        return false;
    struct pollfd p = {.fd = fd, .events = POLLRDHUP};
    return poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

/* Whether the pod is still the one followed; text receives its simulated log when asked. */
static bool
pod_alive(struct follow *f, char **text)
{
    struct ksim_store *st = f->srv->st;
    pthread_mutex_lock(&st->mu);
    struct ksim_res *pods = ksim_res_find(st, "", "v1", "pods");
    struct ksim_obj *o = ksim_obj_get_locked(pods, f->ns, f->pod);
    json_t *pod = o ? ksim_blob_parse(o->blob) : NULL;
    const char *uid = json_string_value(ksim_path_get(pod, "metadata.uid"));
    bool alive = uid != NULL && strcmp(uid, f->uid) == 0 && !st->stopping;
    if (alive && text != NULL) {
        int code;
        char msg[256];
        *text = ksim_sim_pod_log_locked(st, pod, f->container, &code, msg, sizeof msg);
    }
    pthread_mutex_unlock(&st->mu);
    json_decref(pod);
    return alive;
}

static void
fill(struct follow *f)
{
    if (f->file != NULL) {
        int fd = open(f->file, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return;
        struct stat sb;
        if (fstat(fd, &sb) == 0 && sb.st_size < f->off)
            f->off = 0; /* rotated or truncated: from its start */
        char buf[65536];
        ssize_t r;
        while ((r = pread(fd, buf, sizeof buf, f->off)) > 0) {
            strbuf_appendn(&f->partial, buf, (size_t)r);
            f->off += r;
        }
        close(fd);
    } else {
        char *text = NULL;
        if (pod_alive(f, &text) && text != NULL) {
            size_t len = strlen(text);
            if (len < f->sim_sent)
                f->sim_sent = 0;
            strbuf_appendn(&f->partial, text + f->sim_sent, len - f->sim_sent);
            f->sim_sent = len;
        }
        free(text);
    }
    /* only whole lines go out; the rest waits for its newline */
    char *last = f->partial.len ? memrchr(f->partial.s, '\n', f->partial.len) : NULL;
    if (last != NULL) {
        size_t n = (size_t)(last - f->partial.s) + 1;
        emit_lines(f->partial.s, n, &f->q, &f->last_t, &f->out);
        strbuf_consume(&f->partial, n);
    }
}

static ssize_t
follow_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct follow *f = cls;
    while (f->out_off >= f->out.len) {
        strbuf_reset(&f->out);
        f->out_off = 0;
        fill(f);
        if (f->out.len > 0)
            break;
        if (client_left(f->fd))
            return MHD_CONTENT_READER_END_WITH_ERROR;
        if (!pod_alive(f, NULL))
            return MHD_CONTENT_READER_END_OF_STREAM;
        struct timespec ts = {0, 200 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    size_t n = f->out.len - f->out_off;
    if (n > max)
        n = max;
    memcpy(buf, f->out.s + f->out_off, n);
    f->out_off += n;
    return (ssize_t)n;
}

static void
follow_free(void *cls)
{
    struct follow *f = cls;
    free(f->ns);
    free(f->pod);
    free(f->uid);
    free(f->container);
    free(f->file);
    strbuf_fini(&f->partial);
    strbuf_fini(&f->out);
    free(f);
}

enum MHD_Result
ksim_log_reply(struct ksim_server *srv, struct MHD_Connection *c, const struct ksim_target *t)
{
    struct ksim_store *st = srv->st;
    struct logq q = {.tail = -1, .since_s = -1};
    const char *v;
    if ((v = ksim_qarg(c, "tailLines")) != NULL)
        q.tail = strtol(v, NULL, 10);
    if ((v = ksim_qarg(c, "sinceSeconds")) != NULL) {
        q.since_s = strtoll(v, NULL, 10);
        if (q.since_s < 1)
            return ksim_reply_err(c, 422, "Invalid",
                                  "PodLogOptions \"%s\" is invalid: sinceSeconds: Invalid value: "
                                  "%s: must be greater than 0",
                                  t->name, v);
    }
    q.timestamps = ksim_truthy(ksim_qarg(c, "timestamps"));
    bool follow = ksim_truthy(ksim_qarg(c, "follow"));

    pthread_mutex_lock(&st->mu);
    struct ksim_obj *o = ksim_obj_get_locked(t->res, t->ns, t->name);
    if (o == NULL) {
        pthread_mutex_unlock(&st->mu);
        return ksim_reply_err(c, 404, "NotFound", "pods \"%s\" not found", t->name);
    }
    json_t *pod = ksim_blob_parse(o->blob);
    int code = 0;
    char msg[512];
    const char *want = ksim_qarg(c, "container");
    char *text = ksim_sim_pod_log_locked(st, pod, want, &code, msg, sizeof msg);
    struct ksim_podnet pn;
    ksim_podnet_lookup(st, pod, &pn);
    pthread_mutex_unlock(&st->mu);
    if (text == NULL) {
        json_decref(pod);
        return ksim_reply_err(c, code, "BadRequest", "%s", msg);
    }
    const char *container =
        want && *want ? want
                      : json_string_value(json_object_get(
                            json_array_get(ksim_path_get(pod, "spec.containers"), 0), "name"));
    q.default_t = rfc3339_parse(json_string_value(ksim_path_get(pod, "status.startTime")));
    if (q.default_t < 0)
        q.default_t = time(NULL);
    bool from_file = container && strcmp(container, "pxc") == 0 && pn.pxc_log[0];
    if (from_file) {
        size_t flen;
        char *ftext = read_file(pn.pxc_log, &flen);
        if (ftext == NULL) {
            free(text);
            json_decref(pod);
            return ksim_reply_err(c, 400, "BadRequest",
                                  "container \"pxc\" in pod \"%s\" is waiting to start: no log "
                                  "yet (%s: %s)",
                                  t->name, pn.pxc_log, strerror(errno));
        }
        free(text);
        text = ftext;
    }
    /* the whole lines there are now, filtered and cut to the tail */
    size_t len = strlen(text);
    size_t whole = len;
    if (follow) {
        char *lastnl = len ? memrchr(text, '\n', len) : NULL;
        whole = lastnl ? (size_t)(lastnl - text) + 1 : 0;
    }
    struct strbuf out;
    strbuf_init(&out);
    time_t last_t = -1;
    emit_lines(text, whole, &q, &last_t, &out);
    keep_tail(&out, q.tail);
    if (!follow) {
        free(text);
        json_decref(pod);
        size_t n = out.len;
        return ksim_reply_buf(c, 200, "text/plain", strbuf_detach(&out), n, 0);
    }
    struct follow *f = xcalloc(1, sizeof *f);
    f->srv = srv;
    f->ns = xstrdup(t->ns);
    f->pod = xstrdup(t->name);
    f->uid = xstrdup(json_string_value(ksim_path_get(pod, "metadata.uid")));
    f->container = xstrdup(container ? container : "");
    f->file = from_file ? xstrdup(pn.pxc_log) : NULL;
    f->q = q;
    f->last_t = last_t;
    f->off = from_file ? (off_t)whole : 0;
    f->sim_sent = from_file ? 0 : whole;
    strbuf_init(&f->partial);
    f->out = out;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    f->fd = ci ? ci->connect_fd : -1;
    free(text);
    json_decref(pod);
    struct MHD_Response *r =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 32 * 1024, follow_read, f, follow_free);
    MHD_add_response_header(r, "Content-Type", "text/plain");
    MHD_add_response_header(r, "Cache-Control", "no-cache, private");
    enum MHD_Result ret = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ret;
}
