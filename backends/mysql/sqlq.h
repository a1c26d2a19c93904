/* sqlq: the only place SQL text is assembled from outside input. Identifiers, strings,
 * channel names and hosts are validated and quoted here, so no channel name, host, user or
 * password can inject SQL; the builders render START / STOP / CHANGE SOURCE / RESET for each
 * server dialect, plus a masked rendering (password replaced) to show before running.
 *
 * Also the server detection (flavor, version, dialect) from SELECT VERSION(),
 * @@version_comment. Pure: any thread, no I/O. */
#ifndef PXC_BACKENDS_MYSQL_SQLQ_H
#define PXC_BACKENDS_MYSQL_SQLQ_H

#include <stdbool.h>

#include "pxerr.h"
#include "strbuf.h"

#define SQLQ_NAME_MAX 64 /* channel / connection names (MySQL and MariaDB limit) */
#define SQLQ_HOST_MAX 255
#define SQLQ_MASK "'********'"

enum sqlq_flavor { SQLQ_FLAVOR_MYSQL, SQLQ_FLAVOR_PERCONA, SQLQ_FLAVOR_MARIADB };

enum sqlq_dialect {
    SQLQ_MARIADB,     /* MariaDB 10.5.1+: SHOW ALL REPLICAS STATUS, START REPLICA 'name' */
    SQLQ_MARIADB_OLD, /* MariaDB before 10.5.1: SLAVE words, SHOW ALL SLAVES STATUS */
    SQLQ_MYSQL,       /* MySQL/Percona 8.0.22+: REPLICA/SOURCE words, FOR CHANNEL */
    SQLQ_MYSQL_OLD,   /* MySQL/Percona before 8.0.22: SLAVE/MASTER words, FOR CHANNEL */
};

struct sqlq_server {
    enum sqlq_flavor flavor;
    int version; /* major*10000 + minor*100 + patch: 80022, 101119 */
    enum sqlq_dialect dialect;
    char version_text[96]; /* VERSION() as the server said it */
};

/* Detect from VERSION() and @@version_comment (borrowed; comment may be NULL). Errors
 * (PXE_PARSE): "server version '...' has no major.minor.patch". Fills *out on success. */
int sqlq_detect(const char *version, const char *comment, struct sqlq_server *out,
                struct pxerr *err) PXC_MUST_CHECK;
const char *sqlq_flavor_name(enum sqlq_flavor f);   /* "MySQL", "Percona", "MariaDB" */
const char *sqlq_dialect_name(enum sqlq_dialect d); /* "mariadb", "mariadb-old", "mysql", ... */
/* The replica status statement of the dialect: "SHOW ALL REPLICAS STATUS", ... Static. */
const char *sqlq_replica_status_sql(enum sqlq_dialect d);

/* Validation: 0, or PXE_INVAL with the bad value quoted and the rule, e.g.
 *   channel name 'a'b': only letters, digits, '_', '-' and '.' are allowed (at most 64)
 * A channel name may be "" (the default channel). */
int sqlq_check_channel(const char *name, struct pxerr *err) PXC_MUST_CHECK;
/* Host: a DNS name (letters, digits, '-', '.', '_'), IPv4 or IPv6 literal; 1..255 chars. */
int sqlq_check_host(const char *host, struct pxerr *err) PXC_MUST_CHECK;
/* User: 1..80 characters, printable, no quotes, backslash or backtick. */
int sqlq_check_user(const char *user, struct pxerr *err) PXC_MUST_CHECK;
/* "db.table" of plain identifiers (letters, digits, '_', '$'), each at most 64. */
int sqlq_check_table(const char *db_table, struct pxerr *err) PXC_MUST_CHECK;

/* Append s as a single-quoted SQL string literal: quotes doubled, backslashes doubled,
 * control characters escaped. Safe with and without NO_BACKSLASH_ESCAPES. s must not
 * contain NUL (it cannot: it is a C string). */
void sqlq_quote_string(struct strbuf *sb, const char *s);
/* Append s as a backtick-quoted identifier (backticks doubled). */
void sqlq_quote_ident(struct strbuf *sb, const char *s);
/* Append "db.table" as `db`.`table` after sqlq_check_table. */
int sqlq_quote_table(struct strbuf *sb, const char *db_table, struct pxerr *err) PXC_MUST_CHECK;

enum sqlq_verb { SQLQ_START, SQLQ_STOP, SQLQ_RESET, SQLQ_RESET_ALL, SQLQ_CHANGE_SOURCE };
enum sqlq_threads { SQLQ_BOTH, SQLQ_IO, SQLQ_SQL };

/* CHANGE SOURCE settings; unset fields keep the channel's current value. Borrowed strings. */
struct sqlq_source {
    const char *host;     /* NULL: unchanged */
    int port;             /* 0: unchanged */
    const char *user;     /* NULL: unchanged */
    const char *password; /* secret; NULL: unchanged */
    int auto_position;    /* -1 unchanged, 0 off, 1 on (MariaDB: MASTER_USE_GTID=slave_pos) */
    int ssl;              /* -1 unchanged, 0, 1 */
    int connect_retry_s;  /* -1 unchanged */
    int retry_count;      /* -1 unchanged (MySQL only: SOURCE_RETRY_COUNT) */
};
#define SQLQ_SOURCE_UNCHANGED                                                                      \
    {                                                                                              \
        NULL, 0, NULL, NULL, -1, -1, -1, -1                                                        \
    }

struct sqlq_action {
    enum sqlq_verb verb;
    const char *channel;           /* borrowed; "" default channel */
    enum sqlq_threads threads;     /* START/STOP only */
    const struct sqlq_source *src; /* CHANGE_SOURCE only */
};

/* Render a for dialect d: the statement into sql (appended) and, when masked is not NULL,
 * the same with the password replaced by '********' (for display and logs). On failure
 * nothing is appended and err says which value is bad and why, or that the dialect cannot
 * do it (PXE_UNSUPPORTED: "MariaDB has no per-channel retry count"). sql may then hold a
 * password: explicit_bzero(sql->s, sql->len) before strbuf_fini. */
int sqlq_build(enum sqlq_dialect d, const struct sqlq_action *a, struct strbuf *sql,
               struct strbuf *masked, struct pxerr *err) PXC_MUST_CHECK;
const char *sqlq_verb_name(enum sqlq_verb v); /* "start", "stop", ... */

#endif
