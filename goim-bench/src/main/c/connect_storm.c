/*
 * connect_storm: goim-bench's connect-storm in C, single-threaded on epoll, so that on a small
 * machine the load tool does not take the cores the services need (the Java client spends about
 * 0.7 ms of CPU per connect and handshake; this one a few µs). Same method as
 * io.goim.bench.ConnectStorm: N WebSocket clients connect at a fixed rate, each sends op 7 with
 * goim's JSON token right after the upgrade, as goim's JavaScript client does, they stay
 * hold-ms once all are settled, then leave. It counts who got op 8, who was closed by the server
 * (by close code) and who failed otherwise (refused, reset, no answer within 30 s), and prints
 * connect-to-op-8 percentiles.
 *
 *   gcc -O2 -o connect-storm goim-bench/src/main/c/connect_storm.c
 *   ./connect-storm <ws-port> <clients> <per-second> [hold-ms] [mid-base] [room]
 *
 * Linux only; talks to 127.0.0.1. Exit code 0 when every client got op 8 and none was closed.
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
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF 512
#define GIVE_UP_NS (30LL * 1000000000LL)

enum { CONNECTING, UPGRADING, AUTHENTICATING, AUTHENTICATED, CLOSED, FAILED };

typedef struct {
    int fd;
    int state;
    int len;
    long long started;
    long long authed;
    unsigned char buf[BUF];
} client_t;

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_ll(const void *a, const void *b) {
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

static int closes[5000];
static int settled, authenticated, failed, closed;
static int port, epfd;
static long long mid_base;
static const char *room;

static void settle(client_t *c, int state) {
    if (c->state == AUTHENTICATED || c->state == CLOSED || c->state == FAILED) {
        return;
    }
    c->state = state;
    settled++;
    if (state == AUTHENTICATED) {
        authenticated++;
    } else if (state == CLOSED) {
        closed++;
    } else {
        failed++;
    }
}

/* why a client failed, by the state it was in: printed after "failed" to tell a refused connect from
 * a reset, a close without a frame or no answer at all */
enum { WHY_CONNECT, WHY_SOCKET_ERROR, WHY_EOF, WHY_READ, WHY_UPGRADE, WHY_FRAME, WHY_SEND, WHY_TIMEOUT, WHYS };
static const char *why_names[WHYS] = {"connect", "socket-error", "eof", "read-error", "not-101", "bad-frame", "send",
                                      "no-answer-30s"};
static const char *state_names[] = {"connecting", "upgrading", "authenticating"};
static int why_counts[WHYS][3];
static int socket_errors[256];

static void drop(client_t *c, int state);

static void fail(client_t *c, int why) {
    if (c->state <= AUTHENTICATING) why_counts[why][c->state]++;
    if (why == WHY_SOCKET_ERROR && c->fd >= 0) {
        int err = 0;
        socklen_t len = sizeof err;
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err > 0 && err < 256) socket_errors[err]++;
    }
    drop(c, FAILED);
}

static void drop(client_t *c, int state) {
    settle(c, state);
    if (c->fd >= 0) {
        epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
        c->fd = -1;
    }
}

