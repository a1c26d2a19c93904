/* test_cmdline: splitting with quotes, command lookup by name, alias and unique prefix,
 * the argument-count usage errors (checked before a command runs, so no app is needed),
 * and completion of command names, views and themes (from a themes dir made here). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "vec.h"
#include "cmdline.h"
#include "view.h"

static void
test_split(void **state)
{
    static const struct {
        const char *line;
        int n;
        const char *w[4];
    } cases[] = {
        {"", 0, {NULL}},
        {"   ", 0, {NULL}},
        {"quit", 1, {"quit"}},
        {"  theme   light ", 2, {"theme", "light"}},
        {"theme 'my theme'", 2, {"theme", "my theme"}},
        {"view \"a \\\"b\\\"\"", 2, {"view", "a \"b\""}},
        {"x a'b c'd", 2, {"x", "ab cd"}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct vec v;
        struct pxerr err = {0};
        vec_init(&v, free);
        assert_int_equal(cmdline_split(cases[i].line, &v, &err), 0);
        assert_int_equal((int)v.n, cases[i].n);
        for (int k = 0; k < cases[i].n; k++)
            assert_string_equal(vec_at(&v, (size_t)k), cases[i].w[k]);
        vec_fini(&v);
    }
    struct vec v;
    struct pxerr err = {0};
    vec_init(&v, free);
    assert_int_equal(cmdline_split("theme 'light", &v, &err), PXE_PARSE);
    assert_string_equal(err.msg, "unterminated quote at column 7: 'light");
    assert_int_equal((int)v.n, 0);
    vec_fini(&v);
}

static void
test_find(void **state)
{
    struct pxerr err = {0};
    assert_string_equal(cmdline_find("quit", &err)->name, "quit");
    assert_string_equal(cmdline_find("q", &err)->name, "quit");
    assert_string_equal(cmdline_find("th", &err)->name, "theme");
    assert_string_equal(cmdline_find("v", &err)->name, "view");
    assert_null(cmdline_find("frobnicate", &err));
    assert_int_equal(err.code, PXE_NOTFOUND);
    assert_string_equal(err.msg,
                        "unknown command 'frobnicate' (commands: quit, theme, view, ctx, help, "
                        "overview, pods, pxc, channels, events, findings, serviceentries, "
                        "injection, namespaces, probes, setup)");
    /* k9s's resource names and aliases, exact before any prefix. */
    static const char *const alias[][2] = {
        {"se", "serviceentries"}, {"serviceentry", "serviceentries"},
        {"po", "pods"},           {"pod", "pods"},
        {"ch", "channels"},       {"ev", "events"},
        {"fi", "findings"},       {"ns", "namespaces"},
        {"pr", "probes"},         {"pxc", "pxc"},
        {"ov", "overview"},       {"inj", "injection"},
    };
    for (size_t i = 0; i < sizeof alias / sizeof alias[0]; i++)
        assert_string_equal(cmdline_find(alias[i][0], &err)->name, alias[i][1]);
    /* A prefix of an alias is no alias: "s" is a prefix of two names. */
    assert_null(cmdline_find("s", &err));
    assert_int_equal(err.code, PXE_USAGE);
    assert_string_equal(err.msg, "ambiguous command 's': serviceentries, setup");
    assert_null(cmdline_find("c", &err));
    assert_string_equal(err.msg, "ambiguous command 'c': ctx, channels");
    assert_string_equal(cmdline_find("serv", &err)->name, "serviceentries");
    /* Every command has a usage and a summary, and a sane argument range. */
    for (size_t i = 0; i < cmdline_count(); i++) {
        const struct cmdline_cmd *c = cmdline_at(i);
        assert_non_null(c->usage);
        assert_non_null(c->summary);
        assert_true(c->min_args <= c->max_args);
        assert_non_null(c->exec);
    }
}

