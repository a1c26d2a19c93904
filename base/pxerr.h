/* pxerr: error codes and the caller-owned error buffer every fallible call fills.
 * Nothing is allocated on the error path (redis anet.c's err buffer idea). */
#ifndef PXC_BASE_PXERR_H
#define PXC_BASE_PXERR_H

#include <stdarg.h>

#if defined(__GNUC__)
#define PXC_MUST_CHECK __attribute__((warn_unused_result))
#define PXC_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define PXC_NORETURN __attribute__((noreturn))
#else
#define PXC_MUST_CHECK
#define PXC_PRINTF(f, a)
#define PXC_NORETURN
#endif

/* XX(NAME, "default text"); codes are negative, 0 is success. */
#define PXE_MAP(XX)                                                                                \
    XX(INVAL, "invalid argument")                                                                  \
    XX(PARSE, "parse error")                                                                       \
    XX(IO, "input/output error")                                                                   \
    XX(NOTFOUND, "not found")                                                                      \
    XX(EXISTS, "already exists")                                                                   \
    XX(TIMEOUT, "timed out")                                                                       \
    XX(CONN, "connection failed")                                                                  \
    XX(TLS, "TLS error")                                                                           \
    XX(AUTH, "authentication failed")                                                              \
    XX(FORBIDDEN, "forbidden")                                                                     \
    XX(HTTP, "HTTP error")                                                                         \
    XX(GONE, "resource version too old")                                                           \
    XX(THROTTLED, "throttled")                                                                     \
    XX(MYSQL, "MySQL error")                                                                       \
    XX(DNS, "name resolution failed")                                                              \
    XX(USAGE, "usage error")                                                                       \
    XX(READONLY, "read-only mode")                                                                 \
    XX(CANCELLED, "cancelled")                                                                     \
    XX(UNSUPPORTED, "not supported")                                                               \
    XX(SCHEMA, "schema validation failed")                                                         \
    XX(TOOSMALL, "too small")                                                                      \
    XX(INTERNAL, "internal error")                                                                 \
    XX(TOOBIG, "too large")

enum pxe_code {
    PXE_OK = 0,
#define XX(name, text) PXE_##name,
    PXE__FIRST = -1000,
    PXE_MAP(XX)
#undef XX
    PXE__LAST
};

struct pxerr {
    int code;      /* PXE_* (negative) or 0 */
    char msg[256]; /* what, where, what to do; always NUL-terminated */
};

/* Set err (NULL allowed) and return code, so callers can `return pxerr_set(...)`. */
int pxerr_set(struct pxerr *err, int code, const char *fmt, ...) PXC_PRINTF(3, 4);
int pxerr_vset(struct pxerr *err, int code, const char *fmt, va_list ap) PXC_PRINTF(3, 0);
/* Prefix an existing message with context ("kubeconfig: " + msg). */
void pxerr_prefix(struct pxerr *err, const char *fmt, ...) PXC_PRINTF(2, 3);
void pxerr_clear(struct pxerr *err);
/* "PXE_PARSE" style name and the default text of a code. Static strings. */
const char *pxerr_name(int code);
const char *pxerr_text(int code);

/* Impossible state: restore the terminal (through the hook the app installed), print, abort. */
void pxc_fatal(const char *fmt, ...) PXC_PRINTF(1, 2) PXC_NORETURN;
/* The app installs one hook that restores the terminal before a fatal exit. Set once at start. */
void pxc_set_fatal_hook(void (*hook)(void));

#endif
