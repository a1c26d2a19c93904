/* test_kcfg: kubeconfig loading and merging, every auth mode, bad files with their exact
 * messages, and exec credential plugins (real child processes on a real uv loop: fixture
 * scripts in tests/fixtures/kubeconfig/plugins). */
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

#include "clock.h"
#include "xmalloc.h"
#include "kube/kcfg.h"
#include "kube/kcfg_internal.h"

static char F[512]; /* tests/fixtures/kubeconfig */

static char *
fx(const char *name)
{
    static char buf[4][1024];
    static int i;
    i = (i + 1) % 4;
    snprintf(buf[i], sizeof buf[i], "%s/%s", F, name);
    return buf[i];
}

static char *
slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = xcalloc(1, 65536);
    size_t n = fread(buf, 1, 65535, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int
setup(void **state)
{
    (void)state;
    const char *fixtures = getenv("PXC_FIXTURES");
    if (fixtures == NULL)
        fixtures = PXC_SOURCE_DIR "/tests/fixtures";
    snprintf(F, sizeof F, "%s/kubeconfig", fixtures);
    unsetenv("PXC_SPAWN_LOG");
    unsetenv("PXC_EXEC_INFO_OUT");
    return 0;
}

static struct kcfg *
load_ok(const char *explicit_path)
{
    struct kcfg *k = NULL;
    struct pxerr err = {0};
    if (kcfg_load(explicit_path, &k, &err) != 0)
        fail_msg("kcfg_load: %s", err.msg);
    return k;
}

static struct kcfg_target *
resolve_ok(struct kcfg *k, const char *ctx)
{
    struct kcfg_target *t = NULL;
    struct pxerr err = {0};
    if (kcfg_resolve(k, ctx, &t, &err) != 0)
        fail_msg("kcfg_resolve(%s): %s", ctx ? ctx : "(current)", err.msg);
    return t;
}

static void
resolve_err(struct kcfg *k, const char *ctx, int code, const char *want)
{
    struct kcfg_target *t = NULL;
    struct pxerr err = {0};
    assert_int_equal(kcfg_resolve(k, ctx, &t, &err), code);
    assert_null(t);
    assert_string_equal(err.msg, want);
}

/* ------------------------------------------------------------- merging */

static void
test_merge_kubeconfig_env(void **state)
{
    (void)state;
    char env[2048], want[1024];
    snprintf(env, sizeof env, "%s:%s:%s:%s", fx("a.yaml"), fx("missing.yaml"), fx("b.yaml"),
             fx("a.yaml"));
    setenv("KUBECONFIG", env, 1);
    struct kcfg *k = load_ok(NULL);
    assert_string_equal(kcfg_current_context(k), "ctx-a"); /* first file that sets it */
    assert_int_equal(kcfg_context_count(k), 3);
    assert_string_equal(kcfg_context_name(k, 0), "ctx-a");
    assert_string_equal(kcfg_context_name(k, 1), "shared");
    assert_string_equal(kcfg_context_name(k, 2), "ctx-b");
    char names[256];
    kcfg_context_names(k, names, sizeof names);
    assert_string_equal(names, "ctx-a, shared, ctx-b");
    char files[1024];
    kcfg_files(k, files, sizeof files);
    snprintf(want, sizeof want, "%s, %s", fx("a.yaml"),
             fx("b.yaml")); /* missing skipped, dup once */
    assert_string_equal(files, want);

    /* "shared" is defined in both: every part comes from a.yaml, the first file. */
    struct kcfg_target *t = resolve_ok(k, "shared");
    assert_string_equal(t->server, "https://from-a.example:443");
    assert_true(t->insecure);
    assert_null(t->ca_pem);
    assert_string_equal(t->token, "shared-from-a");
    kcfg_target_free(t);

    /* Current context: CA from a file relative to a.yaml. */
    t = resolve_ok(k, NULL);
    assert_string_equal(t->context, "ctx-a");
    assert_string_equal(t->cluster_name, "cluster-a");
    assert_string_equal(t->user_name, "user-a");
    assert_string_equal(t->namespace, "pxc");
    assert_string_equal(t->ca_source, fx("pki/ca.crt"));
    char *ca = slurp(fx("pki/ca.crt"));
    assert_string_equal(t->ca_pem, ca);
    assert_int_equal(t->ca_pem_len, strlen(ca));
    assert_false(t->insecure);
    assert_string_equal(t->token, "token-a");
    kcfg_target_free(t);

    /* From the second file: data CA, tls-server-name, proxy, basic auth, https:// added. */
    t = resolve_ok(k, "ctx-b");
    assert_string_equal(t->server, "https://127.0.0.2:6443");
    assert_string_equal(t->ca_source, "certificate-authority-data");
    assert_string_equal(t->ca_pem, ca);
    assert_string_equal(t->tls_server_name, "kubernetes.default.svc");
    assert_string_equal(t->proxy_url, "http://127.0.0.1:3128");
    assert_string_equal(t->username, "admin");
    assert_string_equal(t->password, "s3cret");
    assert_null(t->token);
    assert_null(t->namespace);
    kcfg_target_free(t);
    free(ca);
    kcfg_free(k);

    /* The other order: b.yaml wins the shared names and current-context. */
    snprintf(env, sizeof env, "%s:%s", fx("b.yaml"), fx("a.yaml"));
    setenv("KUBECONFIG", env, 1);
    k = load_ok(NULL);
    assert_string_equal(kcfg_current_context(k), "ctx-b");
    t = resolve_ok(k, "shared");
    assert_string_equal(t->server, "https://127.0.0.2:6443"); /* b's context -> cluster-b */
    assert_string_equal(t->username, "admin");
    kcfg_target_free(t);
    kcfg_free(k);
    unsetenv("KUBECONFIG");
}

static void
test_explicit_and_default_paths(void **state)
{
    (void)state;
    /* --kubeconfig beats $KUBECONFIG. */
    setenv("KUBECONFIG", fx("a.yaml"), 1);
    struct kcfg *k = load_ok(fx("b.yaml"));
    assert_string_equal(kcfg_current_context(k), "ctx-b");
    assert_int_equal(kcfg_context_count(k), 2);
    kcfg_free(k);

    struct pxerr err = {0};
    char want[1024];
    k = NULL;
    assert_int_equal(kcfg_load(fx("nope.yaml"), &k, &err), PXE_NOTFOUND);
    snprintf(want, sizeof want, "kubeconfig (from --kubeconfig) %s: No such file or directory",
             fx("nope.yaml"));
    assert_string_equal(err.msg, want);
    assert_null(k);

    /* $KUBECONFIG naming only missing files. */
    setenv("KUBECONFIG", "/nonexistent/a:/nonexistent/b", 1);
    assert_int_equal(kcfg_load(NULL, &k, &err), PXE_NOTFOUND);
    assert_string_equal(err.msg, "no kubeconfig: none of the files in $KUBECONFIG exist "
                                 "(/nonexistent/a:/nonexistent/b); fix $KUBECONFIG or pass "
                                 "--kubeconfig FILE");

    /* Neither: ~/.kube/config. */
    unsetenv("KUBECONFIG");
    char home[] = "/tmp/pxc-kcfg-home-XXXXXX";
    assert_non_null(mkdtemp(home));
    char *old_home = xstrdup_or_null(getenv("HOME"));
    setenv("HOME", home, 1);
    assert_int_equal(kcfg_load(NULL, &k, &err), PXE_NOTFOUND);
    snprintf(want, sizeof want,
             "no kubeconfig: $KUBECONFIG is not set and %s/.kube/config does not exist; pass "
             "--kubeconfig FILE or set KUBECONFIG",
             home);
    assert_string_equal(err.msg, want);
    char path[600];
    snprintf(path, sizeof path, "%s/.kube", home);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/.kube/config", home);
    char *text = slurp(fx("kubeconfig-tls"));
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    free(text);
    k = load_ok(NULL);
    struct kcfg_target *t = resolve_ok(k, NULL);
    assert_string_equal(t->context, "istio-cni-context");
    kcfg_target_free(t);
    kcfg_free(k);
    unlink(path);
    snprintf(path, sizeof path, "%s/.kube", home);
    rmdir(path);
    rmdir(home);
    if (old_home)
        setenv("HOME", old_home, 1);
    free(old_home);
}

static void
test_upstream_kubeconfig_tls(void **state)
{
    (void)state;
    struct kcfg *k = load_ok(fx("kubeconfig-tls"));
    struct kcfg_target *t = resolve_ok(k, NULL);
    assert_string_equal(t->server, "https://10.96.0.1:443");
    assert_string_equal(t->token, "service_account_token_string");
    assert_non_null(t->ca_pem);
    assert_true(strncmp(t->ca_pem, "-----BEGIN CERTIFICATE-----\n", 28) == 0);
    assert_null(t->exec);
    kcfg_target_free(t);
    kcfg_free(k);
}

static void
test_context_errors(void **state)
{
    (void)state;
    char want[1024];
    struct kcfg *k = load_ok(fx("a.yaml"));
    snprintf(want, sizeof want, "context \"foo\" not found in %s; contexts: ctx-a, shared",
             fx("a.yaml"));
    resolve_err(k, "foo", PXE_NOTFOUND, want);
    kcfg_free(k);

    k = load_ok(fx("nocurrent.yaml"));
    assert_null(kcfg_current_context(k));
    snprintf(want, sizeof want, "no current-context in %s; pass --context (contexts: only-one)",
             fx("nocurrent.yaml"));
    resolve_err(k, NULL, PXE_NOTFOUND, want);
    struct kcfg_target *t = resolve_ok(k, "only-one");
    assert_null(t->user_name);
    assert_null(t->token);
    kcfg_target_free(t);
    kcfg_free(k);

    k = load_ok(fx("auth.yaml"));
    snprintf(want, sizeof want,
             "context \"bad-cluster\" (%s:189): cluster \"nowhere\" not found; clusters: lab",
             fx("auth.yaml"));
    resolve_err(k, "bad-cluster", PXE_NOTFOUND, want);
    kcfg_free(k);
}

/* ------------------------------------------------------------ auth modes */

static void
test_auth_modes(void **state)
{
    (void)state;
    struct kcfg *k = load_ok(fx("auth.yaml"));
    char *crt = slurp(fx("pki/client.crt"));
    char *key = slurp(fx("pki/client.key"));

    struct kcfg_target *t = resolve_ok(k, NULL);
    assert_string_equal(t->context, "cert-data");
    assert_string_equal(t->client_cert_pem, crt);
    assert_string_equal(t->client_key_pem, key);
    assert_int_equal(t->client_key_len, strlen(key));
    assert_null(t->token);
    kcfg_target_free(t);

    t = resolve_ok(k, "cert-files");
    assert_string_equal(t->client_cert_pem, crt);
    assert_string_equal(t->client_key_pem, key);
    kcfg_target_free(t);

    t = resolve_ok(k, "token"); /* token wins over tokenFile */
    assert_string_equal(t->token, "abc.def.ghi");
    assert_null(t->token_file);
    kcfg_target_free(t);

    t = resolve_ok(k, "token-file");
    assert_string_equal(t->token, "tok-from-file-123"); /* newline trimmed */
    assert_string_equal(t->token_file, fx("token.txt"));
    kcfg_target_free(t);

    t = resolve_ok(k, "basic");
    assert_string_equal(t->username, "admin");
    assert_string_equal(t->password, "p@ss word");
    kcfg_target_free(t);

    t = resolve_ok(k, "no-user");
    assert_null(t->user_name);
    assert_string_equal(t->namespace, "default");
    kcfg_target_free(t);

    t = resolve_ok(k, "exec-v1");
    assert_non_null(t->exec);
    struct kcfg_exec *e = t->exec;
    assert_string_equal(e->api_version, KCFG_EXEC_API_V1);
    assert_string_equal(e->command, fx("plugins/token.sh")); /* "./plugins/..." made absolute */
    assert_int_equal(e->n_args, 3);
    assert_string_equal(e->args[1], "v1-token");
    assert_int_equal(e->n_env, 1);
    assert_string_equal(e->env[0].name, "TOKEN_SUFFIX");
    assert_string_equal(e->env[0].value, "-suffixed");
    assert_string_equal(e->install_hint, "install token.sh from tests/fixtures/kubeconfig/plugins");
    assert_true(e->provide_cluster_info);
    assert_int_equal(e->interactive, KCFG_INTERACTIVE_NEVER);
    assert_string_equal(e->cluster_server, "https://127.0.0.1:16443");
    assert_non_null(e->cluster_ca_data_b64);
    struct kcfg_exec *dup = kcfg_exec_dup(e);
    assert_string_equal(dup->args[2], "3600");
    kcfg_exec_free(dup);
    kcfg_target_free(t);

    t = resolve_ok(k, "exec-v1beta1");
    assert_string_equal(t->exec->api_version, KCFG_EXEC_API_V1BETA1);
    assert_int_equal(t->exec->interactive, KCFG_INTERACTIVE_IF_AVAILABLE); /* v1beta1 default */
    assert_false(t->exec->provide_cluster_info);
    kcfg_target_free(t);

    t = resolve_ok(k, "exec-missing");
    assert_string_equal(t->exec->command, "pxcmesh-no-such-plugin"); /* no '/': PATH lookup */
    kcfg_target_free(t);

    free(crt);
    free(key);
    kcfg_free(k);
}

static void
test_auth_errors(void **state)
{
    (void)state;
    struct kcfg *k = load_ok(fx("auth.yaml"));
    const char *a = fx("auth.yaml");
    char want[1024];
    snprintf(want, sizeof want, "%s:102: users[15].user.client-key: %s: No such file or directory",
             a, fx("pki/nope.key"));
    resolve_err(k, "missing-key-file", PXE_NOTFOUND, want);
    snprintf(want, sizeof want,
             "%s:104: users[16].user: more than one authentication method: token and basic auth "
             "(username/password); keep one",
             a);
    resolve_err(k, "token-and-basic", PXE_SCHEMA, want);
    snprintf(want, sizeof want,
             "%s:109: users[17].user: auth-provider \"gcp\" is not supported (kubectl removed it "
             "too); use an exec plugin such as gke-gcloud-auth-plugin or kubelogin",
             a);
    resolve_err(k, "gcp", PXE_UNSUPPORTED, want);
    snprintf(want, sizeof want,
             "%s:90: users[13].user.exec: interactiveMode Always needs a terminal, but pxcmesh "
             "runs plugins without one; use a plugin mode that does not prompt",
             a);
    resolve_err(k, "exec-always", PXE_UNSUPPORTED, want);
    snprintf(want, sizeof want,
             "%s:96: users[14].user.exec: interactiveMode must be set for "
             "client.authentication.k8s.io/v1 (Never, IfAvailable or Always)",
             a);
    resolve_err(k, "exec-no-mode", PXE_SCHEMA, want);
    kcfg_free(k);
}

/* A bearer token goes into a header line as it is: a CR or LF in it, from the kubeconfig or
 * a token file, is refused with where it came from (a captured request once carried a header
 * injected this way). */
static void
test_token_control_chars(void **state)
{
    (void)state;
    char dir[] = "/tmp/pxc-kcfg-tok-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char kc[256], evil[256], ok[256];
    snprintf(kc, sizeof kc, "%s/config", dir);
    snprintf(evil, sizeof evil, "%s/evil-token", dir);
    snprintf(ok, sizeof ok, "%s/ok-token", dir);
    FILE *f = fopen(evil, "w");
    assert_non_null(f);
    fputs("tok\nX-Injected: 1\n", f);
    fclose(f);
    f = fopen(ok, "w");
    assert_non_null(f);
    fputs("  tok-ok\r\n", f); /* surrounding white space is trimmed, as before */
    fclose(f);
    f = fopen(kc, "w");
    assert_non_null(f);
    fprintf(f, "apiVersion: v1\nkind: Config\n"
               "clusters:\n- name: c\n  cluster: {server: https://127.0.0.1:6443}\n"
               "users:\n"
               "- name: inline\n  user: {token: \"tok\\r\\nX-Injected: 1\"}\n"
               "- name: file\n  user: {tokenFile: %s}\n"
               "- name: ok\n  user: {tokenFile: %s}\n"
               "- name: tab\n  user: {token: \"tok\\tx\"}\n"
               "contexts:\n"
               "- name: inline\n  context: {cluster: c, user: inline}\n"
               "- name: file\n  context: {cluster: c, user: file}\n"
               "- name: ok\n  context: {cluster: c, user: ok}\n"
               "- name: tab\n  context: {cluster: c, user: tab}\n",
            evil, ok);
    fclose(f);
    struct kcfg *k = load_ok(kc);
    char want[1024];
    snprintf(want, sizeof want,
             "%s:8: users[0].user.token: the token holds a line break (byte 0x0d at position 4); "
             "a bearer token is one line of printable text; refusing to send it", kc);
    resolve_err(k, "inline", PXE_AUTH, want);
    snprintf(want, sizeof want,
             "%s:10: users[1].user.tokenFile: %s: the token in this file holds a line break (byte "
             "0x0a at position 4); a bearer token is one line of printable text; refusing to "
             "send it", kc, evil);
    resolve_err(k, "file", PXE_AUTH, want);
    snprintf(want, sizeof want,
             "%s:14: users[3].user.token: the token holds a control character (byte 0x09 at "
             "position 4); a bearer token is one line of printable text; refusing to send it",
             kc);
    resolve_err(k, "tab", PXE_AUTH, want);
    struct kcfg_target *t = resolve_ok(k, "ok");
    assert_string_equal(t->token, "tok-ok");
    kcfg_target_free(t);
    kcfg_free(k);
    unlink(kc);
    unlink(evil);
    unlink(ok);
    rmdir(dir);
}

static void
bad_file(const char *name, int code, const char *fmt_tail)
{
    struct kcfg *k = NULL;
    struct pxerr err = {0};
    char want[1024];
    assert_int_equal(kcfg_load(fx(name), &k, &err), code);
    assert_null(k);
    snprintf(want, sizeof want, "%s%s", fx(name), fmt_tail);
    assert_string_equal(err.msg, want);
}

static void
test_bad_files(void **state)
{
    (void)state;
    bad_file("bad/syntax.yaml", PXE_PARSE,
             ":7:9: did not find expected ',' or ']' (while parsing a flow sequence at line 6)");
    bad_file("bad/base64.yaml", PXE_SCHEMA, ":11: users[0].user.client-key-data: not valid base64");
    bad_file("bad/type.yaml", PXE_SCHEMA,
             ":7: clusters[0].cluster.insecure-skip-tls-verify: expected true or false, got a "
             "string (\"maybe\")");
    bad_file("bad/dupname.yaml", PXE_SCHEMA,
             ":8: contexts[2].name: duplicate name \"one\" (first at line 4)");
    bad_file("bad/dupkey.yaml", PXE_PARSE,
             ":7:5: clusters[0].cluster: duplicate key 'server' (first at line 6)");
    /* A bad file in $KUBECONFIG fails the load too: kubectl refuses it as well. */
    char env[2048];
    snprintf(env, sizeof env, "%s:%s", fx("a.yaml"), fx("bad/base64.yaml"));
    setenv("KUBECONFIG", env, 1);
    struct kcfg *k = NULL;
    struct pxerr err = {0};
    assert_int_equal(kcfg_load(NULL, &k, &err), PXE_SCHEMA);
    unsetenv("KUBECONFIG");
}

/* A FIFO (no writer) or /dev/zero as the kubeconfig or as a file it names (tokenFile,
 * certificate-authority, client-key): refused at once, naming the file and what it is. */
static void
test_not_regular_files(void **state)
{
    (void)state;
    char dir[] = "/tmp/pxc-kcfg-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *fifo = xasprintf("%s/fifo", dir), *kc = xasprintf("%s/kc.yaml", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    uint64_t t0 = clock_mono_ms();
    struct kcfg *k = NULL;
    struct pxerr err = {0};
    assert_int_equal(kcfg_load(fifo, &k, &err), PXE_INVAL);
    char want[1024];
    snprintf(want, sizeof want, "%s: not a regular file (a FIFO); give a file", fifo);
    assert_string_equal(err.msg, want);

    FILE *f = fopen(kc, "w");
    fprintf(f, "apiVersion: v1\nkind: Config\n"
               "clusters:\n"
               "- name: c\n  cluster: {server: 'https://127.0.0.1:1'}\n"
               "- name: zero-ca\n  cluster: {server: 'https://127.0.0.1:1', "
               "certificate-authority: /dev/zero}\n"
               "users:\n"
               "- name: fifo-token\n  user: {tokenFile: fifo}\n"
               "- name: fifo-key\n  user: {client-certificate: fifo, client-key: fifo}\n"
               "contexts:\n"
               "- name: fifo-token\n  context: {cluster: c, user: fifo-token}\n"
               "- name: fifo-key\n  context: {cluster: c, user: fifo-key}\n"
               "- name: zero-ca\n  context: {cluster: zero-ca, user: fifo-token}\n");
    fclose(f);
    k = load_ok(kc);
    snprintf(want, sizeof want,
             "%s:10: users[0].user.tokenFile: %s: not a regular file (a FIFO); give a file", kc,
             fifo);
    resolve_err(k, "fifo-token", PXE_INVAL, want);
    snprintf(want, sizeof want,
             "%s:12: users[1].user.client-certificate: %s: not a regular file (a FIFO); give a "
             "file",
             kc, fifo);
    resolve_err(k, "fifo-key", PXE_INVAL, want);
    snprintf(want, sizeof want,
             "%s:7: clusters[1].cluster.certificate-authority: /dev/zero: not a regular file (a "
             "character device); give a file",
             kc);
    resolve_err(k, "zero-ca", PXE_INVAL, want);
    kcfg_free(k);
    assert_true(clock_mono_ms() - t0 < 2000);
    unlink(kc);
    unlink(fifo);
    rmdir(dir);
    free(kc);
    free(fifo);
}

/* -------------------------------------------------------- exec plugins */

static struct kcfg_exec *
exec_of(const char *ctx)
{
    struct kcfg *k = load_ok(fx("auth.yaml"));
    struct kcfg_target *t = resolve_ok(k, ctx);
    struct kcfg_exec *e = kcfg_exec_dup(t->exec);
    kcfg_target_free(t);
    kcfg_free(k);
    return e;
}

static void
test_exec_v1_token(void **state)
{
    (void)state;
    char info[] = "/tmp/pxc-kcfg-info-XXXXXX";
    int fd = mkstemp(info);
    assert_true(fd >= 0);
    close(fd);
    setenv("PXC_EXEC_INFO_OUT", info, 1);
    struct kcfg_exec *e = exec_of("exec-v1");
    struct kcfg_cred *c = NULL;
    struct pxerr err = {0};
    int64_t now = clock_wall_ms();
    if (kcfg_exec_run_sync(e, NULL, &c, &err) != 0)
        fail_msg("%s", err.msg);
    assert_string_equal(c->token, "v1-token-suffixed"); /* env from the kubeconfig reached it */
    assert_null(c->client_cert_pem);
    assert_true(c->expiry_ms > now + 3500 * 1000LL && c->expiry_ms < now + 3700 * 1000LL);
    kcfg_cred_free(c);
    char *got = slurp(info);
    assert_non_null(strstr(got, "\"apiVersion\":\"client.authentication.k8s.io/v1\""));
    assert_non_null(strstr(got, "\"kind\":\"ExecCredential\""));
    assert_non_null(strstr(got, "\"interactive\":false"));
    assert_non_null(strstr(got, "\"server\":\"https://127.0.0.1:16443\""));
    assert_non_null(strstr(got, "\"certificate-authority-data\":\"LS0t"));
    free(got);

    /* cluster_server overrides the server sent in spec.cluster. */
    assert_int_equal(kcfg_exec_run_sync(e, "https://10.1.2.3:6443", &c, &err), 0);
    kcfg_cred_free(c);
    got = slurp(info);
    assert_non_null(strstr(got, "\"server\":\"https://10.1.2.3:6443\""));
    free(got);
    unsetenv("PXC_EXEC_INFO_OUT");
    unlink(info);
    kcfg_exec_free(e);
}

static void
test_exec_v1beta1_and_cert(void **state)
{
    (void)state;
    char info[] = "/tmp/pxc-kcfg-info-XXXXXX";
    int fd = mkstemp(info);
    close(fd);
    setenv("PXC_EXEC_INFO_OUT", info, 1);
    struct kcfg_exec *e = exec_of("exec-v1beta1");
    struct kcfg_cred *c = NULL;
    struct pxerr err = {0};
    assert_int_equal(kcfg_exec_run_sync(e, NULL, &c, &err), 0);
    assert_string_equal(c->token, "beta-token");
    assert_int_equal(c->expiry_ms, 0);
    kcfg_cred_free(c);
    char *got = slurp(info);
    assert_null(strstr(got, "\"cluster\"")); /* provideClusterInfo is off */
    assert_non_null(strstr(got, "client.authentication.k8s.io/v1beta1"));
    free(got);
    unsetenv("PXC_EXEC_INFO_OUT");
    unlink(info);
    kcfg_exec_free(e);

    e = exec_of("exec-cert");
    assert_int_equal(kcfg_exec_run_sync(e, NULL, &c, &err), 0);
    char *crt = slurp(fx("pki/client.crt"));
    char *key = slurp(fx("pki/client.key"));
    assert_null(c->token);
    assert_string_equal(c->client_cert_pem, crt);
    assert_string_equal(c->client_key_pem, key);
    free(crt);
    free(key);
    kcfg_cred_free(c);
    kcfg_exec_free(e);
}

static void
exec_err(const char *ctx, int timeout_ms, int code, const char *want_tail, bool prefix_only)
{
    struct kcfg_exec *e = exec_of(ctx);
    e->timeout_ms = timeout_ms;
    struct kcfg_cred *c = NULL;
    struct pxerr err = {0};
    char want[1024];
    snprintf(want, sizeof want, "exec plugin '%s': %s", e->command, want_tail);
    assert_int_equal(kcfg_exec_run_sync(e, NULL, &c, &err), code);
    assert_null(c);
    if (prefix_only)
        assert_true(strncmp(err.msg, want, strlen(want)) == 0);
    else
        assert_string_equal(err.msg, want);
    kcfg_exec_free(e);
}

static void
test_exec_errors(void **state)
{
    (void)state;
    exec_err("exec-expired", 0, PXE_AUTH, "credential expired at ", true);
    exec_err("exec-fail", 0, PXE_AUTH,
             "exited with status 3: error: no credentials found for profile prod (install: see "
             "https://example.invalid/get-creds)",
             false);
    exec_err("exec-missing", 0, PXE_NOTFOUND,
             "executable not found: no such file or directory (install: apt-get install "
             "pxcmesh-no-such-plugin)",
             false);
    /* Output that is not the ExecCredential the spec asked for. */
    struct kcfg_exec *e = exec_of("exec-v1");
    struct kcfg_cred *c = NULL;
    struct pxerr err = {0};
    char want[1024];
    free(e->args[0]);
    e->args[0] = xstrdup(KCFG_EXEC_API_V1BETA1);
    assert_int_equal(kcfg_exec_run_sync(e, NULL, &c, &err), PXE_PARSE);
    snprintf(want, sizeof want,
             "exec plugin '%s' is configured for client.authentication.k8s.io/v1 but returned "
             "apiVersion \"client.authentication.k8s.io/v1beta1\"",
             e->command);
    assert_string_equal(err.msg, want);
    kcfg_exec_free(e);
    struct kcfg_exec echo = {.api_version = KCFG_EXEC_API_V1,
                             .command = "/bin/echo",
                             .args = (char *[]){"not json"},
                             .n_args = 1};
    assert_int_equal(kcfg_exec_run_sync(&echo, NULL, &c, &err), PXE_PARSE);
    assert_string_equal(err.msg, "exec plugin '/bin/echo': its output is not an ExecCredential "
                                 "(line 1: '[' or '{' expected near 'not')");
    echo.args = (char *[]){"{\"kind\":\"ExecCredential\",\"apiVersion\":"
                           "\"client.authentication.k8s.io/v1\",\"status\":{}}"};
    assert_int_equal(kcfg_exec_run_sync(&echo, NULL, &c, &err), PXE_PARSE);
    assert_string_equal(err.msg, "exec plugin '/bin/echo': returned neither a token nor a client "
                                 "certificate");
    assert_null(c);
    /* A token with a line break would inject a header line: refused, naming the plugin. */
    echo.args = (char *[]){"{\"kind\":\"ExecCredential\",\"apiVersion\":"
                           "\"client.authentication.k8s.io/v1\",\"status\":"
                           "{\"token\":\"tok\\r\\nX-Injected: 1\"}}"};
    assert_int_equal(kcfg_exec_run_sync(&echo, NULL, &c, &err), PXE_AUTH);
    assert_string_equal(err.msg, "exec plugin '/bin/echo': the token it returned (status.token) "
                                 "holds a line break (byte 0x0d at position 4); a bearer token "
                                 "is one line of printable text; refusing to send it");
    assert_null(c);

    uint64_t t0 = clock_mono_ms();
    exec_err("exec-hang", 300, PXE_TIMEOUT, "timed out after 1 s (killed): waiting for login...",
             false);
    assert_true(clock_mono_ms() - t0 < 5000); /* killed, not waited for (the script sleeps 60) */
}

/* --------------------------------------------------------- loop + cache */

struct counter {
    int calls, ok;
    int last_status;
    char token[64];
    char msg[256];
};

static void
on_cred(int status, const struct kcfg_cred *cred, const struct pxerr *err, void *arg)
{
    struct counter *c = arg;
    c->calls++;
    c->last_status = status;
    if (status == 0) {
        c->ok++;
        snprintf(c->token, sizeof c->token, "%s", cred->token ? cred->token : "");
    } else {
        snprintf(c->msg, sizeof c->msg, "%s", err->msg);
    }
}

static int
count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    int n = 0, ch;
    while ((ch = fgetc(f)) != EOF)
        n += ch == '\n';
    fclose(f);
    return n;
}

