/* test_manifest: every generator against golden files (YAML, JSON, Nix), every generated
 * object against the real upstream CRD schemas, the YAML emitter round-tripped through
 * libyaml, and the schema validator's errors named by field path.
 * PXC_UPDATE_GOLDEN=1 rewrites the golden files (review the diff). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "strbuf.h"
#include "xmalloc.h"
#include "manifest/crdreg.h"
#include "manifest/manifest.h"
#include "manifest/schema.h"
#include "codec/yamldocs.h"
#include "codec/yamlu.h"
#include "codec/yamlout.h"

static struct crdreg *reg;

static int
setup(void **state)
{
    (void)state;
    struct pxerr err = {0};
    if (crdreg_load(NULL, &reg, &err) != 0) {
        fprintf(stderr, "crdreg_load: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    crdreg_free(reg);
    return 0;
}

static char *
slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    struct strbuf sb;
    strbuf_init(&sb);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        strbuf_appendn(&sb, buf, n);
    fclose(f);
    return strbuf_detach(&sb);
}

static void
golden(const char *name, const char *got)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/golden/%s", getenv("PXC_SOURCE_DIR"), name);
    if (getenv("PXC_UPDATE_GOLDEN") != NULL) {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(got, f);
        fclose(f);
    }
    char *want = slurp(path);
    if (want == NULL)
        fail_msg("golden file %s missing (run with PXC_UPDATE_GOLDEN=1)", path);
    if (strcmp(want, got) != 0) {
        fprintf(stderr, "--- %s (golden)\n%s--- got\n%s", path, want, got);
        free(want);
        fail_msg("output differs from %s", name);
    }
    free(want);
}

/* Golden in all three formats, CRD validation, and the YAML round trip. */
static void
check_docs(const char *base, json_t *docs)
{
    struct pxerr err = {0};
    if (mf_validate(reg, docs, &err) != 0)
        fail_msg("%s does not validate: %s", base, err.msg);
    const char *ext[] = {"yaml", "json", "nix"};
    for (int f = 0; f < 3; f++) {
        struct strbuf sb;
        strbuf_init(&sb);
        yamlout_docs(docs, (enum yamlout_format)f, &sb);
        char name[256];
        snprintf(name, sizeof name, "%s.%s", base, ext[f]);
        golden(name, sb.s);
        if (f == YAMLOUT_YAML) {
            json_t *back = NULL;
            assert_int_equal(yamldocs_load_buf(name, sb.s, sb.len, &back, &err), 0);
            if (!json_equal(back, docs)) {
                char *a = json_dumps(docs, 0), *b = json_dumps(back, 0);
                fprintf(stderr, "want %s\ngot  %s\n", a, b);
                free(a);
                free(b);
                fail_msg("%s: YAML does not read back to the same objects", name);
            }
            json_decref(back);
        }
        strbuf_fini(&sb);
    }
}

static void
test_namespace(void **state)
{
    (void)state;
    struct pxerr err = {0};
    json_t *docs = json_array();
    struct mf_namespace_opts o = {.name = "pxc"};
    assert_int_equal(mf_namespace(&o, docs, &err), 0);
    check_docs("namespace", docs);
    json_decref(docs);
    docs = json_array();
    o.revision = "1-20";
    assert_int_equal(mf_namespace(&o, docs, &err), 0);
    check_docs("namespace-revision", docs);
    json_decref(docs);
}

static void
test_serviceentry(void **state)
{
    (void)state;
    struct pxerr err = {0};
    json_t *docs = json_array();
    struct mf_serviceentry_opts o = {
        .name = "pxc-cluster",
        .namespace = "pxc",
        .remote_cluster = "cluster-b",
        .n_endpoints = 3,
        .endpoints = {{"172.19.0.2", 0}, {"172.19.0.3", 0}, {"172.19.0.4", 33060}},
        .mtls = true,
        .peer_auth = "STRICT",
    };
    assert_int_equal(mf_serviceentry(&o, docs, &err), 0);
    check_docs("serviceentry", docs);
    json_t *se = json_array_get(docs, 0);
    assert_string_equal(json_string_value(json_array_get(
                            json_object_get(json_object_get(se, "spec"), "hosts"), 0)),
                        "pxc-cluster.cluster-b.global");
    json_decref(docs);

    /* Each served API version validates too. */
    const char *versions[] = {"networking.istio.io/v1", "networking.istio.io/v1alpha3"};
    for (int i = 0; i < 2; i++) {
        docs = json_array();
        o.api_version = versions[i];
        o.mtls = false;
        o.peer_auth = NULL;
        assert_int_equal(mf_serviceentry(&o, docs, &err), 0);
        assert_int_equal(mf_validate(reg, docs, &err), 0);
        json_decref(docs);
    }
}

