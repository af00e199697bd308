"""cinder-backup's manager for the tests: the real BackupManager with only the host-side
attach of the volume skipped.

`[DEFAULT] backup_manager = ma_openstack.cinder_backup.BackupManager`, with the real
`cinder.backup.drivers.posix.PosixBackupDriver` writing under target/.

A real create (cinder/backup/manager.py) goes: create_backup (checks, sets `service`) ->
cinder-volume's get_backup_device -> continue_backup: _attach_device (cinder-volume's
initialize_connection, then _connect_device, which logs in over iSCSI with os-brick and
needs root, privsep and an initiator) -> driver.backup(device file) -> _detach_device
(os-brick disconnect, then cinder-volume's terminate_connection and remove_export) ->
_finish_backup (status available, size, the parent's dependent count).

Ours: the host's iSCSI initiator name, and _connect_device with the os-brick disconnect.
A backup host has open-iscsi, whose /etc/iscsi/initiatorname.iscsi os-brick reads into
the connector properties (os_brick/initiator/connectors/iscsi.py:
ISCSIConnector.get_connector_properties); this machine has none, and cinder-volume's
iSCSI target refuses a connector without it (cinder/volume/targets/iscsi.py:
ISCSITarget.validate_connector). The "device" is an empty stream, so the posix driver
writes a real backup (metadata, sha256 file) of no data. Every RPC to cinder-volume and
all of cinder-backup's bookkeeping run as in production.
"""

import io

from oslo_log import log as logging

from cinder.backup import manager

LOG = logging.getLogger(__name__)


class _NoConnector(object):
    """Stands for the os-brick connector _connect_device returns; nothing to disconnect."""

    def disconnect_volume(self, connection_properties, device_info,
                          force=False, ignore_errors=False):
        pass


# What open-iscsi writes on a Debian host (InitiatorName=iqn.1993-08.org.debian:01:<id>).
INITIATOR = 'iqn.1993-08.org.debian:01:ma-openstack'


def _with_initiator(properties):
    properties = dict(properties)
    properties.setdefault('initiator', INITIATOR)
    return properties


class BackupManager(manager.BackupManager):
    def _attach_device(self, ctxt, backup_device, properties, is_snapshot=False):
        return super()._attach_device(ctxt, backup_device,
                                      _with_initiator(properties), is_snapshot)

    def _detach_device(self, ctxt, attach_info, device, properties,
                       is_snapshot=False, force=False, ignore_errors=False):
        return super()._detach_device(ctxt, attach_info, device,
                                      _with_initiator(properties), is_snapshot,
                                      force, ignore_errors)

    def _connect_device(self, conn):
        LOG.info('Skipping the %s attach of the backup device (test harness): '
                 'backing up an empty stream', conn.get('driver_volume_type'))
        return {'conn': conn, 'device': {'path': io.BytesIO()},
                'connector': _NoConnector()}
