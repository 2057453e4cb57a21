#!/bin/sh
# make crash: the kill-and-restart harnesses at full size.
set -u
cd "$(dirname "$0")/../.." || exit 2
failed=0
sh tests/crash/run_kill.sh 100000 25 || failed=1
[ -f tests/crash/serve_kill.sh ] && { sh tests/crash/serve_kill.sh || failed=1; }
exit $failed
