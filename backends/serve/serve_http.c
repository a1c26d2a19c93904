/* serve_http: libmicrohttpd on its own thread, documents from the loop. A request takes a
 * ticket, marks its document wanted and wakes the loop (uv_async_send, which coalesces); the
 * loop's async callback renders every wanted document once, publishes the bytes, records
 * the newest ticket it has answered and wakes the waiting requests (one condition
 * variable). A request whose ticket is answered copies the published bytes and returns.
 * Deliberately not here: what the documents say (the render callback's), and anything of
 * the model (this file never sees it). */
#include "serve/serve_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "file.h"
#include "log.h"
#include "xmalloc.h"

#define TLS_FILE_MAX (1u << 20)

static const struct {
    const char *path, *type;
} doc_info[SERVE__NDOCS] = {
    [SERVE_METRICS] = {"/metrics", "text/plain; version=0.0.4; charset=utf-8"},
    [SERVE_STATUS] = {"/status.json", "application/json"},
    [SERVE_FINDINGS] = {"/findings.json", "application/json"},
    [SERVE_HEALTHZ] = {"/healthz", "text/plain; charset=utf-8"},
};

struct pub_doc {
    char *body; /* owned, NULL: never rendered */
    size_t len;
    int status; /* HTTP status to answer with it */
};

struct serve_http {
    uv_loop_t *loop;
    uv_async_t async;
    struct MHD_Daemon *d;
    serve_render_cb *render;
    void *arg;
    char url[96];
    char *tls_cert, *tls_key; /* owned; the key zeroed before free */
    size_t tls_cert_len, tls_key_len;
    /* Shared with the server thread, under mu. */
    uv_mutex_t mu;
    uv_cond_t cond;
    unsigned wanted;   /* 1 << doc */
    uint64_t ticket;   /* the newest request's */
    uint64_t answered; /* the newest ticket the loop has answered */
    bool stopping;
    uint64_t n_requests;
    struct pub_doc doc[SERVE__NDOCS];
};

/* ------------------------------------------------------------------ addresses */

struct addr {
    union {
        struct sockaddr sa;
        struct sockaddr_in v4;
        struct sockaddr_in6 v6;
    } u;
    bool v6;
};

static int
parse_listen(const char *listen, struct addr *a, struct pxerr *err)
{
    char host[64];
    const char *port_s;
    memset(a, 0, sizeof *a);
    if (listen == NULL || *listen == '\0')
        return pxerr_set(err, PXE_USAGE, "--listen needs HOST:PORT, e.g. 127.0.0.1:9713");
    if (listen[0] == '[') {
        const char *close = strchr(listen, ']');
        if (close == NULL || close[1] != ':' || (size_t)(close - listen - 1) >= sizeof host)
            return pxerr_set(err, PXE_USAGE, "--listen '%s': expected [IPV6]:PORT", listen);
        memcpy(host, listen + 1, (size_t)(close - listen - 1));
        host[close - listen - 1] = '\0';
        port_s = close + 2;
    } else {
        const char *colon = strrchr(listen, ':');
        if (colon == NULL || (size_t)(colon - listen) >= sizeof host)
            return pxerr_set(err, PXE_USAGE,
                             "--listen '%s': expected HOST:PORT, e.g. "
                             "127.0.0.1:9713",
                             listen);
        memcpy(host, listen, (size_t)(colon - listen));
        host[colon - listen] = '\0';
        port_s = colon + 1;
    }
    char *end;
    errno = 0;
    long port = strtol(port_s, &end, 10);
    if (*port_s == '\0' || *end != '\0' || errno != 0 || port < 0 || port > 65535)
        return pxerr_set(err, PXE_USAGE,
                         "--listen '%s': port '%s' is not a number from 0 to "
                         "65535",
                         listen, port_s);
    if (inet_pton(AF_INET, host, &a->u.v4.sin_addr) == 1) {
        a->u.v4.sin_family = AF_INET;
        a->u.v4.sin_port = htons((uint16_t)port);
    } else if (inet_pton(AF_INET6, host, &a->u.v6.sin6_addr) == 1) {
        a->u.v6.sin6_family = AF_INET6;
        a->u.v6.sin6_port = htons((uint16_t)port);
        a->v6 = true;
    } else {
        return pxerr_set(err, PXE_USAGE,
                         "--listen '%s': '%s' is not an IP address (names "
                         "are not resolved; give 127.0.0.1 or an address of this machine)",
                         listen, host);
    }
    return 0;
}

static bool
addr_loopback(const struct addr *a)
{
    if (a->v6)
        return IN6_IS_ADDR_LOOPBACK(&a->u.v6.sin6_addr);
    return (ntohl(a->u.v4.sin_addr.s_addr) >> 24) == 127;
}

bool
serve_http_is_loopback(const char *listen)
{
    struct addr a;
    return parse_listen(listen, &a, NULL) == 0 && addr_loopback(&a);
}

