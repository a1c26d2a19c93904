/* http: libcurl's multi interface on the libuv loop. curl tells us which sockets to watch
 * (socket callback -> one uv_poll per socket) and when to call it back (timer callback -> one
 * uv_timer); we tell curl what happened (curl_multi_socket_action) and then collect finished
 * transfers (curl_multi_info_read). Deadlines are curl's own CURLOPT_TIMEOUT_MS, which curl
 * enforces through that same timer, so a hung server costs no thread and no extra handle.
 *
 * It deliberately knows nothing of Kubernetes: no JSON, no retries, no backoff. Those live in
 * kube.c; this file moves bytes and says in words what went wrong.
 *
 * Idle limits (a watch that stops receiving) are ours, not curl's CURLOPT_LOW_SPEED_TIME: curl
 * checks a low-speed limit by waking every transfer that has one once a second
 * (Curl_speedcheck re-arms EXPIRE_SPEEDCHECK at 1000 ms), which for a dozen idle watches is
 * a dozen wakeups a second of a console that shows nothing new. One uv_timer per http fires
 * at the earliest deadline instead; bytes arriving only move a request's last_rx_ms.
 *
 * Cancellation: curl forbids curl_multi_remove_handle from inside its callbacks. A request
 * cancelled while curl is running (h->in_curl) is marked and parked on h->deferred; its write
 * callback then aborts, and it is removed as soon as curl returns. Either way its owner never
 * hears from it again. */
#include "kube/http.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "log.h"
#include "strbuf.h"
#include "xmalloc.h"

struct sock_ctx {
    uv_poll_t poll;
    curl_socket_t fd;
    struct http *h;
    struct sock_ctx *next; /* h->socks list */
};

struct http_req {
    struct http *h;
    CURL *easy;
    struct curl_slist *hdrs; /* may hold a bearer token: zeroed before free */
    char *method, *url;
    char *body;              /* request body copy */
    size_t body_len;
    struct strbuf resp;      /* buffered body */
    size_t body_max;
    char content_type[128];
    int retry_after_s;
    http_data_cb *on_data;
    http_done_cb *on_done;
    void *arg;
    bool cancelled;
    bool aborted_by_reader;
    bool too_large;
    char errbuf[CURL_ERROR_SIZE];
    struct http_req *prev, *next; /* h->reqs list */
    struct http_req *next_deferred;
    struct curl_slist *connect_to; /* tls-server-name mapping, NULL none */
    bool added;                    /* in the multi (false while parked on h->to_add) */
    struct http_req *next_add;
    bool paused;                   /* on_data said HTTP_DATA_PAUSE: curl holds the bytes */
    bool connect_only;             /* handed over as a raw connection once connected */
    bool connected;                /* connect_only, connected: stays in the multi (removing
                                      it would close the connection) until http_cancel */
    bool secret;                   /* opts.secret */
    bool resume_wanted;            /* http_resume from inside curl: done when curl returns */
    uint64_t idle_ms;              /* opts.idle_timeout_s in ms; 0: no idle limit */
    uint64_t last_rx_ms;           /* uv_now of the last byte (or start, or resume) */
};

struct http {
    uv_loop_t *loop;
    CURLM *multi;
    uv_timer_t timer;
    uv_timer_t idle_timer; /* the earliest idle deadline of a request, when armed */
    uint64_t idle_due;     /* uv_now time idle_timer fires at; 0: not armed */
    struct sock_ctx *socks;
    struct http_req *reqs;
    struct http_req *deferred;
    struct http_req *to_add; /* started from inside a curl callback: added when curl returns */
    size_t n_reqs;
    int n_handles;  /* open uv handles (two timers + polls); memory freed when 0 after free */
    bool in_curl;   /* inside curl_multi_socket_action: no remove_handle now */
    int n_resume_wanted; /* requests with resume_wanted set */
    bool freeing;
};

static void check_done(struct http *h);
static void add_to_multi(struct http_req *r);
static void complete(struct http_req *r, CURLcode rc);
static void idle_arm(struct http *h);
static void idle_note(struct http_req *r);

/* ------------------------------------------------------------------ handles */

