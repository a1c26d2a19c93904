/* test_mysql_route: the decision pod IP or port-forward on a real loop: a pod IP that accepts
 * (a listener of the test) is used as is; one that refuses, or drops the connection attempt
 * until the probe's timeout, gets a loopback relay; mode port-forward decides at once; no
 * Kubernetes client means the pod IP; a re-created pod (new IP) is decided again; a pod no
 * longer picked loses its relay at the sweep; portForward.localPort counts up to free ports;
 * a relay's failed stream explains a lost connection in words; the model marking touches only
 * on a change. Every test ends with uv_loop_close() == 0. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <uv.h>

#include "kube/http.h"
#include "kube/kube.h"
#include "model/model.h"
#include "mysql/mysql_route.h"

struct rig {
    uv_loop_t loop;
    struct http *h;
    struct kube_client *kc;
    struct mysql_route *r;
    uv_tcp_t listener;
    int open_port, closed_port;
    int n_ready;
};

static void
on_ready(void *arg)
{
    ((struct rig *)arg)->n_ready++;
}

static int
bound_port(uv_tcp_t *t)
{
    struct sockaddr_storage ss;
    int len = sizeof ss;
    uv_tcp_getsockname(t, (struct sockaddr *)&ss, &len);
    return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static void
on_conn(uv_stream_t *s, int status)
{
    (void)status;
    uv_tcp_t *c = malloc(sizeof *c); /* accept and drop: the probe only connects */
    uv_tcp_init(s->loop, c);
    if (uv_accept(s, (uv_stream_t *)c) != 0) {
        free(c);
        return;
    }
    uv_close((uv_handle_t *)c, (uv_close_cb)free);
}

static void
rig_start(struct rig *g, enum config_mysql_mode mode, bool with_kc, int local_port)
{
    memset(g, 0, sizeof *g);
    uv_loop_init(&g->loop);
    g->h = http_new(&g->loop);
    uv_tcp_init(&g->loop, &g->listener);
    struct sockaddr_in sa;
    uv_ip4_addr("127.0.0.1", 0, &sa);
    assert_int_equal(uv_tcp_bind(&g->listener, (struct sockaddr *)&sa, 0), 0);
    assert_int_equal(uv_listen((uv_stream_t *)&g->listener, 8, on_conn), 0);
    g->open_port = bound_port(&g->listener);
    /* A port nothing listens on: bind one, note it, close it. */
    uv_tcp_t tmp;
    uv_tcp_init(&g->loop, &tmp);
    assert_int_equal(uv_tcp_bind(&tmp, (struct sockaddr *)&sa, 0), 0);
    g->closed_port = bound_port(&tmp);
    uv_close((uv_handle_t *)&tmp, NULL);
    uv_run(&g->loop, UV_RUN_NOWAIT);
    if (with_kc) {
        /* An API server nobody runs: a relay needs none until a connection arrives. */
        char url[64];
        snprintf(url, sizeof url, "http://127.0.0.1:%d", g->closed_port);
        struct kcfg_target t = {.context = "K", .server = url};
        struct kube_client_opts o = {.name = "K", .target = &t, .mode = KUBE_MODE_DISCOVER,
                                     .request_timeout_ms = 2000};
        struct pxerr err = {0};
        assert_int_equal(kube_client_new(&g->loop, g->h, NULL, &o, &g->kc, &err), 0);
    }
    struct mysql_route_opts ro = {.mode = mode, .kc = g->kc, .probe_timeout_ms = 300,
                                  .open_timeout_ms = 2000, .local_port = local_port,
                                  .cluster = "K", .on_ready = on_ready, .arg = g};
    g->r = mysql_route_new(&g->loop, &ro);
}

static void
rig_stop(struct rig *g)
{
    mysql_route_free(g->r);
    kube_client_free(g->kc);
    http_free(g->h);
    uv_close((uv_handle_t *)&g->listener, NULL);
    uv_run(&g->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&g->loop), 0);
}

/* Pick, waiting (bounded) for a decision. */
static void
pick(struct rig *g, const char *pod, const char *ip, int port, struct mysql_route_pick *out,
     bool expect_wait)
{
    int n0 = g->n_ready;
    int rc = mysql_route_pick(g->r, "pxc", pod, ip, port, out);
    if (expect_wait) {
        assert_int_equal(rc, MYSQL_ROUTE_WAIT);
        for (int i = 0; i < 400 && g->n_ready == n0; i++) {
            uv_run(&g->loop, UV_RUN_NOWAIT);
            if (g->n_ready == n0)
                usleep(5000);
        }
        assert_int_equal(g->n_ready, n0 + 1);
        rc = mysql_route_pick(g->r, "pxc", pod, ip, port, out);
    }
    assert_int_equal(rc, 0);
}

