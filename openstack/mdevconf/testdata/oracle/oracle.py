#!/usr/bin/env python3
"""What Nova's libvirt driver makes of each case's mdev options.

    LC_ALL=C.UTF-8 /usr/bin/python3 oracle.py [PKGS] > expected.json

Run from this directory. For every case (cases/NAME.conf, loaded as
`nova-compute --config-file cases/NAME.conf`; cases.json names the cases
of several files) and every Nova code below, the script runs
LibvirtDriver._get_supported_vgpu_types as a freshly started nova-compute
does, and prints what it returned or raised, what it logged, and what the
driver then gives an mdev parent (_get_vgpu_type_per_pgpu,
_get_resource_class_for_device).

The Nova codes:

  * "zed": the installed python3-nova (Debian bookworm's 26.2.2), as is;
  * "2025.1", "2026.2": the same methods as Debian's python3-nova
    31.0.0 and 34.0.0 have them, taken from PKGS/n31 and PKGS/n34
    (hack/nova-pkgs.sh extracts the packages there; default /tmp/nova):
    their source is cut out of their driver.py with Python's ast
    (_get_supported_vgpu_types, _get_vgpu_type_per_pgpu,
    _get_resource_class_for_device and the address helpers they call),
    and so are the lines of LibvirtDriver.__init__ that set the attributes
    these use, nova/conf/devices.py's register_dynamic_opts and
    nova/pci/utils.py's parse_address; they run on Zed's oslo.config,
    nova.exception and os_resource_classes (which declare the same
    things), Zed's driver module being their global namespace.

How a case runs: in a forked process (the groups register_dynamic_opts
adds to nova.conf.CONF would otherwise outlive the case), CONF is loaded
as nova-compute loads it (nova.config.parse_args: project nova, the case's
--config-file arguments), a LibvirtDriver is made with object.__new__
(its __init__ would connect to libvirt) holding the attributes __init__
gives it, and the method is called. Nothing registers the dynamic groups
first: at that point of nova-compute's start, ComputeManager.init_host
(which registers them) has not run yet.

LOG.warning calls of the driver and oslo.config's deprecation reports are
recorded. For 2026.2, os.path.exists is made to answer False for
/sys/devices/virtual/... (no virtual mdev parent such as mtty), so the
answer does not depend on the machine the oracle runs on.

The output is deterministic: paths relative to this directory, sorted keys.
"""

import ast
import collections
import json
import os
import sys
import types

sys.dont_write_bytecode = True
for _k in list(os.environ):
    if _k.startswith("OS_"):
        del os.environ[_k]

import nova.conf  # noqa: E402
import nova.config  # noqa: E402
import nova.conf.devices  # noqa: E402
from nova.virt.libvirt import driver as zed_driver  # noqa: E402
from oslo_config import cfg  # noqa: E402
from oslo_log import log as oslo_log  # noqa: E402

try:
    from importlib import metadata
except ImportError:  # pragma: no cover
    metadata = None

HERE = os.path.dirname(os.path.abspath(__file__))
CONF = nova.conf.CONF
# nova.config.parse_args registers oslo.log's options before CONF().
oslo_log.register_options(CONF)

PKG_DIRS = {"2025.1": "n31", "2026.2": "n34"}
DIST = "usr/lib/python3/dist-packages/nova"

# The methods taken from a release's driver.py, when it has them.
METHODS = [
    "_get_supported_vgpu_types",
    "_get_vgpu_type_per_pgpu",
    "_get_resource_class_for_device",
    "_get_pci_id_from_libvirt_name",
    "_get_device_address",
    "_is_virtual_mdev",
    "_validate_device_address",
]
# The attributes LibvirtDriver.__init__ sets that these methods use.
ATTRS = {"pgpu_type_mapping", "mdev_class_mapping", "mdev_classes",
         "mdev_type_max_mapping", "pgpu_type_default", "virtual_mdevs"}

# An mdev parent no case lists: what the driver gives any other parent.
PROBE = "0000:99:00.0"


def libvirt_name(addr):
    dom, bus, rest = addr.split(":")
    slot, fn = rest.split(".")
    return "pci_%s_%s_%s_%s" % (dom, bus, slot, fn)


