"""EECS 598's ``device`` argument (models, initializers, the Solver) on a CPU-only library."""


def check_device(device, where):
    """EECS 598's models, solver and initializers take a torch ``device``; cvnn computes on
    the CPU. None, 'cpu' (any case, 'cpu:0' too) and torch.device('cpu') pass; anything else
    is a ValueError naming `where`."""
    if device is None or str(device).lower().split(":")[0] == "cpu":
        return "cpu"
    raise ValueError("%s: cvnn computes on the CPU; device=%r is not available (pass 'cpu' or "
                     "leave it out)" % (where, str(device)))
