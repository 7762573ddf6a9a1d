import unittest

import solution


class Q1(unittest.TestCase):
    def test_mean_temp(self):
        """The mean of every reading, to one decimal"""
        self.assertEqual(solution.mean_temp, 7.6)


class Q2(unittest.TestCase):
    def test_warmest_station(self):
        """The station with the highest mean"""
        self.assertEqual(solution.warmest_station, "harbour")


class Q3(unittest.TestCase):
    def test_the_readings(self):
        """Hours warmer than 8 degrees on average"""
        self.assertEqual(solution.warm_hours(solution.readings, 8), [12])

    def test_a_low_threshold(self):
        """Every hour is warmer than 0 degrees"""
        self.assertEqual(solution.warm_hours(solution.readings, 0), [6, 12, 18])

    def test_readings_of_its_own(self):
        """Readings the notebook has not seen"""
        other = solution.pd.DataFrame(
            {"station": ["a", "a", "b", "b"], "hour": [9, 15, 9, 15], "temp": [10.0, 14.0, 6.0, 12.0]}
        )
        self.assertEqual(solution.warm_hours(other, 9), [15])
