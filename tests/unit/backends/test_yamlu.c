/* test_yamlu: YAML to jansson with line marks, typed getters, strict keys, did-you-mean. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codec/yamlu.h"

static struct yamlu_doc *
load(const char *text)
{
    struct yamlu_doc *d = NULL;
    struct pxerr err = {0};
    int rc = yamlu_load_buf("t.yaml", text, strlen(text), &d, &err);
    if (rc != 0)
        fail_msg("unexpected error: %s", err.msg);
    return d;
}

static void
load_err(const char *text, int code, const char *want)
{
    struct yamlu_doc *d = NULL;
    struct pxerr err = {0};
    assert_int_equal(yamlu_load_buf("t.yaml", text, strlen(text), &d, &err), code);
    assert_null(d);
    assert_string_equal(err.msg, want);
}

static void
test_scalars(void **state)
{
    (void)state;
    struct yamlu_doc *d = load("a: 1\n"
                               "b: -7\n"
                               "c: 0x1f\n"
                               "d: 1.5\n"
                               "e: true\n"
                               "f: False\n"
                               "g: ~\n"
                               "h:\n"
                               "i: \"1\"\n"
                               "j: yes\n"
                               "k: 10.0.0.1\n"
                               "l: !!str 42\n"
                               "m: 99999999999999999999999\n"
                               "n: 'true'\n"
                               "o: 0o17\n");
    json_t *r = d->root;
    assert_true(json_is_object(r));
    assert_int_equal(json_integer_value(json_object_get(r, "a")), 1);
    assert_int_equal(json_integer_value(json_object_get(r, "b")), -7);
    assert_int_equal(json_integer_value(json_object_get(r, "c")), 31);
    assert_true(json_real_value(json_object_get(r, "d")) == 1.5);
    assert_true(json_is_true(json_object_get(r, "e")));
    assert_true(json_is_false(json_object_get(r, "f")));
    assert_true(json_is_null(json_object_get(r, "g")));
    assert_true(json_is_null(json_object_get(r, "h")));
    assert_string_equal(json_string_value(json_object_get(r, "i")), "1");
    assert_string_equal(json_string_value(json_object_get(r, "j")), "yes"); /* YAML 1.2 */
    assert_string_equal(json_string_value(json_object_get(r, "k")), "10.0.0.1");
    assert_string_equal(json_string_value(json_object_get(r, "l")), "42");
    assert_string_equal(json_string_value(json_object_get(r, "m")), "99999999999999999999999");
    assert_string_equal(json_string_value(json_object_get(r, "n")), "true");
    assert_int_equal(json_integer_value(json_object_get(r, "o")), 15);
    yamlu_free(d);
}

static void
test_marks_and_paths(void **state)
{
    (void)state;
    struct yamlu_doc *d = load("# comment\n"
                               "users:\n"
                               "- name: u\n"
                               "  user:\n"
                               "    token: t\n"
                               "    exec:\n"
                               "      args:\n"
                               "      - one\n"
                               "      - two\n");
    assert_int_equal(yamlu_line(d, ""), 2);
    assert_int_equal(yamlu_line(d, "users"), 2);
    assert_int_equal(yamlu_line(d, "users[0]"), 3);
    assert_int_equal(yamlu_line(d, "users[0].name"), 3);
    assert_int_equal(yamlu_col(d, "users[0].name"), 3);
    assert_int_equal(yamlu_line(d, "users[0].user"), 4);
    assert_int_equal(yamlu_line(d, "users[0].user.token"), 5);
    assert_int_equal(yamlu_line(d, "users[0].user.exec.args"), 7);
    assert_int_equal(yamlu_line(d, "users[0].user.exec.args[1]"), 9);
    /* Unknown paths fall back to the nearest known ancestor. */
    assert_int_equal(yamlu_line(d, "users[0].user.nothere"), 4);
    assert_int_equal(yamlu_line(d, "users[0].user.exec.args[7]"), 7);
    struct pxerr err = {0};
    assert_int_equal(yamlu_err(d, &err, PXE_SCHEMA, "users[0].user.token", "bad %s", "thing"),
                     PXE_SCHEMA);
    assert_string_equal(err.msg, "t.yaml:5: users[0].user.token: bad thing");
    yamlu_free(d);
}

