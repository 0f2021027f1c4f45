/* The floor for switchless calls: a two-process shared-memory ping-pong in which both sides spin (with the CPU's
 * pause instruction) on one word, the shape of one switchless task (0 idle, 1 request posted, 2 response posted).
 * Built as a shared library so BenchmarkDotNet measures it in the same run as the managed calls: spp_start forks the
 * responder, spp_round_trip does one request/response, spp_stop ends the responder. Like a Wakeup-policy worker, the
 * responder parks on a futex after SPINS empty polls, so it does not burn a core between benchmarks; the caller
 * wakes it only when it is parked. */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define SPINS 200000

struct shared {
    _Atomic int word;
    char pad[60];
    _Atomic int parked;
};

static struct shared *s;
static pid_t child = -1;

/* The same pause as the managed pool's (PoolAccess.Pause): a few pause instructions for the first 64 polls, then
 * sched_yield, so on a machine with more runnable threads than cores the waiter hands its core to its peer. */
static inline void poll_pause(long n)
{
    if (n < 64) {
        for (int i = 0; i < 4; i++) {
#if defined(__x86_64__) || defined(__i386__)
            __builtin_ia32_pause();
#elif defined(__aarch64__)
            __asm__ __volatile__("yield");
#endif
        }
    } else {
        sched_yield();
    }
}

int spp_start(void)
{
    s = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (s == MAP_FAILED)
        return -1;
    atomic_store(&s->word, 0);
    atomic_store(&s->parked, 0);
    child = fork();
    if (child < 0)
        return -1;
    if (child == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        long idle = 0;
        for (;;) {
            int w = atomic_load_explicit(&s->word, memory_order_acquire);
            if (w == 3)
                _exit(0);
            if (w == 1) {
                atomic_store_explicit(&s->word, 2, memory_order_release);
                idle = 0;
                continue;
            }
            if (++idle < SPINS) {
                poll_pause(idle);
                continue;
            }
            atomic_store(&s->parked, 1);
            if (atomic_load(&s->word) == w)
                syscall(SYS_futex, &s->word, FUTEX_WAIT, w, NULL, NULL, 0);
            atomic_store(&s->parked, 0);
            idle = 0;
        }
    }
    return 0;
}

void spp_round_trip(void)
{
    atomic_store(&s->word, 1);
    if (atomic_load(&s->parked))
        syscall(SYS_futex, &s->word, FUTEX_WAKE, 1, NULL, NULL, 0);
    for (long n = 0; atomic_load_explicit(&s->word, memory_order_acquire) == 1; n++)
        poll_pause(n);
    atomic_store_explicit(&s->word, 0, memory_order_relaxed);
}

void spp_stop(void)
{
    if (child > 0) {
        atomic_store(&s->word, 3);
        syscall(SYS_futex, &s->word, FUTEX_WAKE, 1, NULL, NULL, 0);
        waitpid(child, NULL, 0);
        child = -1;
    }
}
