/* ksim_tls: kubesim's own small PKI and the kubeconfig that trusts it. The certificates
 * are made once at start by the openssl command (EC P-256: quick to make, accepted by Go
 * and GnuTLS): a CA, a server certificate for the listen address (and localhost), and a
 * client certificate (CN=ksim-admin, O=system:masters) for the kubeconfig user, plus one
 * with O=ksim:readonly for read-only tests. They are kept in the state directory and made
 * again when the listen address changes. The kubeconfig is merged: kubesim replaces only
 * its own cluster, user and context, under a lock, so that two kubesims can share a file. */
#include "ksim_tls.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base64.h"
#include "xmalloc.h"

extern char **environ;

static char *
read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    struct strbuf sb;
    strbuf_init(&sb);
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        strbuf_appendn(&sb, buf, n);
    fclose(f);
    return strbuf_detach(&sb);
}

static int
write_file(const char *path, const char *text, mode_t mode, struct pxerr *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return pxerr_set(err, PXE_IO, "cannot write %s: %s", path, strerror(errno));
    size_t len = strlen(text), off = 0;
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0) {
            close(fd);
            return pxerr_set(err, PXE_IO, "cannot write %s: %s", path, strerror(errno));
        }
        off += (size_t)w;
    }
    if (close(fd) != 0)
        return pxerr_set(err, PXE_IO, "cannot write %s: %s", path, strerror(errno));
    return 0;
}

/* Run openssl with argv (NULL-terminated, argv[0] = "openssl"); its stderr goes to
 * dir/openssl.log so that a failure can be explained. */
static int
run_openssl(const char *dir, char *const argv[], struct pxerr *err)
{
    char *log = xasprintf("%s/openssl.log", dir);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid_t pid;
    int rc = posix_spawnp(&pid, "openssl", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        free(log);
        return pxerr_set(err, PXE_IO,
                         "cannot run openssl: %s (install it: apt-get install -y openssl)",
                         strerror(rc));
    }
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char *text = read_file(log);
        char first[160] = "";
        if (text != NULL)
            snprintf(first, sizeof first, "%.*s", (int)strcspn(text, "\n"), text);
        free(text);
        rc = pxerr_set(err, PXE_IO, "openssl %s failed: %s (full output in %s)", argv[1], first,
                       log);
        free(log);
        return rc;
    }
    unlink(log);
    free(log);
    return 0;
}

static bool
exists(const char *dir, const char *name)
{
    char *p = xasprintf("%s/%s", dir, name);
    bool yes = access(p, R_OK) == 0;
    free(p);
    return yes;
}

/* Make a key and a certificate signed by the CA. */
static int
make_leaf(const char *dir, const char *base, const char *subj, const char *ext, struct pxerr *err)
{
    char *key = xasprintf("%s/%s.key", dir, base), *csr = xasprintf("%s/%s.csr", dir, base),
         *crt = xasprintf("%s/%s.crt", dir, base), *extf = xasprintf("%s/%s.ext", dir, base),
         *ca = xasprintf("%s/ca.crt", dir), *cakey = xasprintf("%s/ca.key", dir);
    int rc = write_file(extf, ext, 0600, err);
    if (rc == 0) {
        char *a1[] = {"openssl",
                      "req",
                      "-new",
                      "-newkey",
                      "ec",
                      "-pkeyopt",
                      "ec_paramgen_curve:prime256v1",
                      "-nodes",
                      "-keyout",
                      key,
                      "-out",
                      csr,
                      "-subj",
                      (char *)subj,
                      NULL};
        rc = run_openssl(dir, a1, err);
    }
    if (rc == 0) {
        char *a2[] = {"openssl",  "x509", "-req",   "-in", csr,
                      "-CA",      ca,     "-CAkey", cakey, "-CAcreateserial",
                      "-out",     crt,    "-days",  "825", "-sha256",
                      "-extfile", extf,   NULL};
        rc = run_openssl(dir, a2, err);
    }
    unlink(csr);
    unlink(extf);
    free(key);
    free(csr);
    free(crt);
    free(extf);
    free(ca);
    free(cakey);
    return rc;
}