static void
test_anchors_merge(void **state)
{
    (void)state;
    struct yamlu_doc *d = load("base: &b\n"
                               "  port: 3306\n"
                               "  host: x\n"
                               "one:\n"
                               "  <<: *b\n"
                               "  host: y\n"
                               "list: [*b, *b]\n");
    json_t *one = json_object_get(d->root, "one");
    assert_int_equal(json_integer_value(json_object_get(one, "port")), 3306);
    assert_string_equal(json_string_value(json_object_get(one, "host")), "y");
    assert_int_equal(json_array_size(json_object_get(d->root, "list")), 2);
    yamlu_free(d);
}

static void
test_load_errors(void **state)
{
    (void)state;
    load_err("a: b: c\n", PXE_PARSE, "t.yaml:1:5: mapping values are not allowed in this context");
    load_err("a: [1, 2\nb: 3\n", PXE_PARSE,
             "t.yaml:2:2: did not find expected ',' or ']' (while parsing a flow sequence at "
             "line 1)");
    load_err("a: 1\nb: 2\na: 3\n", PXE_PARSE,
             "t.yaml:3:1: (top level): duplicate key 'a' (first at line 1)");
    load_err("a: 1\n---\nb: 2\n", PXE_PARSE,
             "t.yaml:2:1: a second YAML document ('---'): only one is read");
    load_err("a: *nope\n", PXE_PARSE,
             "t.yaml:1:4: unknown alias '*nope' (anchors must come first)");
    struct yamlu_doc *d = NULL;
    struct pxerr err = {0};
    assert_int_equal(yamlu_load_file("/nonexistent/x.yaml", &d, &err), PXE_NOTFOUND);
    assert_string_equal(err.msg, "/nonexistent/x.yaml: No such file or directory");
    /* An empty document is fine and has no root. */
    d = load("# nothing\n");
    assert_null(d->root);
    yamlu_free(d);
}

static void
test_getters(void **state)
{
    (void)state;
    struct yamlu_doc *d = load("m:\n"
                               "  s: text\n"
                               "  n: 7\n"
                               "  b: true\n"
                               "  big: 70000\n"
                               "  l: [1]\n");
    json_t *m = json_object_get(d->root, "m");
    struct pxerr err = {0};
    const char *s = "default";
    assert_int_equal(yamlu_get_str(d, m, "m", "absent", &s, &err), 0);
    assert_string_equal(s, "default");
    assert_int_equal(yamlu_get_str(d, m, "m", "s", &s, &err), 0);
    assert_string_equal(s, "text");
    assert_int_equal(yamlu_get_str(d, m, "m", "n", &s, &err), PXE_SCHEMA);
    assert_string_equal(err.msg, "t.yaml:3: m.n: expected a string, got an integer (7)");
    bool b = false;
    assert_int_equal(yamlu_get_bool(d, m, "m", "b", &b, &err), 0);
    assert_true(b);
    assert_int_equal(yamlu_get_bool(d, m, "m", "s", &b, &err), PXE_SCHEMA);
    assert_string_equal(err.msg, "t.yaml:2: m.s: expected true or false, got a string (\"text\")");
    long long v = 0;
    assert_int_equal(yamlu_get_int(d, m, "m", "n", 1, 10, &v, &err), 0);
    assert_int_equal(v, 7);
    assert_int_equal(yamlu_get_int(d, m, "m", "big", 1, 65535, &v, &err), PXE_SCHEMA);
    assert_string_equal(err.msg, "t.yaml:5: m.big: must be between 1 and 65535, got 70000");
    json_t *o = NULL;
    assert_int_equal(yamlu_get_obj(d, m, "m", "l", &o, &err), PXE_SCHEMA);
    assert_string_equal(err.msg, "t.yaml:6: m.l: expected a mapping, got a list");
    assert_int_equal(yamlu_get_arr(d, m, "m", "l", &o, &err), 0);
    assert_int_equal(json_array_size(o), 1);
    yamlu_free(d);
}

