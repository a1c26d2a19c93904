/* sqlq: SQL text from outside input, built so that nothing can inject. Validation is an
 * allow-list (channel names and hosts have a small alphabet in every server that exists);
 * quoting is belt and braces on top of it. It also knows which words each dialect uses, so
 * the rest of the backend asks for "stop the IO thread of channel X" and never writes SQL.
 * It does not run anything: mysqlc does, on its worker threads. */
#include "mysql/sqlq.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

int
sqlq_detect(const char *version, const char *comment, struct sqlq_server *out, struct pxerr *err)
{
    int maj = 0, min = 0, pat = 0;
    if (version == NULL || sscanf(version, "%d.%d.%d", &maj, &min, &pat) != 3 || maj < 0 ||
        min < 0 || pat < 0 || min > 99 || pat > 99)
        return pxerr_set(err, PXE_PARSE,
                         "server version '%s' has no major.minor.patch: is this MySQL or MariaDB?",
                         version ? version : "(null)");
    struct sqlq_server s;
    memset(&s, 0, sizeof s);
    s.version = maj * 10000 + min * 100 + pat;
    snprintf(s.version_text, sizeof s.version_text, "%s", version);
    /* MariaDB says so in VERSION() ("10.11.6-MariaDB-log"); old ones lived on 5.5. */
    if (strstr(version, "MariaDB") != NULL || (comment && strstr(comment, "MariaDB") != NULL))
        s.flavor = SQLQ_FLAVOR_MARIADB;
    else if (comment && strstr(comment, "Percona") != NULL)
        s.flavor = SQLQ_FLAVOR_PERCONA;
    else
        s.flavor = SQLQ_FLAVOR_MYSQL;
    if (s.flavor == SQLQ_FLAVOR_MARIADB)
        s.dialect = s.version >= 100501 ? SQLQ_MARIADB : SQLQ_MARIADB_OLD;
    else
        s.dialect = s.version >= 80022 ? SQLQ_MYSQL : SQLQ_MYSQL_OLD;
    *out = s;
    return 0;
}

const char *
sqlq_flavor_name(enum sqlq_flavor f)
{
    switch (f) {
    case SQLQ_FLAVOR_MYSQL:
        return "MySQL";
    case SQLQ_FLAVOR_PERCONA:
        return "Percona";
    case SQLQ_FLAVOR_MARIADB:
        return "MariaDB";
    }
    return "?";
}

const char *
sqlq_dialect_name(enum sqlq_dialect d)
{
    switch (d) {
    case SQLQ_MARIADB:
        return "mariadb";
    case SQLQ_MARIADB_OLD:
        return "mariadb-old";
    case SQLQ_MYSQL:
        return "mysql";
    case SQLQ_MYSQL_OLD:
        return "mysql-old";
    }
    return "?";
}

const char *
sqlq_replica_status_sql(enum sqlq_dialect d)
{
    switch (d) {
    case SQLQ_MARIADB:
        return "SHOW ALL REPLICAS STATUS";
    case SQLQ_MARIADB_OLD:
        return "SHOW ALL SLAVES STATUS";
    case SQLQ_MYSQL:
        return "SHOW REPLICA STATUS";
    case SQLQ_MYSQL_OLD:
        return "SHOW SLAVE STATUS";
    }
    return "SHOW SLAVE STATUS";
}

const char *
sqlq_verb_name(enum sqlq_verb v)
{
    static const char *const names[] = {"start", "stop", "reset", "reset all", "change source"};
    return (unsigned)v < sizeof names / sizeof names[0] ? names[v] : "?";
}

/* Quote v for an error message without letting control bytes through. */
static void
show(char *buf, size_t n, const char *v)
{
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)v; *p && o + 5 < n; p++) {
        if (*p < 0x20 || *p == 0x7f)
            o += (size_t)snprintf(buf + o, n - o, "\\x%02x", *p);
        else
            buf[o++] = (char)*p;
    }
    if (o > 60 && n > 64) {
        memcpy(buf + 57, "...", 3);
        o = 60;
    }
    buf[o] = '\0';
}

int
sqlq_check_channel(const char *name, struct pxerr *err)
{
    char q[80];
    size_t n = strlen(name);
    bool ok = n <= SQLQ_NAME_MAX;
    for (size_t i = 0; ok && i < n; i++)
        ok = isalnum((unsigned char)name[i]) || name[i] == '_' || name[i] == '-' || name[i] == '.';
    if (ok)
        return 0;
    show(q, sizeof q, name);
    return pxerr_set(err, PXE_INVAL,
                     "channel name '%s': only letters, digits, '_', '-' and '.' are allowed "
                     "(at most %d)",
                     q, SQLQ_NAME_MAX);
}

