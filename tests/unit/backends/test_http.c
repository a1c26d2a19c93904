/* test_http: the curl-multi-on-libuv transport against a tiny HTTP/1.1 server that runs on
 * the same loop (uv_tcp, loopback, an ephemeral port). Covers a buffered GET, a chunked
 * stream delivered in pieces through on_data, a server that never answers (the deadline),
 * a refused connection, 429 with Retry-After and its Status body, a body over the cap,
 * a bearer token and basic auth reaching the server, a request body with PATCH, and
 * cancellation (no callback afterwards). Every test ends with uv_loop_close() == 0. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <uv.h>

#include "strbuf.h"
#include "xmalloc.h"
#include "kube/http.h"

/* ------------------------------------------------------------ tiny server */

struct srv {
    uv_loop_t *loop;
    uv_tcp_t tcp;
    int port;
    int n_conns;
    char last_auth[256];
    char last_method[16];
    char last_body[256];
};

struct conn {
    uv_tcp_t tcp;
    struct srv *s;
    struct strbuf in;
    uv_timer_t timer; /* paces stream chunks */
    int step;
    bool closing;
};

static void
on_conn_closed(uv_handle_t *h)
{
    struct conn *c = h->data;
    strbuf_fini(&c->in);
    free(c);
}

static void
on_timer_closed(uv_handle_t *h)
{
    struct conn *c = h->data;
    uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
}

static void
conn_close(struct conn *c)
{
    if (c->closing)
        return;
    c->closing = true;
    uv_timer_stop(&c->timer);
    uv_close((uv_handle_t *)&c->timer, on_timer_closed);
}

struct wreq {
    uv_write_t w;
    char *buf;
};

static void
on_written(uv_write_t *w, int status)
{
    struct wreq *wr = (struct wreq *)w;
    (void)status;
    free(wr->buf);
    free(wr);
}

static void
send_str(struct conn *c, const char *s)
{
    struct wreq *wr = xcalloc(1, sizeof *wr);
    wr->buf = xstrdup(s);
    uv_buf_t b = uv_buf_init(wr->buf, (unsigned)strlen(s));
    if (uv_write(&wr->w, (uv_stream_t *)&c->tcp, &b, 1, on_written) != 0) {
        free(wr->buf);
        free(wr);
    }
}

static void
send_chunk(struct conn *c, const char *data)
{
    char *s = xasprintf("%zx\r\n%s\r\n", strlen(data), data);
    send_str(c, s);
    free(s);
}

static const char *const stream_parts[] = {
    "{\"type\":\"ADDED\",\"object\":{\"n\":1}}\n{\"type\":\"MOD",
    "IFIED\",\"object\":{\"n\":2}}\n",
    "{\"type\":\"DELETED\",\"object\":{\"n\":3}}\n",
};

static void
on_stream_tick(uv_timer_t *t)
{
    struct conn *c = t->data;
    if (c->step < 3) {
        send_chunk(c, stream_parts[c->step++]);
        uv_timer_start(&c->timer, on_stream_tick, 20, 0);
    } else {
        send_str(c, "0\r\n\r\n");
    }
}

