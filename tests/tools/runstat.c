/*
 * runstat.c - run a command, report its wall time and peak memory.
 *
 *   runstat CMD [ARG...]
 *
 * Prints "WALL_MS MAXRSS_KB" on stdout and exits with the command's
 * status (125 if it could not run). The command's own stdout goes to
 * /dev/null; its stderr is left alone. Benchmarks use it instead of
 * /usr/bin/time, which a fresh CI machine does not have.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	int status, fd;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: runstat CMD [ARG...]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((pid = fork()) < 0) {
		perror("runstat: fork");
		return 125;
	}
	if (pid == 0) {
		if ((fd = open("/dev/null", O_WRONLY)) >= 0) {
			dup2(fd, 1);
			close(fd);
		}
		execvp(argv[1], argv + 1);
		perror(argv[1]);
		_exit(125);
	}
	if (wait4(pid, &status, 0, &ru) != pid) {
		perror("runstat: wait4");
		return 125;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%lld %ld\n", (long long)(t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000, ru.ru_maxrss);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 125;
}