int
sqlq_check_host(const char *host, struct pxerr *err)
{
    char q[80];
    size_t n = strlen(host);
    bool ok = n >= 1 && n <= SQLQ_HOST_MAX && host[0] != '-' && host[0] != '.';
    bool colon = strchr(host, ':') != NULL;
    for (size_t i = 0; ok && i < n; i++) {
        unsigned char c = (unsigned char)host[i];
        if (colon) /* IPv6 literal */
            ok = isxdigit(c) || c == ':' || c == '.';
        else
            ok = isalnum(c) || c == '-' || c == '.' || c == '_';
    }
    if (ok)
        return 0;
    show(q, sizeof q, host);
    return pxerr_set(err, PXE_INVAL,
                     "host '%s': want a DNS name (letters, digits, '-', '.'), an IPv4 or an IPv6 "
                     "address",
                     q);
}

int
sqlq_check_user(const char *user, struct pxerr *err)
{
    char q[80];
    size_t n = strlen(user);
    bool ok = n >= 1 && n <= 80;
    for (size_t i = 0; ok && i < n; i++) {
        unsigned char c = (unsigned char)user[i];
        ok = c >= 0x20 && c != 0x7f && c != '\'' && c != '"' && c != '\\' && c != '`';
    }
    if (ok)
        return 0;
    show(q, sizeof q, user);
    return pxerr_set(err, PXE_INVAL,
                     "user '%s': 1 to 80 printable characters without quotes, backslash or "
                     "backtick",
                     q);
}

static bool
plain_ident(const char *s, size_t n)
{
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '$')
            return false;
    return true;
}

int
sqlq_check_table(const char *db_table, struct pxerr *err)
{
    char q[80];
    const char *dot = strchr(db_table, '.');
    if (dot != NULL && plain_ident(db_table, (size_t)(dot - db_table)) &&
        plain_ident(dot + 1, strlen(dot + 1)))
        return 0;
    show(q, sizeof q, db_table);
    return pxerr_set(err, PXE_INVAL,
                     "table '%s': want db.table, each part letters, digits, '_' or '$' (at most "
                     "64)",
                     q);
}

void
sqlq_quote_string(struct strbuf *sb, const char *s)
{
    strbuf_appendc(sb, '\'');
    for (const char *p = s; *p; p++) {
        switch (*p) {
        case '\'':
            strbuf_append(sb, "''");
            break;
        case '\\':
            strbuf_append(sb, "\\\\");
            break;
        case '\n':
            strbuf_append(sb, "\\n");
            break;
        case '\r':
            strbuf_append(sb, "\\r");
            break;
        case '\032':
            strbuf_append(sb, "\\Z");
            break;
        default:
            strbuf_appendc(sb, *p);
        }
    }
    strbuf_appendc(sb, '\'');
}

void
sqlq_quote_ident(struct strbuf *sb, const char *s)
{
    strbuf_appendc(sb, '`');
    for (const char *p = s; *p; p++) {
        if (*p == '`')
            strbuf_appendc(sb, '`');
        strbuf_appendc(sb, *p);
    }
    strbuf_appendc(sb, '`');
}

int
sqlq_quote_table(struct strbuf *sb, const char *db_table, struct pxerr *err)
{
    int rc = sqlq_check_table(db_table, err);
    if (rc < 0)
        return rc;
    const char *dot = strchr(db_table, '.');
    char db[65];
    snprintf(db, sizeof db, "%.*s", (int)(dot - db_table), db_table);
    sqlq_quote_ident(sb, db);
    strbuf_appendc(sb, '.');
    sqlq_quote_ident(sb, dot + 1);
    return 0;
}

/* Both renderings grow together; the masked one gets SQLQ_MASK for secrets. */
struct two {
    struct strbuf *a, *m;
};

static void
both(struct two *t, const char *s)
{
    strbuf_append(t->a, s);
    if (t->m)
        strbuf_append(t->m, s);
}

static void
both_str(struct two *t, const char *s)
{
    sqlq_quote_string(t->a, s);
    if (t->m)
        sqlq_quote_string(t->m, s);
}

static void
both_int(struct two *t, int v)
{
    char b[16];
    snprintf(b, sizeof b, "%d", v);
    both(t, b);
}

static bool
is_mariadb(enum sqlq_dialect d)
{
    return d == SQLQ_MARIADB || d == SQLQ_MARIADB_OLD;
}