int
serve_http_check(const struct serve_http_opts *o, struct pxerr *err)
{
    struct addr a;
    int rc = parse_listen(o->listen, &a, err);
    if (rc < 0)
        return rc;
    if ((o->tls_cert == NULL) != (o->tls_key == NULL))
        return pxerr_set(err, PXE_USAGE,
                         "give --tls-cert and --tls-key together (%s is "
                         "missing)",
                         o->tls_cert == NULL ? "--tls-cert" : "--tls-key");
    if (!addr_loopback(&a) && o->tls_cert == NULL && !o->insecure)
        return pxerr_set(err, PXE_USAGE,
                         "--listen %s is not a loopback address: anyone who reaches it reads "
                         "the clusters' state; give --tls-cert FILE --tls-key FILE, or "
                         "--insecure to serve plain HTTP there anyway",
                         o->listen);
    return 0;
}

/* ------------------------------------------------------------------ the loop's side */

static void
on_async(uv_async_t *as)
{
    struct serve_http *h = as->data;
    uv_mutex_lock(&h->mu);
    unsigned wanted = h->wanted;
    uint64_t ticket = h->ticket;
    h->wanted = 0;
    uv_mutex_unlock(&h->mu);
    struct pub_doc fresh[SERVE__NDOCS];
    memset(fresh, 0, sizeof fresh);
    for (int d = 0; d < SERVE__NDOCS; d++) {
        if (!(wanted & (1u << d)))
            continue;
        struct strbuf sb;
        strbuf_init(&sb);
        struct pxerr e = {0};
        int rc = h->render((enum serve_doc)d, &sb, h->arg, &e);
        if (rc > 0) {
            fresh[d].status = MHD_HTTP_OK;
            fresh[d].len = sb.len;
            fresh[d].body = strbuf_detach(&sb);
        } else if (rc < 0) {
            strbuf_reset(&sb);
            strbuf_appendf(&sb, "pxcmesh: %s\n", e.msg);
            fresh[d].status = MHD_HTTP_INTERNAL_SERVER_ERROR;
            fresh[d].len = sb.len;
            fresh[d].body = strbuf_detach(&sb);
        }
        strbuf_fini(&sb);
    }
    uv_mutex_lock(&h->mu);
    for (int d = 0; d < SERVE__NDOCS; d++) {
        if (fresh[d].body == NULL)
            continue;
        free(h->doc[d].body);
        h->doc[d] = fresh[d];
    }
    if (ticket > h->answered)
        h->answered = ticket;
    uv_cond_broadcast(&h->cond);
    uv_mutex_unlock(&h->mu);
}

/* ------------------------------------------------------------------ the server's side */

static enum MHD_Result
answer(struct MHD_Connection *conn, unsigned status, const char *type, char *body, size_t len)
{
    struct MHD_Response *r = MHD_create_response_from_buffer_with_free_callback(len, body, free);
    if (r == NULL) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result
answer_text(struct MHD_Connection *conn, unsigned status, const char *text)
{
    return answer(conn, status, "text/plain; charset=utf-8", xstrdup(text), strlen(text));
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
           const char *version, const char *upload, size_t *upload_size, void **req_cls)
{
    struct serve_http *h = cls;
    (void)version;
    (void)upload;
    if (*req_cls == NULL) { /* first call: headers only; answer on the next */
        *req_cls = h;
        return MHD_YES;
    }
    if (*upload_size != 0) {
        *upload_size = 0; /* a body is ignored: nothing here takes one */
        return MHD_YES;
    }
    uv_mutex_lock(&h->mu);
    h->n_requests++;
    uv_mutex_unlock(&h->mu);
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
        return answer_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n");
    int d = -1;
    for (int i = 0; i < SERVE__NDOCS; i++)
        if (strcmp(url, doc_info[i].path) == 0)
            d = i;
    if (d < 0)
        return answer_text(conn, MHD_HTTP_NOT_FOUND,
                           "not found; pxcmesh serves /metrics, /status.json, /findings.json "
                           "and /healthz\n");
    uv_mutex_lock(&h->mu);
    uint64_t mine = ++h->ticket;
    h->wanted |= 1u << d;
    bool stopping = h->stopping;
    uv_mutex_unlock(&h->mu);
    if (!stopping)
        uv_async_send(&h->async);
    uv_mutex_lock(&h->mu);
    uint64_t deadline = uv_hrtime() + (uint64_t)SERVE_LOOP_WAIT_MS * 1000 * 1000;
    while (h->answered < mine && !h->stopping) {
        uint64_t now = uv_hrtime();
        if (now >= deadline)
            break;
        /* A timeout or a wake-up for another ticket: look again. */
        (void)uv_cond_timedwait(&h->cond, &h->mu, deadline - now);
    }
    bool answered = h->answered >= mine;
    struct pub_doc pd = h->doc[d];
    char *copy = NULL;
    if (answered && pd.body != NULL) {
        copy = xmalloc(pd.len + 1);
        memcpy(copy, pd.body, pd.len);
        copy[pd.len] = '\0';
    }
    stopping = h->stopping;
    uv_mutex_unlock(&h->mu);
    if (!answered || copy == NULL)
        return answer_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
                           stopping ? "pxcmesh is stopping\n"
                                    : "pxcmesh: the event loop did not answer within 5 s\n");
    return answer(conn, (unsigned)pd.status, doc_info[d].type, copy, pd.len);
}

