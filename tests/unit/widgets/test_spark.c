/* test_spark: bucketing keeps each bucket's maximum and right-aligns short histories,
 * unknown samples become gaps (never zeros), levels and threshold colours follow the
 * scale, the graph's column heights and axis labels; and a draw of both on /dev/null. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <locale.h>

#include <cmocka.h>

#include "glyph.h"
#include "spark.h"
#include "theme.h"

struct bucket_case {
    const char *name;
    float vals[12];
    size_t n;
    int w;
    float want[8];
};

static const struct bucket_case bucket_cases[] = {
    {"one per column", {1, 2, 3, 4}, 4, 4, {1, 2, 3, 4}},
    {"short history right-aligned", {5, 6}, 2, 4, {-1, -1, 5, 6}},
    {"max of each bucket", {1, 9, 2, 3, 0, 0, 7, 1}, 8, 4, {9, 3, 0, 7}},
    {"spike never averaged away", {0, 0, 100, 0, 0, 0}, 6, 2, {100, 0}},
    {"uneven buckets", {1, 2, 3, 4, 5}, 5, 2, {2, 5}}, /* [0,2) [2,5) */
    {"unknown is a gap", {-1, -1, 3, -1}, 4, 2, {-1, 3}},
    {"unknown inside a known bucket", {-1, 4, -1, -1}, 4, 4, {-1, 4, -1, -1}},
    {"empty", {0}, 0, 3, {-1, -1, -1}},
};

static void
test_bucket(void **state)
{
    for (size_t i = 0; i < sizeof bucket_cases / sizeof bucket_cases[0]; i++) {
        const struct bucket_case *c = &bucket_cases[i];
        float out[8];
        spark_bucket(c->vals, c->n, c->w, out);
        for (int k = 0; k < c->w; k++)
            if (out[k] != c->want[k])
                fail_msg("%s: column %d is %g, want %g", c->name, k, (double)out[k],
                         (double)c->want[k]);
    }
}

static void
test_levels(void **state)
{
    static const struct {
        float v, max;
        int want;
    } cases[] = {
        {-1, 10, -1},  {0, 10, 0},  {1.25f, 10, 0}, {1.3f, 10, 1}, {5, 10, 3},
        {9.9f, 10, 7}, {10, 10, 7}, {50, 10, 7},    {3, 0, 0},     {0, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (spark_level(cases[i].v, cases[i].max) != cases[i].want)
            fail_msg("level(%g, %g) = %d, want %d", (double)cases[i].v, (double)cases[i].max,
                     spark_level(cases[i].v, cases[i].max), cases[i].want);
    struct spark_opts o = {0, 30, 300};
    assert_int_equal(spark_elem(1, &o), TH_SPARK);
    assert_int_equal(spark_elem(30, &o), TH_SPARK_WARN);
    assert_int_equal(spark_elem(299, &o), TH_SPARK_WARN);
    assert_int_equal(spark_elem(300, &o), TH_SPARK_BAD);
    assert_int_equal(spark_elem(-1, &o), TH_SPARK);
    struct spark_opts none = {0, 0, 0};
    assert_int_equal(spark_elem(1e9f, &none), TH_SPARK);
    float v[] = {3, -1, 12, 7};
    assert_true(spark_scale(v, 4, &none) == 12);
    struct spark_opts fixed = {60, 0, 0};
    assert_true(spark_scale(v, 4, &fixed) == 60);
}

static void
test_graph_heights(void **state)
{
    float b[5] = {-1, 0, 0.01f, 5, 10};
    int h[5];
    spark_graph_heights(b, 5, 10, 3, h); /* 3 rows = 24 eighths */
    assert_int_equal(h[0], -1);
    assert_int_equal(h[1], 0);
    assert_int_equal(h[2], 1); /* tiny but not nothing */
    assert_int_equal(h[3], 12);
    assert_int_equal(h[4], 24);
    char buf[16];
    spark_axis_label(120, "s", buf, sizeof buf);
    assert_string_equal(buf, "120s");
    spark_axis_label(2.5f, "s", buf, sizeof buf);
    assert_string_equal(buf, "2.5s");
    spark_axis_label(0, NULL, buf, sizeof buf);
    assert_string_equal(buf, "0");
}

static void
test_draw(void **state)
{
    FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
    SCREEN *scr = newterm("xterm-256color", out, in);
    if (!scr)
        skip();
    struct theme *th = theme_new_builtin();
    theme_resolve(th, TH_MODE_MONO);
    struct glyphs g;
    glyphs_init(&g, true);
    WINDOW *w = newwin(4, 12, 0, 0);
    float vals[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, -1};
    struct spark_opts o = {8, 0, 7};
    spark_draw(w, 0, 0, 12, vals, 10, &o, th, &g);
    char line[32];
    mvwinnstr(w, 0, 0, line, 12);
    assert_string_equal(line, "  ..:-=+*#@ ");
    assert_true((mvwinch(w, 0, 10) & A_UNDERLINE) != 0); /* >= crit: spark.bad's mono attrs */
    werase(w);
    float g2[] = {0, 4, 8, -1};
    spark_graph_draw(w, 0, 0, 3, 8, g2, 4, &(struct spark_opts){0, 0, 0}, "s", th, &g);
    mvwinnstr(w, 0, 0, line, 8);
    assert_string_equal(line, "8s|   @ ");
    mvwinnstr(w, 1, 0, line, 8);
    assert_string_equal(line, "  |  =@ "); /* 4 of 8: half a cell */
    mvwinnstr(w, 2, 0, line, 8);
    assert_string_equal(line, "0s| .@@ ");
    delwin(w);
    theme_free(th);
    endwin();
    delscreen(scr);
    fclose(out);
    fclose(in);
}

int
main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bucket),
        cmocka_unit_test(test_levels),
        cmocka_unit_test(test_graph_heights),
        cmocka_unit_test(test_draw),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