def canonical(addr):
    """An address libvirt could name: lower-case hex, '.' before the
    function (the only ones the parent lookups can be asked about)."""
    try:
        dom, bus, rest = addr.split(":")
        slot, fn = rest.split(".")
    except ValueError:
        return False
    hexd = "0123456789abcdef"
    return (len(dom) == 4 and len(bus) == 2 and len(slot) == 2
            and len(fn) == 1 and all(c in hexd for c in dom + bus + slot)
            and fn in "01234567")


class Recorder:
    """Stands for the driver's LOG: records warnings, as nova logs them."""

    def __init__(self, real):
        self.real = real
        self.warnings = []

    def warning(self, msg, *args):
        self.warnings.append(msg % args if args else msg)

    def __getattr__(self, name):
        return getattr(self.real, name)


def class_source(path):
    with open(path, encoding="utf-8") as f:
        src = f.read()
    tree = ast.parse(src)
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == "LibvirtDriver":
            return node
    raise SystemExit("oracle.py: no LibvirtDriver in %s" % path)


def release_code(pkgs, release):
    """The methods, the __init__ lines and register_dynamic_opts of one
    release, as source text."""
    base = os.path.join(pkgs, PKG_DIRS[release], DIST)
    path = os.path.join(base, "virt/libvirt/driver.py")
    if not os.path.exists(path):
        raise SystemExit("oracle.py: %s is missing: run hack/nova-pkgs.sh %s"
                         % (path, pkgs))
    cls = class_source(path)
    methods = {}
    init_lines = []
    for node in cls.body:
        if isinstance(node, ast.FunctionDef) and node.name in METHODS:
            methods[node.name] = ast.unparse(node)
        if isinstance(node, ast.FunctionDef) and node.name == "__init__":
            for stmt in node.body:
                if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                    targets = (stmt.targets if isinstance(stmt, ast.Assign)
                               else [stmt.target])
                    for t in targets:
                        if (isinstance(t, ast.Attribute)
                                and isinstance(t.value, ast.Name)
                                and t.value.id == "self"
                                and t.attr in ATTRS):
                            init_lines.append(ast.unparse(stmt))
    with open(os.path.join(base, "conf/devices.py"), encoding="utf-8") as f:
        dev = ast.parse(f.read())
    reg = [ast.unparse(n) for n in dev.body if isinstance(n, ast.FunctionDef)
           and n.name == "register_dynamic_opts"]
    with open(os.path.join(base, "pci/utils.py"), encoding="utf-8") as f:
        putils = ast.parse(f.read())
    pci = []
    for n in putils.body:
        if isinstance(n, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id.startswith("_PCI_ADDRESS")
                for t in n.targets):
            pci.append(ast.unparse(n))
        if isinstance(n, ast.FunctionDef) and n.name == "parse_address":
            pci.append(ast.unparse(n))
    return {"methods": methods, "init": init_lines, "register": reg[0],
            "pci": "\n".join(pci)}


def build(release, code, log):
    """A LibvirtDriver (not initialised) with the release's methods and
    attributes; and the register_dynamic_opts in force."""
    if code is None:
        drv = object.__new__(zed_driver.LibvirtDriver)
        init = ZED_INIT
        g = dict(vars(zed_driver))
        for line in init:
            exec(compile(line, "<zed __init__>", "exec"), g, {"self": drv})
        zed_driver.LOG = log
        return drv
    g = dict(vars(zed_driver))
    g["LOG"] = log
    # The release's parse_address, as its pci_utils module.
    pci_ns = {"re": __import__("re"), "ty": __import__("typing"),
              "exception": g["exception"]}
    exec(compile(code["pci"], "<%s pci/utils.py>" % release, "exec"), pci_ns)
    g["pci_utils"] = types.SimpleNamespace(**pci_ns)
    # The release's register_dynamic_opts, in place of Zed's.
    reg_ns = {"cfg": cfg}
    exec(compile(code["register"], "<%s devices.py>" % release, "exec"),
         reg_ns)
    nova.conf.devices.register_dynamic_opts = reg_ns["register_dynamic_opts"]
    if release == "2026.2":
        real_exists = os.path.exists
        fake_os = types.SimpleNamespace(**vars(os))
        fake_os.path = types.SimpleNamespace(**vars(os.path))
        fake_os.path.exists = (lambda p: False
                               if str(p).startswith("/sys/devices/virtual/")
                               else real_exists(p))
        g["os"] = fake_os
    ns = {}
    for name, src in code["methods"].items():
        exec(compile(src, "<%s driver.py %s>" % (release, name), "exec"), g,
             ns)
    cls = type("LibvirtDriver" + release.replace(".", "_"),
               (zed_driver.LibvirtDriver,), dict(ns))
    drv = object.__new__(cls)
    for line in code["init"]:
        exec(compile(line, "<%s __init__>" % release, "exec"), g,
             {"self": drv})
    return drv