int
ksim_pki_ensure(const char *dir, const char *ip, struct ksim_pki *out, struct pxerr *err)
{
    memset(out, 0, sizeof *out);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return pxerr_set(err, PXE_IO, "cannot create state directory %s: %s", dir, strerror(errno));
    int rc = 0;
    if (!exists(dir, "ca.crt") || !exists(dir, "ca.key")) {
        char *key = xasprintf("%s/ca.key", dir), *crt = xasprintf("%s/ca.crt", dir);
        char *a[] = {"openssl",
                     "req",
                     "-x509",
                     "-newkey",
                     "ec",
                     "-pkeyopt",
                     "ec_paramgen_curve:prime256v1",
                     "-nodes",
                     "-keyout",
                     key,
                     "-out",
                     crt,
                     "-days",
                     "3650",
                     "-sha256",
                     "-subj",
                     "/CN=kubesim-ca",
                     "-addext",
                     "basicConstraints=critical,CA:TRUE",
                     "-addext",
                     "keyUsage=critical,keyCertSign,cRLSign",
                     NULL};
        rc = run_openssl(dir, a, err);
        free(key);
        free(crt);
        /* a new CA invalidates every leaf */
        for (const char *const *n =
                 (const char *const[]){"server.crt", "client.crt", "readonly.crt", NULL};
             *n; n++) {
            char *p = xasprintf("%s/%s", dir, *n);
            unlink(p);
            free(p);
        }
    }
    char *ipfile = xasprintf("%s/server.ip", dir);
    char *old_ip = read_file(ipfile);
    if (rc == 0 && (!exists(dir, "server.crt") || old_ip == NULL || strcmp(old_ip, ip) != 0)) {
        char *ext = xasprintf("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,"
                              "keyEncipherment\nextendedKeyUsage=serverAuth\n"
                              "subjectAltName=IP:%s,IP:127.0.0.1,DNS:localhost,DNS:kubesim\n",
                              ip);
        rc = make_leaf(dir, "server", "/CN=kubesim", ext, err);
        free(ext);
        if (rc == 0)
            rc = write_file(ipfile, ip, 0600, err);
    }
    free(old_ip);
    free(ipfile);
    static const char client_ext[] = "basicConstraints=CA:FALSE\nkeyUsage=critical,"
                                     "digitalSignature,keyEncipherment\n"
                                     "extendedKeyUsage=clientAuth\n";
    if (rc == 0 && !exists(dir, "client.crt"))
        rc = make_leaf(dir, "client", "/O=system:masters/CN=ksim-admin", client_ext, err);
    if (rc == 0 && !exists(dir, "readonly.crt"))
        rc = make_leaf(dir, "readonly", "/O=ksim:readonly/CN=ksim-viewer", client_ext, err);
    if (rc != 0)
        return rc;
    static const char *const names[] = {"ca.crt", "server.crt", "server.key", "client.crt",
                                        "client.key"};
    char **slots[] = {&out->ca_pem, &out->cert_pem, &out->key_pem, &out->client_cert_pem,
                      &out->client_key_pem};
    for (size_t i = 0; i < 5; i++) {
        char *p = xasprintf("%s/%s", dir, names[i]);
        *slots[i] = read_file(p);
        free(p);
        if (*slots[i] == NULL) {
            ksim_pki_fini(out);
            return pxerr_set(err, PXE_IO, "cannot read %s/%s after making it", dir, names[i]);
        }
    }
    return 0;
}

void
ksim_pki_fini(struct ksim_pki *p)
{
    free(p->ca_pem);
    free(p->cert_pem);
    xfree_secret(p->key_pem);
    free(p->client_cert_pem);
    xfree_secret(p->client_key_pem);
    memset(p, 0, sizeof *p);
}

