#!/usr/bin/env python3
"""Run a Nova release's own PCI tests and record every [pci]device_spec and
[pci]alias value they feed Nova's parser, with Nova's verdict.

Run inside the release's chroot (see README.md and extract.sh):

    python3 extract.py --release 2025.1 --out cases.jsonl MODULE...

It only observes Nova: it wraps the entry points that parse the options
and records what went in and what came out, then lets the test go on
exactly as before (an exception Nova raised is re-raised; a value Nova
returned is returned):

  * nova.pci.whitelist.Whitelist.__init__: the device_spec strings (as
    nova-compute passes CONF.pci.device_spec, or as a unit test passes
    them), and whether Nova accepted them or which exception it raised;
  * nova.pci.devspec.PciDeviceSpec.__init__ called on its own (unit tests
    give it a dict): the dict as the JSON a device_spec line would hold;
  * nova.pci.request._get_alias_from_config (Zed) or get_alias_from_config
    (later): CONF.pci.alias as it was when Nova read it, and the verdict;
  * nova.compute.pci_placement_translator.ensure_no_dev_spec_with_devname:
    nova-compute's start-up refusal of a devname spec when it reports PCI
    devices to Placement; it is attached to the Whitelist record whose
    specs it checks (or recorded alone, from a unit test).

With each record go the options in force when Nova read the value:
[pci]report_in_placement and [filter_scheduler]pci_in_placement (None in
Zed, which does not have it).

A record is host-dependent when Nova's verdict depends on the host: a
spec tagged remote_managed, whose acceptance Nova decides by asking sysfs
whether the address is a PF, which IDs its VFs have, and whether the
netdev exists (the tests mock those answers). Such records are kept,
marked, and not counted: gpupass lint has no host. "host_consulted" lists
the host lookups of nova.pci.utils that the test mocked and Nova called
(or the PF lookups Nova called for real), for every record: a devname
spec asks get_function_by_ifname, a single address is_physical_function,
but without remote_managed neither answer changes the verdict.

The output is deterministic (sorted, object addresses and mock ids
masked), so that a re-run on the same release gives the same file.
"""

import argparse
import copy
import json
import os
import re
import sys
import unittest
from unittest import mock

sys.dont_write_bytecode = True
for _k in list(os.environ):
    if _k.startswith("OS_"):
        del os.environ[_k]

HOST_FUNCS = ("get_function_by_ifname", "is_physical_function",
              "get_vf_product_id_by_pf_addr", "get_pci_ids_by_pci_addr")
# Called for real, these read the host's sysfs in a way that decides the
# verdict (is_physical_function and get_function_by_ifname answer "no such
# device" on a host without it, which changes no verdict on its own).
HOST_REAL = ("get_vf_product_id_by_pf_addr", "get_pci_ids_by_pci_addr")

STATE = {"test": None, "records": [], "depth": 0, "by_specs": {},
         "broken": set(),
         "real_calls": {n: 0 for n in HOST_FUNCS}}


def mask(s):
    s = re.sub(r"0x[0-9a-fA-F]{6,}", "0x…", s)
    s = re.sub(r"id='\d+'", "id='…'", s)
    return s


def options_in_force():
    from nova import conf
    cfg = conf.CONF
    rip = bool(cfg.pci.report_in_placement)
    try:
        pip = bool(cfg.filter_scheduler.pci_in_placement)
    except Exception:  # noqa: BLE001 - Zed has no such option
        pip = None
    return rip, pip


def host_snapshot():
    from nova.pci import utils
    snap = {}
    for n in HOST_FUNCS:
        f = getattr(utils, n, None)
        if isinstance(f, mock.NonCallableMock):
            snap[n] = ("mock", id(f), f.call_count)
        else:
            snap[n] = ("real", None, STATE["real_calls"][n])
    return snap


def remote_managed(values):
    """Whether any spec of the case is remote_managed, as Nova reads the
    tag (strutils.bool_from_string): only those specs' acceptance depends
    on the host (is the address a PF, what are its VF's IDs, is the
    netdev there)."""
    from oslo_utils import strutils
    for v in values:
        try:
            spec = json.loads(v) if isinstance(v, str) else None
        except ValueError:
            continue
        for d in spec if isinstance(spec, list) else [spec]:
            if isinstance(d, dict) and strutils.bool_from_string(
                    d.get("remote_managed")):
                return True
    return False


