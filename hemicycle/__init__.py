"""The composition root: the ``hemicycle`` command line, the demo, the Senate seed and the simulator.

The only package that imports every other one (see the layout rule in the README).
"""