static void
maybe_release(struct http *h)
{
    if (h->freeing && h->n_handles == 0) {
        free(h);
        curl_global_cleanup();
    }
}

static void
on_handle_closed(uv_handle_t *hd)
{
    struct http *h = hd->data;
    h->n_handles--;
    maybe_release(h);
}

static void
on_sock_closed(uv_handle_t *hd)
{
    struct sock_ctx *sc = hd->data;
    struct http *h = sc->h;
    free(sc);
    h->n_handles--;
    maybe_release(h);
}

static void
sock_close(struct sock_ctx *sc)
{
    struct http *h = sc->h;
    for (struct sock_ctx **pp = &h->socks; *pp; pp = &(*pp)->next) {
        if (*pp == sc) {
            *pp = sc->next;
            break;
        }
    }
    uv_poll_stop(&sc->poll);
    uv_close((uv_handle_t *)&sc->poll, on_sock_closed);
}

static void unpause(struct http_req *r);

/* What callbacks asked for while curl ran, done now that it has returned. */
static void
after_curl(struct http *h)
{
    /* Transfers resumed from inside a curl callback (rare: the list is not walked for
     * nothing on every socket event). */
    for (struct http_req *r = h->reqs; h->n_resume_wanted > 0 && r; r = r->next)
        if (r->resume_wanted) {
            r->resume_wanted = false;
            h->n_resume_wanted--;
            if (!r->cancelled)
                unpause(r);
        }
    /* Requests cancelled from inside a curl callback can go now. */
    while (h->deferred) {
        struct http_req *r = h->deferred;
        h->deferred = r->next_deferred;
        r->next_deferred = NULL;
        http_cancel(r);
    }
    /* Requests started from inside a curl callback (curl refuses recursive adds). */
    while (h->to_add) {
        struct http_req *r = h->to_add;
        h->to_add = r->next_add;
        r->next_add = NULL;
        add_to_multi(r);
    }
    check_done(h);
}

static void
socket_action(struct http *h, curl_socket_t fd, int flags)
{
    int running = 0;
    h->in_curl = true;
    CURLMcode mc = curl_multi_socket_action(h->multi, fd, flags, &running);
    h->in_curl = false;
    if (mc != CURLM_OK)
        log_error("http: curl_multi_socket_action: %s", curl_multi_strerror(mc));
    after_curl(h);
}

/* curl hands the held bytes to the write callback again, maybe before returning. */
static void
unpause(struct http_req *r)
{
    struct http *h = r->h;
    if (!r->paused)
        return;
    r->paused = false;
    r->last_rx_ms = uv_now(h->loop); /* the reader held the bytes, not the server */
    idle_note(r);
    h->in_curl = true;
    CURLcode cc = curl_easy_pause(r->easy, CURLPAUSE_CONT);
    h->in_curl = false;
    if (cc != CURLE_OK)
        log_error("http: resuming %s %s: %s", r->method, r->url, curl_easy_strerror(cc));
    after_curl(h);
}

void
http_resume(struct http_req *req)
{
    if (req->h->in_curl) {
        if (!req->resume_wanted)
            req->h->n_resume_wanted++;
        req->resume_wanted = true;
    } else {
        unpause(req);
    }
}

static void
on_poll(uv_poll_t *p, int status, int events)
{
    struct sock_ctx *sc = p->data;
    int flags = 0;
    if (status < 0)
        flags = CURL_CSELECT_ERR;
    if (events & UV_READABLE)
        flags |= CURL_CSELECT_IN;
    if (events & UV_WRITABLE)
        flags |= CURL_CSELECT_OUT;
    socket_action(sc->h, sc->fd, flags);
}

static void
on_timer(uv_timer_t *t)
{
    socket_action(t->data, CURL_SOCKET_TIMEOUT, 0);
}

