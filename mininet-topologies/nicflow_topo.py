#!/usr/bin/python3
"""Build a Mininet network from a nicflow configuration (docs/config.md).

One Open vSwitch bridge per host, named after the host (userspace datapath,
fail_mode=secure, OpenFlow 1.3-1.5, the config's dpid, one remote controller).
Each VM is a Mininet host named after the VM: inside its namespace the
interface is ``<vm>-eth0`` with the VM's MAC and ``IP/prefix-length`` of its
VNET and a default route via the VNET gateway; the switch-side end of its link
is named exactly as the config's ``port``.

The hosts' uplinks are patch ports joined by a standalone bridge,
``nfm-underlay``. Every host bridge has one VXLAN port per other host,
``tun-<other>`` (``options:remote_ip``, ``options:key=flow``, and
``options:local_ip`` = its own underlay address). All bridges share one
ovs-vswitchd, so the underlay addresses live on the ``nfm-underlay`` bridge's
local port and encapsulated frames are handed back to that port, where the
userspace datapath decapsulates them onto the receiving host's ``tun-*`` port.
See README.md in this directory.

Run as root with /usr/bin/python3 (Mininet's module lives there).
"""

import argparse
import ipaddress
import json
import os
import re
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from typing import Dict, List, Optional

UNDERLAY_BRIDGE = 'nfm-underlay'
EXTERNAL_HOST = 'nfm-ext'                 # optional endpoint on the physical network
EXTERNAL_PORT = 'nfm-ext-p'               # its veth end on the underlay bridge
DEFAULT_EXTERNAL_IPS = ('198.51.100.1/24',)
DEFAULT_NEXT_HOP_MAC = '02:00:00:00:fe:01'
VXLAN_PORT = 4789
MAX_IFNAME = 15
PROTOCOLS = 'OpenFlow13,OpenFlow14,OpenFlow15'
STATE_DIR = '/run/nicflow-mininet'
NEIGHBOUR_REFRESH_S = 120


class ConfigError(Exception):
    """A configuration the topology cannot be built from."""


@dataclass(frozen=True)
class HostSpec:
    name: str
    dpid: str
    uplink: str
    underlay_ip: str
    next_hop_mac: Optional[str] = None

    @property
    def underlay_peer(self):
        """Name of the underlay bridge's patch port facing this host's uplink."""
        name = 'nfm-' + self.uplink
        return name if len(name) <= MAX_IFNAME else ('nfm-u-' + self.name)[:MAX_IFNAME]


@dataclass(frozen=True)
class VnetSpec:
    name: str
    vni: int
    prefix: ipaddress.IPv4Network
    gateway: str


@dataclass(frozen=True)
class VmSpec:
    name: str
    host: str
    port: str
    mac: str
    ip: str
    vnet: str

    @property
    def intf(self):
        return self.name + '-eth0'


@dataclass(frozen=True)
class TopologyConfig:
    path: str
    hosts: List[HostSpec]
    vnets: Dict[str, VnetSpec]
    vms: List[VmSpec]
    # Public addresses the physical network must deliver to a host: SNAT `to` addresses (the
    # host of the first VM whose rule set uses it) and load-balancer VIPs (the host of the
    # first backend), address -> host name.
    public_addresses: Dict[str, str] = field(default_factory=dict)

    def host(self, name):
        return next(h for h in self.hosts if h.name == name)

    def tunnel_name(self, other):
        return 'tun-' + other.name


def _read_document(path):
    with open(path, encoding='utf-8') as handle:
        text = handle.read()
    if path.endswith('.json'):
        return json.loads(text)
    try:
        import yaml
    except ImportError as exc:
        raise ConfigError('%s: PyYAML is missing (apt-get install python3-yaml)' % path) from exc
    return yaml.safe_load(text)


def _field(entry, key, where, path):
    if not isinstance(entry, dict) or key not in entry or entry[key] is None:
        raise ConfigError('%s: %s.%s: required' % (path, where, key))
    return str(entry[key])


def _ifname(value, where, path):
    if not re.fullmatch(r'[A-Za-z0-9_.-]{1,%d}' % MAX_IFNAME, value):
        raise ConfigError('%s: %s: %r is not an interface name of at most %d characters'
                          % (path, where, value, MAX_IFNAME))
    return value


