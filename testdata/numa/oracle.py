#!/usr/bin/env python3
"""The NUMA oracle: Nova's own code judges whether a flavor's guest NUMA
topology fits a host, and how many such guests fit an empty host.

Run with a release's python3-nova (in its chroot):

    python3 oracle.py cases.jsonl > out.json

For each case (one JSON object a line: host, conf, flavor, pci) it
  - sets nova.conf's [compute]cpu_dedicated_set, cpu_shared_set,
    [DEFAULT]vcpu_pin_set and reserved_huge_pages with oslo.config's
    set_override;
  - builds the host's NUMA topology with the libvirt driver's own
    _get_host_numa_topology, fed libvirt capabilities XML written from the
    host's nodes as libvirt reports them (each cell's memory in KiB, its
    small pages = (MemTotal - huge pages) / 4 KiB, its huge page pools, its
    CPUs each its own core), and the driver's _get_vcpu_available /
    _get_pcpu_available on the host's online CPUs;
  - builds the guest's topology with hardware.numa_get_constraints from the
    flavor (an exception is Nova refusing the flavor: its class is the
    verdict);
  - fits it with hardware.numa_fit_instance_to_host, with the allocation
    ratios as NUMATopologyLimits and, when the case asks for PCI devices,
    the host's devices in a PciDeviceStats and an InstancePCIRequest with
    the case's numa_policy;
  - counts how many fit one after the other (numa_usage_from_instance_numa
    and PciDeviceStats.apply_requests consume what each takes), up to 64.
"""
import inspect
import json
import sys
import warnings

warnings.simplefilter("ignore")

import nova.conf  # noqa: E402
from nova import exception, objects  # noqa: E402
from nova import version as nova_version  # noqa: E402
from nova.virt import hardware  # noqa: E402

objects.register_all()
CONF = nova.conf.CONF
CONF([], project="nova", default_config_files=[])
nova.conf.neutron.register_dynamic_opts(CONF)  # [neutron_tunnel], read by the driver

from nova.pci import stats as pci_stats  # noqa: E402
from nova.pci import whitelist  # noqa: E402
from nova.virt.libvirt import config as vconfig  # noqa: E402
from nova.virt.libvirt import driver as libvirt_driver  # noqa: E402

MAX_MORE = 64


class FakeHost:
    def __init__(self, online, caps):
        self._online, self._caps = online, caps

    def get_online_cpus(self):
        return set(self._online)

    def get_available_cpus(self):
        return set(self._online)

    def get_capabilities(self):
        return self._caps


def parse_cpulist(s):
    out = set()
    for part in filter(None, s.split(",")):
        a, _, b = part.partition("-")
        out |= set(range(int(a), int(b or a) + 1))
    return sorted(out)


