/* test_kube_stream: the API server's streams on a real loop against a real kubesim (started
 * here with TLS, a client certificate, bearer tokens and a pod map): the port-forward relay
 * carrying a TCP echo server's bytes both ways (the relay's stats, a second connection that
 * names the pod afresh), port-forward refusals in words (403 with the RBAC verb for a token
 * denied pods/portforward, 404, 400 not running, the dial refused on the error channel), the
 * relay keeping a failed stream's words, exec (stdout, stderr, the exit code over v5, stdin
 * closed, a missing executable, the timeout, cancellation), credentials (a 401 retried with
 * a re-read token file, a 401 in words, an exec plugin waited for and run again after its
 * revoked token's 401) and logs (tail, follow of a file
 * that grows, cancellation; the logs pane's tail: the pod's containers, the ring, a missing
 * container in words, a client freed under a following tail), and a misbehaving API server
 * on the test's own loop for the
 * faults a real one can show: a malformed frame, an EOF without a close, a close with an
 * error code, an answer that is not HTTP, a wrong Sec-WebSocket-Accept, an upgrade that
 * never comes. Every test ends with uv_loop_close() == 0: no handle leaks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <uv.h>

#include "strbuf.h"
#include "xmalloc.h"
#include "kube/http.h"
#include "kube/kcfg.h"
#include "kube/kube.h"
#include "kube/kube_exec.h"
#include "kube/kube_logs.h"
#include "kube/kube_logtail.h"
#include "kube/kube_pf.h"
#include "kube/kube_relay.h"
#include "kube/kube_wsproto.h"

extern char **environ;

#define OP_TOKEN "op-token-stream"

struct env {
    char dir[128];
    char log[256];
    char url[128];
    pid_t pid;
    struct kcfg_target *admin; /* client certificate */
    struct kcfg_target *op;    /* bearer token, denied pods/portforward */
};

static void
write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int
setup(void **state)
{
    const char *bd = getenv("PXC_BUILD_DIR");
    if (bd == NULL) {
        fprintf(stderr, "PXC_BUILD_DIR is not set (run through ctest)\n");
        return -1;
    }
    if (geteuid() != 0) {
        fprintf(stderr, "kubesim's exec needs root (a mount namespace per command)\n");
        return -1;
    }
    struct env *e = xcalloc(1, sizeof *e);
    snprintf(e->dir, sizeof e->dir, "/tmp/pxtstream.XXXXXX");
    assert_non_null(mkdtemp(e->dir));
    char p[512], seed[256], kc[256], out[256], ksim[512], listen[64], map[256], tok[256];
    snprintf(seed, sizeof seed, "%s/seed", e->dir);
    mkdir(seed, 0700);
    snprintf(p, sizeof p, "%s/pods.yaml", seed);
    write_file(p, "apiVersion: v1\nkind: Namespace\nmetadata: {name: pxc}\n---\n"
                  "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p0\n  namespace: pxc\n"
                  "  annotations: {ksim.pxcmesh.dev/pod-ip: 10.244.9.9}\n"
                  "spec: {containers: [{name: pxc, image: percona}]}\n---\n"
                  "apiVersion: v1\nkind: Pod\nmetadata: {name: pending-0, namespace: pxc}\n"
                  "spec: {containers: [{name: pxc, image: percona}]}\n"
                  "status: {phase: Pending}\n");
    snprintf(e->log, sizeof e->log, "%s/pxc.log", e->dir);
    write_file(e->log, "2026-01-01 10:00:00 0 [Note] one\n2026-01-01 10:00:01 0 [Note] two\n"
                       "2026-01-01 10:00:02 0 [Note] three\n");
    snprintf(map, sizeof map, "%s/pods.map", e->dir);
    snprintf(p, sizeof p, "pxc/p0 addr=127.0.0.1 log.pxc=%s\n", e->log);
    write_file(map, p);
    snprintf(tok, sizeof tok, "%s/tokens", e->dir);
    write_file(tok, OP_TOKEN ",operator,deny=pods/portforward\n");
    snprintf(kc, sizeof kc, "%s/kubeconfig", e->dir);
    snprintf(out, sizeof out, "%s/ksim.out", e->dir);
    snprintf(ksim, sizeof ksim, "%s/lab/kubesim", bd);
    snprintf(listen, sizeof listen, "127.%d.%d.9:0", 90 + getpid() % 100,
             (getpid() / 100) % 250 + 1);
    char state_dir[256];
    snprintf(state_dir, sizeof state_dir, "%s/state", e->dir);
    char *argv[] = {ksim, "--listen", listen, "--seed", seed, "--write-kubeconfig", kc,
                    "--context", "K", "--state-dir", state_dir, "--tokens-file", tok,
                    "--pod-map", map, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    int rc = posix_spawn(&e->pid, ksim, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return -1;
    bool up = false;
    for (int i = 0; i < 200 && !up; i++) {
        char buf[4096] = "";
        FILE *f = fopen(out, "r");
        if (f) {
            buf[fread(buf, 1, sizeof buf - 1, f)] = '\0';
            fclose(f);
        }
        up = strstr(buf, "listening on") != NULL;
        if (!up)
            usleep(50000);
    }
    if (!up) {
        fprintf(stderr, "kubesim did not start (see %s)\n", out);
        return -1;
    }
    struct kcfg *k = NULL;
    struct pxerr err = {0};
    if (kcfg_load(kc, &k, &err) < 0 || kcfg_resolve(k, "K", &e->admin, &err) < 0 ||
        kcfg_resolve(k, "K", &e->op, &err) < 0) {
        fprintf(stderr, "kubeconfig: %s\n", err.msg);
        return -1;
    }
    kcfg_free(k);
    snprintf(e->url, sizeof e->url, "%s", e->admin->server);
    /* The same server as a user with a token instead of the certificate. */
    free(e->op->client_cert_pem);
    xfree_secret(e->op->client_key_pem);
    e->op->client_cert_pem = e->op->client_key_pem = NULL;
    e->op->client_cert_len = e->op->client_key_len = 0;
    free(e->op->user_name);
    e->op->user_name = xstrdup("operator");
    e->op->token = xstrdup(OP_TOKEN);
    *state = e;
    return 0;
}

static int
teardown(void **state)
{
    struct env *e = *state;
    if (e == NULL)
        return 0;
    kill(e->pid, SIGTERM);
    waitpid(e->pid, NULL, 0);
    kcfg_target_free(e->admin);
    kcfg_target_free(e->op);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", e->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", e->dir);
    free(e);
    return 0;
}

/* ---- a client on a private loop ---- */

struct rig {
    uv_loop_t loop;
    struct http *h;
    struct kube_client *kc;
    uv_timer_t deadline;
    bool late;
};

static void
on_deadline(uv_timer_t *t)
{
    ((struct rig *)t->data)->late = true;
}

static void
rig_start(struct rig *g, const struct kcfg_target *t)
{
    memset(g, 0, sizeof *g);
    uv_loop_init(&g->loop);
    g->h = http_new(&g->loop);
    struct kube_client_opts o = {.name = "K", .target = t, .mode = KUBE_MODE_DISCOVER,
                                 .request_timeout_ms = 10000};
    struct pxerr err = {0};
    assert_int_equal(kube_client_new(&g->loop, g->h, NULL, &o, &g->kc, &err), 0);
    uv_timer_init(&g->loop, &g->deadline);
    g->deadline.data = g;
}

/* Run until *flag, failing after timeout_ms. */
static void
run_until(struct rig *g, const bool *flag, int timeout_ms)
{
    g->late = false;
    uv_timer_start(&g->deadline, on_deadline, (uint64_t)timeout_ms, 0);
    while (!*flag && !g->late)
        uv_run(&g->loop, UV_RUN_ONCE);
    uv_timer_stop(&g->deadline);
    assert_true(*flag);
}

static void
rig_stop(struct rig *g)
{
    kube_client_free(g->kc);
    http_free(g->h);
    uv_close((uv_handle_t *)&g->deadline, NULL);
    uv_run(&g->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&g->loop), 0);
}

