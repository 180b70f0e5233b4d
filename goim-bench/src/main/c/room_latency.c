/*
 * room_latency: the room-latency measurement of goim-bench in C, single-threaded on epoll, so
 * that the load tool itself costs the shared cores as little as possible. Same method as
 * io.goim.bench.RoomLatency: N goim WebSocket clients authenticate into one room (op 7, then a
 * heartbeat every 30 s), pushes go out over HTTP at a fixed rate, and every client's receipt is
 * timed from the HTTP write (CLOCK_MONOTONIC, one process).
 *
 *   gcc -O2 -o room-latency goim-bench/src/main/c/room_latency.c
 *   ./room-latency <ws-port> <http-port> <http-path-and-query> <clients> <pushes> <warmup> <interval-ms> [room]
 *
 * Linux only; talks to 127.0.0.1.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF 65536
#define PREFIX "goim-bench "

typedef struct {
    int fd;
    int state; /* 0 handshake, 1 auth sent, 2 in room, -1 closed */
    int len;
    unsigned char buf[BUF];
} client_t;

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int connect_to(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        perror("connect");
        exit(2);
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static void write_all(int fd, const void *p, size_t n) {
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0) {
            if (errno == EAGAIN || errno == EINTR) continue;
            return;
        }
        c += w;
        n -= (size_t)w;
    }
}

/* a masked client WebSocket binary frame holding one goim frame (contract section 2) */
static void send_goim(int fd, int op, int seq, const char *body, int body_len) {
    unsigned char f[16 + 4096 + 14];
    int pack = 16 + body_len, n = 0;
    f[n++] = 0x82;
    if (pack < 126) {
        f[n++] = 0x80 | pack;
    } else {
        f[n++] = 0x80 | 126;
        f[n++] = pack >> 8;
        f[n++] = pack & 0xff;
    }
    unsigned char mask[4] = {0x12, 0x34, 0x56, 0x78};
    memcpy(f + n, mask, 4);
    n += 4;
    unsigned char g[16 + 4096];
    uint32_t v = htonl(pack);
    memcpy(g, &v, 4);
    uint16_t h = htons(16);
    memcpy(g + 4, &h, 2);
    h = htons(1);
    memcpy(g + 6, &h, 2);
    v = htonl(op);
    memcpy(g + 8, &v, 4);
    v = htonl(seq);
    memcpy(g + 12, &v, 4);
    memcpy(g + 16, body, body_len);
    for (int i = 0; i < pack; i++) f[n + i] = g[i] ^ mask[i % 4];
    write_all(fd, f, n + pack);
}