static void
test_serviceentry_errors(void **state)
{
    (void)state;
    struct pxerr err = {0};
    json_t *docs = json_array();
    struct mf_serviceentry_opts o = {.name = "pxc-cluster", .namespace = "pxc",
                                     .remote_cluster = "cluster-b"};
    assert_int_equal(mf_serviceentry(&o, docs, &err), PXE_USAGE);
    assert_non_null(strstr(err.msg, "--endpoint"));
    o.n_endpoints = 1;
    o.endpoints[0].address = "10.0.0.1'; DROP";
    assert_int_equal(mf_serviceentry(&o, docs, &err), PXE_INVAL);
    assert_non_null(strstr(err.msg, "--endpoint '10.0.0.1'; DROP'"));
    o.endpoints[0].address = "10.0.0.1";
    o.remote_cluster = "Cluster_B";
    assert_int_equal(mf_serviceentry(&o, docs, &err), PXE_INVAL);
    assert_string_equal(err.msg, "--remote-cluster 'Cluster_B': only lower-case letters, digits "
                                 "and '-' are allowed (a Kubernetes name)");
    o.remote_cluster = "cluster-b";
    o.address = "240.240.0.300";
    assert_int_equal(mf_serviceentry(&o, docs, &err), PXE_INVAL);
    assert_string_equal(err.msg, "--address '240.240.0.300' is not an IPv4 address");
    o.address = NULL;
    /* STATIC endpoints are IP literals; names need DNS resolution. */
    o.endpoints[0].address = "999.1.1.1";
    assert_int_equal(mf_serviceentry(&o, docs, &err), PXE_INVAL);
    assert_string_equal(err.msg, "--endpoint '999.1.1.1' is not an IPv4 address (four numbers "
                                 "0-255, dot-separated)");
    o.endpoints[0].address = "foo.example.com";
    assert_int_equal(mf_serviceentry(&o, docs, &err), PXE_INVAL);
    assert_string_equal(err.msg, "--endpoint 'foo.example.com' is not an IP address: the "
                                 "endpoints of a STATIC ServiceEntry are IPv4 or IPv6 addresses; "
                                 "for a host name use --resolution DNS");
    o.resolution = "dns";
    assert_int_equal(mf_serviceentry(&o, docs, &err), PXE_INVAL);
    assert_non_null(strstr(err.msg, "--resolution 'dns': use STATIC"));
    o.resolution = "DNS";
    o.endpoints[0].address = "999.1.1.1";
    assert_int_equal(mf_serviceentry(&o, docs, &err), PXE_INVAL);
    o.endpoints[0].address = "-foo.example.com";
    assert_int_equal(mf_serviceentry(&o, docs, &err), PXE_INVAL);
    assert_non_null(strstr(err.msg, "is neither an IP address nor a host name"));
    assert_int_equal(json_array_size(docs), 0);
    o.endpoints[0].address = "foo.example.com";
    assert_int_equal(mf_serviceentry(&o, docs, &err), 0);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_array_get(docs, 0), "spec"), "resolution")),
                        "DNS");
    assert_int_equal(mf_validate(reg, docs, &err), 0);
    json_array_clear(docs);
    o.resolution = NULL;
    o.endpoints[0].address = "fd00::1";
    assert_int_equal(mf_serviceentry(&o, docs, &err), 0);
    json_array_clear(docs);
    o.endpoints[0].address = "10.0.0.1";
    assert_int_equal(json_array_size(docs), 0);
    json_decref(docs);

    char ep[] = "[fd00::1]:3307";
    struct mf_endpoint e;
    assert_int_equal(mf_parse_endpoint(ep, &e, &err), 0);
    assert_string_equal(e.address, "fd00::1");
    assert_int_equal(e.port, 3307);
    char bad[] = "10.0.0.1:99999";
    assert_int_equal(mf_parse_endpoint(bad, &e, &err), PXE_INVAL);
    assert_string_equal(err.msg, "--endpoint 10.0.0.1: port '99999' is not 1-65535");
}

static void
test_pxc(void **state)
{
    (void)state;
    struct pxerr err = {0};
    json_t *docs = json_array();
    struct mf_pxc_opts o = {.name = "pxc-cluster", .namespace = "pxc", .size = 3};
    assert_int_equal(mf_pxc(&o, docs, &err), 0);
    json_t *pxc = json_object_get(json_object_get(json_array_get(docs, 0), "spec"), "pxc");
    assert_null(json_object_get(pxc, "expose"));
    check_docs("pxc", docs);
    json_decref(docs);

    docs = json_array();
    o.n_channels = 1;
    o.channels[0] = (struct mf_pxc_channel){
        .name = "cluster_b_source",
        .n_sources = 2,
        .sources = {{"pxc-cluster.cluster-b.global", 0, 100}, {"10.0.1.10", 3307, 50}}};
    o.haproxy = true;
    assert_int_equal(mf_pxc(&o, docs, &err), 0);
    check_docs("pxc-replica", docs);
    json_decref(docs);

    docs = json_array();
    o.size = 12;
    assert_int_equal(mf_pxc(&o, docs, &err), PXE_INVAL);
    assert_string_equal(err.msg, "--size 12: a PXC cluster has 1 to 9 nodes (odd sizes keep "
                                 "quorum)");
    json_decref(docs);
}

