/*
 * rusage.c - run a command and report its wall time and peak memory.
 *
 *   rusage [-o FILE] CMD [ARGS...]
 *
 * Prints "wall_s=1.234 maxrss_kb=5678 status=0" to stderr (or appends it
 * to FILE) and exits with the command's status. Benchmarks and the
 * resource-bound tests use it instead of /usr/bin/time, which a fresh
 * machine may not have.
 */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	const char *outpath = NULL;
	FILE *out = stderr;
	int status, argi = 1;
	pid_t pid;

	if (argc > 2 && strcmp(argv[1], "-o") == 0) {
		outpath = argv[2];
		argi = 3;
	}
	if (argi >= argc) {
		fprintf(stderr, "usage: rusage [-o FILE] CMD [ARGS...]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((pid = fork()) < 0)
		return 3;
	if (pid == 0) {
		execvp(argv[argi], argv + argi);
		perror(argv[argi]);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0)
		return 3;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (outpath && (out = fopen(outpath, "a")) == NULL)
		out = stderr;
	fprintf(out, "wall_s=%.3f maxrss_kb=%ld status=%d\n",
	    (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
	    ru.ru_maxrss, WIFEXITED(status) ? WEXITSTATUS(status) : 128 +
	    WTERMSIG(status));
	if (out != stderr)
		fclose(out);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
