/* act: the console's actions, the one place it writes to a cluster, runs SQL on a server,
 * runs a probe or writes a file. A view names an action (enum act_kind) with the names it
 * read from the model (struct act_args); act_run looks the action up in the one table of
 * actions and starts it. An action checks that it may run (read-only mode and replays
 * refuse writes, with the reason), asks the operator before it writes (a confirmation
 * naming what and where), and on Yes starts one asynchronous backend request. Progress and
 * outcomes go to the operator through the context's report, outcomes also to the model's
 * event log, and probe results to the model's probe store (model/model_probe.h).
 *
 * Actions never see the app: they run in a narrow context (the loop, the model, the live
 * backends, and two functions of the app's: report and ask) and return reaction bits
 * (reaction.h), as htop's actions do. They never draw.
 *
 * Loop thread only, everywhere. */
#ifndef PXC_TUI_ACT_H
#define PXC_TUI_ACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "pxerr.h"
#include "reaction.h"
#include "strbuf.h"
#include "probe/probe.h"

struct act_def;
struct act_state;
struct live;
struct m_fix;
struct model;

/* Each action and the arguments it reads (the others are ignored). */
enum act_kind {
    ACT_LABEL_NAMESPACE, /* cluster, ns: label it istio-injection=enabled */
    ACT_RESTART_STS,     /* cluster, ns, name: `kubectl rollout restart statefulset` */
    ACT_DELETE_SENTRY,   /* cluster, ns, name, text (its YAML, shown as what goes): delete the
                            ServiceEntry, naming the channels that use its hosts */
    ACT_APPLY,           /* cluster, docs, what: validate, preview (diff), confirm, apply */
    ACT_CHANNEL_START,   /* cluster, server, name (the channel): START REPLICA */
    ACT_CHANNEL_STOP,    /* cluster, server, name: STOP REPLICA */
    ACT_CREATE_CHANNEL,  /* cluster (the replica), source, ns, pxc, name, host, dialect */
    ACT_COPY_YAML,       /* what (the kind), name, text: write it to a file the operator names */
    ACT_PROBE,           /* probe, target, cluster (NULL: locally), ns, owner */
    ACT_PROBE_HOST,      /* host, port, cluster (NULL: locally), ns, owner: DNS, TCP (Envoy) */
    ACT_PROBE_CHANNEL,   /* cluster, name: every source the channel may use, in-mesh */
    ACT_PROBE_RERUN,     /* id: the probe store's entry, again */
    ACT_PROBE_CANCEL,    /* id: cancel its running probe */
    ACT_FIX,             /* fix, what (the finding, one line): preview, confirm, run it; a fix
                            pxcmesh does not run (or read-only, a replay): copy its command */
    ACT_COPY_TEXT,       /* text, what: to the terminal's clipboard (OSC 52) */
    ACT_CREATE_SENTRY,   /* cluster, ns, pxc (the remote PXC's name), source (the remote
                            cluster): the missing ServiceEntry for PXC.SOURCE.global from
                            source's node addresses; preview (dry run, diff), confirm, apply */
    ACT__COUNT
};

/* Borrowed for the call; what an action keeps, it copies. */
struct act_args {
    const char *cluster;   /* the cluster acted on (create channel: the replica) */
    const char *ns;        /* namespace (probes: the probe pod's) */
    const char *name;      /* the object: statefulset, ServiceEntry, channel, file stem */
    const char *server;    /* the MySQL server running the channel, as in the model */
    const char *source;    /* create channel: the source cluster (its Secret) */
    const char *pxc;       /* create channel: the source's PXC (its secretsName) */
    const char *host;      /* create channel: the source host; probe host */
    const char *dialect;   /* create channel: the replica's ("mariadb"...), NULL: "mysql" */
    const char *owner;     /* probes: the channel they are for, "cluster/channel", or NULL */
    const char *what;      /* apply: one line ("ServiceEntry for x.global"); copy: the kind */
    const char *text;      /* copy: the YAML */
    const json_t *docs;    /* apply: a JSON array of objects (copied) */
    enum probe_kind probe; /* ACT_PROBE */
    const char *target;    /* ACT_PROBE: "host" or "host:port" */
    int port;              /* ACT_PROBE_HOST: 0 is 3306 */
    uint64_t id;           /* ACT_PROBE_RERUN, ACT_PROBE_CANCEL: struct m_probe.id */
    const struct m_fix *fix; /* ACT_FIX: the finding's fix (copied) */
};

/* ---- the context the app gives every action ---- */

enum act_level { ACT_INFO, ACT_WARN, ACT_ERROR };

enum act_answer {
    ACT_YES,  /* confirmed (an input: submitted) */
    ACT_NO,   /* refused or cancelled by the operator */
    ACT_GONE, /* dropped unanswered: another question replaced it, or the console quits */
};

/* text: an input question's text (borrowed for the call), else NULL. Runs exactly once. */
typedef void act_answer_cb(enum act_answer ans, const char *text, void *arg);

struct act_question {
    const char *title;        /* "Delete ServiceEntry" */
    const char *const *lines; /* what will happen to what, where; copied */
    size_t n_lines;
    const char *yes;   /* the Yes button's label ("Delete") */
    const char *input; /* not NULL: ask for a line of text starting as this */
};

struct act_ctx {
    uv_loop_t *loop;     /* borrowed */
    struct model *model; /* borrowed */
    struct live *live;   /* borrowed; NULL in a replay */
    bool readonly;       /* --readonly or the config's (a replay refuses writes too) */
    const char *readonly_why; /* borrowed static: "started with --readonly"..., for refusals;
                                 NULL: said generically */
    /* Tell the operator: a transient message with a level (the status bar). */
    void (*report)(void *host, enum act_level lv, const char *msg);
    /* Ask the operator q (copied); answer(arg) runs later with the answer. One question
     * is open at a time: a new one answers the open one ACT_GONE. */
    void (*ask)(void *host, const struct act_question *q, act_answer_cb *answer, void *arg);
    /* Put text (borrowed for the call) on the terminal's clipboard (OSC 52). */
    void (*copy)(void *host, const char *text);
    void *host;           /* the app, opaque here */
    struct act_state *st; /* owned by the app: act_state_new */
};

/* The actions' requests, probes and writes in flight, and the loaded CRD schemas. */
struct act_state *act_state_new(void);
/* Cancel every request and probe; no report or model change follows. Call after the
 * open question was answered ACT_GONE and before the live backends are freed. NULL does
 * nothing. */
void act_state_free(struct act_state *st);

/* ---- the table ---- */

/* start: refuse, ask or begin; returns R_* bits (R_REDRAW: a question opened or the
 * probe store changed). def is the row, args borrowed for the call. */
typedef unsigned act_start_fn(struct act_ctx *cx, const struct act_def *def,
                              const struct act_args *args);

struct act_def {
    enum act_kind kind;
    const char *title; /* the confirmation's title, and the action's name */
    act_start_fn *start;
};

/* The row of kind (static). */
const struct act_def *act_def(enum act_kind kind);
/* Start action kind with args. Returns its R_* bits. */
unsigned act_run(struct act_ctx *cx, enum act_kind kind, const struct act_args *args);

/* The statements ACT_CREATE_CHANNEL runs on the replica (CHANGE SOURCE to host:3306 with
 * the replication user, then START) in dialect (NULL: "mysql"), the password masked,
 * appended to out. Pure. 0, or PXE_* with err naming the bad channel or host. */
int act_create_channel_sql(const char *dialect, const char *channel, const char *host,
                           struct strbuf *out, struct pxerr *err) PXC_MUST_CHECK;

#endif
