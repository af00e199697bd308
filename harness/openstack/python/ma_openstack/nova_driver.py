"""nova-compute's virt driver for the tests: nova.virt.fake.FakeDriver, corrected where it
reports what no real hypervisor would.

`[DEFAULT] compute_driver = nova_driver.Driver`, run by ma_openstack.nova_compute, which
puts this directory on nova.virt's path (nova/virt/driver.py:load_compute_driver imports
only `nova.virt.<compute_driver>`).
"""

import os
import tempfile

from oslo_concurrency import processutils
from oslo_log import log as logging

from nova.compute import power_state
from nova.compute import task_states
from nova import exception
from nova.image import glance
from nova.virt import fake

LOG = logging.getLogger(__name__)


class Driver(fake.FakeDriver):
    def __init__(self, virtapi, read_only=False):
        super().__init__(virtapi, read_only)
        self._image_api = glance.API()

    def _set_state(self, instance, state):
        if instance.uuid not in self.instances:
            raise exception.InstanceNotFound(instance_id=instance.uuid)
        self.instances[instance.uuid].state = state

    # FakeDriver.pause/unpause do nothing, so the compute manager (which reads the power
    # state back through get_info) keeps reporting RUNNING. libvirt reports a paused domain
    # as VIR_DOMAIN_PAUSED, mapped to power_state.PAUSED (3) in
    # nova/virt/libvirt/guest.py:LIBVIRT_POWER_STATE; unpause resumes it to RUNNING.
    def pause(self, instance):
        self._set_state(instance, power_state.PAUSED)

    def unpause(self, instance):
        self._set_state(instance, power_state.RUNNING)

    # libvirt's suspend is a managed save: the domain is shut off (VIR_DOMAIN_SHUTOFF ->
    # power_state.SHUTDOWN, 4) until resume starts it again
    # (nova/virt/libvirt/driver.py:LibvirtDriver.suspend/resume).
    def suspend(self, context, instance):
        self._set_state(instance, power_state.SHUTDOWN)

    def resume(self, context, instance, network_info, block_device_info=None,
               share_info=None):
        self._set_state(instance, power_state.RUNNING)

    def snapshot(self, context, instance, image_id, update_task_state):
        """What nova/virt/libvirt/driver.py:LibvirtDriver.snapshot does, minus reading a disk.

        FakeDriver only sets the task state, so the image Nova created in Glance stays
        `queued` forever. libvirt extracts the disk with `qemu-img convert`, then uploads it
        with the metadata of _create_snapshot_metadata (status active, disk_format of the
        snapshot, container_format of the source image or bare). Here the disk is a fresh,
        tiny, valid qcow2 made by the same qemu-img, so Glance's format check passes.
        """
        if instance.uuid not in self.instances:
            raise exception.InstanceNotRunning(instance_id=instance.uuid)
        update_task_state(task_state=task_states.IMAGE_PENDING_UPLOAD)
        image_meta = instance.image_meta
        snapshot = self._image_api.get(context, image_id)
        metadata = {
            'status': 'active',
            'name': snapshot['name'],
            'properties': {
                'kernel_id': instance.kernel_id,
                'image_location': 'snapshot',
                'image_state': 'available',
                'owner_id': instance.project_id,
                'ramdisk_id': instance.ramdisk_id,
            },
            'disk_format': 'qcow2',
            'container_format': (image_meta.container_format
                                 if image_meta.obj_attr_is_set('container_format')
                                 else 'bare'),
        }
        if instance.os_type:
            metadata['properties']['os_type'] = instance.os_type
        with tempfile.TemporaryDirectory(prefix='ma-snapshot-') as tmp:
            path = os.path.join(tmp, 'snapshot.qcow2')
            processutils.execute('qemu-img', 'create', '-f', 'qcow2', path, '1M')
            update_task_state(task_state=task_states.IMAGE_UPLOADING,
                              expected_state=task_states.IMAGE_PENDING_UPLOAD)
            with open(path, 'rb') as image_file:
                self._image_api.update(context, image_id, metadata, image_file)
        LOG.info('Snapshot image upload complete', instance=instance)
