/* test_theme: the shipped themes parse and set every element; each kind of bad line is
 * refused with its exact "file:line: reason" message and leaves *out alone; colours parse
 * and downgrade (256 -> 16 -> 8 -> mono) as documented; the search path finds themes by
 * name and says where it looked when it cannot. No terminal needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "pxerr.h"
#include "vec.h"
#include "theme.h"

static const char *
src_dir(void)
{
    const char *s = getenv("PXC_SOURCE_DIR");
    return s ? s : PXC_SOURCE_DIR;
}

static void
test_shipped_themes_complete(void **state)
{
    static const char *const names[] = {"default", "light", "high-contrast", "mono"};
    for (size_t i = 0; i < 4; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/themes/%s.theme", src_dir(), names[i]);
        struct theme *t = NULL;
        struct pxerr err = {0};
        int rc = theme_parse_file(path, &t, &err);
        if (rc != 0)
            fail_msg("%s", err.msg);
        assert_string_equal(theme_name(t), names[i]);
        for (int e = 0; e < TH__COUNT; e++)
            if (!theme_is_set(t, (enum th_elem)e))
                fail_msg("%s does not set '%s'", path, theme_elem_name((enum th_elem)e));
        theme_free(t);
    }
}

struct bad_case {
    const char *text;
    const char *msg;
};

static const struct bad_case bad_cases[] = {
    {"tabel.header = bold\n",
     "bad.theme:1: unknown element 'tabel.header' (did you mean 'table.header'?)"},
    {"table.row = bold\nxyzzy = bold\n",
     "bad.theme:2: unknown element 'xyzzy' (docs/themes.md lists the elements)"},
    /* Before any good line the file may be anything (":theme /etc/shadow"): no quoting. */
    {"xyzzy = bold\n", "bad.theme:1: not a theme line: no element of that name before '=' "
                       "(docs/themes.md lists the elements)"},
    {"root:$6$saltsalt$hashhashhash:19000:0:99999:7:::\n",
     "bad.theme:1: not a theme line: expected 'ELEMENT = STYLE' or 'palette NAME=COLOUR ...'"},
    {"c2VjcmV0LXRva2VuLXZhbHVl==\n", "bad.theme:1: not a theme line: no element of that name "
                                     "before '=' (docs/themes.md lists the elements)"},
    {"\n# comment\ntable.header = fg=rde\n",
     "bad.theme:3: unknown colour 'rde' (did you mean 'red'?)"},
    {"table.header = fg=accent\n",
     "bad.theme:1: unknown colour 'accent' (use default, black..white, brightblack..brightwhite, "
     "colour0-255, #rrggbb or a palette name)"},
    {"palette accent=colour39\ntable.header = fg=acent\n",
     "bad.theme:2: unknown colour 'acent' (did you mean 'accent'?)"},
    {"table.header = fg=colour300\n",
     "bad.theme:1: colour 'colour300' out of range (colour0 to colour255)"},
    {"table.header = fg=#12345g\n",
     "bad.theme:1: unknown colour '#12345g' (use default, black..white, brightblack..brightwhite, "
     "colour0-255, #rrggbb or a palette name)"},
    {"table.header = bolt\n", "bad.theme:1: unknown attribute 'bolt' (did you mean 'bold'?)"},
    {"table.header = sparkly\n",
     "bad.theme:1: unknown attribute 'sparkly' (use bold, dim, italic, underline, reverse, blink, "
     "none, fg=COLOUR, bg=COLOUR)"},
    {"table.header = fgg=red\n", "bad.theme:1: unknown style key 'fgg' (did you mean 'fg'?)"},
    {"table.header = fg=red,fg=blue\n", "bad.theme:1: 'fg' given twice in one style"},
    {"table.header = fg=\n", "bad.theme:1: 'fg=' needs a colour"},
    {"table.header = bold,,dim\n",
     "bad.theme:1: empty item in style (two commas, or a comma at an end)"},
    {"table.header = bold,\n",
     "bad.theme:1: empty item in style (two commas, or a comma at an end)"},
    {"table.header =\n",
     "bad.theme:1: element 'table.header' has an empty style (use 'none' for plain text)"},
    {"table.row = bold\ntable.row = dim\n",
     "bad.theme:2: element 'table.row' set twice (first on line 1)"},
    {"table.header bold\n",
     "bad.theme:1: not a theme line: expected 'ELEMENT = STYLE' or 'palette NAME=COLOUR ...'"},
    {"= bold\n", "bad.theme:1: missing element name before '='"},
    {"palette\n", "bad.theme:1: empty palette line (expected 'palette NAME=COLOUR ...')"},
    {"palette accent\n", "bad.theme:1: palette entry 'accent' is not NAME=COLOUR"},
    {"palette red=colour1\n", "bad.theme:1: palette name 'red' is a colour name; choose another"},
    {"palette a=colour1\npalette a=colour2\n",
     "bad.theme:2: palette name 'a' defined twice (first on line 1)"},
    {"palette 9lives=red\n",
     "bad.theme:1: bad palette name '9lives' (letters, digits, '-', '_'; at most 31)"},
    {"palette x=nocolour\n",
     "bad.theme:1: unknown colour 'nocolour' (use default, black..white, brightblack..brightwhite, "
     "colour0-255, #rrggbb or a palette name)"},
};

