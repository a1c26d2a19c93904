/* config: the pxcmesh configuration file (YAML), which names the clusters the console shows
 * and says how to reach their MySQL servers. docs/config.md is the reference for every key.
 *
 * Loading is strict: an unknown key is an error with FILE:LINE and a did-you-mean, a value of
 * the wrong type or out of range is an error with FILE:LINE, so a typo never silently falls
 * back to a default. Paths in the file (kubeconfig, optionFile) are made absolute against the
 * directory of the config file ('~/' is $HOME). Loading reads no Kubernetes Secret, no
 * environment variable and no option file: it only records where the passwords come from.
 *
 * The struct is plain data with read-only public fields: build it with config_load or
 * config_from_contexts, read it, free it with config_free. Any thread (pure; file reads).
 */
#ifndef PXC_BACKENDS_CONFIG_CONFIG_H
#define PXC_BACKENDS_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "pxerr.h"

#define CONFIG_REFRESH_S_DEFAULT 2
#define CONFIG_LAG_WARN_S_DEFAULT 60
#define CONFIG_LAG_CRIT_S_DEFAULT 600
#define CONFIG_CONNECT_TIMEOUT_S_DEFAULT 3
#define CONFIG_READ_TIMEOUT_S_DEFAULT 5
#define CONFIG_WRITE_TIMEOUT_S_DEFAULT 5
#define CONFIG_PF_LOCAL_PORT_DEFAULT 0 /* any free loopback port */
#define CONFIG_MYSQL_PORT_DEFAULT 3306
#define CONFIG_USER_DEFAULT "monitor"         /* status: the PXC operator's read-only user */
#define CONFIG_ACTION_USER_DEFAULT "operator" /* START/STOP REPLICA: the operator's admin */

enum config_mysql_mode {
    CONFIG_MYSQL_DISCOVER,     /* PXC pods seen by the Kubernetes backend (pod IP, 3306) */
    CONFIG_MYSQL_DIRECT,       /* mysql.servers[]: host:port reachable from here */
    CONFIG_MYSQL_PORT_FORWARD, /* each PXC pod through the API server (a relay per pod) */
    CONFIG_MYSQL_AUTO,         /* the pod IP if it accepts within a short timeout, else
                                  port-forward; per pod (the default) */
};

enum config_dialect {
    CONFIG_DIALECT_AUTO, /* detect at connect (the default) */
    CONFIG_DIALECT_MYSQL80,
    CONFIG_DIALECT_MYSQL57,
    CONFIG_DIALECT_MARIADB,
};

enum config_pw_kind {
    CONFIG_PW_SECRET,      /* a Kubernetes Secret key (the default) */
    CONFIG_PW_ENV,         /* an environment variable */
    CONFIG_PW_OPTION_FILE, /* a ~/.my.cnf style file: [group] password=... */
};

/* Where a password comes from. Strings owned by the struct. */
struct config_pw_from {
    enum config_pw_kind kind;
    /* CONFIG_PW_SECRET */
    char *secret_namespace; /* NULL: the namespace of the PXC cluster */
    char *secret_name;      /* NULL: the PXC CR's spec.secretsName ("<cr>-secrets") */
    char *secret_key;       /* the key inside the secret: defaults to the user name */
    /* CONFIG_PW_ENV */
    char *env; /* variable name */
    /* CONFIG_PW_OPTION_FILE */
    char *option_file;  /* absolute path */
    char *option_group; /* default "client" */
    int line;           /* line in the config file, 0: built-in default */
};

struct config_server {
    char *name; /* owned display name; defaults to "host:port" */
    char *host; /* owned */
    int port;   /* default 3306 */
};

struct config_mysql {
    enum config_mysql_mode mode;   /* default AUTO */
    struct config_server *servers; /* owned, n_servers; DIRECT only (required there) */
    size_t n_servers;
    int pf_local_port;                   /* portForward.localPort: first local port tried
                                            per pod, counting up; 0: any free port */
    char *user;                          /* status user, default "monitor" */
    struct config_pw_from password_from; /* default secret key = user */
    char *action_user;                   /* START/STOP user, default "operator" */
    struct config_pw_from action_password_from;
    int connect_timeout_s;       /* 3 */
    int read_timeout_s;          /* 5 */
    int write_timeout_s;         /* 5 */
    char *heartbeat_table;       /* "db.table" (pt-heartbeat), NULL: none */
    enum config_dialect dialect; /* AUTO */
};

