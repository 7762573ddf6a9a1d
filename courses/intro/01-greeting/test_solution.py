import unittest

from solution import greet


class GreetTest(unittest.TestCase):
    def test_greets_by_name(self):
        """Greets a person by name"""
        self.assertEqual(greet("Ada"), "Hello, Ada!")

    def test_keeps_the_name_as_written(self):
        """Keeps the name exactly as written"""
        self.assertEqual(greet("grace HOPPER"), "Hello, grace HOPPER!")

    def test_empty_name_greets_the_world(self):
        """An empty name greets the world"""
        self.assertEqual(greet(""), "Hello, world!")

    def test_returns_rather_than_prints(self):
        """Returns the greeting rather than printing it"""
        self.assertIsInstance(greet("Linus"), str, "greet must return the greeting")
