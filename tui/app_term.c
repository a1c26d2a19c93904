/* app_term: the console's hold on the terminal and the process: curses set-up, the
 * rescue that gives the terminal back whenever a signal ends the process (crashes such as
 * SIGSEGV and SIGABRT, SIGQUIT from Ctrl-\, and the other signals whose default is to
 * terminate: precomputed reset bytes and the saved termios, then the signal again), the
 * signals the loop handles (SIGWINCH relayouts; SIGINT, SIGTERM and SIGHUP quit cleanly),
 * the input (uv_poll on stdin, read with wget_wch until ERR) and the loop's own handles. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <curses.h>

#include "clock.h"
#include "log.h"
#include "app_internal.h"
#include "trace.h"
#include "wkey.h"

/* ------------------------------------------------------------------ terminal rescue */

/* The one piece of file-scope mutable state: what a signal handler needs to give the
 * terminal back, precomputed because a handler may only write() and tcsetattr(). */
static struct {
    volatile sig_atomic_t active;
    char reset[512];
    size_t reset_len;
    struct termios tio;
    bool have_tio;
} term_rescue;

/* Crashes: the handler goes in whatever was there (a sanitizer's too), as before. */
static const int crash_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGABRT, SIGILL, SIGTRAP, SIGSYS};
/* Signals whose default ends the process and that the loop does not handle: rescued only
 * while their default is in force, so that a library that ignores one (SIGPIPE) still does. */
static const int ending_signals[] = {
    SIGQUIT,   SIGXCPU,   SIGXFSZ, SIGPIPE, SIGALRM, SIGUSR1,
    SIGUSR2,   SIGVTALRM, SIGPROF, SIGPOLL, SIGPWR,
#ifdef SIGSTKFLT
    SIGSTKFLT,
#endif
};

static void
on_ending_signal(int sig)
{
    int saved = errno;
    if (term_rescue.active) {
        term_rescue.active = 0;
        size_t off = 0;
        while (off < term_rescue.reset_len) {
            ssize_t w = write(STDOUT_FILENO, term_rescue.reset + off, term_rescue.reset_len - off);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                break; /* nothing else can be done about a failed write here */
            off += (size_t)w;
        }
        if (term_rescue.have_tio)
            tcsetattr(STDIN_FILENO, TCSANOW, &term_rescue.tio);
    }
    errno = saved;
    /* SA_RESETHAND restored the default action: the signal again ends the process as it
     * would have (a crash re-faults on return, a sent signal is delivered on return). */
    raise(sig);
}

static void
rescue_append(const char *cap)
{
    if (cap == NULL || cap == (char *)-1)
        return;
    size_t n = strlen(cap);
    if (term_rescue.reset_len + n < sizeof term_rescue.reset) {
        memcpy(term_rescue.reset + term_rescue.reset_len, cap, n);
        term_rescue.reset_len += n;
    }
}

/* After curses started: the bytes that undo it, and the handlers that send them. */
static void
rescue_arm(void)
{
    term_rescue.reset_len = 0;
    /* CAN ends an escape sequence the process may have been half-way through writing. */
    rescue_append("\030");
    /* Mouse reporting off, every mode ncurses or a terminfo XM string may have turned on. */
    rescue_append("\033[?1000l\033[?1002l\033[?1003l\033[?1005l\033[?1006l\033[?1015l");
    rescue_append(tigetstr("rmkx")); /* keypad and cursor keys back to normal mode */
    rescue_append(tigetstr("sgr0"));
    rescue_append(tigetstr("cnorm"));
    rescue_append(tigetstr("rmcup")); /* leave the alternate screen */
    rescue_append("\r\n");
    term_rescue.active = 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_ending_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof crash_signals / sizeof crash_signals[0]; i++)
        sigaction(crash_signals[i], &sa, NULL);
    for (size_t i = 0; i < sizeof ending_signals / sizeof ending_signals[0]; i++) {
        struct sigaction old;
        if (sigaction(ending_signals[i], NULL, &old) == 0 && !(old.sa_flags & SA_SIGINFO) &&
            old.sa_handler == SIG_DFL)
            sigaction(ending_signals[i], &sa, NULL);
    }
}