/* ---- a TCP echo server on the same loop: the pod's port ---- */

struct echo {
    uv_tcp_t srv;
    int port;
    int n_conns;
    uv_tcp_t *conns[8]; /* open ones, NULL once closed */
};

static void
echo_closed(uv_handle_t *h)
{
    struct echo *e = h->loop->data;
    for (int i = 0; e != NULL && i < 8; i++)
        if (e->conns[i] == (uv_tcp_t *)h)
            e->conns[i] = NULL;
    free(h);
}

static void
echo_alloc(uv_handle_t *h, size_t sz, uv_buf_t *b)
{
    (void)h;
    b->base = xmalloc(sz);
    b->len = sz;
}

static void
echo_written(uv_write_t *w, int status)
{
    (void)status;
    free(w->data);
    free(w);
}

static void
echo_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
    if (n > 0) {
        uv_write_t *w = xcalloc(1, sizeof *w);
        w->data = b->base;
        uv_buf_t out = uv_buf_init(b->base, (unsigned)n);
        uv_write(w, s, &out, 1, echo_written);
        return;
    }
    free(b->base);
    if (n < 0)
        uv_close((uv_handle_t *)s, echo_closed);
}

static void
echo_accept(uv_stream_t *srv, int status)
{
    struct echo *e = srv->data;
    assert_int_equal(status, 0);
    uv_tcp_t *c = xcalloc(1, sizeof *c);
    uv_tcp_init(srv->loop, c);
    assert_int_equal(uv_accept(srv, (uv_stream_t *)c), 0);
    if (e->n_conns < 8)
        e->conns[e->n_conns] = c;
    e->n_conns++;
    uv_read_start((uv_stream_t *)c, echo_alloc, echo_read);
}

static void
echo_start(struct echo *e, uv_loop_t *loop)
{
    memset(e, 0, sizeof *e);
    loop->data = e; /* for echo_closed */
    uv_tcp_init(loop, &e->srv);
    e->srv.data = e;
    struct sockaddr_in sa;
    uv_ip4_addr("127.0.0.1", 0, &sa);
    assert_int_equal(uv_tcp_bind(&e->srv, (struct sockaddr *)&sa, 0), 0);
    assert_int_equal(uv_listen((uv_stream_t *)&e->srv, 8, echo_accept), 0);
    struct sockaddr_storage ss;
    int len = sizeof ss;
    uv_tcp_getsockname(&e->srv, (struct sockaddr *)&ss, &len);
    e->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

/* ---- a client of the relay ---- */

struct client {
    uv_tcp_t tcp;
    uv_connect_t conn;
    struct strbuf got;
    size_t want;
    bool eof, done;
    int err;
};

static void
cl_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
    struct client *c = s->data;
    if (n > 0)
        strbuf_appendn(&c->got, b->base, (size_t)n);
    free(b->base);
    if (n < 0) {
        c->eof = true;
        c->err = (int)n;
    }
    if (c->eof || (c->want && c->got.len >= c->want))
        c->done = true;
}

static void
cl_written(uv_write_t *w, int status)
{
    (void)status;
    free(w);
}

static void
cl_connected(uv_connect_t *req, int status)
{
    struct client *c = req->data;
    assert_int_equal(status, 0);
    uv_read_start((uv_stream_t *)&c->tcp, echo_alloc, cl_read);
}

static void
cl_start(struct client *c, uv_loop_t *loop, int port)
{
    memset(c, 0, sizeof *c);
    strbuf_init(&c->got);
    uv_tcp_init(loop, &c->tcp);
    c->tcp.data = c;
    c->conn.data = c;
    struct sockaddr_in sa;
    uv_ip4_addr("127.0.0.1", port, &sa);
    assert_int_equal(uv_tcp_connect(&c->conn, &c->tcp, (struct sockaddr *)&sa, cl_connected), 0);
}

static void
cl_send(struct client *c, const char *data, size_t n)
{
    uv_write_t *w = xcalloc(1, sizeof *w);
    uv_buf_t b = uv_buf_init((char *)data, (unsigned)n);
    assert_int_equal(uv_write(w, (uv_stream_t *)&c->tcp, &b, 1, cl_written), 0);
}

static void
cl_close(struct client *c)
{
    uv_close((uv_handle_t *)&c->tcp, NULL);
}

