/*
 * airlock-probe: runs inside a sandbox, tries one thing, and reports what happened.
 *
 * Each check prints one line and exits 0 when the attempt SUCCEEDED and 1 when it was refused
 * (the line then names the errno), so tests can assert either way. Misbehaviours (bombs,
 * floods, hangs) never return on their own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <unistd.h>

static int report(const char *what, int rc) {
    if (rc == 0) { printf("%s: ok\n", what); return 0; }
    printf("%s: %s\n", what, strerrorname_np(errno) ? strerrorname_np(errno) : "unknown");
    return 1;
}

static int read_file(const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return report("read", -1);
    char buf[64];
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    return report("read", n < 0 ? -1 : 0);
}

static int write_file(const char *path) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0) return report("write", -1);
    ssize_t n = write(fd, "x", 1);
    close(fd);
    return report("write", n == 1 ? 0 : -1);
}

static int list_processes(void) {
    DIR *d = opendir("/proc");
    if (!d) return report("ps", -1);
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] >= '0' && e->d_name[0] <= '9') { printf("pid %s\n", e->d_name); count++; }
    }
    closedir(d);
    printf("processes: %d\n", count);
    return 0;
}

static int connect_loopback(int port) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) return report("connect", -1);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int rc = connect(s, (struct sockaddr *)&a, sizeof a);
    close(s);
    return report("connect", rc);
}

static int print_status_lines(const char *prefixes[], int n) {
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return report("status", -1);
    char line[256];
    while (fgets(line, sizeof line, f)) {
        for (int i = 0; i < n; i++)
            if (strncmp(line, prefixes[i], strlen(prefixes[i])) == 0) fputs(line, stdout);
    }
    fclose(f);
    return 0;
}

static int fork_bomb(void) {
    int count = 0;
    for (;;) {
        pid_t pid = fork();
        if (pid == 0) { pause(); _exit(0); }
        if (pid < 0) { printf("forked %d then: %s\n", count, strerrorname_np(errno)); fflush(stdout); return 0; }
        count++;
    }
}

static int memory_bomb(long megabytes) {
    for (long i = 0; megabytes == 0 || i < megabytes; i++) {
        char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) { printf("mmap failed after %ld MiB: %s\n", i, strerrorname_np(errno)); return 1; }
        memset(p, 1, 1 << 20);
    }
    printf("allocated %ld MiB\n", megabytes);
    return 0;
}

static int daemonize(void) {
    pid_t child = fork();
    if (child == 0) {
        setsid();
        if (fork() == 0) { for (;;) pause(); }
        _exit(0);
    }
    waitpid(child, NULL, 0);
    printf("daemon started\n");
    return 0;
}

static int flood(long bytes) {
    static char block[65536];
    memset(block, 'A', sizeof block);
    while (bytes > 0) {
        size_t n = bytes < (long)sizeof block ? (size_t)bytes : sizeof block;
        ssize_t w = write(1, block, n);
        if (w < 0) return 1;
        bytes -= w;
    }
    return 0;
}

static int list_fds(void) {
    DIR *d = opendir("/proc/self/fd");
    if (!d) return report("fds", -1);
    int self = dirfd(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || atoi(e->d_name) == self) continue;
        printf("fd %s\n", e->d_name);
    }
    closedir(d);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: airlock-probe CHECK [ARG]\n"); return 2; }
    const char *check = argv[1];
    const char *arg = argc > 2 ? argv[2] : "";
    setvbuf(stdout, NULL, _IONBF, 0);
    if (!strcmp(check, "hello")) { puts("hello"); return 0; }
    if (!strcmp(check, "args")) { for (int i = 2; i < argc; i++) printf("[%s]\n", argv[i]); return 0; }
    if (!strcmp(check, "env")) { extern char **environ; for (char **e = environ; *e; e++) puts(*e); return 0; }
    if (!strcmp(check, "exit")) return atoi(arg);
    if (!strcmp(check, "read")) return read_file(arg);
    if (!strcmp(check, "write")) return write_file(arg);
    if (!strcmp(check, "ps")) return list_processes();
    if (!strcmp(check, "connect")) return connect_loopback(atoi(arg));
    if (!strcmp(check, "mount")) return report("mount", mount("tmpfs", "/tmp", "tmpfs", 0, NULL));
    if (!strcmp(check, "userns")) return report("unshare", unshare(CLONE_NEWUSER));
    if (!strcmp(check, "netns")) return report("unshare", unshare(CLONE_NEWNET));
    if (!strcmp(check, "ptrace")) {
        pid_t child = fork();
        if (child == 0) { pause(); _exit(0); }
        int rc = (int)ptrace(PTRACE_ATTACH, child, NULL, NULL);
        int saved = errno;
        kill(child, SIGKILL);
        errno = saved;
        return report("ptrace", rc == 0 ? 0 : -1);
    }
    if (!strcmp(check, "kill")) return report("kill", kill(atoi(arg), 0));
    if (!strcmp(check, "caps")) {
        const char *p[] = { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb" };
        return print_status_lines(p, 5);
    }
    if (!strcmp(check, "privs")) {
        const char *p[] = { "NoNewPrivs", "Seccomp:", "Uid", "Gid", "Groups" };
        return print_status_lines(p, 5);
    }
    if (!strcmp(check, "forkbomb")) return fork_bomb();
    if (!strcmp(check, "membomb")) return memory_bomb(atol(arg));
    if (!strcmp(check, "spin")) { for (volatile unsigned long i = 0;; i++) {} }
    if (!strcmp(check, "sleep")) { puts("sleeping"); for (;;) pause(); }
    if (!strcmp(check, "daemon")) return daemonize();
    if (!strcmp(check, "flood")) return flood(atol(arg));
    if (!strcmp(check, "stderr-flood")) { dup2(2, 1); return flood(atol(arg)); }
    if (!strcmp(check, "fds")) return list_fds();
    if (!strcmp(check, "syscall")) return report("syscall", syscall(atol(arg), 0, 0, 0, 0, 0, 0) < 0 ? -1 : 0);
    if (!strcmp(check, "x32")) return report("x32 getpid", syscall(0x40000000 | SYS_getpid) < 0 ? -1 : 0);
    if (!strcmp(check, "hostname")) { char h[128] = {0}; gethostname(h, sizeof h - 1); puts(h); return 0; }
    if (!strcmp(check, "cat")) { char b[4096]; ssize_t n; while ((n = read(0, b, sizeof b)) > 0) fwrite(b, 1, (size_t)n, stdout); return 0; }
    fprintf(stderr, "unknown check %s\n", check);
    return 2;
}
