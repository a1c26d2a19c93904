/* test_probe_exec: the parsers of what the in-pod probe commands print: glibc's getent hosts
 * (and nslookup where an image has no getent), bash's /dev/tcp connect, and the mysql client's
 * answers and error lines, MySQL 8's and MariaDB 10.11's, as they print them. The exec
 * probes themselves run end to end against kubesim in tests/integration. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <string.h>

#include "probe/probe_exec.h"

static void
test_dns_getent(void **state)
{
    (void)state;
    struct probe_result r;
    memset(&r, 0, sizeof r);
    probe_exec_parse_dns("240.240.0.2     pxc-cluster.cluster-b.global\n"
                         "240.240.0.3     pxc-cluster.cluster-b.global\n",
                         0, &r);
    assert_int_equal(r.status, PROBE_OK);
    assert_int_equal(r.n_addrs, 2);
    assert_string_equal(r.addrs[1], "240.240.0.3");
    assert_string_equal(r.rcode, "NOERROR");
    assert_string_equal(r.summary, "resolves in the pod to 240.240.0.2, 240.240.0.3");

    /* getent says nothing and exits 2 for a name that does not resolve */
    memset(&r, 0, sizeof r);
    probe_exec_parse_dns("", 2, &r);
    assert_int_equal(r.status, PROBE_FAIL);
    assert_int_equal(r.n_addrs, 0);
    assert_string_equal(r.rcode, "NXDOMAIN");
    assert_string_equal(r.summary,
                        "does not resolve in the pod (getent: no such name, or no A record)");

    memset(&r, 0, sizeof r);
    probe_exec_parse_dns("sh: 1: exec: nslookup: not found\n", 127, &r);
    assert_int_equal(r.status, PROBE_FAIL);
    assert_string_equal(r.summary, "the container has neither getent nor nslookup to resolve with");
}

static void
test_dns_nslookup(void **state)
{
    (void)state;
    struct probe_result r;
    memset(&r, 0, sizeof r);
    probe_exec_parse_dns("Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\n"
                         "Name:\tpxc-cluster.cluster-b.global\nAddress: 240.240.0.2\n\n",
                         0, &r);
    assert_int_equal(r.status, PROBE_OK);
    assert_string_equal(r.addrs[0], "240.240.0.2");
    assert_string_equal(r.server, "10.96.0.10");

    memset(&r, 0, sizeof r);
    probe_exec_parse_dns("Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\n"
                         "** server can't find pxc-cluster.cluster-x.global: NXDOMAIN\n\n",
                         1, &r);
    assert_int_equal(r.status, PROBE_FAIL);
    assert_string_equal(r.rcode, "NXDOMAIN");
}