/* ---- port-forward ---- */

static void
test_relay_echo(void **state)
{
    struct env *e = *state;
    struct rig g;
    rig_start(&g, e->admin);
    struct echo echo;
    echo_start(&echo, &g.loop);
    struct kube_relay *r = NULL;
    struct pxerr err = {0};
    struct kube_relay_opts ro = {.ns = "pxc", .pod = "p0", .port = echo.port};
    assert_int_equal(kube_relay_start(g.kc, &ro, &r, &err), 0);
    assert_true(kube_relay_port(r) > 0);

    /* 64 KB and more both ways through the stream (several messages each way). */
    static char data[200000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (char)('a' + i % 26);
    struct client c;
    cl_start(&c, &g.loop, kube_relay_port(r));
    c.want = sizeof data;
    cl_send(&c, data, sizeof data);
    run_until(&g, &c.done, 30000);
    assert_int_equal(c.got.len, sizeof data);
    assert_memory_equal(c.got.s, data, sizeof data);
    struct kube_relay_stats st;
    kube_relay_stats(r, &st);
    assert_int_equal(st.n_accepted, 1);
    assert_int_equal(st.n_open, 1);
    assert_int_equal(st.bytes_to_pod, sizeof data);
    assert_int_equal(st.bytes_from_pod, sizeof data);
    assert_string_equal(kube_relay_error(r, NULL), "");
    cl_close(&c);
    strbuf_fini(&c.got);

    /* A second connection is a second stream, named afresh. */
    struct client c2;
    cl_start(&c2, &g.loop, kube_relay_port(r));
    c2.want = 5;
    cl_send(&c2, "again", 5);
    run_until(&g, &c2.done, 10000);
    assert_memory_equal(c2.got.s, "again", 5);
    cl_close(&c2);
    strbuf_fini(&c2.got);
    bool closed = false;
    for (int i = 0; i < 200 && !closed; i++) { /* the client's close ends its stream */
        uv_run(&g.loop, UV_RUN_NOWAIT);
        kube_relay_stats(r, &st);
        closed = st.n_open == 0;
        if (!closed)
            usleep(10000);
    }
    assert_true(closed);
    assert_int_equal(echo.n_conns, 2);
    kube_relay_free(r);
    uv_close((uv_handle_t *)&echo.srv, NULL);
    rig_stop(&g);
}

struct pfres {
    bool done;
    int status;
    char err[256];
};

static void
pf_data(struct kube_pf *pf, const uint8_t *d, size_t n, void *arg)
{
    (void)pf;
    (void)d;
    (void)n;
    (void)arg;
}

static void
pf_end(struct kube_pf *pf, int status, const struct pxerr *err, void *arg)
{
    struct pfres *r = arg;
    (void)pf;
    r->done = true;
    r->status = status;
    snprintf(r->err, sizeof r->err, "%s", err->msg);
}

static void
pf_expect(struct rig *g, const char *pod, int port, int status, const char *want)
{
    struct pfres res = {0};
    struct kube_pf_opts o = {.ns = "pxc", .pod = pod, .port = port, .on_data = pf_data,
                             .on_end = pf_end, .arg = &res};
    struct pxerr err = {0};
    assert_int_equal(kube_pf_open(g->kc, &o, NULL, &err), 0);
    run_until(g, &res.done, 15000);
    if (res.status != status || strstr(res.err, want) == NULL)
        fail_msg("%s:%d: status %d: %s (want %d: %s)", pod, port, res.status, res.err, status,
                 want);
}

static void
test_pf_refusals(void **state)
{
    struct env *e = *state;
    struct rig g;
    rig_start(&g, e->admin);
    pf_expect(&g, "nothere", 3306, PXE_NOTFOUND, "pod pxc/nothere is gone (404 from https://");
    pf_expect(&g, "pending-0", 3306, PXE_HTTP,
              "(400 from https://127.");
    pf_expect(&g, "pending-0", 3306, PXE_HTTP, "pod pending-0 is not running (phase Pending)");
    /* Nothing listens on port 1 of 127.0.0.1: the kubelet's dial error on the error
     * channel, then a normal close; the connection failed all the same. */
    pf_expect(&g, "p0", 1, PXE_CONN,
              "port-forward to pod pxc/p0 port 1 failed (the pod's side): dial tcp4 "
              "127.0.0.1:1: connect: connection refused");
    rig_stop(&g);

    rig_start(&g, e->op);
    pf_expect(&g, "p0", 3306, PXE_FORBIDDEN,
              "forbidden: cannot create pods/portforward in namespace pxc (the RBAC verb "
              "'create' on 'pods/portforward' is needed)");
    rig_stop(&g);
}

struct relerr {
    int n;
    int code;
    char msg[256];
};

static void
on_relay_error(struct kube_relay *r, int code, const char *msg, void *arg)
{
    struct relerr *x = arg;
    (void)r;
    x->n++;
    x->code = code;
    snprintf(x->msg, sizeof x->msg, "%s", msg);
}

static void
test_relay_keeps_the_refusal(void **state)
{
    struct env *e = *state;
    struct rig g;
    rig_start(&g, e->op);
    struct relerr x = {0};
    struct kube_relay *r = NULL;
    struct pxerr err = {0};
    struct kube_relay_opts ro = {.ns = "pxc", .pod = "p0", .port = 3306,
                                 .on_error = on_relay_error, .arg = &x};
    assert_int_equal(kube_relay_start(g.kc, &ro, &r, &err), 0);
    struct client c;
    cl_start(&c, &g.loop, kube_relay_port(r));
    run_until(&g, &c.done, 15000); /* the relay closes the client's connection */
    assert_int_equal(c.got.len, 0);
    assert_int_equal(x.n, 1);
    assert_int_equal(x.code, PXE_FORBIDDEN);
    int code = 0;
    assert_non_null(strstr(kube_relay_error(r, &code), "the RBAC verb 'create' on "
                                                        "'pods/portforward' is needed"));
    assert_int_equal(code, PXE_FORBIDDEN);
    struct kube_relay_stats st;
    kube_relay_stats(r, &st);
    assert_int_equal(st.n_failed, 1);
    cl_close(&c);
    strbuf_fini(&c.got);
    /* Freed with a client still connecting: nothing leaks, no callback. */
    struct client c2;
    cl_start(&c2, &g.loop, kube_relay_port(r));
    for (int i = 0; i < 5; i++)
        uv_run(&g.loop, UV_RUN_NOWAIT);
    kube_relay_free(r);
    cl_close(&c2);
    strbuf_fini(&c2.got);
    rig_stop(&g);
}

/* ---- a misbehaving API server on the test's loop ---- */

enum fake_mode { FAKE_BAD_FRAME, FAKE_EOF, FAKE_CLOSE_1011, FAKE_NOT_HTTP, FAKE_BAD_ACCEPT,
                 FAKE_HANG, FAKE_BIG, FAKE_EXEC_V4 };

struct fake {
    uv_tcp_t srv;
    int port;
    enum fake_mode mode;
    uv_tcp_t *conn;
    struct strbuf req;
};

static void
fake_written(uv_write_t *w, int status)
{
    (void)status;
    free(w->data);
    free(w);
}

static void
fake_send(uv_tcp_t *c, const void *data, size_t n)
{
    uv_write_t *w = xcalloc(1, sizeof *w);
    w->data = xmalloc(n);
    memcpy(w->data, data, n);
    uv_buf_t b = uv_buf_init(w->data, (unsigned)n);
    assert_int_equal(uv_write(w, (uv_stream_t *)c, &b, 1, fake_written), 0);
}

static void
fake_answer(struct fake *f)
{
    const char *k = strstr(f->req.s, "Sec-WebSocket-Key: ");
    assert_non_null(k);
    char key[KUBE_WS_KEY_LEN + 1];
    snprintf(key, sizeof key, "%.*s", KUBE_WS_KEY_LEN, k + 19);
    char acc[KUBE_WS_ACCEPT_LEN + 1];
    kube_wsproto_accept(key, acc);
    if (f->mode == FAKE_HANG)
        return;
    if (f->mode == FAKE_NOT_HTTP) {
        fake_send(f->conn, "SSH-2.0-x\r\n\r\n", strlen("SSH-2.0-x\r\n\r\n"));
        return;
    }
    char head[256];
    snprintf(head, sizeof head,
             "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Accept: %s\r\nSec-WebSocket-Protocol: v4.channel.k8s.io\r\n\r\n",
             f->mode == FAKE_BAD_ACCEPT ? "AAAAAAAAAAAAAAAAAAAAAAAAAAA=" : acc);
    fake_send(f->conn, head, strlen(head));
    if (f->mode == FAKE_EXEC_V4) {
        /* An API server that serves exec over v4 only: stdout, then the status, then close. */
        static const char st[] =
            "{\"metadata\":{},\"status\":\"Failure\",\"reason\":\"NonZeroExitCode\","
            "\"details\":{\"causes\":[{\"reason\":\"ExitCode\",\"message\":\"5\"}]}}";
        uint8_t m[256] = {0x82, 3, 1, 'h', 'i', 0x82, (uint8_t)(sizeof st), 3};
        memcpy(m + 8, st, sizeof st - 1);
        m[8 + sizeof st - 1] = 0x88;
        m[8 + sizeof st] = 2;
        m[8 + sizeof st + 1] = 0x03;
        m[8 + sizeof st + 2] = 0xe8;
        fake_send(f->conn, m, 8 + sizeof st + 3);
        return;
    }
    static const uint8_t ports[] = {0x82, 3, 0, 0xea, 0x0c, 0x82, 3, 1, 0xea, 0x0c};
    fake_send(f->conn, ports, sizeof ports);
    switch (f->mode) {
    case FAKE_BAD_FRAME: { /* RSV bits set without an extension: a protocol error */
        static const uint8_t bad[] = {0xf2, 0x01, 0x00};
        fake_send(f->conn, bad, sizeof bad);
        break;
    }
    case FAKE_EOF:
        uv_close((uv_handle_t *)f->conn, (uv_close_cb)free);
        f->conn = NULL;
        break;
    case FAKE_CLOSE_1011: {
        static const uint8_t cl[] = {0x88, 6, 0x03, 0xf3, 'b', 'o', 'o', 'm'};
        fake_send(f->conn, cl, sizeof cl);
        break;
    }
    case FAKE_BIG: { /* announces 32 MiB: over the 16 MiB limit */
        static const uint8_t big[] = {0x82, 127, 0, 0, 0, 0, 2, 0, 0, 0, 0};
        fake_send(f->conn, big, sizeof big);
        break;
    }
    default:
        break;
    }
}

static void
fake_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
    struct fake *f = s->data;
    bool had = strstr(f->req.s ? f->req.s : "", "\r\n\r\n") != NULL;
    if (n > 0)
        strbuf_appendn(&f->req, b->base, (size_t)n);
    free(b->base);
    if (n < 0) {
        uv_close((uv_handle_t *)s, (uv_close_cb)free);
        if (f->conn == (uv_tcp_t *)s)
            f->conn = NULL;
        return;
    }
    if (!had && strstr(f->req.s, "\r\n\r\n") != NULL)
        fake_answer(f);
}

