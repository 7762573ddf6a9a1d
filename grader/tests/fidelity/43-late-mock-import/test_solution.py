# Covers: the mock module imported inside a test (not at the top of the file), its patches of library modules reaching the learner's code all the same; a test file that never imports it at all beside one that does (the runner imports it only when a test does)
import unittest

import solution


class LateMockImport(unittest.TestCase):
    def test_rolls_without_mock(self):
        self.assertIn(solution.roll(), range(1, 7))

    def test_patched_roll_inside_a_test(self):
        from unittest import mock

        with mock.patch("random.randint", return_value=6) as randint:
            self.assertEqual(solution.roll(), 6)
        randint.assert_called_once_with(1, 6)

    def test_patched_sleep_by_decorator_imported_late(self):
        import unittest.mock

        @unittest.mock.patch("time.sleep")
        @unittest.mock.patch("random.randint", return_value=3)
        def check(randint, sleep):
            self.assertEqual(solution.wait_and_roll(60), 3)
            sleep.assert_called_once_with(60)

        check()
