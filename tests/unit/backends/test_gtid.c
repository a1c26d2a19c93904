/* test_gtid: MySQL GTID set arithmetic and MariaDB GTID position comparison. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mysql/gtid.h"

#define U1 "3e11fa47-71ca-11e1-9e33-c80aa9429562"
#define U2 "a0b1c2d3-0000-1111-2222-333344445555"

static char *
norm(const char *s)
{
    struct gtid_set *g = NULL;
    struct pxerr err = {0};
    assert_int_equal(gtid_set_parse(s, &g, &err), 0);
    char *t = gtid_set_format(g);
    gtid_set_free(g);
    return t;
}

static void
test_parse_normalise(void **state)
{
    (void)state;
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"", ""},
        {U1 ":1-5", U1 ":1-5"},
        {U1 ":7:1-5", U1 ":1-5:7"},
        {U1 ":1-5:6", U1 ":1-6"},                                    /* adjacent merge */
        {"3E11FA47-71CA-11E1-9E33-C80AA9429562:3-9:1-4", U1 ":1-9"}, /* case, overlap */
        {U2 ":1-3,\n" U1 ":1-5", U1 ":1-5," U2 ":1-3"},              /* sorted, newline */
        {U1 ":1-2, " U1 ":5", U1 ":1-2:5"},                          /* repeated uuid */
        {U1 ":blue:1-3", U1 ":blue:1-3"},                            /* 8.3 tag */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *t = norm(cases[i].in);
        assert_string_equal(t, cases[i].want);
        free(t);
    }
}