static void
fake_accept(uv_stream_t *srv, int status)
{
    struct fake *f = srv->data;
    assert_int_equal(status, 0);
    uv_tcp_t *c = xcalloc(1, sizeof *c);
    uv_tcp_init(srv->loop, c);
    c->data = f;
    assert_int_equal(uv_accept(srv, (uv_stream_t *)c), 0);
    f->conn = c;
    strbuf_reset(&f->req);
    uv_read_start((uv_stream_t *)c, echo_alloc, fake_read);
}

static void
test_faulty_server(void **state)
{
    (void)state;
    static const struct {
        enum fake_mode mode;
        int status;
        const char *want;
    } cases[] = {
        {FAKE_BAD_FRAME, PXE_PARSE,
         "the API server sent a malformed WebSocket frame (pods/portforward of pod pxc/p0); the "
         "stream was closed with 1002"},
        {FAKE_EOF, PXE_CONN,
         "the API server closed the connection without ending the stream (pods/portforward of "
         "pod pxc/p0): did it restart?"},
        {FAKE_CLOSE_1011, PXE_CONN,
         "the API server closed the stream with code 1011: boom (pods/portforward of pod pxc/p0)"},
        {FAKE_NOT_HTTP, PXE_HTTP, "the answer is not HTTP (it starts with \"SSH-2.0-x"},
        {FAKE_BAD_ACCEPT, PXE_HTTP, "wrong Sec-WebSocket-Accept \"AAAAAAAAAAAAAAAAAAAAAAAAAAA=\""},
        {FAKE_HANG, PXE_TIMEOUT,
         "timed out after 400 ms waiting for the API server to open pods/portforward of pod "
         "pxc/p0 (no answer to the upgrade)"},
        {FAKE_BIG, PXE_PARSE, "the API server sent a message over 16777216 bytes"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct rig g;
        memset(&g, 0, sizeof g);
        uv_loop_init(&g.loop);
        g.h = http_new(&g.loop);
        uv_timer_init(&g.loop, &g.deadline);
        g.deadline.data = &g;
        struct fake f = {.mode = cases[i].mode};
        strbuf_init(&f.req);
        uv_tcp_init(&g.loop, &f.srv);
        f.srv.data = &f;
        struct sockaddr_in sa;
        uv_ip4_addr("127.0.0.1", 0, &sa);
        assert_int_equal(uv_tcp_bind(&f.srv, (struct sockaddr *)&sa, 0), 0);
        assert_int_equal(uv_listen((uv_stream_t *)&f.srv, 8, fake_accept), 0);
        struct sockaddr_storage ss;
        int len = sizeof ss;
        uv_tcp_getsockname(&f.srv, (struct sockaddr *)&ss, &len);
        char url[64];
        snprintf(url, sizeof url, "http://127.0.0.1:%d", ntohs(((struct sockaddr_in *)&ss)->sin_port));
        struct kcfg_target t = {.context = "F", .server = url};
        struct kube_client_opts o = {.name = "F", .target = &t, .mode = KUBE_MODE_DISCOVER,
                                     .request_timeout_ms = 400};
        struct pxerr err = {0};
        assert_int_equal(kube_client_new(&g.loop, g.h, NULL, &o, &g.kc, &err), 0);
        struct pfres res = {0};
        struct kube_pf_opts po = {.ns = "pxc", .pod = "p0", .port = 3306, .on_data = pf_data,
                                  .on_end = pf_end, .arg = &res};
        assert_int_equal(kube_pf_open(g.kc, &po, NULL, &err), 0);
        run_until(&g, &res.done, 5000);
        if (res.status != cases[i].status || strstr(res.err, cases[i].want) == NULL)
            fail_msg("case %zu: status %d: %s", i, res.status, res.err);
        if (cases[i].mode == FAKE_HANG) {
            /* Through a relay: the client gives up first (as a MySQL client's connect
             * timeout does), and the relay says why it got nothing. */
            struct relerr x = {0};
            struct kube_relay *r = NULL;
            struct kube_relay_opts ro = {.ns = "pxc", .pod = "p0", .port = 3306,
                                         .open_timeout_ms = 60000,
                                         .on_error = on_relay_error, .arg = &x};
            assert_int_equal(kube_relay_start(g.kc, &ro, &r, &err), 0);
            struct client c;
            cl_start(&c, &g.loop, kube_relay_port(r));
            for (int k = 0; k < 30; k++)
                uv_run(&g.loop, UV_RUN_NOWAIT), usleep(5000);
            cl_close(&c);
            for (int k = 0; k < 30 && x.n == 0; k++)
                uv_run(&g.loop, UV_RUN_NOWAIT), usleep(5000);
            assert_int_equal(x.n, 1);
            assert_int_equal(x.code, PXE_TIMEOUT);
            assert_non_null(strstr(x.msg, "no answer from the API server for pods/portforward "
                                          "of pod pxc/p0 within "));
            assert_non_null(strstr(x.msg, "(the client gave up): is the API server hung"));
            strbuf_fini(&c.got);
            kube_relay_free(r);
        }
        if (f.conn != NULL)
            uv_close((uv_handle_t *)f.conn, (uv_close_cb)free);
        uv_close((uv_handle_t *)&f.srv, NULL);
        rig_stop(&g);
        strbuf_fini(&f.req);
    }
}

/* ---- exec ---- */

struct exres {
    bool done;
    int status, code;
    struct strbuf out, errs;
    char err[512];
};

static void
ex_out(struct kube_exec *ex, const char *d, size_t n, void *arg)
{
    (void)ex;
    strbuf_appendn(&((struct exres *)arg)->out, d, n);
}

static void
ex_err(struct kube_exec *ex, const char *d, size_t n, void *arg)
{
    (void)ex;
    strbuf_appendn(&((struct exres *)arg)->errs, d, n);
}

static void
ex_exit(struct kube_exec *ex, int status, int code, const struct pxerr *err, void *arg)
{
    struct exres *r = arg;
    (void)ex;
    r->done = true;
    r->status = status;
    r->code = code;
    snprintf(r->err, sizeof r->err, "%s", err->msg);
}

static void
ex_run(struct rig *g, const char *const *argv, const char *in, int timeout_ms, struct exres *r)
{
    memset(r, 0, sizeof *r);
    strbuf_init(&r->out);
    strbuf_init(&r->errs);
    struct kube_exec_opts o = {.ns = "pxc", .pod = "p0", .container = "pxc", .argv = argv,
                               .stdin_data = in, .stdin_len = in ? strlen(in) : 0,
                               .timeout_ms = timeout_ms, .on_stdout = ex_out,
                               .on_stderr = ex_err, .on_exit = ex_exit, .arg = r};
    struct pxerr err = {0};
    struct kube_exec *ex = NULL;
    assert_int_equal(kube_exec_start(g->kc, &o, &ex, &err), 0);
    run_until(g, &r->done, 20000);
}

static void
ex_fini(struct exres *r)
{
    strbuf_fini(&r->out);
    strbuf_fini(&r->errs);
}

static void
test_exec(void **state)
{
    struct env *e = *state;
    struct rig g;
    rig_start(&g, e->admin);
    struct exres r;
    static const char *const sh[] = {"sh", "-c", "echo out; echo err >&2; exit 3", NULL};
    ex_run(&g, sh, NULL, 0, &r);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.code, 3);
    assert_string_equal(r.out.s, "out\n");
    assert_string_equal(r.errs.s, "err\n");
    ex_fini(&r);

    static const char *const cat[] = {"cat", NULL};
    ex_run(&g, cat, "from stdin", 0, &r); /* ends only if stdin was closed (v5) */
    assert_int_equal(r.status, 0);
    assert_int_equal(r.code, 0);
    assert_string_equal(r.out.s, "from stdin");
    ex_fini(&r);

    static const char *const dig[] = {"dig", "x", NULL};
    ex_run(&g, dig, NULL, 0, &r);
    assert_int_equal(r.status, PXE_HTTP);
    assert_int_equal(r.code, -1);
    assert_non_null(strstr(r.err, "exec of 'dig x' in pod pxc/p0 container pxc failed: exec: "
                                  "\"dig\": executable file not found in $PATH"));
    ex_fini(&r);

    static const char *const slow[] = {"sleep", "5", NULL};
    ex_run(&g, slow, NULL, 500, &r);
    assert_int_equal(r.status, PXE_TIMEOUT);
    assert_string_equal(r.err, "exec of 'sleep 5' in pod pxc/p0 timed out after 500 ms");
    ex_fini(&r);

    /* Cancelled before the answer: no callback, nothing left. */
    struct exres never;
    memset(&never, 0, sizeof never);
    struct kube_exec_opts o = {.ns = "pxc", .pod = "p0", .container = "pxc", .argv = sh,
                               .on_exit = ex_exit, .arg = &never};
    struct kube_exec *ex = NULL;
    struct pxerr err = {0};
    assert_int_equal(kube_exec_start(g.kc, &o, &ex, &err), 0);
    uv_run(&g.loop, UV_RUN_NOWAIT);
    kube_exec_cancel(ex);
    for (int i = 0; i < 20; i++)
        uv_run(&g.loop, UV_RUN_NOWAIT);
    assert_false(never.done);
    rig_stop(&g);

    rig_start(&g, e->op); /* the operator may exec (only port-forward is denied) */
    ex_run(&g, sh, NULL, 0, &r);
    assert_int_equal(r.code, 3);
    ex_fini(&r);
    rig_stop(&g);
}

