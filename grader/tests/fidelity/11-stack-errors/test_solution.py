import unittest

from solution import BufferEmpty, Stack, StackUnderflowError, read


class ErrorsTest(unittest.TestCase):
    def test_own_exception_class(self):
        with self.assertRaises(StackUnderflowError) as caught:
            Stack().pop()
        self.assertEqual(caught.exception.args[0], "the stack is empty")

    def test_its_builtin_base(self):
        with self.assertRaises(IndexError):
            Stack().pop()
        self.assertTrue(issubclass(StackUnderflowError, IndexError))

    def test_buffer_empty_is_a_buffer_error(self):
        with self.assertRaises(BufferError) as caught:
            read([])
        self.assertIsInstance(caught.exception, BufferEmpty)
        self.assertEqual(str(caught.exception), "nothing to read")
        self.assertEqual(caught.exception.size, 0)

    def test_message_regex(self):
        with self.assertRaisesRegex(StackUnderflowError, "empty"):
            Stack().pop()

    def test_catching_it_in_the_test(self):
        try:
            read([])
        except BufferEmpty as e:
            self.assertEqual(e.args, ("nothing to read",))
        else:
            self.fail("no BufferEmpty")
