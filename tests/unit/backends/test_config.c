/* test_config: the pxcmesh config file (good files, defaults, every bad case with its exact
 * FILE:LINE message), the docs' examples, --context configs, and the option-file reader
 * (which refuses FIFOs and devices at once, without reading them). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pwd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <uv.h>

#include "xmalloc.h"
#include "config/config.h"
#include "config/config_optread.h"

static char FX[512];  /* tests/fixtures/config */
static char SRC[256]; /* source dir */
static char TMP[64];  /* a private temp dir */

static int
setup(void **state)
{
    (void)state;
    const char *src = getenv("PXC_SOURCE_DIR");
    snprintf(SRC, sizeof SRC, "%s", src ? src : PXC_SOURCE_DIR);
    snprintf(FX, sizeof FX, "%s/tests/fixtures/config", SRC);
    snprintf(TMP, sizeof TMP, "/tmp/pxc-config-XXXXXX");
    assert_non_null(mkdtemp(TMP));
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    char p[128];
    snprintf(p, sizeof p, "%s/c.yaml", TMP);
    unlink(p);
    rmdir(TMP);
    return 0;
}

static const char *
write_tmp(const char *text)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/c.yaml", TMP);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static struct config *
load_ok(const char *path)
{
    struct config *c = NULL;
    struct pxerr err = {0};
    if (config_load(path, &c, &err) != 0)
        fail_msg("config_load(%s): %s", path, err.msg);
    return c;
}

static void
test_lab_file(void **state)
{
    (void)state;
    char path[600], want[700];
    snprintf(path, sizeof path, "%s/lab.yaml", FX);
    struct config *c = load_ok(path);
    assert_string_equal(c->path, path);
    assert_false(c->readonly);
    assert_null(c->theme);
    assert_int_equal(c->refresh_s, 1);
    assert_int_equal(c->lag_warn_s, 60);
    assert_int_equal(c->lag_crit_s, 600);
    snprintf(want, sizeof want, "%s/../kubeconfig/a.yaml", FX); /* relative to the file */
    assert_string_equal(c->kubeconfig, want);
    assert_int_equal(c->n_clusters, 2);

    const struct config_cluster *a = config_cluster_find(c, "cluster-a");
    assert_non_null(a);
    assert_int_equal(a->line, 6);
    assert_string_equal(a->context, "ctx-a");
    assert_int_equal(a->n_namespaces, 1);
    assert_string_equal(a->namespaces[0], "pxc");
    assert_string_equal(a->pxc_cluster, "cluster1");
    const struct config_mysql *m = &a->mysql;
    assert_int_equal(m->mode, CONFIG_MYSQL_DIRECT);
    assert_int_equal(m->n_servers, 2);
    assert_string_equal(m->servers[0].name, "a-0");
    assert_string_equal(m->servers[0].host, "127.0.10.1");
    assert_int_equal(m->servers[0].port, 3306);
    assert_string_equal(m->servers[1].name, "127.0.10.2:3306"); /* name defaulted */
    assert_string_equal(m->user, "monitor");
    assert_int_equal(m->password_from.kind, CONFIG_PW_ENV);
    assert_string_equal(m->password_from.env, "PXC_LAB_MONITOR_PASSWORD");
    assert_int_equal(m->password_from.line, 16);
    assert_string_equal(m->action_user, "root");
    assert_int_equal(m->action_password_from.kind, CONFIG_PW_OPTION_FILE);
    snprintf(want, sizeof want, "%s/my.cnf", FX);
    assert_string_equal(m->action_password_from.option_file, want);
    assert_string_equal(m->action_password_from.option_group, "pxcmesh");
    assert_string_equal(m->heartbeat_table, "percona.heartbeat");
    assert_int_equal(m->dialect, CONFIG_DIALECT_MARIADB);
    assert_int_equal(m->connect_timeout_s, 3);
    assert_int_equal(m->read_timeout_s, 5);
    assert_int_equal(m->write_timeout_s, 5);

    /* Everything defaulted. */
    const struct config_cluster *b = &c->clusters[1];
    assert_string_equal(b->name, "cluster-b");
    assert_int_equal(b->n_namespaces, 0);
    assert_null(b->pxc_cluster);
    assert_int_equal(b->mysql.mode, CONFIG_MYSQL_AUTO);
    assert_int_equal(b->mysql.n_servers, 0);
    assert_string_equal(b->mysql.user, "monitor");
    assert_int_equal(b->mysql.password_from.kind, CONFIG_PW_SECRET);
    assert_null(b->mysql.password_from.secret_name);
    assert_string_equal(b->mysql.password_from.secret_key, "monitor");
    assert_string_equal(b->mysql.action_user, "operator");
    assert_string_equal(b->mysql.action_password_from.secret_key, "operator");
    assert_null(b->mysql.heartbeat_table);
    assert_int_equal(b->mysql.dialect, CONFIG_DIALECT_AUTO);
    assert_int_equal(b->mysql.pf_local_port, 0); /* any free loopback port */
    assert_null(config_cluster_find(c, "nope"));
    config_free(c);
}

