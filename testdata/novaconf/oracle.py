#!/usr/bin/python3
"""Nova's verdicts on the gpupass agreement corpus.

Runs every case of the corpus (testdata/novaconf/*.jsonl) through the
installed Nova's own code and prints one JSON line per case, sorted by id:

    {"id": "...", "<release>": {"ok": true|false, "exception": "...", "error": "...", ...}}

The release is the installed Nova's (nova.version: 26.x is zed, 31.x
2025.1, 34.x 2026.2; see RELEASES). The live judges are Debian's
python3-nova in chroots that hack/nova-chroot.sh builds (bookworm: 26.2.2,
trixie: 31.0.0, sid: 34.0.0): with --chroot DIR this script copies itself
and the corpus files under DIR/tmp/, runs there as
`chroot DIR /usr/bin/python3`, and copies the answer back.

  device_spec   nova.pci.whitelist.Whitelist([value]) (which builds
                nova.pci.devspec.PciDeviceSpec for each entry); when the
                case lists devices, whether each spec matches each device
                (PciDeviceSpec.match); "devices": "standard" names the
                devices of devices.json.
  alias         CONF.pci.alias = values; nova.pci.request's
                get_alias_from_config (_get_alias_from_config before
                2025.2); when the case lists device pools, whether each
                alias spec selects each pool (utils.pci_device_prop_match)
  alias_request the same aliases, then _translate_alias_to_requests(request)
  extra_spec    nova.api.validation.extra_specs.validators.validate(key, value)

What Nova reads from the compute node is made up per case, so that the
verdicts do not depend on the machine the oracle runs on: nova.pci.utils
reads a throw-away directory tree built from the case's "host" (its PCI
functions' sysfs files and its network interfaces; by default none), or,
for the cases taken from Nova's unit tests, the functions those tests mock
are mocked the same way ("mock"). "conf" sets [pci]report_in_placement and
[filter_scheduler]pci_in_placement.

Object addresses in messages ("<... object at 0x7f...>") are removed, so
that the output is deterministic.

Usage:
    python3 oracle.py [--chroot DIR] [CORPUS.jsonl ...]
        print the installed (or DIR's) Nova's verdicts
    python3 oracle.py [--chroot DIR] --update [CORPUS.jsonl ...]
        record them in the corpus files ("nova": {"<release>": ...})
    python3 oracle.py --release 2025.2 --nova-git DIR [--update] FILE
        the hybrid that recorded the releases Debian has no package of
        (see HYBRID_TAGS): that release's nova/pci modules from a clone
        of openstack/nova, loaded over the installed Nova Zed
With no file, every *.jsonl next to this script is read.
"""

import argparse
import builtins
import contextlib
import glob
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import warnings
from unittest import mock

# Nova's major version in each release (openstack/novarelease's table).
RELEASES = {
    26: "zed", 27: "2023.1", 28: "2023.2", 29: "2024.1", 30: "2024.2",
    31: "2025.1", 32: "2025.2", 33: "2026.1", 34: "2026.2",
}

# The recorded releases (no Debian package of them: see judges.json) were
# judged by a hybrid: the release's own nova/pci modules (devspec,
# request, utils, whitelist: the grammar of device_spec and alias), taken
# from the release's first tag and loaded over the installed Zed Nova; the
# rest (exceptions, objects, extra spec validators) is Zed's, which the
# later releases left unchanged for these rules.
HYBRID_TAGS = {
    "2023.1": "27.0.0", "2023.2": "28.0.0", "2024.1": "29.0.0",
    "2024.2": "30.0.0", "2025.2": "32.0.0", "2026.1": "33.0.0",
}

warnings.simplefilter("ignore")
logging.disable(logging.CRITICAL)

CONF = None
validators = objects = devspec = request = utils = whitelist = None


