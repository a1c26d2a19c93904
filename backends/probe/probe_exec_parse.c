/* probe_exec_parse: what the commands probe_exec runs print, read into a probe result.
 * `getent hosts` prints one "ADDRESS NAME..." line per address and exits 2 when the name
 * does not resolve (it cannot tell NXDOMAIN from no answer); nslookup's output, where getent
 * is missing, goes to probe_pod's parser. bash's /dev/tcp says "connect: Connection
 * refused" and the like. The mysql client (MySQL's or MariaDB's) prints
 * "ERROR 2003 (HY000): Can't connect to MySQL server on 'h:3306' (111)". */
#include "probe/probe_exec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "probe/probe_pod.h"

static void
set(struct probe_result *r, enum probe_status st, const char *kind, const char *summary)
{
    r->status = st;
    snprintf(r->error_kind, sizeof r->error_kind, "%s", kind);
    snprintf(r->summary, sizeof r->summary, "%s", summary);
}

static bool
tool_missing(const char *out, int exit_code)
{
    return exit_code == 127 && strstr(out, "not found") != NULL;
}

void
probe_exec_parse_dns(const char *out, int exit_code, struct probe_result *r)
{
    r->n_addrs = 0;
    if (strstr(out, "Server:") != NULL || strstr(out, "NXDOMAIN") != NULL ||
        strstr(out, ";; ") != NULL) {
        probe_pod_parse_nslookup(out, r); /* the container has no getent */
        return;
    }
    snprintf(r->detail, sizeof r->detail, "%s", out);
    if (tool_missing(out, exit_code)) {
        snprintf(r->summary, sizeof r->summary,
                 "the container has neither getent nor nslookup to resolve with");
        r->status = PROBE_FAIL;
        return;
    }
    snprintf(r->server, sizeof r->server, "the pod's resolv.conf");
    struct strbuf sb;
    strbuf_init(&sb);
    for (const char *l = out; *l;) {
        char ip[64];
        if (sscanf(l, "%63s", ip) == 1 && (strchr(ip, '.') != NULL || strchr(ip, ':') != NULL) &&
            strspn(ip, "0123456789abcdefABCDEF.:") == strlen(ip) && r->n_addrs < PROBE_MAX_ADDRS &&
            strlen(ip) < sizeof r->addrs[0]) {
            memcpy(r->addrs[r->n_addrs++], ip, strlen(ip) + 1); /* fits: checked above */
            strbuf_appendf(&sb, "%s%s", sb.len ? ", " : "", ip);
        }
        const char *nl = strchr(l, '\n');
        if (nl == NULL)
            break;
        l = nl + 1;
    }
    if (exit_code == 0 && r->n_addrs > 0) {
        snprintf(r->rcode, sizeof r->rcode, "NOERROR");
        snprintf(r->summary, sizeof r->summary, "resolves in the pod to %s", sb.s);
        r->status = PROBE_OK;
    } else if (exit_code == 2) {
        snprintf(r->rcode, sizeof r->rcode, "NXDOMAIN");
        snprintf(r->summary, sizeof r->summary,
                 "does not resolve in the pod (getent: no such name, or no A record)");
        r->status = PROBE_FAIL;
    } else {
        snprintf(r->summary, sizeof r->summary, "getent hosts gave no address (exit %d)",
                 exit_code);
        r->status = PROBE_FAIL;
    }
    strbuf_fini(&sb);
}

void
probe_exec_parse_tcp(const char *out, int exit_code, struct probe_result *r)
{
    snprintf(r->detail, sizeof r->detail, "%s", out);
    if (exit_code == 0 && strstr(out, "connected") != NULL)
        set(r, PROBE_OK, "", "open from inside the pod");
    else if (tool_missing(out, exit_code))
        set(r, PROBE_FAIL, "", "the container has no bash to connect with");
    else if (strstr(out, "refused") != NULL)
        set(r, PROBE_FAIL, "refused", "connection refused from inside the pod");
    else if (exit_code == 124 || strstr(out, "timed out") != NULL)
        set(r, PROBE_TIMEOUT, "timeout", "connect timed out from inside the pod");
    else if (strstr(out, "No route") != NULL || strstr(out, "unreachable") != NULL)
        set(r, PROBE_FAIL, "unreachable", "no route to the host from inside the pod");
    else if (strstr(out, "Name or service not known") != NULL ||
             strstr(out, "name resolution") != NULL || strstr(out, "No address") != NULL)
        set(r, PROBE_FAIL, "resolve", "the host does not resolve inside the pod");
    else if (strstr(out, "reset") != NULL)
        set(r, PROBE_FAIL, "reset", "the connection was reset from inside the pod");
    else
        set(r, PROBE_FAIL, "", "the connect gave no verdict");
}