static void
test_tcp(void **state)
{
    (void)state;
    static const struct {
        const char *out;
        int exit_code;
        enum probe_status st;
        const char *kind, *summary;
    } cases[] = {
        {"connected\n", 0, PROBE_OK, "", "open from inside the pod"},
        {"h: connect: Connection refused\nh: line 1: /dev/tcp/h/3307: Connection refused\n", 1,
         PROBE_FAIL, "refused", "connection refused from inside the pod"},
        {"", 124, PROBE_TIMEOUT, "timeout", "connect timed out from inside the pod"},
        {"h: line 1: h: Name or service not known\nh: line 1: /dev/tcp/h/3306: Invalid "
         "argument\n",
         1, PROBE_FAIL, "resolve", "the host does not resolve inside the pod"},
        {"h: connect: No route to host\n", 1, PROBE_FAIL, "unreachable",
         "no route to the host from inside the pod"},
        {"sh: 1: exec: bash: not found\n", 127, PROBE_FAIL, "",
         "the container has no bash to connect with"},
        {"", 1, PROBE_FAIL, "", "the connect gave no verdict"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct probe_result r;
        memset(&r, 0, sizeof r);
        probe_exec_parse_tcp(cases[i].out, cases[i].exit_code, &r);
        assert_int_equal(r.status, cases[i].st);
        assert_string_equal(r.error_kind, cases[i].kind);
        assert_string_equal(r.summary, cases[i].summary);
    }
}

static void
test_mysql(void **state)
{
    (void)state;
    static const struct {
        const char *out;
        int exit_code;
        bool login;
        enum probe_status st;
        int mysql_errno;
        const char *kind, *summary;
    } cases[] = {
        /* MySQL 8 (the PXC image's client) */
        {"ERROR 2003 (HY000): Can't connect to MySQL server on 'h:3306' (111)\n", 1, true,
         PROBE_FAIL, 2003, "refused", "connection refused from inside the pod"},
        {"ERROR 2003 (HY000): Can't connect to MySQL server on 'h:3306' (110)\n", 1, false,
         PROBE_TIMEOUT, 2003, "timeout", "connect timed out from inside the pod"},
        {"ERROR 2005 (HY000): Unknown MySQL server host 'h' (-2)\n", 1, false, PROBE_FAIL, 2005,
         "resolve", "the host does not resolve inside the pod"},
        {"ERROR 2013 (HY000): Lost connection to MySQL server at 'reading initial communication "
         "packet', system error: 0\n",
         1, false, PROBE_FAIL, 2013, "reset",
         "the connection closed during the handshake: an mTLS or sidecar route problem?"},
        {"ERROR 1045 (28000): Access denied for user 'repl'@'10.1.2.3' (using password: YES)\n", 1,
         true, PROBE_FAIL, 1045, "access",
         "login refused: Access denied for user 'repl'@'10.1.2.3' (using password: YES)"},
        /* no user given: access denied for the probe's user proves the handshake */
        {"ERROR 1045 (28000): Access denied for user 'pxcmesh-handshake'@'10.1.2.3' (using "
         "password: NO)\n",
         1, false, PROBE_OK, 0, "",
         "the server answered the handshake from inside the pod (no login tried: give --user "
         "to log in)"},
        {"ERROR 1130 (HY000): Host '10.1.2.3' is not allowed to connect to this MySQL server\n", 1,
         true, PROBE_FAIL, 1130, "host",
         "the server refuses this pod's host: Host '10.1.2.3' is not allowed to connect to this "
         "MySQL server"},
        /* MariaDB 10.11's client */
        {"ERROR 2005 (HY000): Unknown server host 'nonexist.invalid' (-2)\n", 1, false, PROBE_FAIL,
         2005, "resolve", "the host does not resolve inside the pod"},
        {"ERROR 2002 (HY000): Can't connect to server on '127.0.0.1' (115)\n", 1, false, PROBE_FAIL,
         2002, "connect",
         "cannot connect from inside the pod (refused or no answer: the client says 115)"},
        {"sh: 1: exec: mysql: not found\n", 127, false, PROBE_FAIL, 0, "",
         "the pxc container has no mysql client"},
        {"ERROR 1227 (42000): Access denied; you need (at least one of) the SUPER privilege(s)\n",
         1, true, PROBE_FAIL, 1227, "",
         "MySQL error 1227: Access denied; you need (at least one of) the SUPER privilege(s)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct probe_result r;
        memset(&r, 0, sizeof r);
        probe_exec_parse_mysql(cases[i].out, cases[i].exit_code, cases[i].login, &r);
        assert_int_equal(r.status, cases[i].st);
        assert_int_equal(r.mysql_errno, cases[i].mysql_errno);
        assert_string_equal(r.error_kind, cases[i].kind);
        assert_string_equal(r.summary, cases[i].summary);
    }

    struct probe_result r;
    memset(&r, 0, sizeof r);
    probe_exec_parse_mysql("8.0.36-28.1\tPercona XtraDB Cluster (GPL), Release rel28, Revision "
                           "bfb687f, WSREP version 26.1.4.3\n",
                           0, true, &r);
    assert_int_equal(r.status, PROBE_OK);
    assert_string_equal(r.version, "8.0.36-28.1");
    assert_string_equal(r.flavour, "Percona");
    assert_string_equal(r.summary, "Percona logged in from inside the pod (8.0.36-28.1)");
    memset(&r, 0, sizeof r);
    probe_exec_parse_mysql("10.11.6-MariaDB-0+deb12u1\tDebian 12\n", 0, true, &r);
    assert_string_equal(r.flavour, "MariaDB");
    assert_string_equal(r.version, "10.11.6-MariaDB-0+deb12u1");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dns_getent),
        cmocka_unit_test(test_dns_nslookup),
        cmocka_unit_test(test_tcp),
        cmocka_unit_test(test_mysql),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
