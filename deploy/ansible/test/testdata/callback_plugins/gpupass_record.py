# A test-only Ansible callback: appends one JSON object per line to the file
# named by GPUPASS_RECORD for every task result and for the final stats, so
# that ansible_test.go can assert on them. ansible-core ships no JSON callback
# (ansible.posix.json is a collection); this one rides alongside the default
# stdout callback.
from __future__ import annotations

import json
import os

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = '''
    name: gpupass_record
    type: aggregate
    short_description: record task results as JSON lines (tests)
    description: Writes every task result and the final stats to $GPUPASS_RECORD.
    requirements:
      - enabled with callbacks_enabled
'''


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'gpupass_record'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self._path = os.environ.get('GPUPASS_RECORD')

    def _write(self, obj):
        if not self._path:
            return
        with open(self._path, 'a', encoding='utf-8') as f:
            f.write(json.dumps(obj, default=str) + '\n')

    def _result(self, status, result):
        r = result._result
        keep = {k: r[k] for k in ('msg', 'rc', 'stderr', 'changed', 'skip_reason', 'results')
                if k in r}
        if 'results' in keep:  # loops: keep the per-item status only
            keep['results'] = [{'changed': i.get('changed', False), 'failed': i.get('failed', False)}
                               for i in keep['results'] if isinstance(i, dict)]
        self._write({'event': 'task', 'status': status, 'host': result._host.get_name(),
                     'task': result._task.get_name(), 'action': result._task.action,
                     'delegated_to': r.get('_ansible_delegated_vars', {}).get('ansible_host'),
                     'result': keep})

    def v2_runner_on_ok(self, result):
        self._result('changed' if result._result.get('changed') else 'ok', result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._result('ignored' if ignore_errors else 'failed', result)

    def v2_runner_on_skipped(self, result):
        self._result('skipped', result)

    def v2_runner_on_unreachable(self, result):
        self._result('unreachable', result)

    def v2_playbook_on_stats(self, stats):
        hosts = sorted(stats.processed.keys())
        self._write({'event': 'stats', 'hosts': {h: stats.summarize(h) for h in hosts}})