static void
test_usage_errors(void **state)
{
    struct pxerr err = {0};
    /* The count is checked before exec: no app needed. */
    assert_int_equal(cmdline_run(NULL, "theme", &err), PXE_USAGE);
    assert_string_equal(err.msg, "usage: :theme NAME");
    assert_int_equal(cmdline_run(NULL, "view a b", &err), PXE_USAGE);
    assert_string_equal(err.msg, "usage: :view NAME");
    assert_int_equal(cmdline_run(NULL, "quit now", &err), PXE_USAGE);
    assert_int_equal(cmdline_run(NULL, "ctx add", &err), PXE_USAGE);
    assert_string_equal(err.msg, "usage: :ctx add|drop NAME");
    assert_int_equal(cmdline_run(NULL, "nope", &err), PXE_NOTFOUND);
    assert_int_equal(cmdline_run(NULL, "   ", &err), 0);
}

static char *
complete(const char *line, size_t *ws, struct vec *c)
{
    vec_init(c, free);
    cmdline_complete(NULL, line, strlen(line), ws, c);
    struct vec *v = c;
    size_t len = 1;
    for (size_t i = 0; i < v->n; i++)
        len += strlen(v->items[i]) + 1;
    char *s = calloc(1, len);
    for (size_t i = 0; i < v->n; i++) {
        if (i)
            strcat(s, ",");
        strcat(s, v->items[i]);
    }
    return s;
}

static void
test_complete(void **state)
{
    struct vec c;
    size_t ws = 99;
    char *s = complete("", &ws, &c);
    assert_string_equal(s, "channels,ctx,events,findings,help,injection,namespaces,overview,pods,"
                           "probes,pxc,quit,serviceentries,setup,theme,view");
    assert_int_equal(ws, 0);
    free(s);
    vec_fini(&c);

    s = complete("t", &ws, &c);
    assert_string_equal(s, "theme");
    free(s);
    vec_fini(&c);

    /* Every registered view, sorted. */
    s = complete("view ", &ws, &c);
    assert_int_equal(ws, 5);
    size_t n_views = 0;
    for (; view_registry[n_views] != NULL; n_views++)
        assert_non_null(strstr(s, view_registry[n_views]->name));
    assert_int_equal(c.n, n_views);
    for (size_t i = 1; i < c.n; i++)
        assert_true(strcmp(c.items[i - 1], c.items[i]) < 0);
    assert_non_null(strstr(s, "channels,describe,detail,events,findings"));
    free(s);
    vec_fini(&c);

    s = complete("ctx ", &ws, &c);
    assert_string_equal(s, "add,drop");
    free(s);
    vec_fini(&c);

    s = complete("ctx d", &ws, &c);
    assert_string_equal(s, "drop");
    free(s);
    vec_fini(&c);

    /* The second argument needs the app (the model's clusters): none here. */
    s = complete("ctx drop ", &ws, &c);
    assert_string_equal(s, "");
    free(s);
    vec_fini(&c);

    s = complete("view ch", &ws, &c);
    assert_string_equal(s, "channels");
    free(s);
    vec_fini(&c);

    /* Themes come from the search path: a directory of our own first. */
    char dir[] = "/tmp/pxc-test-cmdline-XXXXXX";
    assert_non_null(mkdtemp(dir));
    const char *names[] = {"zebra", "light", "lavender"};
    for (size_t i = 0; i < 3; i++) {
        char p[256];
        snprintf(p, sizeof p, "%s/%s.theme", dir, names[i]);
        FILE *f = fopen(p, "w");
        assert_non_null(f);
        fputs("# test theme\n", f);
        fclose(f);
    }
    setenv("PXC_THEMES_DIR", dir, 1);
    s = complete("theme la", &ws, &c);
    assert_string_equal(s, "lavender");
    free(s);
    vec_fini(&c);
    s = complete("theme l", &ws, &c);
    assert_non_null(strstr(s, "lavender,light"));
    assert_null(strstr(s, "zebra"));
    free(s);
    vec_fini(&c);
    /* No completion past the last argument. */
    s = complete("theme light x", &ws, &c);
    assert_string_equal(s, "");
    free(s);
    vec_fini(&c);
    for (size_t i = 0; i < 3; i++) {
        char p[256];
        snprintf(p, sizeof p, "%s/%s.theme", dir, names[i]);
        unlink(p);
    }
    rmdir(dir);
    unsetenv("PXC_THEMES_DIR");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_find),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_complete),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