/* Replace the entry called name in arr (a kubeconfig list) with entry (taken). */
static void
put_named(json_t *arr, const char *name, json_t *entry)
{
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e)
    {
        const char *n = json_string_value(json_object_get(e, "name"));
        if (n != NULL && strcmp(n, name) == 0) {
            json_array_set_new(arr, i, entry);
            return;
        }
    }
    json_array_append_new(arr, entry);
}

static json_t *
ensure_array(json_t *obj, const char *key)
{
    json_t *a = json_object_get(obj, key);
    if (!json_is_array(a)) {
        a = json_array();
        json_object_set_new(obj, key, a);
    }
    return a;
}

int
ksim_kubeconfig_write(const char *path, const char *context, const char *server_url,
                      const struct ksim_pki *pki, const char *token, struct pxerr *err)
{
    char *lockp = xasprintf("%s.lock", path);
    int lfd = open(lockp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    free(lockp);
    if (lfd < 0)
        return pxerr_set(err, PXE_IO, "cannot lock kubeconfig %s: %s", path, strerror(errno));
    flock(lfd, LOCK_EX);
    json_t *cfg = NULL;
    int rc = 0;
    if (access(path, F_OK) == 0) {
        struct vec docs;
        vec_init(&docs, ksim_json_decref_fn);
        rc = ksim_yaml_load_file(path, &docs, err);
        if (rc == 0 && docs.n > 0 && json_is_object((json_t *)vec_at(&docs, 0)))
            cfg = vec_take(&docs, 0);
        vec_fini(&docs);
        if (rc != 0)
            pxerr_prefix(err, "kubeconfig to merge into: ");
    }
    if (rc == 0) {
        if (cfg == NULL)
            cfg =
                json_pack("{s:s, s:s, s:{}}", "apiVersion", "v1", "kind", "Config", "preferences");
        json_t *cluster = json_pack("{s:s}", "server", server_url);
        if (pki != NULL) {
            char *ca = base64_encode(pki->ca_pem, strlen(pki->ca_pem), 0);
            json_object_set_new(cluster, "certificate-authority-data", json_string(ca));
            free(ca);
        }
        put_named(ensure_array(cfg, "clusters"), context,
                  json_pack("{s:s, s:o}", "name", context, "cluster", cluster));
        json_t *user = json_object();
        if (token != NULL) {
            json_object_set_new(user, "token", json_string(token));
        } else if (pki != NULL) {
            char *c = base64_encode(pki->client_cert_pem, strlen(pki->client_cert_pem), 0);
            char *k = base64_encode(pki->client_key_pem, strlen(pki->client_key_pem), 0);
            json_object_set_new(user, "client-certificate-data", json_string(c));
            json_object_set_new(user, "client-key-data", json_string(k));
            free(c);
            xfree_secret(k);
        }
        put_named(ensure_array(cfg, "users"), context,
                  json_pack("{s:s, s:o}", "name", context, "user", user));
        put_named(ensure_array(cfg, "contexts"), context,
                  json_pack("{s:s, s:{s:s, s:s}}", "name", context, "context", "cluster", context,
                            "user", context));
        const char *cur = json_string_value(json_object_get(cfg, "current-context"));
        if (cur == NULL || *cur == '\0')
            json_object_set_new(cfg, "current-context", json_string(context));
        struct strbuf out;
        strbuf_init(&out);
        strbuf_append(&out, "# written by kubesim; it replaces only its own context on rewrite\n");
        ksim_yaml_emit(cfg, &out);
        char *tmp = xasprintf("%s.tmp.%d", path, (int)getpid());
        rc = write_file(tmp, out.s, 0600, err);
        if (rc == 0 && rename(tmp, path) != 0)
            rc = pxerr_set(err, PXE_IO, "cannot replace %s: %s", path, strerror(errno));
        if (rc != 0)
            unlink(tmp);
        free(tmp);
        explicit_bzero(out.s, out.len);
        strbuf_fini(&out);
    }
    json_decref(cfg);
    flock(lfd, LOCK_UN);
    close(lfd);
    return rc;
}
