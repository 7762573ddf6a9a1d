# Covers: an Enum defined in the solution (members compared with `is`, .name / .value, iterating the class, lookup by value and name, members as dict keys), module-level constants read by the test
import unittest

import solution
from solution import Light, cycle_time, from_sign, next_light, sequence


class TrafficLightTest(unittest.TestCase):
    def test_members_in_order(self):
        self.assertEqual([light.name for light in Light], ["RED", "GREEN", "AMBER"])
        self.assertEqual(Light.AMBER.value, "slow down")
        self.assertIs(Light["GREEN"], Light.GREEN)

    def test_next_light(self):
        self.assertIs(next_light(Light.RED), Light.GREEN)
        self.assertIs(next_light(Light.GREEN), Light.AMBER)

    def test_amber_goes_back_to_red(self):
        self.assertIs(next_light(Light.AMBER), Light.RED)

    def test_from_sign(self):
        self.assertIs(from_sign("go"), Light.GREEN)
        with self.assertRaises(ValueError):
            from_sign("maybe")

    def test_sequence(self):
        lights = sequence(Light.GREEN, 4)
        self.assertEqual(lights, [Light.GREEN, Light.AMBER, Light.RED, Light.GREEN, Light.AMBER])
        self.assertIsInstance(lights[2], Light)

    def test_timings(self):
        self.assertEqual(solution.SECONDS[Light.RED], 30)
        self.assertEqual(set(solution.SECONDS), set(Light))
        self.assertEqual(cycle_time(), 60)
