# Covers: mock.patch("solution.open", mock.mock_open(read_data=...)) around learner functions that iterate a file, readline and readlines inside `with open(...)`
import unittest
from unittest import mock

import solution

CONFIG = """# my app
name = demo

url = http://example.test/?a=1&b=2
  debug=yes
"""


class ConfigTest(unittest.TestCase):
    def test_reads_key_value_lines(self):
        with mock.patch("solution.open", mock.mock_open(read_data=CONFIG)) as fake_open:
            settings = solution.read_config("app.ini")
        fake_open.assert_called_once_with("app.ini", encoding="utf-8")
        self.assertEqual(settings, {"name": "demo", "url": "http://example.test/?a=1&b=2", "debug": "yes"})

    def test_empty_file(self):
        with mock.patch("solution.open", mock.mock_open(read_data="")):
            self.assertEqual(solution.read_config("empty.ini"), {})

    def test_the_file_is_closed(self):
        fake_open = mock.mock_open(read_data="a = 1\n")
        with mock.patch("solution.open", fake_open):
            solution.read_config("a.ini")
        fake_open.return_value.__exit__.assert_called_once()

    def test_header_is_the_first_line(self):
        with mock.patch("solution.open", mock.mock_open(read_data=CONFIG)):
            self.assertEqual(solution.header("app.ini"), "# my app")

    @mock.patch("solution.open", new_callable=mock.mock_open, read_data="[a]\nx=1\n[b]\n[c]\n")
    def test_counts_sections(self, fake_open):
        self.assertEqual(solution.count_sections("s.ini"), 3)
        fake_open.assert_called_once_with("s.ini", encoding="utf-8")