/* An API server that chose v4.channel.k8s.io for exec: the same outcome, read from v4's
 * status channel. */
static void
test_exec_v4(void **state)
{
    (void)state;
    struct rig g;
    memset(&g, 0, sizeof g);
    uv_loop_init(&g.loop);
    g.h = http_new(&g.loop);
    uv_timer_init(&g.loop, &g.deadline);
    g.deadline.data = &g;
    struct fake f = {.mode = FAKE_EXEC_V4};
    strbuf_init(&f.req);
    uv_tcp_init(&g.loop, &f.srv);
    f.srv.data = &f;
    struct sockaddr_in sa;
    uv_ip4_addr("127.0.0.1", 0, &sa);
    assert_int_equal(uv_tcp_bind(&f.srv, (struct sockaddr *)&sa, 0), 0);
    assert_int_equal(uv_listen((uv_stream_t *)&f.srv, 8, fake_accept), 0);
    struct sockaddr_storage ss;
    int len = sizeof ss;
    uv_tcp_getsockname(&f.srv, (struct sockaddr *)&ss, &len);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", ntohs(((struct sockaddr_in *)&ss)->sin_port));
    struct kcfg_target t = {.context = "F", .server = url};
    struct kube_client_opts o = {.name = "F", .target = &t, .mode = KUBE_MODE_DISCOVER,
                                 .request_timeout_ms = 2000};
    struct pxerr err = {0};
    assert_int_equal(kube_client_new(&g.loop, g.h, NULL, &o, &g.kc, &err), 0);
    static const char *const argv[] = {"true", NULL};
    struct exres r;
    memset(&r, 0, sizeof r);
    strbuf_init(&r.out);
    strbuf_init(&r.errs);
    struct kube_exec_opts eo = {.ns = "pxc", .pod = "p0", .argv = argv, .on_stdout = ex_out,
                                .on_stderr = ex_err, .on_exit = ex_exit, .arg = &r};
    struct kube_exec *ex = NULL;
    assert_int_equal(kube_exec_start(g.kc, &eo, &ex, &err), 0);
    run_until(&g, &r.done, 5000);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.code, 5);
    assert_string_equal(r.out.s, "hi");
    /* The request offered v5 first, then v4. */
    assert_non_null(strstr(f.req.s, "Sec-WebSocket-Protocol: v5.channel.k8s.io, "
                                    "v4.channel.k8s.io\r\n"));
    assert_non_null(strstr(f.req.s, "GET /api/v1/namespaces/pxc/pods/p0/exec?command=true&"
                                    "stdin=false&stdout=true&stderr=true&tty=false HTTP/1.1"));
    ex_fini(&r);
    if (f.conn != NULL)
        uv_close((uv_handle_t *)f.conn, (uv_close_cb)free);
    uv_close((uv_handle_t *)&f.srv, NULL);
    rig_stop(&g);
    strbuf_fini(&f.req);
}