static void
test_cache_honoured(void **state)
{
    (void)state;
    char log[] = "/tmp/pxc-kcfg-spawns-XXXXXX";
    int fd = mkstemp(log);
    close(fd);
    setenv("PXC_SPAWN_LOG", log, 1);
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    struct kcfg_cred_cache *cache = kcfg_cred_cache_new(&loop);
    struct kcfg_exec *e = exec_of("exec-v1");
    struct pxerr err = {0};
    struct counter a = {0}, b = {0}, c = {0};

    /* Two concurrent gets share one run. */
    assert_null(kcfg_cred_peek(cache, e, NULL));
    assert_int_equal(kcfg_cred_get(cache, e, NULL, on_cred, &a, &err), 0);
    assert_int_equal(kcfg_cred_get(cache, e, NULL, on_cred, &b, &err), 0);
    assert_int_equal(a.calls, 0); /* never from inside the get */
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(a.ok, 1);
    assert_int_equal(b.ok, 1);
    assert_string_equal(a.token, "v1-token-suffixed");
    assert_int_equal(count_lines(log), 1);

    /* Fresh (expires in an hour): served from the cache, later, without a spawn. */
    const struct kcfg_cred *p = kcfg_cred_peek(cache, e, NULL);
    assert_non_null(p);
    assert_string_equal(p->token, "v1-token-suffixed");
    assert_int_equal(kcfg_cred_get(cache, e, NULL, on_cred, &c, &err), 0);
    assert_int_equal(c.calls, 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(c.ok, 1);
    assert_int_equal(count_lines(log), 1);

    /* A 401 invalidates it: the next get runs the plugin again. */
    kcfg_cred_invalidate(cache, e, NULL);
    assert_null(kcfg_cred_peek(cache, e, NULL));
    assert_int_equal(kcfg_cred_get(cache, e, NULL, on_cred, &c, &err), 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(c.ok, 2);
    assert_int_equal(count_lines(log), 2);

    /* A different cluster is a different key when provideClusterInfo is on. */
    assert_int_equal(kcfg_cred_get(cache, e, "https://other:6443", on_cred, &c, &err), 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(count_lines(log), 3);
    kcfg_exec_free(e);

    /* A 30 s token lives less than twice the margin: reused for the first half of its life
     * (test_cred_fresh checks the arithmetic), not re-run on every request. */
    e = exec_of("exec-short");
    struct counter d = {0};
    assert_int_equal(kcfg_cred_get(cache, e, NULL, on_cred, &d, &err), 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(d.ok, 1);
    assert_string_equal(d.token, "short-token");
    assert_non_null(kcfg_cred_peek(cache, e, NULL));
    assert_int_equal(kcfg_cred_get(cache, e, NULL, on_cred, &d, &err), 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(d.ok, 2);
    assert_int_equal(count_lines(log), 4);
    kcfg_exec_free(e);

    /* No expiry: cached until invalidated. */
    e = exec_of("exec-v1beta1");
    assert_int_equal(kcfg_cred_get(cache, e, NULL, on_cred, &d, &err), 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(count_lines(log), 5);
    assert_int_equal(kcfg_cred_get(cache, e, NULL, on_cred, &d, &err), 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(d.ok, 4);
    assert_int_equal(count_lines(log), 5);
    kcfg_exec_free(e);

    /* Failures are not cached and reach every waiter. */
    e = exec_of("exec-fail");
    struct counter f1 = {0}, f2 = {0};
    assert_int_equal(kcfg_cred_get(cache, e, NULL, on_cred, &f1, &err), 0);
    assert_int_equal(kcfg_cred_get(cache, e, NULL, on_cred, &f2, &err), 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(f1.calls, 1);
    assert_int_equal(f2.last_status, PXE_AUTH);
    assert_null(kcfg_cred_peek(cache, e, NULL));
    kcfg_exec_free(e);

    kcfg_cred_cache_free(cache);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
    unsetenv("PXC_SPAWN_LOG");
    unlink(log);
}

static void
test_cancel(void **state)
{
    (void)state;
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    struct kcfg_exec *e = exec_of("exec-hang");
    struct pxerr err = {0};
    struct counter a = {0}, b = {0}, c = {0};
    struct kcfg_exec_req *req = NULL;
    uint64_t t0 = clock_mono_ms();
    assert_int_equal(kcfg_exec_start(&loop, e, NULL, on_cred, &a, &req, &err), 0);
    assert_non_null(req);
    kcfg_exec_cancel(req);
    assert_int_equal(a.calls, 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(a.calls, 1);
    assert_int_equal(a.last_status, PXE_CANCELLED);

    /* Freeing the cache kills a running plugin and cancels its waiters and deliveries. */
    struct kcfg_cred_cache *cache = kcfg_cred_cache_new(&loop);
    assert_int_equal(kcfg_cred_get(cache, e, NULL, on_cred, &b, &err), 0);
    kcfg_cred_cache_free(cache);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(b.calls, 1);
    assert_int_equal(b.last_status, PXE_CANCELLED);
    assert_true(clock_mono_ms() - t0 < 5000);

    /* A bad spec fails at once and never calls back. */
    free(e->api_version);
    e->api_version = xstrdup("client.authentication.k8s.io/v1alpha1");
    assert_int_equal(kcfg_exec_start(&loop, e, NULL, on_cred, &c, NULL, &err), PXE_UNSUPPORTED);
    assert_int_equal(c.calls, 0);
    kcfg_exec_free(e);
    assert_int_equal(uv_loop_close(&loop), 0);
}

static void
test_cred_fresh(void **state)
{
    (void)state;
    const int64_t now = 1800000000000LL, min = 60000;
    struct kcfg_cred c = {.token = "t"};
    assert_false(kcfg__cred_fresh(NULL, 0, now));
    assert_true(kcfg__cred_fresh(&c, now - 86400000LL, now)); /* no expiry: until a 401 */
    c.expiry_ms = now + 2 * min;                              /* an hour-long token... */
    assert_true(kcfg__cred_fresh(&c, now - 58 * min, now));
    c.expiry_ms = now + min - 1; /* ...refreshed a minute before it expires */
    assert_false(kcfg__cred_fresh(&c, now - 59 * min, now));
    c.expiry_ms = now + 20000; /* a 30 s token fetched 10 s ago: half-life is 15 s */
    assert_true(kcfg__cred_fresh(&c, now - 10000, now - 1));
    assert_false(kcfg__cred_fresh(&c, now - 10000, now + 5000));
    c.expiry_ms = now - 1; /* expired */
    assert_false(kcfg__cred_fresh(&c, now - 30000, now));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge_kubeconfig_env),
        cmocka_unit_test(test_explicit_and_default_paths),
        cmocka_unit_test(test_upstream_kubeconfig_tls),
        cmocka_unit_test(test_context_errors),
        cmocka_unit_test(test_auth_modes),
        cmocka_unit_test(test_auth_errors),
        cmocka_unit_test(test_token_control_chars),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_not_regular_files),
        cmocka_unit_test(test_exec_v1_token),
        cmocka_unit_test(test_exec_v1beta1_and_cert),
        cmocka_unit_test(test_exec_errors),
        cmocka_unit_test(test_cache_honoured),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_cred_fresh),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