struct config_cluster {
    char *name;        /* owned display name (unique) */
    char *context;     /* owned kubeconfig context; defaults to name */
    char **namespaces; /* owned, n_namespaces; 0: all namespaces the user may list */
    size_t n_namespaces;
    char *pxc_cluster; /* owned PXC CR name, NULL: discover every PXC CR in the namespaces */
    struct config_mysql mysql;
    int line; /* line of the entry in the config file, 0: built from --context */
};

struct config {
    char *path;       /* owned: absolute path of the file loaded, NULL: built in memory */
    bool readonly;    /* default false */
    char *theme;      /* owned theme name, NULL: the built-in default */
    int refresh_s;    /* refreshSeconds: MySQL poll interval, default 2 */
    int lag_warn_s;   /* lagWarnSeconds, default 60 */
    int lag_crit_s;   /* lagCritSeconds, default 600 (> lag_warn_s) */
    char *kubeconfig; /* owned absolute path, NULL: --kubeconfig / $KUBECONFIG / default */
    struct config_cluster *clusters; /* owned, n_clusters >= 1 */
    size_t n_clusters;
};

/* Load path (borrowed). On success *out is owned (config_free); on failure *out is
 * untouched and err says FILE:LINE and what, e.g.
 *   /p/config.yaml:7: clusters[0].mysql.conectTimeoutSeconds: unknown key (did you mean
 *     'connectTimeoutSeconds'?)
 *   /p/config.yaml:3: refreshSeconds: expected an integer, got a string ("2s")
 *   /p/config.yaml:9: clusters[1].mysql.servers: required when mode is direct
 *   /p/config.yaml: No such file or directory                         (PXE_NOTFOUND)
 * Codes: PXE_NOTFOUND (no file), PXE_IO, PXE_PARSE (YAML syntax), PXE_SCHEMA (shape). */
int config_load(const char *path, struct config **out, struct pxerr *err) PXC_MUST_CHECK;
void config_free(struct config *c); /* NULL does nothing */

/* "$XDG_CONFIG_HOME/pxcmesh/config.yaml" when XDG_CONFIG_HOME is set, else
 * "$HOME/.config/pxcmesh/config.yaml". 0, or PXE_TOOSMALL / PXE_NOTFOUND (no HOME). */
int config_default_path(char *buf, size_t n) PXC_MUST_CHECK;

/* A config for `--context A --context B` without a file: one cluster per context (name =
 * context), all namespaces, PXC clusters discovered, mysql mode auto, user monitor and
 * action user operator with passwords from the PXC operator's secret. contexts borrowed.
 * kubeconfig (borrowed, NULL: default search) and readonly are copied in. *out owned. */
int config_from_contexts(const char *const *contexts, int n, const char *kubeconfig, bool readonly,
                         struct config **out, struct pxerr *err) PXC_MUST_CHECK;

/* Find a cluster by display name: borrowed, NULL when absent. */
const struct config_cluster *config_cluster_find(const struct config *c, const char *name);

/* Keep only the clusters i with keep[i] (c->n_clusters entries), in order; the others are
 * freed. May leave none: the caller says why (config_select). */
void config_keep(struct config *c, const bool *keep);

/* Read a ~/.my.cnf style option file (borrowed path; group NULL: "client"). Reads groups
 * [client] and [group] in file order, later values winning, as the mysql client does;
 * understands quotes, '#'/';' comments, '-'/'_' in keys and !include / !includedir. Each out
 * pointer may be NULL (not wanted); strings are owned (NULL when absent), the password must be
 * freed with xfree_secret; *port_out is 0 when absent. Errors: FILE:LINE for malformed lines,
 * PXE_NOTFOUND for a missing file, and "no [group] or [client] group in FILE". */
int config_read_option_file(const char *path, const char *group, char **user_out,
                            char **password_out, char **host_out, int *port_out,
                            struct pxerr *err) PXC_MUST_CHECK;

/* Names for messages and docs: "discover", "direct", "port-forward", "auto"; "auto",
 * "mysql80", ... for dialects */
const char *config_mysql_mode_name(enum config_mysql_mode m);
const char *config_dialect_name(enum config_dialect d);

#endif