static void
test_parse_errors(void **state)
{
    (void)state;
    static const struct {
        const char *in, *msg;
    } cases[] = {
        {"3E11FA47-71CA:1-5", "element 1 '3E11FA47-71CA:1-5': bad uuid"},
        {U1 ":7-3", "interval 7-3 runs backwards"},
        {U1 ":0-3", "bad interval '0-3'"},
        {U1, "no ':' after the uuid"},
        {U1 ":1-5,," U2 ":1", "element 2 is empty"},
        {U1 ":1-x", "bad interval '1-x'"},
        {U1 ":1-5:", "no interval"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct gtid_set *g = (struct gtid_set *)0x1;
        struct pxerr err = {0};
        assert_int_equal(gtid_set_parse(cases[i].in, &g, &err), PXE_PARSE);
        assert_ptr_equal(g, (struct gtid_set *)0x1); /* untouched on failure */
        if (strstr(err.msg, cases[i].msg) == NULL)
            fail_msg("case %zu: '%s' not in '%s'", i, cases[i].msg, err.msg);
    }
}

static void
test_subtract_count_contains(void **state)
{
    (void)state;
    struct gtid_set *a = NULL, *b = NULL;
    assert_int_equal(gtid_set_parse(U1 ":1-10:20-30," U2 ":1-5", &a, NULL), 0);
    assert_int_equal(gtid_set_parse(U1 ":3-4:8-22," U2 ":1-5", &b, NULL), 0);
    assert_int_equal(gtid_set_count(a), 10 + 11 + 5);
    struct gtid_set *d = gtid_set_subtract(a, b);
    char *t = gtid_set_format(d);
    assert_string_equal(t, U1 ":1-2:5-7:23-30");
    assert_int_equal(gtid_set_count(d), 2 + 3 + 8);
    free(t);
    assert_false(gtid_set_contains(b, a));
    assert_true(gtid_set_contains(a, d));
    struct gtid_set *u = gtid_set_union(d, b);
    assert_true(gtid_set_contains(u, a));
    gtid_set_free(u);
    gtid_set_free(d);
    /* subtracting everything gives the empty set */
    d = gtid_set_subtract(a, a);
    assert_true(gtid_set_is_empty(d));
    t = gtid_set_format(d);
    assert_string_equal(t, "");
    free(t);
    gtid_set_free(d);
    gtid_set_free(a);
    gtid_set_free(b);
}

static void
test_gap_and_errant(void **state)
{
    (void)state;
    int64_t gap = -1;
    struct pxerr err = {0};
    assert_int_equal(gtid_set_gap(U1 ":1-100", U1 ":1-97", &gap, &err), 0);
    assert_int_equal(gap, 3);
    assert_int_equal(gtid_set_gap("", "", &gap, &err), 0);
    assert_int_equal(gap, 0);
    assert_int_equal(gtid_set_gap("zz:1", U1 ":1", &gap, &err), PXE_PARSE);
    assert_non_null(strstr(err.msg, "retrieved GTID set: element 1 'zz:1'"));

    char *errant = NULL;
    int64_t n = 0;
    assert_int_equal(gtid_set_errant(U1 ":1-100," U2 ":1-2", U1 ":1-120", &errant, &n, &err), 0);
    assert_string_equal(errant, U2 ":1-2");
    assert_int_equal(n, 2);
    free(errant);
    assert_int_equal(gtid_set_errant(U1 ":1-100", U1 ":1-120", &errant, &n, &err), 0);
    assert_string_equal(errant, "");
    assert_int_equal(n, 0);
    free(errant);
}

static void
test_mariadb_positions(void **state)
{
    (void)state;
    struct gtid_mpos a, b;
    struct pxerr err = {0};
    assert_int_equal(gtid_mpos_parse("1-1-9,3-3-9", &a, &err), 0);
    assert_int_equal(a.n, 2);
    assert_int_equal(gtid_mpos_find(&a, 3)->seq, 9);
    assert_null(gtid_mpos_find(&a, 0));
    assert_int_equal(gtid_mpos_parse("3-3-7, 1-1-9", &b, &err), 0);
    assert_int_equal(b.e[0].domain, 1); /* sorted */
    assert_int_equal(gtid_mpos_compare(&a, &b), GTID_AHEAD);
    assert_int_equal(gtid_mpos_compare(&b, &a), GTID_BEHIND);
    assert_int_equal(gtid_mpos_compare(&a, &a), GTID_EQUAL);
    gtid_mpos_fini(&b);
    assert_int_equal(gtid_mpos_parse("1-1-10,3-3-2", &b, &err), 0);
    assert_int_equal(gtid_mpos_compare(&a, &b), GTID_DIVERGED);
    assert_string_equal(gtid_order_name(GTID_DIVERGED), "diverged");
    gtid_mpos_fini(&b);
    /* a domain only one side has counts as seq 0 on the other */
    assert_int_equal(gtid_mpos_parse("1-1-9", &b, &err), 0);
    assert_int_equal(gtid_mpos_compare(&a, &b), GTID_AHEAD);
    gtid_mpos_fini(&b);
    gtid_mpos_fini(&a);

    assert_int_equal(gtid_mpos_parse("", &a, &err), 0);
    assert_int_equal(a.n, 0);
    gtid_mpos_fini(&a);

    assert_int_equal(gtid_mpos_parse("1-1-9,1-2-3", &a, &err), PXE_PARSE);
    assert_non_null(strstr(err.msg, "domain 1 appears twice ('1-1-9', '1-2-3')"));
    assert_int_equal(gtid_mpos_parse("0-1-5,1-2", &a, &err), PXE_PARSE);
    assert_non_null(strstr(err.msg, "element 2 '1-2': want domain-server-seq"));
    assert_int_equal(gtid_mpos_parse("0-1-5x", &a, &err), PXE_PARSE);
    assert_int_equal(gtid_mpos_parse("0-99999999999-5", &a, &err), PXE_PARSE);

    int64_t gap = -1;
    assert_int_equal(gtid_mpos_gap("1-1-20,3-3-9", "1-1-9,2-2-6,3-3-9", &gap, &err), 0);
    assert_int_equal(gap, 11);
    assert_int_equal(gtid_mpos_gap("1-1-20", "", &gap, &err), 0);
    assert_int_equal(gap, 20);

    char *errant = NULL;
    assert_int_equal(gtid_mpos_errant("1-1-9,2-2-6", "1-1-12", &errant, &err), 0);
    assert_string_equal(errant, "2-2-6");
    free(errant);
    assert_int_equal(gtid_mpos_errant("1-1-14", "1-1-12", &errant, &err), 0);
    assert_string_equal(errant, "1-1-14");
    free(errant);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_normalise),         cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_subtract_count_contains), cmocka_unit_test(test_gap_and_errant),
        cmocka_unit_test(test_mariadb_positions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