def host_used(before):
    from nova.pci import utils
    used = []
    for n in HOST_FUNCS:
        f = getattr(utils, n, None)
        kind, ident, count = before[n]
        if isinstance(f, mock.NonCallableMock):
            start = count if kind == "mock" and ident == id(f) else 0
            if f.call_count > start:
                used.append(n + " (mocked)")
        elif n in HOST_REAL and STATE["real_calls"][n] > count:
            used.append(n)
    return used


def parser_mocked():
    """Nova's own parsing functions a test replaced with a mock: the
    verdict is then the mock's, not Nova's."""
    from nova.pci import devspec, whitelist
    names = []
    for owner, attrs in (
            (whitelist.Whitelist, ("_parse_white_list_from_config",)),
            (devspec.PciDeviceSpec, ("_init_dev_details",
                                     "_set_pci_dev_info",
                                     "_normalize_device_spec_tag")),
            (devspec, ("WhitelistPciAddress", "PciAddressGlobSpec",
                       "PciAddressRegexSpec", "jsonutils"))):
        for a in attrs:
            if isinstance(getattr(owner, a, None), mock.NonCallableMock):
                names.append(getattr(owner, "__name__", "") + "." + a)
    return names


def verdict(rec, exc):
    if exc is None:
        rec["verdict"] = "accepted"
    else:
        rec["verdict"] = "refused"
        rec["exception"] = type(exc).__name__
        rec["message"] = mask(str(exc))


def add(rec):
    rec["test"] = STATE["test"]
    STATE["records"].append(rec)
    return rec


def jsonable_spec(d):
    try:
        return json.dumps(d, sort_keys=False)
    except (TypeError, ValueError):
        return None


