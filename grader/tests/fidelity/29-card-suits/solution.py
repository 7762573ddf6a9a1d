def following(member):
    """The member after this one in its own enum, wrapping round to the first."""
    members = list(type(member))
    position = members.index(member)
    return members[(position + 1) % len(members)]


def highest(members):
    """The member with the largest value."""
    return max(members, key=lambda member: member.value)


def by_name(enum_class, name):
    """The member called `name`, whatever its case."""
    for member in enum_class:
        if member.name.lower() == name.lower():
            return member
    raise KeyError(name)


def describe(member):
    return f"{member.name.title()} ({member.value})"
