#!/usr/bin/env python3
"""Which nova.conf options hold secrets, from the code of a real Nova.

    /usr/bin/python3 hack/nova-options.py > openstack/novaconf/options_zed.json

gpupass hides a nova.conf value, and GP314 counts a file as holding secrets,
by what the option is: oslo.config's secret=True, as Nova and the libraries
it loads declare their options. This script asks them, with Debian's
python3-nova (Zed, 26.2.2) and its oslo libraries: apt-get install
python3-nova. `GPUPASS_ORACLE=1 go test ./openstack/novaconf -run
OptionRegistry` re-runs it and fails when its output differs from the file.

What counts as registered:
  * every option `import nova.conf` registers, as nova's services register
    them (nova.conf.configure), plus what nova.config.parse_args and
    rpc.init add (oslo.log's options, set_lib_defaults, oslo.messaging's
    transport, notifier and driver options), as oracle.py does;
  * every option the namespaces of nova's sample configuration
    (etc/nova/nova-config-generator.conf) and of the libraries nova loads
    at run time list through their oslo.config.opts entry points;
  * each option under its deprecated names too, since oslo.config reads a
    value under those.

keystoneauth options are registered at run time by auth_type: in every
group where nova registers keystoneauth's auth options (a group with an
auth_type option: [neutron], [placement], [keystone_authtoken]...), the
options of whichever plugin auth_type names are read. Those groups and
the options of every plugin keystoneauth has are listed apart
("auth_groups", "auth_plugins").

"unflagged" (and auth_plugins' "unflagged") are options that hold a credential although their release
does not declare them secret=True (checked here: the script fails if one
is declared secret, or no longer exists, so the list stays true).

The output is deterministic: names sorted, no paths, no timestamps.
"""

import json
import os
import sys
import warnings

sys.dont_write_bytecode = True
warnings.simplefilter("ignore")
for _k in list(os.environ):
    if _k.startswith("OS_"):
        del os.environ[_k]

from importlib import metadata  # noqa: E402

import nova.conf  # noqa: E402
import nova.config  # noqa: E402
from keystoneauth1 import loading as ks_loading  # noqa: E402
from oslo_config import generator  # noqa: E402
from oslo_log import log as oslo_log  # noqa: E402
from oslo_messaging._drivers.amqp1_driver import opts as amqp1_opts  # noqa
from oslo_messaging._drivers import impl_rabbit  # noqa: E402
from oslo_messaging.notify import notifier  # noqa: E402
import oslo_messaging.transport  # noqa: E402

# nova's etc/nova/nova-config-generator.conf, then the libraries nova loads
# whose options nova.conf's own list_opts does not all list.
NAMESPACES = [
    "nova.conf",
    "oslo.log",
    "oslo.messaging",
    "oslo.policy",
    "oslo.privsep",
    "oslo.service.periodic_task",
    "oslo.service.service",
    "oslo.middleware",
    "oslo.concurrency",
    "keystonemiddleware.auth_token",
    "osprofiler",
    "oslo.db",
    "oslo.db.concurrency",
    "oslo.cache",
    "os_brick",
    "castellan.config",
    "os_vif",
    "oslo.limit",
    "oslo.reports",
    "oslo.versionedobjects",
]

# Credentials their release does not declare secret=True, with where.
UNFLAGGED = [
    ("cache", "memcache_password",
     "oslo.cache _opts.py: the password of SASL-enabled memcached"),
    ("oslo_messaging_kafka", "ssl_client_key_password",
     "oslo.messaging impl_kafka: the client key's password (ssl.key.password)"),
    ("vault", "approle_secret_id",
     "castellan vault_key_manager: the AppRole secret_id"),
    ("vault", "root_token_id",
     "castellan vault_key_manager: a Vault token (X-Vault-Token)"),
]

# The same for keystoneauth plugins' options: (plugin, option).
UNFLAGGED_PLUGIN = [
    ("v3oauth1", "consumer_secret",
     "keystoneauth1 extras/oauth1/_loading.py: the OAuth consumer secret"),
    ("v3oauth1", "access_secret",
     "keystoneauth1 extras/oauth1/_loading.py: the OAuth access secret"),
]