/* The flavour from @@version_comment / VERSION(). */
static void
flavour(const char *version, const char *comment, struct probe_result *r)
{
    const char *f = "MySQL";
    if (strstr(comment, "Percona") != NULL || strstr(version, "Percona") != NULL)
        f = "Percona";
    else if (strstr(comment, "MariaDB") != NULL || strstr(version, "MariaDB") != NULL)
        f = "MariaDB";
    snprintf(r->flavour, sizeof r->flavour, "%s", f);
}

void
probe_exec_parse_mysql(const char *out, int exit_code, bool login, struct probe_result *r)
{
    snprintf(r->detail, sizeof r->detail, "%s", out);
    r->mysql_errno = 0;
    const char *e = strstr(out, "ERROR ");
    int no = 0;
    if (e != NULL)
        no = atoi(e + 6);
    if (exit_code == 0 && e == NULL) {
        char version[96] = "", comment[128] = "";
        const char *tab = strchr(out, '\t');
        if (tab != NULL) {
            snprintf(version, sizeof version, "%.*s", (int)(tab - out), out);
            snprintf(comment, sizeof comment, "%.*s", (int)strcspn(tab + 1, "\r\n"), tab + 1);
        } else {
            snprintf(version, sizeof version, "%.*s", (int)strcspn(out, "\r\n"), out);
        }
        snprintf(r->version, sizeof r->version, "%s", version);
        flavour(version, comment, r);
        snprintf(r->summary, sizeof r->summary, "%s %s from inside the pod", r->flavour,
                 login ? "logged in" : "answered");
        if (version[0] != '\0') {
            size_t n = strlen(r->summary);
            snprintf(r->summary + n, sizeof r->summary - n, " (%s)", version);
        }
        r->status = PROBE_OK;
        return;
    }
    if (tool_missing(out, exit_code)) {
        set(r, PROBE_FAIL, "", "the pxc container has no mysql client");
        return;
    }
    r->mysql_errno = no;
    /* The message after "ERROR N (STATE): ", for the summary. */
    char msg[120] = "";
    if (e != NULL) {
        const char *m = strstr(e, "): ");
        m = m != NULL ? m + 3 : e;
        snprintf(msg, sizeof msg, "%.*s", (int)strcspn(m, "\r\n"), m);
    }
    char s[160];
    switch (no) {
    case 1045:
    case 1698:
        if (!login) {
            /* The probe user does not exist: the server answered the handshake, which is all
             * that was asked. */
            set(r, PROBE_OK, "",
                "the server answered the handshake from inside the pod (no "
                "login tried: give --user to log in)");
            r->mysql_errno = 0;
            return;
        }
        snprintf(s, sizeof s, "login refused: %.130s", msg);
        set(r, PROBE_FAIL, "access", s);
        return;
    case 1130:
        snprintf(s, sizeof s, "the server refuses this pod's host: %.110s", msg);
        set(r, PROBE_FAIL, "host", s);
        return;
    case 2005:
        set(r, PROBE_FAIL, "resolve", "the host does not resolve inside the pod");
        return;
    case 2013:
        set(r, PROBE_FAIL, "reset",
            "the connection closed during the handshake: an mTLS or sidecar route problem?");
        return;
    case 2002:
    case 2003:
        if (strstr(msg, "(111)") != NULL) {
            set(r, PROBE_FAIL, "refused", "connection refused from inside the pod");
            return;
        }
        if (strstr(msg, "(115)") != NULL) {
            /* MariaDB's client connects without blocking and names only EINPROGRESS */
            set(r, PROBE_FAIL, "connect",
                "cannot connect from inside the pod (refused or no answer: the client says 115)");
            return;
        }
        if (strstr(msg, "(110)") != NULL || strstr(msg, "timed out") != NULL) {
            set(r, PROBE_TIMEOUT, "timeout", "connect timed out from inside the pod");
            return;
        }
        if (strstr(msg, "(113)") != NULL || strstr(msg, "(101)") != NULL) {
            set(r, PROBE_FAIL, "unreachable", "no route to the host from inside the pod");
            return;
        }
        if (strstr(msg, "(-2)") != NULL || strstr(msg, "(-3)") != NULL) {
            set(r, PROBE_FAIL, "resolve", "the host does not resolve inside the pod");
            return;
        }
        break;
    default:
        break;
    }
    if (no != 0)
        snprintf(s, sizeof s, "MySQL error %d: %.130s", no, msg);
    else
        snprintf(s, sizeof s, "the mysql client failed (exit %d) without an error line", exit_code);
    set(r, PROBE_FAIL, "", s);
}
