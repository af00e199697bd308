"""WSGI applications for gunicorn (`ma_openstack.wsgi:keystone()` etc.).

oslo.config parses the process arguments: under gunicorn they are gunicorn's, and the
services would die with `unrecognized arguments`. Each factory replaces sys.argv with what
the service's own console script would see before the service module is imported. The
config file comes from MA_CONFIG_FILE (cinder, trove) or the service's own
OS_<SERVICE>_CONFIG_DIR variable (keystone, glance, nova, placement), set by the harness.
"""

import os
import sys


def _argv(prog, with_config=False):
    sys.argv = [prog]
    if with_config:
        sys.argv += ['--config-file', os.environ['MA_CONFIG_FILE']]


def keystone():
    _argv('keystone-wsgi-public')
    from keystone.server.wsgi import initialize_public_application
    return initialize_public_application()


def glance():
    _argv('glance-api')
    from glance.wsgi.api import application
    return application


def cinder():
    # cinder/wsgi/wsgi.py:initialize_application parses sys.argv[1:] itself.
    _argv('cinder-api', with_config=True)
    from cinder.wsgi.api import application
    return application


def placement():
    _argv('placement-api')
    from placement.wsgi.api import application
    return application


def nova():
    _argv('nova-api-os-compute')
    from nova.wsgi.osapi_compute import application
    return application
