/* test_jsonpath: kubectl's jsonpath subset over a PodList-shaped document: fields, indexes
 * (negative too), slices, wildcards, recursive descent, filters with each operator and with
 * presence, range/end with text, quoted literals with escapes, the relaxed form without
 * braces; and the errors for what the subset refuses, with their column. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "strbuf.h"
#include "codec/jsonpath.h"

static const char doc_text[] =
    "{\"kind\":\"List\",\"items\":["
    "{\"metadata\":{\"name\":\"a-0\",\"namespace\":\"pxc\",\"labels\":{\"app.kubernetes.io/"
    "component\":\"pxc\"}},\"status\":{\"phase\":\"Running\",\"podIP\":\"10.0.0.1\","
    "\"restarts\":0}},"
    "{\"metadata\":{\"name\":\"a-1\",\"namespace\":\"pxc\"},\"status\":{\"phase\":\"Pending\","
    "\"restarts\":3}},"
    "{\"metadata\":{\"name\":\"b-0\",\"namespace\":\"kube-system\"},\"status\":{\"phase\":"
    "\"Running\",\"restarts\":1,\"ready\":true}}]}";

struct good {
    const char *tmpl;
    const char *want;
};

static const struct good goods[] = {
    {"{.kind}", "List"},
    {"{$.kind}", "List"},
    {"kind", "List"},
    {"{.items[0].metadata.name}", "a-0"},
    {"{.items[-1].metadata.name}", "b-0"},
    {"{.items[*].metadata.name}", "a-0 a-1 b-0"},
    {"{.items[0:2].metadata.name}", "a-0 a-1"},
    {"{.items[::2].metadata.name}", "a-0 b-0"},
    {"{.items[5].metadata.name}", ""},
    {"{..podIP}", "10.0.0.1"},
    {"{.items[0].metadata.labels['app.kubernetes.io/component']}", "pxc"},
    {"{.items[?(@.status.phase==\"Running\")].metadata.name}", "a-0 b-0"},
    {"{.items[?(@.status.phase != 'Running')].metadata.name}", "a-1"},
    {"{.items[?(@.status.restarts > 0)].metadata.name}", "a-1 b-0"},
    {"{.items[?(@.status.restarts <= 1)].metadata.name}", "a-0 b-0"},
    {"{.items[?(@.status.ready)].metadata.name}", "b-0"},
    {"{.items[?(@.status.ready == true)].metadata.name}", "b-0"},
    {"{range .items[*]}{.metadata.namespace}/{.metadata.name}{\"\\n\"}{end}",
     "pxc/a-0\npxc/a-1\nkube-system/b-0\n"},
    {"{range .items[*]}[{@.status.restarts}]{end}", "[0][3][1]"},
    {"n={.items[1].status}", "n={\"phase\":\"Pending\",\"restarts\":3}"},
    {"{.items[0].metadata.*}", "a-0 pxc {\"app.kubernetes.io/component\":\"pxc\"}"},
    {"{.nothing.here}", ""},
    {"{'\\t'}x", "\tx"},
};

static void
test_good(void **state)
{
    (void)state;
    json_error_t je;
    json_t *doc = json_loads(doc_text, 0, &je);
    assert_non_null(doc);
    for (size_t i = 0; i < sizeof goods / sizeof goods[0]; i++) {
        struct jsonpath *jp = NULL;
        struct pxerr err = {0};
        if (jsonpath_compile(goods[i].tmpl, &jp, &err) != 0)
            fail_msg("%s: %s", goods[i].tmpl, err.msg);
        struct strbuf out;
        strbuf_init(&out);
        jsonpath_eval(jp, doc, &out);
        if (strcmp(out.s, goods[i].want) != 0)
            fail_msg("%s: got '%s', want '%s'", goods[i].tmpl, out.s, goods[i].want);
        strbuf_fini(&out);
        jsonpath_free(jp);
    }
    json_decref(doc);
}

struct bad {
    const char *tmpl;
    const char *want; /* a part of the message */
};

static const struct bad bads[] = {
    {"{.items[?(@.x ~ 1)]}", "at column 15: expected ==, !=, <, >, <=, >= or ')'"},
    {"{.items[0,1]}", "unions and names without quotes are not supported"},
    {"{.items", "'{' is not closed by '}'"},
    {"{range .items[*]}{.a}", "'range' without 'end'"},
    {"{end}", "'end' without 'range'"},
    {"{len(.items)}", "unexpected character"},
    {"{.a['b}", "'{' is not closed by '}'"}, /* the quote takes the brace in */
    {"{}", "an empty {}"},
    {"{.items[?(x)]}", "a filter starts with @"},
};

static void
test_bad(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
        struct jsonpath *jp = NULL;
        struct pxerr err = {0};
        if (jsonpath_compile(bads[i].tmpl, &jp, &err) == 0)
            fail_msg("%s: compiled", bads[i].tmpl);
        assert_null(jp);
        if (strstr(err.msg, bads[i].want) == NULL)
            fail_msg("%s: message '%s' lacks '%s'", bads[i].tmpl, err.msg, bads[i].want);
        if (strncmp(err.msg, "jsonpath '", 10) != 0)
            fail_msg("%s: message '%s' does not quote the template", bads[i].tmpl, err.msg);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),
        cmocka_unit_test(test_bad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
