/* model_source: the source server a channel reads from, joined from both sides of the
 * channel. Deliberately not here: reading either side (mysql_poll), and judging whether
 * the source is healthy (doctor). */
#include "model/model_source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

struct src_pick {
    const struct m_cluster *c;
    const struct m_server *s;
};

static bool
reads_well(const struct m_server *s)
{
    return s->updated_ms > 0 && s->error[0] == '\0' && s->updated_ms >= s->as_of_ms;
}

/* MySQL 8 failover: the source marked in use, as one of the model's servers if one is at
 * that address (else the address alone: src->s NULL). */
static bool
pick_failover(const struct model *m, const struct m_channel *ch, struct src_pick *out, char *addr,
              size_t n)
{
    for (int i = 0; i < ch->n_failover; i++) {
        const struct m_failover_source *f = &ch->failover[i];
        if (!f->in_use)
            continue;
        snprintf(addr, n, "%s:%d", f->host, f->port);
        out->c = NULL;
        out->s = NULL;
        for (size_t k = 0; k < m->clusters.n && out->s == NULL; k++) {
            const struct m_cluster *c = m->clusters.items[k];
            for (size_t j = 0; j < c->servers.n; j++) {
                const struct m_server *s = c->servers.items[j];
                if (strcmp(s->host, f->host) == 0 && s->port == f->port) {
                    out->c = c;
                    out->s = s;
                    break;
                }
            }
        }
        return true;
    }
    return false;
}

/* The one server that serves ch's binlog dump, or false (none, or several that cannot be
 * told apart). */
static bool
pick_dump(const struct model *m, const struct m_cluster *own, const struct m_channel *ch,
          struct src_pick *out)
{
    struct src_pick first = {0}, by_host = {0};
    int n = 0, n_host = 0;
    for (size_t k = 0; k < m->clusters.n; k++) {
        const struct m_cluster *c = m->clusters.items[k];
        for (size_t j = 0; j < c->servers.n; j++) {
            const struct m_server *s = c->servers.items[j];
            if (c == own && strcmp(s->name, ch->server) == 0)
                continue; /* the replica itself */
            if (!reads_well(s) || s->binlog_dumps <= 0)
                continue;
            if (ch->source_server_id > 0 && s->server_id > 0 &&
                s->server_id != ch->source_server_id)
                continue;
            if (n++ == 0)
                first = (struct src_pick){c, s};
            if (strcmp(s->host, ch->source_host) == 0 && n_host++ == 0)
                by_host = (struct src_pick){c, s};
        }
    }
    if (n == 1) {
        *out = first;
        return true;
    }
    if (n_host == 1) { /* several serve dumps; the channel names one of them directly */
        *out = by_host;
        return true;
    }
    return false;
}

const char *
model_source_describe(const struct m_channel *ch, char *buf, size_t n)
{
    if (ch->src_address == NULL || ch->src_address[0] == '\0') {
        if (n > 0)
            buf[0] = '\0';
        return buf;
    }
    if (ch->src_server[0] != '\0')
        snprintf(buf, n, "%s/%s (%s)", ch->src_cluster, ch->src_server, ch->src_address);
    else
        snprintf(buf, n, "%s", ch->src_address);
    return buf;
}

bool
model_source_update(struct model *m)
{
    bool any = false;
    for (size_t k = 0; k < m->clusters.n; k++) {
        struct m_cluster *c = m->clusters.items[k];
        for (size_t i = 0; i < c->channels.n; i++) {
            struct m_channel *ch = c->channels.items[i];
            struct src_pick p = {0};
            char addr[300] = "";
            bool known = false;
            if (ch->io == THR_YES && ch->error[0] == '\0') {
                known = pick_failover(m, ch, &p, addr, sizeof addr);
                if (!known && pick_dump(m, c, ch, &p)) {
                    known = true;
                    snprintf(addr, sizeof addr, "%s:%d", p.s->host, p.s->port);
                }
            }
            const char *cl = known && p.c != NULL ? p.c->name : "";
            const char *sv = known && p.s != NULL ? p.s->name : "";
            if (strcmp(addr, ch->src_address) == 0 && strcmp(sv, ch->src_server) == 0 &&
                strcmp(cl, ch->src_cluster) == 0)
                continue;
            model_set_str(&ch->src_cluster, cl);
            model_set_str(&ch->src_server, sv);
            model_set_str(&ch->src_address, addr);
            ch->src_since_ms = known ? clock_wall_ms() : 0;
            any = true;
            if (known) {
                char now[600];
                model_source_describe(ch, now, sizeof now);
                if (strcmp(now, ch->src_last) != 0)
                    model_event(m, c->name, 0, "channel %s on %s: reads from %s%s%s",
                                ch->name[0] ? ch->name : "''", ch->server, now,
                                ch->src_last[0] ? ", was " : "", ch->src_last);
                model_set_str(&ch->src_last, now);
            }
        }
    }
    if (any)
        model_touch(m, DIRTY_CHANNELS);
    return any;
}