def zed_init():
    """The lines of Zed's LibvirtDriver.__init__ that set ATTRS."""
    src = class_source(zed_driver.__file__)
    return [ast.unparse(s) for n in src.body
            if isinstance(n, ast.FunctionDef) and n.name == "__init__"
            for s in n.body if isinstance(s, (ast.Assign, ast.AnnAssign))
            and any(isinstance(t, ast.Attribute) and t.attr in ATTRS
                    for t in (s.targets if isinstance(s, ast.Assign)
                              else [s.target]))]


# Parsed once, before the cases fork.
ZED_INIT = None


def run(release, code, files):
    log = Recorder(zed_driver.LOG)
    deprecations = []

    def report(format_str, format_dict):
        deprecations.append(format_str % format_dict)

    cfg._report_deprecation = report
    out = {}
    try:
        args = []
        for f in files:
            args += ["--config-file", f]
        CONF(args=args, project="nova", prog="nova-compute",
             default_config_files=[], default_config_dirs=[])
    except (Exception, SystemExit) as e:  # noqa: BLE001 - an answer
        return {"used": None, "error_class": type(e).__name__,
                "error_message": str(e).replace(HERE + os.sep, "")}
    drv = build(release, code, log)
    try:
        used = drv._get_supported_vgpu_types()
        # what __init__ does with it
        drv.supported_vgpu_types = used
        out["used"] = list(used)
    except Exception as e:  # noqa: BLE001 - all are answers
        out["used"] = None
        out["error_class"] = type(e).__name__
        out["error_message"] = str(e).replace(HERE + os.sep, "")
    if out["used"] is not None:
        out["mapping"] = dict(drv.pgpu_type_mapping)
        out["classes"] = dict(drv.mdev_class_mapping)
        out["class_set"] = sorted(drv.mdev_classes)
        out["max_instances"] = dict(getattr(drv, "mdev_type_max_mapping",
                                            {}))
        parents = {}
        for addr in sorted(set(list(drv.pgpu_type_mapping) + [PROBE])):
            if not canonical(addr):
                continue
            name = libvirt_name(addr)
            parents[addr] = [drv._get_vgpu_type_per_pgpu(name),
                             drv._get_resource_class_for_device(name)]
        out["parents"] = parents
    out["warnings"] = log.warnings
    out["deprecations"] = deprecations
    return out


def run_forked(release, code, files):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            data = json.dumps(run(release, code, files)).encode()
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
        raise SystemExit("oracle.py: %s on %s: %s"
                         % (release, files, res["oracle_error"]))
    return res


def main():
    pkgs = sys.argv[1] if len(sys.argv) > 1 else "/tmp/nova"
    os.chdir(HERE)
    global ZED_INIT
    ZED_INIT = zed_init()
    codes = {"zed": None}
    for release in PKG_DIRS:
        codes[release] = release_code(pkgs, release)
    cases = {}
    for name in sorted(os.listdir("cases")):
        if name.endswith(".conf"):
            cases[name[:-len(".conf")]] = [os.path.join("cases", name)]
    with open("cases.json") as f:
        for name, files in sorted(json.load(f).items()):
            if name in cases:
                raise SystemExit("oracle.py: case %s twice" % name)
            cases[name] = files
    result = {}
    for name, files in sorted(cases.items()):
        result[name] = {"files": files}
        for release, code in codes.items():
            result[name][release] = run_forked(release, code,
                                               [os.path.join(HERE, f)
                                                for f in files])

    def version(dist):
        try:
            return metadata.version(dist)
        except Exception:  # noqa: BLE001
            return None

    json.dump({"generator": "oracle.py", "nova": version("nova"),
               "oslo.config": version("oslo.config"),
               "packages": {r: d for r, d in PKG_DIRS.items()},
               "cases": result},
              sys.stdout, indent=1, sort_keys=True, ensure_ascii=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
