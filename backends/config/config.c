/* config: the pxcmesh YAML configuration (which clusters, which contexts and namespaces, how
 * to reach MySQL) and the ~/.my.cnf style option-file reader the MySQL backend uses.
 *
 * Strict on purpose: an operator who types `conectTimeoutSeconds` must hear about it, with the
 * line and the key they meant, rather than run with the default. Loading only records where
 * passwords come from; it reads no Secret and no environment, so a config loads the same
 * on any machine. docs/config.md documents every key and default, and a test loads
 * docs/config.example.yaml so the two cannot drift. */
#include "config/config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <jansson.h>

#include "file.h"
#include "strbuf.h"
#include "path.h"
#include "xmalloc.h"
#include "codec/yamlu.h"

#define PATHBUF 512
#define CONFIG_OPTFILE_MAX (1u << 20) /* a my.cnf is a few hundred bytes */

/* ------------------------------------------------------------------ names */

static const char *const mode_names[] = {
    [CONFIG_MYSQL_DISCOVER] = "discover",
    [CONFIG_MYSQL_DIRECT] = "direct",
    [CONFIG_MYSQL_PORT_FORWARD] = "port-forward",
    [CONFIG_MYSQL_AUTO] = "auto",
    NULL,
};
_Static_assert(sizeof mode_names / sizeof mode_names[0] == CONFIG_MYSQL_AUTO + 2,
               "mode_names matches enum config_mysql_mode");

static const char *const dialect_names[] = {
    [CONFIG_DIALECT_AUTO] = "auto",
    [CONFIG_DIALECT_MYSQL80] = "mysql80",
    [CONFIG_DIALECT_MYSQL57] = "mysql57",
    [CONFIG_DIALECT_MARIADB] = "mariadb",
    NULL,
};
_Static_assert(sizeof dialect_names / sizeof dialect_names[0] == CONFIG_DIALECT_MARIADB + 2,
               "dialect_names matches enum config_dialect");

const char *
config_mysql_mode_name(enum config_mysql_mode m)
{
    return (unsigned)m <= CONFIG_MYSQL_AUTO ? mode_names[m] : "?";
}

const char *
config_dialect_name(enum config_dialect d)
{
    return (unsigned)d <= CONFIG_DIALECT_MARIADB ? dialect_names[d] : "?";
}

/* ------------------------------------------------------------------- free */

static void
pw_from_fini(struct config_pw_from *p)
{
    free(p->secret_namespace);
    free(p->secret_name);
    free(p->secret_key);
    free(p->env);
    free(p->option_file);
    free(p->option_group);
    memset(p, 0, sizeof *p);
}

static void
cluster_fini(struct config_cluster *cl)
{
    free(cl->name);
    free(cl->context);
    for (size_t i = 0; i < cl->n_namespaces; i++)
        free(cl->namespaces[i]);
    free(cl->namespaces);
    free(cl->pxc_cluster);
    struct config_mysql *m = &cl->mysql;
    for (size_t i = 0; i < m->n_servers; i++) {
        free(m->servers[i].name);
        free(m->servers[i].host);
    }
    free(m->servers);
    free(m->user);
    pw_from_fini(&m->password_from);
    free(m->action_user);
    pw_from_fini(&m->action_password_from);
    free(m->heartbeat_table);
}

void
config_free(struct config *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->n_clusters; i++)
        cluster_fini(&c->clusters[i]);
    free(c->clusters);
    free(c->path);
    free(c->theme);
    free(c->kubeconfig);
    free(c);
}

const struct config_cluster *
config_cluster_find(const struct config *c, const char *name)
{
    for (size_t i = 0; i < c->n_clusters; i++)
        if (strcmp(c->clusters[i].name, name) == 0)
            return &c->clusters[i];
    return NULL;
}

/* --------------------------------------------------------------- defaults */

static void
mysql_defaults(struct config_mysql *m)
{
    m->mode = CONFIG_MYSQL_AUTO;
    m->pf_local_port = CONFIG_PF_LOCAL_PORT_DEFAULT;
    m->connect_timeout_s = CONFIG_CONNECT_TIMEOUT_S_DEFAULT;
    m->read_timeout_s = CONFIG_READ_TIMEOUT_S_DEFAULT;
    m->write_timeout_s = CONFIG_WRITE_TIMEOUT_S_DEFAULT;
    m->dialect = CONFIG_DIALECT_AUTO;
}

