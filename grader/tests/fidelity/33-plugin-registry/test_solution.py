# Covers: class-level state on a learner class (a registry dict and an instance counter) checked across tests with setUpClass / tearDown, builtins and lambdas as plugin handlers
import unittest

from solution import Plugin, run_all


class PluginRegistryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.created_before = Plugin.created

    def tearDown(self):
        Plugin.registry.clear()

    def test_registry_starts_empty_each_time(self):
        self.assertEqual(Plugin.names(), [])
        Plugin("strip", str.strip)
        self.assertEqual(Plugin.names(), ["strip"])

    def test_registry_is_shared(self):
        first = Plugin("b-upper", str.upper)
        Plugin("a-strip", str.strip)
        self.assertIs(Plugin.registry["b-upper"], first)
        self.assertEqual(Plugin.names(), ["a-strip", "b-upper"])
        self.assertNotIn("registry", vars(first))

    def test_counts_every_plugin_made(self):
        start = Plugin.created
        Plugin("one", len)
        Plugin("two", len)
        self.assertEqual(Plugin.created - start, 2)
        self.assertGreaterEqual(Plugin.created - self.created_before, 2)

    def test_names_are_unique(self):
        Plugin("x", abs)
        with self.assertRaisesRegex(ValueError, "x is already registered"):
            Plugin("x", abs)
        Plugin.unregister("x")
        Plugin("x", abs)

    def test_run_all_in_name_order(self):
        Plugin("1-strip", str.strip)
        Plugin("2-title", str.title)
        Plugin("3-exclaim", lambda text: text + "!")
        self.assertEqual(run_all("  hello world "), "Hello World!")
        self.assertEqual(Plugin.registry["3-exclaim"].run("hi"), "hi!")