static int
curl_sock_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    struct http *h = userp;
    struct sock_ctx *sc = socketp;
    (void)easy;
    if (what == CURL_POLL_REMOVE) {
        if (sc) {
            curl_multi_assign(h->multi, fd, NULL);
            sock_close(sc);
        }
        return 0;
    }
    if (sc == NULL) {
        sc = xcalloc(1, sizeof *sc);
        sc->fd = fd;
        sc->h = h;
        if (uv_poll_init_socket(h->loop, &sc->poll, fd) != 0) {
            log_error("http: cannot watch socket %d", (int)fd);
            free(sc);
            return -1;
        }
        sc->poll.data = sc;
        sc->next = h->socks;
        h->socks = sc;
        h->n_handles++;
        curl_multi_assign(h->multi, fd, sc);
    }
    int ev = 0;
    if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
        ev |= UV_READABLE;
    if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
        ev |= UV_WRITABLE;
    uv_poll_start(&sc->poll, ev, on_poll);
    return 0;
}

static int
curl_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
    struct http *h = userp;
    (void)multi;
    if (timeout_ms < 0)
        uv_timer_stop(&h->timer);
    else /* 0 fires on the next loop iteration: never call curl back from inside curl */
        uv_timer_start(&h->timer, on_timer, (uint64_t)timeout_ms, 0);
    return 0;
}

/* ------------------------------------------------------------------ idle limits */

static bool
idle_watched(const struct http_req *r)
{
    return r->idle_ms > 0 && !r->paused && !r->cancelled && !r->connected;
}

static void on_idle_timer(uv_timer_t *t);

/* r's deadline may come before the armed one (or none is armed). */
static void
idle_note(struct http_req *r)
{
    struct http *h = r->h;
    if (r->idle_ms > 0 && (h->idle_due == 0 || r->last_rx_ms + r->idle_ms < h->idle_due))
        idle_arm(h);
}

/* Arm the idle timer at the earliest deadline of the requests that have one, or stop it. */
static void
idle_arm(struct http *h)
{
    uint64_t due = 0;
    for (struct http_req *r = h->reqs; r; r = r->next)
        if (idle_watched(r) && (due == 0 || r->last_rx_ms + r->idle_ms < due))
            due = r->last_rx_ms + r->idle_ms;
    h->idle_due = due;
    if (due == 0) {
        uv_timer_stop(&h->idle_timer);
        return;
    }
    uint64_t now = uv_now(h->loop);
    uv_timer_start(&h->idle_timer, on_idle_timer, due > now ? due - now : 0, 0);
}

/* A request whose last byte is older than its limit fails as curl's own timeout would; the
 * deadlines that moved meanwhile only re-arm the timer. Out of curl here: complete() may run
 * callbacks that start or cancel requests, so the list is walked again after each. */
static void
on_idle_timer(uv_timer_t *t)
{
    struct http *h = t->data;
    h->idle_due = 0;
    for (;;) {
        uint64_t now = uv_now(h->loop);
        struct http_req *late = NULL;
        for (struct http_req *r = h->reqs; r && late == NULL; r = r->next)
            if (idle_watched(r) && r->added && now >= r->last_rx_ms + r->idle_ms)
                late = r;
        if (late == NULL)
            break;
        snprintf(late->errbuf, sizeof late->errbuf, "no data from the server for %llu s",
                 (unsigned long long)(late->idle_ms / 1000));
        complete(late, CURLE_OPERATION_TIMEDOUT);
    }
    if (!h->freeing)
        idle_arm(h);
}

struct http *
http_new(uv_loop_t *loop)
{
    /* Reference-counted by curl (and thread-safe since 7.84): balanced in maybe_release. */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        pxc_fatal("http: curl_global_init failed");
    struct http *h = xcalloc(1, sizeof *h);
    h->loop = loop;
    h->multi = curl_multi_init();
    if (h->multi == NULL)
        pxc_fatal("http: curl_multi_init failed (out of memory)");
    curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, curl_sock_cb);
    curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
    curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, curl_timer_cb);
    curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
    uv_timer_init(loop, &h->timer);
    h->timer.data = h;
    uv_timer_init(loop, &h->idle_timer);
    h->idle_timer.data = h;
    h->n_handles = 2;
    return h;
}

/* ---------------------------------------------------------------- requests */

static void
req_unlink(struct http_req *r)
{
    struct http *h = r->h;
    if (r->prev)
        r->prev->next = r->next;
    else
        h->reqs = r->next;
    if (r->next)
        r->next->prev = r->prev;
    r->prev = r->next = NULL;
    h->n_reqs--;
}

