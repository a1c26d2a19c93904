/* test_ledit: the line editor (UTF-8 insertion and movement by character, Emacs keys,
 * history, Tab completion with common prefix and cycling, the length limit, masking and
 * horizontal scrolling), and the two widgets built on it: dialogs (confirm defaults to No,
 * "type NAME to confirm", masked input) and the help overlay (grouping, '/' filter, scroll). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <locale.h>

#include <cmocka.h>

#include "vec.h"
#include "xmalloc.h"
#include "dlg.h"
#include "help.h"
#include "ledit.h"
#include "wkey.h"

static void
type(struct ledit *e, const char *utf8)
{
    /* Key by key, as wget_wch delivers code points. */
    size_t i = 0, n = strlen(utf8);
    while (i < n) {
        const unsigned char *u = (const unsigned char *)utf8 + i;
        int cp, k;
        if (u[0] < 0x80)
            cp = u[0], k = 1;
        else if (u[0] < 0xe0)
            cp = ((u[0] & 0x1f) << 6) | (u[1] & 0x3f), k = 2;
        else if (u[0] < 0xf0)
            cp = ((u[0] & 0x0f) << 12) | ((u[1] & 0x3f) << 6) | (u[2] & 0x3f), k = 3;
        else
            cp = ((u[0] & 0x07) << 18) | ((u[1] & 0x3f) << 12) | ((u[2] & 0x3f) << 6) |
                 (u[3] & 0x3f),
            k = 4;
        assert_int_equal(ledit_key(e, cp), LEDIT_HANDLED);
        i += (size_t)k;
    }
}

struct key_case {
    const char *start;
    size_t cursor; /* byte */
    int key;
    const char *want;
    size_t want_cursor;
};

static void
test_edit_keys(void **state)
{
    static const struct key_case cases[] = {
        {"abc", 3, WKEY(KEY_LEFT), "abc", 2},
        {"a\xc3\xa9", 3, WKEY(KEY_LEFT), "a\xc3\xa9", 1}, /* over é, not into it */
        {"a\xc3\xa9"
         "b",
         1, WKEY(KEY_RIGHT),
         "a\xc3\xa9"
         "b",
         3},
        {"\xe6\x97\xa5x", 0, WKEY_CTRL('f'), "\xe6\x97\xa5x", 3},
        {"abc", 3, WKEY_CTRL('b'), "abc", 2},
        {"abc", 2, WKEY_CTRL('a'), "abc", 0},
        {"abc", 0, WKEY(KEY_END), "abc", 3},
        {"abc", 1, WKEY_CTRL('e'), "abc", 3},
        {"a\xc3\xa9", 3, 127, "a", 1}, /* backspace a whole é */
        {"a\xc3\xa9", 3, WKEY(KEY_BACKSPACE), "a", 1},
        {"abc", 0, 8, "abc", 0}, /* nothing before */
        {"a\xf0\x9f\x98\x80"
         "b",
         1, WKEY(KEY_DC), "ab", 1}, /* delete an emoji */
        {"abc", 3, WKEY_CTRL('d'), "abc", 3},
        {"hello world", 5, WKEY_CTRL('k'), "hello", 5},
        {"hello world", 6, WKEY_CTRL('u'), "world", 0},
        {"kubectl get  pods", 17, WKEY_CTRL('w'), "kubectl get  ", 13},
        {"kubectl get  ", 13, WKEY_CTRL('w'), "kubectl ", 8},
        {"ab", 1, 0x65e5,
         "a\xe6\x97\xa5"
         "b",
         4}, /* insert 日 mid-line */
        {"ab", 2, 0x1f600, "ab\xf0\x9f\x98\x80", 6},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ledit *e = ledit_new(0);
        ledit_set_text(e, cases[i].start);
        ledit_set_cursor(e, cases[i].cursor);
        assert_int_equal(ledit_key(e, cases[i].key), LEDIT_HANDLED);
        if (strcmp(ledit_text(e), cases[i].want) != 0 || ledit_cursor(e) != cases[i].want_cursor)
            fail_msg("case %zu: '%s' @%zu, want '%s' @%zu", i, ledit_text(e), ledit_cursor(e),
                     cases[i].want, cases[i].want_cursor);
        ledit_free(e);
    }
}