static void
test_example_in_docs(void **state)
{
    (void)state;
    char path[600];
    snprintf(path, sizeof path, "%s/docs/config.example.yaml", SRC);
    struct config *c = load_ok(path);
    assert_int_equal(c->n_clusters, 3);
    assert_string_equal(c->theme, "dark");
    const struct config_cluster *eu = config_cluster_find(c, "eu-west");
    assert_int_equal(eu->mysql.mode, CONFIG_MYSQL_PORT_FORWARD);
    assert_int_equal(eu->mysql.pf_local_port, 13306);
    assert_string_equal(eu->mysql.password_from.secret_name, "cluster1-secrets");
    assert_string_equal(eu->mysql.action_password_from.secret_key, "operator");
    const struct config_cluster *us = config_cluster_find(c, "us-east");
    assert_string_equal(us->mysql.password_from.secret_key, "monitor"); /* defaulted to user */
    const struct config_cluster *lab = config_cluster_find(c, "lab-a");
    const char *home = getenv("HOME");
    if (home == NULL || home[0] == '\0')
        home = getpwuid(getuid())->pw_dir; /* the fallback when HOME is unset */
    char want[600];
    snprintf(want, sizeof want, "%s/.my.cnf", home);
    assert_string_equal(lab->mysql.action_password_from.option_file, want);
    config_free(c);

    /* Every ```yaml block of docs/config.md with a clusters: list loads too. */
    snprintf(path, sizeof path, "%s/docs/config.md", SRC);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[1024];
    char *block = NULL;
    size_t len = 0;
    int loaded = 0;
    bool in = false;
    while (fgets(line, sizeof line, f) != NULL) {
        if (!in && strncmp(line, "```yaml", 7) == 0) {
            in = true;
            len = 0;
            free(block);
            block = xstrdup("");
            continue;
        }
        if (in && strncmp(line, "```", 3) == 0) {
            in = false;
            if (strstr(block, "\nclusters:") || strncmp(block, "clusters:", 9) == 0 ||
                strstr(block, "clusters:\n")) {
                c = load_ok(write_tmp(block));
                config_free(c);
                loaded++;
            }
            continue;
        }
        if (in) {
            block = xrealloc(block, len + strlen(line) + 1);
            memcpy(block + len, line, strlen(line) + 1);
            len += strlen(line);
        }
    }
    free(block);
    fclose(f);
    assert_int_equal(loaded, 3); /* the lab, the port-forward and the production examples */
}

