def fizzbuzz(n):
    """Return the FizzBuzz strings for 1..n as a list."""
    result = []
    return result
