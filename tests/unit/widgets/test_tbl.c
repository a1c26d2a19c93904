/* test_tbl: the table's logic without a terminal: column layout (collapse by priority,
 * growth, flex), sorting (natural text order, numbers, direction, stable ties), filtering
 * (substring, case, negation), selection kept by row id across refreshes, scrolling and
 * paging, mouse hit-testing; plus one draw into a curses window on /dev/null. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <locale.h>

#include <cmocka.h>

#include "glyph.h"
#include "tbl.h"
#include "theme.h"
#include "wkey.h"

/* ---- layout ---- */

struct layout_case {
    const char *name;
    int width;
    int natural[4];
    int want[4];
};

/* NAME (prio 0, flex 1), STATUS (prio 0), NODE (prio 2), AGE (prio 1, right). */
static const struct tbl_col lay_cols[4] = {
    {"NAME", 4, 0, 1, TBL_LEFT, 0},
    {"STATUS", 0, 0, 0, TBL_LEFT, 0},
    {"NODE", 0, 12, 0, TBL_LEFT, 2},
    {"AGE", 0, 0, 0, TBL_RIGHT, 1},
};

static const struct layout_case layout_cases[] = {
    /* Everything fits at natural width; flex NAME takes the spare. */
    {"roomy", 60, {20, 7, 10, 3}, {20 + 17, 7, 10, 3}},
    /* Exactly natural: 20+7+10+3 + 3 gaps = 43. */
    {"exact", 43, {20, 7, 10, 3}, {20, 7, 10, 3}},
    /* A little short: lower prio numbers grow first, NODE (prio 2) gets what is left. */
    {"short", 40, {20, 7, 10, 3}, {20, 7, 7, 3}},
    /* Minimums 4+6+4+3+3 = 20 fit in 25: the 5 spare go to NAME first (prio 0, leftmost). */
    {"tight", 25, {20, 7, 10, 3}, {9, 6, 4, 3}},
    /* 19: hide NODE (prio 2) first: 4+6+3+2 = 15 fits, grow NAME/STATUS then AGE. */
    {"collapse one", 19, {20, 7, 10, 3}, {8, 6, 0, 3}},
    /* 12: NODE and AGE hidden: 4+6+1 = 11 fits. */
    {"collapse two", 12, {20, 7, 10, 3}, {5, 6, 0, 0}},
    /* 8: prio 0 columns never hide; the last is clipped. */
    {"clip", 8, {20, 7, 10, 3}, {4, 3, 0, 0}},
    /* max_w caps NODE's natural width at 12 only until every column has its own; then
     * NODE grows on before flex pads NAME: no column is cut while another gets spare
     * width. */
    {"max short", 40, {10, 7, 30, 3}, {10, 7, 12 + 5, 3}},
    {"max", 60, {10, 7, 30, 3}, {10 + 7, 7, 30, 3}},
    /* Narrow content: the minimum never exceeds the natural width (titles count). */
    {"titles", 30, {1, 1, 1, 1}, {4 + 10, 6, 4, 3}},
};

static void
test_layout(void **state)
{
    for (size_t i = 0; i < sizeof layout_cases / sizeof layout_cases[0]; i++) {
        const struct layout_case *c = &layout_cases[i];
        int out[4];
        tbl_layout(lay_cols, 4, c->natural, c->width, out);
        int total = 0, shown = 0;
        for (int k = 0; k < 4; k++)
            if (out[k] > 0)
                total += out[k], shown++;
        total += shown > 1 ? shown - 1 : 0;
        if (memcmp(out, c->want, sizeof out) != 0)
            fail_msg("%s: got %d,%d,%d,%d want %d,%d,%d,%d", c->name, out[0], out[1], out[2],
                     out[3], c->want[0], c->want[1], c->want[2], c->want[3]);
        assert_true(total <= c->width);
    }
}

/* Extra columns (an IP, an age) show only where the others are whole; as an ordinary
 * column of low priority it would cut NAME to make room. */
