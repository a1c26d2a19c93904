/* kcfg: kubeconfig loading as kubectl does it, and exec credential plugins.
 *
 * Loading: kcfg_load() reads --kubeconfig FILE, else every file of $KUBECONFIG (':'-separated,
 * merged with kubectl's rules: the first file to define a cluster/user/context name wins,
 * current-context comes from the first file that sets it, missing files are skipped), else
 * ~/.kube/config. The shape of every file is checked at load (types, base64), so a bad file
 * fails with FILE:LINE. Files a kubeconfig refers to (certificate-authority, client-key,
 * tokenFile ...) are read by kcfg_resolve(), relative paths against the directory of the
 * kubeconfig file that named them.
 *
 * Exec plugins run on the libuv loop (uv_spawn, no shell, no terminal: stdin is /dev/null,
 * stderr is captured and never reaches the screen). A kcfg_cred_cache keeps credentials until
 * a minute before they expire, or until kcfg_cred_invalidate() after a 401.
 *
 * Threads: kcfg_load/kcfg_resolve/kcfg_free are pure (any thread, one kcfg per thread at a
 * time). kcfg_exec_*, kcfg_cred_* (but kcfg_cred_free/dup): the loop thread of their loop.
 */
#ifndef PXC_BACKENDS_KUBE_KCFG_H
#define PXC_BACKENDS_KUBE_KCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "pxerr.h"

#define KCFG_EXEC_API_V1 "client.authentication.k8s.io/v1"
#define KCFG_EXEC_API_V1BETA1 "client.authentication.k8s.io/v1beta1"
#define KCFG_EXEC_TIMEOUT_MS_DEFAULT 20000
/* A cached credential is refreshed this long before its expirationTimestamp (or half-way
 * through its life when that is shorter than twice this). */
#define KCFG_CRED_REFRESH_MARGIN_MS 60000

struct kcfg; /* opaque: the merged kubeconfig */

/* ---------------------------------------------------------------- loading */

/* Load and merge the kubeconfig. explicit_path (borrowed, NULL: none) is --kubeconfig and
 * must exist; otherwise $KUBECONFIG, otherwise ~/.kube/config ($HOME). On success *out is
 * owned (kcfg_free). Errors (PXE_NOTFOUND, PXE_IO, PXE_PARSE for YAML, PXE_SCHEMA for shape):
 *   "/p/config:7:3: mapping values are not allowed in this context" (YAML syntax, FILE:LINE:COL)
 *   "/p/config:12: users[0].user.client-key-data: not valid base64"   (shape, FILE:LINE)
 *   "/p/config:8: contexts[2].name: duplicate name \"one\" (first at line 4)"
 *   "kubeconfig (from --kubeconfig) /p/x: No such file or directory"
 *   "no kubeconfig: $KUBECONFIG is not set and /home/u/.kube/config does not exist; ..."
 * Any thread (blocking file reads: not on the loop of a running console). */
int kcfg_load(const char *explicit_path, struct kcfg **out, struct pxerr *err) PXC_MUST_CHECK;
void kcfg_free(struct kcfg *k); /* NULL does nothing */

/* current-context of the merged config: borrowed (valid until kcfg_free), NULL when unset. */
const char *kcfg_current_context(const struct kcfg *k);
/* Number of contexts, and the name of context i in first-defined order: borrowed. */
size_t kcfg_context_count(const struct kcfg *k);
const char *kcfg_context_name(const struct kcfg *k, size_t i);
/* The context names ", "-joined into buf ("(none)" when empty), for messages and --help. */
void kcfg_context_names(const struct kcfg *k, char *buf, size_t n);
/* The files that were merged, in order, ", "-joined into buf (for messages). */
void kcfg_files(const struct kcfg *k, char *buf, size_t n);

/* --------------------------------------------------------------- exec spec */

struct kcfg_exec_env {
    char *name;  /* owned */
    char *value; /* owned */
};

enum kcfg_interactive {
    KCFG_INTERACTIVE_NEVER,
    KCFG_INTERACTIVE_IF_AVAILABLE,
    KCFG_INTERACTIVE_ALWAYS, /* refused by kcfg_resolve: plugins never get a terminal */
};

