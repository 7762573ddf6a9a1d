# Technique: calls that never stop nesting: the learner's code calls the
# test's callback, which calls the learner's code, which calls the callback
# again, thousands deep, until the runner's own stack runs out; and a
# callback called from a thread of the learner's while the main thread
# waits on the runner, so two requests cross at once.
# Targets: inline
# A RecursionError in the runner's code is the test's code failing (an
# error, sent back to the learner's side and out again as an error), and a
# request out of turn ends the learner's process: either way the test
# fails and the run is judged from a report.
import threading


class Node:
    def __init__(self, depth):
        self.depth = depth

    def children(self, visit):
        return [visit(Node(self.depth + 1))]


def walk(node, visit):
    return visit(node)


def walk_twice(node, visit):
    results = []
    worker = threading.Thread(target=lambda: results.append(visit(node)))
    worker.start()
    results.append(visit(node))
    worker.join()
    return len(results)

# === tests ===
import unittest

from solution import Node, walk, walk_twice


class ReentrantDepthTest(unittest.TestCase):
    def test_deep(self):
        def visit(node):
            return node.children(visit)

        self.assertEqual(walk(Node(0), visit), [[1]])

    def test_threads(self):
        self.assertEqual(walk_twice(Node(0), lambda node: node.depth), 3)
