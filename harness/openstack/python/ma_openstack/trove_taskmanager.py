"""trove-taskmanager for the tests: Trove's own backup delete path, nothing else.

Run as the real `trove-taskmanager --config-file trove.conf` with
`taskmanager_manager = ma_openstack.trove_taskmanager.DeletesOnly`
(trove/cmd/taskmanager.py:startup loads the manager class named there). trove-api's
`DELETE /backups/{id}` (trove/backup/models.py:Backup.delete) casts `delete_backup` for the
backup and each of its children, deepest first; this manager runs
trove/taskmanager/manager.py:Manager.delete_backup for them, that is
trove/taskmanager/models.py:BackupTasks.delete_backup: the backup's object removed from
Swift (our Swift responder) and the backup marked deleted, as in production.

Every other cast trove-api sends the taskmanager (trove/taskmanager/api.py) is about an
instance or a running backup, which only a guest VM could bring about: the settle helper
(harness/openstack/settle.py) records what they would, so they are logged and dropped here,
as they were when no taskmanager ran at all.
"""

import logging

from trove.taskmanager import manager

LOG = logging.getLogger(__name__)

# trove/taskmanager/api.py: every method cast or called besides delete_backup.
LEFT_TO_SETTLE = (
    'resize_volume', 'resize_flavor', 'reboot', 'restart', 'detach_replica',
    'promote_to_replica_source', 'eject_replica_source', 'migrate', 'rebuild',
    'delete_instance', 'update_access', 'create_backup', 'create_instance',
    'create_cluster', 'delete_cluster', 'grow_cluster', 'shrink_cluster',
    'restart_cluster', 'upgrade_cluster', 'upgrade', 'reapply_module',
)


def _left_to_settle(name):
    def dropped(self, context, *args, **kwargs):
        LOG.info('taskmanager: %s dropped (the settle helper stands for it)', name)
    dropped.__name__ = name
    return dropped


class DeletesOnly(manager.Manager):
    """trove/taskmanager/manager.py:Manager with only delete_backup left as it is."""


for _name in LEFT_TO_SETTLE:
    setattr(DeletesOnly, _name, _left_to_settle(_name))
