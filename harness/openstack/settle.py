"""Settle helper: makes happen, for one resource, what only a piece that cannot run on
this machine would make happen (a Trove guest VM, and the taskmanager steps that wait
for it), or what happens too fast here to be seen (a Cinder backup mid-write). Run with the OpenStack venv's interpreter; reads MA_TEST_OPENSTACK (env.json of
`cargo harness openstack`):

    $python settle.py trove-instance-active <instance id>
    $python settle.py trove-backup-completed <backup id>
    $python settle.py cinder-backup-creating <backup id>

Exits 0 when done; otherwise non-zero with the reason on stderr. Each fact is one
function, done through the real APIs where one exists and otherwise in the service's own
database, the way the service itself writes it.
"""

import datetime
import hashlib
import json
import os
import sys
import time

import sqlalchemy
from keystoneauth1 import loading, session as ks_session


def env():
    path = os.environ.get('MA_TEST_OPENSTACK')
    if not path:
        sys.exit('MA_TEST_OPENSTACK is not set: run `cargo harness openstack` (or ci) first')
    with open(path) as f:
        return json.load(f)


def now():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def trove_service_session(e):
    """The session Trove's taskmanager has: its service user, in the service project
    (trove/common/clients_admin.py:get_keystone_session with [service_credentials])."""
    auth = loading.get_plugin_loader('password').load_from_options(
        auth_url=e['auth_url'], **e['settle']['trove_user'])
    return ks_session.Session(auth=auth)


def trove_instance_active(e, instance_id):
    """What trove-taskmanager and the guest agent do for a new instance.

    trove/taskmanager/models.py:FreshInstanceTasks.create_instance boots the Nova server
    (_create_server: the datastore version's image, the instance's flavor, named after
    the instance, in the service project) and records its id (update_db
    compute_instance_id); the guest agent's prepare then reports the database up through
    trove-conductor (trove/conductor/manager.py:Manager.heartbeat -> service_statuses
    HEALTHY), and the taskmanager, seeing it, resets the task (_wait_for_instance_status
    -> reset_task_status: task NONE). Here the server is booted for real through Nova
    (`networks: none`: there is no Neutron), then the two rows are written as those
    services write them.
    """
    db = sqlalchemy.create_engine(e['settle']['trove_db'])
    with db.connect() as c:
        row = c.execute(sqlalchemy.text(
            'SELECT i.name, i.flavor_id, i.compute_instance_id, v.image_id '
            'FROM instances i JOIN datastore_versions v '
            'ON v.id = i.datastore_version_id WHERE i.id = :id AND i.deleted = 0'),
            {'id': instance_id}).fetchone()
    if row is None:
        sys.exit('no Trove instance %s' % instance_id)
    name, flavor_id, server_id, image_id = row
    sess = trove_service_session(e)
    nova = {'service_type': 'compute', 'region_name': e['region'],
            'interface': 'public'}
    if not server_id:
        body = {'server': {'name': name, 'imageRef': image_id, 'flavorRef': flavor_id,
                           'networks': 'none',
                           'metadata': {'trove_project_id': 'settle',
                                        'trove_instance_id': instance_id}}}
        resp = sess.post('/servers', json=body, endpoint_filter=nova,
                         headers={'OpenStack-API-Version': 'compute 2.90'})
        server_id = resp.json()['server']['id']
    deadline = time.time() + 120
    while True:
        server = sess.get('/servers/%s' % server_id, endpoint_filter=nova).json()['server']
        if server['status'] == 'ACTIVE':
            break
        if server['status'] == 'ERROR' or time.time() > deadline:
            sys.exit('the Nova server %s of Trove instance %s is %s: %s' % (
                server_id, instance_id, server['status'], server.get('fault')))
        time.sleep(0.5)
    with db.begin() as c:
        # trove/instance/models.py:DBInstance.set_task_status(InstanceTasks.NONE);
        # InstanceTasks.NONE is InstanceTask(0x01, 'NONE', 'No tasks for the instance.')
        # in trove/instance/tasks.py.
        c.execute(sqlalchemy.text(
            'UPDATE instances SET compute_instance_id = :server, task_id = 1, '
            "task_description = 'No tasks for the instance.', updated = :now "
            'WHERE id = :id'), {'server': server_id, 'now': now(), 'id': instance_id})
        # trove/conductor/manager.py:Manager.heartbeat saves the guest's status;
        # ServiceStatuses.HEALTHY is ServiceStatus(0x21, 'healthy', 'HEALTHY') in
        # trove/instance/service_status.py.
        c.execute(sqlalchemy.text(
            "UPDATE service_statuses SET status_id = 33, status_description = 'healthy', "
            'updated_at = :now WHERE instance_id = :id'), {'now': now(), 'id': instance_id})
    print('Trove instance %s: ACTIVE (Nova server %s)' % (instance_id, server_id))


