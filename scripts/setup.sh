#!/usr/bin/env bash
# Prepare a Debian 12 machine for nicflow: packages, a running Open vSwitch, versions.
# Idempotent and non-interactive. Needs root to change anything; as another user it
# reports what is missing and exits non-zero if anything is.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

PACKAGES=(
  openvswitch-switch   # ovs-vswitchd/ovsdb-server, ovs-vsctl, ovs-ofctl, ovs-appctl
  mininet              # /usr/bin/mn, mnexec and the Python module (for /usr/bin/python3)
  python3-yaml         # config loading in mininet-topologies/
  ethtool              # tx checksum offload off on veths (userspace datapath)
  iproute2
  iputils-ping
  iperf3
  openvswitch-testcontroller  # ovs-testcontroller, the baseline of `nicflow bench miss` and `bench cps`
  netcat-openbsd
  nginx                # the web server of `nicflow bench soak` (started by the benchmark in a VM, not as a service)
  wrk                  # the HTTP load generator of `nicflow bench soak`
  openjdk-17-jdk-headless
  maven
)
OVS_CTL=/usr/share/openvswitch/scripts/ovs-ctl
# Where openvswitch-testcontroller's init script keeps the pid of the service its postinst may start.
TESTCONTROLLER_PIDFILE=/var/run/openvswitch/ovs-testcontroller.pid
# Where nginx's init script keeps the pid of the service its postinst may start.
NGINX_PIDFILE=/run/nginx.pid

say() { printf '[setup] %s\n' "$*" >&2; }

missing_packages() {
  local p
  for p in "${PACKAGES[@]}"; do
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)" = installed ] || echo "$p"
  done
}

ovs_running() { command -v ovs-vsctl >/dev/null && ovs-vsctl --timeout=5 show >/dev/null 2>&1; }

# Without root the database socket is closed to us: look at the daemons' pid files instead.
ovs_daemons_alive() {
  local d pid
  for d in ovsdb-server ovs-vswitchd; do
    pid="$(cat "/var/run/openvswitch/$d.pid" 2>/dev/null)" || return 1
    [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  done
}

# openvswitch-testcontroller's postinst starts a system service listening on the OpenFlow port
# (6653): nicflow and the tests need it free, and benchmarks start their own ovs-testcontroller
# on a port of their choosing. Stop the service by its pid file, only if that pid is the service.
stop_testcontroller_service() {
  local pid
  pid="$(cat "$TESTCONTROLLER_PIDFILE" 2>/dev/null)" || return 0
  if [ -n "$pid" ] && [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = /usr/bin/ovs-testcontroller ]; then
    say "stopping the ovs-testcontroller service its package started (pid $pid)"
    kill "$pid" 2>/dev/null || true
  fi
  rm -f "$TESTCONTROLLER_PIDFILE"
}

# nginx's postinst may start it as a system service on port 80; `bench soak` runs its own nginx
# with its own config inside a VM's namespace and needs no service. Stop the one the install
# started, by its pid file, only if that pid is nginx (called only right after installing).
stop_nginx_service() {
  local pid
  pid="$(cat "$NGINX_PIDFILE" 2>/dev/null)" || return 0
  if [ -n "$pid" ] && [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = /usr/sbin/nginx ]; then
    say "stopping the nginx service its package started (pid $pid)"
    kill -QUIT "$pid" 2>/dev/null || true
  fi
}

mapfile -t missing < <(missing_packages)

if [ "$(id -u)" -ne 0 ]; then
  needs=0
  if [ ${#missing[@]} -gt 0 ]; then
    say "as root this would run: apt-get install -y --no-install-recommends ${missing[*]}"
    needs=1
  fi
  if ! ovs_running && ! ovs_daemons_alive; then
    say "as root this would start Open vSwitch: $OVS_CTL start --system-id=random"
    needs=1
  fi
  if [ $needs -ne 0 ]; then
    say "not root: nothing changed. Re-run with sudo."
    exit 1
  fi
  say "not root, but nothing is missing and Open vSwitch is running."
else
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing: ${missing[*]}"
    apt-get update -qq
    # Mininet's postinst and openvswitch-switch's service start may fail in containers
    # without systemd; the packages still unpack, and OVS is started below.
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 || {
      say "apt-get install reported an error; checking what actually got installed"
    }
    stop_testcontroller_service
    case " ${missing[*]} " in *" nginx "*) stop_nginx_service ;; esac
    mapfile -t still < <(missing_packages)
    if [ ${#still[@]} -gt 0 ]; then
      say "still missing after apt-get: ${still[*]}"
      exit 1
    fi
  fi
  if ! ovs_running; then
    say "starting Open vSwitch"
    # No openvswitch kernel module here: bridges use datapath_type=netdev, which needs
    # only the daemons. setsid: the daemons must outlive this script's session.
    # The daemons must not inherit descriptors of whoever runs this (a caller's flock(1) lock file
    # would stay locked for as long as Open vSwitch runs).
    (for fd in /proc/$BASHPID/fd/*; do fd=${fd##*/}; [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done
     exec setsid "$OVS_CTL" start --system-id=random </dev/null >&2 2>&1) || true
    ovs_running || { say "Open vSwitch did not start (see /var/log/openvswitch/)"; exit 1; }
  fi
fi

say "versions:"
{
  # awk, not head: head would close the pipe early and pipefail would report it.
  ovs-vsctl --version | awk 'NR == 1'
  echo "mininet $(mn --version 2>&1)"
  /usr/bin/python3 -c 'import sys, yaml; print("python", sys.version.split()[0], "pyyaml", yaml.__version__)'
  java -version 2>&1 | awk 'NR == 1'
  mvn -B -v 2>/dev/null | sed 's/\x1b\[[0-9;]*m//g' | awk 'NR == 1'
  iperf3 --version | awk 'NR == 1'
  nginx -v 2>&1 | awk 'NR == 1'
  { wrk -v 2>&1 || true; } | awk 'NR == 1'   # wrk -v exits 1 after printing its version
} | sed 's/^/  /' >&2