static void
test_bad_configs(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int code;
        const char *want; /* after "PATH" */
    } cases[] = {
        {"clusters:\n"
         "  - name: a\n"
         "    mysql:\n"
         "      conectTimeoutSeconds: 3\n",
         PXE_SCHEMA,
         ":4: clusters[0].mysql.conectTimeoutSeconds: unknown key (did you mean "
         "'connectTimeoutSeconds'?)"},
        {"refreshSeconds: 2s\nclusters: [{name: a}]\n", PXE_SCHEMA,
         ":1: refreshSeconds: expected an integer, got a string (\"2s\")"},
        {"refreshSecs: 2\nclusters: [{name: a}]\n", PXE_SCHEMA,
         ":1: refreshSecs: unknown key (did you mean 'refreshSeconds'?)"},
        {"readonly: yes\nclusters: [{name: a}]\n", PXE_SCHEMA,
         ":1: readonly: expected true or false, got a string (\"yes\")"},
        {"clusters:\n"
         "  - name: a\n"
         "  - name: b\n"
         "    mysql:\n"
         "      mode: direct\n",
         PXE_SCHEMA, ":4: clusters[1].mysql: servers is required when mode is direct"},
        {"clusters:\n"
         "  - name: a\n"
         "    mysql:\n"
         "      mode: drect\n",
         PXE_SCHEMA,
         ":4: clusters[0].mysql.mode: unknown value \"drect\" (did you mean 'direct'?)"},
        {"clusters:\n"
         "  - name: a\n"
         "    mysql:\n"
         "      dialect: oracle\n",
         PXE_SCHEMA,
         ":4: clusters[0].mysql.dialect: unknown value \"oracle\" (one of: auto, mysql80, mysql57, "
         "mariadb)"},
        {"clusters:\n"
         "  - name: a\n"
         "  - name: a\n",
         PXE_SCHEMA, ":3: clusters[1].name: duplicate cluster name \"a\" (first at line 2)"},
        {"lagWarnSeconds: 600\nlagCritSeconds: 60\nclusters: [{name: a}]\n", PXE_SCHEMA,
         ":2: lagCritSeconds: lagCritSeconds (60) must be greater than lagWarnSeconds (600)"},
        {"clusters:\n"
         "  - name: a\n"
         "    mysql:\n"
         "      passwordFrom:\n"
         "        env: X\n"
         "        secret: {}\n",
         PXE_SCHEMA,
         ":4: clusters[0].mysql.passwordFrom: give exactly one of secret, env or optionFile (got "
         "2)"},
        {"clusters:\n"
         "  - name: a\n"
         "    mysql:\n"
         "      passwordFrom: {secret: {name: Bad_Name}}\n",
         PXE_SCHEMA,
         ":4: clusters[0].mysql.passwordFrom.secret.name: \"Bad_Name\" is not a valid Secret "
         "name"},
        {"clusters:\n"
         "  - name: a\n"
         "    mysql:\n"
         "      passwordFrom: {env: 1PASS}\n",
         PXE_SCHEMA,
         ":4: clusters[0].mysql.passwordFrom.env: expected an environment variable name like "
         "MYSQL_PWD"},
        {"clusters:\n"
         "  - name: a\n"
         "    mysql:\n"
         "      mode: discover\n"
         "      portForward: {localPort: 1}\n",
         PXE_SCHEMA,
         ":5: clusters[0].mysql.portForward: only used with mode port-forward or auto (mode is "
         "discover)"},
        {"clusters:\n"
         "  - name: a\n"
         "    mysql:\n"
         "      mode: port-forward\n"
         "      portForward: {kubectl: kubectl}\n",
         PXE_SCHEMA,
         ":5: clusters[0].mysql.portForward.kubectl: unknown key (known: localPort)"},
        {"clusters:\n"
         "  - name: a\n"
         "    mysql:\n"
         "      mode: port-forward\n"
         "      portForward: {localPort: 70000}\n",
         PXE_SCHEMA,
         ":5: clusters[0].mysql.portForward.localPort: must be between 1 and 65535, got 70000"},
        {"clusters:\n"
         "  - name: a\n"
         "    mysql:\n"
         "      mode: direct\n"
         "      servers:\n"
         "        - {host: h1}\n"
         "        - {host: h1, port: 3306}\n",
         PXE_SCHEMA,
         ":7: clusters[0].mysql.servers[1].name: duplicate server name \"h1:3306\" (first at line "
         "6)"},
        {"clusters:\n"
         "  - name: a\n"
         "    mysql:\n"
         "      mode: direct\n"
         "      servers: [{port: 1}]\n",
         PXE_SCHEMA, ":5: clusters[0].mysql.servers[0]: host is required"},
        {"clusters:\n"
         "  - name: a\n"
         "    mysql:\n"
         "      heartbeat: {table: \"percona; DROP\"}\n",
         PXE_SCHEMA,
         ":4: clusters[0].mysql.heartbeat.table: \"percona; DROP\" is not a database.table name "
         "(letters, digits, _ and $)"},
        {"clusters:\n"
         "  - name: a\n"
         "    namespaces: pxc\n",
         PXE_SCHEMA, ":3: clusters[0].namespaces: expected a list, got a string (\"pxc\")"},
        {"clusters:\n"
         "  - context: a\n",
         PXE_SCHEMA, ":2: clusters[0]: name is required"},
        {"clusters: []\n", PXE_SCHEMA,
         ":1: clusters: empty clusters: give at least one cluster {name, context}"},
        {"theme: dark\n", PXE_SCHEMA,
         ":1: missing clusters: give at least one cluster {name, context}"},
        {"# nothing\n", PXE_SCHEMA, ": the file is empty; it needs at least a clusters: list"},
        {"- a\n- b\n", PXE_SCHEMA, ":1: expected a mapping at the top, got a list"},
        /* Not a config at all (a password file, a secrets file): the line, never its text. */
        {"root:$6$saltSECRET$hashSECRET:19000:0:99999:7:::\n", PXE_SCHEMA,
         ":1: an unknown key, not quoted (known: readonly, theme, refreshSeconds, "
         "lagWarnSeconds, lagCritSeconds, kubeconfig, clusters); is it the right file?"},
        {"user: bob\nhunter2SECRET: x\n", PXE_SCHEMA,
         ":1: an unknown key, not quoted (known: readonly, theme, refreshSeconds, "
         "lagWarnSeconds, lagCritSeconds, kubeconfig, clusters); is it the right file?"},
        /* A config (it has a known key): an unknown one is named. */
        {"readonly: true\nfoo: 1\nclusters: [{name: a}]\n", PXE_SCHEMA,
         ":2: foo: unknown key (known: readonly, theme, refreshSeconds, lagWarnSeconds, "
         "lagCritSeconds, kubeconfig, clusters)"},
        {"clusters:\n  - name: a\n   context: b\n", PXE_PARSE,
         ":3:4: did not find expected '-' indicator (while parsing a block collection at line 2)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *path = write_tmp(cases[i].text);
        struct config *c = NULL;
        struct pxerr err = {0};
        char want[700];
        snprintf(want, sizeof want, "%s%s", path, cases[i].want);
        int rc = config_load(path, &c, &err);
        if (rc != cases[i].code || strcmp(err.msg, want) != 0)
            fail_msg("case %zu: rc %d, got\n  %s\nwant\n  %s", i, rc, err.msg, want);
        assert_null(c);
    }
    struct config *c = NULL;
    struct pxerr err = {0};
    assert_int_equal(config_load("/nonexistent/pxcmesh.yaml", &c, &err), PXE_NOTFOUND);
    assert_string_equal(err.msg, "/nonexistent/pxcmesh.yaml: No such file or directory");
}

