/* test_probe: the probes on a real libuv loop against real peers on loopback: a dnsmasq
 * (answers, NXDOMAIN), a UDP socket that never answers (timeout), a TCP listener (open),
 * a closed port (refused), a listener whose backlog is full (timeout), and a listener that
 * sends a MariaDB handshake packet and one that sends an error packet. Each test ends
 * with uv_loop_close() == 0, so a leaked handle fails it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <uv.h>

#include "probe/probe.h"

extern char **environ;

#define DNS_IP "127.0.86.1"
#define DNS_PORT 53531

struct got {
    int calls;
    struct probe_result r;
};

static void
on_result(const struct probe_result *r, void *arg)
{
    struct got *g = arg;
    g->calls++;
    g->r = *r;
}

static void
run_loop(uv_loop_t *loop)
{
    uv_run(loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(loop), 0);
}

static pid_t dnsmasq_pid;

static int
start_dnsmasq(void **state)
{
    (void)state;
    char port[16];
    snprintf(port, sizeof port, "--port=%d", DNS_PORT);
    char *argv[] = {"dnsmasq", "--keep-in-foreground", "--no-resolv", "--no-hosts",
                    "--bind-interfaces", "--listen-address=" DNS_IP, port,
                    "--address=/pxc-cluster.cluster-b.global/127.0.20.1",
                    "--local=/global/", "--pid-file=", "--user=root",
                    "--conf-file=/dev/null", NULL};
    if (posix_spawnp(&dnsmasq_pid, "dnsmasq", NULL, NULL, argv, environ) != 0) {
        fprintf(stderr, "cannot start dnsmasq (install dnsmasq-base: scripts/deps.sh)\n");
        return -1;
    }
    /* Wait until it answers: a bounded poll with a probe. */
    for (int i = 0; i < 50; i++) {
        uv_loop_t loop;
        uv_loop_init(&loop);
        struct got g = {0};
        struct probe_opts o = {.timeout_ms = 300, .dns_server = DNS_IP ":53531"};
        if (probe_dns_start(&loop, "pxc-cluster.cluster-b.global", &o, on_result, &g, NULL,
                            NULL) == 0)
            uv_run(&loop, UV_RUN_DEFAULT);
        uv_loop_close(&loop);
        if (g.r.status == PROBE_OK)
            return 0;
        usleep(100 * 1000);
    }
    fprintf(stderr, "dnsmasq did not answer on %s:%d\n", DNS_IP, DNS_PORT);
    return -1;
}

static int
stop_dnsmasq(void **state)
{
    (void)state;
    if (dnsmasq_pid > 0) {
        kill(dnsmasq_pid, SIGTERM);
        waitpid(dnsmasq_pid, NULL, 0);
    }
    return 0;
}

static void
test_dns_answer(void **state)
{
    (void)state;
    uv_loop_t loop;
    uv_loop_init(&loop);
    struct got g = {0};
    struct probe_opts o = {.timeout_ms = 2000, .dns_server = DNS_IP ":53531"};
    assert_int_equal(probe_dns_start(&loop, "pxc-cluster.cluster-b.global", &o, on_result, &g,
                                     NULL, NULL),
                     0);
    run_loop(&loop);
    assert_int_equal(g.calls, 1);
    assert_int_equal(g.r.status, PROBE_OK);
    assert_int_equal(g.r.n_addrs, 1);
    assert_string_equal(g.r.addrs[0], "127.0.20.1");
    assert_string_equal(g.r.rcode, "NOERROR");
    assert_string_equal(g.r.server, DNS_IP ":53531");
    assert_true(g.r.ttl_s >= 0);
    assert_string_equal(g.r.summary, "resolves to 127.0.20.1");
}

