#!/usr/bin/env python3
"""What oslo.config, loaded as nova loads it, makes of each case in this corpus.

    python3 oracle.py > expected.json        (run from this directory, or pass it)
    python3 oracle.py --parse < inputs.json  (differential testing, below)

The Go tests of openstack/novaconf check Parse, Load and Lookup against
expected.json; `GPUPASS_ORACLE=1 go test ./openstack/novaconf -run Oracle`
re-runs this script and fails if oslo's answer differs from the file.

Cases:
  * every NAME.conf in this directory is a case of its own, loaded as
    `nova-compute --config-file NAME.conf`;
  * cases.json names the multi-file cases: {"name": {"files": [...],
    "dirs": [...]}}, loaded as `--config-file F... --config-dir D...`.

Nova's option definitions come from nova itself (`import nova.conf`, which
registers every option the way nova/conf registers it), plus what
nova.config.parse_args does before CONF() is called (oslo.log's options,
some of them command-line options whose values in config files are
converted while the files are read; set_lib_defaults, which registers
oslo.policy's) and what rpc.init registers after it (oslo.messaging's
transport and notifier options, and its drivers' when they load).
[filter_scheduler]pci_in_placement (nova 27.0.0, 2023.1) does not exist in
Zed; it is registered here as 2023.1 declares it.

Besides the cases, the output lists how the options gpupass reads are
declared ("options") and every multi-valued option with its deprecated
names ("multi_valued"), which the Go option table is checked against.

With --parse, the script reads a JSON list of base64-encoded files on
stdin, parses each with cfg.ConfigParser alone (what _parse_file does for
one file) and writes a JSON list: for each file either {"groups": {group:
{key: [values]}}} (groups normalised, as _Namespace stores them) or
{"error": {...}}. The Go tests feed it thousands of generated files
(GPUPASS_ORACLE=1).

The script only observes oslo.config: it wraps ConfigParser.parse and
_report_deprecation to record which files were read, where a ParseError
was raised, and which deprecated names were used, and calls
Opt._get_from_namespace, the function ConfigOpts._do_get uses, to get each
option's raw text before type conversion. The output is deterministic:
paths are relative to the corpus, keys are sorted, no timestamps.
"""

import contextlib
import io
import json
import os
import sys

sys.dont_write_bytecode = True

# Values from the environment (OS_PCI__DEVICE_SPEC=...) would override the
# files; a corpus run must not depend on the caller's environment.
for _k in list(os.environ):
    if _k.startswith("OS_"):
        del os.environ[_k]

import locale  # noqa: E402

if not (sys.flags.utf8_mode
        or locale.getpreferredencoding(False).lower().replace("-", "")
        == "utf8"):
    sys.exit("oracle.py: run under a UTF-8 locale (LC_ALL=C.UTF-8), as "
             "nova's services run; open() decodes nova.conf with the "
             "locale's encoding")

import nova.conf  # noqa: E402
import nova.config  # noqa: E402
import oslo_config  # noqa: E402
from oslo_config import cfg  # noqa: E402
from oslo_config import iniparser  # noqa: E402
from oslo_log import log as oslo_log  # noqa: E402
try:  # oslo.messaging dropped its AMQP 1.0 driver after Zed
    from oslo_messaging._drivers.amqp1_driver import opts as amqp1_opts  # noqa
except ImportError:  # pragma: no cover
    amqp1_opts = None
from oslo_messaging._drivers import impl_rabbit  # noqa: E402
from oslo_messaging.notify import notifier  # noqa: E402
import oslo_messaging.transport  # noqa: E402

try:
    from importlib import metadata
except ImportError:  # pragma: no cover
    metadata = None

CONF = nova.conf.CONF
# nova.config.parse_args, before CONF():
oslo_log.register_options(CONF)
nova.config.set_lib_defaults()
# rpc.init, after it (get_transport, Notifier and the drivers they load):
CONF.register_opts(oslo_messaging.transport._transport_opts)
CONF.register_opts(notifier._notifier_opts,
                   group="oslo_messaging_notifications")
CONF.register_opts(impl_rabbit.rabbit_opts, group="oslo_messaging_rabbit")
if amqp1_opts is not None:
    CONF.register_opts(amqp1_opts.amqp1_opts, group="oslo_messaging_amqp")
