"""Experiments on the core product: flags, layered experiments, sticky assignment, exposure
logging and the statistics that judge them."""