static void
test_from_contexts_and_default_path(void **state)
{
    (void)state;
    const char *ctx[] = {"lab-a", "lab-b"};
    struct config *c = NULL;
    struct pxerr err = {0};
    assert_int_equal(config_from_contexts(ctx, 2, "/k/config", true, &c, &err), 0);
    assert_null(c->path);
    assert_true(c->readonly);
    assert_string_equal(c->kubeconfig, "/k/config");
    assert_int_equal(c->n_clusters, 2);
    assert_string_equal(c->clusters[1].name, "lab-b");
    assert_string_equal(c->clusters[1].context, "lab-b");
    assert_int_equal(c->clusters[1].line, 0);
    assert_int_equal(c->clusters[0].mysql.mode, CONFIG_MYSQL_AUTO);
    assert_int_equal(c->clusters[0].mysql.password_from.kind, CONFIG_PW_SECRET);
    assert_string_equal(c->clusters[0].mysql.password_from.secret_key, "monitor");
    assert_string_equal(c->clusters[0].mysql.action_password_from.secret_key, "operator");
    assert_int_equal(c->refresh_s, 2);
    config_free(c);
    const char *dup[] = {"a", "a"};
    assert_int_equal(config_from_contexts(dup, 2, NULL, false, &c, &err), PXE_USAGE);
    assert_string_equal(err.msg, "--context \"a\" given twice");
    assert_int_equal(config_from_contexts(dup, 0, NULL, false, &c, &err), PXE_USAGE);

    char buf[600];
    setenv("XDG_CONFIG_HOME", "/xdg", 1);
    assert_int_equal(config_default_path(buf, sizeof buf), 0);
    assert_string_equal(buf, "/xdg/pxcmesh/config.yaml");
    unsetenv("XDG_CONFIG_HOME");
    char *old = xstrdup_or_null(getenv("HOME"));
    setenv("HOME", "/home/op", 1);
    assert_int_equal(config_default_path(buf, sizeof buf), 0);
    assert_string_equal(buf, "/home/op/.config/pxcmesh/config.yaml");
    assert_int_equal(config_default_path(buf, 8), PXE_TOOSMALL);
    if (old)
        setenv("HOME", old, 1);
    free(old);
    assert_string_equal(config_mysql_mode_name(CONFIG_MYSQL_PORT_FORWARD), "port-forward");
    assert_string_equal(config_mysql_mode_name(CONFIG_MYSQL_AUTO), "auto");
    assert_string_equal(config_dialect_name(CONFIG_DIALECT_MYSQL57), "mysql57");
}

