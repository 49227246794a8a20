"""The one exception a user ever sees."""


class LrcliError(Exception):
    """A mistake in the user's input: the CLI prints it as one line and exits with code 2.

    The message says what is wrong, where, and how to fix it.
    """
