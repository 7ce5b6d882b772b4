#!/usr/bin/env bash
# The project's test command (README): prepare the machine, then every unit test and, as root,
# the Mininet/Open vSwitch integration tests (failsafe). Extra arguments go to Maven.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

if [ "$(id -u)" -eq 0 ]; then
  bash scripts/setup.sh
else
  cat >&2 <<'BANNER'
!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
!!! NOT ROOT: the Mininet/Open vSwitch integration tests will be SKIPPED.    !!!
!!! Only unit tests run. For the full suite: sudo scripts/test.sh            !!!
!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
BANNER
  bash scripts/setup.sh || echo "[test] the machine is not fully set up (see above); going on" >&2
fi

echo "[test] mininet-topologies unit tests" >&2
/usr/bin/python3 -m unittest discover -s mininet-topologies -p 'test_*.py'

echo "[test] mvn -B verify" >&2
exec mvn -B verify "$@"
