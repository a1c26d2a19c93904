/* test_probe_pod: the parsers of the in-mesh probe tools' output (nslookup, nc, Envoy's
 * /clusters), on the exact texts busybox/bind nslookup, OpenBSD nc and Envoy print. The
 * probe pods themselves run end to end against kubesim in tests/integration. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <string.h>

#include "probe/probe_pod.h"

static void
test_nslookup(void **state)
{
    (void)state;
    struct probe_result r;
    memset(&r, 0, sizeof r);
    probe_pod_parse_nslookup("Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\n"
                             "Name:\tpxc-cluster.cluster-b.global\nAddress: 240.240.0.2\n\n",
                             &r);
    assert_int_equal(r.status, PROBE_OK);
    assert_int_equal(r.n_addrs, 1);
    assert_string_equal(r.addrs[0], "240.240.0.2");
    assert_string_equal(r.server, "10.96.0.10");
    assert_string_equal(r.summary, "resolves in the mesh to 240.240.0.2");

    memset(&r, 0, sizeof r);
    probe_pod_parse_nslookup("Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\n"
                             "** server can't find pxc-cluster.cluster-b.global: NXDOMAIN\n\n",
                             &r);
    assert_int_equal(r.status, PROBE_FAIL);
    assert_string_equal(r.rcode, "NXDOMAIN");

    memset(&r, 0, sizeof r);
    probe_pod_parse_nslookup(";; connection timed out; no servers could be reached\n\n", &r);
    assert_int_equal(r.status, PROBE_TIMEOUT);
}

static void
test_nc(void **state)
{
    (void)state;
    struct probe_result r;
    memset(&r, 0, sizeof r);
    probe_pod_parse_nc("Connection to pxc-cluster.cluster-b.global (240.240.0.2) 3306 port "
                       "[tcp/*] succeeded!\n",
                       &r);
    assert_int_equal(r.status, PROBE_OK);
    memset(&r, 0, sizeof r);
    probe_pod_parse_nc("nc: connect to h (127.0.20.1) port 3306 (tcp) failed: Connection refused\n",
                       &r);
    assert_int_equal(r.status, PROBE_FAIL);
    assert_string_equal(r.error_kind, "refused");
    memset(&r, 0, sizeof r);
    probe_pod_parse_nc("nc: connect to h (240.240.0.2) port 3306 (tcp) timed out: Operation now in "
                       "progress\n",
                       &r);
    assert_int_equal(r.status, PROBE_TIMEOUT);
    memset(&r, 0, sizeof r);
    probe_pod_parse_nc("nc: getaddrinfo for host \"h.global\" port 3306: Name or service not "
                       "known\n",
                       &r);
    assert_string_equal(r.error_kind, "resolve");
}

static void
test_envoy(void **state)
{
    (void)state;
    const char *dump =
        "outbound|3306||pxc-cluster.cluster-b.global::observability_name::outbound|3306||"
        "pxc-cluster.cluster-b.global\n"
        "outbound|3306||pxc-cluster.cluster-b.global::127.0.20.1:3306::cx_active::0\n"
        "outbound|3306||pxc-cluster.cluster-b.global::127.0.20.1:3306::cx_total::4\n"
        "outbound|3306||pxc-cluster.cluster-b.global::127.0.20.2:3306::cx_active::1\n"
        "outbound|15012||istiod.istio-system.svc.cluster.local::10.0.0.5:15012::cx_active::1\n";
    struct probe_result r;
    memset(&r, 0, sizeof r);
    probe_pod_parse_envoy(dump, "pxc-cluster.cluster-b.global", 3306, &r);
    assert_int_equal(r.status, PROBE_OK);
    assert_string_equal(r.summary,
                        "Envoy knows outbound|3306||pxc-cluster.cluster-b.global (2 endpoints)");
    assert_string_equal(r.detail, "endpoints: 127.0.20.1:3306, 127.0.20.2:3306");
    memset(&r, 0, sizeof r);
    probe_pod_parse_envoy(dump, "pxc-cluster.cluster-c.global", 3306, &r);
    assert_int_equal(r.status, PROBE_FAIL);
    assert_non_null(strstr(r.summary, "no cluster"));
    memset(&r, 0, sizeof r);
    probe_pod_parse_envoy("curl: (7) Failed to connect to localhost port 15000 after 0 ms\n", "h",
                          3306, &r);
    assert_int_equal(r.status, PROBE_FAIL);
    assert_non_null(strstr(r.summary, "no sidecar"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nslookup),
        cmocka_unit_test(test_nc),
        cmocka_unit_test(test_envoy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