/* After parsing: users default, secret keys default to the user name. */
static void
mysql_finish(struct config_mysql *m)
{
    if (m->user == NULL)
        m->user = xstrdup(CONFIG_USER_DEFAULT);
    if (m->action_user == NULL)
        m->action_user = xstrdup(CONFIG_ACTION_USER_DEFAULT);
    if (m->password_from.kind == CONFIG_PW_SECRET && m->password_from.secret_key == NULL)
        m->password_from.secret_key = xstrdup(m->user);
    if (m->action_password_from.kind == CONFIG_PW_SECRET &&
        m->action_password_from.secret_key == NULL)
        m->action_password_from.secret_key = xstrdup(m->action_user);
}

static struct config *
config_alloc(void)
{
    struct config *c = xcalloc(1, sizeof *c);
    c->refresh_s = CONFIG_REFRESH_S_DEFAULT;
    c->lag_warn_s = CONFIG_LAG_WARN_S_DEFAULT;
    c->lag_crit_s = CONFIG_LAG_CRIT_S_DEFAULT;
    return c;
}

/* -------------------------------------------------------------- paths etc */

/* Owned absolute path: "~/x" from $HOME, relative from dir. */
static char *
expand_path(const char *dir, const char *p)
{
    if (p[0] == '~' && (p[1] == '/' || p[1] == '\0') && path_home() != NULL)
        return xasprintf("%s%s", path_home(), p + 1);
    if (p[0] == '/' || dir == NULL)
        return xstrdup(p);
    return xasprintf("%s/%s", dir, p);
}

int
config_default_path(char *buf, size_t n)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    int len;
    if (xdg != NULL && xdg[0] == '/')
        len = snprintf(buf, n, "%s/pxcmesh/config.yaml", xdg);
    else if (path_home() != NULL)
        len = snprintf(buf, n, "%s/.config/pxcmesh/config.yaml", path_home());
    else
        return pxerr_set(NULL, PXE_NOTFOUND, "no HOME");
    return len < 0 || (size_t)len >= n ? PXE_TOOSMALL : 0;
}

/* ----------------------------------------------------------------- parser */

struct parser {
    const struct yamlu_doc *d;
    const char *dir; /* absolute directory of the config file */
    struct pxerr *err;
};

static bool
valid_ident(const char *s)
{
    if (*s == '\0' || strlen(s) > 64)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '$')
            return false;
    return true;
}

static bool
valid_dns_name(const char *s) /* Kubernetes object names: DNS-1123 subdomain */
{
    size_t n = strlen(s);
    if (n == 0 || n > 253 || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
        return false;
    for (; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '-' || *s == '.'))
            return false;
    return true;
}

static bool
valid_secret_key(const char *s)
{
    if (*s == '\0' || strlen(s) > 253)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
            return false;
    return true;
}

static bool
valid_env_name(const char *s)
{
    if (!isalpha((unsigned char)*s) && *s != '_')
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_')
            return false;
    return true;
}

static int
get_str_dup(struct parser *P, json_t *obj, const char *path, const char *key, char **out)
{
    const char *s = NULL;
    int rc = yamlu_get_str(P->d, obj, path, key, &s, P->err);
    if (rc != 0 || s == NULL)
        return rc;
    if (s[0] == '\0') {
        char p[PATHBUF];
        yamlu_path_key(p, sizeof p, path, key);
        return yamlu_err(P->d, P->err, PXE_SCHEMA, p, "must not be empty");
    }
    free(*out);
    *out = xstrdup(s);
    return 0;
}

static int
get_int(struct parser *P, json_t *obj, const char *path, const char *key, long long min,
        long long max, int *out)
{
    long long v = *out;
    int rc = yamlu_get_int(P->d, obj, path, key, min, max, &v, P->err);
    if (rc == 0)
        *out = (int)v;
    return rc;
}

/* One of names (NULL-terminated) or an error with a did-you-mean. */
static int
get_enum(struct parser *P, json_t *obj, const char *path, const char *key, const char *const *names,
         int *out)
{
    const char *s = NULL;
    int rc = yamlu_get_str(P->d, obj, path, key, &s, P->err);
    if (rc != 0 || s == NULL)
        return rc;
    for (int i = 0; names[i]; i++) {
        if (strcmp(names[i], s) == 0) {
            *out = i;
            return 0;
        }
    }
    char p[PATHBUF];
    yamlu_path_key(p, sizeof p, path, key);
    struct strbuf sb;
    strbuf_init(&sb);
    for (int i = 0; names[i]; i++)
        strbuf_appendf(&sb, "%s%s", i ? ", " : "", names[i]);
    const char *sug = yamlu_suggest(s, names);
    if (sug != NULL)
        rc = yamlu_err(P->d, P->err, PXE_SCHEMA, p, "unknown value \"%s\" (did you mean '%s'?)", s,
                       sug);
    else
        rc = yamlu_err(P->d, P->err, PXE_SCHEMA, p, "unknown value \"%s\" (one of: %s)", s, sb.s);
    strbuf_fini(&sb);
    return rc;
}