/* users[].user.exec, as resolved for one target. All strings owned by the struct. */
struct kcfg_exec {
    char *api_version; /* KCFG_EXEC_API_V1 or KCFG_EXEC_API_V1BETA1 */
    char *command;     /* as written, or made absolute when it contains a '/' (kubectl) */
    char **args;       /* n_args strings, owned */
    size_t n_args;
    struct kcfg_exec_env *env; /* n_env entries, added to the inherited environment */
    size_t n_env;
    char *install_hint; /* NULL: none */
    bool provide_cluster_info;
    enum kcfg_interactive interactive;
    int timeout_ms; /* 0: KCFG_EXEC_TIMEOUT_MS_DEFAULT; tests set it lower */
    /* The cluster, sent in KUBERNETES_EXEC_INFO spec.cluster when provide_cluster_info. */
    char *cluster_server;          /* NULL: unknown */
    char *cluster_tls_server_name; /* NULL: none */
    char *cluster_ca_data_b64;     /* NULL: none; base64 of the CA PEM */
    char *cluster_proxy_url;       /* NULL: none */
    bool cluster_insecure;
};

/* Deep copy: owned (kcfg_exec_free). */
struct kcfg_exec *kcfg_exec_dup(const struct kcfg_exec *e);
void kcfg_exec_free(struct kcfg_exec *e); /* NULL does nothing */

/* ------------------------------------------------------------- resolution */

/* Everything needed to talk to one cluster, flat and self-contained: owned by the caller
 * (kcfg_target_free), independent of the struct kcfg it came from. Secrets (client key, token,
 * password) are zeroed on free. PEM buffers are NUL-terminated; *_len excludes the NUL. */
struct kcfg_target {
    char *context;      /* context name */
    char *cluster_name; /* contexts[].context.cluster */
    char *user_name;    /* contexts[].context.user, NULL: no user (anonymous) */
    char *server;       /* "https://10.96.0.1:443" */
    char *namespace;    /* NULL: the context sets none (kubectl would use "default") */

    char *ca_pem; /* NULL: use the system trust store */
    size_t ca_pem_len;
    char *ca_source;       /* file the CA was read from, or "certificate-authority-data" */
    bool insecure;         /* insecure-skip-tls-verify: true (show a warning) */
    char *tls_server_name; /* NULL: none */
    char *proxy_url;       /* NULL: none (curl then honours no proxy variables of its own) */

    char *client_cert_pem; /* NULL: none */
    size_t client_cert_len;
    char *client_key_pem; /* secret; NULL: none */
    size_t client_key_len;
    char *token;            /* secret; bearer token from token or tokenFile, NULL: none */
    char *token_file;       /* absolute path when the token came from tokenFile (kubectl
                               re-reads it: tokens are rotated), NULL otherwise */
    char *username;         /* basic auth, NULL: none */
    char *password;         /* secret */
    struct kcfg_exec *exec; /* owned, NULL: no exec plugin; when set, call the plugin (through
                               a kcfg_cred_cache) and use its token or cert/key */
};

/* Resolve context (borrowed; NULL: current-context) into *out (owned, kcfg_target_free).
 * Reads the files the entries name. On failure *out is untouched; errors, in words:
 *   context "foo" not found in /p/config; contexts: cluster-a, cluster-b   (PXE_NOTFOUND)
 *   no current-context in /p/config; pass --context (contexts: a, b)       (PXE_NOTFOUND)
 *   context "a" (/p/config:14): cluster "x" not found; clusters: local     (PXE_NOTFOUND)
 *   /p/config:20: users[1].user.client-key: /p/certs/k.pem: No such file or directory (PXE_IO)
 *   /p/config:20: users[1].user: more than one authentication method: token, basic auth
 * Any thread (reads files). */
int kcfg_resolve(const struct kcfg *k, const char *context, struct kcfg_target **out,
                 struct pxerr *err) PXC_MUST_CHECK;
void kcfg_target_free(struct kcfg_target *t); /* NULL does nothing */

/* A bearer token goes into a header line as it is: one with a control character (a CR or LF
 * would start a header of its own) is refused. 0, or PXE_AUTH with err saying which byte and
 * where, never the token itself: "holds a line break (byte 0x0a at position 13); a bearer
 * token is one line of printable text". The caller prefixes where the token came from. */
int kcfg_token_check(const char *token, struct pxerr *err) PXC_MUST_CHECK;

/* ------------------------------------------------------- exec credentials */

/* What a plugin returned. Secrets zeroed on free. */
struct kcfg_cred {
    char *token;           /* secret; NULL when the plugin gave a certificate */
    char *client_cert_pem; /* NULL when the plugin gave a token */
    char *client_key_pem;  /* secret */
    int64_t expiry_ms;     /* wall-clock epoch ms of expirationTimestamp; 0: none given */
};

