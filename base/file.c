/* file: bounded reads of regular files. The open is non-blocking so that a FIFO (which
 * would wait for a writer) or a terminal returns at once, and fstat on the open
 * descriptor decides, so a path swapped between a check and the open cannot slip a
 * device in. It reads no more than the limit plus one byte, however large st_size says
 * the file is or grows while read: /dev/zero and a log being written are both refused.
 * It is not for pipes a program of ours reads on purpose (exec plugins, stdin). */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xmalloc.h"

void
file_fmt_size(size_t bytes, char *buf, size_t n)
{
    if (bytes >= (1u << 20) && bytes % (1u << 20) == 0)
        snprintf(buf, n, "%zu MiB", bytes >> 20);
    else if (bytes >= 1024 && bytes % 1024 == 0)
        snprintf(buf, n, "%zu KiB", bytes >> 10);
    else
        snprintf(buf, n, "%zu bytes", bytes);
}

static const char *
kind_of(mode_t m)
{
    if (S_ISDIR(m))
        return "a directory";
    if (S_ISFIFO(m))
        return "a FIFO";
    if (S_ISCHR(m))
        return "a character device";
    if (S_ISBLK(m))
        return "a block device";
    if (S_ISSOCK(m))
        return "a socket";
    return "not a plain file";
}

static void
release(char *buf, size_t cap, bool secret)
{
    if (buf != NULL && secret)
        explicit_bzero(buf, cap);
    free(buf);
}

/* Grow buf from cap to ncap bytes; a secret is copied and the old copy zeroed, where
 * realloc might leave it in freed memory. */
static char *
grow(char *buf, size_t cap, size_t ncap, bool secret)
{
    if (!secret)
        return xrealloc(buf, ncap);
    char *nb = xmalloc(ncap);
    if (buf != NULL) {
        memcpy(nb, buf, cap);
        release(buf, cap, true);
    }
    return nb;
}

static int
too_big(const char *path, size_t max, struct pxerr *err)
{
    char lim[32];
    file_fmt_size(max, lim, sizeof lim);
    return pxerr_set(err, PXE_TOOBIG,
                     "%s: larger than the %s this file may have; is it the right file?", path, lim);
}

static int
read_impl(const char *path, size_t max, char **out, size_t *len, bool secret, struct pxerr *err)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        int e = errno;
        return pxerr_set(err, e == ENOENT ? PXE_NOTFOUND : PXE_IO, "%s: %s", path, strerror(e));
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return pxerr_set(err, PXE_IO, "%s: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return pxerr_set(err, PXE_INVAL, "%s: not a regular file (%s); give a file", path,
                         kind_of(st.st_mode));
    }
    if (st.st_size > 0 && (unsigned long long)st.st_size > max) {
        close(fd);
        return too_big(path, max, err);
    }
    /* st_size is a hint (procfs says 0, a file may grow): read to EOF, at most max + 1. */
    size_t cap = (size_t)st.st_size + 1 < 4096 ? 4096 : (size_t)st.st_size + 1;
    if (cap > max + 1)
        cap = max + 1;
    char *buf = grow(NULL, 0, cap + 1, secret);
    size_t n = 0;
    for (;;) {
        if (n == cap) {
            if (cap > max)
                break; /* max + 1 bytes read: over the limit */
            size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
            buf = grow(buf, cap + 1, ncap + 1, secret);
            cap = ncap;
        }
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int e = errno;
            close(fd);
            release(buf, cap + 1, secret);
            return pxerr_set(err, PXE_IO, "%s: %s", path, strerror(e));
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    close(fd);
    if (n > max) {
        release(buf, cap + 1, secret);
        return too_big(path, max, err);
    }
    buf[n] = '\0';
    if (secret && n + 1 < cap + 1) {
        /* Hand over an exact-size copy so that file_free_secret(buf, len) zeroes it all. */
        char *exact = xmalloc(n + 1);
        memcpy(exact, buf, n + 1);
        release(buf, cap + 1, true);
        buf = exact;
    }
    *out = buf;
    *len = n;
    return 0;
}

int
file_read(const char *path, size_t max_bytes, char **out, size_t *len, struct pxerr *err)
{
    return read_impl(path, max_bytes, out, len, false, err);
}

int
file_read_secret(const char *path, size_t max_bytes, char **out, size_t *len, struct pxerr *err)
{
    return read_impl(path, max_bytes, out, len, true, err);
}

void
file_free_secret(char *buf, size_t len)
{
    if (buf == NULL)
        return;
    explicit_bzero(buf, len + 1);
    free(buf);
}
