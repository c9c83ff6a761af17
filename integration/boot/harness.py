#!/usr/bin/python3
"""Does it boot? Nova's own functional-test stack as the judge.

Run with the python3 of a system where a Nova release and its tests are
installed (Debian's python3-nova plus the test libraries: see README.md):

    python3 harness.py INPUT.json OUTPUT.json

INPUT describes one compute host and the cases to boot on it:

    {
      "host_report": {...},      # a gpupass preflight JSON report (the host report)
      "hostname": "gpu-1",       # optional: the name Nova knows the host by
                                 # (default: the report's host.hostname)
      "conf": {                  # nova.conf options, by group ("DEFAULT" too);
        "pci": {"device_spec": ["{...}"], "alias": ["{...}"],
                "report_in_placement": "true"},
        "filter_scheduler": {"enabled_filters": "...", "pci_in_placement": "true"},
        "compute": {"cpu_dedicated_set": "0-15"}
      },                         # values as nova.conf holds them (strings; a
                                 # list for a multi-valued option); default:
                                 # the report's recorded options
      "api_paste": "/path/api-paste.ini",   # optional: the release's api-paste.ini
      "cases": [
        {"name": "h100x1", "vcpus": 8, "ram_mb": 65536, "disk_gb": 0,
         "extra_specs": {"pci_passthrough:alias": "h100:1"},
         "counts": [1, 3],       # boot N servers at once (multi-create), each N apart
         "fill": 9}              # then boot one by one until one fails (at most 9)
      ]
    }

Every service runs in this one process, as in Nova's functional tests:
nova-api (wsgi-intercept), conductor, scheduler, a nova-compute with the
libvirt driver on fakelibvirt, and the Placement fixture. The host's PCI
functions (vendor and product IDs, address, NUMA node, IOMMU group, SR-IOV
PF/VF relations) and its CPUs, NUMA nodes and memory are given to
fakelibvirt. Quotas are unlimited, so that a refusal is the scheduler's or
the compute's.

OUTPUT holds the release, whether nova-compute started (and its error), the
PCI devices the compute's tracker made of the host, each case's outcome
(ACTIVE counts, faults), and "cloud": the cloud as `gpupass audit
--save-cloud` records it (openstack/cloudmodel.Snapshot), read from the
in-process APIs after the flavors were made and before any server booted,
for `gpupass audit --from-cloud`.

This is test code: it is not part of gpupass.
"""

import json
import os
import re
import sys
import time
import traceback
import unittest

INPUT = None
OUTPUT = {}


def log(msg):
    print('harness: %s' % msg, file=sys.stderr, flush=True)


def pci_parts(address):
    m = re.fullmatch(r'([0-9a-fA-F]{4,5}):([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7])', address)
    if not m:
        raise ValueError('not a PCI address: %r' % address)
    return tuple(int(x, 16) for x in m.groups())


def nodedev_name(address):
    d, b, s, f = pci_parts(address)
    return 'pci_%04x_%02x_%02x_%d' % (d, b, s, f)


def addr_xml(address):
    d, b, s, f = pci_parts(address)
    return ("<address domain='0x%04x' bus='0x%02x' slot='0x%02x' "
            "function='0x%x'/>" % (d, b, s, f))


def mdev_types_xml(types):
    """libvirt's mdev_types capability of an mdev parent (virsh
    nodedev-dumpxml; docs/formatnode.rst): each type's id, name, device API
    and available instances, as the host report read them from sysfs."""
    from xml.sax.saxutils import escape, quoteattr
    out = []
    for t in types:
        name = ''
        if t.get('name'):
            name = '<name>%s</name>' % escape(t['name'])
        out.append("<type id=%s>%s<deviceAPI>%s</deviceAPI>"
                   "<availableInstances>%d</availableInstances></type>" % (
                       quoteattr(t['id']), name, escape(t.get('device_api') or 'vfio-pci'),
                       t.get('available_instances') or 0))
    return "<capability type='mdev_types'>%s</capability>" % ''.join(out)


