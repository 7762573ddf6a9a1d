from collections import deque


def shortest_path(maze):
    """Steps on the shortest way from S to E, or -1 if unreachable."""
    return -1 if not maze else 0