def load_nova():
    """Import the installed Nova; return its release and version."""
    global CONF, validators, objects, devspec, request, utils, whitelist
    _stderr = sys.stderr
    sys.stderr = open(os.devnull, "w")  # eventlet's import-time chatter
    try:
        import nova.conf
        import nova.version
        from nova.api.validation.extra_specs import validators
        from nova import objects
        from nova.pci import devspec
        from nova.pci import request
        from nova.pci import utils
        from nova.pci import whitelist
    finally:
        sys.stderr.close()
        sys.stderr = _stderr
    objects.register_all()
    CONF = nova.conf.CONF
    version = nova.version.version_string()
    major = int(version.split(".")[0])
    if major not in RELEASES:
        raise SystemExit("oracle.py: Nova %s is no release gpupass knows (%s)"
                         % (version, ", ".join(RELEASES.values())))
    return RELEASES[major], version


def overlay_release(release, git_dir):
    """Load release's nova/pci modules from a clone of openstack/nova."""
    global utils, request, whitelist, devspec
    import importlib.util
    import nova.pci
    from oslo_config import cfg
    try:
        CONF.filter_scheduler.pci_in_placement
    except Exception:
        CONF.register_opt(cfg.BoolOpt("pci_in_placement", default=False),
                          group="filter_scheduler")
    tag = HYBRID_TAGS[release]
    tmp = tempfile.mkdtemp(prefix="gpupass-nova-%s-" % tag)
    loaded = {}
    for name in ("utils", "request", "devspec", "whitelist"):
        path = os.path.join(tmp, name + ".py")
        with open(path, "wb") as f:
            f.write(subprocess.check_output(
                ["git", "-C", git_dir, "show",
                 "%s:nova/pci/%s.py" % (tag, name)]))
        full = "nova.pci." + name
        spec = importlib.util.spec_from_file_location(full, path)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[full] = mod
        setattr(nova.pci, name, mod)
        spec.loader.exec_module(mod)
        loaded[name] = mod
    shutil.rmtree(tmp, ignore_errors=True)
    utils, request = loaded["utils"], loaded["request"]
    devspec, whitelist = loaded["devspec"], loaded["whitelist"]


_ADDR = re.compile(r" at 0x[0-9a-fA-F]+>")


def clean(msg):
    return _ADDR.sub(">", msg)


class _FakePath:
    def __init__(self, root):
        self._root = root

    def isdir(self, p):
        return os.path.isdir(self._root + p)

    def __getattr__(self, name):
        return getattr(os.path, name)


class _FakeOS:
    def __init__(self, root):
        self._root = root
        self.path = _FakePath(root)

    def readlink(self, p):
        return os.readlink(self._root + p)

    def listdir(self, p):
        return os.listdir(self._root + p)

    def __getattr__(self, name):
        return getattr(os, name)


@contextlib.contextmanager
def fake_host(host, mocks):
    """Make nova.pci.utils see the case's host."""
    root = tempfile.mkdtemp(prefix="gpupass-oracle-")
    try:
        host = host or {}
        devices = os.path.join(root, "sys/bus/pci/devices")
        os.makedirs(devices)
        for addr, files in (host.get("pci") or {}).items():
            d = os.path.join(devices, addr)
            os.makedirs(d)
            for name, content in files.items():
                with open(os.path.join(d, name), "w") as f:
                    f.write(content)
            # /sys/class/net/NAME/device -> ../../../ADDR resolves here.
            os.symlink(d, os.path.join(root, "sys", addr))
        for name, addr in (host.get("net") or {}).items():
            d = os.path.join(root, "sys/class/net", name)
            os.makedirs(d)
            os.symlink("../../../" + addr, os.path.join(d, "device"))

        def fake_open(p, *a, **kw):
            return builtins.open(root + p, *a, **kw)

        patches = [
            mock.patch.object(utils, "os", _FakeOS(root)),
            mock.patch.object(utils, "open", fake_open, create=True),
        ]
        mocks = mocks or {}
        if "is_physical_function" in mocks:
            patches.append(mock.patch.object(
                utils, "is_physical_function",
                return_value=mocks["is_physical_function"]))
        if "get_function_by_ifname" in mocks:
            patches.append(mock.patch.object(
                utils, "get_function_by_ifname",
                return_value=tuple(mocks["get_function_by_ifname"])))
        if "get_vf_product_id_by_pf_addr" in mocks:
            patches.append(mock.patch.object(
                utils, "get_vf_product_id_by_pf_addr",
                return_value=mocks["get_vf_product_id_by_pf_addr"]))
        if "get_pci_ids_by_pci_addr" in mocks:
            patches.append(mock.patch.object(
                utils, "get_pci_ids_by_pci_addr",
                return_value=tuple(mocks["get_pci_ids_by_pci_addr"])))
        with contextlib.ExitStack() as stack:
            for p in patches:
                stack.enter_context(p)
            yield
    finally:
        shutil.rmtree(root, ignore_errors=True)


