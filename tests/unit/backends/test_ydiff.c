/* test_ydiff: the apply diff says what a server-side apply changes and nothing else. A
 * live label the manifest does not set is no removal (it used to show as "-   labels: {}");
 * a label this manager applied before and no longer sets is one; endpoints, hosts and
 * addresses compare as sets; a Secret's stringData compares as its data, and no Secret
 * value (base64 or plain) appears in the diff. The line diff of texts keeps its hunks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "strbuf.h"
#include "manifest/ydiff.h"

static json_t *
js(const char *text)
{
    json_error_t je;
    json_t *v = json_loads(text, 0, &je);
    if (v == NULL)
        fail_msg("bad JSON in the test: %s (%s)", je.text, text);
    return v;
}

/* ydiff_apply on JSON texts (NULL: no live / no dry-run answer); the diff in out. */
static int
diff(const char *live, const char *after, const char *intended, struct strbuf *out)
{
    json_t *l = live ? js(live) : NULL, *a = after ? js(after) : NULL, *i = js(intended);
    strbuf_reset(out);
    int n = ydiff_apply(l, a, i, "pxcmesh", 3, out);
    json_decref(l);
    json_decref(a);
    json_decref(i);
    return n;
}

#define SE_HEAD "\"apiVersion\": \"networking.istio.io/v1beta1\", \"kind\": \"ServiceEntry\""

static void
test_unset_fields_are_no_removal(void **state)
{
    (void)state;
    struct strbuf d;
    strbuf_init(&d);
    const char *live =
        "{" SE_HEAD ", \"metadata\": {\"name\": \"se\", \"namespace\": \"pxc\", \"uid\": \"u1\","
        " \"resourceVersion\": \"7\", \"labels\": {\"app.kubernetes.io/instance\": \"pxc-cluster\"}},"
        " \"spec\": {\"hosts\": [\"h.global\"], \"location\": \"MESH_INTERNAL\"},"
        " \"status\": {\"x\": 1}}";
    const char *intended =
        "{" SE_HEAD ", \"metadata\": {\"name\": \"se\", \"namespace\": \"pxc\", \"labels\":"
        " {\"app.kubernetes.io/managed-by\": \"pxcmesh\"}}, \"spec\": {\"hosts\": [\"h.global\"]}}";
    /* The server's answer: live merged with the manifest. */
    const char *after =
        "{" SE_HEAD ", \"metadata\": {\"name\": \"se\", \"namespace\": \"pxc\", \"uid\": \"u1\","
        " \"resourceVersion\": \"8\", \"labels\": {\"app.kubernetes.io/instance\": \"pxc-cluster\","
        " \"app.kubernetes.io/managed-by\": \"pxcmesh\"}},"
        " \"spec\": {\"hosts\": [\"h.global\"], \"location\": \"MESH_INTERNAL\"}, \"status\": {\"x\": 1}}";
    assert_int_equal(diff(live, after, intended, &d), 1);
    assert_string_equal(d.s, "    name: se\n"
                             "    namespace: pxc\n"
                             "    labels:\n"
                             "+     app.kubernetes.io/managed-by: pxcmesh\n"
                             "  spec:\n"
                             "    hosts:\n"
                             "    - h.global\n");
    assert_null(strstr(d.s, "{}"));
    assert_null(strstr(d.s, "instance"));
    /* The same manifest on an object that has everything: nothing. */
    assert_int_equal(diff(after, after, intended, &d), 0);
    assert_string_equal(d.s, "");
    strbuf_fini(&d);
}

static void
test_manager_removals(void **state)
{
    (void)state;
    struct strbuf d;
    strbuf_init(&d);
    /* pxcmesh applied label "old" before; the manifest no longer sets it; the apply drops
     * it (the dry run's answer lacks it). Another manager's label stays out of the diff. */
    const char *live =
        "{" SE_HEAD ", \"metadata\": {\"name\": \"se\", \"labels\": {\"old\": \"1\", \"keep\": \"2\","
        " \"theirs\": \"3\"}, \"managedFields\": [{\"manager\": \"pxcmesh\", \"operation\":"
        " \"Apply\", \"fieldsV1\": {\"f:metadata\": {\"f:labels\": {\"f:old\": {}, \"f:keep\":"
        " {}}}}}, {\"manager\": \"kubectl\", \"operation\": \"Update\", \"fieldsV1\":"
        " {\"f:metadata\": {\"f:labels\": {\"f:theirs\": {}}}}}]}}";
    const char *intended = "{" SE_HEAD ", \"metadata\": {\"name\": \"se\", \"labels\": {\"keep\": \"2\"}}}";
    const char *after = "{" SE_HEAD ", \"metadata\": {\"name\": \"se\", \"labels\": {\"keep\": \"2\","
                        " \"theirs\": \"3\"}}}";
    assert_int_equal(diff(live, after, intended, &d), 1);
    assert_non_null(strstr(d.s, "-     old: \"1\"\n"));
    assert_null(strstr(d.s, "theirs"));
    assert_null(strstr(d.s, "managedFields"));
    strbuf_fini(&d);
}