def load_config(path):
    """Read the parts of a nicflow config a topology needs; raise ConfigError naming the field."""
    doc = _read_document(path)
    if not isinstance(doc, dict):
        raise ConfigError('%s: not a mapping' % path)
    hosts = []
    for i, entry in enumerate(doc.get('hosts') or []):
        where = 'hosts[%d]' % i
        name = _ifname(_field(entry, 'name', where, path), where + '.name', path)
        dpid = _field(entry, 'dpid', where, path).lower().replace(':', '')
        if not re.fullmatch(r'[0-9a-f]{1,16}', dpid):
            raise ConfigError('%s: %s.dpid: %r is not 1-16 hex digits' % (path, where, dpid))
        uplink = _ifname(_field(entry, 'uplink', where, path), where + '.uplink', path)
        underlay = _field(entry, 'underlay_ip', where, path)
        try:
            ipaddress.IPv4Address(underlay)
        except ValueError as exc:
            raise ConfigError('%s: %s.underlay_ip: %s' % (path, where, exc)) from exc
        if len('tun-' + name) > MAX_IFNAME:
            raise ConfigError('%s: %s.name: tunnel port tun-%s exceeds %d characters'
                              % (path, where, name, MAX_IFNAME))
        next_hop = entry.get('next_hop_mac')
        hosts.append(HostSpec(name, dpid.zfill(16), uplink, underlay,
                              str(next_hop).lower() if next_hop else None))
    if not hosts:
        raise ConfigError('%s: hosts: at least one host is required' % path)
    vnets = {}
    for i, entry in enumerate(doc.get('vnets') or []):
        where = 'vnets[%d]' % i
        try:
            prefix = ipaddress.IPv4Network(_field(entry, 'prefix', where, path))
            gateway = str(ipaddress.IPv4Address(_field(entry, 'gateway', where, path)))
        except ValueError as exc:
            raise ConfigError('%s: %s: %s' % (path, where, exc)) from exc
        name = _field(entry, 'name', where, path)
        vnets[name] = VnetSpec(name, int(_field(entry, 'vni', where, path)), prefix, gateway)
    host_names = {h.name for h in hosts}
    vms = []
    for i, entry in enumerate(doc.get('vms') or []):
        where = 'vms[%d]' % i
        vm = VmSpec(name=_field(entry, 'name', where, path),
                    host=_field(entry, 'host', where, path),
                    port=_ifname(_field(entry, 'port', where, path), where + '.port', path),
                    mac=_field(entry, 'mac', where, path).lower(),
                    ip=_field(entry, 'ip', where, path),
                    vnet=_field(entry, 'vnet', where, path))
        _ifname(vm.intf, where + '.name', path)
        if vm.host not in host_names:
            raise ConfigError('%s: %s.host: unknown host %r' % (path, where, vm.host))
        if vm.vnet not in vnets:
            raise ConfigError('%s: %s.vnet: unknown vnet %r' % (path, where, vm.vnet))
        if ipaddress.IPv4Address(vm.ip) not in vnets[vm.vnet].prefix:
            raise ConfigError('%s: %s.ip: %s is outside %s' % (path, where, vm.ip, vnets[vm.vnet].prefix))
        vms.append(vm)
    names = [h.name for h in hosts] + [v.name for v in vms]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConfigError('%s: names used twice among hosts and vms: %s' % (path, ', '.join(dupes)))
    ports = [v.port for v in vms] + [h.uplink for h in hosts]
    dupes = sorted({p for p in ports if ports.count(p) > 1})
    if dupes:
        raise ConfigError('%s: port names used twice: %s' % (path, ', '.join(dupes)))
    return TopologyConfig(path, hosts, vnets, vms, _public_addresses(doc, vms))


def _public_addresses(doc, vms):
    """SNAT `to` addresses and VIPs, each with the host the physical network sends it to."""
    host_of_vm = {vm.name: vm.host for vm in vms}
    rulesets = {str(r.get('name')): r for r in doc.get('rulesets') or [] if isinstance(r, dict)}
    vm_rulesets = {str(v.get('name')): str(v.get('ruleset')) for v in doc.get('vms') or []
                   if isinstance(v, dict)}
    addresses = {}
    for vm in vms:
        ruleset = rulesets.get(vm_rulesets.get(vm.name), {})
        for layer in ruleset.get('layers') or []:
            for rule in (layer or {}).get('rules') or []:
                if isinstance(rule, dict) and rule.get('action') == 'snat' and rule.get('to'):
                    addresses.setdefault(str(rule['to']), vm.host)
    for balancer in doc.get('load_balancers') or []:
        if not isinstance(balancer, dict) or not balancer.get('vip'):
            continue
        backends = [str(b).split(':')[0] for b in balancer.get('backends') or []]
        hosts = [host_of_vm[b] for b in backends if b in host_of_vm]
        if hosts:
            addresses.setdefault(str(balancer['vip']), hosts[0])
    return addresses