def failure(exc):
    return {"ok": False, "exception": type(exc).__name__,
            "error": clean(str(exc))}


def describe_spec(spec):
    out = {"vendor_id": spec.vendor_id, "product_id": spec.product_id,
           "devname": None, "address": None, "is_pf": False,
           "tags": {k: str(v) for k, v in spec.get_tags().items()}}
    if spec.dev_name:
        out["devname"] = str(spec.dev_name)
    else:
        a = spec.address.pci_address_spec
        out["address"] = [a.domain, a.bus, a.slot, a.func]
        out["is_pf"] = bool(spec.address.is_physical_function)
    return out


def devices(case):
    """The case's devices; "standard" names the set in devices.json."""
    devs = case.get("devices")
    if isinstance(devs, str):
        here = os.path.dirname(os.path.abspath(__file__))
        with open(os.path.join(here, "devices.json")) as f:
            devs = json.load(f)[devs]
    return devs


def run_device_spec(case):
    try:
        wl = whitelist.Whitelist([case["input"]])
    except Exception as e:
        return failure(e)
    res = {"ok": True, "specs": [describe_spec(s) for s in wl.specs]}
    if case.get("devices"):
        matches = []
        for dev in devices(case):
            row = []
            for s in wl.specs:
                try:
                    row.append(bool(s.match(dev)))
                except Exception as e:
                    row.append("%s: %s" % (type(e).__name__, clean(str(e))))
            matches.append(row)
        res["matches"] = matches
    return res


def set_conf(case):
    conf = case.get("conf") or {}
    CONF.set_override("report_in_placement",
                      conf.get("report_in_placement", False), "pci")
    try:
        CONF.set_override("pci_in_placement",
                          conf.get("pci_in_placement", False),
                          "filter_scheduler")
    except Exception:
        pass  # Zed has no such option


def load_aliases(values):
    CONF.set_override("alias", values, "pci")
    get = getattr(request, "get_alias_from_config", None)
    if get is None:
        return request._get_alias_from_config()
    get.cache_clear()  # cached from 2025.2
    return get()


def run_alias(case):
    try:
        aliases = load_aliases(case["input"])
    except Exception as e:
        return failure(e)
    res = {"ok": True, "aliases": {
        name: {"numa_policy": policy, "specs": specs}
        for name, (policy, specs) in aliases.items()}}
    if case.get("pools"):
        # Does each spec select each device pool (PciDeviceStats filters
        # pools with utils.pci_device_prop_match)?
        res["matches"] = {
            name: [[bool(utils.pci_device_prop_match(pool, [spec]))
                    for pool in case["pools"]] for spec in specs]
            for name, (policy, specs) in aliases.items()}
    return res


def run_alias_request(case):
    inp = case["input"]
    try:
        load_aliases(inp["aliases"])
    except Exception as e:
        return {"ok": False, "exception": "aliases: " + type(e).__name__,
                "error": clean(str(e))}
    try:
        reqs = request._translate_alias_to_requests(inp["request"])
    except Exception as e:
        return failure(e)
    return {"ok": True,
            "requests": [[r.alias_name, str(r.count)] for r in reqs]}


