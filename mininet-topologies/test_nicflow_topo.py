"""Unit tests for config reading and OVS output parsing (no root, no Mininet needed).

Run: /usr/bin/python3 -m unittest discover -s mininet-topologies -p 'test_*.py'
"""

import os
import tempfile
import unittest

import harness
import nicflow_topo

HERE = os.path.dirname(os.path.abspath(__file__))
DEMO = os.path.join(HERE, 'fixtures', 'demo.yaml')


def write_config(text):
    handle = tempfile.NamedTemporaryFile('w', suffix='.yaml', delete=False)
    with handle:
        handle.write(text)
    return handle.name


MINIMAL = """
hosts:
  - {name: host1, dpid: "1", uplink: host1-up, underlay_ip: 192.168.50.1}
vnets:
  - {name: blue, vni: 5001, prefix: 10.1.0.0/16, gateway: 10.1.0.1}
vms:
  - {name: web1, host: host1, port: %(port)s, mac: "02:00:00:00:01:0B", ip: %(ip)s, vnet: %(vnet)s}
"""


class LoadConfigTest(unittest.TestCase):

    def load(self, port='p-web1', ip='10.1.0.11', vnet='blue'):
        path = write_config(MINIMAL % {'port': port, 'ip': ip, 'vnet': vnet})
        self.addCleanup(os.unlink, path)
        return nicflow_topo.load_config(path)

    def test_reads_demo_hosts_vnets_and_vms(self):
        config = nicflow_topo.load_config(DEMO)
        self.assertEqual(['host1', 'host2'], [h.name for h in config.hosts])
        self.assertEqual('0000000000000002', config.host('host2').dpid)
        self.assertEqual(24, config.vnets['red'].prefix.prefixlen)
        web2 = next(v for v in config.vms if v.name == 'web2')
        self.assertEqual(('host2', 'p-web2', 'web2-eth0', '10.1.0.12'),
                         (web2.host, web2.port, web2.intf, web2.ip))

    def test_routes_snat_addresses_and_vips_to_the_host_of_their_vms(self):
        config = nicflow_topo.load_config(DEMO)
        self.assertEqual({'203.0.113.10': 'host1', '203.0.113.80': 'host2'},
                         config.public_addresses)
        self.assertEqual('02:00:00:00:fe:01', config.host('host1').next_hop_mac)

    def test_pads_dpid_and_lowercases_mac(self):
        config = self.load()
        self.assertEqual('0000000000000001', config.hosts[0].dpid)
        self.assertEqual('02:00:00:00:01:0b', config.vms[0].mac)

    def test_names_the_field_of_a_port_name_too_long_for_linux(self):
        with self.assertRaisesRegex(nicflow_topo.ConfigError, r'vms\[0\]\.port'):
            self.load(port='a-very-long-port-name')

    def test_rejects_vm_address_outside_its_vnet(self):
        with self.assertRaisesRegex(nicflow_topo.ConfigError, r'vms\[0\]\.ip: 10\.2\.0\.1 is outside'):
            self.load(ip='10.2.0.1')

    def test_rejects_unknown_vnet(self):
        with self.assertRaisesRegex(nicflow_topo.ConfigError, r"vms\[0\]\.vnet: unknown vnet 'green'"):
            self.load(vnet='green')

    def test_underlay_peer_stays_within_interface_name_limit(self):
        host = nicflow_topo.HostSpec('h', '1'.zfill(16), 'uplink-of-h-123', '192.0.2.1')
        self.assertLessEqual(len(host.underlay_peer), nicflow_topo.MAX_IFNAME)
        self.assertEqual('nfm-host1-up',
                         nicflow_topo.HostSpec('host1', '1', 'host1-up', '192.0.2.1').underlay_peer)


class ParseOvsOutputTest(unittest.TestCase):

    def test_parses_flow_with_flags_names_and_timeouts(self):
        flow = harness.parse_flow(
            ' cookie=0x8000000100000001, duration=2.5s, table=2, n_packets=7, n_bytes=686,'
            ' idle_timeout=10, idle_age=1, send_flow_rem priority=200,tcp,in_port="p-web1",'
            'nw_dst=10.1.0.12,tp_dst=8000 actions=set_field:5001->tun_id,output:"tun-host2"')
        self.assertEqual('0x8000000100000001', flow['cookie'])
        self.assertEqual((2, 200, 7, 686, 10),
                         (flow['table'], flow['priority'], flow['n_packets'], flow['n_bytes'],
                          flow['idle_timeout']))
        self.assertEqual('tcp,in_port=p-web1,nw_dst=10.1.0.12,tp_dst=8000', flow['match'])
        self.assertEqual('set_field:5001->tun_id,output:tun-host2', flow['actions'])

    def test_parses_table_miss_flow(self):
        flow = harness.parse_flow('cookie=0x0, duration=1.6s, table=0, n_packets=0, n_bytes=0,'
                                  ' priority=0 actions=drop')
        self.assertEqual((0, '', 'drop'), (flow['priority'], flow['match'], flow['actions']))

    def test_parses_port_counters_by_name(self):
        text = ('OFPST_PORT reply (OF1.3) (xid=0x2): 2 ports\n'
                '  port  1: rx pkts=15, bytes=1138, drop=0, errs=0, frame=0, over=0, crc=0\n'
                '           tx pkts=10, bytes=816, drop=2, errs=0, coll=0\n'
                '           duration=62.309s\n'
                '  port  5: rx pkts=3, bytes=294, drop=?, errs=?, frame=?, over=?, crc=?\n'
                '           tx pkts=4, bytes=392, drop=?, errs=?, coll=?\n'
                '  port LOCAL: rx pkts=0, bytes=0, drop=0, errs=0, frame=0, over=0, crc=0\n'
                '           tx pkts=0, bytes=0, drop=0, errs=0, coll=0\n')
        names = harness.parse_port_names(
            'OFPST_PORT_DESC reply (OF1.3) (xid=0x2):\n'
            ' 1(p-web1): addr:5a:9c:ab:0e:4d:11\n     config:     0\n'
            ' 5(tun-host2): addr:ae:3c:2f:10:aa:01\n LOCAL(host1): addr:ba:e4:4b:56:b7:4e\n')
        ports = harness.parse_port_stats(text, names)
        self.assertEqual({'p-web1', 'tun-host2', 'host1'}, set(ports))
        self.assertEqual((15, 1138, 10, 816, 2),
                         tuple(ports['p-web1'][k] for k in
                               ('rx_packets', 'rx_bytes', 'tx_packets', 'tx_bytes', 'tx_dropped')))
        self.assertIsNone(ports['tun-host2']['rx_dropped'])
        self.assertEqual(4, ports['tun-host2']['tx_packets'])
        self.assertEqual('LOCAL', ports['host1']['port_no'])


if __name__ == '__main__':
    unittest.main()