def device_xml(dev, by_addr, mdev_types=None):
    """The node-device XML libvirt gives for a PCI function (virsh
    nodedev-dumpxml), from a host report's device; mdev_types are its
    mediated-device types when it is an mdev parent."""
    address = dev['address']
    d, b, s, f = pci_parts(address)
    caps = []
    if mdev_types:
        caps.append(mdev_types_xml(mdev_types))
    sriov = dev.get('sriov') or {}
    if sriov.get('total_vfs') or sriov.get('vfs'):
        # libvirt lists the SR-IOV capability of a PF even with no VF
        # enabled (maxCount from sriov_totalvfs); Nova calls it type-PF.
        vfs = ''.join(addr_xml(v) for v in sriov.get('vfs') or [])
        caps.append("<capability type='virt_functions' maxCount='%d'>%s</capability>"
                    % (sriov.get('total_vfs') or len(sriov.get('vfs') or []), vfs))
    if dev.get('physfn'):
        caps.append("<capability type='phys_function'>%s</capability>"
                    % addr_xml(dev['physfn']))
    parent = 'computer'
    if dev.get('parent') and dev['parent'] in by_addr:
        parent = nodedev_name(dev['parent'])
    driver = ''
    if dev.get('driver'):
        driver = '<driver><name>%s</name></driver>' % dev['driver']
    group = ''
    if dev.get('iommu_group') is not None:
        group = "<iommuGroup number='%d'>%s</iommuGroup>" % (dev['iommu_group'], addr_xml(address))
    numa = ''
    if dev.get('numa_node') is not None and dev['numa_node'] >= 0:
        numa = "<numa node='%d'/>" % dev['numa_node']
    return (
        "<device><name>%(name)s</name>"
        "<path>/sys/bus/pci/devices/%(address)s</path>"
        "<parent>%(parent)s</parent>%(driver)s"
        "<capability type='pci'><class>0x%(klass)s</class>"
        "<domain>%(d)d</domain><bus>%(b)d</bus><slot>%(s)d</slot><function>%(f)d</function>"
        "<product id='0x%(prod)s'/><vendor id='0x%(vend)s'/>"
        "%(caps)s%(group)s%(numa)s</capability></device>" % dict(
            name=nodedev_name(address), address=address, parent=parent,
            driver=driver, klass=dev.get('class') or '000000', d=d, b=b, s=s, f=f,
            prod=dev['device_id'], vend=dev['vendor_id'], caps=''.join(caps),
            group=group, numa=numa))


def report_conf(report):
    """nova.conf options recorded in a host report, by group."""
    conf = {}
    for o in (report.get('nova_conf') or {}).get('options') or []:
        m = re.fullmatch(r'\[([^\]]+)\](.+)', o['option'])
        if not m:
            continue
        group, name = m.groups()
        conf.setdefault(group, {}).setdefault(name, []).append(o['value'])
    return conf


MULTI = {('pci', 'device_spec'), ('pci', 'alias'), ('pci', 'passthrough_whitelist')}


def host_shape(host):
    """fakelibvirt.HostInfo's arguments for a host report's CPUs, NUMA
    nodes and memory: nodes, sockets per node, cores, threads, kB."""
    cpus = (host.get('cpu') or {}).get('logical_cpus') or 8
    nodes = host.get('numa_nodes') or 1
    if cpus % nodes:
        nodes = 1
    per_node = cpus // nodes
    threads = 2 if per_node % 2 == 0 else 1
    kb = (host.get('memory_mb') or 16384) * 1024
    # One NUMA node per socket (fakelibvirt makes cpu_nodes cells on each
    # of cpu_sockets sockets), as on the servers of the fixtures.
    return 1, nodes, per_node // threads, threads, kb


def run_case_counts(t, flavor_id, counts):
    out = []
    for n in counts:
        servers, faults = t.boot(flavor_id, n)
        active = sum(1 for s in servers if s['status'] == 'ACTIVE')
        out.append({'count': n, 'active': active, 'faults': faults})
        t.delete_all()
    return out


