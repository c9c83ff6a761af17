#!/usr/bin/env python3
"""Would nova-compute start? Nova's own code on each case of cases.json.

    LC_ALL=C.UTF-8 /usr/bin/python3 oracle.py [PKGS] > expected.json

Run from this directory. A case is a host (PCI devices: address,
vendor_id, product_id, the PF of a VF, sriov_totalvfs of a PF; libvirt and
QEMU versions) and the [pci] section of its nova.conf. For every case and
every Nova code below, the script runs, in a forked process, the part of
nova-compute's start-up that GP609, GP610 and GP611 judge, in Nova's order,
and prints the first exception (its class, its message, the step) or that
nova-compute starts:

  1. "device_spec": ComputeManager.init_host loads
     whitelist.Whitelist(CONF.pci.device_spec) (nova/pci/devspec.py parses
     every entry: one_time_use=true without report_in_placement, an
     unparsable tag);
  2. "libvirt": LibvirtDriver.init_host's _check_pci_whitelist (2025.1 and
     later): a device_spec with live_migratable and libvirt < 10.0.0 or
     QEMU < 8.2.2 is InvalidConfiguration. Host.has_min_version and
     _version_check of the release's nova/virt/libvirt/host.py answer, on a
     libvirt connection that reports the case's versions as libvirt does
     (major * 1,000,000 + minor * 1,000 + micro) and the type "QEMU";
  3. "placement": with [pci]report_in_placement, the resource tracker's
     first update_available_resource (startup=True: a PlacementPciException
     stops nova-compute, nova/compute/manager.py) runs
     pci_placement_translator.update_provider_tree_for_pci on the PCI
     tracker's devices: the case's devices that Whitelist.device_assignable
     admits, as objects.PciDevice.create makes them from libvirt's
     dictionaries (dev_type type-VF for a VF, type-PF for a device with
     sriov_totalvfs > 0, else type-PCI; parent_addr the VF's PF), in the
     case's order, into a ProviderTree whose root is the case's hostname.

The Nova codes:

  * "zed": the installed python3-nova (Debian bookworm's 26.2.2), as is;
  * "2025.1", "2026.2": Debian's python3-nova 31.0.0 and 34.0.0, extracted
    under PKGS/n31 and PKGS/n34 by hack/nova-pkgs.sh (default /tmp/nova).
    Their nova/exception.py, nova/pci/utils.py, nova/pci/devspec.py,
    nova/pci/whitelist.py and nova/compute/pci_placement_translator.py are
    loaded whole, as modules of their own, and wired to one another; from
    nova/virt/libvirt/driver.py, _check_pci_whitelist and the
    MIN_VFIO_PCI_VARIANT_* constants are cut out with Python's ast, and
    from host.py _version_check, has_min_version and HV_DRIVER_QEMU (those
    two files do not import on Zed). They run on Zed's oslo libraries,
    nova.conf, nova.objects and ProviderTree. Zed's os_traits (2.9.0) lacks
    HW_PCI_LIVE_MIGRATABLE and HW_PCI_ONE_TIME_USE, which 34.0.0's
    translator adds to providers: they are given their names, as os_traits
    defines them; a device_spec naming a trait newer than os_traits 2.9.0
    would be normalised as a custom one here (no case does).

What stands in for the host: nova/pci/utils.py's is_physical_function
(does the address spec of an entry name a PF?) answers from the case's
sriov_totalvfs instead of /sys, and get_function_by_ifname finds no
interface (the case host has none). Nothing else is replaced.

The output is deterministic: sorted keys, no paths, no UUIDs.
"""

import ast
import json
import os
import sys
import tempfile
import types

sys.dont_write_bytecode = True
for _k in list(os.environ):
    if _k.startswith("OS_"):
        del os.environ[_k]

import nova.conf  # noqa: E402
import nova.exception as zed_exception  # noqa: E402
from nova import objects  # noqa: E402
from nova.compute import pci_placement_translator as zed_ppt  # noqa: E402
from nova.compute import provider_tree  # noqa: E402
from nova.pci import devspec as zed_devspec  # noqa: E402
from nova.pci import utils as zed_pci_utils  # noqa: E402
from nova.pci import whitelist as zed_whitelist  # noqa: E402
from oslo_log import log as oslo_log  # noqa: E402
from oslo_utils import versionutils  # noqa: E402
import os_traits  # noqa: E402

try:
    from importlib import metadata
except ImportError:  # pragma: no cover
    metadata = None

HERE = os.path.dirname(os.path.abspath(__file__))
CONF = nova.conf.CONF
oslo_log.register_options(CONF)
objects.register_all()

PKG_DIRS = {"2025.1": "n31", "2026.2": "n34"}
DIST = "usr/lib/python3/dist-packages/nova"
RELEASES = ["zed", "2025.1", "2026.2"]