static void
test_results_and_insert(void **state)
{
    struct ledit *e = ledit_new(0);
    assert_int_equal(ledit_key(e, '\n'), LEDIT_SUBMIT);
    assert_int_equal(ledit_key(e, '\r'), LEDIT_SUBMIT);
    assert_int_equal(ledit_key(e, WKEY(KEY_ENTER)), LEDIT_SUBMIT);
    assert_int_equal(ledit_key(e, WKEY_ESC), LEDIT_CANCEL);
    assert_int_equal(ledit_key(e, WKEY_CTRL('g')), LEDIT_CANCEL);
    assert_int_equal(ledit_key(e, WKEY(KEY_F(5))), LEDIT_UNHANDLED);
    assert_int_equal(ledit_key(e, WKEY_CTRL('l')), LEDIT_UNHANDLED);
    type(e, "n\xc3\xa4me");
    assert_string_equal(ledit_text(e), "n\xc3\xa4me");
    assert_int_equal(ledit_len(e), 5);
    /* A paste with invalid bytes, a newline and an escape sequence. */
    ledit_set_cursor(e, 1);
    ledit_insert(e, "\xff\n\x1b[1m");
    assert_string_equal(ledit_text(e), "n\xef\xbf\xbd [1m\xc3\xa4me");
    ledit_set_cursor(e, 2); /* inside U+FFFD: moved back to its start */
    assert_int_equal(ledit_cursor(e), 1);
    ledit_set_cursor(e, 999);
    assert_int_equal(ledit_cursor(e), ledit_len(e));
    ledit_clear(e);
    assert_string_equal(ledit_text(e), "");
    ledit_free(e);
    ledit_free(NULL);
}

static void
test_max_length(void **state)
{
    struct ledit *e = ledit_new(4);
    type(e, "ab\xc3\xa9");
    assert_int_equal(ledit_key(e, 'x'), LEDIT_HANDLED);
    assert_int_equal(ledit_key(e, 'y'), LEDIT_HANDLED); /* consumed, not inserted */
    assert_string_equal(ledit_text(e), "ab\xc3\xa9x");
    ledit_set_text(e, "123456789");
    assert_string_equal(ledit_text(e), "1234");
    ledit_free(e);
}

static void
test_history(void **state)
{
    struct ledit *e = ledit_new(0);
    ledit_key(e, WKEY(KEY_UP)); /* no history: nothing */
    assert_string_equal(ledit_text(e), "");
    ledit_history_add(e, "quit");
    ledit_history_add(e, "theme light");
    ledit_history_add(e, "theme light"); /* consecutive duplicate */
    ledit_history_add(e, "");
    ledit_history_add(e, "view pods");
    type(e, "dra");
    ledit_key(e, WKEY(KEY_UP));
    assert_string_equal(ledit_text(e), "view pods");
    ledit_key(e, WKEY_CTRL('p'));
    assert_string_equal(ledit_text(e), "theme light");
    ledit_key(e, WKEY(KEY_UP));
    assert_string_equal(ledit_text(e), "quit");
    ledit_key(e, WKEY(KEY_UP)); /* oldest: stays */
    assert_string_equal(ledit_text(e), "quit");
    ledit_key(e, WKEY(KEY_DOWN));
    ledit_key(e, WKEY_CTRL('n'));
    assert_string_equal(ledit_text(e), "view pods");
    ledit_key(e, WKEY(KEY_DOWN)); /* back to what was being typed */
    assert_string_equal(ledit_text(e), "dra");
    assert_int_equal(ledit_cursor(e), 3);
    ledit_free(e);

    /* Masked editors keep no history and leave Up/Down to the caller. */
    e = ledit_new(0);
    ledit_set_masked(e, true);
    assert_true(ledit_masked(e));
    ledit_history_add(e, "secret");
    assert_int_equal(ledit_key(e, WKEY(KEY_UP)), LEDIT_UNHANDLED);
    assert_string_equal(ledit_text(e), "");
    ledit_free(e);
}

/* Completion over a fixed word list; counts its calls like a fake listener. */
struct comp {
    const char *const *words;
    int calls;
};

static void
complete_words(void *arg, const char *line, size_t cursor, size_t *word_start, struct vec *cands)
{
    struct comp *c = arg;
    c->calls++;
    size_t s = cursor;
    while (s > 0 && line[s - 1] != ' ')
        s--;
    *word_start = s;
    for (const char *const *w = c->words; *w; w++)
        if (strncmp(*w, line + s, cursor - s) == 0)
            vec_push(cands, xstrdup(*w));
}

