#!/usr/bin/python3
"""Drive a nicflow Mininet network with JSON lines: requests on stdin, answers on stdout.

Every request is one JSON object with an "op" and an "id"; every answer echoes the
"id" and carries "ok". Errors are {"id": .., "ok": false, "error": "..."}.
Logs (ours, Mininet's, child processes') go to stderr only.

  {"op":"start","config":PATH,"controller":"127.0.0.1:6653"}  -> bridges, vms, tunnels
      (optional "external": true or ["198.51.100.1/24", ...]: an endpoint on the underlay)
  {"op":"cmd","host":VM,"cmd":"ping -c1 -W1 10.1.0.12","timeout":10} -> exit, output
  {"op":"popen","host":VM,"cmd":"nc -l 8000"}                 -> proc (background)
  {"op":"output","proc":"p1"}                                 -> running, exit, output so far
  {"op":"kill","proc":"p1"}                                   -> exit, output
  {"op":"port_stats","bridge":"host1"}                        -> ports: {name: counters}
  {"op":"dump_flows","bridge":"host1"}                        -> flows: [parsed], text
  {"op":"wait_connected","timeout":30}                        -> connected: {bridge: true}
  {"op":"ofctl","args":["dump-flows","host1"]}                -> exit, output, stderr
      (args[0] may name ovs-ofctl, ovs-appctl, ovs-vsctl or ovs-dpctl; default ovs-ofctl,
       which gets -O OpenFlow13 unless the args choose a version)
  {"op":"stop"}                                               -> everything removed

Whatever it created (bridges by name, Mininet hosts and links, background processes by
pid) is removed on "stop", on stdin EOF, on SIGTERM/SIGINT/SIGHUP and at exit.
`harness.py --cleanup CONFIG` removes the leftovers of a run that was killed hard.
"""

import atexit
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nicflow_topo  # noqa: E402  (after the path tweak)

OVS_TOOLS = ('ovs-ofctl', 'ovs-appctl', 'ovs-vsctl', 'ovs-dpctl')


def log(message):
    sys.stderr.write('[harness] %s\n' % message)
    sys.stderr.flush()


class RequestError(Exception):
    """A request that cannot be served; its message becomes the answer's "error"."""


