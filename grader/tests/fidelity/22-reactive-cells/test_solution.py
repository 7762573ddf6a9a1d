# Covers: callbacks registered on a reactive cell (collected in a list, removed), re-entrant calls (a callback sets and reads other learner cells), lambdas into learner code
import unittest

from solution import Cell, Computed


class CellTest(unittest.TestCase):
    def test_callback_gets_each_new_value(self):
        cell = Cell(1)
        seen = []
        cell.subscribe(seen.append)
        cell.value = 2
        cell.value = 5
        self.assertEqual(seen, [2, 5])
        self.assertEqual(cell.value, 5)

    def test_no_callback_when_the_value_stays_the_same(self):
        cell = Cell("on")
        seen = []
        cell.subscribe(seen.append)
        cell.value = "on"
        self.assertEqual(seen, [])

    def test_removed_callback_is_not_called(self):
        cell = Cell(0)
        kept, dropped = [], []
        cell.subscribe(kept.append)
        cell.subscribe(dropped.append)
        cell.value = 1
        cell.unsubscribe(dropped.append)
        cell.value = 2
        self.assertEqual(kept, [1, 2])
        self.assertEqual(dropped, [1])

    def test_computed_cell_follows_its_inputs(self):
        a, b = Cell(1), Cell(2)
        total = Computed([a, b], lambda x, y: x + y)
        seen = []
        total.subscribe(seen.append)
        a.value = 10
        b.value = 3
        self.assertEqual(total.value, 13)
        self.assertEqual(seen, [12, 13])

    def test_computed_cell_is_quiet_when_its_result_does_not_change(self):
        number = Cell(4)
        parity = Computed([number], lambda n: n % 2)
        seen = []
        parity.subscribe(seen.append)
        number.value = 6
        number.value = 7
        self.assertEqual(seen, [1])

    def test_a_callback_that_drives_another_cell(self):
        celsius, fahrenheit = Cell(0), Cell(32)
        log = []

        def convert(degrees):
            fahrenheit.value = degrees * 9 / 5 + 32
            log.append((celsius.value, fahrenheit.value))

        celsius.subscribe(convert)
        fahrenheit.subscribe(lambda f: log.append(f))
        celsius.value = 100
        self.assertEqual(log, [212.0, (100, 212.0)])