static void
req_free(struct http_req *r)
{
    if (r->resume_wanted)
        r->h->n_resume_wanted--;
    for (struct curl_slist *s = r->hdrs; s; s = s->next)
        explicit_bzero(s->data, strlen(s->data));
    curl_slist_free_all(r->hdrs);
    if (r->easy)
        curl_easy_cleanup(r->easy);
    curl_slist_free_all(r->connect_to);
    free(r->method);
    free(r->url);
    if (r->body)
        explicit_bzero(r->body, r->body_len);
    free(r->body);
    /* A response may be a Secret: zero it. */
    explicit_bzero(r->resp.s, r->resp.len);
    strbuf_fini(&r->resp);
    free(r);
}

/* Remove from curl and free. Not from inside a curl callback. */
static void
req_destroy(struct http_req *r)
{
    if (r->added)
        curl_multi_remove_handle(r->h->multi, r->easy);
    else
        for (struct http_req **pp = &r->h->to_add; *pp; pp = &(*pp)->next_add)
            if (*pp == r) {
                *pp = r->next_add;
                break;
            }
    req_unlink(r);
    req_free(r);
}

void
http_cancel(struct http_req *req)
{
    if (req == NULL)
        return;
    struct http *h = req->h;
    if (h->in_curl) {
        if (!req->cancelled) {
            req->cancelled = true;
            req->next_deferred = h->deferred;
            h->deferred = req;
        }
        return;
    }
    if (req->cancelled) {
        /* Parked on the deferred list: take it off before freeing. */
        for (struct http_req **pp = &h->deferred; *pp; pp = &(*pp)->next_deferred) {
            if (*pp == req) {
                *pp = req->next_deferred;
                break;
            }
        }
    }
    req_destroy(req);
}

/* Append to the buffered body. A secret body never leaves a copy behind in memory that realloc
 * freed: it grows into a new buffer and the old one is zeroed. */
static void
append_body(struct http_req *r, const char *ptr, size_t n)
{
    if (r->secret && r->resp.len + n + 1 > r->resp.cap && r->resp.cap > 0) {
        struct strbuf nb;
        strbuf_init(&nb);
        size_t want = r->resp.cap * 2 > r->resp.len + n ? r->resp.cap * 2 : r->resp.len + n;
        strbuf_reserve(&nb, want);
        strbuf_appendn(&nb, r->resp.s, r->resp.len);
        explicit_bzero(r->resp.s, r->resp.len);
        strbuf_fini(&r->resp);
        r->resp = nb;
    }
    strbuf_appendn(&r->resp, ptr, n);
}

static size_t
on_curl_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct http_req *r = userdata;
    size_t n = size * nmemb;
    if (r->cancelled)
        return 0; /* abort: CURLE_WRITE_ERROR, then removed silently */
    r->last_rx_ms = uv_now(r->h->loop);
    long code = 0;
    curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &code);
    bool ok = code >= 200 && code < 300;
    if (ok && r->on_data) {
        int rc = r->on_data(r, ptr, n, r->arg);
        if (rc < 0) {
            r->aborted_by_reader = true;
            return 0;
        }
        if (rc == HTTP_DATA_PAUSE && !r->cancelled) {
            r->paused = true;
            return CURL_WRITEFUNC_PAUSE;
        }
        return r->cancelled ? 0 : n;
    }
    size_t cap = ok ? r->body_max : HTTP_ERROR_BODY_MAX;
    if (r->resp.cap == 0) {
        /* A LIST page of pods is megabytes: allocate it once at its announced size rather
         * than doubling up to it, which briefly holds 1.5x and fragments the heap (the
         * console's peak RSS at sync). */
        curl_off_t cl = -1;
        if (curl_easy_getinfo(r->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl) == CURLE_OK &&
            cl > 0 && (size_t)cl <= cap)
            strbuf_reserve(&r->resp, (size_t)cl);
    }
    if (r->resp.len + n > cap) {
        if (ok) {
            r->too_large = true;
            return 0;
        }
        n = r->resp.len < cap ? cap - r->resp.len : 0; /* keep the start of an error body */
        append_body(r, ptr, n);
        if (r->secret)
            explicit_bzero(ptr, size * nmemb);
        return size * nmemb;
    }
    append_body(r, ptr, n);
    if (r->secret)
        explicit_bzero(ptr, n); /* delivered: curl's buffer need not keep it */
    return n;
}