def install():
    from nova.pci import devspec, request, utils, whitelist

    for n in HOST_FUNCS:
        orig = getattr(utils, n)

        def counted(*a, _orig=orig, _n=n, **kw):
            STATE["real_calls"][_n] += 1
            return _orig(*a, **kw)
        setattr(utils, n, counted)

    orig_wl = whitelist.Whitelist.__init__

    def wl_init(self, whitelist_spec=None):
        values = list(whitelist_spec) if whitelist_spec else []
        rip, pip = options_in_force()
        rec = {"option": "device_spec", "via": "Whitelist",
               "values": [v if isinstance(v, str) else None
                          for v in values],
               "report_in_placement": rip, "pci_in_placement": pip}
        if whitelist_spec and not isinstance(whitelist_spec, (list, tuple)):
            # Nova iterates what it is given: a str is read a character
            # at a time, which no nova.conf can give (oslo.config hands a
            # MultiStrOpt's values as a list).
            rec["not_expressible"] = "a %s, not a list" % \
                type(whitelist_spec).__name__
        mocked = parser_mocked()
        if mocked:
            rec["parser_mocked"] = mocked
        before = host_snapshot()
        STATE["depth"] += 1
        try:
            orig_wl(self, whitelist_spec)
        except Exception as e:
            verdict(rec, e)
            rec["host_consulted"] = host_used(before)
            add(rec)
            raise
        finally:
            STATE["depth"] -= 1
        verdict(rec, None)
        rec["host_consulted"] = host_used(before)
        add(rec)
        STATE["by_specs"][id(self.specs)] = (self.specs, rec)

    whitelist.Whitelist.__init__ = wl_init

    orig_ds = devspec.PciDeviceSpec.__init__

    def ds_init(self, dev_spec):
        if STATE["depth"] > 0:
            return orig_ds(self, dev_spec)
        text = jsonable_spec(copy.deepcopy(dev_spec)) \
            if isinstance(dev_spec, dict) else None
        rip, pip = options_in_force()
        rec = {"option": "device_spec", "via": "PciDeviceSpec",
               "values": [text], "report_in_placement": rip,
               "pci_in_placement": pip}
        if text is None:
            rec["not_expressible"] = mask(repr(dev_spec))
        mocked = parser_mocked()
        if mocked:
            rec["parser_mocked"] = mocked
        before = host_snapshot()
        STATE["depth"] += 1
        try:
            orig_ds(self, dev_spec)
        except Exception as e:
            verdict(rec, e)
            rec["host_consulted"] = host_used(before)
            add(rec)
            raise
        finally:
            STATE["depth"] -= 1
        verdict(rec, None)
        rec["host_consulted"] = host_used(before)
        add(rec)

    devspec.PciDeviceSpec.__init__ = ds_init

    alias_name = ("get_alias_from_config"
                  if hasattr(request, "get_alias_from_config")
                  else "_get_alias_from_config")
    orig_alias = getattr(request, alias_name)

    def alias(*a, **kw):
        from nova import conf
        values = list(conf.CONF.pci.alias or [])
        rip, pip = options_in_force()
        rec = {"option": "alias", "via": alias_name,
               "values": [v if isinstance(v, str) else None
                          for v in values],
               "report_in_placement": rip, "pci_in_placement": pip,
               "host_consulted": []}
        try:
            out = orig_alias(*a, **kw)
        except Exception as e:
            verdict(rec, e)
            add(rec)
            raise
        verdict(rec, None)
        add(rec)
        return out

    if hasattr(orig_alias, "cache_clear") and \
            hasattr(orig_alias, "__wrapped__"):
        # 2026.2 caches the parsed aliases (functools.cache, cleared by
        # the tests): keep the cache, around the parse the record watches.
        import functools
        orig_alias = orig_alias.__wrapped__
        alias = functools.cache(alias)
    setattr(request, alias_name, alias)

    try:
        from nova.compute import pci_placement_translator as ppt
    except ImportError:  # pragma: no cover
        ppt = None
    if ppt is not None and hasattr(ppt, "ensure_no_dev_spec_with_devname"):
        orig_ens = ppt.ensure_no_dev_spec_with_devname

        def ensure(dev_specs, *a, **kw):
            found = STATE["by_specs"].get(id(dev_specs))
            rec = None
            if found is not None and found[0] is dev_specs:
                rec = found[1]
            try:
                out = orig_ens(dev_specs, *a, **kw)
                exc = None
            except Exception as e:
                exc = e
            start = {}
            verdict(start, exc)
            if rec is not None:
                if rec.get("startup") is None or \
                        start["verdict"] == "refused":
                    rec["startup"] = start
            else:
                texts = [jsonable_spec(getattr(s, "dev_spec_conf", None))
                         for s in dev_specs]
                _, pip = options_in_force()
                r = {"option": "device_spec",
                     "via": "ensure_no_dev_spec_with_devname",
                     "values": texts, "report_in_placement": True,
                     "pci_in_placement": pip, "host_consulted": [],
                     "verdict": "accepted", "startup": start}
                add(r)
            if exc is not None:
                raise exc
            return out

        ppt.ensure_no_dev_spec_with_devname = ensure


# A chroot has no /proc mounted (and these runs mount nothing), while
# nova-compute's libvirt driver reads the host's memory from /proc/meminfo.
# The tests' answer does not depend on it; a fixed one is given.
FAKE_PROC = {
    "/proc/meminfo": "MemTotal:       16384000 kB\nMemFree:         8192000 kB\n"
                     "Buffers:          100000 kB\nCached:          1000000 kB\n",
}


def fake_proc():
    import builtins
    import io
    orig_open = builtins.open

    def proc_open(file, mode="r", *a, **kw):
        if isinstance(file, str) and file in FAKE_PROC and \
                not os.path.exists(file) and "r" in mode:
            data = FAKE_PROC[file]
            return io.BytesIO(data.encode()) if "b" in mode \
                else io.StringIO(data)
        return orig_open(file, mode, *a, **kw)
    builtins.open = proc_open
    # nova-compute's libvirt driver (2026.2) runs uptime(1), which reads
    # /proc/uptime, when it reports the node's resources.
    if not os.path.exists("/proc/uptime"):
        try:
            from nova.virt.libvirt import driver
        except ImportError:  # pragma: no cover
            return
        driver.LibvirtDriver.get_host_uptime = \
            lambda self: " 10:00:00 up 1 day,  0 users,  load average: 0.00"