try:
    CONF.filter_scheduler.pci_in_placement
except cfg.NoSuchOptError:  # Zed
    CONF.register_opt(cfg.BoolOpt("pci_in_placement", default=False),
                      group="filter_scheduler")

# The options gpupass looks at: (group, name). None is [DEFAULT].
OPTIONS = [
    ("pci", "device_spec"),
    ("pci", "alias"),
    ("pci", "report_in_placement"),
    ("filter_scheduler", "enabled_filters"),
    ("filter_scheduler", "available_filters"),
    ("filter_scheduler", "pci_in_placement"),
    ("libvirt", "virt_type"),
    (None, "transport_url"),
    ("database", "connection"),
    ("api_database", "connection"),
    ("devices", "enabled_mdev_types"),
]

# --- observation hooks (they record, and change nothing) -------------------

_state = {"read": [], "parse_error": None, "current": None, "deprecated": []}

_orig_parse = cfg.ConfigParser.parse


def _parse(self):
    _state["current"] = self.filename
    _state["read"].append(self.filename)
    try:
        return _orig_parse(self)
    except iniparser.ParseError as pe:
        _state["parse_error"] = {"file": self.filename, "line": pe.lineno,
                                 "msg": pe.msg, "text": pe.line}
        raise
    except OSError:
        # open() failed: the file was not read.
        _state["read"].pop()
        raise


cfg.ConfigParser.parse = _parse

_orig_report = cfg._report_deprecation


def _report(format_str, format_dict):
    _state["deprecated"].append("[%s]%s" % (format_dict["dep_group"],
                                            format_dict["dep_option"]))


cfg._report_deprecation = _report


# --- one case ----------------------------------------------------------------

def rel(path, base):
    if path is None:
        return None
    return os.path.relpath(os.path.abspath(path), base)


def utf8_error_line(path, err):
    """Line number (Python's universal newlines) of the first byte that is
    not UTF-8: the decoder's offsets are per chunk, so decode again."""
    with open(path, "rb") as f:
        data = f.read()
    return utf8_error_line_of(data, err)


def utf8_error_line_of(data, err):
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        prefix = data[:e.start].decode("utf-8").replace("\r\n", "\n")
        return prefix.count("\n") + prefix.count("\r") + 1, e.reason
    return None, str(err)


def jsonable(v):
    if isinstance(v, (str, bool, int, float)) or v is None:
        return v
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    return repr(v)


def run_case(base, files, dirs):
    args = []
    for f in files:
        args += ["--config-file", f]
    for d in dirs:
        args += ["--config-dir", d]
    _state.update(read=[], parse_error=None, current=None, deprecated=[])
    out = {"args": args}
    stderr = io.StringIO()
    try:
        with contextlib.redirect_stderr(stderr):
            CONF(args=args, project="nova", prog="nova-compute",
                 default_config_files=[], default_config_dirs=[])
    except (Exception, SystemExit) as e:  # noqa: BLE001 - all are answers
        err = {"type": type(e).__name__}
        if _state["parse_error"] is not None and isinstance(
                e, cfg.ConfigFileParseError):
            pe = _state["parse_error"]
            err.update(file=rel(pe["file"], base), line=pe["line"],
                       msg=pe["msg"], text=pe["text"])
        elif isinstance(e, UnicodeDecodeError):
            line, reason = utf8_error_line(_state["current"], e)
            err.update(file=rel(_state["current"], base), line=line,
                       msg=reason)
        elif isinstance(e, OSError):
            err.update(file=rel(e.filename, base), msg=e.strerror)
        elif isinstance(e, cfg.ConfigFilesNotFoundError):
            err.update(file=rel(e.config_files[0], base),
                       msg="config file not found")
        elif isinstance(e, cfg.ConfigDirNotFoundError):
            err.update(file=rel(e.config_dir, base),
                       msg="config dir not found")
        elif isinstance(e, SystemExit):
            # argparse rejected a command-line option's value read from a
            # file, and printed why.
            err["msg"] = stderr.getvalue().strip().splitlines()[-1]
        else:
            err["msg"] = str(e).replace(base + os.sep, "")
        out["error"] = err
        out["read"] = [rel(p, base) for p in _state["read"]]
        CONF.clear()
        return out
    out["read"] = [rel(p, base) for p in _state["read"]]
    values = {}
    for group, name in OPTIONS:
        opt = CONF._get_opt_info(name, group)["opt"]
        key = "[%s]%s" % (group or "DEFAULT", name)
        rec = {}
        # _emitted_deprecations keys on the deprecated name alone, so one
        # option's lookup would hide another's use of the same name.
        CONF._namespace._emitted_deprecations = set()
        _state["deprecated"] = []
        try:
            raw, _loc = opt._get_from_namespace(CONF._namespace, group)
            rec["raw"] = raw
        except KeyError:
            rec["raw"] = None
        rec["deprecated"] = sorted(set(_state["deprecated"]))
        try:
            value = CONF[group][name] if group else CONF[name]
            rec["value"] = jsonable(value)
        except Exception as e:  # noqa: BLE001 - conversion failures are data
            rec["value_error"] = "%s: %s" % (
                type(e).__name__, str(e).replace(base + os.sep, ""))
        values[key] = rec
    out["values"] = values
    CONF.clear()
    return out


