class Plugin:
    registry = {}
    created = 0

    def __init__(self, name, handler):
        if name in Plugin.registry:
            raise ValueError(f"{name} is already registered")
        self.name = name
        self.handler = handler
        Plugin.registry[name] = self
        Plugin.created += 1

    def run(self, value):
        return self.handler(value)

    @classmethod
    def names(cls):
        return sorted(cls.registry)

    @classmethod
    def unregister(cls, name):
        del cls.registry[name]


def run_all(value):
    """Passes value through every plugin, in name order."""
    for name in Plugin.names():
        value = Plugin.registry[name].run(value)
    return value