static void
test_auto(void **state)
{
    (void)state;
    struct rig g;
    rig_start(&g, CONFIG_MYSQL_AUTO, true, 0);
    struct mysql_route_pick p;
    pick(&g, "open", "127.0.0.1", g.open_port, &p, true);
    assert_string_equal(p.route, MYSQL_ROUTE_POD_IP);
    assert_string_equal(p.host, "127.0.0.1");
    assert_int_equal(p.port, g.open_port);
    assert_int_equal(mysql_route_relay_port(g.r, "open"), 0);
    pick(&g, "open", "127.0.0.1", g.open_port, &p, false); /* decided once */

    pick(&g, "refused", "127.0.0.1", g.closed_port, &p, true);
    assert_string_equal(p.route, MYSQL_ROUTE_PORT_FORWARD);
    assert_string_equal(p.host, "127.0.0.1");
    assert_int_equal(p.port, mysql_route_relay_port(g.r, "refused"));
    assert_true(p.port > 0 && p.port != g.closed_port);

    /* An address that never answers (TEST-NET-1, RFC 5737): the probe's timeout, or an
     * unreachable network at once; either way the relay. */
    pick(&g, "dropped", "192.0.2.1", 3306, &p, true);
    assert_string_equal(p.route, MYSQL_ROUTE_PORT_FORWARD);

    /* Re-created with a new IP: decided again (now it accepts). */
    pick(&g, "refused", "127.0.0.1", g.open_port, &p, true);
    assert_string_equal(p.route, MYSQL_ROUTE_POD_IP);
    assert_int_equal(mysql_route_relay_port(g.r, "refused"), 0);

    /* The sweep: picked since the last one stays, the others go with their relays. */
    mysql_route_sweep(g.r);
    pick(&g, "open", "127.0.0.1", g.open_port, &p, false);
    mysql_route_sweep(g.r);
    assert_int_equal(mysql_route_relay_port(g.r, "dropped"), 0);
    pick(&g, "open", "127.0.0.1", g.open_port, &p, false);
    pick(&g, "dropped", "192.0.2.1", 3306, &p, true); /* forgotten: a new decision */
    rig_stop(&g);
}

static void
test_port_forward_and_no_client(void **state)
{
    (void)state;
    struct rig g;
    rig_start(&g, CONFIG_MYSQL_PORT_FORWARD, true, 0);
    struct mysql_route_pick p;
    pick(&g, "p0", "127.0.0.1", g.open_port, &p, false); /* no probe: the relay at once */
    assert_string_equal(p.route, MYSQL_ROUTE_PORT_FORWARD);
    assert_int_equal(p.port, mysql_route_relay_port(g.r, "p0"));

    /* A client through the relay: the stream fails (no API server there) and the route
     * explains the lost connection in words. */
    char why[256] = "";
    assert_false(mysql_route_explain(g.r, "p0", why, sizeof why));
    uv_tcp_t c;
    uv_connect_t req;
    uv_tcp_init(&g.loop, &c);
    struct sockaddr_in sa;
    uv_ip4_addr("127.0.0.1", p.port, &sa);
    assert_int_equal(uv_tcp_connect(&req, &c, (struct sockaddr *)&sa, NULL), 0);
    bool explained = false;
    for (int i = 0; i < 400 && !explained; i++) {
        uv_run(&g.loop, UV_RUN_NOWAIT);
        explained = mysql_route_explain(g.r, "p0", why, sizeof why);
        if (!explained)
            usleep(5000);
    }
    assert_true(explained);
    if (strstr(why, "cannot reach the API server for pods/portforward of pod pxc/p0") == NULL)
        fail_msg("explained as: %s", why);
    uv_close((uv_handle_t *)&c, NULL);
    rig_stop(&g);

    rig_start(&g, CONFIG_MYSQL_AUTO, false, 0); /* no API server to forward through */
    pick(&g, "p0", "127.0.0.1", g.closed_port, &p, false);
    assert_string_equal(p.route, MYSQL_ROUTE_POD_IP);
    rig_stop(&g);
}

static void
test_local_port(void **state)
{
    (void)state;
    /* Find two free ports in a row to start from. */
    struct rig g;
    rig_start(&g, CONFIG_MYSQL_PORT_FORWARD, true, 0);
    int base = g.closed_port;
    rig_stop(&g);
    rig_start(&g, CONFIG_MYSQL_PORT_FORWARD, true, base);
    struct mysql_route_pick a, b;
    pick(&g, "p0", "127.0.0.1", 3306, &a, false);
    pick(&g, "p1", "127.0.0.1", 3306, &b, false);
    assert_int_equal(a.port, base);
    assert_true(b.port > base); /* the next free one */
    rig_stop(&g);
}

static void
test_mark(void **state)
{
    (void)state;
    struct model *m = model_new();
    struct m_cluster *c = model_cluster_add(m, "K", "K", "");
    struct m_server *srv = model_server_upsert(m, c, "p0");
    struct m_channel *ch = model_channel_upsert(m, c, "p0", "chan");
    struct m_channel *other = model_channel_upsert(m, c, "p1", "chan");
    mysql_route_mark(m, c, "p0", MYSQL_ROUTE_PORT_FORWARD, "forbidden: x");
    assert_string_equal(srv->route, "port-forward");
    assert_string_equal(srv->route_error, "forbidden: x");
    assert_string_equal(ch->route, "port-forward");
    assert_null(other->route);
    uint64_t seq = m->seq;
    mysql_route_mark(m, c, "p0", MYSQL_ROUTE_PORT_FORWARD, "forbidden: x");
    assert_int_equal(m->seq, seq); /* nothing changed: nothing redrawn */
    mysql_route_mark(m, c, "p0", MYSQL_ROUTE_PORT_FORWARD, "");
    assert_null(srv->route_error);
    assert_true(m->seq > seq);
    mysql_route_mark(m, c, "p1", MYSQL_ROUTE_DIRECT, NULL); /* no server yet: channels only */
    assert_string_equal(other->route, "direct");
    model_free(m);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auto),
        cmocka_unit_test(test_port_forward_and_no_client),
        cmocka_unit_test(test_local_port),
        cmocka_unit_test(test_mark),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