/* The normal restore: atexit, pxc_fatal's hook and the regular exit. Idempotent. */
void
app__term_restore(void)
{
    if (!term_rescue.active)
        return;
    term_rescue.active = 0;
    endwin();
}

static void
on_input(uv_poll_t *h, int status, int events)
{
    struct app *a = h->data;
    if (status < 0 || (events & UV_DISCONNECT)) {
        app_quit(a); /* the terminal went away */
        return;
    }
    for (;;) {
        wint_t wc;
        int rc = wget_wch(a->in_win, &wc);
        if (rc == ERR)
            break;
        trace_key(a->trace);
        app__key(a, wkey_from(rc, wc));
        if (a->quitting)
            return;
    }
    app__schedule(a);
}

static void
on_signal(uv_signal_t *h, int signum)
{
    struct app *a = h->data;
    if (signum == SIGWINCH) {
        struct winsize ws;
        if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
            resizeterm(ws.ws_row, ws.ws_col);
        a->dirty |= AD_LAYOUT | AD_REPAINT;
        app__schedule(a);
        return;
    }
    log_info("signal %d: quitting", signum);
    app_quit(a);
}

int
app__start_curses(struct app *a, struct pxerr *err)
{
    term_rescue.have_tio = tcgetattr(STDIN_FILENO, &term_rescue.tio) == 0;
    const char *term = getenv("TERM");
    a->screen = newterm(NULL, stdout, stdin);
    if (a->screen == NULL)
        return pxerr_set(err, PXE_UNSUPPORTED,
                         "cannot use the terminal type '%s'; set TERM (e.g. TERM=xterm-256color)",
                         term != NULL ? term : "(unset)");
    set_term(a->screen);
    rescue_arm();
    cbreak();
    noecho();
    nonl();
    curs_set(0);
    set_escdelay(25);
    leaveok(stdscr, TRUE);
    if (!a->no_color && has_colors()) {
        start_color();
        a->colour_started = true;
    }
    theme_activate(a->theme, a->colour_started ? COLORS : 0, a->no_color);
    if (!a->opts->no_mouse) {
        /* Presses, not clicks: a click would wait for the release to be told apart. */
        mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
        mouseinterval(0);
    }
    a->in_win = newwin(1, 1, 0, 0);
    keypad(a->in_win, TRUE);
    nodelay(a->in_win, TRUE);
    return 0;
}

static void
on_close_walk(uv_handle_t *h, void *arg)
{
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

int
app__init_loop(struct app *a, struct pxerr *err)
{
    int rc = uv_loop_init(&a->loop);
    if (rc < 0)
        return pxerr_set(err, PXE_INTERNAL, "cannot start the event loop: %s", uv_strerror(rc));
    uv_timer_init(&a->loop, &a->frame_timer);
    uv_timer_init(&a->loop, &a->tick_timer);
    a->frame_timer.data = a->tick_timer.data = a;
    uv_signal_t *sigs[] = {&a->sig_winch, &a->sig_int, &a->sig_term, &a->sig_hup};
    int nums[] = {SIGWINCH, SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < 4; i++) {
        uv_signal_init(&a->loop, sigs[i]);
        sigs[i]->data = a;
        uv_signal_start(sigs[i], on_signal, nums[i]);
    }
    rc = uv_poll_init(&a->loop, &a->in_poll, STDIN_FILENO);
    if (rc < 0) {
        a->handles_open = true;
        return pxerr_set(err, PXE_IO, "cannot watch the terminal input: %s", uv_strerror(rc));
    }
    a->in_poll.data = a;
    uv_poll_start(&a->in_poll, UV_READABLE | UV_DISCONNECT, on_input);
    /* The clock ticks on the second, so that it changes when the wall clock does. */
    uint64_t ms = (uint64_t)(clock_wall_ms() % 1000);
    uv_timer_start(&a->tick_timer, app__on_tick, APP_TICK_MS - ms, APP_TICK_MS);
    a->handles_open = true;
    return 0;
}

void
app__fini_loop(struct app *a)
{
    if (!a->handles_open)
        return;
    uv_walk(&a->loop, on_close_walk, NULL);
    uv_run(&a->loop, UV_RUN_DEFAULT);
    int rc = uv_loop_close(&a->loop);
    if (rc != 0)
        log_error("uv_loop_close: %s (a handle was leaked)", uv_strerror(rc));
    a->handles_open = false;
}
