"""Minimal responders for what cannot run on this machine, one process:

- Neutron (`network` in the catalog): Nova's server view and Trove's instance view list
  ports and security groups; there is no Neutron here, so every list is empty.
- Swift (`object-store`): Trove's backup create checks the project's account.
- Trove's guest agent: viewing an instance waits 15 s (agent_call_low_timeout) for the
  guest's answer to get_filesystem_stats; one RPC server per Trove instance answers it.

Each behaviour names the real code it copies. Anything else answers 404, so a test that
needs more fails loudly instead of passing on invented data.

python -m ma_openstack.responders --neutron-port P --swift-port P \
    --transport-url rabbit://.../openstack --trove-db mysql+pymysql://.../trove
"""

import argparse
import json
import logging
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

LOG = logging.getLogger('ma_openstack.responders')


class Neutron(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, fmt, *args):
        LOG.info('neutron: ' + fmt, *args)

    def _send(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = urlsplit(self.path).path.rstrip('/')
        if path == '':
            # neutron/api/versions.py:Versions.__call__: the version list.
            return self._send(200, {'versions': [{
                'id': 'v2.0', 'status': 'CURRENT',
                'links': [{'rel': 'self', 'href': 'http://%s/v2.0/'
                           % self.headers.get('Host', '')}]}]})
        if path == '/v2.0/extensions':
            # neutron/api/extensions.py:ExtensionController.index with no extension
            # loaded: clients then use only the core API.
            return self._send(200, {'extensions': []})
        match = re.fullmatch(r'/v2\.0/([a-z-]+)', path)
        if match:
            # neutron/api/v2/base.py:Controller.index answers {collection: [...]}, the
            # collection named with underscores (security-groups -> security_groups).
            # Nothing exists here: every list is empty.
            return self._send(200, {match.group(1).replace('-', '_'): []})
        # neutron/api/v2/base.py:Controller.show of an unknown id: 404 NotFound.
        return self._send(404, {'NeutronError': {
            'type': 'HTTPNotFound', 'message': 'Not found: %s' % path, 'detail': ''}})


class Swift(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, fmt, *args):
        LOG.info('swift: ' + fmt, *args)

    def _account(self, with_body):
        # swift/account/utils.py:account_listing_response with its FakeAccountBroker (an
        # auto-created, empty account): the X-Account-* counters at zero, X-Timestamp and
        # X-PUT-Timestamp now; an empty listing is 204 No Content in text, `[]` in JSON.
        json_format = 'format=json' in urlsplit(self.path).query
        body = b'[]' if json_format else b''
        self.send_response(200 if body else 204)
        self.send_header('X-Account-Container-Count', '0')
        self.send_header('X-Account-Object-Count', '0')
        self.send_header('X-Account-Bytes-Used', '0')
        now = '%.5f' % time.time()
        self.send_header('X-Timestamp', now)
        self.send_header('X-PUT-Timestamp', now)
        if json_format:
            self.send_header('Content-Type', 'application/json; charset=utf-8')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def _is_account(self):
        return re.fullmatch(r'/v1/AUTH_[0-9a-f]+/?', urlsplit(self.path).path)

    def _object(self):
        """The backup object a path names: `/v1/AUTH_<project>/database_backups/<name>`, the
        container and names where the settle helper says the guest's backup runner put a
        backup (`location`), or None."""
        match = re.fullmatch(r'/v1/AUTH_[0-9a-f]+/database_backups/([^/]+)',
                             urlsplit(self.path).path)
        return match and match.group(1)

    def do_GET(self):
        if self._is_account():
            return self._account(True)
        self._not_found()

    def do_HEAD(self):
        if self._is_account():
            return self._account(False)
        name = self._object()
        if name and name not in DELETED_OBJECTS:
            # swift/proxy/controllers/obj.py HEAD of an object: 200 with its metadata; here
            # the object of a backup of no data (the checksum settle.py records).
            self.send_response(200)
            self.send_header('Content-Length', '0')
            self.send_header('Content-Type', 'application/octet-stream')
            self.send_header('Etag', 'd41d8cd98f00b204e9800998ecf8427e')
            self.send_header('X-Timestamp', '%.5f' % time.time())
            self.end_headers()
            return
        self._not_found()

    def do_DELETE(self):
        # swift/proxy/controllers/obj.py DELETE: 204 No Content, 404 once it is gone
        # (trove/taskmanager/models.py:BackupTasks.delete_files_from_swift deletes a
        # backup's object when trove-taskmanager deletes the backup).
        name = self._object()
        if name and name not in DELETED_OBJECTS:
            DELETED_OBJECTS.add(name)
            self.send_response(204)
            self.send_header('Content-Length', '0')
            self.end_headers()
            return
        self._not_found()

    def _not_found(self):
        self.send_response(404)
        self.send_header('Content-Length', '0')
        self.end_headers()


# Backup objects trove-taskmanager deleted; every other one under database_backups exists.
DELETED_OBJECTS = set()


class GuestAgent(object):
    """Answers the calls trove-api makes to an instance's guest agent."""

    def __init__(self):
        import oslo_messaging
        # trove/guestagent/datastore/manager.py:Manager takes RPC API 1.x.
        self.target = oslo_messaging.Target(version='1.3')

    def get_filesystem_stats(self, ctxt, fs_path=None):
        # trove/guestagent/datastore/manager.py:Manager.get_filesystem_stats returns
        # trove/guestagent/dbaas.py:get_filesystem_volume_stats of the data volume (sizes in
        # GB, bytes free) plus mgr_extra_info; these are the numbers of an empty 1 GB volume.
        block_size, total_blocks, free_blocks = 4096, 262144, 258048
        total = total_blocks * block_size
        free = free_blocks * block_size
        return {'block_size': block_size, 'total_blocks': total_blocks,
                'free_blocks': free_blocks, 'avail_blocks': free_blocks,
                'total': round(total / 1024.0 ** 3, 2), 'free': free,
                'used': round((total - free) / 1024.0 ** 3, 2),
                'mgr_extra_info': {}}


def serve_guests(transport_url, trove_db):
    """One RPC server per Trove instance, on the topic its guest agent would listen to
    (trove/guestagent/api.py:API._get_routing_key: guestagent.<instance id>), in the
    control exchange trove-api sends to."""
    import oslo_messaging
    import sqlalchemy
    from oslo_config import cfg

    conf = cfg.ConfigOpts()
    conf([], project='trove')
    oslo_messaging.set_transport_defaults(control_exchange='trove')
    transport = oslo_messaging.get_rpc_transport(conf, url=transport_url)
    engine = sqlalchemy.create_engine(trove_db, pool_pre_ping=True)
    servers = {}
    while True:
        try:
            with engine.connect() as db:
                ids = [row[0] for row in db.execute(sqlalchemy.text(
                    'SELECT id FROM instances WHERE deleted = 0'))]
        except Exception as e:  # the schema may not exist yet
            LOG.debug('guest agent: cannot list instances: %s', e)
            ids = []
        for instance_id in ids:
            if instance_id in servers:
                continue
            target = oslo_messaging.Target(topic='guestagent.%s' % instance_id,
                                           server='guest-%s' % instance_id)
            server = oslo_messaging.get_rpc_server(
                transport, target, [GuestAgent()], executor='threading')
            server.start()
            servers[instance_id] = server
            LOG.info('guest agent: answering for instance %s', instance_id)
        time.sleep(1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--neutron-port', type=int, required=True)
    parser.add_argument('--swift-port', type=int, required=True)
    parser.add_argument('--transport-url', required=True)
    parser.add_argument('--trove-db', required=True)
    parser.add_argument('--state-dir', help='unused: names the run in the command line')
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format='%(asctime)s %(levelname)s %(message)s')
    for port, handler in ((args.neutron_port, Neutron), (args.swift_port, Swift)):
        server = ThreadingHTTPServer(('127.0.0.1', port), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
    LOG.info('neutron responder on %d, swift responder on %d',
             args.neutron_port, args.swift_port)
    serve_guests(args.transport_url, args.trove_db)


if __name__ == '__main__':
    main()