static void
test_layout_extra(void **state)
{
    static const struct tbl_col cols[3] = {
        {"NAME", 4, 24, 1, TBL_LEFT, 0},
        {"STATUS", 0, 0, 0, TBL_LEFT, 0},
        {"IP", 15, 0, 0, TBL_LEFT, TBL_EXTRA},
    };
    struct tbl_col plain[3];
    memcpy(plain, cols, sizeof plain);
    plain[2].prio = 3;
    int nat[3] = {22, 7, 12}, out[3];
    /* 40: NAME and STATUS whole need 22 + 1 + 7 = 30; IP (12) would need 43. */
    tbl_layout(cols, 3, nat, 40, out);
    assert_int_equal(out[0], 24); /* NAME flexes into the rest, up to its max */
    assert_int_equal(out[1], 7);
    assert_int_equal(out[2], 0);
    tbl_layout(plain, 3, nat, 40, out);
    assert_int_equal(out[2], 12);
    assert_true(out[0] < 22); /* what the flag prevents */
    /* 43: room for all three whole. */
    tbl_layout(cols, 3, nat, 43, out);
    assert_int_equal(out[0], 22);
    assert_int_equal(out[1], 7);
    assert_int_equal(out[2], 12);
}

/* ---- helpers ---- */

static const struct tbl_col cols3[3] = {
    {"NAME", 0, 0, 1, TBL_LEFT, 0},
    {"LAG", 0, 0, 0, TBL_RIGHT, 1},
    {"STATE", 0, 0, 0, TBL_LEFT, 2},
};

struct r3 {
    const char *id, *name;
    double lag; /* < 0: text "?" (no key) */
    const char *state;
};

static void
fill(struct tbl *t, const struct r3 *rows, size_t n)
{
    tbl_rows_begin(t);
    for (size_t i = 0; i < n; i++) {
        tbl_row(t, rows[i].id, TH_NONE);
        tbl_cell(t, rows[i].name, TH_NONE);
        if (rows[i].lag >= 0)
            tbl_cellf(t, TH_NONE, "%gs", rows[i].lag), (void)0;
        else
            tbl_cell(t, "?", TH_STATE_UNKNOWN);
        tbl_cell(t, rows[i].state, TH_STATE_OK);
    }
    tbl_rows_end(t);
}

/* Same, with numeric keys for LAG. */
static void
fill_num(struct tbl *t, const struct r3 *rows, size_t n)
{
    tbl_rows_begin(t);
    for (size_t i = 0; i < n; i++) {
        tbl_row(t, rows[i].id, TH_NONE);
        tbl_cell(t, rows[i].name, TH_NONE);
        if (rows[i].lag >= 0) {
            char b[32];
            snprintf(b, sizeof b, "%gs", rows[i].lag);
            tbl_cell_num(t, b, rows[i].lag, TH_NONE);
        } else {
            tbl_cell(t, "?", TH_STATE_UNKNOWN);
        }
        tbl_cell(t, rows[i].state, TH_STATE_OK);
    }
    tbl_rows_end(t);
}

static void
assert_order(const struct tbl *t, const char *const *ids, size_t n)
{
    assert_int_equal(tbl_count(t), n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(tbl_row_id(t, i), ids[i]) != 0)
            fail_msg("row %zu is %s, want %s", i, tbl_row_id(t, i), ids[i]);
}

static const struct r3 pods[] = {
    {"ns/pod-10", "pod-10", 12, "Running"}, {"ns/pod-2", "Pod-2", 3, "Running"},
    {"ns/pod-1", "pod-1", -1, "Pending"},   {"ns/db-0", "db-0", 120, "Failed"},
    {"ns/pod-3", "pod-3", 3, "Running"},
};

