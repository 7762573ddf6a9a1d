class Inventory:
    def __init__(self, logger, supplier=None):
        self.logger = logger
        self.supplier = supplier
        self.stock = {}

    def add(self, item, quantity):
        self.stock[item] = self.stock.get(item, 0) + quantity
        self.logger.info("added %d %s", quantity, item)

    def remove(self, item, quantity):
        held = self.stock.get(item, 0)
        if quantity > held:
            self.logger.warning("short of %s: %d wanted, %d held", item, quantity, held)
            return False
        self.stock[item] = held - quantity
        self.logger.info("removed %d %s", quantity, item)
        return True

    def restock(self, item, minimum):
        """Orders what is missing to reach `minimum`; returns what arrived."""
        held = self.stock.get(item, 0)
        if held >= minimum:
            return 0
        delivered = self.supplier.order(item, minimum - held)
        self.add(item, delivered)
        return delivered