static void
respond(struct conn *c, const char *req)
{
    struct srv *s = c->s;
    char path[128] = "";
    sscanf(req, "%15s %127s", s->last_method, path);
    const char *auth = strcasestr(req, "\r\nAuthorization: ");
    s->last_auth[0] = '\0';
    if (auth) {
        auth += 17;
        size_t n = strcspn(auth, "\r");
        snprintf(s->last_auth, sizeof s->last_auth, "%.*s", (int)n, auth);
    }
    const char *body = strstr(req, "\r\n\r\n");
    snprintf(s->last_body, sizeof s->last_body, "%s", body ? body + 4 : "");
    if (strcmp(path, "/ok") == 0) {
        send_str(c, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n"
                    "hello");
    } else if (strcmp(path, "/stream") == 0) {
        send_str(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n");
        uv_timer_start(&c->timer, on_stream_tick, 10, 0);
    } else if (strcmp(path, "/slow") == 0) {
        /* never answer */
    } else if (strcmp(path, "/429") == 0) {
        const char *b = "{\"kind\":\"Status\",\"code\":429,\"message\":\"slow down\"}";
        char *r = xasprintf("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\n"
                            "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                            strlen(b), b);
        send_str(c, r);
        free(r);
    } else if (strcmp(path, "/big") == 0) {
        char *big = xmalloc(5001);
        memset(big, 'b', 5000);
        big[5000] = '\0';
        char *r = xasprintf("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n%s", big);
        send_str(c, r);
        free(r);
        free(big);
    } else {
        send_str(c, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    }
}

static void
on_alloc(uv_handle_t *h, size_t sug, uv_buf_t *b)
{
    (void)h;
    b->base = xmalloc(sug);
    b->len = sug;
}

static void
on_read(uv_stream_t *st, ssize_t n, const uv_buf_t *b)
{
    struct conn *c = st->data;
    if (n < 0) {
        free(b->base);
        conn_close(c);
        return;
    }
    strbuf_appendn(&c->in, b->base, (size_t)n);
    free(b->base);
    const char *end = strstr(c->in.s, "\r\n\r\n");
    if (end == NULL)
        return;
    /* Wait for a Content-Length body. */
    const char *cl = strcasestr(c->in.s, "\r\nContent-Length: ");
    size_t want = cl ? (size_t)atoi(cl + 18) : 0;
    if (c->in.len < (size_t)(end - c->in.s) + 4 + want)
        return;
    respond(c, c->in.s);
    strbuf_reset(&c->in);
}

static void
on_connection(uv_stream_t *server, int status)
{
    struct srv *s = server->data;
    assert_int_equal(status, 0);
    struct conn *c = xcalloc(1, sizeof *c);
    c->s = s;
    strbuf_init(&c->in);
    uv_tcp_init(s->loop, &c->tcp);
    c->tcp.data = c;
    uv_timer_init(s->loop, &c->timer);
    c->timer.data = c;
    assert_int_equal(uv_accept(server, (uv_stream_t *)&c->tcp), 0);
    s->n_conns++;
    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
}

static void
srv_start(struct srv *s, uv_loop_t *loop)
{
    memset(s, 0, sizeof *s);
    s->loop = loop;
    uv_tcp_init(loop, &s->tcp);
    s->tcp.data = s;
    struct sockaddr_in a;
    uv_ip4_addr("127.0.0.1", 0, &a);
    assert_int_equal(uv_tcp_bind(&s->tcp, (const struct sockaddr *)&a, 0), 0);
    assert_int_equal(uv_listen((uv_stream_t *)&s->tcp, 16, on_connection), 0);
    struct sockaddr_storage ss;
    int len = sizeof ss;
    uv_tcp_getsockname(&s->tcp, (struct sockaddr *)&ss, &len);
    s->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static void
close_walk(uv_handle_t *h, void *arg)
{
    (void)arg;
    /* What is left open is the server's connections: their timer closes them both. */
    if (!uv_is_closing(h) && h->type == UV_TIMER && h->data)
        conn_close(h->data);
}

/* Shut the server and http down, run the loop dry, and insist it closes cleanly. */
static void
finish(uv_loop_t *loop, struct srv *s, struct http *h)
{
    http_free(h);
    uv_close((uv_handle_t *)&s->tcp, NULL);
    uv_walk(loop, close_walk, NULL);
    uv_run(loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(loop), 0);
}

/* ------------------------------------------------------------ client side */

struct result {
    int n_done;
    int status;
    long code;
    char body[8192];
    char ctype[64];
    int retry_after_s;
    char err[256];
    struct strbuf streamed;
    int n_chunks;
    uv_loop_t *loop;
};

static void
on_done(struct http_req *req, const struct http_result *res, void *arg)
{
    struct result *r = arg;
    (void)req;
    r->n_done++;
    r->status = res->status;
    r->code = res->code;
    snprintf(r->body, sizeof r->body, "%s", res->body);
    snprintf(r->ctype, sizeof r->ctype, "%s", res->content_type);
    r->retry_after_s = res->retry_after_s;
    snprintf(r->err, sizeof r->err, "%s", res->err->msg);
}

static int
on_data(struct http_req *req, const char *data, size_t len, void *arg)
{
    struct result *r = arg;
    (void)req;
    r->n_chunks++;
    strbuf_appendn(&r->streamed, data, len);
    return 0;
}

static void
run_until_done(uv_loop_t *loop, struct result *r, int n)
{
    while (r->n_done < n)
        assert_true(uv_run(loop, UV_RUN_ONCE) != 0 || r->n_done >= n);
}

static void
start(struct http *h, struct srv *s, const char *path, struct result *r,
      struct http_req_opts extra)
{
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", s->port, path);
    extra.url = url;
    extra.on_done = on_done;
    extra.arg = r;
    struct pxerr err = {0};
    assert_int_equal(http_start(h, &extra, NULL, &err), 0);
}

static void
test_get_ok(void **state)
{
    (void)state;
    uv_loop_t loop;
    uv_loop_init(&loop);
    struct srv s;
    srv_start(&s, &loop);
    struct http *h = http_new(&loop);
    struct result r = {0};
    start(h, &s, "/ok", &r, (struct http_req_opts){0});
    run_until_done(&loop, &r, 1);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.code, 200);
    assert_string_equal(r.body, "hello");
    assert_string_equal(r.ctype, "text/plain");
    assert_int_equal(r.retry_after_s, -1);
    assert_string_equal(r.err, "");
    assert_int_equal((int)http_active(h), 0);
    finish(&loop, &s, h);
}

static void
test_stream(void **state)
{
    (void)state;
    uv_loop_t loop;
    uv_loop_init(&loop);
    struct srv s;
    srv_start(&s, &loop);
    struct http *h = http_new(&loop);
    struct result r = {0};
    strbuf_init(&r.streamed);
    start(h, &s, "/stream", &r, (struct http_req_opts){.on_data = on_data});
    run_until_done(&loop, &r, 1);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.code, 200);
    assert_string_equal(r.body, ""); /* streamed, not buffered */
    assert_true(r.n_chunks >= 2);    /* arrived in pieces, 20 ms apart */
    char want[512];
    snprintf(want, sizeof want, "%s%s%s", stream_parts[0], stream_parts[1], stream_parts[2]);
    assert_string_equal(r.streamed.s, want);
    strbuf_fini(&r.streamed);
    finish(&loop, &s, h);
}

/* Back-pressure: the reader refuses every chunk once, then resumes the transfer from a timer
 * (outside curl) and once from inside its own callback; every byte still arrives once, in
 * order. */
struct pauser {
    struct result r; /* first: start() hands &r to the callbacks, which is the pauser */
    struct http_req *req;
    uv_timer_t t;
    int n_paused;
    bool refused; /* the chunk now offered was refused once */
};

static void
on_resume_tick(uv_timer_t *t)
{
    struct pauser *p = t->data;
    http_resume(p->req);
}

static int
on_data_pausing(struct http_req *req, const char *data, size_t len, void *arg)
{
    struct pauser *p = arg;
    p->req = req;
    if (!p->refused) {
        p->refused = true;
        p->n_paused++;
        if (p->n_paused == 2)
            http_resume(req); /* from inside curl: deferred until curl returns */
        else
            uv_timer_start(&p->t, on_resume_tick, 5, 0);
        return HTTP_DATA_PAUSE;
    }
    p->refused = false;
    return on_data(req, data, len, &p->r);
}

static void
test_stream_pause(void **state)
{
    (void)state;
    uv_loop_t loop;
    uv_loop_init(&loop);
    struct srv s;
    srv_start(&s, &loop);
    struct http *h = http_new(&loop);
    struct pauser p = {0};
    strbuf_init(&p.r.streamed);
    uv_timer_init(&loop, &p.t);
    p.t.data = &p;
    start(h, &s, "/stream", &p.r, (struct http_req_opts){.on_data = on_data_pausing});
    run_until_done(&loop, &p.r, 1);
    assert_int_equal(p.r.status, 0);
    assert_true(p.n_paused >= 2);
    assert_int_equal(p.n_paused, p.r.n_chunks);
    char want[512];
    snprintf(want, sizeof want, "%s%s%s", stream_parts[0], stream_parts[1], stream_parts[2]);
    assert_string_equal(p.r.streamed.s, want);
    strbuf_fini(&p.r.streamed);
    uv_close((uv_handle_t *)&p.t, NULL);
    finish(&loop, &s, h);
}

static void
test_deadline(void **state)
{
    (void)state;
    uv_loop_t loop;
    uv_loop_init(&loop);
    struct srv s;
    srv_start(&s, &loop);
    struct http *h = http_new(&loop);
    struct result r = {0};
    uint64_t t0 = uv_now(&loop);
    start(h, &s, "/slow", &r, (struct http_req_opts){.timeout_ms = 300});
    run_until_done(&loop, &r, 1);
    uv_update_time(&loop);
    assert_int_equal(r.status, PXE_TIMEOUT);
    assert_int_equal(r.code, 0);
    assert_true(uv_now(&loop) - t0 >= 250);
    assert_true(uv_now(&loop) - t0 < 3000);
    char want[128];
    snprintf(want, sizeof want, "GET http://127.0.0.1:%d/slow: timed out", s.port);
    assert_non_null(strstr(r.err, want));
    finish(&loop, &s, h);
}

static void
test_idle_timeout(void **state)
{
    (void)state;
    uv_loop_t loop;
    uv_loop_init(&loop);
    struct srv s;
    srv_start(&s, &loop);
    struct http *h = http_new(&loop);
    struct result r = {0};
    start(h, &s, "/slow", &r, (struct http_req_opts){.idle_timeout_s = 1, .timeout_ms = 20000});
    run_until_done(&loop, &r, 1);
    assert_int_equal(r.status, PXE_TIMEOUT);
    assert_non_null(strstr(r.err, "no data from the server for 1 s"));
    finish(&loop, &s, h);
}

static void
count_iteration(uv_check_t *c)
{
    (*(int *)c->data)++;
}

static void
stop_loop(uv_timer_t *t)
{
    uv_stop(t->loop);
}

/* A request waiting within its idle limit costs no wakeups: curl's own low-speed check
 * woke the loop once a second for every such request (a console's idle watches). */
static void
test_idle_limit_sleeps(void **state)
{
    (void)state;
    uv_loop_t loop;
    uv_loop_init(&loop);
    struct srv s;
    srv_start(&s, &loop);
    struct http *h = http_new(&loop);
    struct result r = {0};
    for (int i = 0; i < 4; i++)
        start(h, &s, "/slow", &r, (struct http_req_opts){.idle_timeout_s = 30, .timeout_ms = 60000});
    uv_timer_t stop;
    uv_timer_init(&loop, &stop);
    uv_timer_start(&stop, stop_loop, 500, 0); /* connected and sent */
    uv_run(&loop, UV_RUN_DEFAULT);
    int n = 0;
    uv_check_t check;
    uv_check_init(&loop, &check);
    check.data = &n;
    uv_check_start(&check, count_iteration);
    uv_timer_start(&stop, stop_loop, 3000, 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(r.n_done, 0);
    assert_true(n <= 2); /* the stop timer's own; curl's check made it 12 or more */
    uv_check_stop(&check);
    uv_close((uv_handle_t *)&check, NULL);
    uv_close((uv_handle_t *)&stop, NULL);
    finish(&loop, &s, h);
}

static void
test_refused(void **state)
{
    (void)state;
    uv_loop_t loop;
    uv_loop_init(&loop);
    struct srv s;
    srv_start(&s, &loop);
    int port = s.port;
    struct http *h = http_new(&loop);
    /* Close the listener first, so the port refuses. */
    uv_close((uv_handle_t *)&s.tcp, NULL);
    uv_run(&loop, UV_RUN_NOWAIT);
    struct result r = {0};
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/ok", port);
    struct pxerr err;
    struct http_req_opts o = {.url = url, .on_done = on_done, .arg = &r};
    assert_int_equal(http_start(h, &o, NULL, &err), 0);
    run_until_done(&loop, &r, 1);
    assert_int_equal(r.status, PXE_CONN);
    assert_non_null(strstr(r.err, "connection refused or unreachable"));
    assert_non_null(strstr(r.err, url));
    http_free(h);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
}

static void
test_429_and_cap(void **state)
{
    (void)state;
    uv_loop_t loop;
    uv_loop_init(&loop);
    struct srv s;
    srv_start(&s, &loop);
    struct http *h = http_new(&loop);
    struct result r = {0}, big = {0};
    start(h, &s, "/429", &r, (struct http_req_opts){.on_data = on_data});
    start(h, &s, "/big", &big, (struct http_req_opts){.body_max = 1000});
    run_until_done(&loop, &r, 1);
    run_until_done(&loop, &big, 1);
    assert_int_equal(r.status, 0); /* a response is not a transport error */
    assert_int_equal(r.code, 429);
    assert_int_equal(r.retry_after_s, 7);
    assert_non_null(strstr(r.body, "slow down")); /* non-2xx is buffered even when streaming */
    assert_int_equal(big.status, PXE_HTTP);
    assert_non_null(strstr(big.err, "larger than 1000 bytes"));
    finish(&loop, &s, h);
}

static void
test_auth_and_body(void **state)
{
    (void)state;
    uv_loop_t loop;
    uv_loop_init(&loop);
    struct srv s;
    srv_start(&s, &loop);
    struct http *h = http_new(&loop);
    struct result r = {0};
    struct http_tls_auth bearer = {.bearer_token = "s3cret-token"};
    start(h, &s, "/ok", &r, (struct http_req_opts){.tls = &bearer});
    run_until_done(&loop, &r, 1);
    assert_string_equal(s.last_auth, "Bearer s3cret-token");
    struct http_tls_auth basic = {.username = "admin", .password = "pw"};
    const char *hdrs[] = {"Content-Type: application/merge-patch+json", NULL};
    const char *body = "{\"a\":1}";
    start(h, &s, "/ok", &r, (struct http_req_opts){.tls = &basic, .method = "PATCH",
                                                    .headers = hdrs, .body = body,
                                                    .body_len = strlen(body)});
    run_until_done(&loop, &r, 2);
    assert_string_equal(s.last_auth, "Basic YWRtaW46cHc=");
    assert_string_equal(s.last_method, "PATCH");
    assert_string_equal(s.last_body, body);
    /* A token with a line break would inject a header: refused before anything is sent. */
    struct http_tls_auth evil = {.bearer_token = "tok\r\nX-Injected: 1"};
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/ok", s.port);
    struct pxerr err = {0};
    struct http_req_opts o = {.url = url, .tls = &evil, .on_done = on_done, .arg = &r};
    assert_int_equal(http_start(h, &o, NULL, &err), PXE_AUTH);
    assert_non_null(strstr(err.msg, "/ok: the bearer token holds a control character (byte "
                                    "0x0d); refusing to send it"));
    assert_int_equal((int)http_active(h), 0);
    assert_int_equal(r.n_done, 2);
    finish(&loop, &s, h);
}

static void
on_stop_timer(uv_timer_t *t)
{
    uv_stop(t->loop);
}

static void
test_cancel(void **state)
{
    (void)state;
    uv_loop_t loop;
    uv_loop_init(&loop);
    struct srv s;
    srv_start(&s, &loop);
    struct http *h = http_new(&loop);
    struct result r = {0}, ok = {0};
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/slow", s.port);
    struct http_req *req = NULL;
    struct pxerr err;
    struct http_req_opts o = {.url = url, .on_done = on_done, .arg = &r, .timeout_ms = 500};
    assert_int_equal(http_start(h, &o, &req, &err), 0);
    assert_string_equal(http_req_method(req), "GET");
    assert_string_equal(http_req_url(req), url);
    start(h, &s, "/ok", &ok, (struct http_req_opts){0});
    run_until_done(&loop, &ok, 1); /* the slow one is connected by now, or close to */
    http_cancel(req);
    assert_int_equal((int)http_active(h), 0);
    /* Run past its deadline: its callback must never come. */
    uv_timer_t t;
    uv_timer_init(&loop, &t);
    t.data = NULL;
    uv_timer_start(&t, on_stop_timer, 700, 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_close((uv_handle_t *)&t, NULL);
    assert_int_equal(r.n_done, 0);
    /* Bad options are refused without a callback. */
    struct http_req_opts bad = {.on_done = on_done, .arg = &r};
    assert_int_equal(http_start(h, &bad, NULL, &err), PXE_INVAL);
    finish(&loop, &s, h);
    assert_int_equal(r.n_done, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_ok),      cmocka_unit_test(test_stream), cmocka_unit_test(test_stream_pause),
        cmocka_unit_test(test_deadline),    cmocka_unit_test(test_idle_timeout),
        cmocka_unit_test(test_idle_limit_sleeps),
        cmocka_unit_test(test_refused),     cmocka_unit_test(test_429_and_cap),
        cmocka_unit_test(test_auth_and_body), cmocka_unit_test(test_cancel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
