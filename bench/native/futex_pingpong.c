/* The floor for the simulation engine's regular ECALL: a two-process futex ping-pong in C, with the same protocol
 * as one slot (0 idle, 1 request posted, 2 response posted; one FUTEX_WAKE each way). Built as a shared library so
 * BenchmarkDotNet measures it in the same run as the managed calls: fpp_start forks the responder process,
 * fpp_round_trip does one request/response, fpp_stop ends the responder. The child runs only this C loop. */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static _Atomic int *word;
static pid_t child = -1;

static void futex_wait(_Atomic int *w, int expected) { syscall(SYS_futex, w, FUTEX_WAIT, expected, NULL, NULL, 0); }
static void futex_wake(_Atomic int *w) { syscall(SYS_futex, w, FUTEX_WAKE, 1, NULL, NULL, 0); }

int fpp_start(void)
{
    word = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (word == MAP_FAILED)
        return -1;
    atomic_store(word, 0);
    child = fork();
    if (child < 0)
        return -1;
    if (child == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        for (;;) {
            int s = atomic_load(word);
            if (s == 3)
                _exit(0);
            if (s != 1) {
                futex_wait(word, s);
                continue;
            }
            atomic_store(word, 2);
            futex_wake(word);
        }
    }
    return 0;
}

void fpp_round_trip(void)
{
    atomic_store(word, 1);
    futex_wake(word);
    int s;
    while ((s = atomic_load(word)) == 1)
        futex_wait(word, 1);
    atomic_store(word, 0);
}

void fpp_stop(void)
{
    if (child > 0) {
        atomic_store(word, 3);
        futex_wake(word);
        waitpid(child, NULL, 0);
        child = -1;
    }
}