static const char *const top_keys[] = {
    "readonly",       "theme",      "refreshSeconds", "lagWarnSeconds",
    "lagCritSeconds", "kubeconfig", "clusters",       NULL};
static const char *const cluster_keys[] = {"name",       "context", "namespaces",
                                           "pxcCluster", "mysql",   NULL};
static const char *const mysql_keys[] = {"mode",
                                         "servers",
                                         "portForward",
                                         "user",
                                         "passwordFrom",
                                         "actionUser",
                                         "actionPasswordFrom",
                                         "connectTimeoutSeconds",
                                         "readTimeoutSeconds",
                                         "writeTimeoutSeconds",
                                         "heartbeat",
                                         "dialect",
                                         NULL};
static const char *const server_keys[] = {"name", "host", "port", NULL};
static const char *const pf_keys[] = {"localPort", NULL};
static const char *const pw_keys[] = {"secret", "env", "optionFile", NULL};
static const char *const secret_keys[] = {"namespace", "name", "key", NULL};
static const char *const optfile_keys[] = {"path", "group", NULL};
static const char *const heartbeat_keys[] = {"table", NULL};

static int
parse_pw_from(struct parser *P, json_t *m, const char *mpath, const char *key,
              struct config_pw_from *pw)
{
    json_t *o = NULL;
    int rc = yamlu_get_obj(P->d, m, mpath, key, &o, P->err);
    if (rc != 0 || o == NULL)
        return rc;
    char p[PATHBUF], q[PATHBUF];
    yamlu_path_key(p, sizeof p, mpath, key);
    if ((rc = yamlu_check_keys(P->d, o, p, pw_keys, P->err)) != 0)
        return rc;
    pw->line = yamlu_line(P->d, p);
    if (json_object_size(o) != 1)
        return yamlu_err(P->d, P->err, PXE_SCHEMA, p,
                         "give exactly one of secret, env or optionFile (got %zu)",
                         json_object_size(o));
    json_t *v;
    if ((v = json_object_get(o, "secret")) != NULL) {
        yamlu_path_key(q, sizeof q, p, "secret");
        if (!json_is_object(v) && !json_is_null(v))
            return yamlu_err(P->d, P->err, PXE_SCHEMA, q,
                             "expected a mapping {namespace, name, "
                             "key}, got %s",
                             yamlu_type_name(v));
        pw->kind = CONFIG_PW_SECRET;
        if (json_is_object(v)) {
            if ((rc = yamlu_check_keys(P->d, v, q, secret_keys, P->err)) != 0 ||
                (rc = get_str_dup(P, v, q, "namespace", &pw->secret_namespace)) != 0 ||
                (rc = get_str_dup(P, v, q, "name", &pw->secret_name)) != 0 ||
                (rc = get_str_dup(P, v, q, "key", &pw->secret_key)) != 0)
                return rc;
            char r[PATHBUF];
            if (pw->secret_namespace && !valid_dns_name(pw->secret_namespace)) {
                yamlu_path_key(r, sizeof r, q, "namespace");
                return yamlu_err(P->d, P->err, PXE_SCHEMA, r,
                                 "\"%s\" is not a valid namespace name", pw->secret_namespace);
            }
            if (pw->secret_name && !valid_dns_name(pw->secret_name)) {
                yamlu_path_key(r, sizeof r, q, "name");
                return yamlu_err(P->d, P->err, PXE_SCHEMA, r, "\"%s\" is not a valid Secret name",
                                 pw->secret_name);
            }
            if (pw->secret_key && !valid_secret_key(pw->secret_key)) {
                yamlu_path_key(r, sizeof r, q, "key");
                return yamlu_err(P->d, P->err, PXE_SCHEMA, r, "\"%s\" is not a valid Secret key",
                                 pw->secret_key);
            }
        }
    } else if ((v = json_object_get(o, "env")) != NULL) {
        pw->kind = CONFIG_PW_ENV;
        if ((rc = get_str_dup(P, o, p, "env", &pw->env)) != 0)
            return rc;
        if (pw->env == NULL || !valid_env_name(pw->env)) {
            yamlu_path_key(q, sizeof q, p, "env");
            return yamlu_err(P->d, P->err, PXE_SCHEMA, q,
                             "expected an environment variable name like MYSQL_PWD");
        }
    } else {
        v = json_object_get(o, "optionFile");
        yamlu_path_key(q, sizeof q, p, "optionFile");
        pw->kind = CONFIG_PW_OPTION_FILE;
        char *path = NULL;
        if (json_is_string(v)) {
            if ((rc = get_str_dup(P, o, p, "optionFile", &path)) != 0)
                return rc;
        } else if (json_is_object(v)) {
            if ((rc = yamlu_check_keys(P->d, v, q, optfile_keys, P->err)) != 0 ||
                (rc = get_str_dup(P, v, q, "path", &path)) != 0 ||
                (rc = get_str_dup(P, v, q, "group", &pw->option_group)) != 0) {
                free(path);
                return rc;
            }
        } else {
            return yamlu_err(P->d, P->err, PXE_SCHEMA, q,
                             "expected a path or a mapping {path, group}, got %s",
                             yamlu_type_name(v));
        }
        if (path == NULL)
            return yamlu_err(P->d, P->err, PXE_SCHEMA, q, "path is required");
        pw->option_file = expand_path(P->dir, path);
        free(path);
        if (pw->option_group == NULL)
            pw->option_group = xstrdup("client");
    }
    return 0;
}