struct kcfg_cred *kcfg_cred_dup(const struct kcfg_cred *c); /* owned */
void kcfg_cred_free(struct kcfg_cred *c);                   /* NULL does nothing; any thread */

/* Called exactly once per start/get, on the loop thread. status 0: cred is borrowed (valid
 * only during the call; kcfg_cred_dup to keep it), err NULL. Otherwise cred is NULL and err
 * (borrowed) says what, e.g.
 *   exec plugin 'aws': exited with status 1: error: no credentials (install: brew install aws)
 *   exec plugin 'get-token': credential expired at 2026-11-25T08:00:00Z
 *   exec plugin 'get-token': timed out after 20 s (killed)
 *   exec plugin 'get-token': executable not found: no such file or directory (install: ...)
 * status PXE_CANCELLED after kcfg_exec_cancel / kcfg_cred_cache_free. */
typedef void kcfg_exec_cb(int status, const struct kcfg_cred *cred, const struct pxerr *err,
                          void *arg);

struct kcfg_exec_req; /* opaque, owned by the loop until its callback returns */

/* Spawn the plugin without a shell: argv = command + args, env = this process's environment
 * + spec->env + KUBERNETES_EXEC_INFO (ExecCredential, spec.interactive=false, spec.cluster
 * when provide_cluster_info). cluster_server (borrowed, NULL: spec->cluster_server) overrides
 * the server sent in spec.cluster. spec is borrowed for the call only (copied). Stdout is
 * read fully and parsed as an ExecCredential of spec->api_version; stderr is kept (its first
 * line goes into errors). The child is killed (SIGKILL) after spec->timeout_ms.
 * On success returns 0 and, when reqp is not NULL, *reqp (borrowed: valid until cb runs) for
 * kcfg_exec_cancel. On failure to start (bad spec) returns <0, fills err and never calls cb;
 * a command that cannot be executed is reported through cb. Loop thread. */
int kcfg_exec_start(uv_loop_t *loop, const struct kcfg_exec *spec, const char *cluster_server,
                    kcfg_exec_cb *cb, void *arg, struct kcfg_exec_req **reqp,
                    struct pxerr *err) PXC_MUST_CHECK;
/* Kill the child; cb then runs with PXE_CANCELLED from the loop (not from this call). */
void kcfg_exec_cancel(struct kcfg_exec_req *req);

/* Synchronous, for the CLI: runs a private loop until the plugin is done. *out owned
 * (kcfg_cred_free). Never call it on the console's loop thread (it blocks). */
int kcfg_exec_run_sync(const struct kcfg_exec *spec, const char *cluster_server,
                       struct kcfg_cred **out, struct pxerr *err) PXC_MUST_CHECK;

/* Credential cache keyed by the exec spec (command, args, env, apiVersion, and the cluster
 * when provide_cluster_info). Concurrent gets for one key share one plugin run. */
struct kcfg_cred_cache;

/* Owned (kcfg_cred_cache_free). loop is borrowed and must outlive the cache. */
struct kcfg_cred_cache *kcfg_cred_cache_new(uv_loop_t *loop);
/* Kills running plugins; their waiting callbacks run with PXE_CANCELLED from the loop. Run the
 * loop afterwards (uv_run) until it has no handles left before uv_loop_close. NULL: nothing. */
void kcfg_cred_cache_free(struct kcfg_cred_cache *c);

/* A fresh credential without waiting: borrowed (valid until the next kcfg_cred_* call on this
 * cache or a loop turn), or NULL when none is cached, it expires within the margin, or it was
 * invalidated. Loop thread. */
const struct kcfg_cred *kcfg_cred_peek(struct kcfg_cred_cache *c, const struct kcfg_exec *spec,
                                       const char *cluster_server);
/* Get a credential: cb runs later from the loop (never from inside this call), with the cached
 * one when fresh, else after running the plugin. Returns <0 only for a bad spec (cb not
 * called). Loop thread. */
int kcfg_cred_get(struct kcfg_cred_cache *c, const struct kcfg_exec *spec,
                  const char *cluster_server, kcfg_exec_cb *cb, void *arg,
                  struct pxerr *err) PXC_MUST_CHECK;
/* Forget the cached credential for spec (after a 401): the next get runs the plugin. */
void kcfg_cred_invalidate(struct kcfg_cred_cache *c, const struct kcfg_exec *spec,
                          const char *cluster_server);

#endif