class Harness(object):
    """Mixed into the release's libvirt ServersTestBase at run time."""

    ADMIN_API = True
    microversion = '2.74'  # networks 'none', flavor extra specs inline

    def setUp(self):
        conf = INPUT.get('conf')
        if conf is None:
            conf = report_conf(INPUT['host_report'])
        self.applied = {}
        from oslo_config import cfg
        CONF = cfg.CONF
        # [mdev_<type>] (and Zed's [vgpu_<type>]) groups exist once Nova
        # registers them from [devices]enabled_mdev_types, as nova-compute
        # does at start-up (nova.conf.devices.register_dynamic_opts).
        dynamic = lambda g: g.startswith('mdev_') or g.startswith('vgpu_')  # noqa: E731
        registered = False
        for group, opts in sorted(conf.items(), key=lambda kv: dynamic(kv[0])):
            g = None if group == 'DEFAULT' else group
            if dynamic(group) and not registered:
                import nova.conf.devices
                nova.conf.devices.register_dynamic_opts(CONF)
                registered = True
            for name, value in opts.items():
                if isinstance(value, list) and (group, name) not in MULTI:
                    value = value[-1]  # oslo.config: the last one wins
                if isinstance(value, str) and (group, name) in MULTI:
                    value = [value]
                try:
                    CONF.set_override(name, value, group=g)
                except Exception as e:  # noqa
                    OUTPUT.setdefault('conf_errors', []).append(
                        '[%s]%s: %s: %s' % (group, name, type(e).__name__, e))
                    continue
                self.applied['[%s]%s' % (group, name)] = value
                self.addCleanup(CONF.clear_override, name, group=g)
        # A device_spec with an exact address asks sysfs whether it is a PF
        # (virtfn* links, present once VFs are enabled): the report knows.
        from unittest import mock
        pfs = set()
        for d in INPUT['host_report']['host'].get('pci_devices') or []:
            if (d.get('sriov') or {}).get('vfs'):
                pfs.add(pci_parts(d['address']))

        def is_physical_function(domain, bus, slot, function):
            try:
                key = tuple(int(x, 16) for x in (domain, bus, slot, function))
            except (TypeError, ValueError):
                return False
            return key in pfs
        # A devname entry asks sysfs for the interface's function: the
        # report lists each function's network interfaces.
        netdevs = {}
        for d in INPUT['host_report']['host'].get('pci_devices') or []:
            for ifname in d.get('net') or []:
                total = (d.get('sriov') or {}).get('total_vfs') or 0
                netdevs[ifname] = (d['address'], total > 0)

        def get_function_by_ifname(ifname):
            return netdevs.get(ifname, (None, False))
        for name, fn in (('is_physical_function', is_physical_function),
                         ('get_function_by_ifname', get_function_by_ifname)):
            patcher = mock.patch('nova.pci.utils.' + name, side_effect=fn)
            patcher.start()
            self.addCleanup(patcher.stop)
        # Quotas are not scheduling.
        for name in ('instances', 'cores', 'ram'):
            CONF.set_override(name, -1, group='quota')
            self.addCleanup(CONF.clear_override, name, group='quota')
        super().setUp()
        from nova import exception
        from nova.virt.libvirt import host as libvirt_host

        class NoNetdev(dict):
            # A GPU's PF has no netdev: where the fixture knows no MAC,
            # Nova's own sysfs reader would raise this.
            def __missing__(self, addr):
                raise exception.PciDeviceNotFoundById(id=addr)
        self.libvirt.pci_address_to_mac_map = NoNetdev(self.libvirt.pci_address_to_mac_map)
        # The base mocks 16 online CPUs; the host has its own count.
        nodes, sockets, cores, threads, kb = host_shape(INPUT['host_report']['host'])
        self.mock_return(libvirt_host.Host, 'get_online_cpus',
                         set(range(nodes * sockets * cores * threads)))
        # The chroot has no /proc: all the host's memory is free (Placement
        # counts reserved_host_memory_mb, not this). 2026.2's base mocks it.
        self.mock_return(libvirt_host.Host, '_get_avail_memory_kb', kb)
        # ... and 2026.2 runs uptime(1), which reads /proc/uptime.
        from nova.virt.libvirt import driver as libvirt_driver
        self.mock_return(libvirt_driver.LibvirtDriver, 'get_host_uptime',
                         ' 00:00:00 up 1 day,  0 users,  load average: 0.00, 0.00, 0.00')

    def mock_create_mdev(self, conn, made):
        """Makes Nova's mdev creation add the mdev to fakelibvirt, as
        Nova's own VGPUTestBase does: LibvirtDriver._create_mdev (the
        libvirt node-device API, 2023.1 and later, given the parent's
        node-device name), or privsep's create_mdev (sysfs, Zed, given the
        parent's PCI address)."""
        import fixtures
        from nova.tests.fixtures import libvirt as fakelibvirt
        from nova.virt.libvirt import driver as libvirt_driver
        from oslo_utils import uuidutils

        def add(parent, mdev_type, uuid=None):
            uuid = uuid or uuidutils.generate_uuid()
            name = 'mdev_' + uuid.replace('-', '_')
            conn.mdev_info.devices[name] = fakelibvirt.FakeMdevDevice(
                dev_name=name, type_id=mdev_type, parent=parent)
            made(parent, mdev_type)
            OUTPUT.setdefault('mdevs_created', []).append(
                {'parent': parent, 'type': mdev_type})
            return uuid
        if hasattr(libvirt_driver.LibvirtDriver, '_create_mdev'):
            self.useFixture(fixtures.MockPatch(
                'nova.virt.libvirt.driver.LibvirtDriver._create_mdev',
                side_effect=lambda dev_name, mdev_type, uuid=None: add(dev_name, mdev_type, uuid)))
        else:
            self.useFixture(fixtures.MockPatch(
                'nova.privsep.libvirt.create_mdev',
                side_effect=lambda address, mdev_type, uuid=None: add(nodedev_name(address), mdev_type, uuid)))

    def mock_return(self, cls, name, value):
        """Makes cls.name return value, whether or not the release's base
        mocked it already (a second patch of a mock cannot be autospecced)."""
        import fixtures
        cur = getattr(cls, name)
        # Duck-typed: fixtures may patch with the mock library's Mock, not
        # unittest.mock's.
        if callable(getattr(cur, 'assert_called_with', None)):
            cur.side_effect = None
            cur.return_value = value
            return
        self.useFixture(fixtures.MockPatch(
            '%s.%s.%s' % (cls.__module__, cls.__name__, name), return_value=value))

    def _setup_services(self):
        if INPUT.get('api_paste'):
            self.flags(api_paste_config=INPUT['api_paste'], group='wsgi')
        super()._setup_services()

    def _setup_scheduler_service(self):
        # The filters are nova.conf's (or the release's default), as given.
        return self.start_service('scheduler')

    # -- servers

    def wait_servers(self, ids, timeout=120):
        deadline = time.time() + timeout
        while True:
            servers = [self.admin_api.get_server(i) for i in ids]
            if all(s['status'] not in ('BUILD',) for s in servers) or time.time() > deadline:
                return servers
            time.sleep(0.05)

    def boot(self, flavor_id, n):
        """Boots n servers of the flavor at once; returns them once none is
        building, and the distinct faults."""
        from nova.tests.functional.api import client
        body = self._build_server(flavor_id=flavor_id, networks='none')
        body['min_count'] = n
        body['max_count'] = n
        body['return_reservation_id'] = True
        try:
            resp = self.admin_api.post_server({'server': body})
        except client.OpenStackApiException as e:
            return [], [{'kind': 'api', 'message': '%s' % e}]
        rid = resp['reservation_id']
        ids = []
        deadline = time.time() + 60
        while len(ids) < n and time.time() < deadline:
            ids = [s['id'] for s in self.admin_api.get_servers(
                detail=False, search_opts={'reservation_id': rid})]
            if len(ids) < n:
                time.sleep(0.05)
        servers = self.wait_servers(ids)
        self.live.extend(ids)
        faults = []
        for s in servers:
            if s['status'] == 'ACTIVE':
                continue
            fault = s.get('fault') or {}
            msg = fault.get('message', s['status'])
            kind = 'compute'
            if 'No valid host' in msg:
                kind = 'NoValidHost'
            f = {'kind': kind, 'message': msg}
            if f not in faults:
                faults.append(f)
        return servers, faults

    def delete_all(self):
        for i in self.live:
            try:
                self.admin_api.delete_server(i)
            except Exception:  # noqa
                pass
        deadline = time.time() + 60
        from nova.tests.functional.api import client
        for i in self.live:
            while time.time() < deadline:
                try:
                    self.admin_api.get_server(i)
                except client.OpenStackApiNotFoundException:
                    break
                time.sleep(0.05)
        self.live = []

    # -- the cloud as gpupass audit --save-cloud records it

    def save_cloud(self):
        api = self.admin_api
        old = api.microversion
        snap = {
            'auth_url': 'in-process://nova-functional', 'region': '', 'interface': 'public',
            'project': 'admin', 'user': 'admin', 'admin': True,
            'compute_microversion': '2.61', 'compute_max_microversion': '',
            'hypervisor_microversion': '2.53', 'placement_microversion': '1.14',
            'flavors': [], 'hypervisors': [], 'resource_providers': [],
            'incomplete': [], 'requests': {k: 0 for k in (
                'identity', 'versions', 'flavors', 'extra_specs', 'hypervisors',
                'placement', 'retries', 'total')},
        }
        try:
            api.microversion = '2.61'
            for f in api.api_get('/flavors/detail?is_public=None').body['flavors']:
                snap['flavors'].append({
                    'id': f['id'], 'name': f['name'], 'vcpus': f['vcpus'],
                    'ram_mb': f['ram'], 'disk_gb': f['disk'],
                    'ephemeral_gb': f.get('OS-FLV-EXT-DATA:ephemeral', 0),
                    'swap_mb': f['swap'] or 0,
                    'is_public': f.get('os-flavor-access:is_public', True),
                    'disabled': f.get('OS-FLV-DISABLED:disabled', False),
                    'extra_specs': f.get('extra_specs') or {},
                })
            api.microversion = '2.53'
            for h in api.api_get('/os-hypervisors/detail').body['hypervisors']:
                snap['hypervisors'].append({
                    'id': str(h['id']), 'hostname': h['hypervisor_hostname'],
                    'service_host': (h.get('service') or {}).get('host', ''),
                    'state': h['state'], 'status': h['status'],
                    'type': h.get('hypervisor_type', ''),
                    'vcpus': h.get('vcpus', 0), 'vcpus_used': h.get('vcpus_used', 0),
                    'memory_mb': h.get('memory_mb', 0),
                    'memory_mb_used': h.get('memory_mb_used', 0),
                    'running_vms': h.get('running_vms', 0),
                })
        finally:
            api.microversion = old
        pl = self.placement
        for rp in pl.get('/resource_providers', version='1.14').body['resource_providers']:
            u = rp['uuid']
            invs = pl.get('/resource_providers/%s/inventories' % u, version='1.14').body['inventories']
            usages = pl.get('/resource_providers/%s/usages' % u, version='1.14').body['usages']
            traits = pl.get('/resource_providers/%s/traits' % u, version='1.14').body['traits']
            snap['resource_providers'].append({
                'uuid': u, 'name': rp['name'],
                'parent_uuid': rp.get('parent_provider_uuid') or '',
                'root_uuid': rp.get('root_provider_uuid') or u,
                'generation': rp['generation'],
                'inventories': {rc: {
                    'total': i['total'], 'reserved': i['reserved'],
                    'min_unit': i['min_unit'], 'max_unit': i['max_unit'],
                    'step_size': i['step_size'],
                    'allocation_ratio': i['allocation_ratio']} for rc, i in invs.items()},
                'usages': usages, 'traits': sorted(traits),
            })
        snap['resource_providers'].sort(key=lambda r: r['name'])
        return snap

    def compute_devices(self):
        from nova import context, objects
        ctxt = context.get_admin_context()
        out = []
        for cn in objects.ComputeNodeList.get_all(ctxt):
            for d in objects.PciDeviceList.get_by_compute_node(ctxt, cn.id):
                out.append({'address': d.address, 'dev_type': d.dev_type,
                            'vendor_id': d.vendor_id, 'product_id': d.product_id,
                            'numa_node': d.numa_node, 'status': d.status,
                            'parent_addr': d.parent_addr})
        out.sort(key=lambda d: d['address'])
        return out

    def test_boot(self):
        from nova.tests.fixtures import libvirt as fakelibvirt
        import nova.version
        self.live = []
        OUTPUT['nova_version'] = nova.version.version_string()
        OUTPUT['applied_conf'] = self.applied
        report = INPUT['host_report']
        host = report['host']
        hostname = INPUT.get('hostname') or host['hostname']
        nodes, sockets, cores, threads, kb = host_shape(host)
        host_info = fakelibvirt.HostInfo(cpu_nodes=nodes, cpu_sockets=sockets,
                                         cpu_cores=cores, cpu_threads=threads, kB_mem=kb)
        # fakelibvirt's getInfo() returns kB_mem where libvirt gives MiB (and
        # Nova reads MiB): the NUMA cells above are built in KiB, the host's
        # total must be in MiB.
        host_info.kB_mem = kb // 1024
        OUTPUT['host_info'] = {'cpu_nodes': nodes, 'cpu_sockets': sockets, 'cpu_cores': cores,
                               'cpu_threads': threads, 'kB_mem': kb}
        pci_info = fakelibvirt.HostPCIDevicesInfo(num_pci=0, num_pfs=0, num_vfs=0)
        devs = host.get('pci_devices') or []
        by_addr = {d['address']: d for d in devs}
        # mdev parents (vGPU): their types, and the mdevs made already.
        mdev_parents = {p['address']: p.get('types') or []
                        for p in (host.get('mdev') or {}).get('parents') or []}
        mdev_info = fakelibvirt.HostMdevDevicesInfo(devices={})
        for addr, types in mdev_parents.items():
            if addr not in by_addr:
                continue
            for t in types:
                for u in t.get('devices') or []:
                    name = 'mdev_' + u.replace('-', '_')
                    mdev_info.devices[name] = fakelibvirt.FakeMdevDevice(
                        dev_name=name, type_id=t['id'], parent=nodedev_name(addr))
        OUTPUT['mdevs_given'] = sorted(mdev_info.devices)
        skipped = OUTPUT['skipped_devices'] = []
        for d in devs:
            if not all(re.fullmatch(r'[0-9a-fA-F]{4}', d.get(k) or '') for k in ('vendor_id', 'device_id')):
                # The report could not read its IDs (libvirt reads them from
                # config space): no node device can be written for it.
                skipped.append(d['address'])
                continue
            _, b, s, f = pci_parts(d['address'])
            # Made in a scratch pool: fakelibvirt names devices without their
            # domain, so 0000:01:00.0 and 10000:01:00.0 (behind VMD) collide.
            scratch = fakelibvirt.HostPCIDevicesInfo(num_pci=0, num_pfs=0, num_vfs=0)
            fake = scratch.add_device(dev_type='PCI', bus=b, slot=s, function=f,
                                       iommu_group=d.get('iommu_group') or 0,
                                       numa_node=d.get('numa_node') if d.get('numa_node') is not None else -1,
                                       vend_id=d['vendor_id'], prod_id=d['device_id'])
            fake.pci_device = device_xml(d, by_addr, mdev_parents.get(d['address']))
            fake.is_capable_of_mdevs = bool(mdev_parents.get(d['address']))
            # keyed by libvirt's name, with the domain
            pci_info.devices[nodedev_name(d['address'])] = fake
        conn = fakelibvirt.Connection('qemu:///system', host_info=host_info,
                                      pci_info=pci_info, mdev_info=mdev_info,
                                      hostname=hostname)

        def made(parent, mdev_type):
            # sysfs's available_instances drops as an mdev is made; libvirt
            # reads it anew each time: the parent's XML follows.
            for addr, types in mdev_parents.items():
                if nodedev_name(addr) != parent or addr not in by_addr:
                    continue
                for t in types:
                    if t['id'] == mdev_type and (t.get('available_instances') or 0) > 0:
                        t['available_instances'] -= 1
                pci_info.devices[parent].pci_device = device_xml(by_addr[addr], by_addr, types)
        self.mock_create_mdev(conn, made)
        compute = OUTPUT['compute'] = {'hostname': hostname, 'started': False}
        try:
            self.start_compute(hostname=hostname, connection=conn)
            compute['started'] = True
        except Exception as e:  # noqa: the start-up refusal is the answer
            compute['error'] = '%s: %s' % (type(e).__name__, e)
            compute['traceback'] = traceback.format_exc()
            log('nova-compute did not start: %s' % compute['error'])
        if compute['started']:
            compute['pci_devices'] = self.compute_devices()
        else:
            compute['log'] = self.nova_errors()
        flavors = {}
        for c in INPUT.get('cases') or []:
            fl = self.admin_api.post_flavor({'flavor': {
                'name': c['name'], 'vcpus': c.get('vcpus', 1), 'ram': c.get('ram_mb', 512),
                'disk': c.get('disk_gb', 0), 'os-flavor-access:is_public': True}})
            fid = fl['id']
            flavors[c['name']] = fid
            if c.get('extra_specs'):
                try:
                    self.admin_api.post_extra_spec(fid, {'extra_specs': c['extra_specs']})
                except Exception as e:  # noqa: the API's refusal is an outcome
                    c['_spec_error'] = '%s' % e
        OUTPUT['cloud'] = self.save_cloud()
        results = OUTPUT['cases'] = []
        for c in INPUT.get('cases') or []:
            r = {'name': c['name']}
            results.append(r)
            if c.get('_spec_error'):
                r['spec_error'] = c['_spec_error']
                continue
            t0 = time.time()
            try:
                r['boots'] = run_case_counts(self, flavors[c['name']], c.get('counts') or [1])
                limit = c.get('fill') or 0
                if limit:
                    r['fill'] = self.fill(flavors[c['name']], limit)
            except Exception as e:  # noqa
                r['error'] = '%s: %s' % (type(e).__name__, traceback.format_exc())
                self.delete_all()
            r['seconds'] = round(time.time() - t0, 2)
            log('%s: %s' % (c['name'], json.dumps({k: v for k, v in r.items() if k != 'name'})))
        # GPUPASS_BOOT_LOG=FILE (with OS_DEBUG=1 for Nova's debug records):
        # the services' whole log, to read a refusal's reasons.
        if os.environ.get('GPUPASS_BOOT_LOG'):
            with open(os.environ['GPUPASS_BOOT_LOG'], 'w') as f:
                f.write(getattr(getattr(self, 'stdlog', None), 'logger', None) and
                        self.stdlog.logger.output or '')

    def nova_errors(self):
        """The ERROR records and tracebacks of the services' log so far."""
        try:
            text = self.stdlog.logger.output
        except AttributeError:
            return ''
        keep, on = [], False
        for line in text.splitlines():
            if ' ERROR ' in line or ' CRITICAL ' in line:
                on = True
            elif re.match(r'\d{4}-\d\d-\d\d ', line):
                on = False
            if on:
                keep.append(line)
        return '\n'.join(keep[-200:])

    def fill(self, flavor_id, limit):
        """Boots one server at a time until one fails or limit are up."""
        active, fault = 0, None
        for _ in range(limit):
            servers, faults = self.boot(flavor_id, 1)
            if servers and servers[0]['status'] == 'ACTIVE':
                active += 1
                continue
            fault = faults[0] if faults else {'kind': 'unknown', 'message': ''}
            break
        self.delete_all()
        return {'active': active, 'fault': fault}


def main():
    global INPUT
    if len(sys.argv) != 3:
        print('usage: harness.py INPUT.json OUTPUT.json', file=sys.stderr)
        return 2
    with open(sys.argv[1]) as f:
        INPUT = json.load(f)
    os.environ.setdefault('OS_TEST_TIMEOUT', '3600')
    from nova.tests.functional.libvirt import base
    cls = type('BootHarness', (Harness, base.ServersTestBase), {})
    suite = unittest.TestSuite([cls('test_boot')])
    res = unittest.TextTestRunner(stream=sys.stderr, verbosity=0).run(suite)
    if not res.wasSuccessful():
        OUTPUT['harness_error'] = '\n'.join(t for _, t in res.errors + res.failures)
    with open(sys.argv[2], 'w') as f:
        json.dump(OUTPUT, f, indent=1, sort_keys=True)
    return 0 if res.wasSuccessful() else 1


if __name__ == '__main__':
    sys.exit(main())