static int
parse_servers(struct parser *P, json_t *arr, const char *path, struct config_mysql *m)
{
    size_t n = json_array_size(arr);
    if (n == 0)
        return yamlu_err(P->d, P->err, PXE_SCHEMA, path, "empty list: give at least one server");
    m->servers = xcalloc(n, sizeof *m->servers);
    char p[PATHBUF], q[PATHBUF];
    for (size_t i = 0; i < n; i++) {
        json_t *s = json_array_get(arr, i);
        yamlu_path_idx(p, sizeof p, path, i);
        if (!json_is_object(s))
            return yamlu_err(P->d, P->err, PXE_SCHEMA, p,
                             "expected a mapping {name, host, port}, "
                             "got %s",
                             yamlu_type_name(s));
        struct config_server *sv = &m->servers[m->n_servers++];
        sv->port = CONFIG_MYSQL_PORT_DEFAULT;
        int rc;
        if ((rc = yamlu_check_keys(P->d, s, p, server_keys, P->err)) != 0 ||
            (rc = get_str_dup(P, s, p, "name", &sv->name)) != 0 ||
            (rc = get_str_dup(P, s, p, "host", &sv->host)) != 0 ||
            (rc = get_int(P, s, p, "port", 1, 65535, &sv->port)) != 0)
            return rc;
        if (sv->host == NULL)
            return yamlu_err(P->d, P->err, PXE_SCHEMA, p, "host is required");
        if (strpbrk(sv->host, " \t/") != NULL) {
            yamlu_path_key(q, sizeof q, p, "host");
            return yamlu_err(P->d, P->err, PXE_SCHEMA, q, "\"%s\" is not a host name or address",
                             sv->host);
        }
        if (sv->name == NULL)
            sv->name = xasprintf("%s:%d", sv->host, sv->port);
        for (size_t j = 0; j + 1 < m->n_servers; j++) {
            if (strcmp(m->servers[j].name, sv->name) == 0) {
                yamlu_path_key(q, sizeof q, p, "name");
                char first[PATHBUF];
                yamlu_path_idx(first, sizeof first, path, j);
                return yamlu_err(P->d, P->err, PXE_SCHEMA, q,
                                 "duplicate server name \"%s\" (first at line %d)", sv->name,
                                 yamlu_line(P->d, first));
            }
        }
    }
    return 0;
}