static void
test_dns_nxdomain(void **state)
{
    (void)state;
    uv_loop_t loop;
    uv_loop_init(&loop);
    struct got g = {0};
    struct probe_opts o = {.timeout_ms = 2000, .dns_server = DNS_IP ":53531"};
    assert_int_equal(probe_dns_start(&loop, "pxc-cluster.cluster-x.global", &o, on_result, &g,
                                     NULL, NULL),
                     0);
    run_loop(&loop);
    assert_int_equal(g.calls, 1);
    assert_int_equal(g.r.status, PROBE_FAIL);
    assert_string_equal(g.r.rcode, "NXDOMAIN");
    assert_non_null(strstr(g.r.summary, "does not exist"));
}

static void
test_dns_timeout(void **state)
{
    (void)state;
    /* A UDP socket that never reads: queries vanish, no ICMP comes back. */
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(53532)};
    inet_pton(AF_INET, DNS_IP, &a.sin_addr);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    uv_loop_t loop;
    uv_loop_init(&loop);
    struct got g = {0};
    struct probe_opts o = {.timeout_ms = 600, .dns_server = DNS_IP ":53532"};
    assert_int_equal(probe_dns_start(&loop, "pxc-cluster.cluster-b.global", &o, on_result, &g,
                                     NULL, NULL),
                     0);
    run_loop(&loop);
    close(fd);
    assert_int_equal(g.calls, 1);
    assert_int_equal(g.r.status, PROBE_TIMEOUT);
    assert_true(g.r.elapsed_ms < 2000);
}

static int
listener(int backlog, int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET};
    inet_pton(AF_INET, "127.0.86.1", &a.sin_addr);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fd, backlog), 0);
    socklen_t len = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &len);
    *port = ntohs(a.sin_port);
    return fd;
}

static void
tcp_probe(const char *target, int timeout_ms, struct got *g)
{
    uv_loop_t loop;
    uv_loop_init(&loop);
    struct probe_opts o = {.timeout_ms = timeout_ms};
    struct pxerr err;
    assert_int_equal(probe_tcp_start(&loop, target, &o, on_result, g, NULL, &err), 0);
    run_loop(&loop);
    assert_int_equal(g->calls, 1);
}