static void
test_multicluster_and_secret(void **state)
{
    (void)state;
    struct pxerr err = {0};
    json_t *docs = json_array();
    struct mf_multicluster_opts m = {.cluster_name = "cluster-a", .network = "network1",
                                     .mesh_id = "mesh1", .eastwest = true, .expose = true};
    assert_int_equal(mf_multicluster(&m, docs, &err), 0);
    check_docs("multicluster", docs);
    json_decref(docs);

    docs = json_array();
    struct mf_remote_secret_opts r = {.cluster_name = "cluster-b",
                                      .server = "https://127.0.20.100:6443",
                                      .ca_data = "LS0tLS1CRUdJTi0tLS0tCg==",
                                      .token = "eyJhbGciOiJSUzI1NiJ9.test"};
    assert_int_equal(mf_remote_secret(&r, docs, &err), 0);
    check_docs("remote-secret", docs);
    json_decref(docs);

    /* A token with a line break is refused; one YAML would misread is quoted. */
    docs = json_array();
    r.token = "abc\ncurrent-context: evil";
    assert_int_equal(mf_remote_secret(&r, docs, &err), PXE_INVAL);
    assert_string_equal(err.msg, "the token holds a line break (byte 0x0a at offset 3): a bearer "
                                 "token is one line of printable characters; check --token-file");
    assert_null(strstr(err.msg, "evil"));
    r.token = "*tok: #x";
    assert_int_equal(mf_remote_secret(&r, docs, &err), PXE_INVAL);
    assert_non_null(strstr(err.msg, "the token holds a space"));
    r.token = "*tok:#x'\"";
    assert_int_equal(mf_remote_secret(&r, docs, &err), 0);
    const char *kc = json_string_value(
        json_object_get(json_object_get(json_array_get(docs, 0), "stringData"), "cluster-b"));
    struct yamlu_doc *y = NULL;
    assert_int_equal(yamlu_load_buf("kubeconfig", kc, strlen(kc), &y, &err), 0);
    json_t *user = json_object_get(json_array_get(json_object_get(y->root, "users"), 0), "user");
    assert_string_equal(json_string_value(json_object_get(user, "token")), "*tok:#x'\"");
    assert_string_equal(json_string_value(json_object_get(y->root, "current-context")),
                        "cluster-b");
    yamlu_free(y);
    json_decref(docs);
    r.token = "eyJhbGciOiJSUzI1NiJ9.test";

    docs = json_array();
    r.server = "http://insecure";
    assert_int_equal(mf_remote_secret(&r, docs, &err), PXE_INVAL);
    assert_non_null(strstr(err.msg, "must start with https://"));
    json_decref(docs);
}

static void
test_replication_sql(void **state)
{
    (void)state;
    struct pxerr err = {0};
    const char *names[] = {"replication-sql-mysql.sql", "replication-sql-mysql57.sql",
                           "replication-sql-mariadb.sql"};
    for (int d = 0; d < 3; d++) {
        struct strbuf sb;
        strbuf_init(&sb);
        struct mf_repl_sql_opts o = {.channel = "cluster_b_source",
                                     .source_host = "pxc-cluster.cluster-b.global",
                                     .user = "replication_user",
                                     .password = "s3cr'et",
                                     .dialect = (enum mf_dialect)d,
                                     .create_user = true};
        assert_int_equal(mf_replication_sql(&o, &sb, &err), 0);
        assert_null(strstr(sb.s, "s3cr"));
        assert_non_null(strstr(sb.s, "'********'"));
        golden(names[d], sb.s);
        strbuf_reset(&sb);
        o.show_password = true;
        assert_int_equal(mf_replication_sql(&o, &sb, &err), 0);
        assert_non_null(strstr(sb.s, "'s3cr\\'et'"));
        strbuf_fini(&sb);
    }
    struct strbuf sb;
    strbuf_init(&sb);
    struct mf_repl_sql_opts bad = {.channel = "x'; DROP TABLE t; --", .source_host = "h"};
    assert_int_equal(mf_replication_sql(&bad, &sb, &err), PXE_INVAL);
    assert_non_null(strstr(err.msg, "--channel 'x'; DROP TABLE t; --'"));
    bad.channel = "ok";
    bad.source_host = "evil' host";
    assert_int_equal(mf_replication_sql(&bad, &sb, &err), PXE_INVAL);
    assert_int_equal(sb.len, 0);
    strbuf_fini(&sb);
}