def caps_xml(host):
    cells = []
    for n in host["nodes"]:
        huge_kb = sum(p["size_kb"] * p["total"] for p in n.get("huge_pages") or [])
        pages = ['<pages unit="KiB" size="4">%d</pages>' % ((n["memory_kb"] - huge_kb) // 4)]
        for p in n.get("huge_pages") or []:
            pages.append('<pages unit="KiB" size="%d">%d</pages>' % (p["size_kb"], p["total"]))
        # The node's socket: its own ID unless the case names one; "mixed"
        # puts its CPUs on two packages (the driver then gives the cell no
        # socket).
        socket = n.get("socket", n["id"])
        cpus = "".join(
            '<cpu id="%d" socket_id="%d" core_id="%d" siblings="%d"/>' % (
                c, (c % 2) if socket == "mixed" else socket, c, c)
            for c in parse_cpulist(n["cpus"]))
        cells.append(
            '<cell id="%d"><memory unit="KiB">%d</memory>%s'
            '<cpus num="%d">%s</cpus></cell>'
            % (n["id"], n["memory_kb"], "".join(pages), len(parse_cpulist(n["cpus"])), cpus))
    xml = ('<capabilities><host><uuid>cafe0000-0000-0000-0000-000000000000</uuid>'
           '<cpu><arch>x86_64</arch></cpu>'
           '<topology><cells num="%d">%s</cells></topology></host></capabilities>'
           % (len(cells), "".join(cells)))
    caps = vconfig.LibvirtConfigCaps()
    caps.parse_str(xml)
    return caps


def host_topology(case):
    host, conf = case["host"], case.get("conf", {})
    for group, name in (("compute", "cpu_dedicated_set"), ("compute", "cpu_shared_set"),
                        (None, "vcpu_pin_set")):
        CONF.set_override(name, conf.get(name), group=group)
    CONF.set_override("reserved_huge_pages", conf.get("reserved_huge_pages") or None)
    online = parse_cpulist(host.get("cpus_online") or ",".join(n["cpus"] for n in host["nodes"]))
    drv = object.__new__(libvirt_driver.LibvirtDriver)
    drv._host = FakeHost(online, caps_xml(host))
    drv._has_numa_support = lambda: True
    drv._reserved_hugepages = hardware.numa_get_reserved_huge_pages()
    return libvirt_driver.LibvirtDriver._get_host_numa_topology(drv)


def pci_setup(case, topo):
    pci = case.get("pci")
    if not pci:
        return None, None
    spec = {"vendor_id": "10de", "product_id": "26b9"}
    stats = pci_stats.PciDeviceStats(topo, dev_filter=whitelist.Whitelist([json.dumps(spec)]))
    i = 0
    for dev in pci["devices"]:
        for _ in range(dev["count"]):
            node = dev["node"] if dev["node"] >= 0 else None
            stats.add_device(objects.PciDevice(
                compute_node_id=1, address="0000:%02x:00.0" % (0x10 + i), vendor_id="10de",
                product_id="26b9", dev_type="type-PCI", status="available", numa_node=node,
                parent_addr=None, dev_id="pci_0000_%02x_00_0" % (0x10 + i), label="label_10de_26b9",
                extra_info={}, request_id=None))
            i += 1
    req = objects.InstancePCIRequest(count=pci["count"], spec=[dict(spec)], alias_name="l40s",
                                     numa_policy=pci["policy"], request_id=None, requester_id=None)
    return stats, objects.InstancePCIRequests(requests=[req])


FIT_PARAMS = inspect.signature(hardware.numa_fit_instance_to_host).parameters


def fit(topo, inst, limits, reqs, stats):
    kw = {"limits": limits}
    if "provider_mapping" in FIT_PARAMS:
        kw["provider_mapping"] = None
    if reqs is not None:
        kw["pci_requests"], kw["pci_stats"] = reqs.requests, stats
    return hardware.numa_fit_instance_to_host(topo, inst, **kw)


def judge(case):
    fl = case["flavor"]
    flavor = objects.Flavor(vcpus=fl["vcpus"], memory_mb=fl["memory_mb"], extra_specs=fl.get("extra_specs", {}),
                            name="f", flavorid="f", root_gb=1, ephemeral_gb=0, swap=0)
    image = objects.ImageMeta.from_dict({})
    try:
        inst = hardware.numa_get_constraints(flavor, image)
    except exception.NovaException as e:
        return {"verdict": "refused", "error": type(e).__name__}
    if inst is None:
        return {"verdict": "no-topology"}
    conf = case.get("conf", {})
    # The filter's limits are the compute node's ratios: nova.conf's, else
    # the release's initial ones (a new compute node).
    limits = objects.NUMATopologyLimits(
        cpu_allocation_ratio=conf.get("cpu_allocation_ratio") or CONF.initial_cpu_allocation_ratio,
        ram_allocation_ratio=conf.get("ram_allocation_ratio") or CONF.initial_ram_allocation_ratio)
    topo = host_topology(case)
    stats, reqs = pci_setup(case, topo)
    got = fit(topo, inst, limits, reqs, stats)
    if got is None:
        return {"verdict": "no-fit", "more": 0}
    more = 0
    while got is not None and more < MAX_MORE:
        more += 1
        topo = hardware.numa_usage_from_instance_numa(topo, got)
        if stats is not None:
            if "provider_mapping" in inspect.signature(stats.apply_requests).parameters:
                stats.apply_requests(reqs.requests, None, got.cells)
            else:
                stats.apply_requests(reqs.requests, got.cells)
        inst = hardware.numa_get_constraints(flavor, image)
        got = fit(topo, inst, limits, reqs, stats)
    return {"verdict": "fits", "more": more}


def main():
    out = {"nova": nova_version.version_string(), "cases": {}}
    with open(sys.argv[1]) as f:
        for line in f:
            if not line.strip():
                continue
            case = json.loads(line)
            try:
                out["cases"][case["name"]] = judge(case)
            except Exception as e:  # the oracle's own failure: say it, per case
                out["cases"][case["name"]] = {"verdict": "oracle-error", "error": "%s: %s" % (type(e).__name__, e)}
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