static void
test_completion(void **state)
{
    static const char *const words[] = {"theme", "themes", "thread", "quit", NULL};
    struct comp c = {words, 0};
    struct ledit *e = ledit_new(0);
    ledit_set_completion(e, complete_words, &c);
    type(e, "q");
    ledit_key(e, WKEY_TAB); /* one candidate: completed */
    assert_string_equal(ledit_text(e), "quit");
    assert_null(ledit_candidates(e, NULL));

    ledit_set_text(e, "x th");
    ledit_key(e, WKEY_TAB); /* three candidates, common prefix "th": shown, text unchanged */
    assert_string_equal(ledit_text(e), "x th");
    int cur = 99;
    const struct vec *cv = ledit_candidates(e, &cur);
    assert_non_null(cv);
    assert_int_equal(cv->n, 3);
    assert_int_equal(cur, -1);
    ledit_key(e, WKEY_TAB); /* cycling */
    assert_string_equal(ledit_text(e), "x theme");
    ledit_key(e, WKEY_TAB);
    assert_string_equal(ledit_text(e), "x themes");
    ledit_key(e, WKEY_TAB);
    assert_string_equal(ledit_text(e), "x thread");
    ledit_key(e, WKEY_TAB); /* wraps */
    assert_string_equal(ledit_text(e), "x theme");
    ledit_key(e, WKEY(KEY_BTAB));
    assert_string_equal(ledit_text(e), "x thread");
    assert_int_equal(c.calls, 2); /* cycling does not ask again */
    ledit_key(e, ' ');            /* any other key ends the completion */
    assert_null(ledit_candidates(e, NULL));
    assert_string_equal(ledit_text(e), "x thread ");

    ledit_set_text(e, "them");
    ledit_key(e, WKEY_TAB); /* theme, themes: prefix "theme" inserted */
    assert_string_equal(ledit_text(e), "theme");
    ledit_key(e, WKEY_TAB);
    assert_string_equal(ledit_text(e), "theme");
    ledit_key(e, WKEY_TAB);
    assert_string_equal(ledit_text(e), "themes");

    ledit_set_text(e, "zzz");
    ledit_key(e, WKEY_TAB); /* none: nothing */
    assert_string_equal(ledit_text(e), "zzz");
    /* Completion in the middle of a line replaces only the word before the cursor. */
    ledit_set_text(e, "qu rest");
    ledit_set_cursor(e, 2);
    ledit_key(e, WKEY_TAB);
    assert_string_equal(ledit_text(e), "quit rest");
    assert_int_equal(ledit_cursor(e), 4);
    ledit_free(e);
}

static void
test_view_scroll(void **state)
{
    struct ledit *e = ledit_new(0);
    ledit_set_text(e, "0123456789abcdefghij");
    size_t first;
    int col;
    ledit_view(e, 10, &first, &col);
    assert_int_equal(col, 9);    /* the cursor's cell is the last column */
    assert_int_equal(first, 11); /* "bcdefghij" + cursor */
    ledit_key(e, WKEY(KEY_HOME));
    ledit_view(e, 10, &first, &col);
    assert_int_equal(first, 0);
    assert_int_equal(col, 0);
    ledit_set_text(e, "\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5"); /* 10 cols */
    ledit_view(e, 6, &first, &col);
    assert_true(col <= 5);
    assert_int_equal(first % 3, 0); /* on a character boundary */
    ledit_set_text(e, "short");
    ledit_view(e, 10, &first, &col);
    assert_int_equal(first, 0);
    assert_int_equal(col, 5);
    ledit_free(e);
}

/* ---- dialogs ---- */

static void
test_confirm_dialog(void **state)
{
    const char *lines[] = {"Stop replica 'east-to-west' on east/db-0?",
                           "Replication stops until started again."};
    struct dlg *d = dlg_confirm_new("Stop replica", lines, 2, NULL, NULL);
    assert_int_equal(dlg_kind(d), DLG_CONFIRM);
    assert_false(dlg_yes_focused(d)); /* No is the default */
    assert_int_equal(dlg_key(d, '\n'), DLG_NO);
    assert_int_equal(dlg_key(d, WKEY_TAB), DLG_OPEN);
    assert_true(dlg_yes_focused(d));
    assert_int_equal(dlg_key(d, '\r'), DLG_YES);
    assert_int_equal(dlg_key(d, WKEY(KEY_LEFT)), DLG_OPEN);
    assert_false(dlg_yes_focused(d));
    assert_int_equal(dlg_key(d, 'x'), DLG_OPEN);
    assert_int_equal(dlg_key(d, 'y'), DLG_YES);
    assert_int_equal(dlg_key(d, 'N'), DLG_NO);
    assert_int_equal(dlg_key(d, WKEY_ESC), DLG_NO);
    assert_null(dlg_text(d));
    int h, w;
    dlg_size(d, 40, 120, false, &h, &w);
    assert_int_equal(w, 45); /* longest line + 4 */
    assert_int_equal(h, 2 + 1 + 2 + 2);
    dlg_size(d, 40, 30, false, &h, &w); /* narrow: lines wrap, box grows */
    assert_int_equal(w, 26);
    assert_true(h > 7);
    dlg_size(d, 5, 30, false, &h, &w);
    assert_int_equal(h, 5);
    dlg_free(d);
    dlg_free(NULL);
}

