/* test_tabw: kubectl's table shape (columns as wide as their widest cell by display width,
 * UTF-8 included, two spaces apart, nothing cut, the last column unpadded, short rows), and
 * outfmt's -o parsing: each output accepted where the verb has it, refused (exit 2) where
 * it does not, a bad jsonpath refused, a later -o replacing an earlier one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "outfmt.h"
#include "tabw.h"

static char *
render(void (*fill)(struct tabw *))
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct tabw t;
    tabw_init(&t);
    fill(&t);
    tabw_flush(&t, f);
    tabw_fini(&t);
    fclose(f);
    return buf;
}

static void
fill_basic(struct tabw *t)
{
    tabw_row(t);
    tabw_cell(t, "CLUSTER");
    tabw_cell(t, "NAME");
    tabw_cell(t, "SOURCE");
    tabw_row(t);
    tabw_cell(t, "a");
    tabw_cell(t, "pxc-cluster-pxc-0");
    tabw_cell(t, "pxc-cluster.cluster-b.global:3306");
    tabw_row(t);
    tabw_cell(t, "cluster-b");
    tabw_cellf(t, "n%d", 1);
    tabw_cell(t, NULL);
    tabw_row(t); /* a short row */
    tabw_cell(t, "é-ü");
}

static void
test_shape(void **state)
{
    (void)state;
    char *s = render(fill_basic);
    assert_string_equal(s, "CLUSTER    NAME               SOURCE\n"
                           "a          pxc-cluster-pxc-0  pxc-cluster.cluster-b.global:3306\n"
                           "cluster-b  n1                 \n"
                           "é-ü\n");
    free(s);
}

static void
test_outfmt(void **state)
{
    (void)state;
    struct outfmt o = {0};
    unsigned objects = OUTFMT_OBJECTS;
    const char *ok[] = {"json", "yaml", "wide", "name", "jsonpath={.a}"};
    const enum outfmt_kind want[] = {OUTFMT_JSON, OUTFMT_YAML, OUTFMT_WIDE, OUTFMT_NAME,
                                     OUTFMT_JSONPATH};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        assert_int_equal(outfmt_set(&o, "status", ok[i], objects), 0);
        assert_int_equal(o.kind, want[i]);
    }
    assert_non_null(o.jp);
    /* Refused: not this verb's, unknown, a template missing or wrong. The kind in force
     * stays. */
    assert_int_equal(outfmt_set(&o, "status", "nix", objects), 2);
    assert_int_equal(outfmt_set(&o, "status", "xml", objects), 2);
    assert_int_equal(outfmt_set(&o, "status", "jsonpath", objects), 2);
    assert_int_equal(outfmt_set(&o, "status", "jsonpath={.a[0,1]}", objects), 2);
    assert_int_equal(o.kind, OUTFMT_JSONPATH);
    assert_int_equal(outfmt_set(&o, "generate", "nix", objects | OUTFMT_BIT(OUTFMT_NIX)), 0);
    assert_int_equal(o.kind, OUTFMT_NIX);
    assert_null(o.jp);
    char names[160];
    outfmt_names(OUTFMT_BIT(OUTFMT_TEXT) | OUTFMT_BIT(OUTFMT_JSON) | OUTFMT_BIT(OUTFMT_JSONPATH),
                 names, sizeof names);
    assert_string_equal(names, "text (no -o), json, jsonpath=TEMPLATE");
    outfmt_fini(&o);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shape),
        cmocka_unit_test(test_outfmt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
