/* test_mesh: the one rule for a remote cluster's ServiceEntry endpoints (doctor/mesh.h),
 * table-driven: which of a cluster's node addresses become endpoints and in which order
 * (pods never do), the membership test the doctor and the set-up check with, and the
 * NAME.CLUSTER.global host split. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "strbuf.h"
#include "doctor/mesh.h"
#include "model/model.h"

#define MAX_NODES 8

struct node_spec {
    const char *internal, *external;
};
#define N(ip)                                                                                      \
    {                                                                                              \
        .internal = (ip)                                                                           \
    }

/* A cluster with these nodes (in this listing order) and three PXC pods at 10.42.0.x, which
 * the rule must never pick. */
static struct m_cluster *
cluster_with(struct model *m, const struct node_spec *nodes)
{
    struct m_cluster *c = model_cluster_add(m, "cluster-b", "cluster-b", "https://b");
    for (int i = 0; i < MAX_NODES && nodes[i].internal != NULL; i++) {
        char name[32];
        snprintf(name, sizeof name, "node-%d", i);
        struct m_node *nd = model_node_upsert(m, c, name);
        snprintf(nd->internal_ip, sizeof nd->internal_ip, "%s", nodes[i].internal);
        if (nodes[i].external != NULL)
            snprintf(nd->external_ip, sizeof nd->external_ip, "%s", nodes[i].external);
    }
    for (int i = 0; i < 3; i++) {
        char name[32];
        snprintf(name, sizeof name, "pxc-cluster-pxc-%d", i);
        struct m_pod *p = model_pod_upsert(m, c, "pxc", name);
        snprintf(p->ip, sizeof p->ip, "10.42.0.%d", i + 1);
        p->component = intern_str(&m->strings, "pxc");
        p->instance = intern_str(&m->strings, "pxc-cluster");
    }
    return c;
}

static const struct {
    const char *what;
    struct node_spec nodes[MAX_NODES]; /* "" internal: a node without an InternalIP */
    int max;
    int want_total;
    const char *want; /* the endpoints written, comma-separated */
} endpoint_cases[] = {
    {"the lab's three nodes",
     {N("127.0.20.1"), N("127.0.20.2"), N("127.0.20.3")},
     64,
     3,
     "127.0.20.1,127.0.20.2,127.0.20.3"},
    {"listing order does not matter",
     {N("172.19.0.4"), N("172.19.0.2"), N("172.19.0.3")},
     64,
     3,
     "172.19.0.2,172.19.0.3,172.19.0.4"},
    {"numeric, not text, order",
     {N("10.0.0.10"), N("10.0.0.9"), N("9.255.0.1")},
     64,
     3,
     "9.255.0.1,10.0.0.9,10.0.0.10"},
    {"IPv4 before IPv6",
     {N("fd00::2"), N("192.168.1.5"), N("fd00::10")},
     64,
     3,
     "192.168.1.5,fd00::2,fd00::10"},
    {"ExternalIPs are not endpoints",
     {{.internal = "172.19.0.2", .external = "203.0.113.7"},
      {.internal = "172.19.0.3", .external = "203.0.113.8"}},
     64,
     2,
     "172.19.0.2,172.19.0.3"},
    {"a node without an InternalIP is skipped",
     {N("172.19.0.3"), N(""), N("172.19.0.2")},
     64,
     2,
     "172.19.0.2,172.19.0.3"},
    {"one address reported twice is one endpoint",
     {N("172.19.0.2"), N("172.19.0.2")},
     64,
     1,
     "172.19.0.2"},
    {"too small a buffer: the first, and the total",
     {N("10.0.0.3"), N("10.0.0.1"), N("10.0.0.2")},
     2,
     3,
     "10.0.0.1,10.0.0.2"},
    {"no node listed: none, not the pods", {{.internal = NULL}}, 64, 0, ""},
    {"no InternalIP at all: none, not the pods", {N(""), N("")}, 64, 0, ""},
};