static size_t
on_curl_header(char *buf, size_t size, size_t nitems, void *userdata)
{
    struct http_req *r = userdata;
    size_t n = size * nitems;
    r->last_rx_ms = uv_now(r->h->loop);
    if (n >= 5 && strncmp(buf, "HTTP/", 5) == 0) {
        /* A new response (after 100 Continue, a redirect or a proxy CONNECT): start over. */
        r->content_type[0] = '\0';
        r->retry_after_s = -1;
        return n;
    }
    const char *colon = memchr(buf, ':', n);
    if (colon == NULL)
        return n;
    size_t klen = (size_t)(colon - buf);
    const char *v = colon + 1;
    const char *end = buf + n;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    size_t vlen = (size_t)(end - v);
    if (klen == 12 && strncasecmp(buf, "content-type", 12) == 0) {
        if (vlen >= sizeof r->content_type)
            vlen = sizeof r->content_type - 1;
        memcpy(r->content_type, v, vlen);
        r->content_type[vlen] = '\0';
    } else if (klen == 11 && strncasecmp(buf, "retry-after", 11) == 0) {
        /* Seconds only; an HTTP-date (rare from API servers) counts as 1 s. */
        int s = 0;
        bool digits = vlen > 0;
        for (size_t i = 0; i < vlen; i++) {
            if (!isdigit((unsigned char)v[i])) {
                digits = false;
                break;
            }
            if (s < 100000)
                s = s * 10 + (v[i] - '0');
        }
        r->retry_after_s = digits ? s : 1;
    }
    return n;
}

static int
map_curl_error(CURLcode rc)
{
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        return PXE_TIMEOUT;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return PXE_DNS;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_USE_SSL_FAILED:
        return PXE_TLS;
    case CURLE_WRITE_ERROR:
        return PXE_HTTP;
    default:
        return PXE_CONN;
    }
}

static const char *
curl_error_words(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
        return "connection refused or unreachable";
    case CURLE_OPERATION_TIMEDOUT:
        return "timed out";
    case CURLE_COULDNT_RESOLVE_HOST:
        return "host name not found";
    case CURLE_GOT_NOTHING:
        return "the server closed the connection without answering";
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
        return "the connection broke during the response";
    case CURLE_SEND_ERROR:
        return "the connection broke while sending the request (did the server go away?)";
    case CURLE_PEER_FAILED_VERIFICATION:
        return "the server's certificate is not trusted (check certificate-authority)";
    case CURLE_SSL_CERTPROBLEM:
        return "the client certificate or key was refused (check client-certificate/key)";
    default:
        return curl_easy_strerror(rc);
    }
}

static void
complete(struct http_req *r, CURLcode rc)
{
    struct pxerr e = {0};
    struct http_result res = {
        .body = r->resp.s,
        .body_len = r->resp.len,
        .content_type = r->content_type,
        .retry_after_s = r->retry_after_s,
        .err = &e,
    };
    curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &res.code);
    if (r->aborted_by_reader) {
        res.status = pxerr_set(&e, PXE_HTTP, "%s %s: stream aborted by the reader", r->method,
                               r->url);
    } else if (r->too_large) {
        res.status = pxerr_set(&e, PXE_HTTP, "%s %s: response larger than %zu bytes", r->method,
                               r->url, r->body_max);
    } else if (rc != CURLE_OK) {
        const char *words = curl_error_words(rc);
        if (r->errbuf[0] && strcmp(r->errbuf, words) != 0)
            res.status = pxerr_set(&e, map_curl_error(rc), "%s %s: %s (%s)", r->method, r->url,
                                   words, r->errbuf);
        else
            res.status = pxerr_set(&e, map_curl_error(rc), "%s %s: %s", r->method, r->url, words);
    }
    if (r->connect_only && res.status == 0) {
        /* Connected: the handle stays in the multi, since curl closes a connect-only
         * connection when its handle is removed; the owner ends it with http_cancel. */
        r->connected = true;
        r->on_done(r, &res, r->arg);
        return;
    }
    /* Detach from curl first: the callback may start or cancel requests freely. */
    curl_multi_remove_handle(r->h->multi, r->easy);
    req_unlink(r);
    r->on_done(r, &res, r->arg);
    req_free(r);
}

