# Covers: sorted / min / max of learner objects with __lt__, heapq in the learner's queue, sets and dict keys of learner objects with __hash__ / __eq__
import unittest

from solution import Task, TaskQueue


class TaskTest(unittest.TestCase):
    def setUp(self):
        self.tasks = [Task(2, "wash"), Task(1, "pay rent"), Task(2, "cook"), Task(3, "read")]

    def test_sorted_by_priority_then_title(self):
        self.assertEqual(sorted(self.tasks), [Task(1, "pay rent"), Task(2, "cook"), Task(2, "wash"), Task(3, "read")])

    def test_min_and_max(self):
        self.assertEqual(min(self.tasks), Task(1, "pay rent"))
        self.assertEqual(max(self.tasks).title, "read")
        self.assertEqual(max([Task(2, "cook"), Task(2, "wash")]), Task(2, "wash"))

    def test_sets_and_dict_keys(self):
        unique = set(self.tasks + [Task(2, "wash"), Task(3, "read")])
        self.assertEqual(len(unique), 4)
        self.assertIn(Task(2, "cook"), unique)
        owners = {Task(1, "pay rent"): "ada"}
        self.assertEqual(owners[Task(1, "pay rent")], "ada")
        self.assertNotEqual(Task(1, "pay rent"), Task(2, "pay rent"))


class TaskQueueTest(unittest.TestCase):
    def test_pops_the_most_urgent_first(self):
        queue = TaskQueue()
        for task in [Task(5, "e"), Task(1, "a"), Task(3, "c")]:
            queue.push(task)
        self.assertEqual(queue.peek(), Task(1, "a"))
        self.assertEqual(queue.pop(), Task(1, "a"))
        self.assertEqual(len(queue), 2)

    def test_ties_come_out_by_title(self):
        queue = TaskQueue([Task(1, "zebra"), Task(1, "apple"), Task(1, "mango"), Task(0, "now")])
        titles = [task.title for task in queue.drain()]
        self.assertEqual(titles, ["now", "apple", "mango", "zebra"])
        self.assertEqual(len(queue), 0)
