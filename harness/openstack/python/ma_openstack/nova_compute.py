"""nova-compute with our virt driver: `python -m ma_openstack.nova_compute --config-file C`.

nova/virt/driver.py:load_compute_driver imports `nova.virt.<compute_driver>` only, so a
driver must live in the nova.virt package. This adds our package's directory to
nova.virt's search path (the driver is then `nova.virt.nova_driver`, configured as
`compute_driver = nova_driver.Driver`) and runs the console script's own main,
nova/cmd/compute.py:main.
"""

import os
import sys


def main():
    import nova.virt
    nova.virt.__path__.append(os.path.dirname(os.path.abspath(__file__)))
    from nova.cmd import compute
    sys.argv[0] = 'nova-compute'
    return compute.main()


if __name__ == '__main__':
    sys.exit(main())