static int
parse_mysql(struct parser *P, json_t *m, const char *path, struct config_mysql *my)
{
    int rc;
    char p[PATHBUF];
    if ((rc = yamlu_check_keys(P->d, m, path, mysql_keys, P->err)) != 0)
        return rc;
    int mode = my->mode, dialect = my->dialect;
    if ((rc = get_enum(P, m, path, "mode", mode_names, &mode)) != 0 ||
        (rc = get_enum(P, m, path, "dialect", dialect_names, &dialect)) != 0)
        return rc;
    my->mode = (enum config_mysql_mode)mode;
    my->dialect = (enum config_dialect)dialect;

    json_t *servers = NULL, *pf = NULL, *hb = NULL;
    if ((rc = yamlu_get_arr(P->d, m, path, "servers", &servers, P->err)) != 0 ||
        (rc = yamlu_get_obj(P->d, m, path, "portForward", &pf, P->err)) != 0 ||
        (rc = yamlu_get_obj(P->d, m, path, "heartbeat", &hb, P->err)) != 0)
        return rc;
    if (my->mode == CONFIG_MYSQL_DIRECT) {
        yamlu_path_key(p, sizeof p, path, "servers");
        if (servers == NULL)
            return yamlu_err(P->d, P->err, PXE_SCHEMA, path,
                             "servers is required when mode is direct");
        if ((rc = parse_servers(P, servers, p, my)) != 0)
            return rc;
    } else if (servers != NULL) {
        yamlu_path_key(p, sizeof p, path, "servers");
        return yamlu_err(P->d, P->err, PXE_SCHEMA, p, "only used with mode direct (mode is %s)",
                         mode_names[my->mode]);
    }
    if (pf != NULL) {
        yamlu_path_key(p, sizeof p, path, "portForward");
        if (my->mode != CONFIG_MYSQL_PORT_FORWARD && my->mode != CONFIG_MYSQL_AUTO)
            return yamlu_err(P->d, P->err, PXE_SCHEMA, p,
                             "only used with mode port-forward or auto (mode is %s)",
                             mode_names[my->mode]);
        if ((rc = yamlu_check_keys(P->d, pf, p, pf_keys, P->err)) != 0 ||
            (rc = get_int(P, pf, p, "localPort", 1, 65535, &my->pf_local_port)) != 0)
            return rc;
    }
    if (hb != NULL) {
        yamlu_path_key(p, sizeof p, path, "heartbeat");
        if ((rc = yamlu_check_keys(P->d, hb, p, heartbeat_keys, P->err)) != 0 ||
            (rc = get_str_dup(P, hb, p, "table", &my->heartbeat_table)) != 0)
            return rc;
        if (my->heartbeat_table == NULL)
            my->heartbeat_table = xstrdup("percona.heartbeat");
        char *dot = strchr(my->heartbeat_table, '.');
        bool ok = dot != NULL;
        if (ok) {
            *dot = '\0';
            ok = valid_ident(my->heartbeat_table) && valid_ident(dot + 1);
            *dot = '.';
        }
        if (!ok) {
            char q[PATHBUF];
            yamlu_path_key(q, sizeof q, p, "table");
            return yamlu_err(P->d, P->err, PXE_SCHEMA, q,
                             "\"%s\" is not a database.table name (letters, digits, _ and $)",
                             my->heartbeat_table);
        }
    }
    if ((rc = get_str_dup(P, m, path, "user", &my->user)) != 0 ||
        (rc = get_str_dup(P, m, path, "actionUser", &my->action_user)) != 0 ||
        (rc = parse_pw_from(P, m, path, "passwordFrom", &my->password_from)) != 0 ||
        (rc = parse_pw_from(P, m, path, "actionPasswordFrom", &my->action_password_from)) != 0 ||
        (rc = get_int(P, m, path, "connectTimeoutSeconds", 1, 600, &my->connect_timeout_s)) != 0 ||
        (rc = get_int(P, m, path, "readTimeoutSeconds", 1, 3600, &my->read_timeout_s)) != 0 ||
        (rc = get_int(P, m, path, "writeTimeoutSeconds", 1, 3600, &my->write_timeout_s)) != 0)
        return rc;
    return 0;
}

static int
parse_cluster(struct parser *P, json_t *o, const char *path, struct config_cluster *cl)
{
    int rc;
    char p[PATHBUF], q[PATHBUF];
    cl->line = yamlu_line(P->d, path);
    mysql_defaults(&cl->mysql);
    if (!json_is_object(o))
        return yamlu_err(P->d, P->err, PXE_SCHEMA, path,
                         "expected a mapping {name, context, ...}, "
                         "got %s",
                         yamlu_type_name(o));
    if ((rc = yamlu_check_keys(P->d, o, path, cluster_keys, P->err)) != 0 ||
        (rc = get_str_dup(P, o, path, "name", &cl->name)) != 0 ||
        (rc = get_str_dup(P, o, path, "context", &cl->context)) != 0 ||
        (rc = get_str_dup(P, o, path, "pxcCluster", &cl->pxc_cluster)) != 0)
        return rc;
    if (cl->name == NULL)
        return yamlu_err(P->d, P->err, PXE_SCHEMA, path, "name is required");
    if (cl->context == NULL)
        cl->context = xstrdup(cl->name);
    if (cl->pxc_cluster != NULL && !valid_dns_name(cl->pxc_cluster)) {
        yamlu_path_key(p, sizeof p, path, "pxcCluster");
        return yamlu_err(P->d, P->err, PXE_SCHEMA, p,
                         "\"%s\" is not a valid PerconaXtraDBCluster name", cl->pxc_cluster);
    }
    json_t *ns = NULL;
    if ((rc = yamlu_get_arr(P->d, o, path, "namespaces", &ns, P->err)) != 0)
        return rc;
    if (ns != NULL && json_array_size(ns) > 0) {
        yamlu_path_key(p, sizeof p, path, "namespaces");
        cl->namespaces = xcalloc(json_array_size(ns), sizeof *cl->namespaces);
        size_t i;
        json_t *v;
        json_array_foreach(ns, i, v)
        {
            yamlu_path_idx(q, sizeof q, p, i);
            if (!json_is_string(v))
                return yamlu_err(P->d, P->err, PXE_SCHEMA, q, "expected a namespace name, got %s",
                                 yamlu_type_name(v));
            if (!valid_dns_name(json_string_value(v)))
                return yamlu_err(P->d, P->err, PXE_SCHEMA, q,
                                 "\"%s\" is not a valid namespace name", json_string_value(v));
            cl->namespaces[cl->n_namespaces++] = xstrdup(json_string_value(v));
        }
    }
    json_t *m = NULL;
    if ((rc = yamlu_get_obj(P->d, o, path, "mysql", &m, P->err)) != 0)
        return rc;
    if (m != NULL) {
        yamlu_path_key(p, sizeof p, path, "mysql");
        if ((rc = parse_mysql(P, m, p, &cl->mysql)) != 0)
            return rc;
    }
    mysql_finish(&cl->mysql);
    return 0;
}