static void
test_option_file(void **state)
{
    (void)state;
    char path[600];
    snprintf(path, sizeof path, "%s/my.cnf", FX);
    char *user = NULL, *pw = NULL, *host = NULL;
    int port = 0;
    struct pxerr err = {0};
    /* [client] then [pxcmesh] in file order, then the includes. */
    assert_int_equal(config_read_option_file(path, "pxcmesh", &user, &pw, &host, &port, &err), 0);
    assert_string_equal(user, "admin");
    assert_string_equal(pw, "s3cr#t's");
    assert_string_equal(host, "db.example");
    assert_int_equal(port, 3310); /* conf.d/10-port.cnf; ignored.txt is not *.cnf */
    free(user);
    xfree_secret(pw);
    free(host);

    assert_int_equal(config_read_option_file(path, NULL, &user, &pw, NULL, &port, &err), 0);
    assert_string_equal(user, "base_user");
    assert_string_equal(pw, "client pw # not a comment");
    assert_int_equal(port, 3307);
    free(user);
    xfree_secret(pw);

    /* Bad files. */
    char bad[128];
    snprintf(bad, sizeof bad, "%s/bad.cnf", TMP);
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"[client]\npassword\n", ":2: password without a value (the mysql client would prompt; "
                                 "pxcmesh cannot): write password=..."},
        {"[client\n", ":1: group header without ']'"},
        {"[client]\nport = 99999\n", ":2: port \"99999\" is not a port (1-65535)"},
        {"[client]\npassword = \"open\n", ":2: password: unterminated quote or text after it"},
        {"[other]\nuser = x\n", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        FILE *f = fopen(bad, "w");
        fputs(cases[i].text, f);
        fclose(f);
        char want[256];
        if (cases[i].want)
            snprintf(want, sizeof want, "%s%s", bad, cases[i].want);
        else
            snprintf(want, sizeof want, "no [client] or [client] group in %s", bad);
        user = NULL;
        int rc = config_read_option_file(bad, NULL, &user, &pw, NULL, NULL, &err);
        assert_true(rc < 0);
        assert_null(user);
        assert_string_equal(err.msg, want);
    }
    unlink(bad);
    assert_int_equal(
        config_read_option_file("/nonexistent/.my.cnf", NULL, NULL, &pw, NULL, NULL, &err),
        PXE_NOTFOUND);
    assert_string_equal(err.msg, "/nonexistent/.my.cnf: No such file or directory");
}

static uint64_t
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A FIFO (no writer) and /dev/zero as the config file, as an option file and as an option
 * file's !include: each refused at once with what it is, never read (a FIFO used to block
 * the reader forever, /dev/zero to fill memory). */
static void
test_not_regular_files(void **state)
{
    (void)state;
    char fifo[128], inc[128], want[300];
    snprintf(fifo, sizeof fifo, "%s/fifo", TMP);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    struct pxerr err = {0};
    struct config *c = NULL;
    char *pw = NULL;

    uint64_t t0 = now_ms();
    assert_int_equal(config_load(fifo, &c, &err), PXE_INVAL);
    snprintf(want, sizeof want, "%s: not a regular file (a FIFO); give a file", fifo);
    assert_string_equal(err.msg, want);
    assert_int_equal(config_load("/dev/zero", &c, &err), PXE_INVAL);
    assert_string_equal(err.msg, "/dev/zero: not a regular file (a character device); give a file");

    assert_int_equal(config_read_option_file(fifo, NULL, NULL, &pw, NULL, NULL, &err), PXE_INVAL);
    assert_string_equal(err.msg, want);
    assert_int_equal(config_read_option_file("/dev/zero", NULL, NULL, &pw, NULL, NULL, &err),
                     PXE_INVAL);
    assert_string_equal(err.msg, "/dev/zero: not a regular file (a character device); give a file");
    /* Through an !include of a good file. */
    snprintf(inc, sizeof inc, "%s/inc.cnf", TMP);
    FILE *f = fopen(inc, "w");
    fprintf(f, "[client]\nuser = x\n!include %s\n", fifo);
    fclose(f);
    assert_int_equal(config_read_option_file(inc, NULL, NULL, &pw, NULL, NULL, &err), PXE_INVAL);
    assert_string_equal(err.msg, want);
    assert_null(pw);
    assert_true(now_ms() - t0 < 2000);

    /* Larger than an option file may be (1 MiB): refused with the limit. */
    f = fopen(inc, "w");
    fputs("[client]\n", f);
    for (int i = 0; i < 120000; i++)
        fputs("# padding\n", f);
    fclose(f);
    assert_int_equal(config_read_option_file(inc, NULL, NULL, &pw, NULL, NULL, &err), PXE_TOOBIG);
    snprintf(want, sizeof want,
             "%s: larger than the 1 MiB this file may have; is it the right "
             "file?",
             inc);
    assert_string_equal(err.msg, want);
    /* An unknown directive is named, the rest of its line is not echoed. */
    f = fopen(inc, "w");
    fputs("[client]\n!secret hunter2 and more\n", f);
    fclose(f);
    assert_int_equal(config_read_option_file(inc, NULL, NULL, &pw, NULL, NULL, &err), PXE_PARSE);
    snprintf(want, sizeof want,
             "%s:2: unknown directive '!secret' (use !include or "
             "!includedir)",
             inc);
    assert_string_equal(err.msg, want);
    unlink(inc);
    unlink(fifo);
}