static void
test_sort(void **state)
{
    struct tbl *t = tbl_new(cols3, 3);
    fill_num(t, pods, 5);
    assert_int_equal(tbl_sort_col(t), -1);
    assert_order(t, (const char *[]){"ns/pod-10", "ns/pod-2", "ns/pod-1", "ns/db-0", "ns/pod-3"},
                 5);
    /* Natural, case-insensitive text order. */
    tbl_sort(t, 0, false);
    assert_order(t, (const char *[]){"ns/db-0", "ns/pod-1", "ns/pod-2", "ns/pod-3", "ns/pod-10"},
                 5);
    tbl_sort_toggle(t, 0);
    assert_true(tbl_sort_desc(t));
    assert_order(t, (const char *[]){"ns/pod-10", "ns/pod-3", "ns/pod-2", "ns/pod-1", "ns/db-0"},
                 5);
    /* Numbers by key (3 < 12 < 120, not "120s" < "12s"); ties keep insertion order;
     * cells without a key after the numbers. */
    tbl_sort_toggle(t, 1);
    assert_false(tbl_sort_desc(t));
    assert_order(t, (const char *[]){"ns/pod-2", "ns/pod-3", "ns/pod-10", "ns/db-0", "ns/pod-1"},
                 5);
    tbl_sort(t, 1, true);
    assert_order(t, (const char *[]){"ns/pod-1", "ns/db-0", "ns/pod-10", "ns/pod-2", "ns/pod-3"},
                 5);
    /* The sort survives a refresh. */
    fill_num(t, pods, 5);
    assert_string_equal(tbl_row_id(t, 0), "ns/pod-1");
    tbl_sort(t, -1, false);
    assert_string_equal(tbl_row_id(t, 0), "ns/pod-10");
    tbl_free(t);
}

static void
test_filter(void **state)
{
    struct tbl *t = tbl_new(cols3, 3);
    fill(t, pods, 5);
    tbl_set_filter(t, "POD");
    assert_int_equal(tbl_count(t), 4);
    assert_int_equal(tbl_total(t), 5);
    tbl_set_filter(t, "running");
    assert_order(t, (const char *[]){"ns/pod-10", "ns/pod-2", "ns/pod-3"}, 3);
    tbl_set_filter(t, "!running");
    assert_order(t, (const char *[]){"ns/pod-1", "ns/db-0"}, 2);
    assert_string_equal(tbl_filter(t), "!running");
    tbl_set_filter(t, "120s"); /* matches any cell */
    assert_order(t, (const char *[]){"ns/db-0"}, 1);
    tbl_set_filter(t, "zzz");
    assert_int_equal(tbl_count(t), 0);
    assert_int_equal(tbl_selected(t), -1);
    assert_null(tbl_selected_id(t));
    char pos[64];
    tbl_pos_text(t, pos, sizeof pos);
    assert_string_equal(pos, "0/0 of 5");
    tbl_set_filter(t, NULL);
    assert_int_equal(tbl_count(t), 5);
    assert_string_equal(tbl_filter(t), "");
    /* The filter holds across refreshes. */
    tbl_set_filter(t, "pending");
    fill(t, pods, 5);
    assert_order(t, (const char *[]){"ns/pod-1"}, 1);
    tbl_free(t);
}

static void
test_selection_by_id(void **state)
{
    struct tbl *t = tbl_new(cols3, 3);
    fill(t, pods, 5);
    assert_int_equal(tbl_selected(t), 0);
    assert_true(tbl_select_id(t, "ns/db-0"));
    assert_int_equal(tbl_selected(t), 3);
    assert_false(tbl_select_id(t, "ns/nope"));
    assert_int_equal(tbl_selected(t), 3);

    /* The row moves: the selection follows it. */
    static const struct r3 moved[] = {
        {"ns/db-0", "db-0", 1, "Running"},
        {"ns/pod-10", "pod-10", 12, "Running"},
        {"ns/pod-2", "Pod-2", 3, "Running"},
        {"ns/pod-3", "pod-3", 3, "Running"},
    };
    fill(t, moved, 4);
    assert_string_equal(tbl_selected_id(t), "ns/db-0");
    assert_int_equal(tbl_selected(t), 0);

    /* The row goes: the selection stays at its index. */
    tbl_select_id(t, "ns/pod-2");
    fill(t, (const struct r3[]){moved[0], moved[1], moved[3]}, 3);
    assert_int_equal(tbl_selected(t), 2);
    assert_string_equal(tbl_selected_id(t), "ns/pod-3");
    /* ...clamped when the list got shorter. */
    fill(t, moved, 1);
    assert_int_equal(tbl_selected(t), 0);
    /* Empty, then rows again: the first row. */
    fill(t, moved, 0);
    assert_int_equal(tbl_selected(t), -1);
    fill(t, moved, 4);
    assert_int_equal(tbl_selected(t), 0);

    /* Sorting and filtering keep the selected row. */
    tbl_select_id(t, "ns/pod-3");
    tbl_sort(t, 0, true);
    assert_string_equal(tbl_selected_id(t), "ns/pod-3");
    tbl_set_filter(t, "pod");
    assert_string_equal(tbl_selected_id(t), "ns/pod-3");
    tbl_free(t);
}