static int
parse_config(struct parser *P, struct config *c)
{
    json_t *root = P->d->root;
    int rc;
    if (root == NULL)
        return yamlu_err(P->d, P->err, PXE_SCHEMA, "",
                         "the file is empty; it needs at least a clusters: list");
    if (!json_is_object(root))
        return yamlu_err(P->d, P->err, PXE_SCHEMA, "", "expected a mapping at the top, got %s",
                         yamlu_type_name(root));
    char *kubeconfig = NULL;
    if ((rc = yamlu_check_keys(P->d, root, "", top_keys, P->err)) != 0 ||
        (rc = yamlu_get_bool(P->d, root, "", "readonly", &c->readonly, P->err)) != 0 ||
        (rc = get_str_dup(P, root, "", "theme", &c->theme)) != 0 ||
        (rc = get_int(P, root, "", "refreshSeconds", 1, 3600, &c->refresh_s)) != 0 ||
        (rc = get_int(P, root, "", "lagWarnSeconds", 1, 86400 * 30, &c->lag_warn_s)) != 0 ||
        (rc = get_int(P, root, "", "lagCritSeconds", 1, 86400 * 30, &c->lag_crit_s)) != 0 ||
        (rc = get_str_dup(P, root, "", "kubeconfig", &kubeconfig)) != 0)
        return rc;
    if (kubeconfig != NULL) {
        c->kubeconfig = expand_path(P->dir, kubeconfig);
        free(kubeconfig);
    }
    if (c->lag_crit_s <= c->lag_warn_s)
        return yamlu_err(P->d, P->err, PXE_SCHEMA,
                         json_object_get(root, "lagCritSeconds") ? "lagCritSeconds"
                                                                 : "lagWarnSeconds",
                         "lagCritSeconds (%d) must be greater than lagWarnSeconds (%d)",
                         c->lag_crit_s, c->lag_warn_s);
    json_t *clusters = NULL;
    if ((rc = yamlu_get_arr(P->d, root, "", "clusters", &clusters, P->err)) != 0)
        return rc;
    if (clusters == NULL || json_array_size(clusters) == 0)
        return yamlu_err(P->d, P->err, PXE_SCHEMA, clusters ? "clusters" : "",
                         "%sclusters: give at least one cluster {name, context}",
                         clusters ? "empty " : "missing ");
    size_t n = json_array_size(clusters);
    c->clusters = xcalloc(n, sizeof *c->clusters);
    char p[PATHBUF];
    for (size_t i = 0; i < n; i++) {
        yamlu_path_idx(p, sizeof p, "clusters", i);
        struct config_cluster *cl = &c->clusters[c->n_clusters++];
        if ((rc = parse_cluster(P, json_array_get(clusters, i), p, cl)) != 0)
            return rc;
        for (size_t j = 0; j + 1 < c->n_clusters; j++) {
            if (strcmp(c->clusters[j].name, cl->name) == 0) {
                char q[PATHBUF];
                yamlu_path_key(q, sizeof q, p, "name");
                return yamlu_err(P->d, P->err, PXE_SCHEMA, q,
                                 "duplicate cluster name \"%s\" (first at line %d)", cl->name,
                                 c->clusters[j].line);
            }
        }
    }
    return 0;
}

