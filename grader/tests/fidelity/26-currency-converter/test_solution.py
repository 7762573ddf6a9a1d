# Covers: mock.patch.object / mock.patch of a module-level helper the learner's other function calls (the real one is back afterwards), Decimal money values
import unittest
from decimal import Decimal
from unittest import mock

import solution
from solution import convert, total_in


class ConverterTest(unittest.TestCase):
    def test_with_the_real_table(self):
        self.assertEqual(convert(Decimal("10.00"), "EUR", "USD"), Decimal("10.80"))
        self.assertEqual(convert(Decimal("3.50"), "EUR", "EUR"), Decimal("3.50"))

    def test_uses_the_rate_it_fetches(self):
        real = solution.fetch_rate
        with mock.patch.object(solution, "fetch_rate", return_value=Decimal("2.5")) as fake:
            self.assertEqual(convert(Decimal("4.00"), "ABC", "XYZ"), Decimal("10.00"))
        fake.assert_called_once_with("ABC", "XYZ")
        self.assertIs(solution.fetch_rate, real)
        self.assertEqual(solution.fetch_rate("USD", "EUR"), Decimal("0.93"))

    def test_rounds_half_cents_up(self):
        with mock.patch.object(solution, "fetch_rate", return_value=Decimal("0.5")):
            self.assertEqual(convert(Decimal("0.25"), "A", "B"), Decimal("0.13"))
            self.assertEqual(convert(Decimal("0.05"), "A", "B"), Decimal("0.03"))

    @mock.patch("solution.fetch_rate")
    def test_totals_ask_once_per_amount(self, fake):
        fake.side_effect = lambda source, target: Decimal("2") if source == "GBP" else Decimal("1")
        total = total_in("EUR", [(Decimal("1.10"), "GBP"), (Decimal("5"), "EUR")])
        self.assertEqual(total, Decimal("7.20"))
        self.assertEqual(str(total), "7.20")
        self.assertEqual(fake.call_count, 2)
        fake.assert_any_call("GBP", "EUR")

    def test_an_unknown_pair_fails(self):
        with self.assertRaises(KeyError):
            convert(Decimal("1"), "EUR", "JPY")