static int
build_change(enum sqlq_dialect d, const struct sqlq_action *a, struct two *t, struct pxerr *err)
{
    const struct sqlq_source *s = a->src;
    if (s == NULL)
        return pxerr_set(err, PXE_INVAL, "change source on channel '%s': no settings given",
                         a->channel);
    if (s->host && sqlq_check_host(s->host, err) < 0)
        return err ? err->code : PXE_INVAL;
    if (s->user && sqlq_check_user(s->user, err) < 0)
        return err ? err->code : PXE_INVAL;
    if (s->port != 0 && (s->port < 1 || s->port > 65535))
        return pxerr_set(err, PXE_INVAL, "port %d: want 1..65535", s->port);
    if (s->connect_retry_s < -1 || s->connect_retry_s > 31536000)
        return pxerr_set(err, PXE_INVAL, "connect retry %d s: want 0..31536000",
                         s->connect_retry_s);
    if (s->retry_count != -1 && is_mariadb(d))
        return pxerr_set(err, PXE_UNSUPPORTED,
                         "MariaDB has no per-channel retry count (it is the global "
                         "master_retry_count); leave it unset");
    if (s->retry_count < -1)
        return pxerr_set(err, PXE_INVAL, "retry count %d: want 0 or more", s->retry_count);
    /* The word prefix: MASTER_ for MariaDB and old MySQL, SOURCE_ for 8.0.22+. */
    const char *w = d == SQLQ_MYSQL ? "SOURCE_" : "MASTER_";
    if (d == SQLQ_MYSQL)
        both(t, "CHANGE REPLICATION SOURCE ");
    else
        both(t, "CHANGE MASTER ");
    if (is_mariadb(d) && a->channel[0] != '\0') {
        both_str(t, a->channel);
        both(t, " ");
    }
    both(t, "TO ");
    int n = 0;
#define SEP() both(t, n++ ? ", " : "")
    if (s->host) {
        SEP();
        both(t, w);
        both(t, "HOST=");
        both_str(t, s->host);
    }
    if (s->port) {
        SEP();
        both(t, w);
        both(t, "PORT=");
        both_int(t, s->port);
    }
    if (s->user) {
        SEP();
        both(t, w);
        both(t, "USER=");
        both_str(t, s->user);
    }
    if (s->password) {
        SEP();
        both(t, w);
        both(t, "PASSWORD=");
        sqlq_quote_string(t->a, s->password);
        if (t->m)
            strbuf_append(t->m, SQLQ_MASK);
    }
    if (s->auto_position >= 0) {
        SEP();
        if (is_mariadb(d)) {
            both(t, "MASTER_USE_GTID=");
            both(t, s->auto_position ? "slave_pos" : "no");
        } else {
            both(t, w);
            both(t, "AUTO_POSITION=");
            both_int(t, s->auto_position ? 1 : 0);
        }
    }
    if (s->ssl >= 0) {
        SEP();
        both(t, w);
        both(t, "SSL=");
        both_int(t, s->ssl ? 1 : 0);
    }
    if (s->connect_retry_s >= 0) {
        SEP();
        both(t, w);
        both(t, "CONNECT_RETRY=");
        both_int(t, s->connect_retry_s);
    }
    if (s->retry_count >= 0) {
        SEP();
        both(t, w);
        both(t, "RETRY_COUNT=");
        both_int(t, s->retry_count);
    }
#undef SEP
    if (n == 0)
        return pxerr_set(err, PXE_INVAL, "change source on channel '%s': no settings given",
                         a->channel);
    return 0;
}

int
sqlq_build(enum sqlq_dialect d, const struct sqlq_action *a, struct strbuf *sql,
           struct strbuf *masked, struct pxerr *err)
{
    int rc = sqlq_check_channel(a->channel, err);
    if (rc < 0)
        return rc;
    struct strbuf out, mout;
    strbuf_init(&out);
    strbuf_init(&mout);
    struct two t = {&out, masked ? &mout : NULL};
    const char *rep = (d == SQLQ_MYSQL || d == SQLQ_MARIADB) ? "REPLICA" : "SLAVE";
    switch (a->verb) {
    case SQLQ_START:
    case SQLQ_STOP:
        both(&t, a->verb == SQLQ_START ? "START " : "STOP ");
        both(&t, rep);
        if (is_mariadb(d) && a->channel[0] != '\0') {
            both(&t, " ");
            both_str(&t, a->channel);
        }
        if (a->threads == SQLQ_IO)
            both(&t, " IO_THREAD");
        else if (a->threads == SQLQ_SQL)
            both(&t, " SQL_THREAD");
        break;
    case SQLQ_RESET:
    case SQLQ_RESET_ALL:
        both(&t, "RESET ");
        both(&t, rep);
        if (is_mariadb(d) && a->channel[0] != '\0') {
            both(&t, " ");
            both_str(&t, a->channel);
        }
        if (a->verb == SQLQ_RESET_ALL)
            both(&t, " ALL");
        break;
    case SQLQ_CHANGE_SOURCE:
        rc = build_change(d, a, &t, err);
        break;
    default:
        rc = pxerr_set(err, PXE_INVAL, "unknown channel action %d", (int)a->verb);
    }
    if (rc == 0 && !is_mariadb(d)) {
        both(&t, " FOR CHANNEL ");
        both_str(&t, a->channel);
    }
    if (rc == 0) {
        strbuf_append(sql, out.s);
        if (masked)
            strbuf_append(masked, mout.s);
    }
    /* The statement may hold a password: zero it before the memory goes back. */
    if (out.cap > 0)
        explicit_bzero(out.s, out.cap);
    strbuf_fini(&out);
    strbuf_fini(&mout);
    return rc;
}
