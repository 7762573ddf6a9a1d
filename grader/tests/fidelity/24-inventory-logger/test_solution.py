# Covers: MagicMock / Mock passed into learner code (assert_called_once_with, call_count, assert_any_call, assert_not_called, return_value, side_effect list)
import unittest
from unittest import mock

from solution import Inventory


class InventoryTest(unittest.TestCase):
    def setUp(self):
        self.logger = mock.MagicMock()
        self.supplier = mock.Mock()
        self.inventory = Inventory(self.logger, self.supplier)

    def test_adding_is_logged_once(self):
        self.inventory.add("apple", 3)
        self.logger.info.assert_called_once_with("added %d %s", 3, "apple")
        self.assertEqual(self.inventory.stock, {"apple": 3})

    def test_removing_too_much_warns(self):
        self.inventory.add("pear", 2)
        self.assertFalse(self.inventory.remove("pear", 5))
        self.assertTrue(self.inventory.remove("pear", 2))
        self.logger.warning.assert_called_once_with("short of %s: %d wanted, %d held", "pear", 5, 2)
        self.assertEqual(self.logger.info.call_count, 2)
        self.logger.info.assert_any_call("removed %d %s", 2, "pear")

    def test_restock_orders_the_difference(self):
        self.supplier.order.return_value = 6
        self.inventory.add("fig", 4)
        self.assertEqual(self.inventory.restock("fig", 10), 6)
        self.supplier.order.assert_called_once_with("fig", 6)
        self.assertEqual(self.inventory.stock["fig"], 10)

    def test_restock_with_enough_orders_nothing(self):
        self.inventory.add("kiwi", 9)
        self.assertEqual(self.inventory.restock("kiwi", 5), 0)
        self.supplier.order.assert_not_called()

    def test_short_deliveries(self):
        self.supplier.order.side_effect = [2, 3]
        self.assertEqual(self.inventory.restock("plum", 5), 2)
        self.assertEqual(self.inventory.restock("plum", 5), 3)
        self.assertEqual(self.supplier.order.call_args_list, [mock.call("plum", 5), mock.call("plum", 3)])
        self.assertEqual(self.inventory.stock["plum"], 5)
