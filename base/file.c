/* file: bounded reads of what pxcmesh is given. The name is stat'ed first, so that a
 * device is refused without being opened (opening one can have effects, and /dev/zero
 * never ends); then fstat of the open descriptor decides again, so a path swapped between
 * the two cannot slip a device in. The open does not wait (O_NONBLOCK), except for a FIFO
 * that the caller accepts as a stream: that one waits for its writer, as cat does. Reads
 * stop one byte past the limit, however large st_size says the file is or it grows while
 * read: a file of exactly the limit is read, a longer one is refused, never truncated. */
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

#define F_SECRET 0x1u /* zero every buffer on the way */
#define F_STREAM 0x2u /* a FIFO, pipe or socket is read too; the messages say "or a pipe" */

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

static bool
accepted(mode_t m, unsigned how)
{
    return S_ISREG(m) || ((how & F_STREAM) && (S_ISFIFO(m) || S_ISSOCK(m)));
}

/* The messages differ by what the caller accepts: the command line's inputs may be pipes. */
static int
refuse_kind(const char *name, mode_t m, unsigned how, struct pxerr *err)
{
    if (!(how & F_STREAM))
        return pxerr_set(err, PXE_INVAL, "%s: not a regular file (%s); give a file", name,
                         kind_of(m));
    if (S_ISDIR(m))
        return pxerr_set(err, PXE_INVAL, "%s: is a directory; give a file", name);
    return pxerr_set(err, PXE_INVAL, "%s: is %s, not a file; give a file or a pipe", name,
                     kind_of(m));
}

static int
too_big(const char *name, size_t max, unsigned how, struct pxerr *err)
{
    char lim[32];
    file_fmt_size(max, lim, sizeof lim);
    if (how & F_STREAM)
        return pxerr_set(err, PXE_TOOBIG, "%s: is larger than %s; is it the right file?", name,
                         lim);
    return pxerr_set(err, PXE_TOOBIG,
                     "%s: larger than the %s this file may have; is it the right file?", name, lim);
}

static int
sys_err(const char *name, int e, struct pxerr *err)
{
    return pxerr_set(err, e == ENOENT ? PXE_NOTFOUND : PXE_IO, "%s: %s", name, strerror(e));
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

/* Read fd to its end, at most max + 1 bytes. hint: the size fstat gave (0 for a stream or
 * procfs), only a first guess. fd stays open. */
static int
read_all(int fd, const char *name, size_t hint, size_t max, unsigned how, char **out, size_t *len,
         struct pxerr *err)
{
    bool secret = how & F_SECRET;
    size_t cap = hint + 1 < 4096 ? 4096 : hint + 1;
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
            release(buf, cap + 1, secret);
            return sys_err(name, e, err);
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    if (n > max) {
        release(buf, cap + 1, secret);
        return too_big(name, max, how, err);
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

static int
read_path(const char *path, size_t max, unsigned how, char **out, size_t *len, struct pxerr *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return sys_err(path, errno, err);
    if (!accepted(st.st_mode, how))
        return refuse_kind(path, st.st_mode, how, err);
    int oflags = O_RDONLY | O_CLOEXEC | O_NOCTTY | (S_ISFIFO(st.st_mode) ? 0 : O_NONBLOCK);
    int fd = open(path, oflags);
    if (fd < 0)
        return sys_err(path, errno, err);
    int rc = 0;
    if (fstat(fd, &st) != 0)
        rc = sys_err(path, errno, err);
    else if (!accepted(st.st_mode, how))
        rc = refuse_kind(path, st.st_mode, how, err);
    else if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > max)
        rc = too_big(path, max, how, err);
    else if (!S_ISREG(st.st_mode) && (oflags & O_NONBLOCK))
        /* A stream swapped in after the stat: its reads wait for data, as the caller meant. */
        (void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    if (rc == 0)
        rc = read_all(fd, path, S_ISREG(st.st_mode) ? (size_t)st.st_size : 0, max, how, out, len,
                      err);
    close(fd);
    return rc;
}

int
file_read(const char *path, size_t max_bytes, char **out, size_t *len, struct pxerr *err)
{
    return read_path(path, max_bytes, 0, out, len, err);
}

int
file_read_secret(const char *path, size_t max_bytes, char **out, size_t *len, struct pxerr *err)
{
    return read_path(path, max_bytes, F_SECRET, out, len, err);
}

int
file_read_stream(const char *path, size_t max_bytes, char **out, size_t *len, struct pxerr *err)
{
    return read_path(path, max_bytes, F_STREAM | F_SECRET, out, len, err);
}

int
file_read_fd(int fd, const char *name, size_t max_bytes, char **out, size_t *len, struct pxerr *err)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return sys_err(name, errno, err);
    if (S_ISDIR(st.st_mode))
        return refuse_kind(name, st.st_mode, F_STREAM, err);
    size_t hint = S_ISREG(st.st_mode) ? (size_t)st.st_size : 0;
    if (hint > max_bytes)
        hint = max_bytes; /* a regular file's size is read to its end anyway: only a guess */
    return read_all(fd, name, hint, max_bytes, F_STREAM | F_SECRET, out, len, err);
}

void
file_free_secret(char *buf, size_t len)
{
    if (buf == NULL)
        return;
    explicit_bzero(buf, len + 1);
    free(buf);
}
