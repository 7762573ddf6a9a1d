def read_config(path):
    """Reads `key = value` lines, skipping blank lines and # comments."""
    settings = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            key, _, value = line.partition("=")
            settings[key.strip()] = value.strip()
    return settings


def header(path):
    with open(path, encoding="utf-8") as f:
        return f.readline().rstrip("\n")


def count_sections(path):
    with open(path, encoding="utf-8") as f:
        lines = f.readlines()
    return sum(1 for line in lines if line.startswith("["))