static void
test_input_dialogs(void **state)
{
    const char *lines[] = {"Delete PXC cluster 'cluster1' in namespace pxc on east?"};
    struct dlg *d = dlg_input_new("Delete", lines, 1, NULL, 0);
    dlg_set_confirm_word(d, "cluster1");
    for (const char *p = "cluster"; *p; p++)
        assert_int_equal(dlg_key(d, *p), DLG_OPEN);
    assert_int_equal(dlg_key(d, '\n'), DLG_OPEN); /* not the word yet */
    assert_int_equal(dlg_key(d, '1'), DLG_OPEN);
    assert_string_equal(dlg_text(d), "cluster1");
    assert_int_equal(dlg_key(d, '\n'), DLG_YES);
    assert_int_equal(dlg_key(d, WKEY_ESC), DLG_NO);
    int h, w;
    dlg_size(d, 40, 120, false, &h, &w);
    assert_int_equal(h, 2 + 1 + 1 + 2 + 3);
    dlg_free(d);

    d = dlg_input_new("Password", NULL, 0, "old", DLG_MASKED);
    assert_int_equal(dlg_kind(d), DLG_INPUT);
    assert_int_equal(dlg_key(d, 'x'), DLG_OPEN);
    assert_string_equal(dlg_text(d), "oldx");
    assert_int_equal(dlg_key(d, WKEY(KEY_ENTER)), DLG_YES);
    dlg_free(d);

    d = dlg_message_new("Done", (const char *[]){"ok"}, 1);
    assert_int_equal(dlg_key(d, 'z'), DLG_OPEN);
    assert_int_equal(dlg_key(d, ' '), DLG_YES);
    dlg_free(d);
}

/* ---- help ---- */

static const struct help_row help_rows[] = {
    {"Global", "q", "quit"},          {NULL, "?", "show this help"},
    {NULL, "Tab", "next pane"},       {"Replication", "s", "stop the replica"},
    {NULL, "S", "start the replica"}, {"Pods", "l", "show logs"},
};