class BackgroundProcess:
    """A command running in a VM's namespace, output to a file, in its own process group."""

    def __init__(self, proc_id, vm, command, popen, output_path):
        self.proc_id = proc_id
        self.vm = vm
        self.command = command
        self.popen = popen
        self.output_path = output_path

    def output(self):
        with open(self.output_path, encoding='utf-8', errors='replace') as handle:
            return handle.read()

    def terminate(self, grace_s=2.0):
        if self.popen.poll() is None:
            _signal_group(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(grace_s)
            except subprocess.TimeoutExpired:
                _signal_group(self.popen.pid, signal.SIGKILL)
                self.popen.wait(5)
        return self.popen.returncode

    def discard(self):
        try:
            os.unlink(self.output_path)
        except FileNotFoundError:
            pass


def _signal_group(pid, sig):
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass


def in_namespace(node, command):
    """argv running `command` with bash inside a Mininet node's network namespace."""
    return ['mnexec', '-a', str(node.pid), 'bash', '-c', command]


def parse_counters(text):
    """`key=value, key=value` -> {key: int or None}; OVS prints '?' for unsupported counters."""
    values = {}
    for key, value in re.findall(r'(\w+)=([^,\s]+)', text):
        values[key] = int(value) if value.isdigit() else None
    return values


def parse_port_stats(text, names):
    """Parse `ovs-ofctl -O OpenFlow13 --no-names dump-ports BRIDGE`."""
    ports = {}
    current = None
    for line in text.splitlines():
        head = re.match(r'\s*port\s+(\S+?):\s+rx\s+(.*)$', line)
        if head:
            number = head.group(1).strip('"')
            name = names.get(number, number)
            rx = parse_counters(head.group(2))
            current = {'port_no': int(number) if number.isdigit() else number,
                       'rx_packets': rx.get('pkts'), 'rx_bytes': rx.get('bytes'),
                       'rx_dropped': rx.get('drop'), 'rx_errors': rx.get('errs')}
            ports[name] = current
            continue
        tx = re.match(r'\s*tx\s+(.*)$', line)
        if tx and current is not None:
            counters = parse_counters(tx.group(1))
            current.update({'tx_packets': counters.get('pkts'), 'tx_bytes': counters.get('bytes'),
                            'tx_dropped': counters.get('drop'), 'tx_errors': counters.get('errs')})
    return ports


def parse_port_names(text):
    """`ovs-ofctl show`/`dump-ports-desc` lines ` 1(p-web1): addr:..` -> {'1': 'p-web1'}."""
    return {number: name for number, name in re.findall(r'^\s*(\w+)\((\S+)\):', text, re.M)}


FLOW_NUMBER_FIELDS = ('table', 'priority', 'n_packets', 'n_bytes', 'idle_timeout',
                      'hard_timeout', 'importance')


FLOW_FLAGS = ('reset_counts', 'send_flow_rem', 'check_overlap', 'no_packet_counts',
              'no_byte_counts')


def parse_flow(line):
    """One `ovs-ofctl dump-flows` line -> dict; match (without priority) and actions as text."""
    line = line.strip()
    head, sep, actions = line.partition(' actions=')
    if not sep:
        head, actions = line, ''
    flow = {'cookie': '0x0', 'table': 0, 'priority': 32768, 'text': line, 'actions': actions}
    match = []
    for token in re.split(r'[,\s]+', head):
        key, eq, value = token.partition('=')
        if not token or key in FLOW_FLAGS or key in ('idle_age', 'hard_age'):
            continue
        if key == 'cookie':
            flow['cookie'] = value
        elif key == 'duration':
            flow['duration_s'] = float(value.rstrip('s'))
        elif key in FLOW_NUMBER_FIELDS and eq and value.isdigit():
            flow[key] = int(value)
        else:
            match.append(token)
    # --names quotes port names with '-' in them; the parsed fields drop the quotes.
    flow['match'] = ','.join(match).replace('"', '')
    flow['actions'] = actions.replace('"', '')
    return flow


def parse_flows(text):
    return [parse_flow(line) for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith(('OFPST_', 'NXST_', 'OFPT_'))]


class Harness:
    """Serves requests one at a time; owns the network and the background processes."""

    def __init__(self):
        self.network = None
        self.processes = {}
        self.next_proc = 1
        self.lock = threading.RLock()
        self.cleaned = True

    # ---- dispatch ----------------------------------------------------------------------------

    def handle(self, request):
        op = request.get('op')
        handler = getattr(self, 'op_' + str(op), None)
        if handler is None:
            raise RequestError('unknown op %r' % op)
        with self.lock:
            return handler(request)

    @staticmethod
    def _require(request, key):
        value = request.get(key)
        if value is None or value == '':
            raise RequestError('%s: missing "%s"' % (request.get('op'), key))
        return value

    def _network(self):
        if self.network is None:
            raise RequestError('no network: send "start" first')
        return self.network

    def _node(self, request):
        name = self._require(request, 'host')
        try:
            return self._network().node(name)
        except KeyError as exc:
            raise RequestError(str(exc.args[0])) from exc

    # ---- ops ---------------------------------------------------------------------------------

    def op_start(self, request):
        if self.network is not None:
            raise RequestError('a network is already running: send "stop" first')
        path = self._require(request, 'config')
        try:
            config = nicflow_topo.load_config(path)
        except (nicflow_topo.ConfigError, OSError) as exc:
            raise RequestError(str(exc)) from exc
        controller = request.get('controller') or _configured_controller(path)
        ip, port = nicflow_topo.parse_controller(controller)
        try:
            nicflow_topo.remove_leftovers(config)
        except nicflow_topo.InUseError as exc:
            raise RequestError(str(exc)) from exc
        external = request.get('external')
        if external is True:
            external = list(nicflow_topo.DEFAULT_EXTERNAL_IPS)
        elif external and not (isinstance(external, list)
                               and all(isinstance(a, str) for a in external)):
            raise RequestError('start: "external" must be true or a list of "ip/len"')
        network = nicflow_topo.NicflowNetwork(config, ip, port, external_ips=external or None)
        self.network = network
        self.cleaned = False
        try:
            network.start()
        except Exception as exc:
            log('start failed, removing what was built: %s' % exc)
            self.cleanup()
            raise RequestError('start failed: %s' % exc) from exc
        answer = network.describe()
        answer['controller'] = '%s:%d' % (ip, port)
        return answer

    def op_cmd(self, request):
        node = self._node(request)
        command = self._require(request, 'cmd')
        timeout = float(request.get('timeout', 10))
        proc = subprocess.Popen(in_namespace(node, command), stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            output, _ = proc.communicate(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            _signal_group(proc.pid, signal.SIGKILL)
            timed_out = True
            try:
                output, _ = proc.communicate(timeout=5)
            except subprocess.TimeoutExpired:  # a daemon left its own group holding the pipe
                proc.kill()
                output = b''
                proc.wait()
        return {'exit': proc.returncode, 'output': output.decode(errors='replace'),
                'timed_out': timed_out}

    def op_popen(self, request):
        node = self._node(request)
        command = self._require(request, 'cmd')
        proc_id = 'p%d' % self.next_proc
        self.next_proc += 1
        fd, path = tempfile.mkstemp(prefix='nicflow-%s-' % proc_id, suffix='.out')
        with os.fdopen(fd, 'wb') as sink:
            popen = subprocess.Popen(in_namespace(node, command), stdin=subprocess.DEVNULL,
                                     stdout=sink, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.processes[proc_id] = BackgroundProcess(proc_id, node.name, command, popen, path)
        log('started %s on %s (pid %d): %s' % (proc_id, node.name, popen.pid, command))
        return {'proc': proc_id, 'pid': popen.pid}

    def _process(self, request):
        proc_id = self._require(request, 'proc')
        if proc_id not in self.processes:
            raise RequestError('no background process %r' % proc_id)
        return self.processes[proc_id]

    def op_output(self, request):
        process = self._process(request)
        code = process.popen.poll()
        return {'proc': process.proc_id, 'running': code is None, 'exit': code,
                'output': process.output()}

    def op_kill(self, request):
        process = self._process(request)
        code = process.terminate()
        output = process.output()
        process.discard()
        del self.processes[process.proc_id]
        return {'proc': process.proc_id, 'exit': code, 'output': output}

    def op_port_stats(self, request):
        bridge = self._require(request, 'bridge')
        names = parse_port_names(_ovs(['ovs-ofctl', '-O', 'OpenFlow13', 'dump-ports-desc', bridge]))
        text = _ovs(['ovs-ofctl', '-O', 'OpenFlow13', '--no-names', 'dump-ports', bridge])
        return {'bridge': bridge, 'ports': parse_port_stats(text, names)}

    def op_dump_flows(self, request):
        bridge = self._require(request, 'bridge')
        args = ['ovs-ofctl', '-O', request.get('protocol', 'OpenFlow13'), '--names',
                'dump-flows', bridge]
        if request.get('match'):
            args.append(request['match'])
        text = _ovs(args)
        return {'bridge': bridge, 'flows': parse_flows(text), 'text': text}

    def op_ofctl(self, request):
        args = self._require(request, 'args')
        if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
            raise RequestError('ofctl: "args" must be a list of strings')
        argv = list(args) if args and args[0] in OVS_TOOLS else ['ovs-ofctl'] + list(args)
        if argv[0] == 'ovs-ofctl' and not any(a == '-O' or a.startswith(('-O', '--protocols'))
                                              for a in argv[1:]):
            # The host bridges speak OpenFlow 1.3-1.5 only; ovs-ofctl's default is 1.0.
            argv[1:1] = ['-O', 'OpenFlow13']
        proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=float(request.get('timeout', 30)))
        return {'exit': proc.returncode, 'output': proc.stdout, 'stderr': proc.stderr}

    def op_wait_connected(self, request):
        network = self._network()
        timeout = float(request.get('timeout', 30))
        deadline = time.monotonic() + timeout
        while True:
            state = network.controller_connections()
            if all(state.values()):
                return {'connected': state}
            if time.monotonic() >= deadline:
                missing = sorted(b for b, up in state.items() if not up)
                raise RequestError('not connected to %s after %gs: %s'
                                   % (network.controller_ip + ':%d' % network.controller_port,
                                      timeout, ', '.join(missing)))
            time.sleep(0.2)

    def op_stop(self, request):
        self.cleanup()
        return {'stopped': True}

    # ---- lifetime ----------------------------------------------------------------------------

    def cleanup(self):
        """Remove background processes and the network. Idempotent."""
        with self.lock:
            if self.cleaned:
                return
            self.cleaned = True
            for process in list(self.processes.values()):
                try:
                    process.terminate(grace_s=1.0)
                finally:
                    process.discard()
            self.processes.clear()
            network, self.network = self.network, None
            if network is not None:
                log('removing the network')
                network.stop()


def _configured_controller(path):
    try:
        doc = nicflow_topo._read_document(path)
        return (doc.get('controller') or {}).get('openflow') or '127.0.0.1:6653'
    except Exception:
        return '127.0.0.1:6653'


def _ovs(argv):
    proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
    if proc.returncode != 0:
        raise RequestError('%s: %s' % (' '.join(argv), proc.stderr.strip() or 'exit %d' % proc.returncode))
    return proc.stdout


class Terminated(BaseException):
    """Raised in the main thread by a termination signal."""


def serve(harness, requests, answers):
    for line in requests:
        line = line.strip()
        if not line:
            continue
        request_id = None
        try:
            request = json.loads(line)
            if not isinstance(request, dict):
                raise RequestError('a request must be a JSON object')
            request_id = request.get('id')
            answer = {'id': request_id, 'ok': True}
            answer.update(harness.handle(request))
        except RequestError as exc:
            answer = {'id': request_id, 'ok': False, 'error': str(exc)}
        except ValueError as exc:
            answer = {'id': request_id, 'ok': False, 'error': 'bad request: %s' % exc}
        except Exception as exc:  # answer, log, and keep serving
            log('request %s failed: %r' % (request_id, exc))
            answer = {'id': request_id, 'ok': False, 'error': '%s: %s' % (type(exc).__name__, exc)}
        answers.write(json.dumps(answer) + '\n')
        answers.flush()
    log('stdin closed')


def main(argv):
    if len(argv) == 2 and argv[0] == '--cleanup':
        try:
            nicflow_topo.remove_leftovers(nicflow_topo.load_config(argv[1]))
        except nicflow_topo.InUseError as exc:
            log(str(exc))
            return 1
        return 0
    if argv:
        sys.stderr.write(__doc__)
        return 2
    # Answers get a private copy of stdout; fd 1 becomes stderr so nothing else can write
    # into the answer stream (Mininet, ovs tools, children). The copy is close-on-exec.
    answers = os.fdopen(os.dup(1), 'w', encoding='utf-8')
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    from mininet.log import setLogLevel
    setLogLevel(os.environ.get('NICFLOW_MININET_LOG', 'warning'))

    harness = Harness()
    atexit.register(harness.cleanup)

    def on_signal(signum, _frame):
        raise Terminated(signal.Signals(signum).name)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)
    try:
        serve(harness, sys.stdin, answers)
    except Terminated as exc:
        log('received %s' % exc)
    except BrokenPipeError:
        log('answer stream closed')
    finally:
        # No signal may interrupt the teardown itself.
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        harness.cleanup()
        log('clean')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