class Result(unittest.TextTestResult):
    def startTest(self, test):
        STATE["test"] = test.id()
        STATE["by_specs"] = {}
        super().startTest(test)

    # A test that fails or errors in the chroot did not run as its authors
    # meant (it may stop before the step that refuses): its records are
    # no verdicts, and are dropped (the summary names the test).
    def addError(self, test, err):
        STATE["broken"].add(test.id())
        super().addError(test, err)

    def addFailure(self, test, err):
        STATE["broken"].add(test.id())
        super().addFailure(test, err)


def release_of(nova_version):
    major = int(nova_version.split(".")[0])
    return {26: "zed", 31: "2025.1", 34: "2026.2"}.get(major, nova_version)


def finish(records, release, nova_version):
    # One verdict per configuration a test gave Nova: nova-compute may
    # build its device filter more than once, and only the one it goes on
    # to check at start-up carries the start-up verdict; a refusal at any
    # stage is Nova's verdict.
    merged = {}
    for r in records:
        k = json.dumps([r["test"], r["option"], r["values"],
                        r["report_in_placement"], r["pci_in_placement"]])
        prev = merged.get(k)
        refused = r.get("verdict") == "refused" or (
            r.get("startup") or {}).get("verdict") == "refused"
        if prev is None or refused and not prev[1] or \
                not prev[1] and r.get("startup") and not prev[0].get("startup"):
            merged[k] = (r, refused)
    records = [v[0] for v in merged.values()]
    out = {}
    for r in records:
        r["release"] = release
        r["nova"] = nova_version
        r["host_dependent"] = r["option"] == "device_spec" and \
            remote_managed(r["values"])
        if r.get("startup") and r["startup"]["verdict"] == "refused":
            r["overall"] = "refused"
            r["host_dependent"] = False  # the refusal does not look at it
        else:
            r["overall"] = r["verdict"]
        key = json.dumps(r, sort_keys=True, ensure_ascii=False)
        out[key] = r
    return [out[k] for k in sorted(out)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--api-paste", default=None,
                    help="api-paste.ini for the functional tests")
    ap.add_argument("--summary", default=None)
    ap.add_argument("modules", nargs="+")
    args = ap.parse_args()

    from importlib import metadata
    nova_version = metadata.version("nova")
    release = release_of(nova_version)

    if args.api_paste:
        from nova.conf import paths
        orig = paths.state_path_def

        def state_path_def(*parts):
            if parts == ("etc", "nova", "api-paste.ini") or \
                    parts == ("etc/nova/api-paste.ini",):
                return args.api_paste
            return orig(*parts)
        paths.state_path_def = state_path_def

    fake_proc()
    install()
    loader = unittest.TestLoader()
    suite = unittest.TestSuite()
    for m in args.modules:
        suite.addTests(loader.loadTestsFromName(m))
    # GPUPASS_NOVATESTS_VERBOSE=1: unittest's report (each failure's
    # traceback) on stderr, to find why a test breaks in the chroot.
    verbose = os.environ.get("GPUPASS_NOVATESTS_VERBOSE") == "1"
    with open(os.devnull, "w") as devnull:
        runner = unittest.TextTestRunner(stream=sys.stderr if verbose else devnull,
                                         resultclass=Result,
                                         verbosity=2 if verbose else 0)
        result = runner.run(suite)
    kept = [r for r in STATE["records"] if r["test"] not in STATE["broken"]]
    dropped = len(STATE["records"]) - len(kept)
    records = finish(kept, release, nova_version)
    with open(args.out, "w") as f:
        for r in records:
            f.write(json.dumps(r, sort_keys=True, ensure_ascii=False) + "\n")
    summary = {
        "release": release, "nova": nova_version,
        "tests_run": result.testsRun,
        "failures": sorted(t.id() for t, _ in result.failures),
        "errors": sorted(t.id() for t, _ in result.errors),
        "skipped": len(result.skipped),
        "records": len(records),
        "records_of_broken_tests_dropped": dropped,
    }
    if args.summary:
        with open(args.summary, "w") as f:
            json.dump(summary, f, indent=1, sort_keys=True)
            f.write("\n")
    print(json.dumps({k: v if not isinstance(v, list) else len(v)
                      for k, v in summary.items()}), file=sys.stderr)


if __name__ == "__main__":
    main()
