/* Clocks, sleeping (poll_oneoff with clock subscriptions), poll() on descriptors, randomness
 * and sched_yield. Only properties are printed: times themselves differ run to run. */
//! STDIN: some input for poll
#include <poll.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static long long ns(clockid_t c) {
  struct timespec t;
  CHECK(clock_gettime(c, &t) == 0);
  return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(void) {
  long long r = ns(CLOCK_REALTIME);
  printf("realtime after 2020: %d\n", r > 1577836800LL * 1000000000LL);
  long long m1 = ns(CLOCK_MONOTONIC);
  struct timespec req = {0, 30 * 1000 * 1000};
  CHECK(nanosleep(&req, NULL) == 0);
  long long m2 = ns(CLOCK_MONOTONIC);
  printf("slept at least 30ms: %d\n", m2 - m1 >= 30000000LL);
  printf("slept less than 2s: %d\n", m2 - m1 < 2000000000LL);
  long long c1 = ns(CLOCK_PROCESS_CPUTIME_ID);
  volatile unsigned long x = 0;
  (void)x;
  for (unsigned long i = 0; i < 20000000; ++i) x += i * i;
  long long c2 = ns(CLOCK_PROCESS_CPUTIME_ID);
  printf("cpu time advances: %d\n", c2 > c1);
  printf("thread cpu time positive: %d\n", ns(CLOCK_THREAD_CPUTIME_ID) > 0);
  struct timespec res;
  CHECK(clock_getres(CLOCK_MONOTONIC, &res) == 0);
  printf("monotonic resolution <= 1ms: %d\n", res.tv_sec == 0 && res.tv_nsec <= 1000000);
  CHECK(clock_getres(CLOCK_REALTIME, &res) == 0);
  printf("realtime resolution <= 1ms: %d\n", res.tv_sec == 0 && res.tv_nsec <= 1000000);
  /* clock_nanosleep with an absolute deadline. */
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  now.tv_nsec += 20 * 1000 * 1000;
  if (now.tv_nsec >= 1000000000) {
    now.tv_sec++;
    now.tv_nsec -= 1000000000;
  }
  m1 = ns(CLOCK_MONOTONIC);
  printf("clock_nanosleep abs: %d\n", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &now, NULL));
  printf("abs sleep waited: %d\n", ns(CLOCK_MONOTONIC) - m1 >= 15000000LL);

  /* poll: stdin (a file) is readable, stdout writable; a timeout-only poll sleeps. */
  struct pollfd fds[2] = {{0, POLLIN, 0}, {1, POLLOUT, 0}};
  int n = poll(fds, 2, 1000);
  printf("poll ready: %d in=%d out=%d\n", n, (fds[0].revents & POLLIN) != 0, (fds[1].revents & POLLOUT) != 0);
  m1 = ns(CLOCK_MONOTONIC);
  n = poll(NULL, 0, 25);
  printf("poll timeout: %d waited=%d\n", n, ns(CLOCK_MONOTONIC) - m1 >= 20000000LL);
  int fd = open("pollme.txt", O_RDWR | O_CREAT, 0644);
  CHECK(fd >= 0);
  CHECK(write(fd, "abc", 3) == 3);
  struct pollfd pf = {fd, POLLIN | POLLOUT, 0};
  n = poll(&pf, 1, 0);
  printf("poll file: %d in=%d out=%d\n", n, (pf.revents & POLLIN) != 0, (pf.revents & POLLOUT) != 0);
  close(fd);

  unsigned char buf[256];
  memset(buf, 0, sizeof buf);
  CHECK(getentropy(buf, sizeof buf) == 0);
  int nonzero = 0;
  for (size_t i = 0; i < sizeof buf; ++i) nonzero += buf[i] != 0;
  printf("random bytes mostly nonzero: %d\n", nonzero > 200);
  unsigned char buf2[256];
  CHECK(getentropy(buf2, sizeof buf2) == 0);
  printf("random differs: %d\n", memcmp(buf, buf2, sizeof buf) != 0);
  printf("sched_yield: %d\n", sched_yield());
  return 0;
}
