/* probe: the life cycle every probe shares. A deadline timer bounds each probe; finish
 * delivers the result once and then closes the probe's handles, freeing the probe from
 * the last close callback, so a late libuv or c-ares callback never sees freed memory. */
#include "probe/probe_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "xmalloc.h"

const char *
probe_kind_name(enum probe_kind k)
{
    switch (k) {
    case PROBE_DNS:
        return "dns";
    case PROBE_TCP:
        return "tcp";
    case PROBE_MYSQL:
        return "mysql";
    case PROBE_ENVOY:
        return "envoy";
    }
    return "?";
}

const char *
probe_status_name(enum probe_status s)
{
    switch (s) {
    case PROBE_OK:
        return "ok";
    case PROBE_FAIL:
        return "fail";
    case PROBE_TIMEOUT:
        return "timeout";
    case PROBE_CANCELLED:
        return "cancelled";
    }
    return "?";
}

int
probe_split_target(const char *target, int dflt, char *host, size_t n, int *port,
                   struct pxerr *err)
{
    const char *p = target, *portstr = NULL;
    size_t hlen;
    if (target == NULL || target[0] == '\0')
        return pxerr_set(err, PXE_USAGE, "no target given");
    if (target[0] == '[') {
        const char *close = strchr(target, ']');
        if (close == NULL)
            return pxerr_set(err, PXE_INVAL, "target '%s': missing ']'", target);
        p = target + 1;
        hlen = (size_t)(close - p);
        if (close[1] == ':')
            portstr = close + 2;
    } else {
        const char *colon = strrchr(target, ':');
        if (colon != NULL && strchr(target, ':') == colon) {
            hlen = (size_t)(colon - target);
            portstr = colon + 1;
        } else {
            hlen = strlen(target);
        }
    }
    if (hlen == 0 || hlen >= n)
        return pxerr_set(err, PXE_INVAL, "target '%s': bad host", target);
    memcpy(host, p, hlen);
    host[hlen] = '\0';
    *port = dflt;
    if (portstr != NULL) {
        char *end;
        long v = strtol(portstr, &end, 10);
        if (*portstr == '\0' || *end != '\0' || v < 1 || v > 65535)
            return pxerr_set(err, PXE_INVAL, "target '%s': port '%s' is not 1-65535", target,
                             portstr);
        *port = (int)v;
    }
    if (*port <= 0)
        return pxerr_set(err, PXE_USAGE, "target '%s': give a port (HOST:PORT)", target);
    return 0;
}

static void
on_deadline(uv_timer_t *t)
{
    struct probe *p = t->data;
    probe__finish(p, PROBE_TIMEOUT, "no answer within %d ms", p->timeout_ms);
}

struct probe *
probe__new(uv_loop_t *loop, enum probe_kind kind, const char *target, const struct probe_opts *o,
           probe_cb *cb, void *arg)
{
    struct probe *p = xcalloc(1, sizeof *p);
    p->loop = loop;
    p->cb = cb;
    p->arg = arg;
    p->r.kind = kind;
    p->r.ttl_s = -1;
    snprintf(p->r.target, sizeof p->r.target, "%s", target);
    snprintf(p->r.from, sizeof p->r.from, "local");
    p->r.ran_wall_ms = clock_wall_ms();
    p->start_ms = clock_mono_ms();
    p->timeout_ms = o && o->timeout_ms > 0 ? o->timeout_ms : 3000;
    for (int i = 0; i < PROBE_MAX_SOCKS; i++)
        p->socks[i].fd = -1;
    uv_timer_init(loop, &p->deadline);
    p->deadline.data = p;
    p->open_handles++;
    uv_timer_start(&p->deadline, on_deadline, (uint64_t)p->timeout_ms, 0);
    if (o != NULL && o->user != NULL)
        p->user = xstrdup(o->user);
    if (o != NULL && o->password != NULL)
        p->password = xstrdup(o->password);
    return p;
}

static void
probe_free(struct probe *p)
{
    free(p->user);
    xfree_secret(p->password);
    free(p);
}

#ifdef PXC_HAVE_CARES
void
probe__ares_leave(struct probe *p)
{
    p->in_ares = false;
    if (p->ares_zombie) {
        p->ares_zombie = false;
        ares_destroy(p->ares);
    }
}
#endif

void
probe__maybe_free(struct probe *p)
{
    if (p->done && p->open_handles == 0 && !p->work_pending && !p->gai_pending)
        probe_free(p);
}

void
probe__handle_closed(uv_handle_t *h)
{
    struct probe *p = h->data;
    p->open_handles--;
    probe__maybe_free(p);
}