static void
test_endpoints(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof endpoint_cases / sizeof endpoint_cases[0]; i++) {
        struct model *m = model_new();
        struct m_cluster *c = cluster_with(m, endpoint_cases[i].nodes);
        const char *out[64];
        int total = mesh_endpoints(c, out, endpoint_cases[i].max);
        struct strbuf got;
        strbuf_init(&got);
        int n = total < endpoint_cases[i].max ? total : endpoint_cases[i].max;
        for (int k = 0; k < n; k++)
            strbuf_appendf(&got, "%s%s", k ? "," : "", out[k]);
        if (total != endpoint_cases[i].want_total || strcmp(got.s, endpoint_cases[i].want) != 0)
            fail_msg("%s: got %d \"%s\", want %d \"%s\"", endpoint_cases[i].what, total, got.s,
                     endpoint_cases[i].want_total, endpoint_cases[i].want);
        strbuf_fini(&got);
        model_free(m);
    }
}

static void
test_is_endpoint(void **state)
{
    (void)state;
    static const struct node_spec nodes[MAX_NODES] = {
        {.internal = "172.19.0.2", .external = "203.0.113.7"}, N("172.19.0.3"), N("fd00::2")};
    static const struct {
        const char *address;
        bool want;
    } cases[] = {
        {"172.19.0.2", true},   {"172.19.0.3", true}, {"fd00:0:0::2", true}, /* same IPv6 */
        {"203.0.113.7", false},                                              /* an ExternalIP */
        {"10.42.0.1", false},                                                /* a PXC pod's IP */
        {"172.19.0.20", false}, {"", false},          {"node-0", false},
    };
    struct model *m = model_new();
    struct m_cluster *c = cluster_with(m, nodes);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (mesh_is_endpoint(c, cases[i].address) != cases[i].want)
            fail_msg("mesh_is_endpoint(%s) is not %d", cases[i].address, cases[i].want);
    assert_false(mesh_is_endpoint(c, NULL));
    assert_true(mesh_address_equal("::1", "0::1"));
    assert_true(mesh_address_equal("10.0.0.1", "10.0.0.1"));
    assert_false(mesh_address_equal("10.0.0.1", "10.0.0.10"));
    assert_true(mesh_address_equal("db.example", "db.example"));
    model_free(m);
}