struct optread_obs {
    int calls, status;
    char pw[64], msg[300];
    uv_thread_t thread;
};

static void
on_optread(int status, const char *password, size_t len, const struct pxerr *err, void *arg)
{
    struct optread_obs *o = arg;
    o->calls++;
    o->status = status;
    o->thread = uv_thread_self();
    snprintf(o->pw, sizeof o->pw, "%.*s", (int)len, password ? password : "");
    snprintf(o->msg, sizeof o->msg, "%s", err ? err->msg : "");
}

/* An option file's password read on a worker: the answer comes only from the loop (never
 * from inside start), on the loop's thread; a cancelled read never calls back. */
static void
test_optread_async(void **state)
{
    (void)state;
    char path[600], fifo[128], want[300];
    snprintf(path, sizeof path, "%s/my.cnf", FX);
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    struct pxerr err = {0};
    struct config_optread *r = NULL;
    struct optread_obs o = {0};
    assert_int_equal(config_optread_start(&loop, path, "pxcmesh", on_optread, &o, &r, &err), 0);
    assert_int_equal(o.calls, 0);
    assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(o.calls, 1);
    assert_int_equal(o.status, 0);
    assert_string_equal(o.pw, "s3cr#t's");
    uv_thread_t self = uv_thread_self();
    assert_true(uv_thread_equal(&o.thread, &self));

    /* Errors arrive the same way: a FIFO, a file without a password. */
    snprintf(fifo, sizeof fifo, "%s/fifo", TMP);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    memset(&o, 0, sizeof o);
    assert_int_equal(config_optread_start(&loop, fifo, NULL, on_optread, &o, &r, &err), 0);
    assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(o.calls, 1);
    assert_int_equal(o.status, PXE_INVAL);
    snprintf(want, sizeof want, "%s: not a regular file (a FIFO); give a file", fifo);
    assert_string_equal(o.msg, want);
    unlink(fifo);
    const char *nopw = write_tmp("[client]\nuser = x\n");
    memset(&o, 0, sizeof o);
    assert_int_equal(config_optread_start(&loop, nopw, "pxcmesh", on_optread, &o, &r, &err), 0);
    assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(o.status, PXE_NOTFOUND);
    snprintf(want, sizeof want, "%s has no password= in [pxcmesh] or [client]", nopw);
    assert_string_equal(o.msg, want);

    /* Cancelled at once, and cancelled while on a worker: no callback either way. */
    memset(&o, 0, sizeof o);
    for (int i = 0; i < 8; i++) {
        assert_int_equal(config_optread_start(&loop, path, NULL, on_optread, &o, &r, &err), 0);
        config_optread_cancel(r);
    }
    assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(o.calls, 0);
    assert_int_equal(uv_loop_close(&loop), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lab_file),      cmocka_unit_test(test_example_in_docs),
        cmocka_unit_test(test_bad_configs),   cmocka_unit_test(test_from_contexts_and_default_path),
        cmocka_unit_test(test_option_file),   cmocka_unit_test(test_not_regular_files),
        cmocka_unit_test(test_optread_async),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
