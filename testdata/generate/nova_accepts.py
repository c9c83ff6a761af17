#!/usr/bin/python3
"""Ask Nova itself (python3-nova) whether it accepts what gpupass generate wrote.

    nova_accepts.py CASES.json

CASES.json is a list of {"id", "compute": FILE, "api": FILE, "flavors": [{"name",
"extra_specs": [[key, value], ...]}]}; one Nova import serves them all.

Loads each nova.conf with oslo.config as nova-compute and nova-api do, then
parses [pci]device_spec with nova.pci.whitelist.Whitelist (what the compute
node runs at start) and [pci]alias with nova.pci.request._get_alias_from_config
(what nova-api runs for every server create), and validates every flavor extra
spec with nova.api.validation.extra_specs.validators.validate (what the API
runs on flavor-set from microversion 2.86). Prints a JSON object, by case id:
{"compute": "ok" | error, "compute_aliases": [...], "api": ..., "enabled_filters": [...],
 "flavors": {name: "ok" | error}}; a case with "mdev": true also gets "mdev": what the
libvirt driver makes of the compute file's mdev options (types used, parent -> type,
parent -> class, max_instances, the default type).
"""
import json
import sys
import warnings

warnings.filterwarnings("ignore")


def load(path):
    import nova.conf
    from nova.pci import request, whitelist

    conf = nova.conf.CONF
    conf.reset()
    conf(["--config-file", path], project="nova", default_config_files=[])
    whitelist.Whitelist(conf.pci.device_spec)
    aliases = request._get_alias_from_config()
    return conf, aliases


def compat():
    """Lets a newer Nova's modules import beside this host's older oslo
    and os-traits (PYTHONPATH to Nova 2025.1's dist-packages): a trait
    constant the installed os-traits lacks reads as its own name, and
    oslo.utils' format_inspector, which only image handling uses, is an
    empty module. Neither touches what is judged here."""
    import types

    import os_traits
    import oslo_utils.imageutils as imageutils

    if not hasattr(os_traits, "__getattr__"):
        def missing(name):
            if name.isupper():
                return name
            raise AttributeError(name)
        os_traits.__getattr__ = missing
    if not hasattr(imageutils, "format_inspector"):
        m = types.ModuleType("oslo_utils.imageutils.format_inspector")
        sys.modules[m.__name__] = m
        imageutils.format_inspector = m


def mdev():
    """What nova-compute's libvirt driver makes of the mdev options of the
    loaded configuration: LibvirtDriver._get_supported_vgpu_types run on a
    driver with only the attributes its __init__ gives it for this."""
    import collections

    import os_resource_classes as orc
    from nova.virt.libvirt import driver

    d = object.__new__(driver.LibvirtDriver)
    d.pgpu_type_mapping = collections.defaultdict(str)
    d.pgpu_type_default = None
    d.mdev_type_max_mapping = collections.defaultdict(str)
    d.mdev_class_mapping = collections.defaultdict(lambda: orc.VGPU)
    d.mdev_classes = set()
    types = d._get_supported_vgpu_types()
    return {"types": list(types), "mapping": dict(d.pgpu_type_mapping),
            "classes": dict(d.mdev_class_mapping),
            "max_instances": dict(d.mdev_type_max_mapping),
            "default": d.pgpu_type_default or ""}


def judge(case):
    out = {}
    for role in ("compute", "api"):
        try:
            conf, aliases = load(case[role])
            out[role] = "ok"
            out[role + "_aliases"] = sorted(aliases)
            if role == "api":
                out["enabled_filters"] = list(conf.filter_scheduler.enabled_filters)
            elif case.get("mdev"):
                out["mdev"] = mdev()
        except Exception as e:  # what Nova raises is the verdict
            out[role] = "%s: %s" % (type(e).__name__, e)
    from nova.api.validation.extra_specs import validators

    out["flavors"] = {}
    for f in case["flavors"]:
        verdict = "ok"
        for key, value in f["extra_specs"]:
            try:
                validators.validate(key, value)
            except Exception as e:
                verdict = "%s=%s: %s: %s" % (key, value, type(e).__name__, e)
                break
        out["flavors"][f["name"]] = verdict
    return out


def main():
    compat()
    cases = json.load(open(sys.argv[1]))
    print(json.dumps({c["id"]: judge(c) for c in cases}, sort_keys=True))


if __name__ == "__main__":
    main()
