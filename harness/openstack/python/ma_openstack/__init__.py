"""Our Python side of the real-OpenStack test harness (`cargo harness openstack`).

Everything here runs inside target/openstack-venv next to the real services, found through
PYTHONPATH=harness/openstack/python. Nothing here replaces a service: these are WSGI entry
points, the two narrow shims (Nova driver, cinder-backup attach) and the responders for
what cannot run on this machine (Neutron, Swift, Trove's guest agent).
"""