def trove_backup_completed(e, backup_id):
    """What the guest agent's backup and trove-conductor do when a backup ends.

    trove/guestagent/datastore/service.py:BaseDbApp.create_backup runs the backup
    container, then sends conductor.update_backup with state COMPLETED, the size (the data
    volume's used GB), the checksum and location the container printed, and success;
    trove/conductor/manager.py:Manager.update_backup saves those fields on the backup row.
    Here there is no data: the location is where the container would have put it in the
    project's Swift account, the checksum that of no data, the size that of the volume the
    guest agent responder reports.
    """
    db = sqlalchemy.create_engine(e['settle']['trove_db'])
    with db.connect() as c:
        row = c.execute(sqlalchemy.text(
            'SELECT tenant_id, state FROM backups WHERE id = :id AND deleted = 0'),
            {'id': backup_id}).fetchone()
    if row is None:
        sys.exit('no Trove backup %s' % backup_id)
    tenant_id, _state = row
    swift = e['endpoints']['object-store'].replace('%(project_id)s', tenant_id)
    location = '%s/database_backups/%s.xbstream.gz' % (swift, backup_id)
    with db.begin() as c:
        c.execute(sqlalchemy.text(
            "UPDATE backups SET state = 'COMPLETED', size = :size, checksum = :checksum, "
            'location = :location, updated = :now WHERE id = :id'),
            {'size': 0.02, 'checksum': hashlib.md5(b'').hexdigest(),
             'location': location, 'now': now(), 'id': backup_id})
    print('Trove backup %s: COMPLETED' % backup_id)


def cinder_backup_creating(e, backup_id):
    """A finished Cinder backup as it was while cinder-backup was still writing it.

    cinder/backup/manager.py:BackupManager.create_backup keeps the backup `creating` (set by
    cinder/backup/api.py:API.create) until the driver has written every object, then sets
    it `available`; the real cinder-backup here finishes in a second, too fast to look at a
    chain mid-write, and Cinder's os-reset_status only sets `available` or `error`
    (cinder/api/contrib/admin_actions.py). So the status is written back in Cinder's own
    database, as cinder-backup writes it.
    """
    db = sqlalchemy.create_engine(e['settle']['cinder_db'])
    with db.begin() as c:
        done = c.execute(sqlalchemy.text(
            "UPDATE backups SET status = 'creating', updated_at = :now "
            'WHERE id = :id AND deleted = false'), {'now': now(), 'id': backup_id})
    if done.rowcount != 1:
        sys.exit('no Cinder backup %s' % backup_id)
    print('Cinder backup %s: creating' % backup_id)


FACTS = {
    'trove-instance-active': trove_instance_active,
    'trove-backup-completed': trove_backup_completed,
    'cinder-backup-creating': cinder_backup_creating,
}


def main(argv):
    if len(argv) != 3 or argv[1] not in FACTS:
        sys.exit('usage: %s {%s} <id>' % (argv[0], '|'.join(sorted(FACTS))))
    FACTS[argv[1]](env(), argv[2])


if __name__ == '__main__':
    main(sys.argv)