int
config_load(const char *path, struct config **out, struct pxerr *err)
{
    struct yamlu_doc *d = NULL;
    int rc = yamlu_load_file(path, &d, err);
    if (rc != 0)
        return rc;
    char *dir = path_abs_dir(path);
    struct parser P = {.d = d, .dir = dir, .err = err};
    struct config *c = config_alloc();
    rc = parse_config(&P, c);
    if (rc == 0) {
        char *real = realpath(path, NULL);
        c->path = xstrdup(real ? real : path);
        free(real);
    }
    free(dir);
    yamlu_free(d);
    if (rc != 0) {
        config_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

int
config_from_contexts(const char *const *contexts, int n, const char *kubeconfig, bool readonly,
                     struct config **out, struct pxerr *err)
{
    if (n <= 0)
        return pxerr_set(err, PXE_USAGE, "no --context given and no config file");
    for (int i = 0; i < n; i++) {
        if (contexts[i] == NULL || contexts[i][0] == '\0')
            return pxerr_set(err, PXE_USAGE, "--context needs a context name");
        for (int j = 0; j < i; j++)
            if (strcmp(contexts[i], contexts[j]) == 0)
                return pxerr_set(err, PXE_USAGE, "--context \"%s\" given twice", contexts[i]);
    }
    struct config *c = config_alloc();
    c->readonly = readonly;
    c->kubeconfig = xstrdup_or_null(kubeconfig);
    c->clusters = xcalloc((size_t)n, sizeof *c->clusters);
    for (int i = 0; i < n; i++) {
        struct config_cluster *cl = &c->clusters[c->n_clusters++];
        cl->name = xstrdup(contexts[i]);
        cl->context = xstrdup(contexts[i]);
        mysql_defaults(&cl->mysql);
        mysql_finish(&cl->mysql);
    }
    *out = c;
    return 0;
}

void
config_keep(struct config *c, const bool *keep)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n_clusters; i++) {
        if (keep[i])
            c->clusters[n++] = c->clusters[i];
        else
            cluster_fini(&c->clusters[i]);
    }
    c->n_clusters = n;
}

/* ------------------------------------------------------------ option file */

struct optfile {
    const char *group;
    char *user, *password, *host;
    int port;
    bool found_group;
    int depth;
};

static char *
trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* Unquote/unescape a value in place as the mysql client does. -1 on an unterminated quote. */
static int
opt_value(char *v)
{
    char *r = v, *w = v;
    char q = 0;
    if (*r == '\'' || *r == '"')
        q = *r++;
    for (; *r; r++) {
        if (q != 0 && *r == q) {
            r++;
            while (isspace((unsigned char)*r))
                r++;
            if (*r != '\0' && *r != '#' && *r != ';')
                return -1; /* text after the closing quote */
            *w = '\0';
            return 0;
        }
        if (q == 0 && *r == '#')
            break; /* a comment starts in the middle of an unquoted value */
        if (*r == '\\' && r[1] != '\0') {
            r++;
            switch (*r) {
            case 'n':
                *w++ = '\n';
                break;
            case 't':
                *w++ = '\t';
                break;
            case 'r':
                *w++ = '\r';
                break;
            case 'b':
                *w++ = '\b';
                break;
            case 's':
                *w++ = ' ';
                break;
            case '\\':
                *w++ = '\\';
                break;
            case '"':
                *w++ = '"';
                break;
            case '\'':
                *w++ = '\'';
                break;
            default:
                *w++ = '\\';
                *w++ = *r;
                break;
            }
            continue;
        }
        *w++ = *r;
    }
    if (q != 0)
        return -1;
    *w = '\0';
    /* An unquoted value lost its comment: drop the spaces before it. */
    while (w > v && isspace((unsigned char)w[-1]))
        *--w = '\0';
    return 0;
}

static int read_optfile(struct optfile *o, const char *path, struct pxerr *err);

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
include_dir(struct optfile *o, const char *dir, struct pxerr *err)
{
    DIR *dp = opendir(dir);
    if (dp == NULL)
        return pxerr_set(err, PXE_IO, "%s: %s", dir, strerror(errno));
    char **names = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(dp)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len > 4 && strcmp(de->d_name + len - 4, ".cnf") == 0) {
            names = xreallocarray(names, n + 1, sizeof *names);
            names[n++] = xasprintf("%s/%s", dir, de->d_name);
        }
    }
    closedir(dp);
    if (n > 0)
        qsort(names, n, sizeof *names, cmp_str);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (rc == 0)
            rc = read_optfile(o, names[i], err);
        free(names[i]);
    }
    free(names);
    return rc;
}