static void
close_walk(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

/* The console's way out: the clients are freed while streams are open, then every handle
 * the loop still has is closed with no callback of its owner (uv_walk), then the loop runs
 * out. Every stream's handles must already be closing with its own callbacks by then (or
 * its memory would leak and a later close of them would assert). */
static void
test_shutdown_walk(void **state)
{
    struct env *e = *state;
    struct rig g;
    rig_start(&g, e->admin);
    struct echo echo;
    echo_start(&echo, &g.loop);
    struct kube_relay *r = NULL;
    struct pxerr err = {0};
    struct kube_relay_opts ro = {.ns = "pxc", .pod = "p0", .port = echo.port};
    assert_int_equal(kube_relay_start(g.kc, &ro, &r, &err), 0);
    struct client c;
    cl_start(&c, &g.loop, kube_relay_port(r));
    c.want = 4;
    cl_send(&c, "ping", 4);
    run_until(&g, &c.done, 10000); /* a stream is open and carrying bytes */
    static const char *const slow[] = {"sleep", "5", NULL};
    struct exres x;
    memset(&x, 0, sizeof x);
    struct kube_exec_opts eo = {.ns = "pxc", .pod = "p0", .container = "pxc", .argv = slow,
                                .on_exit = ex_exit, .arg = &x};
    assert_int_equal(kube_exec_start(g.kc, &eo, NULL, &err), 0);
    for (int i = 0; i < 50; i++) /* the exec upgraded too */
        uv_run(&g.loop, UV_RUN_NOWAIT), usleep(10000);
    kube_relay_free(r);
    kube_client_free(g.kc);
    http_free(g.h);
    cl_close(&c);
    strbuf_fini(&c.got);
    for (int i = 0; i < 8; i++) /* the test's own handles, with their own callbacks */
        if (echo.conns[i] != NULL && !uv_is_closing((uv_handle_t *)echo.conns[i]))
            uv_close((uv_handle_t *)echo.conns[i], echo_closed);
    uv_close((uv_handle_t *)&echo.srv, NULL);
    uv_walk(&g.loop, close_walk, NULL);
    uv_run(&g.loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&g.loop), 0);
    assert_false(x.done); /* no callback after the client went */
}

