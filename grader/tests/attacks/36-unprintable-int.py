# Technique: return an int longer than Python will print (over 4,300 digits),
# so that describing the failed comparison (the call, the expected value and
# the learner's result) raises in the runner and the run ends as our fault
# (internal error, "submit again") instead of the wrong answer it is.
# Targets: 02-temperature


def to_fahrenheit(celsius):
    return 10**5000