static uint32_t be32(const unsigned char *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* the push number in a goim frame (op 9: its inner frames), or -1 */
static int push_number(const unsigned char *p, int len) {
    int at = 0, end = len;
    while (end - at >= 16) {
        uint32_t pack = be32(p + at);
        int hl = (p[at + 4] << 8) | p[at + 5];
        uint32_t op = be32(p + at + 8);
        if (pack < (uint32_t)hl || at + (int)pack > end) return -1;
        if (op == 9) {
            end = at + (int)pack;
            at += hl;
            continue;
        }
        int b = at + hl, e = at + (int)pack, k = (int)strlen(PREFIX);
        if (e - b > k && memcmp(p + b, PREFIX, k) == 0) {
            int n = 0;
            for (int i = b + k; i < e; i++) n = n * 10 + (p[i] - '0');
            return n;
        }
        at += (int)pack;
    }
    return -1;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(double *v, int n, double p) {
    if (n == 0) return 0;
    qsort(v, n, sizeof *v, cmp);
    int r = (int)((p / 100.0) * n + 0.999999);
    if (r < 1) r = 1;
    if (r > n) r = n;
    return v[r - 1];
}

static void line(const char *name, double *v, int n) {
    printf("%-22s %8.1f %8.1f %8.1f %8.1f %8d\n", name, pct(v, n, 50), pct(v, n, 90), pct(v, n, 99), pct(v, n, 100), n);
}

int main(int argc, char **argv) {
    if (argc < 8) {
        fprintf(stderr, "usage: %s <ws-port> <http-port> <http-path> <clients> <pushes> <warmup> <interval-ms> [room]\n", argv[0]);
        return 2;
    }
    int ws_port = atoi(argv[1]), http_port = atoi(argv[2]);
    const char *path = argv[3];
    int nc = atoi(argv[4]), pushes = atoi(argv[5]), warmup = atoi(argv[6]), interval = atoi(argv[7]);
    const char *room = argc > 8 ? argv[8] : "live://1000";
    int total = pushes + warmup;
    long long *sent = calloc(total, sizeof *sent);
    long long *recv_at = calloc((size_t)total * nc, sizeof *recv_at);
    client_t *cs = calloc(nc, sizeof *cs);
    int ep = epoll_create1(0), authed = 0, closed = 0;

    for (int i = 0; i < nc; i++) {
        cs[i].fd = connect_to(ws_port);
        char req[512];
        int n = snprintf(req, sizeof req,
                         "GET /sub HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
                         ws_port);
        write_all(cs[i].fd, req, n);
        fcntl(cs[i].fd, F_SETFL, O_NONBLOCK);
        struct epoll_event e = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &e);
        if (i % 200 == 199) usleep(200000); /* 1,000 connects a second */
    }
    int http = connect_to(http_port);
    fcntl(http, F_SETFL, O_NONBLOCK);
    struct epoll_event he = {.events = EPOLLIN, .data.u32 = (uint32_t)nc};
    epoll_ctl(ep, EPOLL_CTL_ADD, http, &he);

    struct epoll_event evs[1024];
    long long start = 0, deadline = now_ns() + 60000000000LL, next_hb = now_ns() + 30000000000LL;
    int next_push = 0, phase = 0; /* 0 authenticating, 1 pushing, 2 draining */
    long long drain_until = 0;
    char hbuf[4096];
    for (;;) {
        long long t = now_ns();
        if (phase == 0 && (authed + closed >= nc || t > deadline)) {
            fprintf(stderr, "%d of %d clients authenticated (%d closed)\n", authed, nc, closed);
            phase = 1;
            start = t;
        }
        if (phase == 1 && t >= start + (long long)next_push * interval * 1000000LL) {
            char body[64], req[1024];
            int bl = snprintf(body, sizeof body, PREFIX "%d", next_push);
            int n = snprintf(req, sizeof req,
                             "POST %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                             "Content-Length: %d\r\n\r\n%s",
                             path, http_port, bl, body);
            sent[next_push] = now_ns();
            write_all(http, req, n);
            if (++next_push == total) {
                phase = 2;
                drain_until = now_ns() + 5000000000LL;
            }
        }
        if (phase == 2 && now_ns() > drain_until) break;
        if (t > next_hb) {
            for (int i = 0; i < nc; i++)
                if (cs[i].state == 2) send_goim(cs[i].fd, 2, 2, "", 0);
            next_hb = t + 30000000000LL;
        }
        long long wake = phase == 1 ? start + (long long)next_push * interval * 1000000LL : t + 10000000LL;
        int timeout = (int)((wake - now_ns()) / 1000000LL);
        if (timeout < 0) timeout = 0;
        int n = epoll_wait(ep, evs, 1024, timeout);
        long long at = now_ns();
        for (int k = 0; k < n; k++) {
            uint32_t i = evs[k].data.u32;
            if (i == (uint32_t)nc) {
                while (read(http, hbuf, sizeof hbuf) > 0) {
                }
                continue;
            }
            client_t *c = &cs[i];
            ssize_t r = read(c->fd, c->buf + c->len, BUF - c->len);
            if (r <= 0) {
                if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
                    if (c->state != -1) closed++;
                    c->state = -1;
                    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
                    close(c->fd);
                }
                continue;
            }
            c->len += (int)r;
            if (c->state == 0) {
                char *endh = memmem(c->buf, c->len, "\r\n\r\n", 4);
                if (!endh) continue;
                int used = (int)(endh + 4 - (char *)c->buf);
                memmove(c->buf, c->buf + used, c->len - used);
                c->len -= used;
                char tok[256];
                int tl = snprintf(tok, sizeof tok, "{\"mid\":%d,\"room_id\":\"%s\",\"platform\":\"web\",\"accepts\":[1000]}",
                                  100000 + (int)i, room);
                send_goim(c->fd, 7, 1, tok, tl);
                c->state = 1;
            }
            /* whole WebSocket frames from the server (never masked) */
            for (;;) {
                if (c->len < 2) break;
                int op = c->buf[0] & 0x0f, hl = 2;
                uint64_t pl = c->buf[1] & 0x7f;
                if (pl == 126) {
                    if (c->len < 4) break;
                    pl = (c->buf[2] << 8) | c->buf[3];
                    hl = 4;
                } else if (pl == 127) {
                    if (c->len < 10) break;
                    pl = 0;
                    for (int b = 0; b < 8; b++) pl = (pl << 8) | c->buf[2 + b];
                    hl = 10;
                }
                if ((uint64_t)c->len < hl + pl) break;
                unsigned char *p = c->buf + hl;
                if (op == 8) {
                    if (c->state != -1) closed++;
                    c->state = -1;
                } else if (op == 2 && pl >= 16) {
                    uint32_t gop = be32(p + 8);
                    if (gop == 8 && c->state == 1) {
                        c->state = 2;
                        authed++;
                    } else {
                        int num = push_number(p, (int)pl);
                        if (num >= 0 && num < total && recv_at[(size_t)num * nc + i] == 0) recv_at[(size_t)num * nc + i] = at;
                    }
                }
                int used = hl + (int)pl;
                memmove(c->buf, c->buf + used, c->len - used);
                c->len -= used;
            }
        }
    }

    double *first = calloc(pushes, sizeof(double)), *last = calloc(pushes, sizeof(double));
    double *every = calloc((size_t)pushes * nc, sizeof(double));
    int nf = 0, ne = 0;
    long missing = 0;
    for (int q = warmup; q < total; q++) {
        long long mn = 0, mx = 0;
        int got = 0;
        for (int i = 0; i < nc; i++) {
            long long a = recv_at[(size_t)q * nc + i];
            if (cs[i].state != 2) continue;
            if (a == 0) {
                missing++;
                continue;
            }
            if (!got || a < mn) mn = a;
            if (!got || a > mx) mx = a;
            got++;
            every[ne++] = (a - sent[q]) / 1e6;
        }
        if (got > 0 && got == authed) {
            first[nf] = (mn - sent[q]) / 1e6;
            last[nf] = (mx - sent[q]) / 1e6;
            nf++;
        }
    }
    printf("room latency (C client): %d of %d clients in %s, %d pushes every %d ms (after %d warm-up)\n", authed, nc, room, pushes,
           interval, warmup);
    printf("%-22s %8s %8s %8s %8s %8s\n", "ms", "p50", "p90", "p99", "max", "n");
    line("first client", first, nf);
    line("last client", last, nf);
    line("every receipt", every, ne);
    printf("missing receipts: %ld; connections closed by the server: %d\n", missing, closed);
    return authed == nc && missing == 0 ? 0 : 1;
}