/* ---- credentials: the upgrade is authenticated as every other request ---- */

static void
test_credentials(void **state)
{
    struct env *e = *state;
    static const char *const sh[] = {"sh", "-c", "exit 3", NULL};
    struct exres r;
    struct rig g;

    /* A rotated token: the 401 re-reads the token file and the upgrade is tried once more. */
    char tf[256];
    snprintf(tf, sizeof tf, "%s/token", e->dir);
    write_file(tf, OP_TOKEN "\n");
    free(e->op->token);
    e->op->token = xstrdup("revoked-token");
    e->op->token_file = xstrdup(tf);
    rig_start(&g, e->op);
    ex_run(&g, sh, NULL, 0, &r);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.code, 3);
    ex_fini(&r);
    rig_stop(&g);

    /* No token file to renew from: the 401 in words. */
    free(e->op->token_file);
    e->op->token_file = NULL;
    free(e->op->token);
    e->op->token = xstrdup("revoked-token");
    rig_start(&g, e->op);
    ex_run(&g, sh, NULL, 0, &r);
    assert_int_equal(r.status, PXE_AUTH);
    if (strstr(r.err, "unauthorized: cannot create pods/exec in namespace pxc (401 from "
                      "https://") == NULL || strstr(r.err, "user 'operator'") == NULL)
        fail_msg("401: %s", r.err);
    ex_fini(&r);
    rig_stop(&g);
    free(e->op->token);
    e->op->token = xstrdup(OP_TOKEN);

    /* An exec credential plugin whose first token is revoked: the stream waits for the
     * plugin, gets a 401, drops the credential, waits for the plugin again, and runs. */
    char plugin[256], calls[256], kc[256];
    snprintf(plugin, sizeof plugin, "%s/plugin.sh", e->dir);
    snprintf(calls, sizeof calls, "%s/plugin.calls", e->dir);
    char text[1024];
    snprintf(text, sizeof text,
             "#!/bin/sh\necho x >>%s\ntok=revoked\n[ \"$(wc -l <%s)\" -ge 2 ] && tok=%s\n"
             "printf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":"
             "\"ExecCredential\",\"status\":{\"token\":\"%%s\"}}\\n' \"$tok\"\n",
             calls, calls, OP_TOKEN);
    write_file(plugin, text);
    chmod(plugin, 0700);
    snprintf(kc, sizeof kc, "%s/kc-plugin", e->dir);
    snprintf(text, sizeof text,
             "apiVersion: v1\nkind: Config\nclusters:\n- name: K\n  cluster:\n"
             "    server: %s\n    certificate-authority: %s/state/ca.crt\n"
             "users:\n- name: P\n  user:\n    exec:\n"
             "      apiVersion: client.authentication.k8s.io/v1\n      command: %s\n"
             "      interactiveMode: Never\n"
             "contexts:\n- name: P\n  context: {cluster: K, user: P}\ncurrent-context: P\n",
             e->url, e->dir, plugin);
    write_file(kc, text);
    struct kcfg *k = NULL;
    struct kcfg_target *t = NULL;
    struct pxerr err = {0};
    if (kcfg_load(kc, &k, &err) < 0 || kcfg_resolve(k, "P", &t, &err) < 0)
        fail_msg("kubeconfig with a plugin: %s", err.msg);
    kcfg_free(k);
    memset(&g, 0, sizeof g);
    uv_loop_init(&g.loop);
    g.h = http_new(&g.loop);
    struct kcfg_cred_cache *creds = kcfg_cred_cache_new(&g.loop);
    struct kube_client_opts o = {.name = "K", .target = t, .mode = KUBE_MODE_DISCOVER,
                                 .request_timeout_ms = 10000};
    assert_int_equal(kube_client_new(&g.loop, g.h, creds, &o, &g.kc, &err), 0);
    uv_timer_init(&g.loop, &g.deadline);
    g.deadline.data = &g;
    ex_run(&g, sh, NULL, 0, &r);
    if (r.status != 0 || r.code != 3)
        fail_msg("exec with a plugin: status %d code %d: %s", r.status, r.code, r.err);
    ex_fini(&r);
    FILE *f = fopen(calls, "r");
    assert_non_null(f);
    int n = 0;
    for (int c; (c = fgetc(f)) != EOF;)
        n += c == '\n';
    fclose(f);
    assert_int_equal(n, 2); /* the revoked credential, then the fresh one */
    kube_client_free(g.kc);
    g.kc = NULL;
    kcfg_cred_cache_free(creds);
    http_free(g.h);
    uv_close((uv_handle_t *)&g.deadline, NULL);
    uv_run(&g.loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&g.loop), 0);
    kcfg_target_free(t);
}

/* ---- logs ---- */

struct lgres {
    bool done;
    int status;
    int n;
    char lines[8][128];
    char err[256];
};

