/* test_kube_wsproto: the streaming protocols' rules, table-driven: the upgrade request, the
 * response head (complete or not, malformed, headers in any case), the 101 checks (accept
 * value, Upgrade/Connection, subprotocol offered), a refused upgrade in words (401, 403 naming
 * the RBAC verb, 404, 400 with the server's message, 500), the port-forward channel demux
 * (port announcements, data, error text, every violation), and the exec status channel
 * (Success, NonZeroExitCode with its ExitCode cause, a runtime refusal, garbage). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "strbuf.h"
#include "kube/kube_wsproto.h"

static void
test_request(void **state)
{
    (void)state;
    static const char *const protos[] = {"v5.channel.k8s.io", "v4.channel.k8s.io", NULL};
    static const struct {
        struct kube_ws_auth auth;
        const char *const *protos;
        const char *want_has, *want_not;
    } cases[] = {
        {{.bearer_token = "tok"}, protos, "Authorization: Bearer tok\r\n", "Basic"},
        {{.username = "u", .password = "p"}, protos, "Authorization: Basic dTpw\r\n", "Bearer"},
        {{0}, NULL, "Sec-WebSocket-Version: 13\r\n", "Sec-WebSocket-Protocol"},
        {{0}, protos,
         "Sec-WebSocket-Protocol: v5.channel.k8s.io, v4.channel.k8s.io\r\n", "Authorization"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct strbuf sb;
        strbuf_init(&sb);
        kube_wsproto_request(&sb, "10.0.0.1:6443", "/api/v1/namespaces/pxc/pods/p/exec?x=1",
                             "dGhlIHNhbXBsZSBub25jZQ==", cases[i].protos, &cases[i].auth);
        assert_true(strncmp(sb.s, "GET /api/v1/namespaces/pxc/pods/p/exec?x=1 HTTP/1.1\r\n"
                                  "Host: 10.0.0.1:6443\r\n", 69) == 0);
        if (strstr(sb.s, cases[i].want_has) == NULL)
            fail_msg("case %zu: no \"%s\" in\n%s", i, cases[i].want_has, sb.s);
        assert_null(strstr(sb.s, cases[i].want_not));
        assert_non_null(strstr(sb.s, "Upgrade: websocket\r\nConnection: Upgrade\r\n"));
        assert_int_equal(strcmp(sb.s + sb.len - 4, "\r\n\r\n"), 0);
        strbuf_fini(&sb);
    }
}

static const char ok101[] = "HTTP/1.1 101 Switching Protocols\r\n"
                            "upgrade: WebSocket\r\n"
                            "Connection: keep-alive, Upgrade\r\n"
                            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
                            "Sec-WebSocket-Protocol: v4.channel.k8s.io\r\n"
                            "\r\n";

static void
test_head(void **state)
{
    (void)state;
    struct kube_ws_head h;
    struct pxerr e;
    /* Every prefix shorter than the whole head asks for more. */
    for (size_t n = 0; n < strlen(ok101); n++)
        assert_int_equal(kube_wsproto_head(ok101, n, &h, &e), 0);
    /* With frame bytes after it, head_len stops at the blank line. */
    char buf[512];
    memcpy(buf, ok101, strlen(ok101));
    memcpy(buf + strlen(ok101), "\x82\x03\x00\xea\x0c", 5);
    assert_int_equal(kube_wsproto_head(buf, strlen(ok101) + 5, &h, &e), 1);
    assert_int_equal(h.code, 101);
    assert_int_equal(h.head_len, strlen(ok101));
    assert_true(h.upgrade_websocket);
    assert_true(h.connection_upgrade);
    assert_string_equal(h.accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    assert_string_equal(h.protocol, "v4.channel.k8s.io");

    static const char refusal[] = "HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\n"
                                  "Content-Length: 17\r\n\r\n{\"kind\":\"Status\"}";
    assert_int_equal(kube_wsproto_head(refusal, sizeof refusal - 1, &h, &e), 1);
    assert_int_equal(h.code, 403);
    assert_int_equal(h.content_length, 17);
    assert_false(h.chunked);
    assert_string_equal(h.content_type, "application/json");

    static const struct {
        const char *text, *want;
    } bad[] = {
        {"SSH-2.0-OpenSSH_9.2\r\n\r\n", "the answer is not HTTP (it starts with \"SSH-2.0-OpenSSH_"},
        {"HTTP/1.1 OK\r\n\r\n", "bad HTTP status line \"HTTP/1.1 OK\""},
        {"HTTP/1.1 20 X\r\n\r\n", "bad HTTP status line \"HTTP/1.1 20 X\""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_true(kube_wsproto_head(bad[i].text, strlen(bad[i].text), &h, &e) < 0);
        if (strncmp(e.msg, bad[i].want, strlen(bad[i].want)) != 0)
            fail_msg("bad %zu: %s", i, e.msg);
    }
    /* A head that never ends is refused once it is too long. */
    static char huge[KUBE_WS_HEAD_MAX + 100];
    memset(huge, 'x', sizeof huge);
    memcpy(huge, "HTTP/1.1 200 OK\r\nX: ", 20);
    assert_true(kube_wsproto_head(huge, sizeof huge, &h, &e) < 0);
    assert_non_null(strstr(e.msg, "head is over"));
}

static void
test_check_101(void **state)
{
    (void)state;
    static const char *const v4[] = {"v4.channel.k8s.io", NULL};
    static const char *const v5[] = {"v5.channel.k8s.io", NULL};
    const char *key = "dGhlIHNhbXBsZSBub25jZQ==";
    struct kube_ws_head h;
    struct pxerr e;
    assert_int_equal(kube_wsproto_head(ok101, strlen(ok101), &h, &e), 1);
    static const struct {
        const char *accept, *proto;
        bool upgrade, conn, allow_none;
        const char *const *offered;
        int code;
        const char *want;
    } cases[] = {
        {NULL, NULL, true, true, false, v4, 0, ""},
        {"AAAA", NULL, true, true, false, v4, PXE_HTTP, "U: wrong Sec-WebSocket-Accept \"AAAA\""},
        {NULL, NULL, false, true, false, v4, PXE_HTTP, "U: the 101 does not upgrade"},
        {NULL, NULL, true, false, false, v4, PXE_HTTP, "U: the 101 does not upgrade"},
        {NULL, "", true, true, true, v4, 0, ""},
        {NULL, "", true, true, false, v5, PXE_UNSUPPORTED,
         "U: the API server chose none of the offered WebSocket subprotocols (first: v5"},
        {NULL, NULL, true, true, false, v5, PXE_HTTP,
         "U: the API server chose subprotocol \"v4.channel.k8s.io\", which was not offered"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct kube_ws_head c = h;
        if (cases[i].accept)
            snprintf(c.accept, sizeof c.accept, "%s", cases[i].accept);
        if (cases[i].proto)
            snprintf(c.protocol, sizeof c.protocol, "%s", cases[i].proto);
        c.upgrade_websocket = cases[i].upgrade;
        c.connection_upgrade = cases[i].conn;
        memset(&e, 0, sizeof e);
        int rc = kube_wsproto_check_101(&c, key, cases[i].offered, cases[i].allow_none, "U", &e);
        if (rc != cases[i].code || strncmp(e.msg, cases[i].want, strlen(cases[i].want)) != 0)
            fail_msg("case %zu: rc %d: %s", i, rc, e.msg);
    }
}

static void
test_refusal(void **state)
{
    (void)state;
    const struct kube_ws_what w = {.resource = "pods/portforward", .ns = "pxc",
                                   .pod = "pxc-cluster-pxc-0", .server = "https://k:6443",
                                   .user = "laptop"};
    static const struct {
        long code;
        const char *body;
        int rc;
        const char *want;
    } cases[] = {
        {403,
         "{\"kind\":\"Status\",\"message\":\"pods \\\"pxc-cluster-pxc-0\\\" is forbidden: User "
         "\\\"laptop\\\" cannot create resource \\\"pods/portforward\\\"\"}",
         PXE_FORBIDDEN,
         "forbidden: cannot create pods/portforward in namespace pxc (the RBAC verb 'create' on "
         "'pods/portforward' is needed)"},
        {401, "{}", PXE_AUTH,
         "unauthorized: cannot create pods/portforward in namespace pxc (401 from "
         "https://k:6443): the server refused the credentials of user 'laptop'; check the "
         "token, certificate or exec plugin"},
        {404, "{\"message\":\"pods \\\"pxc-cluster-pxc-0\\\" not found\"}", PXE_NOTFOUND,
         "pod pxc/pxc-cluster-pxc-0 is gone (404 from https://k:6443): pods "
         "\"pxc-cluster-pxc-0\" not found"},
        {400,
         "{\"message\":\"unable to upgrade connection: pod pxc-cluster-pxc-0 is not running "
         "(phase Pending)\"}",
         PXE_HTTP,
         "cannot create pods/portforward for pod pxc/pxc-cluster-pxc-0 (400 from "
         "https://k:6443): unable to upgrade connection: pod pxc-cluster-pxc-0 is not running "
         "(phase Pending)"},
        {400, "Upgrade request required\n", PXE_HTTP,
         "cannot create pods/portforward for pod pxc/pxc-cluster-pxc-0 (400 from "
         "https://k:6443): Upgrade request required"},
        {503, "", PXE_HTTP,
         "server error: cannot create pods/portforward for pod pxc/pxc-cluster-pxc-0 (503 from "
         "https://k:6443)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct pxerr e = {0};
        int rc = kube_wsproto_refusal(cases[i].code, cases[i].body, strlen(cases[i].body), &w,
                                      &e);
        assert_int_equal(rc, e.code);
        if (rc != cases[i].rc || strcmp(e.msg, cases[i].want) != 0)
            fail_msg("case %zu: rc %d\n  got  %s\n  want %s", i, rc, e.msg, cases[i].want);
    }
}

struct pf_step {
    size_t len;
    uint8_t msg[8];
    int kind; /* KUBE_PF_*, or -1: an error */
    size_t plen;
    const char *want; /* the payload, or the start of the error */
};

static void
test_pf_demux(void **state)
{
    (void)state;
    /* Sequences of messages on one stream, each message with its expected outcome. */
    static const struct {
        size_t n;
        struct pf_step steps[5];
    } seqs[] = {
        {5, /* the kubelet's order: the port on both channels, then data and error text */
         {{3, {0, 0xea, 0x0c}, KUBE_PF_PORT, 0, ""},
          {3, {1, 0xea, 0x0c}, KUBE_PF_PORT, 0, ""},
          {4, {0, 'a', 'b', 'c'}, KUBE_PF_DATA, 3, "abc"},
          {5, {1, 'b', 'o', 'o', 'm'}, KUBE_PF_ERROR, 4, "boom"},
          {1, {0}, KUBE_PF_DATA, 0, ""}}},
        {2, /* data in the announcing message itself; then an empty message */
         {{5, {0, 0xea, 0x0c, 'h', 'i'}, KUBE_PF_DATA, 2, "hi"},
          {0, {0}, -1, 0, "port-forward: an empty message (no channel byte)"}}},
        {1,
         {{3, {0, 0xeb, 0x0c}, -1, 0,
           "port-forward: the data channel announced port 3307, not the port 3306 asked for"}}},
        {1,
         {{2, {1, 0xea}, -1, 0,
           "port-forward: the first message on the error channel is 1 bytes; it must announce "
           "the port"}}},
        {1,
         {{3, {2, 0xea, 0x0c}, -1, 0,
           "port-forward: a message on channel 2; one port was asked for"}}},
    };
    for (size_t s = 0; s < sizeof seqs / sizeof seqs[0]; s++) {
        struct kube_pf_demux d = {.port = 3306};
        for (size_t i = 0; i < seqs[s].n; i++) {
            const struct pf_step *st = &seqs[s].steps[i];
            const uint8_t *p;
            size_t n;
            struct pxerr e = {0};
            int k = kube_pf_demux_feed(&d, st->msg, st->len, &p, &n, &e);
            if (st->kind < 0) {
                if (k >= 0 || strncmp(e.msg, st->want, strlen(st->want)) != 0)
                    fail_msg("seq %zu step %zu: kind %d: %s", s, i, k, e.msg);
                continue;
            }
            if (k != st->kind || n != st->plen || (n && memcmp(p, st->want, n) != 0))
                fail_msg("seq %zu step %zu: kind %d len %zu (%s)", s, i, k, n, e.msg);
        }
    }
}

static void
test_exec_status(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        int rc, code;
        const char *msg;
    } cases[] = {
        {"{\"metadata\":{},\"status\":\"Success\"}", 0, 0, ""},
        {"{\"metadata\":{},\"status\":\"Failure\",\"message\":\"command terminated with non-zero "
         "exit code: command terminated with exit code 3\",\"reason\":\"NonZeroExitCode\","
         "\"details\":{\"causes\":[{\"reason\":\"ExitCode\",\"message\":\"3\"}]}}",
         0, 3, "command terminated with non-zero exit code: command terminated with exit code 3"},
        {"{\"status\":\"Failure\",\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":"
         "[{\"reason\":\"Other\",\"message\":\"x\"},{\"reason\":\"ExitCode\",\"message\":"
         "\"255\"}]}}",
         0, 255, ""},
        {"{\"status\":\"Failure\",\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":"
         "[{\"reason\":\"ExitCode\",\"message\":\"3x\"}]}}",
         PXE_PARSE, -1, ""},
        {"{\"status\":\"Failure\",\"reason\":\"InternalError\",\"message\":\"OCI runtime exec "
         "failed: exec: \\\"dig\\\": executable file not found in $PATH: unknown\"}",
         PXE_HTTP, -1, "OCI runtime exec failed: exec: \"dig\": executable file not found in "
                       "$PATH: unknown"},
        {"not json", PXE_PARSE, -1, ""},
        {"[1]", PXE_PARSE, -1, ""},
        {"{\"status\":\"Pending\"}", PXE_PARSE, -1, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int code = 42;
        char msg[200];
        struct pxerr e = {0};
        int rc = kube_exec_status_parse(cases[i].json, strlen(cases[i].json), &code, msg,
                                        sizeof msg, &e);
        if (rc != cases[i].rc || code != cases[i].code || strcmp(msg, cases[i].msg) != 0)
            fail_msg("case %zu: rc %d code %d msg '%s' err '%s'", i, rc, code, msg, e.msg);
        if (rc == PXE_HTTP)
            assert_string_equal(e.msg, cases[i].msg);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request),      cmocka_unit_test(test_head),
        cmocka_unit_test(test_check_101),    cmocka_unit_test(test_refusal),
        cmocka_unit_test(test_pf_demux),     cmocka_unit_test(test_exec_status),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
