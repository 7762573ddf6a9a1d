from collections import deque


def shortest_path(maze):
    """Steps on the shortest way from S to E, or -1 if unreachable."""
    rows, cols = len(maze), len(maze[0]) if maze else 0
    start = next((r, c) for r in range(rows) for c in range(cols) if maze[r][c] == "S")
    queue = deque([(start, 0)])
    seen = {start}
    while queue:
        (r, c), steps = queue.popleft()
        if maze[r][c] == "E":
            return steps
        for nr, nc in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
            if 0 <= nr < rows and 0 <= nc < cols and maze[nr][nc] != "#" and (nr, nc) not in seen:
                seen.add((nr, nc))
                queue.append(((nr, nc), steps + 1))
    return -1