static void
test_bad_lines(void **state)
{
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        struct theme *sentinel = (struct theme *)&bad_cases[i];
        struct theme *t = sentinel;
        struct pxerr err = {0};
        int rc =
            theme_parse_buf("bad.theme", bad_cases[i].text, strlen(bad_cases[i].text), &t, &err);
        if (rc != PXE_PARSE)
            fail_msg("case %zu: rc %d, want PXE_PARSE", i, rc);
        assert_ptr_equal(t, sentinel); /* transactional: *out untouched */
        assert_int_equal(err.code, PXE_PARSE);
        assert_string_equal(err.msg, bad_cases[i].msg);
    }
}

static void
test_style_guide_example(void **state)
{
    /* The message STYLE.md §4 quotes, word for word. */
    char buf[512] = "";
    for (int i = 0; i < 11; i++)
        strcat(buf, "# filler\n");
    strcat(buf, "tabel.header = bold\n");
    struct theme *t = NULL;
    struct pxerr err = {0};
    assert_int_equal(theme_parse_buf("themes/dark.theme", buf, strlen(buf), &t, &err), PXE_PARSE);
    assert_string_equal(err.msg,
                        "themes/dark.theme:12: unknown element 'tabel.header' (did you mean "
                        "'table.header'?)");
    assert_null(t);
}

static void
test_nul_byte_refused(void **state)
{
    const char buf[] = "table.row = bold\nta\0ble.row = dim\n";
    struct theme *t = NULL;
    struct pxerr err = {0};
    assert_int_equal(theme_parse_buf("x.theme", buf, sizeof buf - 1, &t, &err), PXE_PARSE);
    assert_string_equal(err.msg, "x.theme:2: NUL byte in theme file (is it a text file?)");
}

static void
test_good_file(void **state)
{
    const char *text = "# a comment\n"
                       "palette accent=colour39 hot=#ff0000   cool=color21\n"
                       "\n"
                       "  table.header = fg=accent, bg=colour236 ,bold,underline  # trailing\n"
                       "state.bad=fg=hot,bg=default,reverse\n"
                       "state.ok = fg=brightgreen\n"
                       "spark = fg=#000000,bg=cool\n"
                       "text = none\r\n";
    struct theme *t = NULL;
    struct pxerr err = {0};
    int rc = theme_parse_buf("themes/good.theme", text, strlen(text), &t, &err);
    if (rc)
        fail_msg("%s", err.msg);
    assert_string_equal(theme_name(t), "good");
    struct th_style s = theme_style(t, TH_TABLE_HEADER);
    assert_int_equal(s.fg, 39);
    assert_int_equal(s.bg, 236);
    assert_int_equal(s.attrs, TH_A_BOLD | TH_A_UNDERLINE);
    s = theme_style(t, TH_STATE_BAD);
    assert_int_equal(s.fg, 196);
    assert_int_equal(s.bg, TH_DEFAULT);
    assert_int_equal(s.attrs, TH_A_REVERSE);
    assert_int_equal(theme_style(t, TH_STATE_OK).fg, 10);
    assert_int_equal(theme_style(t, TH_SPARK).fg, 16);
    assert_int_equal(theme_style(t, TH_SPARK).bg, 21);
    assert_int_equal(theme_style(t, TH_TEXT).attrs, 0);
    assert_true(theme_is_set(t, TH_TEXT));
    /* Not set: the built-in fallback. */
    assert_false(theme_is_set(t, TH_SBAR));
    struct theme *b = theme_new_builtin();
    assert_memory_equal(&(struct th_style[]){theme_style(t, TH_SBAR)},
                        &(struct th_style[]){theme_style(b, TH_SBAR)}, sizeof(struct th_style));
    assert_string_equal(theme_name(b), "builtin");
    theme_free(b);
    theme_free(t);
}