static void
close_handle(struct probe *p, uv_handle_t *h)
{
    if (uv_is_closing(h))
        return;
    h->data = p;
    uv_close(h, probe__handle_closed);
}

void
probe__finish(struct probe *p, enum probe_status st, const char *fmt, ...)
{
    if (p->done)
        return;
    p->done = true;
    p->r.status = st;
    p->r.elapsed_ms = (double)(clock_mono_ms() - p->start_ms);
    if (fmt != NULL) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->r.summary, sizeof p->r.summary, fmt, ap);
        va_end(ap);
    }
    if (st == PROBE_TIMEOUT && p->r.error_kind[0] == '\0')
        snprintf(p->r.error_kind, sizeof p->r.error_kind, "timeout");
    if (!p->silent)
        p->cb(&p->r, p->arg);
    /* Tear down: whatever is still in flight is cancelled or closed. */
#ifdef PXC_HAVE_CARES
    if (p->ares_live) {
        p->ares_live = false;
        /* c-ares must not be destroyed from inside its own callback (it frees the query
         * it is still using): defer to probe__ares_leave. */
        if (p->in_ares)
            p->ares_zombie = true;
        else
            ares_destroy(p->ares); /* pending callbacks get ARES_EDESTRUCTION: ignored */
    }
#endif
    for (int i = 0; i < PROBE_MAX_SOCKS; i++) {
        if (p->socks[i].fd >= 0) {
            p->socks[i].fd = -1;
            close_handle(p, (uv_handle_t *)&p->socks[i].poll);
        }
    }
    if (p->gai_pending)
        uv_cancel((uv_req_t *)&p->gai);
    if (p->work_pending)
        uv_cancel((uv_req_t *)&p->work);
    if (p->tcp_init)
        close_handle(p, (uv_handle_t *)&p->tcp);
    if (p->ares_timer.loop != NULL) /* initialised (DNS probes only) */
        close_handle(p, (uv_handle_t *)&p->ares_timer);
    close_handle(p, (uv_handle_t *)&p->deadline);
}

void
probe__abort(struct probe *p)
{
    p->silent = true;
    probe__finish(p, PROBE_CANCELLED, NULL);
}

void
probe_cancel(struct probe *p)
{
    if (p != NULL && !p->done)
        probe__finish(p, PROBE_CANCELLED, "cancelled");
}

static void
json_str(struct strbuf *out, const char *k, const char *v, bool comma)
{
    strbuf_appendf(out, "\"%s\": \"", k);
    for (; *v; v++) {
        unsigned char c = (unsigned char)*v;
        if (c == '"' || c == '\\')
            strbuf_appendf(out, "\\%c", c);
        else if (c < 0x20)
            strbuf_appendf(out, "\\u%04x", c);
        else
            strbuf_appendc(out, (char)c);
    }
    strbuf_append(out, comma ? "\", " : "\"");
}

void
probe_result_json(const struct probe_result *r, struct strbuf *out)
{
    strbuf_append(out, "{");
    json_str(out, "kind", probe_kind_name(r->kind), true);
    json_str(out, "target", r->target, true);
    json_str(out, "from", r->from, true);
    if (r->via[0] != '\0')
        json_str(out, "via", r->via, true);
    json_str(out, "status", probe_status_name(r->status), true);
    json_str(out, "summary", r->summary, true);
    json_str(out, "detail", r->detail, true);
    strbuf_appendf(out, "\"elapsedMs\": %.1f, ", r->elapsed_ms);
    char ts[40];
    clock_fmt_rfc3339(r->ran_wall_ms, ts, sizeof ts);
    json_str(out, "ranAt", ts, true);
    if (r->kind == PROBE_DNS) {
        json_str(out, "server", r->server, true);
        json_str(out, "rcode", r->rcode, true);
        strbuf_appendf(out, "\"ttl\": %d, \"addresses\": [", r->ttl_s);
        for (int i = 0; i < r->n_addrs; i++)
            strbuf_appendf(out, "%s\"%s\"", i ? ", " : "", r->addrs[i]);
        strbuf_append(out, "]");
    } else {
        json_str(out, "address", r->addr_used, true);
        json_str(out, "error", r->error_kind, r->kind == PROBE_MYSQL);
        if (r->kind == PROBE_MYSQL) {
            json_str(out, "version", r->version, true);
            json_str(out, "flavour", r->flavour, true);
            strbuf_appendf(out, "\"mysqlErrno\": %d", r->mysql_errno);
        }
    }
    strbuf_append(out, "}");
}