static int send_all(int fd, const unsigned char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            return -1; /* a fresh socket's buffer takes these few hundred bytes whole */
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int send_upgrade(client_t *c) {
    char req[256];
    int n = snprintf(req, sizeof req,
                     "GET /sub HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
                     port);
    return send_all(c->fd, (unsigned char *)req, (size_t)n);
}

/* op 7 with the token, as one masked binary WebSocket message (mask 0: the payload as is) */
static int send_auth(client_t *c, long long mid) {
    char token[200];
    int tl = snprintf(token, sizeof token,
                      "{\"mid\":%lld,\"room_id\":\"%s\",\"platform\":\"web\",\"accepts\":[1000]}", mid, room);
    unsigned char m[256];
    int pack = 16 + tl;
    int at = 0;
    m[at++] = 0x82;
    if (pack < 126) { /* the shortest length encoding, as RFC 6455 wants */
        m[at++] = (unsigned char)(0x80 | pack);
    } else {
        m[at++] = 0x80 | 126;
        m[at++] = (unsigned char)(pack >> 8);
        m[at++] = (unsigned char)pack;
    }
    m[at++] = 0; m[at++] = 0; m[at++] = 0; m[at++] = 0; /* mask key */
    unsigned char h[16] = {(unsigned char)(pack >> 24), (unsigned char)(pack >> 16), (unsigned char)(pack >> 8),
                           (unsigned char)pack, 0, 16, 0, 1, 0, 0, 0, 7, 0, 0, 0, 1};
    memcpy(m + at, h, 16);
    at += 16;
    memcpy(m + at, token, (size_t)tl);
    at += tl;
    return send_all(c->fd, m, (size_t)at);
}

/* what came in: the upgrade reply, then WebSocket frames from the server (never masked) */
static void readable(client_t *c, long long mid) {
    for (;;) {
        ssize_t r = read(c->fd, c->buf + c->len, BUF - (size_t)c->len);
        if (r == 0) {
            fail(c, WHY_EOF);
            return;
        }
        if (r < 0) {
            if (errno != EAGAIN) {
                fail(c, WHY_READ);
            }
            return;
        }
        c->len += (int)r;
        if (c->state == UPGRADING) {
            unsigned char *end = memmem(c->buf, (size_t)c->len, "\r\n\r\n", 4);
            if (end == NULL) {
                if (c->len == BUF) {
                    fail(c, WHY_UPGRADE);
                    return;
                }
                continue;
            }
            if (c->len < 12 || memcmp(c->buf + 9, "101", 3) != 0) {
                fail(c, WHY_UPGRADE);
                return;
            }
            int rest = c->len - (int)(end + 4 - c->buf);
            memmove(c->buf, end + 4, (size_t)rest);
            c->len = rest;
            c->state = AUTHENTICATING;
            if (send_auth(c, mid) != 0) {
                fail(c, WHY_SEND);
                return;
            }
        }
        while (c->len >= 2) {
            int opcode = c->buf[0] & 0x0f;
            int len = c->buf[1] & 0x7f, head = 2;
            if (len == 126) {
                if (c->len < 4) break;
                len = (c->buf[2] << 8) | c->buf[3];
                head = 4;
            } else if (len == 127) {
                fail(c, WHY_FRAME); /* nothing comet sends before op 8 is that long */
                return;
            }
            if (head + len > BUF) {
                fail(c, WHY_FRAME);
                return;
            }
            if (c->len < head + len) break;
            unsigned char *p = c->buf + head;
            if (opcode == 8) {
                int code = len >= 2 ? (p[0] << 8) | p[1] : 0;
                if (code >= 0 && code < 5000) closes[code]++;
                drop(c, CLOSED);
                return;
            }
            if (opcode == 2 && len >= 16 && c->state == AUTHENTICATING) {
                int op = (p[8] << 24) | (p[9] << 16) | (p[10] << 8) | p[11];
                if (op == 8) {
                    c->authed = now_ns();
                    settle(c, AUTHENTICATED);
                }
            }
            memmove(c->buf, c->buf + head + len, (size_t)(c->len - head - len));
            c->len -= head + len;
        }
    }
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s <ws-port> <clients> <per-second> [hold-ms] [mid-base] [room]\n", argv[0]);
        return 2;
    }
    port = atoi(argv[1]);
    int n = atoi(argv[2]);
    int rate = atoi(argv[3]);
    long long hold_ms = argc > 4 ? atoll(argv[4]) : 1000;
    mid_base = argc > 5 ? atoll(argv[5]) : 1;
    room = argc > 6 ? argv[6] : "live://1000";

    struct rlimit lim;
    getrlimit(RLIMIT_NOFILE, &lim);
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
    if (lim.rlim_cur < (rlim_t)n + 16) {
        fprintf(stderr, "open files limit %ld is below %d clients\n", (long)lim.rlim_cur, n);
        return 2;
    }

    client_t *clients = calloc((size_t)n, sizeof(client_t));
    epfd = epoll_create1(0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    struct epoll_event events[1024];
    long long start = now_ns(), per = 1000000000LL / (rate > 0 ? rate : 1);
    int next = 0;
    long long connected_all = 0, last_check = 0;

    while (settled < n) {
        long long now = now_ns();
        /* at most 256 new connections between two looks at the ones under way: a client that fell
         * behind schedule would otherwise open thousands in one go (on loopback each connect()
         * runs the TCP handshake itself) and leave the upgraded ones without their auth frame */
        int burst = 0;
        while (next < n && start + next * per <= now && burst++ < 256) {
            client_t *c = &clients[next];
            c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            int one = 1;
            setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            c->started = now_ns();
            c->state = CONNECTING;
            if (connect(c->fd, (struct sockaddr *)&a, sizeof a) != 0 && errno != EINPROGRESS) {
                fail(c, WHY_CONNECT);
            } else {
                struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.u32 = (uint32_t)next};
                epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev);
            }
            next++;
        }
        if (next == n && connected_all == 0) {
            connected_all = now_ns();
        }
        long long wait_ns = next < n ? start + next * per - now_ns() : 100000000LL;
        int timeout = wait_ns <= 0 ? 0 : (int)(wait_ns / 1000000) + 1;
        int k = epoll_wait(epfd, events, 1024, timeout);
        for (int i = 0; i < k; i++) {
            client_t *c = &clients[events[i].data.u32];
            if (c->fd < 0) continue;
            if (events[i].events & (EPOLLERR | EPOLLHUP)) {
                fail(c, WHY_SOCKET_ERROR);
                continue;
            }
            if (c->state == CONNECTING && (events[i].events & EPOLLOUT)) {
                struct epoll_event ev = {.events = EPOLLIN, .data.u32 = events[i].data.u32};
                epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
                c->state = UPGRADING;
                if (send_upgrade(c) != 0) {
                    fail(c, WHY_SEND);
                    continue;
                }
            }
            if (events[i].events & EPOLLIN) {
                readable(c, mid_base + events[i].data.u32);
            }
        }
        /* a client that got no answer within 30 s gives up, as a connect timeout would */
        long long late = now_ns() - GIVE_UP_NS;
        if (next == n && now_ns() - last_check > 100000000LL) {
            last_check = now_ns();
            for (int i = 0; i < n; i++) {
                client_t *c = &clients[i];
                if (c->state < AUTHENTICATED && c->started < late) fail(c, WHY_TIMEOUT);
            }
        }
    }
    double seconds = (connected_all ? connected_all - start : now_ns() - start) / 1e9;
    struct timespec hold = {.tv_sec = hold_ms / 1000, .tv_nsec = (hold_ms % 1000) * 1000000};
    nanosleep(&hold, NULL);
    for (int i = 0; i < n; i++) {
        if (clients[i].fd >= 0) close(clients[i].fd);
    }

    long long *ms = malloc(sizeof(long long) * (size_t)(authenticated > 0 ? authenticated : 1));
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (clients[i].authed) ms[m++] = (clients[i].authed - clients[i].started) / 1000000;
    }
    qsort(ms, (size_t)m, sizeof(long long), cmp_ll);
    printf("connect-storm: %d clients at %d/s (%.0f/s reached): authenticated %d, closed by the server %d {", n, rate,
           n / (seconds > 0 ? seconds : 1e-9), authenticated, closed);
    int first = 1;
    for (int code = 0; code < 5000; code++) {
        if (closes[code]) {
            printf("%s%d=%d", first ? "" : ", ", code, closes[code]);
            first = 0;
        }
    }
    printf("}, failed %d", failed);
    if (failed > 0) {
        printf(" {");
        first = 1;
        for (int w = 0; w < WHYS; w++) {
            for (int st = 0; st < 3; st++) {
                if (why_counts[w][st]) {
                    printf("%s%s while %s=%d", first ? "" : ", ", why_names[w], state_names[st], why_counts[w][st]);
                    first = 0;
                }
            }
        }
        for (int e = 1; e < 256; e++) {
            if (socket_errors[e]) printf(", %s=%d", strerror(e), socket_errors[e]);
        }
        printf("}");
    }
    printf("\n");
    if (m > 0) {
        printf("  connect to op 8, ms: p50 %lld  p90 %lld  p99 %lld  max %lld\n", ms[m / 2], ms[(int)(m * 0.9)],
               ms[(int)(m * 0.99)], ms[m - 1]);
    }
    return authenticated == n ? 0 : 1;
}