DISTS = ["nova", "oslo.config", "keystoneauth1", "keystonemiddleware",
         "oslo.messaging", "oslo.db", "oslo.cache", "castellan", "os-brick"]


def group_name(group):
    name = getattr(group, "name", group)
    return "DEFAULT" if name in (None, "DEFAULT") else name.lower()


def add(registry, group, opt):
    """opt under its name and deprecated names; secret wins if one
    declaration of a name says secret."""
    names = [(group, opt.dest)]
    for d in opt.deprecated_opts:
        if d.name or d.group:
            names.append((group_name(d.group) if d.group else group,
                          (d.name or opt.dest).replace("-", "_")))
    for key in names:
        registry[key] = registry.get(key, False) or bool(opt.secret)


def registered():
    registry = {}
    conf = nova.conf.CONF
    oslo_log.register_options(conf)
    nova.config.set_lib_defaults()
    conf.register_opts(oslo_messaging.transport._transport_opts)
    conf.register_opts(notifier._notifier_opts,
                       group="oslo_messaging_notifications")
    conf.register_opts(impl_rabbit.rabbit_opts, group="oslo_messaging_rabbit")
    conf.register_opts(amqp1_opts.amqp1_opts, group="oslo_messaging_amqp")
    for name, info in conf._opts.items():
        add(registry, "DEFAULT", info["opt"])
    for gname, group in conf._groups.items():
        for name, info in group._opts.items():
            add(registry, group_name(gname), info["opt"])
    for _namespace, listing in generator._list_opts(NAMESPACES):
        for group, opts in listing:
            for opt in opts:
                add(registry, group_name(group), opt)
    return registry


def auth_plugins():
    secret, plain = set(), set()
    declared = {}
    for plugin in ks_loading.get_available_plugin_names():
        for opt in ks_loading.get_plugin_options(plugin):
            names = [opt.dest] + [d.dest for d in opt.deprecated]
            (secret if opt.secret else plain).update(names)
            declared[(plugin, opt.dest)] = bool(opt.secret)
    unflagged = []
    for plugin, name, why in UNFLAGGED_PLUGIN:
        if (plugin, name) not in declared:
            sys.exit("nova-options.py: plugin %s has no option %s: remove it "
                     "from UNFLAGGED_PLUGIN" % (plugin, name))
        if declared[(plugin, name)]:
            sys.exit("nova-options.py: plugin %s declares %s secret=True now: "
                     "remove it from UNFLAGGED_PLUGIN" % (plugin, name))
        unflagged.append({"plugin": plugin, "name": name, "why": why})
    return sorted(secret), sorted(plain - secret), unflagged


def main():
    registry = registered()
    groups = {}
    for (group, name), secret in sorted(registry.items()):
        g = groups.setdefault(group, {"secret": [], "plain": []})
        g["secret" if secret else "plain"].append(name)
    auth_groups = sorted(g for (g, n) in registry if n == "auth_type")
    plugin_secret, plugin_plain, plugin_unflagged = auth_plugins()
    unflagged = []
    for group, name, why in UNFLAGGED:
        if (group, name) not in registry:
            sys.exit("nova-options.py: [%s]%s is no longer registered: "
                     "remove it from UNFLAGGED" % (group, name))
        if registry[(group, name)]:
            sys.exit("nova-options.py: [%s]%s is declared secret=True now: "
                     "remove it from UNFLAGGED" % (group, name))
        unflagged.append({"group": group, "name": name, "why": why})
    versions = {}
    for dist in DISTS:
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    out = {
        "generator": "hack/nova-options.py",
        "versions": versions,
        "namespaces": NAMESPACES,
        "groups": groups,
        "auth_groups": auth_groups,
        "auth_plugins": {"secret": plugin_secret, "plain": plugin_plain,
                         "unflagged": plugin_unflagged},
        "unflagged": unflagged,
    }
    json.dump(out, sys.stdout, indent=1, sort_keys=True, ensure_ascii=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