static void
test_host_parse(void **state)
{
    (void)state;
    static const struct {
        const char *host;
        bool ok;
        const char *name, *cluster;
    } cases[] = {
        {"pxc-cluster.cluster-b.global", true, "pxc-cluster", "cluster-b"},
        {"pxc-cluster.cluster-b.GLOBAL", true, "pxc-cluster", "cluster-b"},
        {"pxc-cluster.global", false, NULL, NULL},              /* no cluster */
        {"a.b.c.global", false, NULL, NULL},                    /* more than three labels */
        {".cluster-b.global", false, NULL, NULL},               /* empty name */
        {"pxc..global", false, NULL, NULL},                     /* empty cluster */
        {"pxc.cluster-b.svc.cluster.local", false, NULL, NULL}, /* not .global */
        {"pxc.cluster-b.globalx", false, NULL, NULL},
        {"", false, NULL, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char name[64] = "untouched", cluster[64] = "untouched";
        bool ok = mesh_host_parse(cases[i].host, name, sizeof name, cluster, sizeof cluster);
        if (ok != cases[i].ok)
            fail_msg("mesh_host_parse(\"%s\") is %d", cases[i].host, ok);
        assert_string_equal(name, ok ? cases[i].name : "untouched");
        assert_string_equal(cluster, ok ? cases[i].cluster : "untouched");
    }
    /* Either part alone; a part that does not fit is a refusal, not a cut. */
    char cl[16];
    assert_true(mesh_host_parse("x.cluster-b.global", NULL, 0, cl, sizeof cl));
    assert_string_equal(cl, "cluster-b");
    char small[4] = "abc";
    assert_false(mesh_host_parse("pxc-cluster.b.global", small, sizeof small, NULL, 0));
    assert_string_equal(small, "abc");
    assert_false(mesh_host_parse(NULL, NULL, 0, NULL, 0));
}

static void
se_hosts(struct m_sentry *se, const char *host)
{
    se->hosts = calloc(1, sizeof *se->hosts);
    se->hosts[0] = strdup(host);
    se->n_hosts = 1;
}

/* Who uses a ServiceEntry (before deleting it), and which a cluster lacks (to create). */
static void
test_users_and_missing(void **state)
{
    (void)state;
    struct model *m = model_new();
    struct m_cluster *a = model_cluster_add(m, "cluster-a", "cluster-a", "https://a");
    struct m_cluster *b = model_cluster_add(m, "cluster-b", "cluster-b", "https://b");
    struct m_cluster *c = model_cluster_add(m, "cluster-c", "cluster-c", "https://c");
    model_pxc_upsert(m, a, "db", "pxc-cluster");
    model_pxc_upsert(m, b, "pxc", "pxc-cluster");
    model_pxc_upsert(m, c, "pxc", "other");
    struct m_pod *p = model_pod_upsert(m, a, "db", "pxc-cluster-pxc-0");
    snprintf(p->ip, sizeof p->ip, "10.42.0.1");
    /* cluster-a declares cluster-b's host; its channel reads from it and a failover source
     * reads from cluster-c's, which nothing declares. */
    struct m_sentry *se = model_sentry_upsert(m, a, "db", "pxc-cluster-cluster-b");
    se_hosts(se, "PXC-CLUSTER.cluster-b.global");
    struct m_channel *ch = model_channel_upsert(m, a, "pxc-cluster-pxc-0", "from_b");
    model_set_str(&ch->source_host, "pxc-cluster.cluster-b.global");
    struct m_channel *ch2 = model_channel_upsert(m, a, "pxc-cluster-pxc-0", "from_c");
    model_set_str(&ch2->source_host, "10.0.0.9");
    ch2->n_failover = 1;
    snprintf(ch2->failover[0].host, sizeof ch2->failover[0].host, "pxc-cluster.cluster-b.global");
    struct m_channel *ch3 = model_channel_upsert(m, a, "pxc-cluster-pxc-0", "from_x");
    model_set_str(&ch3->source_host, "other.cluster-c.global");

    struct strbuf users;
    strbuf_init(&users);
    assert_int_equal(mesh_sentry_users(a, se, &users), 2); /* case-insensitive hosts */
    assert_string_equal(users.s,
                        "channel from_b on pxc-cluster-pxc-0 reads from pxc-cluster.cluster-b.global\n"
                        "channel from_c on pxc-cluster-pxc-0 has pxc-cluster.cluster-b.global in "
                        "its source list\n"); /* by its failover list */
    strbuf_fini(&users);

    struct mesh_missing mm[4];
    assert_int_equal(mesh_missing(m, a, mm, 4), 1);
    assert_string_equal(mm[0].host, "other.cluster-c.global");
    assert_string_equal(mm[0].remote, "cluster-c");
    assert_string_equal(mm[0].name, "other");
    assert_string_equal(mm[0].ns, "db"); /* the namespace of the pod running from_x */
    assert_int_equal(mm[0].n_users, 1);
    /* cluster-b declares nothing: both others' hosts, by host, nobody needing them. */
    assert_int_equal(mesh_missing(m, b, mm, 4), 2);
    assert_string_equal(mm[0].host, "other.cluster-c.global");
    assert_string_equal(mm[1].host, "pxc-cluster.cluster-a.global");
    assert_string_equal(mm[1].ns, "pxc");
    assert_int_equal(mm[1].n_users, 0);
    assert_int_equal(mesh_missing(m, b, mm, 1), 2);
    model_free(m);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_endpoints),
        cmocka_unit_test(test_is_endpoint),
        cmocka_unit_test(test_host_parse),
        cmocka_unit_test(test_users_and_missing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