# The os_traits names 34.0.0's translator uses that os_traits 2.9.0 lacks.
NEWER_TRAITS = ["HW_PCI_LIVE_MIGRATABLE", "HW_PCI_ONE_TIME_USE"]


def load_module(base, rel, name, before=None):
    path = os.path.join(base, rel)
    if not os.path.exists(path):
        raise SystemExit("oracle.py: %s is missing: run hack/nova-pkgs.sh"
                         % path)
    mod = types.ModuleType(name)
    mod.__file__ = path
    if before:
        mod.__dict__.update(before)
    with open(path, encoding="utf-8") as f:
        exec(compile(f.read(), path, "exec"), mod.__dict__)
    return mod


def cut(base, rel, cls_name, funcs, consts):
    """Source of the methods funcs of class cls_name and of the module
    level assignments to consts, from one file."""
    path = os.path.join(base, rel)
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    out_funcs, out_consts = {}, []
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id in consts
                for t in node.targets):
            out_consts.append(ast.unparse(node))
        if isinstance(node, ast.ClassDef) and node.name == cls_name:
            for m in node.body:
                if isinstance(m, ast.FunctionDef) and m.name in funcs:
                    out_funcs[m.name] = ast.unparse(m)
    missing = set(funcs) - set(out_funcs)
    if missing:
        raise SystemExit("oracle.py: %s has no %s.%s" % (path, cls_name,
                                                        sorted(missing)))
    return out_funcs, out_consts


class Code:
    """One release's modules: exception, devspec, whitelist, translator,
    and (2025.1+) the libvirt driver's start-up check."""

    def __init__(self, release, pkgs):
        self.release = release
        if release == "zed":
            self.exception = zed_exception
            self.pci_utils = zed_pci_utils
            self.devspec = zed_devspec
            self.whitelist = zed_whitelist
            self.ppt = zed_ppt
            self.check_pci_whitelist = None
            self.host_cls = None
            return
        base = os.path.join(pkgs, PKG_DIRS[release], DIST)
        tag = "n" + PKG_DIRS[release][1:]
        self.exception = load_module(base, "exception.py",
                                     "nova_%s_exception" % tag)
        self.pci_utils = load_module(base, "pci/utils.py",
                                     "nova_%s_pci_utils" % tag)
        self.pci_utils.exception = self.exception
        self.devspec = load_module(base, "pci/devspec.py",
                                   "nova_%s_devspec" % tag)
        self.devspec.exception = self.exception
        self.devspec.utils = self.pci_utils
        self.whitelist = load_module(base, "pci/whitelist.py",
                                     "nova_%s_whitelist" % tag)
        self.whitelist.exception = self.exception
        self.whitelist.devspec = self.devspec
        self.ppt = load_module(base, "compute/pci_placement_translator.py",
                               "nova_%s_ppt" % tag)
        self.ppt.exception = self.exception
        self.ppt.devspec = self.devspec
        traits = types.SimpleNamespace(**vars(os_traits))
        for t in NEWER_TRAITS:
            if not hasattr(traits, t):
                setattr(traits, t, t)
        self.ppt.os_traits = traits
        # The driver's check, and the host's version comparison.
        funcs, consts = cut(base, "virt/libvirt/driver.py", "LibvirtDriver",
                            ["_check_pci_whitelist"],
                            ["MIN_VFIO_PCI_VARIANT_LIBVIRT_VERSION",
                             "MIN_VFIO_PCI_VARIANT_QEMU_VERSION"])
        hfuncs, hconsts = cut(base, "virt/libvirt/host.py", "Host",
                              ["_version_check", "has_min_version"],
                              ["HV_DRIVER_QEMU"])
        hns = {"operator": __import__("operator"),
               "versionutils": versionutils}
        for src in hconsts:
            exec(src, hns)
        for src in hfuncs.values():
            exec(src, hns)
        self.host_cls = type("Host", (), {
            "_version_check": hns["_version_check"],
            "has_min_version": hns["has_min_version"]})
        host_mod = types.SimpleNamespace(HV_DRIVER_QEMU=hns["HV_DRIVER_QEMU"])
        dns = {"CONF": CONF, "whitelist": self.whitelist, "host": host_mod,
               "exception": self.exception, "_": lambda s: s}
        for src in consts:
            exec(src, dns)
        exec(funcs["_check_pci_whitelist"], dns)
        self.check_pci_whitelist = dns["_check_pci_whitelist"]


def lv_int(text):
    """A version as libvirt's getLibVersion and getVersion report it."""
    parts = [int(p) for p in text.split(".")]
    while len(parts) < 3:
        parts.append(0)
    return parts[0] * 1000000 + parts[1] * 1000 + parts[2]


