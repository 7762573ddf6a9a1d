"""The test's patches of library modules, followed by the learner's code.

In one process, `mock.patch("random.randint", return_value=4)` or
`mock.patch("sys.stdin", io.StringIO("3 4"))` changes what the code under
test calls. Here that code runs in another process, with modules of its own:
every patch a test has made of a module's attribute, with `mock.patch` in
any of its forms (a `with`, a decorator, `start()`), is sent with each
message (`module_patches`), and the learner's process sets the same
attribute of its own module to the test's object (a lent mock, a StringIO)
until the patch is undone (learner.py's `follow_module_patches`).

Not followed here, as they are followed otherwise: the solution module (a
RemoteModule, which sends every change itself), `builtins` (runner.py's
`call_builtin`) and the output streams (what the learner's code prints is
written to the runner's own, patched or not).
"""

import importlib.machinery
import sys
import types

_NOT_FOLLOWED = {("sys", "stdout"), ("sys", "stderr"), ("sys", "__stdout__"), ("sys", "__stderr__")}

# The patchers in effect, in the order they were entered.
_active = []


def follow():
    """Keeps `_active` as the test's patchers enter and exit, from the moment
    the mock module is imported: importing it costs ~45 ms (asyncio comes
    with it), and most test files never do. A test file that imports it has
    done so by now; one that imports it later (in a test) is hooked then."""
    mock = sys.modules.get("unittest.mock")
    if mock is not None:
        _hook(mock)
    else:
        sys.meta_path.insert(0, _HookOnImport())


class _HookOnImport:
    """Finds `unittest.mock` as the import system would and hooks it as soon
    as it has run; nothing else."""

    def find_spec(self, name, path=None, target=None):
        if name != "unittest.mock":
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        run = spec.loader.exec_module

        def exec_module(module):
            run(module)
            _hook(module)

        spec.loader.exec_module = exec_module
        return spec


def _hook(mock):
    patch = mock._patch
    if getattr(patch, "_codeplatform_followed", False):
        return
    enter, leave = patch.__enter__, patch.__exit__

    def __enter__(self):
        made = enter(self)
        _active.append(self)
        return made

    def __exit__(self, *exc_info):
        for i, patcher in enumerate(_active):
            if patcher is self:
                del _active[i]
                break
        return leave(self, *exc_info)

    patch.__enter__, patch.__exit__ = __enter__, __exit__
    patch._codeplatform_followed = True


def module_patches():
    """((module name, attribute, the value there now), ...) for every
    attribute of a library module a patch in effect has set."""
    now = {}
    for patcher in _active:
        target = getattr(patcher, "target", None)
        # By exact type: the solution module is a ModuleType subclass.
        if type(target) is not types.ModuleType:
            continue
        key = (target.__name__, patcher.attribute)
        if key[0] == "builtins" or key in _NOT_FOLLOWED:
            continue
        try:
            now[key] = getattr(target, patcher.attribute)
        except AttributeError:
            continue
    return tuple((module, attribute, value) for (module, attribute), value in now.items())