static void
test_schema_errors(void **state)
{
    (void)state;
    struct pxerr err = {0};
    json_t *docs = NULL;
    const char *bad_port = "apiVersion: networking.istio.io/v1beta1\nkind: ServiceEntry\n"
                           "metadata: {name: se, namespace: pxc}\n"
                           "spec:\n  hosts: [a.global]\n  ports:\n  - number: abc\n"
                           "    name: tcp-mysql\n    protocol: TCP\n";
    assert_int_equal(yamldocs_load_buf("t", bad_port, strlen(bad_port), &docs, &err), 0);
    assert_int_equal(mf_validate(reg, docs, &err), PXE_SCHEMA);
    assert_string_equal(err.msg, "ServiceEntry se: spec.ports[0].number: expected integer, got "
                                 "string \"abc\"");
    json_decref(docs);

    const char *typo = "apiVersion: networking.istio.io/v1beta1\nkind: ServiceEntry\n"
                       "metadata: {name: se}\nspec:\n  hosts: [a.global]\n  resolutoin: STATIC\n";
    assert_int_equal(yamldocs_load_buf("t", typo, strlen(typo), &docs, &err), 0);
    assert_int_equal(mf_validate(reg, docs, &err), PXE_SCHEMA);
    assert_string_equal(err.msg, "ServiceEntry se: spec.resolutoin: unknown field");
    json_decref(docs);

    const char *badenum = "apiVersion: networking.istio.io/v1beta1\nkind: ServiceEntry\n"
                          "metadata: {name: se}\nspec:\n  hosts: [a.global]\n"
                          "  resolution: STATICK\n";
    assert_int_equal(yamldocs_load_buf("t", badenum, strlen(badenum), &docs, &err), 0);
    assert_int_equal(mf_validate(reg, docs, &err), PXE_SCHEMA);
    assert_non_null(strstr(err.msg, "spec.resolution: string \"STATICK\" is not one of: NONE"));
    json_decref(docs);

    const char *badname = "apiVersion: v1\nkind: Namespace\nmetadata: {name: Bad_Name}\n";
    assert_int_equal(yamldocs_load_buf("t", badname, strlen(badname), &docs, &err), 0);
    assert_int_equal(mf_validate(reg, docs, &err), PXE_SCHEMA);
    assert_non_null(strstr(err.msg, "Namespace Bad_Name: metadata.name"));
    json_decref(docs);

    const char *pxc = "apiVersion: pxc.percona.com/v1\nkind: PerconaXtraDBCluster\n"
                      "metadata: {name: p}\nspec:\n  pxc:\n    size: three\n";
    assert_int_equal(yamldocs_load_buf("t", pxc, strlen(pxc), &docs, &err), 0);
    assert_int_equal(mf_validate(reg, docs, &err), PXE_SCHEMA);
    assert_string_equal(err.msg, "PerconaXtraDBCluster p: spec.pxc.size: expected integer, got "
                                 "string \"three\"");
    json_decref(docs);
}

static void
test_upstream_objects_validate(void **state)
{
    (void)state;
    /* The real upstream examples must pass the validator (no false alarms). */
    const char *files[] = {"istio/destination-rule-all-mtls.yaml", "istio/peer-authn-strict-in.yaml",
                           "istio/expose-services.yaml", "pxc-operator/cr.yaml",
                           "pxc-operator/cross-site-replica.yml"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/tests/fixtures/upstream/%s", getenv("PXC_SOURCE_DIR"),
                 strrchr(files[i], '/') + 1);
        json_t *docs = NULL;
        struct pxerr err = {0};
        if (yamldocs_load_file(path, &docs, &err) != 0)
            fail_msg("%s", err.msg);
        if (mf_validate(reg, docs, &err) != 0)
            fail_msg("%s: %s", files[i], err.msg);
        json_decref(docs);
    }
}

static void
test_vip_stable(void **state)
{
    (void)state;
    char a[32], b[32];
    mf_vip_for_host("pxc-cluster.cluster-b.global", a, sizeof a);
    mf_vip_for_host("pxc-cluster.cluster-b.global", b, sizeof b);
    assert_string_equal(a, b);
    assert_memory_equal(a, "240.240.", 8);
    mf_vip_for_host("pxc-cluster.cluster-c.global", b, sizeof b);
    assert_string_not_equal(a, b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_namespace),
        cmocka_unit_test(test_serviceentry),
        cmocka_unit_test(test_serviceentry_errors),
        cmocka_unit_test(test_pxc),
        cmocka_unit_test(test_multicluster_and_secret),
        cmocka_unit_test(test_replication_sql),
        cmocka_unit_test(test_schema_errors),
        cmocka_unit_test(test_upstream_objects_validate),
        cmocka_unit_test(test_vip_stable),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