struct colour_case {
    const char *s;
    int rc, v;
};

static void
test_colour_parse(void **state)
{
    static const struct colour_case cases[] = {
        {"default", 0, TH_DEFAULT},
        {"black", 0, 0},
        {"white", 0, 7},
        {"brightblack", 0, 8},
        {"brightwhite", 0, 15},
        {"colour0", 0, 0},
        {"colour255", 0, 255},
        {"color42", 0, 42},
        {"#ff0000", 0, 196},
        {"#FFFFFF", 0, 231},
        {"#000000", 0, 16},
        {"#808080", 0, 244},
        {"colour256", -1, 0},
        {"colour", -1, 0},
        {"colour-1", -1, 0},
        {"colour1234", -1, 0},
        {"#fff", -1, 0},
        {"#gggggg", -1, 0},
        {"Red", -1, 0},
        {"", -1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int v = -99;
        int rc = theme_colour_parse(cases[i].s, &v);
        if (rc != cases[i].rc || (rc == 0 && v != cases[i].v))
            fail_msg("'%s': rc %d v %d, want rc %d v %d", cases[i].s, rc, v, cases[i].rc,
                     cases[i].v);
    }
    assert_int_equal(theme_rgb_to_256(95, 135, 175), 16 + 36 * 1 + 6 * 2 + 3);
    assert_int_equal(theme_rgb_to_256(238, 238, 238), 255);
}

static void
test_modes(void **state)
{
    assert_int_equal(theme_mode_for(256, false), TH_MODE_256);
    assert_int_equal(theme_mode_for(88, false), TH_MODE_16);
    assert_int_equal(theme_mode_for(16, false), TH_MODE_16);
    assert_int_equal(theme_mode_for(8, false), TH_MODE_8);
    assert_int_equal(theme_mode_for(2, false), TH_MODE_MONO);
    assert_int_equal(theme_mode_for(0, false), TH_MODE_MONO);
    assert_int_equal(theme_mode_for(256, true), TH_MODE_MONO);
}

static void
test_resolve_downgrade(void **state)
{
    const char *text = "state.bad = fg=colour196,bold\n"
                       "state.warn = fg=colour214\n"
                       "state.ok = fg=brightgreen\n"
                       "table.header = fg=colour250,bg=colour237\n"
                       "table.selected = fg=colour231,bg=colour25\n"
                       "sbar = fg=colour232,bg=colour233\n"; /* both near black */
    struct theme *t = NULL;
    struct pxerr err = {0};
    assert_int_equal(theme_parse_buf("d.theme", text, strlen(text), &t, &err), 0);

    theme_resolve(t, TH_MODE_256);
    assert_int_equal(theme_resolved(t, TH_STATE_BAD).fg, 196);
    assert_int_not_equal(theme_pair(t, TH_STATE_BAD), 0);
    assert_true(theme_attr(t, TH_STATE_BAD) & A_BOLD);
    assert_int_equal(PAIR_NUMBER(theme_attr(t, TH_STATE_BAD)), theme_pair(t, TH_STATE_BAD));

    theme_resolve(t, TH_MODE_16);
    assert_int_equal(theme_resolved(t, TH_STATE_BAD).fg, 9); /* bright red */
    assert_int_equal(theme_resolved(t, TH_STATE_OK).fg, 10); /* kept */

    theme_resolve(t, TH_MODE_8);
    assert_int_equal(theme_resolved(t, TH_STATE_BAD).fg, 1);  /* red */
    assert_int_equal(theme_resolved(t, TH_STATE_WARN).fg, 3); /* orange -> yellow */
    assert_int_equal(theme_resolved(t, TH_STATE_OK).fg, 2);   /* bright green -> green */
    assert_int_equal(theme_resolved(t, TH_TABLE_SELECTED).bg, 4);
    /* Two near-blacks collapse to black on black: the text is made readable. */
    struct th_style sb = theme_resolved(t, TH_SBAR);
    assert_int_equal(sb.bg, 0);
    assert_int_equal(sb.fg, 7);

    theme_resolve(t, TH_MODE_MONO);
    for (int e = 0; e < TH__COUNT; e++)
        assert_int_equal(theme_pair(t, (enum th_elem)e), 0);
    /* Attributes survive; a selection shown by colour alone becomes reverse. */
    assert_true(theme_attr(t, TH_STATE_BAD) & A_BOLD);
    assert_true(theme_attr(t, TH_TABLE_SELECTED) & A_REVERSE);
    assert_int_equal(PAIR_NUMBER(theme_attr(t, TH_TABLE_SELECTED)), 0);
    theme_free(t);
}

static void
test_pairs_shared_and_attr_on(void **state)
{
    struct theme *t = theme_new_builtin();
    theme_resolve(t, TH_MODE_256);
    /* Built-in: state.warn and topo.warn are both colour214 on default. */
    assert_int_equal(theme_pair(t, TH_STATE_WARN), theme_pair(t, TH_TOPO_WARN));
    assert_int_equal(theme_pair(t, TH_APP), 0);
    /* On a plain row the element's own pair; on the alternate row a pair with its bg. */
    assert_int_equal(theme_attr_on(t, TH_STATE_OK, TH_TABLE_ROW), theme_attr(t, TH_STATE_OK));
    attr_t alt = theme_attr_on(t, TH_STATE_OK, TH_TABLE_ROW_ALT);
    assert_int_not_equal(PAIR_NUMBER(alt), 0);
    assert_int_not_equal(PAIR_NUMBER(alt), PAIR_NUMBER(theme_attr(t, TH_STATE_OK)));
    assert_int_not_equal(PAIR_NUMBER(alt), PAIR_NUMBER(theme_attr(t, TH_TABLE_ROW_ALT)));
    /* An element with its own background keeps it. */
    assert_int_equal(theme_attr_on(t, TH_SBAR_ERROR, TH_SBAR), theme_attr(t, TH_SBAR_ERROR));
    /* Unlisted background: the element alone. */
    assert_int_equal(theme_attr_on(t, TH_STATE_OK, TH_SPARK), theme_attr(t, TH_STATE_OK));
    theme_resolve(t, TH_MODE_MONO);
    assert_int_equal(theme_attr_on(t, TH_STATE_BAD, TH_SBAR),
                     theme_attr(t, TH_STATE_BAD) | theme_attr(t, TH_SBAR));
    /* NULL theme and TH_NONE are safe. */
    assert_true(theme_attr(NULL, TH_TABLE_SELECTED) & A_REVERSE);
    assert_int_equal(theme_attr(t, TH_NONE), theme_attr(t, TH_TEXT));
    theme_free(t);
}

static void
test_elem_names(void **state)
{
    assert_int_equal(theme_elem_lookup("table.header"), TH_TABLE_HEADER);
    assert_int_equal(theme_elem_lookup("table.selected.unfocus"), TH_TABLE_SELECTED_UNFOCUS);
    assert_int_equal(theme_elem_lookup("nope"), TH_NONE);
    assert_string_equal(theme_elem_name(TH_SBAR_ERROR), "sbar.error");
    for (int e = 0; e < TH__COUNT; e++)
        assert_int_equal(theme_elem_lookup(theme_elem_name((enum th_elem)e)), e);
}

static void
test_no_color_env(void **state)
{
    unsetenv("NO_COLOR");
    assert_false(theme_no_color_env());
    setenv("NO_COLOR", "", 1);
    assert_false(theme_no_color_env()); /* no-color.org: present and not empty */
    setenv("NO_COLOR", "1", 1);
    assert_true(theme_no_color_env());
    unsetenv("NO_COLOR");
}

static void
write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void
test_find_and_list(void **state)
{
    char dir[] = "/tmp/pxc-theme-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[1100], cfg[1100];
    snprintf(path, sizeof path, "%s/custom.theme", dir);
    write_file(path, "table.row = bold\n");
    snprintf(cfg, sizeof cfg, "%s/cfg", dir); /* no pxcmesh/themes inside: skipped */
    setenv("PXC_THEMES_DIR", dir, 1);
    setenv("XDG_CONFIG_HOME", cfg, 1);

    char found[1100];
    struct pxerr err = {0};
    assert_int_equal(theme_find("custom", found, sizeof found, &err), 0);
    assert_string_equal(found, path);
    assert_int_equal(theme_find("default", found, sizeof found, &err), 0);
    char want[1100];
    snprintf(want, sizeof want, "%s/themes/default.theme", src_dir());
    assert_string_equal(found, want);
    /* A path is taken as given. */
    assert_int_equal(theme_find(path, found, sizeof found, &err), 0);
    assert_string_equal(found, path);

    assert_int_equal(theme_find("nope", found, sizeof found, &err), PXE_NOTFOUND);
    assert_string_equal(err.msg, "theme 'nope' not found (available: custom, default, "
                                 "high-contrast, light, mono)");
    assert_int_equal(theme_find("./missing.theme", found, sizeof found, &err), PXE_NOTFOUND);
    assert_string_equal(err.msg, "theme file './missing.theme': No such file or directory");
    assert_int_equal(theme_find("a b", found, sizeof found, &err), PXE_INVAL);
    assert_string_equal(err.msg, "invalid theme name 'a b' (letters, digits, '-', '_', '.')");

    struct vec names;
    vec_init(&names, free);
    theme_list(&names);
    assert_int_equal(names.n, 5);
    assert_string_equal(names.items[0], "custom");
    assert_string_equal(names.items[4], "mono");
    vec_fini(&names);

    /* A bad file on disk: the error names the path and the line. */
    snprintf(path, sizeof path, "%s/broken.theme", dir);
    write_file(path, "table.row = bold\n\ntable.row.alt = fg=purple\n");
    struct theme *t = NULL;
    assert_int_equal(theme_parse_file(path, &t, &err), PXE_PARSE);
    char msg[1300];
    snprintf(msg, sizeof msg,
             "%s:3: unknown colour 'purple' (use default, black..white, "
             "brightblack..brightwhite, colour0-255, #rrggbb or a palette name)",
             path);
    assert_string_equal(err.msg, msg);
    assert_null(t);
    unlink(path);
    assert_int_equal(theme_parse_file(path, &t, &err), PXE_NOTFOUND);
    snprintf(msg, sizeof msg, "theme %s: No such file or directory", path);
    assert_string_equal(err.msg, msg);
    /* A FIFO (no writer) and a device: refused at once, never read. */
    assert_int_equal(mkfifo(path, 0600), 0);
    assert_int_equal(theme_find(path, found, sizeof found, &err), 0);
    assert_int_equal(theme_parse_file(path, &t, &err), PXE_INVAL);
    snprintf(msg, sizeof msg, "theme %s: not a regular file (a FIFO); give a file", path);
    assert_string_equal(err.msg, msg);
    unlink(path);
    assert_int_equal(theme_parse_file("/dev/zero", &t, &err), PXE_INVAL);
    assert_string_equal(err.msg,
                        "theme /dev/zero: not a regular file (a character device); give a file");
    assert_null(t);

    snprintf(path, sizeof path, "%s/custom.theme", dir);
    unlink(path);
    rmdir(dir);
    unsetenv("PXC_THEMES_DIR");
    unsetenv("XDG_CONFIG_HOME");
}

/* Deterministic mutations of a good file: every result is a theme or a PXE_PARSE naming a
 * line of the file; nothing crashes, nothing leaks (ASan/valgrind). */
static void
test_mutations(void **state)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/themes/default.theme", src_dir());
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char orig[16384];
    size_t n = fread(orig, 1, sizeof orig, f);
    fclose(f);
    static const char alphabet[] = "=,#: \n\tabcfgolur0123456789.-_!\xff\xc3";
    uint32_t seed = 12345;
    int ok = 0, bad = 0;
    for (int iter = 0; iter < 400; iter++) {
        char buf[sizeof orig];
        memcpy(buf, orig, n);
        for (int k = 0; k < 1 + iter % 4; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t pos = (seed >> 8) % n;
            seed = seed * 1103515245u + 12345u;
            buf[pos] = alphabet[(seed >> 8) % (sizeof alphabet - 1)];
        }
        struct theme *t = NULL;
        struct pxerr err = {0};
        int rc = theme_parse_buf("fuzz.theme", buf, n, &t, &err);
        if (rc == 0) {
            assert_non_null(t);
            theme_resolve(t, TH_MODE_8);
            theme_free(t);
            ok++;
        } else {
            assert_int_equal(rc, PXE_PARSE);
            assert_null(t);
            assert_memory_equal(err.msg, "fuzz.theme:", 11);
            bad++;
        }
    }
    assert_true(ok > 0 && bad > 0); /* both paths exercised */
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_themes_complete),
        cmocka_unit_test(test_bad_lines),
        cmocka_unit_test(test_style_guide_example),
        cmocka_unit_test(test_nul_byte_refused),
        cmocka_unit_test(test_good_file),
        cmocka_unit_test(test_colour_parse),
        cmocka_unit_test(test_modes),
        cmocka_unit_test(test_resolve_downgrade),
        cmocka_unit_test(test_pairs_shared_and_attr_on),
        cmocka_unit_test(test_elem_names),
        cmocka_unit_test(test_no_color_env),
        cmocka_unit_test(test_find_and_list),
        cmocka_unit_test(test_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