static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char buf[300];
    (void)cls;
    vsnprintf(buf, sizeof buf, fmt, ap);
    buf[strcspn(buf, "\n")] = '\0';
    log_warn("serve: %s", buf);
}

/* ------------------------------------------------------------------ start, stop */

static void
tls_free(struct serve_http *h)
{
    free(h->tls_cert);
    file_free_secret(h->tls_key, h->tls_key_len);
    h->tls_cert = h->tls_key = NULL;
}

static void
on_closed(uv_handle_t *hd)
{
    struct serve_http *h = hd->data;
    for (int d = 0; d < SERVE__NDOCS; d++)
        free(h->doc[d].body);
    uv_cond_destroy(&h->cond);
    uv_mutex_destroy(&h->mu);
    tls_free(h);
    free(h);
}

int
serve_http_start(uv_loop_t *loop, const struct serve_http_opts *o, struct serve_http **out,
                 struct pxerr *err)
{
    int rc = serve_http_check(o, err);
    if (rc < 0)
        return rc;
    struct addr a;
    (void)parse_listen(o->listen, &a, NULL); /* checked above */
    struct serve_http *h = xcalloc(1, sizeof *h);
    h->loop = loop;
    h->render = o->render;
    h->arg = o->arg;
    if (o->tls_cert != NULL) {
        if ((rc = file_read(o->tls_cert, TLS_FILE_MAX, &h->tls_cert, &h->tls_cert_len, err)) < 0 ||
            (rc = file_read_secret(o->tls_key, TLS_FILE_MAX, &h->tls_key, &h->tls_key_len, err)) <
                0) {
            tls_free(h);
            free(h);
            return rc;
        }
    }
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
    if (a.v6)
        flags |= MHD_USE_IPv6;
    if (h->tls_cert != NULL)
        flags |= MHD_USE_TLS;
    struct MHD_OptionItem tls[] = {
        {MHD_OPTION_HTTPS_MEM_CERT, 0, h->tls_cert},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, h->tls_key},
        {MHD_OPTION_END, 0, NULL},
    };
    uv_mutex_init(&h->mu);
    uv_cond_init(&h->cond);
    h->d =
        MHD_start_daemon(flags, 0, NULL, NULL, on_request, h, MHD_OPTION_SOCK_ADDR, &a.u.sa,
                         MHD_OPTION_CONNECTION_LIMIT, (unsigned)32, MHD_OPTION_CONNECTION_TIMEOUT,
                         (unsigned)30, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
                         MHD_OPTION_ARRAY, h->tls_cert != NULL ? tls : &tls[2], MHD_OPTION_END);
    if (h->d == NULL) {
        uv_cond_destroy(&h->cond);
        uv_mutex_destroy(&h->mu);
        tls_free(h);
        free(h);
        return pxerr_set(err, PXE_CONN,
                         "cannot serve on %s%s: the address is in use, not on this machine, "
                         "or the TLS certificate and key do not match (run with --log FILE for "
                         "the server's words)",
                         o->listen, o->tls_cert != NULL ? " with TLS" : "");
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
    unsigned port = di != NULL ? di->port : 0;
    char host[INET6_ADDRSTRLEN] = "";
    if (a.v6)
        inet_ntop(AF_INET6, &a.u.v6.sin6_addr, host, sizeof host);
    else
        inet_ntop(AF_INET, &a.u.v4.sin_addr, host, sizeof host);
    snprintf(h->url, sizeof h->url, "%s://%s%s%s:%u", h->tls_cert != NULL ? "https" : "http",
             a.v6 ? "[" : "", host, a.v6 ? "]" : "", port);
    uv_async_init(loop, &h->async, on_async);
    h->async.data = h;
    *out = h;
    return 0;
}

const char *
serve_http_url(const struct serve_http *h)
{
    return h->url;
}

uint64_t
serve_http_requests(struct serve_http *h)
{
    uv_mutex_lock(&h->mu);
    uint64_t n = h->n_requests;
    uv_mutex_unlock(&h->mu);
    return n;
}

void
serve_http_stop(struct serve_http *h)
{
    if (h == NULL)
        return;
    uv_mutex_lock(&h->mu);
    h->stopping = true;
    uv_cond_broadcast(&h->cond);
    uv_mutex_unlock(&h->mu);
    MHD_stop_daemon(h->d); /* joins the server thread: no request runs after this */
    h->d = NULL;
    uv_close((uv_handle_t *)&h->async, on_closed);
}
