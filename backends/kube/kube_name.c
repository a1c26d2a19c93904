/* kube_name: what may go into a request path. Object names and namespaces are checked
 * before a path is built (the API server's own rules: DNS-1123 subdomain for the names of
 * the kinds pxcmesh knows, DNS-1123 label for namespaces, the path-segment rule for any
 * other kind), and every segment is percent-encoded as it is appended. Either alone would
 * do for a well-behaved server; both together mean that no name typed by a user or read from
 * a manifest can address another object ("../secrets/x"), whatever the server or a proxy
 * does with dot segments or escapes. curl is told to send the path as is (http.c). */
#include <stdio.h>
#include <string.h>

#include "kube/kube_internal.h"

#define NAME_MAX_LEN 253 /* DNS-1123 subdomain */
#define NS_MAX_LEN 63    /* DNS-1123 label */

/* s quoted for a message: printable ASCII as is, anything else as \xNN, cut at 80 bytes, so
 * that a hostile name can neither break the line nor drive the terminal. */
static const char *
quoted(const char *s, char *buf, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; s[i] && k + 5 < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (i == 80) {
            k += (size_t)snprintf(buf + k, n - k, "...");
            break;
        }
        if (c >= 0x20 && c < 0x7f && c != '\\')
            buf[k++] = (char)c;
        else
            k += (size_t)snprintf(buf + k, n - k, "\\x%02x", c);
    }
    buf[k < n ? k : n - 1] = '\0';
    return buf;
}

static bool
lower_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* DNS-1123: labels of [a-z0-9-], each starting and ending with [a-z0-9], joined by '.' when
 * dots are allowed. Returns 0 or fills err. */
static int
check_dns1123(const char *what, const char *s, size_t max, bool dots, struct pxerr *err)
{
    char q[128];
    const char *rule = dots ? "lower-case letters, digits, '-' and '.', each part between dots "
                              "starting and ending with a letter or digit"
                            : "lower-case letters, digits and '-', starting and ending with a "
                              "letter or digit";
    if (s == NULL || s[0] == '\0')
        return pxerr_set(err, PXE_INVAL, "%s is empty", what);
    size_t len = strlen(s);
    if (len > max)
        return pxerr_set(err, PXE_INVAL, "invalid %s \"%s\": longer than %zu characters", what,
                         quoted(s, q, sizeof q), max);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        bool start = i == 0 || s[i - 1] == '.';
        bool end = i + 1 == len || s[i + 1] == '.';
        if (lower_alnum(c) || (c == '-' && !start && !end) || (c == '.' && dots && !start && !end))
            continue;
        char at[16];
        if (c >= 0x20 && c < 0x7f)
            snprintf(at, sizeof at, "'%c'", c);
        else
            snprintf(at, sizeof at, "byte 0x%02x", c);
        return pxerr_set(err, PXE_INVAL,
                         "invalid %s \"%s\": %s at position %zu; a %s is %s "
                         "(DNS-1123)",
                         what, quoted(s, q, sizeof q), at, i + 1, what, rule);
    }
    return 0;
}

int
kube_name_check(const char *name, struct pxerr *err)
{
    return check_dns1123("name", name, NAME_MAX_LEN, true, err);
}

int
kube_name_check_ns(const char *ns, struct pxerr *err)
{
    return check_dns1123("namespace", ns, NS_MAX_LEN, false, err);
}

int
kube__name_check_segment(const char *name, struct pxerr *err)
{
    char q[128];
    if (name == NULL || name[0] == '\0')
        return pxerr_set(err, PXE_INVAL, "name is empty");
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strpbrk(name, "/%") != NULL)
        return pxerr_set(err, PXE_INVAL,
                         "invalid name \"%s\": a name cannot be '.' or '..' nor "
                         "contain '/' or '%%'",
                         quoted(name, q, sizeof q));
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return pxerr_set(err, PXE_INVAL, "invalid name \"%s\": control character",
                             quoted(name, q, sizeof q));
    return 0;
}

void
kube__name_append(struct strbuf *out, const char *seg)
{
    /* Unreserved characters stay; a segment of dots alone would still be a dot segment to
     * whatever normalises paths, so its dots are encoded too. */
    bool dots_only = strspn(seg, ".") == strlen(seg);
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)seg; *p; p++) {
        unsigned char c = *p;
        bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '~' || (c == '.' && !dots_only);
        if (keep) {
            strbuf_appendc(out, (char)c);
        } else {
            strbuf_appendc(out, '%');
            strbuf_appendc(out, hex[c >> 4]);
            strbuf_appendc(out, hex[c & 15]);
        }
    }
}
