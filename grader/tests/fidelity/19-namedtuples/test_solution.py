import unittest
from collections import namedtuple

from solution import Interval, Point, midpoint, parse, spans, width

Span = namedtuple("Span", "low high")


class RecordsTest(unittest.TestCase):
    def test_fields_come_back(self):
        p = parse("3,4")
        self.assertEqual(p.x, 3)
        self.assertEqual(p._fields, ("x", "y"))
        self.assertEqual(p, (3, 4))

    def test_records_made_here_go_in(self):
        self.assertEqual(midpoint(Point(0, 0), Point(2, 4)), Point(1, 2))

    def test_typed_named_tuples(self):
        self.assertEqual(spans([(1, 3), (5, 2)]), [Interval(1, 3)])
        self.assertEqual(spans([(1, 3)])[0].high, 3)

    def test_the_tests_own_record_goes_in(self):
        self.assertEqual(width(Span(2, 9)), 7)