static void
test_scroll_and_keys(void **state)
{
    struct tbl *t = tbl_new(cols3, 3);
    tbl_rows_begin(t);
    for (int i = 0; i < 100; i++) {
        char id[16];
        snprintf(id, sizeof id, "r%d", i);
        tbl_row(t, id, TH_NONE);
        tbl_cell(t, id, TH_NONE);
    }
    tbl_rows_end(t);
    tbl_set_height(t, 10);
    assert_int_equal(tbl_height(t), 10);
    assert_int_equal(tbl_top(t), 0);
    for (int i = 0; i < 10; i++)
        assert_true(tbl_key(t, WKEY(KEY_DOWN)));
    assert_int_equal(tbl_selected(t), 10);
    assert_int_equal(tbl_top(t), 1); /* selection kept on the last visible line */
    assert_true(tbl_key(t, WKEY(KEY_NPAGE)));
    assert_int_equal(tbl_selected(t), 19);
    assert_int_equal(tbl_top(t), 10);
    assert_true(tbl_key(t, WKEY(KEY_END)));
    assert_int_equal(tbl_selected(t), 99);
    assert_int_equal(tbl_top(t), 90);
    assert_false(tbl_move(t, 1)); /* at the edge: no change */
    assert_true(tbl_key(t, WKEY(KEY_DOWN)));
    assert_true(tbl_key(t, WKEY(KEY_PPAGE)));
    assert_int_equal(tbl_selected(t), 90);
    assert_int_equal(tbl_top(t), 90);
    assert_true(tbl_key(t, WKEY(KEY_UP)));
    assert_int_equal(tbl_top(t), 89);
    assert_true(tbl_key(t, WKEY(KEY_HOME)));
    assert_int_equal(tbl_selected(t), 0);
    assert_int_equal(tbl_top(t), 0);
    assert_false(tbl_key(t, 'x'));
    assert_false(tbl_key(t, KEY_DOWN)); /* a bare KEY_* code is not a wkey */

    /* Mouse: line 0 is the header; line 3 is the third body row. */
    assert_int_equal(tbl_row_at(t, 0), -1);
    assert_int_equal(tbl_row_at(t, 3), 2);
    assert_int_equal(tbl_row_at(t, 11), -1);
    int w[3];
    tbl_compute_layout(t, 30, w);
    assert_int_equal(tbl_col_at(t, 0), 0);
    assert_int_equal(tbl_col_at(t, w[0]), -1); /* the gap */
    assert_int_equal(tbl_col_at(t, w[0] + 1), 1);
    char pos[32];
    tbl_select(t, 41);
    tbl_pos_text(t, pos, sizeof pos);
    assert_string_equal(pos, "42/100");
    /* Shrinking below the scroll position pulls top back. */
    tbl_rows_begin(t);
    for (int i = 0; i < 5; i++) {
        tbl_row(t, "x", TH_NONE);
    }
    tbl_rows_end(t);
    assert_int_equal(tbl_top(t), 0);
    assert_int_equal(tbl_selected(t), 4);
    tbl_free(t);
}

static void
test_cells(void **state)
{
    struct tbl *t = tbl_new(cols3, 3);
    assert_int_equal(tbl_n_cols(t), 3);
    tbl_rows_begin(t);
    tbl_row(t, "a", TH_NONE);
    tbl_cell(t, "only", TH_NONE); /* missing cells are empty */
    tbl_row(t, "b", TH_STATE_BAD);
    for (int i = 0; i < 5; i++)
        tbl_cell(t, "x", TH_NONE); /* extra cells ignored */
    tbl_cell(t, NULL, TH_NONE);
    tbl_row(t, NULL, TH_NONE);
    tbl_rows_end(t);
    assert_int_equal(tbl_count(t), 3);
    assert_string_equal(tbl_cell_text(t, 0, 0), "only");
    assert_string_equal(tbl_cell_text(t, 0, 2), "");
    assert_string_equal(tbl_cell_text(t, 1, 2), "x");
    assert_string_equal(tbl_row_id(t, 2), "");
    assert_null(tbl_cell_text(t, 3, 0));
    assert_null(tbl_cell_text(t, 0, 3));
    tbl_free(t);
    tbl_free(NULL);
}

