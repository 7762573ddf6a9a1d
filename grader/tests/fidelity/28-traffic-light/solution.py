from enum import Enum


class Light(Enum):
    RED = "stop"
    GREEN = "go"
    AMBER = "slow down"


SECONDS = {Light.RED: 30, Light.GREEN: 25, Light.AMBER: 5}


def next_light(light):
    order = list(Light)
    return order[(order.index(light) + 1) % len(order)]


def from_sign(word):
    return Light(word)


def sequence(start, changes):
    lights = [start]
    for _ in range(changes):
        lights.append(next_light(lights[-1]))
    return lights


def cycle_time():
    return sum(SECONDS[light] for light in Light)