static void
test_sets(void **state)
{
    (void)state;
    struct strbuf d;
    strbuf_init(&d);
    const char *live = "{" SE_HEAD ", \"metadata\": {\"name\": \"se\"}, \"spec\": {\"hosts\": [\"b\", \"a\"],"
                       " \"addresses\": [\"240.0.0.2\", \"240.0.0.1\"], \"endpoints\": [{\"address\":"
                       " \"10.0.0.2\"}, {\"address\": \"10.0.0.1\"}], \"ports\": [{\"number\": 1}, {\"number\": 2}]}}";
    const char *intended = "{" SE_HEAD ", \"metadata\": {\"name\": \"se\"}, \"spec\": {\"hosts\": [\"a\", \"b\"],"
                           " \"addresses\": [\"240.0.0.1\", \"240.0.0.2\"], \"endpoints\": [{\"address\":"
                           " \"10.0.0.1\"}, {\"address\": \"10.0.0.2\"}], \"ports\": [{\"number\": 1}, {\"number\": 2}]}}";
    /* The order changes and nothing else: no change. */
    assert_int_equal(diff(live, intended, intended, &d), 0);
    /* One endpoint replaced: one line out, one in. */
    const char *moved = "{" SE_HEAD ", \"metadata\": {\"name\": \"se\"}, \"spec\": {\"endpoints\":"
                        " [{\"address\": \"10.0.0.9\"}, {\"address\": \"10.0.0.1\"}]}}";
    assert_int_equal(diff(live, moved, moved, &d), 2);
    assert_non_null(strstr(d.s, "+   - address: \"10.0.0.9\"\n"));
    assert_non_null(strstr(d.s, "-   - address: \"10.0.0.2\"\n"));
    assert_non_null(strstr(d.s, "    - address: \"10.0.0.1\"\n"));
    /* Lists where order matters still diff in order. */
    const char *swapped = "{" SE_HEAD ", \"metadata\": {\"name\": \"se\"}, \"spec\": {\"ports\":"
                          " [{\"number\": 2}, {\"number\": 1}]}}";
    assert_int_equal(diff(live, swapped, swapped, &d), 2);
    strbuf_fini(&d);
}

static void
test_secrets(void **state)
{
    (void)state;
    struct strbuf d;
    strbuf_init(&d);
    /* Live password "secret1" (c2VjcmV0MQ==), user "admin" (YWRtaW4=). */
    const char *live = "{\"apiVersion\": \"v1\", \"kind\": \"Secret\", \"metadata\": {\"name\": \"s\"},"
                       " \"data\": {\"password\": \"c2VjcmV0MQ==\", \"user\": \"YWRtaW4=\","
                       " \"other\": \"eA==\"}}";
    /* stringData unchanged: the server would store the same data. */
    const char *same = "{\"apiVersion\": \"v1\", \"kind\": \"Secret\", \"metadata\": {\"name\": \"s\"},"
                       " \"stringData\": {\"password\": \"secret1\"}}";
    assert_int_equal(diff(live, live, same, &d), 0);
    /* stringData changed: a change, and the answer of a server that merged it. */
    const char *changed = "{\"apiVersion\": \"v1\", \"kind\": \"Secret\", \"metadata\": {\"name\": \"s\"},"
                          " \"stringData\": {\"password\": \"secret2\", \"token\": \"tokvalue\"}}";
    const char *merged = "{\"apiVersion\": \"v1\", \"kind\": \"Secret\", \"metadata\": {\"name\": \"s\"},"
                         " \"data\": {\"password\": \"c2VjcmV0Mg==\", \"user\": \"YWRtaW4=\","
                         " \"other\": \"eA==\", \"token\": \"dG9rdmFsdWU=\"}}";
    assert_int_equal(diff(live, merged, changed, &d), 3);
    assert_non_null(strstr(d.s, "-   password: <hidden>\n+   password: <hidden, changed>\n"));
    assert_non_null(strstr(d.s, "+   token: <hidden>\n"));
    /* Without a dry run (intended as the result), the same. */
    assert_int_equal(diff(live, NULL, changed, &d), 3);
    /* No value, in any form, and no key the manifest does not set. */
    static const char *const never[] = {"secret1", "secret2", "c2VjcmV0", "tokvalue", "dG9rdmFsdWU",
                                        "user", "YWRtaW4", "other"};
    for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
        if (strstr(d.s, never[i]) != NULL)
            fail_msg("the diff shows '%s':\n%s", never[i], d.s);
    /* A new Secret with data: keys, no values. */
    assert_true(diff(NULL, NULL, live, &d) > 0);
    assert_non_null(strstr(d.s, "+   password: <hidden>\n"));
    assert_null(strstr(d.s, "c2VjcmV0MQ=="));
    strbuf_fini(&d);
}

static void
test_lines(void **state)
{
    (void)state;
    struct strbuf d;
    strbuf_init(&d);
    assert_int_equal(ydiff_lines("a\nb\nc\nd\ne\nf\ng\nh\n", "a\nB\nc\nd\ne\nf\ng\nH\n", 1, &d), 4);
    assert_string_equal(d.s, "  a\n+ B\n- b\n  c\n@@\n  g\n+ H\n- h\n");
    strbuf_fini(&d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unset_fields_are_no_removal),
        cmocka_unit_test(test_manager_removals),
        cmocka_unit_test(test_sets),
        cmocka_unit_test(test_secrets),
        cmocka_unit_test(test_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