static void
test_ten_thousand_rows(void **state)
{
    struct tbl *t = tbl_new(cols3, 3);
    for (int round = 0; round < 3; round++) {
        tbl_rows_begin(t);
        for (int i = 0; i < 10000; i++) {
            char id[32];
            snprintf(id, sizeof id, "ns/pod-%05d", (i * 7919 + round) % 10000);
            tbl_row(t, id, TH_NONE);
            tbl_cell(t, id + 3, TH_NONE);
            tbl_cell_num(t, "1s", (double)(i % 97), TH_NONE);
            tbl_cell(t, i % 3 ? "Running" : "Pending", TH_STATE_OK);
        }
        tbl_rows_end(t);
        if (round == 0) {
            tbl_sort(t, 0, false);
            assert_true(tbl_select_id(t, "ns/pod-04242"));
        }
        assert_int_equal(tbl_count(t), 10000);
        assert_string_equal(tbl_selected_id(t), "ns/pod-04242");
        assert_int_equal(tbl_selected(t), 4242);
    }
    tbl_set_filter(t, "pending");
    assert_int_equal(tbl_count(t), 3334);
    tbl_free(t);
}

/* ---- one real draw ---- */

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
    WINDOW *w = newwin(6, 24, 0, 0);
    struct tbl *t = tbl_new(cols3, 3);
    fill_num(t, pods, 5);
    tbl_sort(t, 1, false);
    tbl_set_filter(t, "pod");
    assert_string_equal(tbl_selected_id(t), "ns/pod-10"); /* followed through the sort */
    tbl_select(t, 0);
    tbl_draw(t, w, 0, 0, 6, 24, th, &g, true);
    char line[64];
    mvwinnstr(w, 0, 0, line, 24);
    /* NAME 6 + flex 5 = 11, LAG 4 ("120s"), STATE 7, two gaps: 24. */
    assert_string_equal(line, "NAME        LAG^ STATE  ");
    mvwinnstr(w, 1, 0, line, 24);
    assert_string_equal(line, "Pod-2         3s Running");
    assert_true((mvwinch(w, 1, 0) & A_REVERSE) != 0); /* the focused selection */
    assert_true((mvwinch(w, 2, 0) & A_REVERSE) == 0);
    mvwinnstr(w, 5, 0, line, 24);
    assert_string_equal(line, "/pod  (4 of 5)          ");
    assert_int_equal(tbl_row_at(t, 4), 3);
    assert_int_equal(tbl_row_at(t, 5), -1);
    /* Too narrow for the NAME column's natural width: ellipsis. */
    tbl_set_filter(t, NULL);
    tbl_rows_begin(t);
    tbl_row(t, "long", TH_NONE);
    tbl_cell(t, "a-very-long-pod-name-indeed", TH_NONE);
    tbl_cell_num(t, "1s", 1, TH_NONE);
    tbl_cell(t, "ok", TH_NONE);
    tbl_rows_end(t);
    tbl_draw(t, w, 0, 0, 6, 24, th, &g, false);
    mvwinnstr(w, 1, 0, line, 24);
    assert_string_equal(line, "a-very-long-p~  1s ok   "); /* NAME 14 = 4 + the spare 10 */
    assert_true((mvwinch(w, 1, 0) & A_UNDERLINE) != 0);    /* unfocused selection */
    tbl_free(t);
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
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_layout_extra),
        cmocka_unit_test(test_sort),
        cmocka_unit_test(test_filter),
        cmocka_unit_test(test_selection_by_id),
        cmocka_unit_test(test_scroll_and_keys),
        cmocka_unit_test(test_cells),
        cmocka_unit_test(test_ten_thousand_rows),
        cmocka_unit_test(test_draw),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