static void
check_done(struct http *h)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(h->multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        struct http_req *r = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&r);
        CURLcode rc = msg->data.result;
        if (r->cancelled) {
            http_cancel(r); /* not in curl now: removes it for good */
            continue;
        }
        if (r->connected)
            continue; /* a raw connection's transfer has already been reported */
        complete(r, rc);
    }
}

/* Set the TLS, proxy and auth options; 0 or a curl error code. */
static CURLcode
set_tls_auth(struct http_req *r, const struct http_tls_auth *t, struct pxerr *err)
{
    CURL *e = r->easy;
    CURLcode rc = CURLE_OK;
#define SET(opt, val)                                                                              \
    do {                                                                                           \
        if ((rc = curl_easy_setopt(e, opt, val)) != CURLE_OK) {                                    \
            pxerr_set(err, PXE_INVAL, "%s %s: curl refused %s: %s", r->method, r->url, #opt,      \
                      curl_easy_strerror(rc));                                                     \
            return rc;                                                                             \
        }                                                                                          \
    } while (0)
    if (t == NULL) {
        SET(CURLOPT_PROXY, "");
        return CURLE_OK;
    }
    if (t->ca_pem) {
        struct curl_blob b = {.data = (void *)t->ca_pem, .len = t->ca_pem_len,
                              .flags = CURL_BLOB_COPY};
        SET(CURLOPT_CAINFO_BLOB, &b);
    }
    if (t->insecure) {
        SET(CURLOPT_SSL_VERIFYPEER, 0L);
        SET(CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (t->client_cert_pem) {
        struct curl_blob b = {.data = (void *)t->client_cert_pem, .len = t->client_cert_len,
                              .flags = CURL_BLOB_COPY};
        SET(CURLOPT_SSLCERT_BLOB, &b);
        SET(CURLOPT_SSLCERTTYPE, "PEM");
    }
    if (t->client_key_pem) {
        struct curl_blob b = {.data = (void *)t->client_key_pem, .len = t->client_key_len,
                              .flags = CURL_BLOB_COPY};
        SET(CURLOPT_SSLKEY_BLOB, &b);
        SET(CURLOPT_SSLKEYTYPE, "PEM");
    }
    SET(CURLOPT_PROXY, t->proxy_url ? t->proxy_url : "");
    if (t->bearer_token) {
        /* A CR or LF would end the header and start one of the token's choosing. Where the
         * token comes from checks it with its own words (kcfg_token_check); this is the
         * last line. */
        for (const unsigned char *c = (const unsigned char *)t->bearer_token; *c; c++)
            if (*c < 0x20 || *c == 0x7f) {
                pxerr_set(err, PXE_AUTH, "%s %s: the bearer token holds a control character "
                          "(byte 0x%02x); refusing to send it", r->method, r->url, *c);
                return CURLE_BAD_FUNCTION_ARGUMENT;
            }
        char *line = xasprintf("Authorization: Bearer %s", t->bearer_token);
        r->hdrs = curl_slist_append(r->hdrs, line);
        xfree_secret(line);
    } else if (t->username) {
        SET(CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        SET(CURLOPT_USERNAME, t->username);
        SET(CURLOPT_PASSWORD, t->password ? t->password : "");
    }
    if (t->tls_server_name && t->tls_server_name[0]) {
        /* Connect to the URL's host but speak TLS (SNI, certificate check) as the given name:
         * rewrite the URL's host and map it back with CONNECT_TO; Host: keeps the original. */
        CURLU *u = curl_url();
        char *host = NULL, *port = NULL, *nurl = NULL;
        if (curl_url_set(u, CURLUPART_URL, r->url, 0) != CURLUE_OK ||
            curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
            curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK ||
            curl_url_set(u, CURLUPART_HOST, t->tls_server_name, 0) != CURLUE_OK ||
            curl_url_get(u, CURLUPART_URL, &nurl, 0) != CURLUE_OK) {
            curl_free(host);
            curl_free(port);
            curl_free(nurl);
            curl_url_cleanup(u);
            pxerr_set(err, PXE_INVAL, "%s %s: cannot apply tls-server-name '%s'", r->method,
                      r->url, t->tls_server_name);
            return CURLE_URL_MALFORMAT;
        }
        char *map = xasprintf("%s:%s:%s:%s", t->tls_server_name, port, host, port);
        char *hosthdr = xasprintf("Host: %s:%s", host, port);
        struct curl_slist *ct = curl_slist_append(NULL, map);
        r->hdrs = curl_slist_append(r->hdrs, hosthdr);
        rc = curl_easy_setopt(e, CURLOPT_URL, nurl);
        if (rc == CURLE_OK)
            rc = curl_easy_setopt(e, CURLOPT_CONNECT_TO, ct);
        free(map);
        free(hosthdr);
        curl_free(host);
        curl_free(port);
        curl_free(nurl);
        curl_url_cleanup(u);
        if (rc != CURLE_OK) {
            curl_slist_free_all(ct);
            pxerr_set(err, PXE_INVAL, "%s %s: curl refused tls-server-name: %s", r->method,
                      r->url, curl_easy_strerror(rc));
            return rc;
        }
        r->connect_to = ct; /* must outlive the transfer: freed with the request */
    }
#undef SET
    return CURLE_OK;
}

int
http_start(struct http *h, const struct http_req_opts *o, struct http_req **reqp,
           struct pxerr *err)
{
    if (o == NULL || o->url == NULL || o->on_done == NULL)
        return pxerr_set(err, PXE_INVAL, "http: request without url or on_done callback");
    if (h->freeing)
        return pxerr_set(err, PXE_CANCELLED, "http: shutting down");
    struct http_req *r = xcalloc(1, sizeof *r);
    r->h = h;
    r->method = xstrdup(o->method ? o->method : "GET");
    r->url = xstrdup(o->url);
    strbuf_init(&r->resp);
    r->body_max = o->body_max ? o->body_max : HTTP_BODY_MAX_DEFAULT;
    r->retry_after_s = -1;
    r->on_data = o->on_data;
    r->secret = o->secret;
    r->on_done = o->on_done;
    r->arg = o->arg;
    r->easy = curl_easy_init();
    if (r->easy == NULL)
        pxc_fatal("http: curl_easy_init failed (out of memory)");
    CURL *e = r->easy;
    curl_easy_setopt(e, CURLOPT_PRIVATE, (char *)r);
    curl_easy_setopt(e, CURLOPT_URL, r->url);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    if (o->http1 || o->connect_only)
        curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    if (o->connect_only) {
        /* The caller speaks HTTP/1.1 itself on the connection (a WebSocket upgrade): no h2
         * offered in ALPN, and a proxy is always a CONNECT tunnel. */
        r->connect_only = true;
        curl_easy_setopt(e, CURLOPT_CONNECT_ONLY, 1L);
        curl_easy_setopt(e, CURLOPT_HTTPPROXYTUNNEL, 1L);
    }
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_curl_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_curl_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(o->timeout_ms > 0 ? o->timeout_ms
                                                                     : HTTP_TIMEOUT_MS_DEFAULT));
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                     (long)(o->connect_timeout_ms > 0 ? o->connect_timeout_ms
                                                      : HTTP_CONNECT_TIMEOUT_MS_DEFAULT));
    if (o->idle_timeout_s > 0) {
        r->idle_ms = (uint64_t)o->idle_timeout_s * 1000;
        r->last_rx_ms = uv_now(h->loop);
    }
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    /* The path goes out as the caller built it: curl would resolve "/x/../secrets/y" into
     * another object's path (the callers encode names; this keeps a slip from being one). */
    curl_easy_setopt(e, CURLOPT_PATH_AS_IS, 1L);
    if (!r->secret)
        curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, ""); /* gzip if the server offers it */
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "pxcmesh/0.1");
    if (strcmp(r->method, "GET") != 0)
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r->method);
    if (o->body) {
        r->body = xmalloc(o->body_len + 1);
        memcpy(r->body, o->body, o->body_len);
        r->body[o->body_len] = '\0';
        r->body_len = o->body_len;
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
    }
    if (o->headers)
        for (const char *const *hp = o->headers; *hp; hp++)
            r->hdrs = curl_slist_append(r->hdrs, *hp);
    r->hdrs = curl_slist_append(r->hdrs, "Expect:"); /* no 100-continue round trip */
    if (set_tls_auth(r, o->tls, err) != CURLE_OK) {
        req_free(r);
        return err ? err->code : PXE_INVAL;
    }
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->hdrs);

    r->next = h->reqs;
    if (h->reqs)
        h->reqs->prev = r;
    h->reqs = r;
    h->n_reqs++;
    if (h->in_curl) {
        r->next_add = h->to_add;
        h->to_add = r;
    } else {
        add_to_multi(r);
    }
    idle_note(r);
    if (reqp)
        *reqp = r;
    return 0;
}