static void
test_help(void **state)
{
    struct help *h = help_new("Keys");
    help_set_rows(h, help_rows, 6);
    /* Global(3) blank Replication(2) blank Pods(1): 3 headings + 6 rows + 2 blanks. */
    assert_int_equal(help_n_lines(h), 11);
    assert_int_equal(help_line_at(h, 0)->kind, HELP_LINE_SECTION);
    assert_string_equal(help_line_at(h, 0)->section, "Global");
    assert_string_equal(help_line_at(h, 2)->key, "?");
    assert_string_equal(help_line_at(h, 2)->section, "Global");
    assert_int_equal(help_line_at(h, 4)->kind, HELP_LINE_BLANK);
    assert_string_equal(help_line_at(h, 5)->section, "Replication");
    assert_null(help_line_at(h, 11));
    assert_int_equal(help_key_width(h), 3);

    /* '/' opens the filter; typing narrows; Enter keeps it; Esc clears; Esc again closes. */
    assert_int_equal(help_key(h, '/'), HELP_HANDLED);
    assert_true(help_filtering(h));
    for (const char *p = "REPLICA"; *p; p++)
        assert_int_equal(help_key(h, *p), HELP_HANDLED);
    assert_string_equal(help_filter(h), "REPLICA");
    assert_int_equal(help_n_lines(h), 3);             /* the section matches: both of its rows */
    assert_int_equal(help_key(h, 'q'), HELP_HANDLED); /* typed, not quit */
    assert_int_equal(help_n_lines(h), 0);
    assert_int_equal(help_key(h, 127), HELP_HANDLED);
    help_set_height(h, 1);
    assert_int_equal(help_key(h, WKEY(KEY_DOWN)), HELP_HANDLED); /* scrolls while typing */
    assert_int_equal(help_top(h), 1);
    assert_string_equal(help_filter(h), "REPLICA");
    assert_int_equal(help_key(h, '\n'), HELP_HANDLED);
    assert_false(help_filtering(h));
    assert_int_equal(help_n_lines(h), 3);
    assert_int_equal(help_key(h, WKEY_ESC), HELP_HANDLED);
    assert_string_equal(help_filter(h), "");
    assert_int_equal(help_n_lines(h), 11);
    help_set_filter(h, "logs");
    assert_int_equal(help_n_lines(h), 2);
    help_set_filter(h, NULL);

    help_set_height(h, 4);
    assert_int_equal(help_key(h, WKEY(KEY_NPAGE)), HELP_HANDLED);
    assert_int_equal(help_top(h), 3);
    assert_int_equal(help_key(h, WKEY(KEY_END)), HELP_HANDLED);
    assert_int_equal(help_top(h), 7);
    assert_int_equal(help_key(h, 'j'), HELP_HANDLED);
    assert_int_equal(help_top(h), 7);
    assert_int_equal(help_key(h, WKEY(KEY_HOME)), HELP_HANDLED);
    assert_int_equal(help_top(h), 0);
    assert_int_equal(help_key(h, 'x'), HELP_UNHANDLED);
    assert_int_equal(help_key(h, '?'), HELP_CLOSE);
    assert_int_equal(help_key(h, 'q'), HELP_CLOSE);
    assert_int_equal(help_key(h, WKEY_ESC), HELP_CLOSE);
    help_free(h);
    help_free(NULL);
}

/* Draw a dialog and the help overlay: the text an operator reads is there. */
static bool
screen_has(WINDOW *w, const char *needle)
{
    char line[128];
    for (int y = 0; y < getmaxy(w); y++) {
        mvwinnstr(w, y, 0, line, getmaxx(w));
        if (strstr(line, needle))
            return true;
    }
    return false;
}

static void
test_draw_overlays(void **state)
{
    FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
    SCREEN *scr = newterm("xterm-256color", out, in);
    if (!scr)
        skip();
    struct theme *th = theme_new_builtin();
    theme_resolve(th, TH_MODE_MONO);
    struct glyphs g;
    glyphs_init(&g, true);
    WINDOW *w = newwin(20, 60, 0, 0);

    const char *lines[] = {"Stop replica 'east-to-west' on east/db-0?"};
    struct dlg *d = dlg_confirm_new("Stop replica", lines, 1, NULL, NULL);
    dlg_draw(d, w, 0, 0, 20, 60, th, &g);
    assert_true(screen_has(w, "+- Stop replica -"));
    assert_true(screen_has(w, "Stop replica 'east-to-west' on east/db-0?"));
    assert_true(screen_has(w, "[ Yes ]   [ No ]"));
    dlg_free(d);

    werase(w);
    d = dlg_input_new("Delete", lines, 1, NULL, DLG_MASKED);
    dlg_set_confirm_word(d, "db-0");
    dlg_key(d, 'd');
    dlg_key(d, '\n');
    dlg_draw(d, w, 0, 0, 20, 60, th, &g);
    assert_true(screen_has(w, "That is not 'db-0'. Type it exactly:"));
    assert_true(screen_has(w, "*"));
    assert_false(screen_has(w, "d "));
    dlg_free(d);

    werase(w);
    struct help *h = help_new("Keys");
    help_set_rows(h, help_rows, 6);
    help_draw(h, w, 0, 0, 8, 60, th, &g);
    assert_true(screen_has(w, "Keys"));
    assert_true(screen_has(w, "Global"));
    assert_true(screen_has(w, "show this help"));
    assert_true(screen_has(w, "#")); /* the scrollbar thumb: 11 lines in a 3-line box */
    help_free(h);

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
        cmocka_unit_test(test_edit_keys),      cmocka_unit_test(test_results_and_insert),
        cmocka_unit_test(test_max_length),     cmocka_unit_test(test_history),
        cmocka_unit_test(test_completion),     cmocka_unit_test(test_view_scroll),
        cmocka_unit_test(test_confirm_dialog), cmocka_unit_test(test_input_dialogs),
        cmocka_unit_test(test_help),           cmocka_unit_test(test_draw_overlays),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
