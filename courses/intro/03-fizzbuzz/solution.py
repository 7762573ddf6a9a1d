def fizzbuzz(n):
    """Return the FizzBuzz strings for 1..n as a list."""
    result = []
    for i in range(1, n + 1):
        word = ("Fizz" if i % 3 == 0 else "") + ("Buzz" if i % 5 == 0 else "")
        result.append(word or str(i))
    return result
