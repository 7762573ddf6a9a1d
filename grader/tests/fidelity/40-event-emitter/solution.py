class EventBus:
    def __init__(self):
        self._handlers = {}

    def on(self, name, handler):
        self._handlers.setdefault(name, []).append(handler)
        return handler

    def off(self, name, handler):
        self._handlers[name].remove(handler)

    def once(self, name, handler):
        def run_once(event, **payload):
            self.off(name, run_once)
            return handler(event, **payload)

        return self.on(name, run_once)

    def emit(self, name, **payload):
        """Calls each handler of `name` as handler(name, **payload);
        returns their results in the order they were added."""
        return [handler(name, **payload) for handler in list(self._handlers.get(name, []))]