def declared_names(opt, group):
    """The names oslo.config reads an option under, as
    Opt._get_from_namespace builds them (a DeprecatedOpt without a group
    or a name keeps the option's)."""
    names = []
    for d in opt.deprecated_opts:
        if d.name or d.group:
            names.append([d.group or group or "DEFAULT", d.name or opt.dest])
    return names


def option_table():
    table = {}
    for group, name in OPTIONS:
        opt = CONF._get_opt_info(name, group)["opt"]
        choices = getattr(opt.type, "choices", None)
        table["[%s]%s" % (group or "DEFAULT", name)] = {
            "type": type(opt).__name__,
            "multi": opt.multi,
            "deprecated": declared_names(opt, group),
            "secret": opt.secret,
            "choices": list(choices) if choices else None,
        }
    multi = []
    for group in [None] + sorted(CONF._groups):
        opts = CONF._opts if group is None else CONF._groups[group]._opts
        for name in sorted(opts):
            opt = opts[name]["opt"]
            if opt.multi:
                multi.append({"name": [group or "DEFAULT", opt.dest],
                              "deprecated": declared_names(opt, group)})
    return table, multi


def parse_many():
    import base64
    import tempfile
    inputs = json.load(sys.stdin)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "nova.conf")
        for b64 in inputs:
            data = base64.b64decode(b64)
            with open(path, "wb") as f:
                f.write(data)
            sections, normalized = {}, {}
            parser = cfg.ConfigParser(path, sections)
            parser._add_normalized(normalized)
            try:
                parser.parse()
                results.append({"groups": normalized})
            except iniparser.ParseError as pe:
                results.append({"error": {"type": "ParseError",
                                          "line": pe.lineno, "msg": pe.msg,
                                          "text": pe.line}})
            except UnicodeDecodeError as e:
                line, reason = utf8_error_line_of(data, e)
                results.append({"error": {"type": "UnicodeDecodeError",
                                          "line": line, "msg": reason}})
    json.dump(results, sys.stdout, ensure_ascii=True)
    sys.stdout.write("\n")


def main():
    if sys.argv[1:] == ["--parse"]:
        return parse_many()
    base = os.path.abspath(sys.argv[1] if len(sys.argv) > 1
                           else os.path.dirname(os.path.abspath(__file__)))
    os.chdir(base)
    cases = {}
    for name in sorted(os.listdir(base)):
        if name.endswith(".conf") and os.path.isfile(name):
            cases[name[:-len(".conf")]] = run_case(base, [name], [])
    with open(os.path.join(base, "cases.json")) as f:
        multi = json.load(f)
    for name in sorted(multi):
        if name in cases:
            sys.exit("oracle.py: case %s is both a file and in cases.json"
                     % name)
        spec = multi[name]
        cases[name] = run_case(base, spec.get("files", []),
                               spec.get("dirs", []))

    def version(dist):
        try:
            return metadata.version(dist)
        except Exception:  # noqa: BLE001
            return None

    options, multi_valued = option_table()
    result = {
        "generator": "oracle.py",
        "options": options,
        "multi_valued": multi_valued,
        "oslo.config": version("oslo.config"),
        "nova": version("nova"),
        "cases": cases,
    }
    json.dump(result, sys.stdout, indent=1, sort_keys=True,
              ensure_ascii=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