def run_extra_spec(case):
    try:
        validators.validate(case["input"]["key"], case["input"]["value"])
    except Exception as e:
        return failure(e)
    return {"ok": True}


RUNNERS = {
    "device_spec": run_device_spec,
    "alias": run_alias,
    "alias_request": run_alias_request,
    "extra_spec": run_extra_spec,
}


def run(case):
    set_conf(case)
    with fake_host(case.get("host"), case.get("mock")):
        return RUNNERS[case["kind"]](case)


def in_chroot(args, files):
    """Run this script as `chroot DIR /usr/bin/python3` on copies of files
    under DIR/tmp; print its output, or, with --update, copy the updated
    files back. Returns the exit status."""
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.abspath(args.chroot)
    if not os.path.isfile(os.path.join(root, "usr/bin/python3")):
        raise SystemExit("oracle.py: %s has no /usr/bin/python3: build it "
                         "with hack/nova-chroot.sh" % root)
    os.makedirs(os.path.join(root, "tmp"), exist_ok=True)
    work = tempfile.mkdtemp(prefix="gpupass-oracle-",
                            dir=os.path.join(root, "tmp"))
    inside = "/" + os.path.relpath(work, root)
    try:
        for name in ("oracle.py", "devices.json"):
            shutil.copy(os.path.join(here, name), work)
        copies = []
        for i, path in enumerate(files):
            copy = "%d-%s" % (i, os.path.basename(path))
            shutil.copy(path, os.path.join(work, copy))
            copies.append(copy)
        cmd = ["chroot", root, "/usr/bin/python3", "-B",
               inside + "/oracle.py"]
        if args.update:
            cmd.append("--update")
        cmd += [inside + "/" + c for c in copies]
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
               "LC_ALL": "C.UTF-8", "HOME": "/root"}
        res = subprocess.run(cmd, env=env)
        if res.returncode != 0:
            return res.returncode
        if args.update:
            for path, copy in zip(files, copies):
                shutil.copy(os.path.join(work, copy), path)
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--update", action="store_true",
                    help="record the verdicts in the corpus files")
    ap.add_argument("--chroot", metavar="DIR",
                    help="judge with the Nova installed in chroot DIR "
                    "(built by hack/nova-chroot.sh)")
    ap.add_argument("--release",
                    help="with --nova-git: judge as this recorded release, "
                    "one of " + ", ".join(sorted(HYBRID_TAGS)))
    ap.add_argument("--nova-git", metavar="DIR",
                    help="a clone of openstack/nova, for --release")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    files = args.files or sorted(glob.glob(os.path.join(here, "*.jsonl")))
    if args.chroot:
        if args.release or args.nova_git:
            ap.error("--chroot judges with the chroot's own Nova: "
                     "no --release or --nova-git")
        sys.stdout.flush()
        sys.exit(in_chroot(args, files))
    release, version = load_nova()
    if args.release or args.nova_git:
        if not args.nova_git or args.release not in HYBRID_TAGS:
            ap.error("--release needs --nova-git and one of %s"
                     % ", ".join(sorted(HYBRID_TAGS)))
        if release != "zed":
            ap.error("the hybrid loads over Nova Zed; this is Nova %s"
                     % version)
        overlay_release(args.release, args.nova_git)
        release = args.release
    sys.setrecursionlimit(1000)
    results = []
    for path in files:
        with open(path, encoding="utf-8") as f:
            cases = [json.loads(line) for line in f if line.strip()]
        for case in cases:
            verdict = run(case)
            results.append({"id": case["id"], release: verdict})
            case.setdefault("nova", {})[release] = verdict
        if args.update:
            with open(path, "w", encoding="utf-8") as f:
                for case in cases:
                    f.write(json.dumps(case, sort_keys=True) + "\n")
    if not args.update:
        for r in sorted(results, key=lambda r: r["id"]):
            print(json.dumps(r, sort_keys=True))


if __name__ == "__main__":
    main()