static void
add_to_multi(struct http_req *r)
{
    CURLMcode mc = curl_multi_add_handle(r->h->multi, r->easy);
    if (mc != CURLM_OK) /* only on a bad handle or out of memory: a programming error */
        pxc_fatal("http: cannot start %s %s: %s", r->method, r->url, curl_multi_strerror(mc));
    r->added = true;
}

void
http_free(struct http *h)
{
    if (h == NULL)
        return;
    h->freeing = true;
    h->deferred = NULL;
    h->to_add = NULL;
    for (struct http_req *r = h->reqs; r; r = r->next)
        r->next_add = NULL;
    while (h->reqs)
        req_destroy(h->reqs);
    curl_multi_cleanup(h->multi); /* may still report sockets removed: handled above */
    h->multi = NULL;
    while (h->socks)
        sock_close(h->socks);
    uv_timer_stop(&h->timer);
    uv_close((uv_handle_t *)&h->timer, on_handle_closed);
    uv_timer_stop(&h->idle_timer);
    uv_close((uv_handle_t *)&h->idle_timer, on_handle_closed);
}

/* ------------------------------------------------------------ raw connections */

int
http_conn_socket(const struct http_req *req)
{
    curl_socket_t fd = CURL_SOCKET_BAD;
    if (!req->connected ||
        curl_easy_getinfo(req->easy, CURLINFO_ACTIVESOCKET, &fd) != CURLE_OK)
        return -1;
    return fd == CURL_SOCKET_BAD ? -1 : (int)fd;
}

