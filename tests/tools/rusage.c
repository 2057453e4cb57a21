/*
 * rusage.c - run a command and report its wall time and peak memory,
 * for tests and benchmarks on machines without /usr/bin/time.
 *
 *   rusage [--report FILE] CMD [ARGS...]
 *
 * Writes "wall_ms=N maxrss_kb=N exit=N" (one line) to FILE, or to
 * stderr, and exits with the command's status (128+signal if it died).
 * Peak memory is the child's ru_maxrss from wait4(2).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	const char *report = NULL;
	struct timespec t0, t1;
	struct rusage ru;
	FILE *out = stderr;
	pid_t pid;
	int i = 1, status, code;
	long ms;

	if (argc > 2 && strcmp(argv[1], "--report") == 0) {
		report = argv[2];
		i = 3;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: rusage [--report FILE] CMD "
		    "[ARGS...]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((pid = fork()) < 0) {
		perror("rusage: fork");
		return 3;
	}
	if (pid == 0) {
		execvp(argv[i], argv + i);
		fprintf(stderr, "rusage: %s: %s\n", argv[i], strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR) {
			perror("rusage: wait4");
			return 3;
		}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (long)(t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000;
	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (report != NULL && (out = fopen(report, "w")) == NULL) {
		perror("rusage: report");
		return 3;
	}
	fprintf(out, "wall_ms=%ld maxrss_kb=%ld exit=%d\n", ms, ru.ru_maxrss,
	    code);
	if (out != stderr)
		fclose(out);
	return code;
}