static void
lg_line(struct kube_logs *l, const char *line, size_t len, bool cut, void *arg)
{
    struct lgres *r = arg;
    (void)l;
    (void)cut;
    if (r->n < 8)
        snprintf(r->lines[r->n], sizeof r->lines[0], "%.*s", (int)len, line);
    r->n++;
}

static void
lg_end(struct kube_logs *l, int status, const struct pxerr *err, void *arg)
{
    struct lgres *r = arg;
    (void)l;
    r->done = true;
    r->status = status;
    snprintf(r->err, sizeof r->err, "%s", err->msg);
}

static void
test_logs(void **state)
{
    struct env *e = *state;
    struct rig g;
    rig_start(&g, e->admin);
    struct lgres r = {0};
    struct kube_logs_opts o = {.ns = "pxc", .pod = "p0", .container = "pxc", .tail_lines = 2,
                               .on_line = lg_line, .on_end = lg_end, .arg = &r};
    struct pxerr err = {0};
    assert_int_equal(kube_logs_start(g.kc, &o, NULL, &err), 0);
    run_until(&g, &r.done, 10000);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.lines[0], "2026-01-01 10:00:01 0 [Note] two");
    assert_string_equal(r.lines[1], "2026-01-01 10:00:02 0 [Note] three");

    /* A missing container: the server's 400 in words. */
    memset(&r, 0, sizeof r);
    o.container = "nope";
    assert_int_equal(kube_logs_start(g.kc, &o, NULL, &err), 0);
    run_until(&g, &r.done, 10000);
    assert_int_equal(r.status, PXE_HTTP);
    assert_non_null(strstr(r.err, "log of pod p0 container nope"));

    /* Follow: lines written to the file after the start arrive; cancel ends it. */
    memset(&r, 0, sizeof r);
    o.container = "pxc";
    o.tail_lines = 0;
    o.follow = true;
    struct kube_logs *l = NULL;
    assert_int_equal(kube_logs_start(g.kc, &o, &l, &err), 0);
    for (int i = 0; i < 20; i++)
        uv_run(&g.loop, UV_RUN_NOWAIT), usleep(20000);
    FILE *f = fopen(e->log, "a");
    assert_non_null(f);
    fputs("2026-01-01 10:00:03 0 [Note] four\n", f);
    fclose(f);
    bool got = false;
    for (int i = 0; i < 300 && !got; i++) {
        uv_run(&g.loop, UV_RUN_NOWAIT);
        got = r.n >= 1;
        if (!got)
            usleep(20000);
    }
    assert_true(got);
    assert_string_equal(r.lines[0], "2026-01-01 10:00:03 0 [Note] four");
    assert_false(r.done);
    kube_logs_cancel(l);
    for (int i = 0; i < 10; i++)
        uv_run(&g.loop, UV_RUN_NOWAIT);
    assert_false(r.done);
    rig_stop(&g);
}

/* ---- the logs pane's tail ---- */

struct ltres {
    int changes;
    bool following;
};

static void
lt_change(struct kube_logtail *t, void *arg)
{
    struct ltres *r = arg;
    r->changes++;
    r->following = kube_logtail_state(t) == KLT_FOLLOWING && logring_count(kube_logtail_ring(t)) >= 2;
}

static void
test_logtail(void **state)
{
    struct env *e = *state;
    struct rig g;
    rig_start(&g, e->admin);
    struct ltres r = {0};
    struct kube_logtail_opts o = {.ns = "pxc", .pod = "p0", .tail_lines = 2, .max_lines = 10,
                                  .on_change = lt_change, .arg = &r};
    struct kube_logtail *t = NULL;
    struct pxerr err = {0};
    assert_int_equal(kube_logtail_start(g.kc, &o, &t, &err), 0);
    assert_int_equal(r.changes, 0); /* nothing before start returns */
    assert_int_equal(kube_logtail_state(t), KLT_READING_POD);
    run_until(&g, &r.following, 10000);
    /* The pod's one container, chosen without being named; the last two lines. */
    assert_int_equal(kube_logtail_n_containers(t), 1);
    assert_string_equal(kube_logtail_container(t), "pxc");
    const struct logring *ring = kube_logtail_ring(t);
    assert_int_equal(logring_count(ring), 2);
    assert_non_null(strstr(logring_line(ring, 1, NULL, NULL, NULL), "[Note]"));
    /* Another container than the pod has: refused in words, the stream left alone. */
    assert_int_equal(kube_logtail_set_container(t, "istio-proxy", &err), PXE_NOTFOUND);
    assert_string_equal(err.msg, "pod pxc/p0 has no container istio-proxy (it has: pxc)");
    assert_int_equal(kube_logtail_state(t), KLT_FOLLOWING);
    assert_int_equal(kube_logtail_reconnect(t, &err), PXE_INVAL);
    /* The client goes first (a cluster dropped): the tail turns inert, then frees clean. */
    rig_stop(&g);
    assert_int_equal(kube_logtail_state(t), KLT_GONE);
    assert_int_equal(kube_logtail_reconnect(t, &err), PXE_INVAL);
    kube_logtail_free(t);

    /* A pod that does not exist: the state says it is gone. */
    rig_start(&g, e->admin);
    memset(&r, 0, sizeof r);
    o.pod = "nothere";
    assert_int_equal(kube_logtail_start(g.kc, &o, &t, &err), 0);
    bool failed = false;
    for (int i = 0; i < 500 && !failed; i++) {
        uv_run(&g.loop, UV_RUN_NOWAIT);
        failed = kube_logtail_state(t) == KLT_FAILED;
        if (!failed)
            usleep(20000);
    }
    assert_true(failed);
    assert_string_equal(kube_logtail_error(t),
                        "pod pxc/nothere is gone (the API server has no such pod)");
    kube_logtail_free(t);
    rig_stop(&g);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_relay_echo),
        cmocka_unit_test(test_pf_refusals),
        cmocka_unit_test(test_relay_keeps_the_refusal),
        cmocka_unit_test(test_faulty_server),
        cmocka_unit_test(test_exec),
        cmocka_unit_test(test_exec_v4),
        cmocka_unit_test(test_credentials),
        cmocka_unit_test(test_shutdown_walk),
        cmocka_unit_test(test_logs),
        cmocka_unit_test(test_logtail),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