def log(message):
    sys.stderr.write('[nicflow-topo] %s\n' % message)
    sys.stderr.flush()


def run(args, check=True):
    """Run a command in the root namespace; return its stdout. Output goes nowhere near our stdout."""
    proc = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=60)
    if check and proc.returncode != 0:
        raise RuntimeError('%s failed (%d): %s' % (' '.join(args), proc.returncode,
                                                   proc.stderr.strip() or proc.stdout.strip()))
    return proc.stdout


def link_exists(name):
    return subprocess.run(['ip', 'link', 'show', 'dev', name], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0


def offload_off(name, namespace_pid=None):
    """Disable tx checksum offload: the userspace datapath forwards partial checksums as-is."""
    prefix = ['mnexec', '-a', str(namespace_pid)] if namespace_pid else []
    subprocess.run(prefix + ['ethtool', '-K', name, 'tx', 'off'], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def state_file(config):
    """Where the pids of a running topology are recorded, for --cleanup after a hard kill."""
    return os.path.join(STATE_DIR, '%s.json' % '-'.join(h.name for h in config.hosts))


class NicflowNetwork:
    """A running Mininet network for one config. start() builds it, stop() removes all of it."""

    def __init__(self, config, controller_ip, controller_port, external_ips=None):
        """external_ips: addresses (`ip/len`) of an endpoint on the physical network, or None."""
        self.config = config
        self.controller_ip = controller_ip
        self.controller_port = int(controller_port)
        self.external_ips = list(external_ips) if external_ips else None
        self.external_mac = None
        self.net = None
        self.tunnels_configured = False
        self._stopping = threading.Event()

    # ---- build -----------------------------------------------------------------------------

    def start(self):
        from mininet.net import Mininet
        from mininet.node import OVSSwitch, Host
        from mininet.link import Link

        if os.geteuid() != 0:
            raise RuntimeError('building a Mininet network needs root')
        for host in self.config.hosts:
            if host.name in self._bridges_present():
                raise RuntimeError('bridge %s already exists: run --cleanup %s first'
                                   % (host.name, self.config.path))
        self._record_state({})
        # No Mininet controller: the bridges get theirs last (connect_controller), once every
        # port exists and the VMs are configured, so the controller's first look is complete.
        self.net = Mininet(topo=None, build=False, controller=None, autoSetMacs=False,
                           autoStaticArp=False, waitConnected=False, link=Link)
        for host in self.config.hosts:
            self.net.addSwitch(host.name, cls=OVSSwitch, dpid=host.dpid, datapath='user',
                               failMode='secure', protocols=PROTOCOLS)
        for vm in self.config.vms:
            vnet = self.config.vnets[vm.vnet]
            node = self.net.addHost(vm.name, cls=Host, ip='%s/%d' % (vm.ip, vnet.prefix.prefixlen),
                                    mac=vm.mac)
            self.net.addLink(node, self.net.get(vm.host), intfName1=vm.intf, intfName2=vm.port)
        if self.external_ips:
            self.net.addHost(EXTERNAL_HOST, cls=Host, ip=None)
        self.net.build()
        self.net.start()
        self._record_state({node.name: node.pid for node in self.net.hosts + self.net.switches})
        for vm in self.config.vms:
            node = self.net.get(vm.name)
            vnet = self.config.vnets[vm.vnet]
            # nicflow's policy is IPv4: no IPv6 chatter (RS, DAD, MLD) for the controller.
            node.cmd('sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1')
            node.cmd('ip route replace default via %s dev %s' % (vnet.gateway, vm.intf))
            offload_off(vm.intf, node.pid)
            offload_off(vm.port)
        self._build_underlay()
        self._build_tunnels()
        if self.external_ips:
            self._build_external()
        self._connect_controller()
        log('network up: bridges %s, vms %s' % (', '.join(h.name for h in self.config.hosts),
                                                  ', '.join(v.name for v in self.config.vms)))

    def uplink_mac(self, host):
        """The MAC the physical network uses to reach `host` through its uplink."""
        return '02:00:00:00:fd:%02x' % (self.config.hosts.index(host) + 1)

    def _build_external(self):
        """An endpoint on the underlay: the physical router of docs/semantics.md ("Forwarding")
        plus whatever addresses the tests give it. Its MAC is the hosts' next_hop_mac; it reaches each
        public address (SNAT address, VIP) through the uplink of the host that owns it."""
        macs = sorted({h.next_hop_mac for h in self.config.hosts if h.next_hop_mac})
        if len(macs) > 1:
            log('hosts differ in next_hop_mac; %s uses %s' % (EXTERNAL_HOST, macs[0]))
        mac = macs[0] if macs else DEFAULT_NEXT_HOP_MAC
        node = self.net.get(EXTERNAL_HOST)
        intf = EXTERNAL_HOST + '-eth0'
        run(['ip', 'link', 'add', intf, 'type', 'veth', 'peer', 'name', EXTERNAL_PORT])
        run(['ip', 'link', 'set', intf, 'netns', str(node.pid)])
        in_ns = ['mnexec', '-a', str(node.pid)]
        run(in_ns + ['sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1'], check=False)
        run(in_ns + ['ip', 'link', 'set', intf, 'address', mac, 'up'])
        for address in self.external_ips:
            run(in_ns + ['ip', 'addr', 'add', address, 'dev', intf])
        run(in_ns + ['ip', 'route', 'replace', 'default', 'dev', intf])
        for address, owner in sorted(self.config.public_addresses.items()):
            run(in_ns + ['ip', 'neigh', 'replace', address, 'lladdr',
                         self.uplink_mac(self.config.host(owner)), 'dev', intf])
        offload_off(intf, node.pid)
        run(['ip', 'link', 'set', EXTERNAL_PORT, 'up'])
        offload_off(EXTERNAL_PORT)
        run(['ovs-vsctl', '--may-exist', 'add-port', UNDERLAY_BRIDGE, EXTERNAL_PORT])
        # Unicast by destination MAC, so nothing for one host is flooded to the others.
        run(['ovs-ofctl', 'add-flow', UNDERLAY_BRIDGE,
             'priority=50,dl_dst=%s,actions=output:%s' % (mac, EXTERNAL_PORT)])
        for host in self.config.hosts:
            run(['ovs-ofctl', 'add-flow', UNDERLAY_BRIDGE,
                 'priority=50,dl_dst=%s,actions=output:%s' % (self.uplink_mac(host),
                                                              host.underlay_peer)])
        self.external_mac = mac

    def _connect_controller(self):
        target = 'tcp:%s:%d' % (self.controller_ip, self.controller_port)
        cmd = ['ovs-vsctl']
        for i, host in enumerate(self.config.hosts):
            cmd += ['--', '--id=@c%d' % i, 'create', 'Controller', 'target="%s"' % target,
                    'max_backoff=1000',
                    '--', 'set', 'bridge', host.name, 'controller=@c%d' % i]
        run(cmd)

    def _bridges_present(self):
        return set(run(['ovs-vsctl', 'list-br']).split())

    def _build_underlay(self):
        """Join the uplinks with a standalone bridge (patch ports, no kernel interfaces)."""
        cmd = ['ovs-vsctl', '--may-exist', 'add-br', UNDERLAY_BRIDGE,
               '--', 'set', 'bridge', UNDERLAY_BRIDGE, 'datapath_type=netdev',
               'fail_mode=standalone', 'other-config:dp-desc=nicflow-underlay']
        for host in self.config.hosts:
            cmd += ['--', '--may-exist', 'add-port', host.name, host.uplink,
                    '--', 'set', 'interface', host.uplink, 'type=patch',
                    'options:peer=' + host.underlay_peer,
                    '--', '--may-exist', 'add-port', UNDERLAY_BRIDGE, host.underlay_peer,
                    '--', 'set', 'interface', host.underlay_peer, 'type=patch',
                    'options:peer=' + host.uplink]
        run(cmd)

    def _build_tunnels(self):
        """tun-<other> VXLAN ports on every host bridge, and the underlay addresses they need."""
        cmd = ['ovs-vsctl']
        for host in self.config.hosts:
            for other in self.config.hosts:
                if other is host:
                    continue
                port = self.config.tunnel_name(other)
                cmd += ['--', '--may-exist', 'add-port', host.name, port,
                        '--', 'set', 'interface', port, 'type=vxlan',
                        'options:remote_ip=' + other.underlay_ip, 'options:key=flow',
                        'options:local_ip=' + host.underlay_ip]
        if len(cmd) > 1:
            run(cmd)
        if len(self.config.hosts) < 2:
            return
        try:
            self._route_underlay()
            self.tunnels_configured = True
        except RuntimeError as exc:
            log('tunnels are configured but not routable: %s' % exc)
            return
        thread = threading.Thread(target=self._keep_neighbours, name='neighbours', daemon=True)
        thread.start()

    def _keep_neighbours(self):
        """vswitchd ages out neighbour entries; rewrite them until the network stops."""
        while not self._stopping.wait(NEIGHBOUR_REFRESH_S):
            try:
                self.refresh_neighbours()
            except Exception as exc:  # the bridge may be going away under us
                if not self._stopping.is_set():
                    log('neighbour refresh failed: %s' % exc)

    def _route_underlay(self):
        """Give vswitchd a route and a neighbour for every underlay address.

        The underlay addresses sit on the underlay bridge's local (tap) port; a frame the
        tunnel pushes out through that bridge is sent back to that port (in_port), where
        the userspace datapath sees a VXLAN frame for one of its addresses and pops it onto
        the tunnel port whose remote_ip is the frame's source.
        """
        run(['sysctl', '-q', '-w', 'net.ipv6.conf.%s.disable_ipv6=1' % UNDERLAY_BRIDGE], check=False)
        run(['ip', 'link', 'set', 'dev', UNDERLAY_BRIDGE, 'up'])
        for host in self.config.hosts:
            run(['ip', 'addr', 'replace', host.underlay_ip + '/32', 'dev', UNDERLAY_BRIDGE])
        run(['ovs-ofctl', 'add-flow', UNDERLAY_BRIDGE,
             'priority=100,in_port=LOCAL,udp,tp_dst=%d,actions=in_port' % VXLAN_PORT])
        self.refresh_neighbours()

    def refresh_neighbours(self):
        """(Re)write vswitchd's neighbour entries for the underlay addresses (they age out)."""
        mac = run(['ovs-vsctl', 'get', 'interface', UNDERLAY_BRIDGE, 'mac_in_use']).strip().strip('"')
        for host in self.config.hosts:
            run(['ovs-appctl', 'tnl/neigh/set', UNDERLAY_BRIDGE, host.underlay_ip, mac])

    def _record_state(self, pids):
        os.makedirs(STATE_DIR, exist_ok=True)
        with open(state_file(self.config), 'w', encoding='utf-8') as handle:
            json.dump({'owner': os.getpid(), 'pids': pids}, handle)

    # ---- queries ---------------------------------------------------------------------------

    def describe(self):
        vms = []
        for vm in self.config.vms:
            node = self.net.get(vm.name)
            vms.append({'name': vm.name, 'host': vm.host, 'intf': vm.intf, 'port': vm.port,
                        'mac': vm.mac, 'ip': vm.ip, 'vnet': vm.vnet, 'pid': node.pid})
        return {'bridges': [h.name for h in self.config.hosts], 'underlay': UNDERLAY_BRIDGE,
                'tunnels': {h.name: [self.config.tunnel_name(o) for o in self.config.hosts
                                     if o is not h] for h in self.config.hosts},
                'tunnels_routable': self.tunnels_configured, 'vms': vms,
                'external': self._describe_external()}

    def _describe_external(self):
        if not self.external_ips:
            return None
        return {'name': EXTERNAL_HOST, 'intf': EXTERNAL_HOST + '-eth0', 'port': EXTERNAL_PORT,
                'mac': self.external_mac,
                'ips': self.external_ips,
                'routes': {address: {'host': owner,
                                     'mac': self.uplink_mac(self.config.host(owner))}
                           for address, owner in self.config.public_addresses.items()}}

    def controller_connections(self):
        """{bridge: True if any of its controllers is connected} from OVSDB."""
        state = {}
        for host in self.config.hosts:
            uuids = run(['ovs-vsctl', 'get', 'bridge', host.name, 'controller']).strip().strip('[]')
            state[host.name] = any(
                run(['ovs-vsctl', 'get', 'controller', uuid.strip(), 'is_connected']).strip() == 'true'
                for uuid in uuids.split(',') if uuid.strip())
        return state

    def node(self, name):
        if self.net is None or name not in self.net:
            raise KeyError('no VM named %r' % name)
        node = self.net.get(name)
        if node in self.net.switches:
            raise KeyError('%r is a bridge, not a VM' % name)
        return node

    # ---- teardown --------------------------------------------------------------------------

    def stop(self):
        """Remove everything this network created. Safe to call twice."""
        self._stopping.set()
        net, self.net = self.net, None
        if net is not None:
            _kill_namespace_members(net.hosts)
            try:
                net.stop()
            except Exception as exc:  # keep going: the by-name sweep below finishes the job
                log('mininet stop failed: %s' % exc)
        remove_leftovers(self.config, kill_recorded=False)


class InUseError(RuntimeError):
    """The bridges of a config belong to a network another live process is running."""


def remove_leftovers(config, kill_recorded=True):
    """Delete by name what a topology for this config creates; kill recorded pids still alive.

    With kill_recorded (a leftover sweep, not our own teardown) this refuses, raising
    InUseError, while the process that built the network is still alive.
    """
    if kill_recorded:
        owner = _recorded_state(config).get('owner')
        if owner and owner != os.getpid() and os.path.isdir('/proc/%d' % owner):
            raise InUseError('the network of %s is in use by pid %d; stop that process first'
                             % (config.path, owner))
        _kill_recorded(config)
    bridges = set(run(['ovs-vsctl', 'list-br'], check=False).split())
    ours = [h.name for h in config.hosts] + [UNDERLAY_BRIDGE]
    present = [b for b in ours if b in bridges]
    if present:
        cmd = ['ovs-vsctl']
        for bridge in present:
            cmd += ['--', '--if-exists', 'del-br', bridge]
        run(cmd, check=False)
        log('deleted bridges %s' % ', '.join(present))
    for name in ([vm.port for vm in config.vms] + [h.name for h in config.hosts]
                 + [UNDERLAY_BRIDGE, EXTERNAL_PORT]):
        if link_exists(name):
            run(['ip', 'link', 'del', 'dev', name], check=False)
            log('deleted link %s' % name)
    try:
        os.unlink(state_file(config))
    except FileNotFoundError:
        pass


def _kill_namespace_members(nodes):
    """SIGKILL every process inside the VMs' network namespaces except their Mininet shells.

    Catches what was started in a VM and left its process group (daemons, `setsid`).
    """
    import signal
    namespaces = {}
    for node in nodes:
        try:
            namespaces[os.readlink('/proc/%d/ns/net' % node.pid)] = node
        except OSError:
            continue
    shells = {node.pid for node in nodes}
    for entry in os.listdir('/proc'):
        if not entry.isdigit() or int(entry) in shells:
            continue
        try:
            node = namespaces.get(os.readlink('/proc/%s/ns/net' % entry))
            if node is not None:
                os.kill(int(entry), signal.SIGKILL)
                log('killed pid %s left running in %s' % (entry, node.name))
        except OSError:
            continue


def _recorded_state(config):
    try:
        with open(state_file(config), encoding='utf-8') as handle:
            return json.load(handle)
    except (FileNotFoundError, ValueError):
        return {}


def _kill_recorded(config):
    import signal
    pids = _recorded_state(config).get('pids', {})
    for name, pid in pids.items():
        try:
            with open('/proc/%d/cmdline' % pid, 'rb') as handle:
                cmdline = handle.read().replace(b'\0', b' ').decode(errors='replace')
        except (FileNotFoundError, ProcessLookupError):
            continue
        if ('mininet:%s' % name) in cmdline:  # still the shell we started, not a recycled pid
            os.kill(pid, signal.SIGKILL)
            log('killed leftover shell of %s (pid %d)' % (name, pid))


def parse_controller(value):
    host, _, port = value.rpartition(':')
    if not host or not port.isdigit():
        raise ValueError('controller must be HOST:PORT, got %r' % value)
    return host, int(port)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', help='nicflow YAML/JSON config')
    parser.add_argument('--controller', default='127.0.0.1:6653', help='HOST:PORT (default %(default)s)')
    parser.add_argument('--cleanup', action='store_true', help='remove leftovers of this config and exit')
    parser.add_argument('--no-cli', action='store_true', help='build, print the layout, wait for Enter')
    parser.add_argument('--external', metavar='IP/LEN', action='append',
                        help='add the %s endpoint on the underlay with this address (repeatable)'
                        % EXTERNAL_HOST)
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        log(str(exc))
        return 2
    if args.cleanup:
        try:
            remove_leftovers(config)
        except InUseError as exc:
            log(str(exc))
            return 1
        return 0
    ip, port = parse_controller(args.controller)
    network = NicflowNetwork(config, ip, port, external_ips=args.external)
    try:
        network.start()
        print(json.dumps(network.describe(), indent=2))
        if args.no_cli:
            log('network is up; press Enter (or close stdin) to tear it down')
            sys.stdin.readline()
        else:
            from mininet.cli import CLI
            CLI(network.net)
    finally:
        network.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