static void
test_tcp_open_closed_blackholed(void **state)
{
    (void)state;
    int port;
    int fd = listener(16, &port);
    char target[64];
    snprintf(target, sizeof target, "127.0.86.1:%d", port);
    struct got g = {0};
    tcp_probe(target, 2000, &g);
    assert_int_equal(g.r.status, PROBE_OK);
    assert_non_null(strstr(g.r.summary, "open"));
    close(fd);

    /* Closed: the same port with nothing listening any more. */
    memset(&g, 0, sizeof g);
    tcp_probe(target, 2000, &g);
    assert_int_equal(g.r.status, PROBE_FAIL);
    assert_string_equal(g.r.error_kind, "refused");

    /* Blackholed: backlog 0 and one connection already queued, never accepted: the
     * kernel drops further SYNs, so the connect neither succeeds nor fails. */
    fd = listener(0, &port);
    snprintf(target, sizeof target, "127.0.86.1:%d", port);
    int filler[2];
    for (int i = 0; i < 2; i++) {
        filler[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        inet_pton(AF_INET, "127.0.86.1", &a.sin_addr);
        connect(filler[i], (struct sockaddr *)&a, sizeof a);
    }
    usleep(100 * 1000);
    memset(&g, 0, sizeof g);
    tcp_probe(target, 700, &g);
    assert_int_equal(g.r.status, PROBE_TIMEOUT);
    assert_string_equal(g.r.error_kind, "timeout");
    close(filler[0]);
    close(filler[1]);
    close(fd);

    /* Unresolvable name through the system resolver. */
    memset(&g, 0, sizeof g);
    tcp_probe("no-such-host.invalid:3306", 3000, &g);
    assert_int_equal(g.r.status, PROBE_FAIL);
    assert_string_equal(g.r.error_kind, "resolve");
}

/* A peer that writes one packet and keeps the connection open. */
static void
mysql_peer_probe(const unsigned char *pkt, size_t len, struct got *g)
{
    int port;
    int fd = listener(4, &port);
    pid_t pid = fork();
    if (pid == 0) {
        int c = accept(fd, NULL, NULL);
        if (write(c, pkt, len) < 0)
            _exit(1);
        sleep(2);
        _exit(0);
    }
    char target[64];
    snprintf(target, sizeof target, "127.0.86.1:%d", port);
    uv_loop_t loop;
    uv_loop_init(&loop);
    struct probe_opts o = {.timeout_ms = 1500};
    struct pxerr err;
    assert_int_equal(probe_mysql_start(&loop, target, &o, on_result, g, NULL, &err), 0);
    run_loop(&loop);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    close(fd);
    assert_int_equal(g->calls, 1);
}

static void
test_mysql_handshake(void **state)
{
    (void)state;
    /* The start of a MariaDB 10.11 initial handshake (protocol 10, version, thread id). */
    static const char ver[] = "5.5.5-10.11.6-MariaDB-0+deb12u1-log";
    unsigned char pkt[128];
    size_t plen = 1 + sizeof ver + 4;
    pkt[0] = (unsigned char)plen;
    pkt[1] = pkt[2] = 0;
    pkt[3] = 0;
    pkt[4] = 10;
    memcpy(pkt + 5, ver, sizeof ver);
    memset(pkt + 5 + sizeof ver, 7, 4);
    struct got g = {0};
    mysql_peer_probe(pkt, 4 + plen, &g);
    assert_int_equal(g.r.status, PROBE_OK);
    assert_string_equal(g.r.version, "10.11.6-MariaDB-0+deb12u1-log");
    assert_string_equal(g.r.flavour, "MariaDB");

    /* An error packet: 1130 host not allowed. */
    static const char msg[] = "Host '127.0.0.1' is not allowed to connect";
    unsigned char err[128];
    size_t elen = 3 + sizeof msg - 1;
    err[0] = (unsigned char)elen;
    err[1] = err[2] = 0;
    err[3] = 0;
    err[4] = 0xff;
    err[5] = 1130 & 0xff;
    err[6] = 1130 >> 8;
    memcpy(err + 7, msg, sizeof msg - 1);
    memset(&g, 0, sizeof g);
    mysql_peer_probe(err, 4 + elen, &g);
    assert_int_equal(g.r.status, PROBE_FAIL);
    assert_int_equal(g.r.mysql_errno, 1130);
    assert_non_null(strstr(g.r.summary, "not allowed"));
}

static void
test_cancel_and_split(void **state)
{
    (void)state;
    uv_loop_t loop;
    uv_loop_init(&loop);
    struct got g = {0};
    struct probe *p = NULL;
    struct probe_opts o = {.timeout_ms = 5000};
    assert_int_equal(probe_tcp_start(&loop, "127.0.86.1:9", &o, on_result, &g, &p, NULL), 0);
    probe_cancel(p);
    run_loop(&loop);
    assert_int_equal(g.calls, 1);
    assert_int_equal(g.r.status, PROBE_CANCELLED);

    char host[64];
    int port;
    struct pxerr err;
    assert_int_equal(probe_split_target("[fd00::1]:3307", 0, host, sizeof host, &port, &err), 0);
    assert_string_equal(host, "fd00::1");
    assert_int_equal(port, 3307);
    assert_int_equal(probe_split_target("h", 0, host, sizeof host, &port, &err), PXE_USAGE);
    assert_string_equal(err.msg, "target 'h': give a port (HOST:PORT)");
    assert_int_equal(probe_split_target("h:0", 3306, host, sizeof host, &port, &err), PXE_INVAL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dns_answer),
        cmocka_unit_test(test_dns_nxdomain),
        cmocka_unit_test(test_dns_timeout),
        cmocka_unit_test(test_tcp_open_closed_blackholed),
        cmocka_unit_test(test_mysql_handshake),
        cmocka_unit_test(test_cancel_and_split),
    };
    return cmocka_run_group_tests(tests, start_dnsmasq, stop_dnsmasq);
}
