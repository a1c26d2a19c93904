/* pxerr: the error table and the fixed-size error buffer. Also pxc_fatal, the one
 * way out for impossible states, which restores the terminal before it speaks. */
#include "pxerr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    int code;
    const char *name;
    const char *text;
} pxe_table[] = {
#define XX(n, t) {PXE_##n, "PXE_" #n, t},
    PXE_MAP(XX)
#undef XX
};

int
pxerr_vset(struct pxerr *err, int code, const char *fmt, va_list ap)
{
    if (err == NULL)
        return code;
    err->code = code;
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    return code;
}

int
pxerr_set(struct pxerr *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pxerr_vset(err, code, fmt, ap);
    va_end(ap);
    return code;
}

void
pxerr_prefix(struct pxerr *err, const char *fmt, ...)
{
    char pre[256], old[256];
    va_list ap;
    if (err == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(pre, sizeof pre, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    /* Truncation is the intended outcome for an over-long message. */
    size_t n = strnlen(pre, sizeof err->msg - 1);
    memcpy(err->msg, pre, n);
    size_t rest = sizeof err->msg - 1 - n;
    size_t m = strnlen(old, rest);
    memcpy(err->msg + n, old, m);
    err->msg[n + m] = '\0';
}

void
pxerr_clear(struct pxerr *err)
{
    if (err == NULL)
        return;
    err->code = 0;
    err->msg[0] = '\0';
}

const char *
pxerr_name(int code)
{
    if (code == 0)
        return "PXE_OK";
    for (size_t i = 0; i < sizeof pxe_table / sizeof pxe_table[0]; i++)
        if (pxe_table[i].code == code)
            return pxe_table[i].name;
    return "PXE_UNKNOWN";
}

const char *
pxerr_text(int code)
{
    if (code == 0)
        return "success";
    for (size_t i = 0; i < sizeof pxe_table / sizeof pxe_table[0]; i++)
        if (pxe_table[i].code == code)
            return pxe_table[i].text;
    return "unknown error";
}

/* Set once at start-up by the app, before the loop runs; read only by pxc_fatal. */
static void (*fatal_hook)(void);

void
pxc_set_fatal_hook(void (*hook)(void))
{
    fatal_hook = hook;
}

void
pxc_fatal(const char *fmt, ...)
{
    va_list ap;
    if (fatal_hook != NULL)
        fatal_hook();
    fputs("pxcmesh: fatal: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}
