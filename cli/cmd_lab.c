/* cmd_lab: `pxcmesh lab up|down|status|fault NAME [--dir DIR] [--prefix 127.N]`, the front
 * door of the lab (real Galera clusters, mesh DNS, kubesim; docs/lab.md).
 *
 * The lab is orchestration of other programs (mariadbd, dnsmasq, kubesim, kubectl), which a
 * shell script does best, so this command only finds lab/labctl and execs it with the same
 * arguments. It deliberately does no lab work in C: one implementation, which `make demo`,
 * the ctest fixtures and a developer at a shell all share. The script is found through
 * $PXC_LABCTL, else in the source tree this binary was built from (PXC_SOURCE_DIR), else in
 * the installed share directory. $PXC_BINARY tells the script which pxcmesh runs it, so that
 * it finds kubesim in the same build (`$(dirname pxcmesh)/lab/kubesim`). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xmalloc.h"
#include "cmd.h"

static int cmd_lab_exec(const struct cmd_opts *opts, int argc, char **argv);

const struct cmd_entry cmd_lab_entry = {
    .name = "lab",
    .usage = "lab up|down|status|fault NAME [--dir DIR] [--prefix 127.N]",
    .summary = "run the rehearsal lab: 2 real Galera clusters, mesh DNS, simulated Kubernetes",
    .exec = cmd_lab_exec,
};

static const char lab_usage[] =
    "usage: pxcmesh lab up|down|status|fault NAME [ARGS] [--dir DIR] [--prefix 127.N]\n"
    "  up [--no-serviceentry] [--no-injection-label] [--pod-network direct|private]\n"
    "                                                  start the lab (idempotent); private:\n"
    "                                                  pod IPs where nothing listens, MySQL\n"
    "                                                  only through the API server\n"
    "  down                                            stop it and remove its data\n"
    "  status                                          addresses, pids, Galera and channel state\n"
    "  fault NAME [ARGS]                               inject a fault (docs/lab.md lists them)\n"
    "  --dir DIR       lab directory (default ~/.local/state/pxcmesh/lab)\n"
    "  --prefix 127.N  first octets of the lab's loopback addresses (default 127.0)\n";

/* The labctl script to run: owned string, or NULL when none is readable. */
static char *
lab_find_script(void)
{
    const char *env = getenv("PXC_LABCTL");
    if (env != NULL && *env != '\0')
        return access(env, R_OK) == 0 ? xstrdup(env) : NULL;
    const char *dirs[] = {PXC_SOURCE_DIR "/lab", PXC_LAB_INSTALL_DIR};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        char *p = xasprintf("%s/labctl", dirs[i]);
        if (access(p, R_OK) == 0)
            return p;
        free(p);
    }
    return NULL;
}

static int
cmd_lab_exec(const struct cmd_opts *opts, int argc, char **argv)
{
    (void)opts; /* the lab has no use for the console's global options */
    if (argc < 2)
        return cmd_usage_error("lab", "lab: missing command (up, down, status or fault)");
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(lab_usage, stdout);
        return 0;
    }
    static const char *const known[] = {"up", "down", "status", "fault"};
    bool ok = false;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        ok = ok || strcmp(argv[1], known[i]) == 0;
    if (!ok)
        return cmd_usage_error(
            "lab", "lab: unknown command '%s' (expected up, down, status or fault)", argv[1]);

    char *script = lab_find_script();
    if (script == NULL) {
        fprintf(stderr,
                "pxcmesh: lab: the lab script was not found (looked for $PXC_LABCTL, %s/lab/labctl "
                "and %s/labctl); reinstall pxcmesh or set PXC_LABCTL=/path/to/lab/labctl\n",
                PXC_SOURCE_DIR, PXC_LAB_INSTALL_DIR);
        return 1;
    }
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        if (setenv("PXC_BINARY", self, 1) != 0)
            fprintf(stderr, "pxcmesh: lab: cannot set PXC_BINARY: %s\n", strerror(errno));
    }
    /* bash SCRIPT ARGS...: the script need not be executable (an install may drop modes). */
    char **args = xcalloc((size_t)argc + 2, sizeof *args);
    args[0] = "bash";
    args[1] = script;
    for (int i = 1; i < argc; i++)
        args[i + 1] = argv[i];
    fflush(stdout);
    fflush(stderr);
    execvp("bash", args);
    fprintf(stderr, "pxcmesh: lab: cannot run bash %s: %s; is bash installed?\n", script,
            strerror(errno));
    free(args);
    free(script);
    return 1;
}