static int
read_optfile(struct optfile *o, const char *path, struct pxerr *err)
{
    if (o->depth > 10)
        return pxerr_set(err, PXE_PARSE, "%s: !include nested more than 10 deep", path);
    /* It holds passwords: read whole, zeroed when done. */
    char *text = NULL;
    size_t text_len = 0;
    int rc = file_read_secret(path, CONFIG_OPTFILE_MAX, &text, &text_len, err);
    if (rc != 0)
        return rc;
    if (memchr(text, '\0', text_len) != NULL) {
        file_free_secret(text, text_len);
        return pxerr_set(err, PXE_PARSE, "%s: a NUL byte: not a text option file", path);
    }
    char *dir = path_abs_dir(path);
    int lineno = 0;
    bool active = false;
    for (char *line = text, *next; rc == 0 && line < text + text_len; line = next) {
        char *nl = strchr(line, '\n');
        next = nl != NULL ? nl + 1 : text + text_len;
        if (nl != NULL)
            *nl = '\0';
        lineno++;
        char *s = trim(line);
        if (*s == '\0' || *s == '#' || *s == ';')
            continue;
        if (*s == '[') {
            char *end = strchr(s, ']');
            if (end == NULL) {
                rc = pxerr_set(err, PXE_PARSE, "%s:%d: group header without ']'", path, lineno);
                break;
            }
            *end = '\0';
            char *g = trim(s + 1);
            active = strcasecmp(g, "client") == 0 || strcasecmp(g, o->group) == 0;
            if (active)
                o->found_group = true;
            continue;
        }
        if (strncmp(s, "!include", 8) == 0 && isspace((unsigned char)s[strlen("!include")])) {
            char *inc = expand_path(dir, trim(s + 8));
            o->depth++;
            rc = read_optfile(o, inc, err);
            o->depth--;
            free(inc);
            continue;
        }
        if (strncmp(s, "!includedir", 11) == 0 && isspace((unsigned char)s[11])) {
            char *inc = expand_path(dir, trim(s + 11));
            o->depth++;
            rc = include_dir(o, inc, err);
            o->depth--;
            free(inc);
            continue;
        }
        if (*s == '!') {
            /* The directive word only: the rest of a line may be anything. */
            int wl = (int)strcspn(s, " \t");
            rc = pxerr_set(err, PXE_PARSE,
                           "%s:%d: unknown directive '%.*s' (use !include or !includedir)", path,
                           lineno, wl > 32 ? 32 : wl, s);
            break;
        }
        char *eq = strchr(s, '=');
        char *key = s, *val = NULL;
        if (eq != NULL) {
            *eq = '\0';
            val = trim(eq + 1);
        }
        key = trim(key);
        for (char *k = key; *k; k++)
            if (*k == '-')
                *k = '_';
        if (!active)
            continue;
        if (val != NULL && opt_value(val) != 0) {
            rc = pxerr_set(err, PXE_PARSE, "%s:%d: %s: unterminated quote or text after it", path,
                           lineno, key);
            break;
        }
        if (strcmp(key, "password") == 0) {
            if (val == NULL) {
                rc = pxerr_set(err, PXE_PARSE,
                               "%s:%d: password without a value (the mysql client would prompt; "
                               "pxcmesh cannot): write password=...",
                               path, lineno);
                break;
            }
            xfree_secret(o->password);
            o->password = xstrdup(val);
        } else if (strcmp(key, "user") == 0 && val != NULL) {
            free(o->user);
            o->user = xstrdup(val);
        } else if (strcmp(key, "host") == 0 && val != NULL) {
            free(o->host);
            o->host = xstrdup(val);
        } else if (strcmp(key, "port") == 0 && val != NULL) {
            char *end;
            errno = 0;
            long p = strtol(val, &end, 10);
            if (errno != 0 || *end != '\0' || p < 1 || p > 65535) {
                rc = pxerr_set(err, PXE_PARSE, "%s:%d: port \"%.32s\" is not a port (1-65535)",
                               path, lineno, val);
                break;
            }
            o->port = (int)p;
        }
    }
    file_free_secret(text, text_len);
    free(dir);
    return rc;
}

int
config_read_option_file(const char *path, const char *group, char **user_out, char **password_out,
                        char **host_out, int *port_out, struct pxerr *err)
{
    struct optfile o = {.group = group ? group : "client"};
    char *full = expand_path(NULL, path);
    int rc = read_optfile(&o, full, err);
    if (rc == 0 && !o.found_group)
        rc = pxerr_set(err, PXE_NOTFOUND, "no [%s] or [client] group in %s", o.group, full);
    free(full);
    if (rc != 0) {
        free(o.user);
        xfree_secret(o.password);
        free(o.host);
        return rc;
    }
    if (user_out)
        *user_out = o.user;
    else
        free(o.user);
    if (password_out)
        *password_out = o.password;
    else
        xfree_secret(o.password);
    if (host_out)
        *host_out = o.host;
    else
        free(o.host);
    if (port_out)
        *port_out = o.port;
    return 0;
}