int
http_conn_send(struct http_req *req, const void *buf, size_t len, size_t *sent,
               struct pxerr *err)
{
    *sent = 0;
    if (!req->connected)
        return pxerr_set(err, PXE_CONN, "%s: not connected", req->url);
    CURLcode cc = curl_easy_send(req->easy, buf, len, sent);
    if (cc == CURLE_AGAIN)
        return HTTP_AGAIN;
    if (cc != CURLE_OK)
        return pxerr_set(err, PXE_CONN, "%s: sending: %s", req->url, curl_error_words(cc));
    return 0;
}

int
http_conn_recv(struct http_req *req, void *buf, size_t len, size_t *got, struct pxerr *err)
{
    *got = 0;
    if (!req->connected)
        return pxerr_set(err, PXE_CONN, "%s: not connected", req->url);
    CURLcode cc = curl_easy_recv(req->easy, buf, len, got);
    if (cc == CURLE_AGAIN)
        return HTTP_AGAIN;
    if (cc != CURLE_OK)
        return pxerr_set(err, PXE_CONN, "%s: receiving: %s", req->url, curl_error_words(cc));
    return 0;
}

const char *
http_req_method(const struct http_req *req)
{
    return req->method;
}

const char *
http_req_url(const struct http_req *req)
{
    return req->url;
}

size_t
http_active(const struct http *h)
{
    return h->n_reqs;
}