static void
test_check_keys(void **state)
{
    (void)state;
    static const char *const allowed[] = {"connectTimeoutSeconds", "readTimeoutSeconds", "mode",
                                          NULL};
    struct yamlu_doc *d = load("mysql:\n"
                               "  mode: direct\n"
                               "  conectTimeoutSeconds: 3\n");
    json_t *m = json_object_get(d->root, "mysql");
    struct pxerr err = {0};
    assert_int_equal(yamlu_check_keys(d, m, "mysql", allowed, &err), PXE_SCHEMA);
    assert_string_equal(err.msg, "t.yaml:3: mysql.conectTimeoutSeconds: unknown key (did you mean "
                                 "'connectTimeoutSeconds'?)");
    yamlu_free(d);
    d = load("mysql:\n  zzz: 1\n");
    m = json_object_get(d->root, "mysql");
    assert_int_equal(yamlu_check_keys(d, m, "mysql", allowed, &err), PXE_SCHEMA);
    assert_string_equal(err.msg, "t.yaml:2: mysql.zzz: unknown key (known: connectTimeoutSeconds, "
                                 "readTimeoutSeconds, mode)");
    yamlu_free(d);
    assert_int_equal(yamlu_edit_distance("kitten", "sitting"), 3);
    assert_string_equal(yamlu_suggest("MODE", allowed), "mode");
    assert_null(yamlu_suggest("nothing-like-it", allowed));
}

/* Every prefix and a few thousand single-byte corruptions of real files either load or fail
 * with a message; under ASan/UBSan none may crash or leak (tmux fuzz/ in miniature). */
static void
test_truncated_and_corrupted(void **state)
{
    (void)state;
    const char *src = getenv("PXC_SOURCE_DIR");
    static const char *const files[] = {"tests/fixtures/kubeconfig/auth.yaml",
                                        "docs/config.example.yaml", NULL};
    for (const char *const *f = files; *f; f++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", src ? src : PXC_SOURCE_DIR, *f);
        FILE *fp = fopen(path, "rb");
        assert_non_null(fp);
        static char buf[65536];
        size_t n = fread(buf, 1, sizeof buf - 1, fp);
        fclose(fp);
        assert_true(n > 100);
        size_t ok = 0, bad = 0;
        for (size_t len = 0; len <= n; len += 13) {
            struct yamlu_doc *d = NULL;
            struct pxerr err = {0};
            if (yamlu_load_buf("p.yaml", buf, len, &d, &err) == 0) {
                ok++;
                yamlu_free(d);
            } else {
                bad++;
                assert_true(strncmp(err.msg, "p.yaml:", 7) == 0);
            }
        }
        assert_true(ok > 0 && bad > 0);
        static const char junk[] = ":-[]{}&*!|>'\"%@`#,? \t\n\x01\xff";
        unsigned seed = 12345;
        for (int i = 0; i < 800; i++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = (seed >> 8) % n;
            char saved = buf[at];
            buf[at] = junk[(seed >> 20) % (sizeof junk - 1)];
            struct yamlu_doc *d = NULL;
            struct pxerr err = {0};
            if (yamlu_load_buf("p.yaml", buf, n, &d, &err) == 0)
                yamlu_free(d);
            buf[at] = saved;
        }
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalars),
        cmocka_unit_test(test_marks_and_paths),
        cmocka_unit_test(test_anchors_merge),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_getters),
        cmocka_unit_test(test_check_keys),
        cmocka_unit_test(test_truncated_and_corrupted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