class Conn:
    def __init__(self, libvirt, qemu):
        self.libvirt, self.qemu = libvirt, qemu

    def getLibVersion(self):
        return lv_int(self.libvirt)

    def getVersion(self):
        return lv_int(self.qemu)

    def getType(self):
        return "QEMU"


def dev_type(d):
    if d.get("physfn"):
        return "type-VF"
    if d.get("sriov_totalvfs", 0) > 0:
        return "type-PF"
    return "type-PCI"


def libvirt_dict(d):
    """What the libvirt driver reports for a device
    (_get_pcidev_info), the fields the tracker and translator use."""
    out = {"address": d["address"], "vendor_id": d["vendor_id"],
           "product_id": d["product_id"], "dev_type": dev_type(d),
           "dev_id": "pci_" + d["address"].replace(":", "_").replace(".", "_"),
           "label": "label_%s_%s" % (d["vendor_id"], d["product_id"]),
           "numa_node": 0}
    if d.get("physfn"):
        out["parent_addr"] = d["physfn"]
    return out


def start(code, case, host):
    """Runs the start-up steps; returns (step, exception) or (None, None)."""
    devices = host["devices"]
    pfs = {d["address"] for d in devices if d.get("sriov_totalvfs", 0) > 0}

    def is_physical_function(domain, bus, slot, function):
        return "%s:%s:%s.%s" % (domain, bus, slot, function) in pfs

    code.pci_utils.is_physical_function = is_physical_function
    code.pci_utils.get_function_by_ifname = lambda ifname: (None, False)

    try:
        wl = code.whitelist.Whitelist(CONF.pci.device_spec)
    except Exception as e:  # noqa: BLE001 - an answer
        return "device_spec", e
    if code.check_pci_whitelist is not None:
        h = code.host_cls()
        conn = Conn(case["libvirt"], case["qemu"])
        h.get_connection = lambda: conn
        drv = types.SimpleNamespace(_host=h)
        try:
            code.check_pci_whitelist(drv)
        except Exception as e:  # noqa: BLE001
            return "libvirt", e
    if not CONF.pci.report_in_placement:
        return None, None
    pci_devs = []
    for d in devices:
        dd = libvirt_dict(d)
        if wl.device_assignable(dd):
            pci_devs.append(objects.PciDevice.create(None, dd))
    tracker = types.SimpleNamespace(
        dev_filter=wl, pci_devs=pci_devs,
        stats=types.SimpleNamespace(
            populate_pools_metadata_from_assigned_devices=lambda: None))
    pt = provider_tree.ProviderTree()
    pt.new_root(host["hostname"], "00000000-0000-0000-0000-000000000001")
    try:
        code.ppt.update_provider_tree_for_pci(pt, host["hostname"], tracker,
                                              {}, [])
    except Exception as e:  # noqa: BLE001
        return "placement", e
    return None, None


def run(code, case, host):
    with tempfile.NamedTemporaryFile("w", suffix=".conf") as f:
        f.write("[pci]\n" + "".join(line + "\n" for line in case["pci"]))
        f.flush()
        CONF(args=["--config-file", f.name], project="nova",
             prog="nova-compute", default_config_files=[],
             default_config_dirs=[])
        step, e = start(code, case, host)
    if e is None:
        return {"starts": True}
    return {"starts": False, "step": step, "error_class": type(e).__name__,
            "error_message": str(e)}


def run_forked(code, case, host):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            data = json.dumps(run(code, case, host)).encode()
        except BaseException as e:  # noqa: BLE001
            data = json.dumps({"oracle_error": repr(e)}).encode()
        with os.fdopen(w, "wb") as f:
            f.write(data)
        os._exit(0)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        data = f.read()
    os.waitpid(pid, 0)
    res = json.loads(data)
    if "oracle_error" in res:
        raise SystemExit("oracle.py: %s: %s" % (code.release,
                                                res["oracle_error"]))
    return res


def main():
    pkgs = sys.argv[1] if len(sys.argv) > 1 else "/tmp/nova"
    os.chdir(HERE)
    with open("cases.json", encoding="utf-8") as f:
        spec = json.load(f)
    codes = {r: Code(r, pkgs) for r in RELEASES}
    result = {}
    for name, case in sorted(spec["cases"].items()):
        host = spec["hosts"][case["host"]]
        result[name] = {r: run_forked(codes[r], case, host)
                        for r in RELEASES}

    def version(dist):
        try:
            return metadata.version(dist)
        except Exception:  # noqa: BLE001
            return None

    json.dump({"generator": "oracle.py", "nova": version("nova"),
               "os-traits": version("os-traits"),
               "packages": PKG_DIRS, "cases": result},
              sys.stdout, indent=1, sort_keys=True, ensure_ascii=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
